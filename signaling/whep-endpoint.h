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
/* Closes every viewer session. */
void relay_whep_endpoint_free (RelayWhepEndpoint *endpoint);

G_END_DECLS
