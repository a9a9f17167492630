/* The data directory's lock: one process at a time owns the store (and
 * what else lives in <data-dir>). The relay takes it at start and keeps it
 * until it exits; `briefing-relay restore` takes it while it replaces the
 * store, so that it never swaps the file under a running relay and no relay
 * starts on a half-restored directory.
 *
 * An flock(2) on <data-dir>/relay.lock, which also holds the owner's pid
 * for the message of whoever is refused. The kernel releases it when the
 * owner exits, however it exits (a SIGKILL leaves no stale lock).
 *
 * Main thread only. The caller owns the returned lock; freeing it releases
 * the lock (the file stays). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAY_DATA_DIR_LOCK_FILE "relay.lock"

typedef struct RelayDataDirLock RelayDataDirLock;

/* Creates `data_dir` if needed and takes its lock without waiting. When
 * another process holds it: NULL and G_IO_ERROR_BUSY, the message naming
 * the directory and the holder's pid. */
RelayDataDirLock *relay_data_dir_lock_take (const char *data_dir, GError **error);
void relay_data_dir_lock_free (RelayDataDirLock *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayDataDirLock, relay_data_dir_lock_free)

G_END_DECLS
