/* The document of GET /api/v1/briefings/<id>: the briefing itself
 * (relay/briefing/briefing-json.h) joined with what other parts of the
 * relay know about the same morning: its recorded files (with links the
 * caller may use from a <video src>), each turn's spoken-status clip and
 * turn recording, and the figures each office had reported for the day by
 * the briefing's end, with regional and national totals. An office's own
 * token gets only its own of each. Main context. */
#pragma once

#include <json-glib/json-glib.h>
#include "relay/app.h"
#include "relay/briefing/briefing.h"
#include "http/http-auth.h"
#include "http/http-util.h"

G_BEGIN_DECLS

/* NULL with error when a store failed. */
JsonNode *relay_briefing_detail (RelayApp *app, RelayBriefing *briefing, const RelayCaller *caller,
                                 GError **error);

/* "/api/v1/briefings/<id>/recordings/<rid>.<container>" */
char *relay_briefing_recording_path (gint64 briefing_id, gint64 recording_id,
                                     const char *container);
/* "video/mp4" or "video/webm" (audio/... when there is no video). */
const char *relay_briefing_recording_type (const char *container, gboolean has_video);

/* The latest version of each office's figures for the briefing's date
 * received by its end (now while live): RelayReportRow*. */
GPtrArray *relay_briefing_figures (RelayApp *app, RelayBriefing *briefing, GError **error);

G_END_DECLS
