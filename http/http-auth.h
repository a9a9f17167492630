/* Who is calling an HTTP endpoint, and whether they may: a bearer token
 * checked against the config's offices and viewers, or, without one, the
 * viewer of the request's sign-in cookie (http/session-cookie.h). A
 * refusal is answered here, 401 or 403 with {"error","reason"} (docs/API.md).
 * Main thread, during a request; what it returns is borrowed from the
 * config. */
#pragma once

#include <libsoup/soup.h>
#include "relay/config/config.h"

G_BEGIN_DECLS

typedef enum {
  RELAY_AUTH_OK,
  RELAY_AUTH_MISSING,      /* 401 */
  RELAY_AUTH_WRONG,        /* 401 */
  RELAY_AUTH_OTHER_PROVINCE, /* 403 */
  RELAY_AUTH_VIEWER,       /* 403 */
} RelayAuthResult;

/* Checks the bearer token against `province`, and tells a token of another
 * province or a viewer's (valid credentials without the right: 403) apart
 * from a wrong one (401). Without a bearer token, a sign-in cookie
 * (http/session-cookie.h) is a viewer's: 403. */
RelayAuthResult relay_http_authorize_province (SoupServerMessage *msg, RelayConfig *config,
                                               const RelayOfficeConfig *province);
/* Answers 401/403 for a failed authorization; TRUE when it was OK. */
gboolean relay_http_check_auth (SoupServerMessage *msg, RelayAuthResult result);

/* A viewer token of at least `min_role` (chair > minister > viewer), or,
 * without a bearer token, the viewer of the request's sign-in cookie; NULL
 * after answering 401 (no or unknown token) or 403 with `refusal` (a lower
 * role, or a province's token). The viewer is valid while the message is. */
const RelayViewerConfig *relay_http_authorize_viewer (SoupServerMessage *msg, RelayConfig *config,
                                                      RelayViewerRole min_role,
                                                      const char *refusal);

/* Who is calling: a viewer (any role) or an office, by its bearer token,
 * or without one the viewer of the sign-in cookie. FALSE after answering
 * 401 (no credential, or a token nobody has). */
typedef struct {
  const RelayViewerConfig *viewer;   /* or */
  const RelayOfficeConfig *office;
} RelayCaller;
gboolean relay_http_identify (SoupServerMessage *msg, RelayConfig *config, RelayCaller *caller);
/* The same for a token that came another way (the events WebSocket's first
 * message): FALSE, answering nothing, when nobody has it. */
gboolean relay_http_identify_token (RelayConfig *config, const char *token, RelayCaller *caller);

G_END_DECLS
