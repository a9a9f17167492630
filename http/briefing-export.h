/* GET /api/v1/briefings/<id>/export.mp4?start=S&duration=D: a section of the
 * program recording as one MP4, remuxed from the key frame at or before
 * `start` (relay/recording/fmp4-reader.h: fragments copied, nothing
 * encoded). The copy runs on a worker thread while the request is paused
 * (an hour of program is hundreds of megabytes); at most two run at once,
 * a third is told 503 with Retry-After. The file is written under
 * <data-dir>/tmp and unlinked once mapped for the answer. Main context. */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"
#include "relay/briefing/briefing.h"

G_BEGIN_DECLS

/* The caller has checked the caller's right to the program recording. */
void relay_briefing_export (RelayApp *app, SoupServerMessage *msg, RelayBriefing *briefing,
                            GHashTable *query);

G_END_DECLS
