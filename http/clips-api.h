/* Spoken status over HTTP: GET /api/v1/clips?date=&province= (the day's
 * clips) and GET /api/v1/clips/<id>.ogg (the file, with Range support so
 * that an <audio> element can seek). Chair, minister and viewer tokens, as
 * a bearer token, or for <audio src> a signed link from the briefing's
 * detail (http/media-link.h). See docs/API.md. */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"
#include "relay/clips/clip-recorder.h"

G_BEGIN_DECLS

void relay_clips_api_register (SoupServer *server, RelayApp *app, RelayClipRecorder *clips);

G_END_DECLS
