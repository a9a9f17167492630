#include "http/session-api.h"

#include <string.h>

#include "webrtc/base/log.h"
#include "relay/signin/qr-svg.h"
#include "webrtc/base/random-id.h"
#include "relay/signin/signin-store.h"
#include "http/admission.h"
#include "http/http-auth.h"
#include "http/http-util.h"
#include "http/json-members.h"
#include "http/request-guard.h"
#include "http/session-cookie.h"

#define SESSION_METHODS "GET, POST, DELETE, OPTIONS"
#define LINKS_METHODS "POST, OPTIONS"
/* {"code":"..."} or {"role":"..."}: http/body-limits.c caps these
 * bodies at 1 KiB as they arrive. */
#define MAX_BODY 1024
#define OFFICE_REFUSAL "sign-in is for the chair, the minister and viewers; an office's page " \
                       "sends its token"
#define CHAIR_ONLY "only the chair makes sign-in links"
/* The page a link opens: it exchanges the fragment's code itself. */
#define LINK_PAGE "/watch.html"

/* The wall-clock time of a moment on the monotonic clock, as ISO 8601 UTC. */
static char *
iso_time_of (gint64 monotonic_us)
{
  gint64 real_us = g_get_real_time () + (monotonic_us - g_get_monotonic_time ());
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (real_us / G_USEC_PER_SEC);
  return g_date_time_format (t, "%Y-%m-%dT%H:%M:%SZ");
}

static gint64
seconds_left (gint64 monotonic_us)
{
  gint64 left = monotonic_us - g_get_monotonic_time ();
  return left > 0 ? left / G_USEC_PER_SEC : 0;
}

static void
reply_session (SoupServerMessage *msg, guint status, const RelaySigninSession *s)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, s->viewer.name);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, relay_viewer_role_name (s->viewer.role));
  json_builder_set_member_name (b, "via");
  json_builder_add_string_value (b, s->via == RELAY_SIGNIN_BY_TOKEN ? "token" : "link");
  json_builder_set_member_name (b, "session");
  json_builder_add_string_value (b, s->id);
  g_autofree char *expires = iso_time_of (s->expires_us);
  json_builder_set_member_name (b, "expires_at");
  json_builder_add_string_value (b, expires);
  json_builder_set_member_name (b, "expires_in_s");
  json_builder_add_int_value (b, seconds_left (s->expires_us));
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  relay_http_json (msg, status, root);
}

/* These paths sign a browser in and out: a page of another origin must not
 * (a browser always sends Origin with a POST or a DELETE; a client that
 * sends none is not a browser). FALSE after answering 403. */
static gboolean
from_own_page (SoupServerMessage *msg)
{
  if (!soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Origin")
      || relay_request_origin_is_own (msg))
    return TRUE;
  relay_http_error (msg, 403, "origin-not-allowed",
                    "sign-in and sign-out are for the relay's own pages");
  return FALSE;
}

static gboolean
has_body (SoupServerMessage *msg)
{
  return soup_server_message_get_request_body (msg)->length > 0;
}

/* The body's one allowed member as a string, or NULL after answering 400
 * (415, 413). An absent member gives NULL in *value and TRUE. */
static gboolean
read_single_member (SoupServerMessage *msg, const char *member, char **value)
{
  *value = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = relay_http_read_json_object (msg, parser, MAX_BODY);
  if (!o)
    return FALSE;
  g_autoptr (GList) names = json_object_get_members (o);
  for (GList *l = names; l; l = l->next)
    if (strcmp (l->data, member) != 0)
      {
        g_autofree char *reason = g_strdup_printf ("unknown member \"%s\" (only \"%s\")",
                                                   (const char *) l->data, member);
        relay_http_error (msg, 400, "bad-request", reason);
        return FALSE;
      }
  const char *text;
  if (!relay_json_member_optional_string (msg, o, member, &text))
    return FALSE;
  *value = g_strdup (text);
  return TRUE;
}

/* The refusal of a code, by what was wrong with it. */
static void
refuse_code (SoupServerMessage *msg, const GError *error)
{
  const char *code = g_error_matches (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_USED)
                         ? "signin-link-used"
                     : g_error_matches (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_EXPIRED)
                         ? "signin-link-expired"
                         : "unauthorized";
  relay_http_error (msg, 401, code, error->message);
}

/* The name a link's session acts under: its own, never a configured
 * viewer's (WHEP sessions and event clients are told apart by name). */
static char *
link_viewer_name (RelayConfig *config, const char *link_id)
{
  char *name = g_strconcat ("link-", link_id, NULL);
  for (guint i = 0; i < config->viewers->len; i++)
    if (strcmp (((RelayViewerConfig *) config->viewers->pdata[i])->name, name) == 0)
      {
        g_free (name);
        g_autofree char *more = relay_random_hex (16);
        return g_strconcat ("link-", link_id, "-", more, NULL);
      }
  return name;
}

