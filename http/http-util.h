/* Small helpers shared by the HTTP endpoints: JSON errors, CORS, bearer
 * tokens, path splitting. Every refusal carries {"error","reason"}. Who
 * is calling is http/http-auth.h. */
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
