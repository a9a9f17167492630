/* Sign-in (docs/API.md, "Sign-in"): a viewer's token, or the code of a
 * one-time link the chair made for a phone, exchanged for a session
 * cookie, so that a page signs in once and then sends no token at all.
 *
 *   POST   /api/v1/session        Authorization: Bearer <viewer token>, or
 *                                 {"code":"<one-time code>"}: 201, Set-Cookie
 *   GET    /api/v1/session        who the cookie signs in (401: nobody)
 *   DELETE /api/v1/session        sign out: the session ends, the cookie is cleared
 *   POST   /api/v1/session/links  the chair: a one-time link (URL and QR code as
 *                                 SVG) granting the minister's or a viewer's role
 *
 * The code travels in the link's fragment (#signin=...), which no server,
 * log or Referer sees, and is exchanged by the page's POST: a GET never
 * signs anyone in. Wrong codes count as wrong tokens of the address
 * (http/admission.h). These paths take requests from the relay's own
 * pages only (an Origin of another page: 403), so another site cannot sign
 * a browser in or out.
 *
 * Main context (libsoup's). The store is the app's; the handlers own
 * nothing between requests. */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"

G_BEGIN_DECLS

void relay_session_api_register (SoupServer *server, RelayApp *app);

G_END_DECLS
