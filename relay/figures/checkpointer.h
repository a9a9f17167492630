/* Moves WAL checkpoints off the writer's commit path: SQLite's automatic
 * checkpoint runs inside the COMMIT that crosses the threshold and fsyncs
 * the main file there, which is a stall of tens of milliseconds for every
 * submission in that batch. Here a thread of its own checkpoints (PASSIVE:
 * never blocks the writer) on a connection of its own. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct _RelayCheckpointer RelayCheckpointer;

/* Takes over checkpointing for `writer` (which must outlive it). */
RelayCheckpointer *relay_checkpointer_new (sqlite3 *writer, const char *data_dir, GError **error);
void relay_checkpointer_free (RelayCheckpointer *checkpointer);

G_END_DECLS
