/* WHEP (draft-ietf-wish-whep): viewers POST a recvonly offer and get the
 * relay's media. This part serves /whep/province/<code>: that province's
 * own audio and video forwarded without transcoding (the SFU path), for the
 * chair and the minister. /whep/province/<code>/<session> takes PATCH and
 * DELETE; OPTIONS answers CORS preflights. */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"

G_BEGIN_DECLS

typedef struct _RelayWhepEndpoint RelayWhepEndpoint;

RelayWhepEndpoint *relay_whep_endpoint_new (SoupServer *server, RelayApp *app);
/* Shutdown, first step: ends every viewer session (unsubscribed at once,
 * closed on its worker). The endpoint stays: hand-offs its sessions queued
 * for the main loop refer to it until the loop has run them. */
void relay_whep_endpoint_close_all (RelayWhepEndpoint *endpoint);
/* Closes every viewer session left, and frees the endpoint. */
void relay_whep_endpoint_free (RelayWhepEndpoint *endpoint);

G_END_DECLS
