#include "signaling/http-util.h"

#include <string.h>

void
relay_http_set_cors (SoupServerMessage *msg, const char *methods)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  /* Province pages may be hosted elsewhere (a ministry portal): any origin
   * may call, and the bearer token is what authorises. */
  soup_message_headers_replace (h, "Access-Control-Allow-Origin", "*");
  soup_message_headers_replace (h, "Access-Control-Allow-Methods", methods);
  soup_message_headers_replace (h, "Access-Control-Allow-Headers",
                                "Authorization, Content-Type, If-Match");
  soup_message_headers_replace (h, "Access-Control-Expose-Headers",
                                "Location, ETag, Link, Accept-Patch");
  soup_message_headers_replace (h, "Access-Control-Max-Age", "600");
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

void
relay_http_error (SoupServerMessage *msg, guint status, const char *error, const char *reason)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, error);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  json_builder_end_object (b);
  g_autoptr (JsonNode) node = json_builder_get_root (b);
  relay_http_json (msg, status, node);
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

RelayAuthResult
relay_http_authorize_province (SoupServerMessage *msg, RelayConfig *config,
                               const RelayProvinceConfig *province)
{
  g_autofree char *token = relay_http_bearer_token (msg);
  if (!token)
    return RELAY_AUTH_MISSING;
  if (relay_province_config_check_token (province, token))
    return RELAY_AUTH_OK;
  for (guint i = 0; i < config->provinces->len; i++)
    {
      RelayProvinceConfig *other = config->provinces->pdata[i];
      if (other != province && relay_province_config_check_token (other, token))
        return RELAY_AUTH_OTHER_PROVINCE;
    }
  return RELAY_AUTH_WRONG;
}

gboolean
relay_http_check_auth (SoupServerMessage *msg, RelayAuthResult result)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  switch (result)
    {
    case RELAY_AUTH_OK:
      return TRUE;
    case RELAY_AUTH_MISSING:
      soup_message_headers_replace (h, "WWW-Authenticate", "Bearer realm=\"briefing-relay\"");
      relay_http_error (msg, 401, "unauthorized", "an Authorization: Bearer token is required");
      return FALSE;
    case RELAY_AUTH_WRONG:
      soup_message_headers_replace (h, "WWW-Authenticate",
                                    "Bearer realm=\"briefing-relay\", error=\"invalid_token\"");
      relay_http_error (msg, 401, "unauthorized", "the token is not valid");
      return FALSE;
    case RELAY_AUTH_OTHER_PROVINCE:
      relay_http_error (msg, 403, "forbidden", "the token belongs to another province");
      return FALSE;
    }
  return FALSE;
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
