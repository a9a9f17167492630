/* Small helpers shared by the HTTP endpoints: JSON errors, CORS, bearer
 * tokens, path splitting. Every refusal carries {"error","reason"}. */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include "relay/config/config.h"

G_BEGIN_DECLS

/* An SDP offer; a trickle-ice-sdpfrag (at most 32 candidates, of about
 * 100 bytes each, and the ICE credentials). */
#define RELAY_MAX_SDP_BODY (64 * 1024)
#define RELAY_MAX_SDPFRAG_BODY (16 * 1024)

/* The headers every API answer starts with: CORS (any origin; the token
 * authorises) and Cache-Control: no-store. */
void relay_http_set_cors (SoupServerMessage *msg, const char *methods);
void relay_http_error (SoupServerMessage *msg, guint status, const char *error, const char *reason);
void relay_http_json (SoupServerMessage *msg, guint status, JsonNode *node);
/* {"error","reason"} as JSON text, for an answer written without libsoup. */
char *relay_http_error_text (const char *error, const char *reason, gsize *len);
/* "the body is over 64 KiB" (or "... over 1000 bytes"). */
char *relay_http_too_large_reason (gsize max_bytes);

/* TRUE when the request's method is one of `allowed` ("GET, HEAD, OPTIONS"),
 * compared as whole names; else answers 405 with an Allow header. */
gboolean relay_http_allow_method (SoupServerMessage *msg, const char *allowed);

/* "Bearer xyz" -> "xyz", or NULL. */
char *relay_http_bearer_token (SoupServerMessage *msg);

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
                                               const RelayProvinceConfig *province);
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
  const RelayProvinceConfig *office;
} RelayCaller;
gboolean relay_http_identify (SoupServerMessage *msg, RelayConfig *config, RelayCaller *caller);
/* The same for a token that came another way (the events WebSocket's first
 * message): FALSE, answering nothing, when nobody has it. */
gboolean relay_http_identify_token (RelayConfig *config, const char *token, RelayCaller *caller);

/* The request's JSON object (Content-Type application/json, UTF-8, at most
 * max_bytes), or NULL after answering 415/413/400. The object belongs to
 * `parser`. */
JsonObject *relay_http_read_json_object (SoupServerMessage *msg, JsonParser *parser,
                                         gsize max_bytes);

/* Media type without parameters, lower-case; NULL when absent. */
char *relay_http_content_type (SoupServerMessage *msg);

/* Checks Content-Type (415) and size (413), then gives the body. */
gboolean relay_http_read_body (SoupServerMessage *msg, const char *want_type, gsize max_bytes,
                               GBytes **body_out);

/* ?date=YYYY-MM-DD (a real day), today in Bangkok when absent; NULL
 * after answering 400. */
char *relay_http_query_date (SoupServerMessage *msg, GHashTable *query);
/* TRUE for "YYYY-MM-DD" naming a real day (the check above, pure). */
gboolean relay_http_valid_day (const char *text);

/* Path segments after the prefix: "/whip/TH-50/abc" with "/whip" ->
 * ["TH-50", "abc"]. Empty segments are dropped. */
GStrv relay_http_path_segments (const char *path, const char *prefix);

G_END_DECLS
