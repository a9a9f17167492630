/* Admission control of the HTTP side: how fast a credential or a client
 * address may ask for things, how many wrong tokens an address may present,
 * and how many sessions the relay and each credential hold. It sits before
 * the handlers: it watches every request's headers (a refusal there is
 * answered before the body is read and before the token is checked) and
 * every response (a 401 to a presented token counts against the address).
 *
 *   POST/PATCH on /whip, /whep     per credential: [limits] session-requests-*
 *   other POST/PUT/PATCH/DELETE    per credential: [limits] api-requests-*
 *   any of those                   per address:    [limits] address-requests-*
 *   a token presented after too many wrong ones from the address: 429
 *
 * Session counts are taken by the endpoints (relay_admission_open_session)
 * and given back when the session ends.
 * Main thread only (the HTTP server's context). Owns its tables. */
#pragma once

#include <libsoup/soup.h>
#include "relay/config/config.h"

G_BEGIN_DECLS

typedef struct _RelayAdmission RelayAdmission;

/* Watches `server`'s requests; lives as long as the server. */
RelayAdmission *relay_admission_new (SoupServer *server, RelayConfig *config);
void relay_admission_free (RelayAdmission *admission);

/* A new session of `credential` (a stable name: "viewer:<name>",
 * "office:<code>", "publisher:<code>"), which may hold at most `cap`:
 * TRUE and counted, or FALSE after answering 429 too-many-sessions (the
 * credential's cap) or 503 relay-full (the relay's [limits] max-sessions).
 * Every TRUE needs one relay_admission_close_session. */
gboolean relay_admission_open_session (RelayAdmission *admission, SoupServerMessage *msg,
                                       const char *credential, guint cap);
void relay_admission_close_session (RelayAdmission *admission, const char *credential);
guint relay_admission_count_sessions (RelayAdmission *admission, const char *credential);

/* For tokens that arrive outside an Authorization header (the events
 * WebSocket's first message): whether `address` may still present one
 * (FALSE: throttled), and counting a wrong one. */
gboolean relay_admission_may_present_token (RelayAdmission *admission, const char *address);
void relay_admission_note_wrong_token (RelayAdmission *admission, const char *address);

/* The key an address counts under: itself for IPv4, its /64 for IPv6. */
char *relay_admission_address_key (const char *address);

G_END_DECLS
