/* `briefing-relay backup FILE` and `briefing-relay restore FILE`: a
 * consistent copy of the store (<data-dir>/briefing.sqlite) taken while
 * the relay runs, and its way back into a data directory.
 *
 * Runs on the main thread of its own short-lived process, never inside the
 * relay: the relay it copies from is another process, seen only through
 * SQLite's file locking (WAL). Restore takes the data directory's lock
 * (relay/data-dir-lock.h), so it refuses while a relay owns the directory.
 *
 * The caller owns `report`: each function appends to it, in one sentence
 * per step, what it did, for the operator. Nothing is changed on failure
 * (a backup's half-written file is removed, a restore touches the data
 * directory only once the new store is complete and checked). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Copies the store of `data_dir` to `file` (replacing it, atomically). */
gboolean relay_store_backup (const char *data_dir, const char *file, GString *report,
                             GError **error);

/* Checks that `file` is a sound store of a schema version this build
 * knows; sets `*schema_version`. */
gboolean relay_store_check_file (const char *file, int *schema_version, GError **error);

/* Checks `file`, then makes it the store of `data_dir`; the previous store,
 * if any, is renamed aside (briefing.sqlite.before-restore-<UTC time>). */
gboolean relay_store_restore (const char *data_dir, const char *file, GString *report,
                              GError **error);

G_END_DECLS
