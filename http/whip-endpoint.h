/* WHIP (RFC 9725): POST /whip/<province> creates a session, and
 * /whip/<province>/<session> takes PATCH (trickle ICE, ICE restart) and
 * DELETE. OPTIONS answers CORS preflights; other methods get 405. */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"

G_BEGIN_DECLS

void relay_whip_endpoint_register (SoupServer *server, RelayApp *app);

G_END_DECLS
