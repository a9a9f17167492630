/* WHEP (draft-ietf-wish-whep): viewers POST a recvonly offer and get the
 * relay's media: /whep/mosaic, /whep/program, and /whep/province/<code>,
 * that province's own audio and video forwarded without transcoding (the
 * SFU path), for the chair and the minister. The session URLs below them
 * take PATCH and DELETE; OPTIONS answers CORS preflights. GET
 * /api/v1/viewers lists the viewers.
 *
 * The HTTP side only: the URL, who may watch what, the admission (each
 * credential's session count, taken here and given back through the
 * registry's release when the viewer ends), the offer and the answers.
 * The viewers themselves, their sessions, subscriptions, events and
 * totals, are the app's viewer registry's (relay/router/viewer-registry.h).
 *
 * Main thread (libsoup's). The endpoint borrows the app; each viewer's
 * admission record is the registry's until released. */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"

G_BEGIN_DECLS

typedef struct _RelayWhepEndpoint RelayWhepEndpoint;

RelayWhepEndpoint *relay_whep_endpoint_new (SoupServer *server, RelayApp *app);
/* After the server: its handlers refer to the endpoint. */
void relay_whep_endpoint_free (RelayWhepEndpoint *endpoint);

G_END_DECLS
