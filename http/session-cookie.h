/* The sign-in cookie on every request (docs/API.md, "Sign-in"). Before any
 * handler runs, the `briefing_session` cookie is read and, when it names a
 * live session of the store, that session's viewer (its name and role) is
 * put on the message, where the authorization helpers of http-util.h find
 * it wherever a viewer's bearer token is accepted: WHEP POST and DELETE,
 * the API, the events WebSocket. A bearer token, when one comes, decides
 * alone: the cookie is then not looked at.
 *
 * A browser sends the cookie whichever page makes the request, so a
 * state-changing request (POST, PUT, PATCH, DELETE) that carries the
 * cookie and no bearer token must come from the relay's own pages: without
 * an Origin naming the relay it is refused, 403 origin-not-allowed, before
 * its handler. A stale cookie (signed out, expired, from before a restart)
 * counts as none, and the answer clears it.
 *
 * Main context (libsoup's). The install holds the config and the store,
 * which outlive it; the identity put on a message is the message's. */
#pragma once

#include <libsoup/soup.h>
#include "relay/config/config.h"
#include "relay/signin/signin-store.h"

G_BEGIN_DECLS

#define RELAY_SESSION_COOKIE "briefing_session"

typedef struct _RelaySessionCookie RelaySessionCookie;

/* Watches `server`'s requests from now on: install it before the admission
 * control (http/admission.h), which counts a request by its cookie's
 * viewer too. Also ends expired sessions once a minute, so that what they
 * hold open (an events socket) closes on time. */
RelaySessionCookie *relay_session_cookie_install (SoupServer *server, RelayConfig *config,
                                                  RelaySigninStore *store);
void relay_session_cookie_free (RelaySessionCookie *cookie);

/* What the request's cookie stands for, or NULL (no cookie, a stale one, or
 * a bearer token came). Valid as long as the message. */
const RelayViewerConfig *relay_session_cookie_viewer (SoupServerMessage *msg);
/* The same request's session (its public id, how it was signed in, when
 * it expires), or NULL. */
const RelaySigninSession *relay_session_cookie_session (SoupServerMessage *msg);

/* The value of the `briefing_session` cookie in a Cookie header, or NULL
 * (none, or not a value the relay could have set: only base64url
 * characters, at most 128). Pure. */
char *relay_session_cookie_parse (const char *cookie_header);

/* A Set-Cookie header's value: the session cookie with `value` for
 * `max_age_s` seconds, or, with `value` NULL, the one that clears it.
 * Always Path=/, HttpOnly (no script reads it), SameSite=Strict (no other
 * site's page makes the browser send it); Secure when `secure` (the relay
 * serves HTTPS). Pure. */
char *relay_session_cookie_format (const char *value, gint64 max_age_s, gboolean secure);

/* Adds the Set-Cookie of relay_session_cookie_format to the answer, Secure
 * when the relay serves HTTPS. */
void relay_session_cookie_set (SoupServerMessage *msg, RelayConfig *config, const char *value,
                               gint64 max_age_s);

G_END_DECLS
