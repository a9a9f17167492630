/* Small helpers shared by the HTTP endpoints: JSON errors, CORS, bearer
 * tokens, path splitting. Every refusal carries {"error","reason"}. */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include "relay/config.h"

G_BEGIN_DECLS

#define RELAY_MAX_SDP_BODY (64 * 1024)

void relay_http_set_cors (SoupServerMessage *msg, const char *methods);
void relay_http_error (SoupServerMessage *msg, guint status, const char *error, const char *reason);
void relay_http_json (SoupServerMessage *msg, guint status, JsonNode *node);

/* "Bearer xyz" -> "xyz", or NULL. */
char *relay_http_bearer_token (SoupServerMessage *msg);

typedef enum {
  RELAY_AUTH_OK,
  RELAY_AUTH_MISSING,      /* 401 */
  RELAY_AUTH_WRONG,        /* 401 */
  RELAY_AUTH_OTHER_PROVINCE, /* 403 */
} RelayAuthResult;

/* Checks the bearer token against `province`, and tells a token of another
 * province apart from a wrong one. */
RelayAuthResult relay_http_authorize_province (SoupServerMessage *msg, RelayConfig *config,
                                               const RelayProvinceConfig *province);
/* Answers 401/403 for a failed authorization; TRUE when it was OK. */
gboolean relay_http_check_auth (SoupServerMessage *msg, RelayAuthResult result);

/* Media type without parameters, lower-case; NULL when absent. */
char *relay_http_content_type (SoupServerMessage *msg);

/* Path segments after the prefix: "/whip/TH-50/abc" with "/whip" ->
 * ["TH-50", "abc"]. Empty segments are dropped. */
GStrv relay_http_path_segments (const char *path, const char *prefix);

G_END_DECLS
