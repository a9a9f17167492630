/* GET /api/v1/events: a WebSocket of the relay's events as JSON text
 * messages, each with a sequence number. `?since=<seq>` replays what the
 * client missed; the first message after authentication ("hello") says
 * whether that was complete.
 *
 * Nothing is sent before the client is authenticated: by the bearer token
 * of the upgrade request, by the sign-in cookie the upgrade carries
 * (http/session-cookie.h; the socket closes with 4401 when that
 * session ends), or (browsers cannot set that header) by a first message
 * {"type":"auth","token":"..."} within [limits] event-auth-timeout-s.
 * A missing or unknown token closes the socket with code 4401. Each client
 * then gets what its credential may read (docs/API.md, "Events"): the
 * viewer roles everything (WHEP sessions only the chair and the minister),
 * an office the public events and its own figures and clips.
 *
 * Bounded ([limits]): clients in all and per credential (close 4429), and
 * what one client leaves unread (close 4408, then the connection is shut):
 * a client that stops reading is dropped, not queued for.
 *
 * A browser's upgrade from a page of another origin than the relay's own
 * or [relay] allowed-origins is refused before it happens (403
 * origin-not-allowed); a client that sends no Origin is not a browser and
 * is judged by its token alone.
 *
 * Main context only: the endpoint holds one subscription to the bus and
 * its clients; the server owns the endpoint. */
#pragma once

#include <libsoup/soup.h>
#include "relay/config/config.h"
#include "relay/event-bus.h"
#include "relay/signin/signin-store.h"
#include "http/admission.h"

G_BEGIN_DECLS

#define RELAY_EVENTS_CLOSE_UNAUTHORIZED 4401
/* Over [limits] event-clients, or event-clients-per-credential, or the
 * address presented too many wrong tokens. */
#define RELAY_EVENTS_CLOSE_LIMIT 4429
/* The client left more than [limits] event-queue-kb unread. */
#define RELAY_EVENTS_CLOSE_TOO_SLOW 4408

/* The token of a client's first message, {"type":"auth","token":"..."}
 * (a text message), newly allocated; NULL for anything else. Pure, so that
 * it is fuzzed without a socket (tests/fuzz/fuzz-events-message.c). */
char *relay_events_parse_auth (gboolean is_text, const char *data, gsize len);

void relay_events_endpoint_register (SoupServer *server, RelayConfig *config,
                                     RelayAdmission *admission, RelayEventBus *bus,
                                     RelaySigninStore *signin);

G_END_DECLS
