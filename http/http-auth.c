#include "http/http-auth.h"

#include "http/http-util.h"
#include "http/session-cookie.h"

RelayAuthResult
relay_http_authorize_province (SoupServerMessage *msg, RelayConfig *config,
                               const RelayOfficeConfig *province)
{
  g_autofree char *token = relay_http_bearer_token (msg);
  if (!token)
    /* The sign-in cookie is a viewer's, never an office's. */
    return relay_session_cookie_viewer (msg) ? RELAY_AUTH_VIEWER : RELAY_AUTH_MISSING;
  if (relay_office_config_check_token (province, token))
    return RELAY_AUTH_OK;
  for (guint i = 0; i < config->provinces->len; i++)
    {
      RelayOfficeConfig *other = config->provinces->pdata[i];
      if (other != province && relay_office_config_check_token (other, token))
        return RELAY_AUTH_OTHER_PROVINCE;
    }
  return relay_config_find_viewer (config, token) ? RELAY_AUTH_VIEWER : RELAY_AUTH_WRONG;
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
      relay_http_error (msg, 401, "unauthorized",
                        "an Authorization: Bearer token (or a page's sign-in cookie) is "
                        "required");
      return FALSE;
    case RELAY_AUTH_WRONG:
      soup_message_headers_replace (h, "WWW-Authenticate",
                                    "Bearer realm=\"briefing-relay\", error=\"invalid_token\"");
      relay_http_error (msg, 401, "unauthorized", "the token is not valid");
      return FALSE;
    case RELAY_AUTH_OTHER_PROVINCE:
      relay_http_error (msg, 403, "forbidden", "the token belongs to another province");
      return FALSE;
    case RELAY_AUTH_VIEWER:
      /* Known credentials without the right: asking again cannot help. */
      relay_http_error (msg, 403, "forbidden", "a viewer's token; this needs the province's own");
      return FALSE;
    }
  return FALSE;
}

const RelayViewerConfig *
relay_http_authorize_viewer (SoupServerMessage *msg, RelayConfig *config, RelayViewerRole min_role,
                             const char *refusal)
{
  g_autofree char *token = relay_http_bearer_token (msg);
  const RelayViewerConfig *viewer = token ? relay_config_find_viewer (config, token)
                                          : relay_session_cookie_viewer (msg);
  if (!token && !viewer)
    {
      relay_http_check_auth (msg, RELAY_AUTH_MISSING);
      return NULL;
    }
  if (!viewer)
    {
      for (guint i = 0; i < config->provinces->len; i++)
        if (relay_office_config_check_token (config->provinces->pdata[i], token))
          {
            relay_http_error (msg, 403, "forbidden", refusal);
            return NULL;
          }
      relay_http_check_auth (msg, RELAY_AUTH_WRONG);
      return NULL;
    }
  if (viewer->role < min_role)
    {
      relay_http_error (msg, 403, "forbidden", refusal);
      return NULL;
    }
  return viewer;
}

gboolean
relay_http_identify (SoupServerMessage *msg, RelayConfig *config, RelayCaller *caller)
{
  caller->viewer = NULL;
  caller->office = NULL;
  g_autofree char *token = relay_http_bearer_token (msg);
  if (!token)
    {
      caller->viewer = relay_session_cookie_viewer (msg);
      return caller->viewer || relay_http_check_auth (msg, RELAY_AUTH_MISSING);
    }
  if (relay_http_identify_token (config, token, caller))
    return TRUE;
  return relay_http_check_auth (msg, RELAY_AUTH_WRONG);
}

gboolean
relay_http_identify_token (RelayConfig *config, const char *token, RelayCaller *caller)
{
  caller->viewer = relay_config_find_viewer (config, token);
  caller->office = NULL;
  if (caller->viewer)
    return TRUE;
  for (guint i = 0; i < config->provinces->len; i++)
    if (relay_office_config_check_token (config->provinces->pdata[i], token))
      {
        caller->office = config->provinces->pdata[i];
        return TRUE;
      }
  return FALSE;
}
