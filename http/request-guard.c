#include "http/request-guard.h"

#include <string.h>

#include "relay/metrics/limit-refusals.h"
#include "http/http-util.h"

/* RFC 6750 §2.3 names the parameter access_token; the relay's own pages
 * and clips API used token. */
static const char *const credential_names[] = { "token", "access_token" };

gboolean
relay_request_query_has_credential (const char *query)
{
  if (!query)
    return FALSE;
  g_auto (GStrv) pairs = g_strsplit (query, "&", -1);
  for (guint i = 0; pairs[i]; i++)
    {
      char *eq = strchr (pairs[i], '=');
      if (eq)
        *eq = '\0';
      /* An escaped name ("%74oken") is the same name to whoever decodes
       * it; a name that does not decode is compared as written. */
      g_autofree char *name = g_uri_unescape_string (pairs[i], NULL);
      for (guint k = 0; k < G_N_ELEMENTS (credential_names); k++)
        if (g_ascii_strcasecmp (name ? name : pairs[i], credential_names[k]) == 0)
          return TRUE;
    }
  return FALSE;
}

static void
on_request_read (SoupServer *server, SoupServerMessage *msg, gpointer data)
{
  if (!relay_request_query_has_credential (g_uri_get_query (soup_server_message_get_uri (msg))))
    return;
  /* A page on another origin must be able to read why. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Access-Control-Allow-Origin", "*");
  relay_limit_refusals_note (RELAY_REFUSAL_TOKEN_IN_URL);
  /* Setting the status here keeps every handler from running. */
  relay_http_error (msg, 400, "token-in-url",
                    "tokens are not accepted in URLs, where logs, browser histories and "
                    "Referer headers keep them: send Authorization: Bearer <token> (media "
                    "links come signed in the API's answers)");
}

void
relay_request_guard_install (SoupServer *server)
{
  g_signal_connect (server, "request-read", G_CALLBACK (on_request_read), NULL);
}

/* "host:port" of a URI or a Host header, lower case, the port always
 * written (80 or 443 by the scheme when absent). */
static char *
authority_of (const char *scheme, const char *host, int port)
{
  if (port < 0)
    port = g_ascii_strcasecmp (scheme, "https") == 0 ? 443 : 80;
  g_autofree char *lower = g_ascii_strdown (host, -1);
  return strchr (lower, ':') ? g_strdup_printf ("[%s]:%d", lower, port)
                             : g_strdup_printf ("%s:%d", lower, port);
}

/* Whether the normalized origin `normalized` is the relay's own: the
 * Origin names the host the browser asked for, which libsoup put in the
 * request URI from the Host header. The scheme is left out: behind a TLS
 * proxy the page is https and the relay's side of the request plain HTTP. */
static gboolean
is_own_origin (SoupServerMessage *msg, const char *normalized)
{
  g_autoptr (GUri) page = g_uri_parse (normalized, G_URI_FLAGS_NONE, NULL);
  GUri *request = soup_server_message_get_uri (msg);
  if (!page || !g_uri_get_host (request))
    return FALSE;
  g_autofree char *page_authority
      = authority_of (g_uri_get_scheme (page), g_uri_get_host (page), g_uri_get_port (page));
  g_autofree char *request_authority = authority_of (
      g_uri_get_scheme (page), g_uri_get_host (request), g_uri_get_port (request));
  return strcmp (page_authority, request_authority) == 0;
}

gboolean
relay_request_origin_allowed (SoupServerMessage *msg, RelayConfig *config)
{
  const char *origin = soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), "Origin");
  if (!origin)
    return TRUE;
  /* "null" (a sandboxed frame, a file:// page) and anything else that is
   * not an http(s) origin normalize to NULL: refused. */
  g_autofree char *normalized = relay_config_normalize_origin (origin);
  if (!normalized)
    return FALSE;
  for (guint i = 0; config->allowed_origins[i]; i++)
    if (strcmp (config->allowed_origins[i], normalized) == 0)
      return TRUE;
  return is_own_origin (msg, normalized);
}

gboolean
relay_request_origin_is_own (SoupServerMessage *msg)
{
  const char *origin = soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), "Origin");
  g_autofree char *normalized = origin ? relay_config_normalize_origin (origin) : NULL;
  return normalized && is_own_origin (msg, normalized);
}
