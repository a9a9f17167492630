/* Records a briefing while it is live, reusing the encoders that already
 * run (nothing is encoded again):
 *
 *   program video + full conference mix  -> program-NNN.mp4 (or .webm for a
 *                                           VP8 program), a new segment
 *                                           every [recording] segment-s
 *   mosaic video (optional)              -> mosaic-NNN.mp4
 *   each speaking office, during its turn -> office-<code>-<turn>.webm (VP8)
 *                                           or .mp4 (H.264), as it was sent
 *
 * It is one more viewer of the outputs (a packet channel subscribed through
 * the output router) and one more subscriber of a province (through the
 * registry), so the live path does not know it is there: packets are
 * copied into a bounded channel drained by the recorder's own thread,
 * which assembles frames and writes fragmented MP4 / WebM of about 1 s per
 * fragment. A stalled disk fills the channel and drops recording packets
 * (counted), never live ones. A file the disk refuses (full, read-only) is
 * closed as `failed` with what was written still playable, a "recording"
 * event and a log line say so, and the live briefing goes on.
 *
 * Files live under <data-dir>/recordings/<briefing id>/, indexed in the
 * `recordings` table (relay/recording/recording-index.h). At start the
 * recorder repairs the index: a file a crash left open is measured and
 * marked `interrupted`. Retention ([recording] keep-days, max-total-mb)
 * deletes the oldest briefings' files first, never the live one's.
 *
 * Threads: created and driven on the main context (the briefing service's
 * observer); its own thread writes; the list/get reads are for any thread
 * (a reader connection of their own, behind a lock). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include "relay/briefing/briefing-service.h"
#include "relay/config/config.h"
#include "relay/event-bus.h"
#include "relay/router/output-router.h"
#include "relay/router/office-registry.h"
#include "relay/recording/recording-index.h"

G_BEGIN_DECLS

typedef struct _RelayBriefingRecorder RelayBriefingRecorder;

/* Repairs the index (run before the briefing service marks a briefing
 * interrupted: it reads the recordings' true ends) and starts the thread.
 * All arguments must outlive the recorder. */
RelayBriefingRecorder *relay_briefing_recorder_new (RelayConfig *config,
                                                    RelayOutputRouter *outputs,
                                                    RelayOfficeRegistry *registry,
                                                    RelayEventBus *events, GError **error);
/* Closes every open file (complete), then stops the thread. Before the
 * router and the registry are freed. */
void relay_briefing_recorder_free (RelayBriefingRecorder *recorder);

/* The callbacks the briefing service drives it with; user_data is the
 * recorder. */
const RelayBriefingObserver *relay_briefing_recorder_observer (void);

/* Reads, any thread. See recording-index.h. */
GPtrArray *relay_briefing_recorder_list (RelayBriefingRecorder *recorder, gint64 briefing_id,
                                         GError **error);
RelayRecordingRow *relay_briefing_recorder_get (RelayBriefingRecorder *recorder, gint64 id,
                                                GError **error);

/* The absolute path of a recording's file (free it). */
char *relay_briefing_recorder_path (RelayBriefingRecorder *recorder, const RelayRecordingRow *row);

/* {"enabled":bool,"captures":n,"files_recording":n,"bytes_written":..,
 *  "failures":..,"frames_skipped":..,"packets_dropped":..} since the start
 * of the relay; the open captures' part is at most a second old.
 * frames_skipped: not written (before a file's first key frame, incomplete
 * after a loss); packets_dropped: the queue overflowed because the disk did
 * not keep up. Any thread. */
JsonNode *relay_briefing_recorder_describe (RelayBriefingRecorder *recorder);

/* The same figures for GET /metrics, with when the files last grew and
 * the room left where they are written. Any thread. */
typedef struct {
  gboolean enabled;
  guint captures, files_recording;
  guint64 bytes_written, failures, frames_skipped, packets_dropped;
  /* Unix µs of the latest second in which the files grew (the thread adds
   * up its captures each second), 0 before any write. */
  gint64 last_write_unix_us;
  /* Of the file system holding <data-dir>/recordings (the data dir while
   * that does not exist yet): free for an unprivileged writer, and its
   * size; 0 and 0 when it cannot be read. */
  guint64 disk_free_bytes, disk_size_bytes;
} RelayRecorderStats;
void relay_briefing_recorder_get_stats (RelayBriefingRecorder *recorder, RelayRecorderStats *stats);

G_END_DECLS
