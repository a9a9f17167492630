/* Figures in SQLite: the idempotency and versioning rules, one submission
 * at a time inside a transaction the caller (the writer thread) groups. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct _RelayFiguresStore RelayFiguresStore;

typedef struct {
  guint status;      /* 201: a new version; 200: a retry of a known id, or the
                      * same values as the latest version under a new id */
  gint64 version;
  char date[11];     /* the date of the version (a retry's original date) */
  gboolean unchanged; /* the id did not create the version (same values) */
} RelayReportOutcome;

typedef struct {
  char *province;
  char *date;
  gint64 version;
  char *values_json;
  char *received_at;
  char *channel;
  char *remote_address;
  char *client_id;
  char *warnings_json; /* the warnings confirmed with the version; NULL: none */
} RelayReportRow;

/* The writer's connection (migrates). */
RelayFiguresStore *relay_figures_store_open (const char *data_dir, GError **error);
void relay_figures_store_free (RelayFiguresStore *store);
/* The connection, e.g. for relay_checkpointer_new. */
sqlite3 *relay_figures_store_get_db (RelayFiguresStore *store);

gboolean relay_figures_store_begin (RelayFiguresStore *store, GError **error);
/* Returns once the transaction is on disk (synchronous=FULL). */
gboolean relay_figures_store_commit (RelayFiguresStore *store, GError **error);
void relay_figures_store_rollback (RelayFiguresStore *store);

/* Inside a transaction. A known (province, client_id) answers as the first
 * time; values equal to the day's latest version record the id against that
 * version (no new version); anything else is version n + 1, stored with
 * `warnings_json` (NULL: none). */
gboolean relay_figures_store_put (RelayFiguresStore *store, const char *province,
                                 const char *client_id, const char *date, const char *values_json,
                                 const char *warnings_json, const char *channel,
                                 const char *remote_address, const char *received_at,
                                 RelayReportOutcome *out, GError **error);

/* Reads, on any connection (e.g. relay_database_open_reader's). The latest
 * version of each province's day, by province; every version of one day,
 * oldest first. RelayReportRow* with free functions set. */
GPtrArray *relay_figures_store_latest (sqlite3 *db, const char *date, GError **error);
GPtrArray *relay_figures_store_history (sqlite3 *db, const char *province, const char *date,
                                       GError **error);
void relay_report_row_free (RelayReportRow *row);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayFiguresStore, relay_figures_store_free)

G_END_DECLS
