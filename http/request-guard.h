/* Where credentials may come from, checked before any endpoint sees a
 * request: never in a URL (a query parameter `token` or `access_token` is
 * refused with 400 token-in-url on every path, pages included, since URLs
 * end up in logs, browser histories and Referer headers; media a browser
 * fetches by itself uses the signed links of http/media-link.h), and,
 * for the events WebSocket, only from pages of the relay's own origin or of
 * a configured [relay] allowed-origins. Main context (libsoup's); holds no
 * state of its own. */
#pragma once

#include <libsoup/soup.h>
#include "relay/config/config.h"

G_BEGIN_DECLS

/* Refuses, for every request of `server`, a token in the URL. */
void relay_request_guard_install (SoupServer *server);

/* TRUE when the request's query names a credential (token, access_token). */
gboolean relay_request_query_has_credential (const char *query);

/* TRUE when a browser page may make this request: no Origin header (not a
 * browser: such a client authenticates by its token alone), an Origin
 * whose host and port are the request's Host (the relay's own pages, also
 * behind a proxy that keeps Host), or one of config->allowed_origins. */
gboolean relay_request_origin_allowed (SoupServerMessage *msg, RelayConfig *config);

/* TRUE only when the request has an Origin and it is the relay's own (its
 * host and port are the request's Host): what a request authorised by the
 * sign-in cookie alone must show (http/session-cookie.h), since a
 * browser sends the cookie whoever's page makes the request. */
gboolean relay_request_origin_is_own (SoupServerMessage *msg);

G_END_DECLS