static void
post_session (RelayApp *app, SoupServerMessage *msg)
{
  RelayConfig *config = app->config;
  g_autofree char *bearer = relay_http_bearer_token (msg);
  g_autofree char *name = NULL;
  g_autofree char *link_id = NULL;
  RelayViewerRole role;
  RelaySigninVia via;
  if (bearer)
    {
      const RelayViewerConfig *viewer
          = relay_http_authorize_viewer (msg, config, RELAY_ROLE_VIEWER, OFFICE_REFUSAL);
      if (!viewer)
        return;
      name = g_strdup (viewer->name);
      role = viewer->role;
      via = RELAY_SIGNIN_BY_TOKEN;
    }
  else
    {
      g_autofree char *code = NULL;
      if (!has_body (msg))
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "WWW-Authenticate", "Bearer realm=\"briefing-relay\"");
          relay_http_error (msg, 401, "unauthorized",
                            "sign in with Authorization: Bearer <viewer token>, or with "
                            "{\"code\":\"...\"} of a sign-in link");
          return;
        }
      if (!read_single_member (msg, "code", &code))
        return;
      if (!code)
        {
          relay_http_error (msg, 400, "bad-request", "\"code\" is missing");
          return;
        }
      /* A code is a credential: guessing one is throttled with the wrong
       * tokens of the address. */
      const char *address = soup_server_message_get_remote_host (msg);
      if (!relay_admission_may_present_token (app->admission, address))
        {
          relay_http_error (msg, 429, "too-many-failures",
                            "too many wrong tokens or codes from this address; wait before "
                            "trying again");
          return;
        }
      /* Checked before the code is used up: a full relay must not burn the
       * phone's only link. */
      relay_signin_store_expire (app->signin, g_get_monotonic_time ());
      if (relay_signin_store_count_sessions (app->signin) >= config->limits.signin_sessions)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Retry-After", "60");
          relay_http_error (msg, 503, "signin-full",
                            "the relay holds as many signed-in sessions as it may; try again "
                            "later (the link stays usable until it expires)");
          return;
        }
      g_autoptr (GError) error = NULL;
      if (!relay_signin_store_redeem_link (app->signin, code, g_get_monotonic_time (), &role,
                                           &link_id, &error))
        {
          relay_admission_note_wrong_token (app->admission, address);
          relay_info (NULL, "sign-in link refused from %s: %s", address, error->message);
          refuse_code (msg, error);
          return;
        }
      name = link_viewer_name (config, link_id);
      via = RELAY_SIGNIN_BY_LINK;
    }
  /* A browser signing in again leaves no session of its own behind. */
  g_autofree char *previous = relay_session_cookie_parse (soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), "Cookie"));
  if (previous)
    relay_signin_store_revoke (app->signin, previous);
  g_autoptr (GError) error = NULL;
  g_autofree char *secret = NULL;
  const RelaySigninSession *session = relay_signin_store_open (
      app->signin, name, role, via, g_get_monotonic_time (), &secret, &error);
  if (!session)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    "60");
      relay_http_error (msg, 503, "signin-full", error->message);
      return;
    }
  relay_info (NULL, "signed in: %s (%s) by %s%s, session %s", session->viewer.name,
              relay_viewer_role_name (role), via == RELAY_SIGNIN_BY_TOKEN ? "token" : "link ",
              link_id ? link_id : "", session->id);
  relay_session_cookie_set (msg, config, secret, config->limits.signin_session_lifetime_s);
  reply_session (msg, 201, session);
}

static void
delete_session (RelayApp *app, SoupServerMessage *msg)
{
  g_autofree char *value = relay_session_cookie_parse (soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), "Cookie"));
  const RelaySigninSession *session = relay_session_cookie_session (msg);
  if (session)
    relay_info (NULL, "signed out: %s, session %s", session->viewer.name, session->id);
  gboolean ended = value && relay_signin_store_revoke (app->signin, value);
  /* Cleared whatever it was: signing out twice is not an error. */
  relay_session_cookie_set (msg, app->config, NULL, 0);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "signed_out");
  json_builder_add_boolean_value (b, ended);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  relay_http_json (msg, 200, root);
}

