/* What a briefing gives besides its JSON (routes under
 * /api/v1/briefings/<id>/):
 *
 *   recordings/<rid>.mp4|.webm   a recorded file, with Range (206/416)
 *   export.mp4?start=&duration=  a section of the program recording, remuxed
 *                                from the key frame at or before `start` (s)
 *   chapters.vtt                 WebVTT, one chapter per turn, on the program
 *                                recording's timeline
 *   report.csv                   roll call, turns and figures, with regional
 *                                and national totals (UTF-8 with BOM)
 *
 * A browser fetches these by itself, so besides a bearer token they accept
 * the signed link the detail document gives (http/media-link.h). The
 * viewer roles may have all; an office's token (or its link) only its own
 * turn recordings. Main context. */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"

G_BEGIN_DECLS

/* `rest`: the path segments after the briefing id. Answers everything,
 * the 401/403/404 included. */
void relay_briefing_media_serve (RelayApp *app, SoupServerMessage *msg, gint64 briefing_id,
                                 char **rest, const char *path, GHashTable *query);

G_END_DECLS
