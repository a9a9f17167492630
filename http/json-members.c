/* Typed JSON members for the HTTP layer (see the header). */
#include "http/json-members.h"

#include "http/http-util.h"

static void
refuse (SoupServerMessage *msg, const char *name, const char *must)
{
  g_autofree char *reason = g_strdup_printf ("\"%s\" must be %s", name, must);
  relay_http_error (msg, 400, "bad-request", reason);
}

const char *
relay_json_member_require_string (SoupServerMessage *msg, JsonObject *o, const char *name)
{
  const char *value = relay_json_member_string (o, name);
  if (!value)
    refuse (msg, name, "a string");
  return value;
}

gboolean
relay_json_member_optional_string (SoupServerMessage *msg, JsonObject *o, const char *name,
                                   const char **value)
{
  *value = NULL;
  if (!json_object_has_member (o, name))
    return TRUE;
  *value = relay_json_member_require_string (msg, o, name);
  return *value != NULL;
}

gboolean
relay_json_member_require_boolean (SoupServerMessage *msg, JsonObject *o, const char *name,
                                   gboolean *value)
{
  JsonNode *n = relay_json_member_value (o, name, G_TYPE_BOOLEAN);
  if (!n)
    {
      refuse (msg, name, "true or false");
      return FALSE;
    }
  *value = json_node_get_boolean (n);
  return TRUE;
}

gboolean
relay_json_member_optional_boolean (SoupServerMessage *msg, JsonObject *o, const char *name,
                                    gboolean *value)
{
  *value = FALSE;
  if (!json_object_has_member (o, name))
    return TRUE;
  return relay_json_member_require_boolean (msg, o, name, value);
}

