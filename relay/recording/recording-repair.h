/* Keeping the recordings folder and its index true to each other:
 *
 * - repair, at start: a file a crash left open (index state `recording`)
 *   is measured from what is on disk, its last complete fragment, and
 *   marked `interrupted` with that duration and size; a file that is gone
 *   is marked `failed`.
 * - retention: the files of briefings older than [recording] keep-days go,
 *   then the oldest briefings' files while the total is over max-total-mb;
 *   never the live briefing's, nor the newest one's (a limit below the size
 *   of one briefing keeps the last one, and says so in the log). Rows are marked `deleted`, and a briefing's
 *   folder is removed once empty.
 *
 * Threads: the caller's, with the writer connection of the recorder (at
 * start, before its thread runs; then on its thread). */
#pragma once

#include <glib.h>
#include <sqlite3.h>
#include "relay/briefing/briefing-config.h"

G_BEGIN_DECLS

void relay_recording_repair (sqlite3 *db, const char *data_dir);

/* `keep_briefing`: the live briefing's id (0: none). */
void relay_recording_apply_retention (sqlite3 *db, const char *data_dir,
                                      const RelayRecordingConfig *config, gint64 keep_briefing);

G_END_DECLS
