#include "http/session-cookie.h"

#include <string.h>

#include "http/http-util.h"
#include "http/request-guard.h"

/* Where a request's identity is kept, on the SoupServerMessage. */
#define IDENTITY_KEY "relay-session-cookie"
#define MAX_VALUE_LENGTH 128
#define EXPIRE_INTERVAL_S 60

struct _RelaySessionCookie {
  SoupServer *server;
  RelayConfig *config;
  RelaySigninStore *store;
  gulong request_started;
  guint expire_source;
};

/* A copy of the session as the request found it: the store may end the
 * session while the request is still being answered (a WHEP POST waits
 * for its peer on a worker). */
typedef struct {
  RelaySigninSession session;
} Identity;

static void
identity_free (gpointer data)
{
  Identity *identity = data;
  g_free (identity->session.id);
  g_free (identity->session.viewer.name);
  g_free (identity);
}

static gboolean
valid_value (const char *value, gsize len)
{
  if (len == 0 || len > MAX_VALUE_LENGTH)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (value[i]) && value[i] != '-' && value[i] != '_')
      return FALSE;
  return TRUE;
}

char *
relay_session_cookie_parse (const char *header)
{
  if (!header)
    return NULL;
  /* RFC 6265 5.4: "name=value" pairs separated by "; ". The first of our
   * name that holds a value we could have set is taken. */
  g_auto (GStrv) pairs = g_strsplit (header, ";", -1);
  for (guint i = 0; pairs[i]; i++)
    {
      const char *pair = pairs[i];
      while (*pair == ' ' || *pair == '\t')
        pair++;
      const char *eq = strchr (pair, '=');
      if (!eq || (gsize) (eq - pair) != strlen (RELAY_SESSION_COOKIE)
          || strncmp (pair, RELAY_SESSION_COOKIE, (gsize) (eq - pair)) != 0)
        continue;
      const char *value = eq + 1;
      gsize len = strlen (value);
      while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
        len--;
      if (valid_value (value, len))
        return g_strndup (value, len);
    }
  return NULL;
}

char *
relay_session_cookie_format (const char *value, gint64 max_age_s, gboolean secure)
{
  return g_strdup_printf ("%s=%s; Path=/; Max-Age=%" G_GINT64_FORMAT "; HttpOnly; "
                          "SameSite=Strict%s",
                          RELAY_SESSION_COOKIE, value ? value : "", value ? max_age_s : 0,
                          secure ? "; Secure" : "");
}

void
relay_session_cookie_set (SoupServerMessage *msg, RelayConfig *config, const char *value,
                          gint64 max_age_s)
{
  g_autofree char *cookie
      = relay_session_cookie_format (value, max_age_s, config->tls_certificate != NULL);
  soup_message_headers_append (soup_server_message_get_response_headers (msg), "Set-Cookie",
                               cookie);
}

const RelayViewerConfig *
relay_session_cookie_viewer (SoupServerMessage *msg)
{
  Identity *identity = g_object_get_data (G_OBJECT (msg), IDENTITY_KEY);
  return identity ? &identity->session.viewer : NULL;
}

const RelaySigninSession *
relay_session_cookie_session (SoupServerMessage *msg)
{
  Identity *identity = g_object_get_data (G_OBJECT (msg), IDENTITY_KEY);
  return identity ? &identity->session : NULL;
}

static gboolean
is_state_changing (const char *method)
{
  return strcmp (method, "POST") == 0 || strcmp (method, "PUT") == 0
         || strcmp (method, "PATCH") == 0 || strcmp (method, "DELETE") == 0;
}

static void
on_got_headers (SoupServerMessage *msg, gpointer data)
{
  RelaySessionCookie *self = data;
  if (soup_server_message_get_status (msg) != 0)
    return; /* already answered */
  g_autofree char *value = relay_session_cookie_parse (soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), "Cookie"));
  if (!value)
    return;
  g_autofree char *bearer = relay_http_bearer_token (msg);
  if (bearer)
    return; /* the token decides, and cannot be forged by another site */
  const RelaySigninSession *session
      = relay_signin_store_lookup (self->store, value, g_get_monotonic_time ());
  if (!session)
    {
      /* Ended or expired: the browser forgets it, and the page learns from
       * the 401 it gets that it must sign in again. */
      relay_session_cookie_set (msg, self->config, NULL, 0);
      return;
    }
  Identity *identity = g_new0 (Identity, 1);
  identity->session = *session;
  identity->session.id = g_strdup (session->id);
  identity->session.viewer.name = g_strdup (session->viewer.name);
  g_object_set_data_full (G_OBJECT (msg), IDENTITY_KEY, identity, identity_free);
  if (is_state_changing (soup_server_message_get_method (msg)) && !relay_request_origin_is_own (msg))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Access-Control-Allow-Origin", "*");
      relay_http_error (msg, 403, "origin-not-allowed",
                        "a request authorised by the sign-in cookie alone must come from the "
                        "relay's own pages (its Origin); other clients send Authorization: "
                        "Bearer <token>");
    }
}

static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer data)
{
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), data);
}

static gboolean
expire_sessions (gpointer data)
{
  RelaySessionCookie *self = data;
  relay_signin_store_expire (self->store, g_get_monotonic_time ());
  return G_SOURCE_CONTINUE;
}

RelaySessionCookie *
relay_session_cookie_install (SoupServer *server, RelayConfig *config, RelaySigninStore *store)
{
  RelaySessionCookie *self = g_new0 (RelaySessionCookie, 1);
  self->server = server;
  self->config = config;
  self->store = store;
  self->request_started
      = g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), self);
  self->expire_source = g_timeout_add_seconds (EXPIRE_INTERVAL_S, expire_sessions, self);
  return self;
}

void
relay_session_cookie_free (RelaySessionCookie *self)
{
  if (!self)
    return;
  g_signal_handler_disconnect (self->server, self->request_started);
  g_source_remove (self->expire_source);
  g_free (self);
}
