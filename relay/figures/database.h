/* The relay's SQLite database (<data-dir>/briefing.sqlite): WAL, durable
 * commits (synchronous=FULL), and the schema brought up to date by numbered
 * migration steps (database.c, PRAGMA user_version). */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define RELAY_DATABASE_ERROR (relay_database_error_quark ())
GQuark relay_database_error_quark (void);

#define RELAY_DATABASE_FILE "briefing.sqlite"

/* Opens (creating it and `data_dir`) and migrates. */
sqlite3 *relay_database_open (const char *data_dir, GError **error);
/* A second connection for reads on another thread (WAL: readers do not wait
 * for the writer). Does not migrate: open the writer first. */
sqlite3 *relay_database_open_reader (const char *data_dir, GError **error);

/* The schema version this build migrates to. */
int relay_database_schema_version (void);

/* Runs SQL without results; FALSE with the database's message. */
gboolean relay_database_exec (sqlite3 *db, const char *sql, GError **error);
/* Sets `error` from the connection's last error, prefixed with `what`. */
void relay_database_set_error (sqlite3 *db, const char *what, GError **error);

G_END_DECLS
