/* Each province's spoken status, as clips: one Ogg/Opus file per speaking
 * turn, its Opus written as it came (no re-encoding), indexed in the
 * `clips` table of the relay's database.
 *
 * A turn is the floor: it starts when the chair gives a province the floor
 * and ends when the floor is taken back or passed on, or the province goes
 * offline/lost. Until the chair first uses the floor (in this run of the
 * relay), voice activity decides instead: a province whose audio says it is
 * speaking (RFC 6464: the V flag, or a level of -40 dBov or louder, on
 * packets newer than the previous look, polled every 100 ms) starts a turn,
 * and 2 s without such a look ends it. See docs/DESIGN.md.
 *
 * Files: <data-dir>/clips/YYYY-MM-DD/<province>-<HHMMSS>-<mmm>.ogg, the day
 * and time of the turn's start in Asia/Bangkok. A "clip" event is published
 * for each clip stored. The recorder runs on a thread of its own (packets,
 * pipelines, file and database writes); its HTTP reads use a connection of
 * their own. */
#pragma once

#include <glib.h>
#include "relay/config/config.h"
#include "relay/event-bus.h"
#include "relay/router/office-registry.h"

G_BEGIN_DECLS

typedef struct _RelayClipRecorder RelayClipRecorder;

typedef struct {
  gint64 id;
  char *province;
  char *date;        /* YYYY-MM-DD, Asia/Bangkok */
  char *started_at;  /* ISO 8601 UTC */
  char *ended_at;
  gint64 duration_ms;
  char *path;        /* absolute */
  gint64 bytes;
  char *reason;      /* why the turn ended */
} RelayClipRow;

void relay_clip_row_free (RelayClipRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayClipRow, relay_clip_row_free)

/* Main context. The database must already be migrated (create the report
 * service first). All arguments must outlive the recorder. */
RelayClipRecorder *relay_clip_recorder_new (RelayConfig *config, RelayOfficeRegistry *registry,
                                            RelayEventBus *events, GError **error);
/* Ends every turn (stored, reason "shutdown"), then stops the thread. Call
 * before the registry and the bus are freed. */
void relay_clip_recorder_free (RelayClipRecorder *recorder);

/* Any thread. A day's clips, oldest first; province NULL for all.
 * RelayClipRow*; NULL with error on a storage failure. */
GPtrArray *relay_clip_recorder_list (RelayClipRecorder *recorder, const char *date,
                                     const char *province, GError **error);
/* One clip, or NULL (error set only on a storage failure). */
RelayClipRow *relay_clip_recorder_get (RelayClipRecorder *recorder, gint64 id, GError **error);

G_END_DECLS
