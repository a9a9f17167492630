#include "http/http-util.h"

#include <stdio.h>
#include <string.h>

#include "relay/json-input.h"
#include "relay/figures/figures-validate.h"

void
relay_http_set_cors (SoupServerMessage *msg, const char *methods)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  /* Province pages may be hosted elsewhere (a ministry portal): any origin
   * may call, and the bearer token is what authorises. */
  soup_message_headers_replace (h, "Access-Control-Allow-Origin", "*");
  soup_message_headers_replace (h, "Access-Control-Allow-Methods", methods);
  /* Briefing-Takeover and Briefing-Replaces: a WHIP POST's claim on its
   * office (relay/router/publish-claim.h). */
  soup_message_headers_replace (h, "Access-Control-Allow-Headers",
                                "Authorization, Content-Type, If-Match, Briefing-Takeover, "
                                "Briefing-Replaces");
  soup_message_headers_replace (h, "Access-Control-Expose-Headers",
                                "Location, ETag, Link, Accept-Patch");
  soup_message_headers_replace (h, "Access-Control-Max-Age", "600");
  /* Every API answer may depend on the caller's token (a session's
   * credentials in an SDP answer, figures, recordings, who watches): no
   * cache, shared or the browser's, keeps any of it. A handler that
   * serves something public may say otherwise. */
  soup_message_headers_replace (h, "Cache-Control", "no-store");
}

gboolean
relay_http_allow_method (SoupServerMessage *msg, const char *allowed)
{
  const char *method = soup_server_message_get_method (msg);
  /* Whole names only: a substring test would let "PU", "T" or "OST" through
   * to a handler that then acts as if it were PUT or POST. */
  g_auto (GStrv) names = g_strsplit (allowed, ",", -1);
  for (guint i = 0; names[i]; i++)
    if (strcmp (g_strstrip (names[i]), method) == 0)
      return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allowed);
  relay_http_error (msg, 405, "method-not-allowed", "see the Allow header");
  return FALSE;
}

void
relay_http_json (SoupServerMessage *msg, guint status, JsonNode *node)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, node);
  gsize len;
  char *text = json_generator_to_data (gen, &len);
  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control",
                                "no-store");
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, len);
}

static JsonNode *
error_node (const char *error, const char *reason)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, error);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
relay_http_error (SoupServerMessage *msg, guint status, const char *error, const char *reason)
{
  g_autoptr (JsonNode) node = error_node (error, reason);
  relay_http_json (msg, status, node);
}

char *
relay_http_error_text (const char *error, const char *reason, gsize *len)
{
  g_autoptr (JsonNode) node = error_node (error, reason);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, len);
}

char *
relay_http_too_large_reason (gsize max_bytes)
{
  if (max_bytes % 1024 == 0)
    return g_strdup_printf ("the body is over %" G_GSIZE_FORMAT " KiB", max_bytes / 1024);
  return g_strdup_printf ("the body is over %" G_GSIZE_FORMAT " bytes", max_bytes);
}

char *
relay_http_bearer_token (SoupServerMessage *msg)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");
  if (!auth || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
    return NULL;
  const char *token = auth + 7;
  while (*token == ' ')
    token++;
  if (!*token || strlen (token) > 512)
    return NULL;
  return g_strdup (token);
}

char *
relay_http_content_type (SoupServerMessage *msg)
{
  const char *ct = soup_message_headers_get_content_type (
      soup_server_message_get_request_headers (msg), NULL);
  return ct ? g_ascii_strdown (ct, -1) : NULL;
}

GStrv
relay_http_path_segments (const char *path, const char *prefix)
{
  if (!g_str_has_prefix (path, prefix))
    return g_new0 (char *, 1);
  g_auto (GStrv) parts = g_strsplit (path + strlen (prefix), "/", -1);
  GPtrArray *out = g_ptr_array_new ();
  for (guint i = 0; parts[i]; i++)
    if (*parts[i])
      g_ptr_array_add (out, g_strdup (parts[i]));
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (out, FALSE);
}

gboolean
relay_http_read_body (SoupServerMessage *msg, const char *want_type, gsize max_bytes,
                      GBytes **body_out)
{
  g_autofree char *ct = relay_http_content_type (msg);
  if (!ct || strcmp (ct, want_type) != 0)
    {
      g_autofree char *reason = g_strdup_printf ("Content-Type must be %s", want_type);
      relay_http_error (msg, 415, "unsupported-media-type", reason);
      return FALSE;
    }
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  if ((gsize) body->length > max_bytes)
    {
      g_autofree char *reason = relay_http_too_large_reason (max_bytes);
      relay_http_error (msg, 413, "too-large", reason);
      return FALSE;
    }
  *body_out = soup_message_body_flatten (body);
  return TRUE;
}

gboolean
relay_http_valid_day (const char *text)
{
  guint y, m, d;
  int used = 0;
  return strlen (text) == 10 && sscanf (text, "%4u-%2u-%2u%n", &y, &m, &d, &used) == 3
         && used == 10 && g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

char *
relay_http_query_date (SoupServerMessage *msg, GHashTable *query)
{
  const char *date = query ? g_hash_table_lookup (query, "date") : NULL;
  if (!date)
    {
      GDate today;
      relay_figures_today (&today);
      return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (&today),
                              g_date_get_month (&today), g_date_get_day (&today));
    }
  if (!relay_http_valid_day (date))
    {
      relay_http_error (msg, 400, "bad-request", "date must be a day YYYY-MM-DD");
      return NULL;
    }
  return g_strdup (date);
}

JsonObject *
relay_http_read_json_object (SoupServerMessage *msg, JsonParser *parser, gsize max_bytes)
{
  g_autofree char *ct = relay_http_content_type (msg);
  if (g_strcmp0 (ct, "application/json") != 0)
    {
      relay_http_error (msg, 415, "unsupported-media-type", "Content-Type must be application/json");
      return NULL;
    }
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  if ((gsize) body->length > max_bytes)
    {
      g_autofree char *reason = relay_http_too_large_reason (max_bytes);
      relay_http_error (msg, 413, "too-large", reason);
      return NULL;
    }
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  gsize len;
  const char *text = g_bytes_get_data (bytes, &len);
  g_autoptr (GError) error = NULL;
  if (!g_utf8_validate_len (text, len, NULL))
    {
      relay_http_error (msg, 400, "bad-json", "the body is not UTF-8");
      return NULL;
    }
  /* relay_json_parse first: it refuses what json-glib 1.6 leaks on (text
   * after the value, a lone surrogate's escape) and strings that are not
   * UTF-8 once decoded; the caller's parser then reads the same text. */
  g_autoptr (JsonNode) checked = relay_json_parse (text, len, &error);
  if (!checked || !json_parser_load_from_data (parser, text, (gssize) len, &error))
    {
      relay_http_error (msg, 400, "bad-json", error->message);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    {
      relay_http_error (msg, 400, "bad-json", "expected a JSON object");
      return NULL;
    }
  return json_node_get_object (root);
}