static void
session_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                 gpointer data)
{
  RelayApp *app = data;
  relay_http_set_cors (msg, SESSION_METHODS);
  const char *method = soup_server_message_get_method (msg);
  if (strcmp (path, "/api/v1/session") != 0)
    {
      relay_http_error (msg, 404, "not-found", "use /api/v1/session or /api/v1/session/links");
      return;
    }
  if (strcmp (method, "OPTIONS") == 0)
    {
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }
  if (!relay_http_allow_method (msg, SESSION_METHODS))
    return;
  if (strcmp (method, "GET") == 0)
    {
      const RelaySigninSession *session = relay_session_cookie_session (msg);
      if (session)
        reply_session (msg, 200, session);
      else
        relay_http_error (msg, 401, "unauthorized",
                          "not signed in (no sign-in cookie, or its session has ended)");
      return;
    }
  if (!from_own_page (msg))
    return;
  if (strcmp (method, "POST") == 0)
    post_session (app, msg);
  else
    delete_session (app, msg);
}

/* The address of the page a link opens, with the code in its fragment:
 * on the origin the chair's page came from (the phone must reach the
 * relay the way the chair's browser does), else the request's own. */
static char *
link_url (SoupServerMessage *msg, RelayConfig *config, const char *code)
{
  g_autofree char *fragment = g_strconcat ("signin=", code, NULL);
  const char *origin = soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), "Origin");
  if (origin && relay_request_origin_is_own (msg))
    {
      g_autofree char *base = g_strdup (origin);
      g_strchomp (base);
      gsize len = strlen (base);
      if (len > 0 && base[len - 1] == '/')
        base[len - 1] = '\0';
      return g_strconcat (base, LINK_PAGE, "#", fragment, NULL);
    }
  GUri *uri = soup_server_message_get_uri (msg);
  const char *scheme = config->tls_certificate ? "https" : "http";
  return g_uri_join (G_URI_FLAGS_NONE, scheme, NULL, g_uri_get_host (uri), g_uri_get_port (uri),
                     LINK_PAGE, NULL, fragment);
}

static void
links_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
               gpointer data)
{
  RelayApp *app = data;
  relay_http_set_cors (msg, LINKS_METHODS);
  const char *method = soup_server_message_get_method (msg);
  if (strcmp (path, "/api/v1/session/links") != 0)
    {
      relay_http_error (msg, 404, "not-found", "use /api/v1/session/links");
      return;
    }
  if (strcmp (method, "OPTIONS") == 0)
    {
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }
  if (!relay_http_allow_method (msg, LINKS_METHODS))
    return;
  const RelayViewerConfig *chair
      = relay_http_authorize_viewer (msg, app->config, RELAY_ROLE_CHAIR, CHAIR_ONLY);
  if (!chair)
    return;
  RelayViewerRole role = RELAY_ROLE_MINISTER;
  if (has_body (msg))
    {
      g_autofree char *wanted = NULL;
      if (!read_single_member (msg, "role", &wanted))
        return;
      if (g_strcmp0 (wanted, "viewer") == 0)
        role = RELAY_ROLE_VIEWER;
      else if (wanted && strcmp (wanted, "minister") != 0)
        {
          relay_http_error (msg, 400, "bad-request",
                            "\"role\" is \"minister\" or \"viewer\": a sign-in link never "
                            "grants the chair's role");
          return;
        }
    }
  g_autoptr (GError) error = NULL;
  g_autofree char *code = NULL, *id = NULL;
  gint64 expires_us = 0;
  if (!relay_signin_store_create_link (app->signin, role, g_get_monotonic_time (), &code, &id,
                                       &expires_us, &error))
    {
      g_autofree char *retry
          = g_strdup_printf ("%u", app->config->limits.signin_link_lifetime_s);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    retry);
      relay_http_error (msg, 429, "too-many-links", error->message);
      return;
    }
  g_autofree char *url = link_url (msg, app->config, code);
  g_autofree char *svg = relay_qr_svg (url, NULL, &error);
  if (!svg)
    {
      relay_http_error (msg, 500, "internal", error->message);
      return;
    }
  relay_info (NULL, "sign-in link %s (%s) made by %s", id, relay_viewer_role_name (role),
              chair->name);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "link");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, relay_viewer_role_name (role));
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, url);
  g_autofree char *expires = iso_time_of (expires_us);
  json_builder_set_member_name (b, "expires_at");
  json_builder_add_string_value (b, expires);
  json_builder_set_member_name (b, "expires_in_s");
  json_builder_add_int_value (b, seconds_left (expires_us));
  json_builder_set_member_name (b, "qr_svg");
  json_builder_add_string_value (b, svg);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  relay_http_json (msg, 201, root);
}

void
relay_session_api_register (SoupServer *server, RelayApp *app)
{
  soup_server_add_handler (server, "/api/v1/session/links", links_handler, app, NULL);
  soup_server_add_handler (server, "/api/v1/session", session_handler, app, NULL);
}
