#include "http/admission.h"

#include <gio/gio.h>
#include <string.h>

#include "relay/metrics/limit-refusals.h"
#include "webrtc/base/log.h"
#include "relay/rate-table.h"
#include "http/http-auth.h"
#include "http/http-util.h"
#include "http/session-cookie.h"

/* Keys one table may remember: an address or credential that went quiet is
 * forgotten once its bucket is full again, so this only bounds a flood of
 * invented addresses. */
#define MAX_KEYS 4096

struct _RelayAdmission {
  RelayConfig *config;
  const RelayLimitsConfig *limits;
  RelayRateTable *session_requests; /* by credential */
  RelayRateTable *api_requests;     /* by credential */
  RelayRateTable *address_requests; /* by address key */
  RelayRateTable *wrong_tokens;     /* by address key */
  GHashTable *sessions;             /* credential -> count (GUINT_TO_POINTER) */
  guint total_sessions;
};

char *
relay_admission_address_key (const char *address)
{
  if (!address)
    return g_strdup ("?");
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);
  if (!inet || g_inet_address_get_family (inet) != G_SOCKET_FAMILY_IPV6)
    return g_strdup (address);
  /* One IPv6 subscriber gets a /64 at least: counting by full address
   * would let it spend 2^64 buckets. */
  const guint8 *b = g_inet_address_to_bytes (inet);
  return g_strdup_printf ("%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", b[0], b[1], b[2], b[3],
                          b[4], b[5], b[6], b[7]);
}

static gboolean
is_mutating (const char *method)
{
  return strcmp (method, "POST") == 0 || strcmp (method, "PUT") == 0
         || strcmp (method, "PATCH") == 0 || strcmp (method, "DELETE") == 0;
}

static gboolean
is_session_signalling (SoupServerMessage *msg, const char *method)
{
  if (strcmp (method, "POST") != 0 && strcmp (method, "PATCH") != 0)
    return FALSE;
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  return g_str_has_prefix (path, "/whip/") || g_str_has_prefix (path, "/whep/");
}

/* "viewer:<name>" or "office:<code>", or NULL for a token nobody has. */
static char *
credential_of (RelayAdmission *self, const char *token)
{
  RelayCaller caller;
  if (!relay_http_identify_token (self->config, token, &caller))
    return NULL;
  return caller.viewer ? g_strconcat ("viewer:", caller.viewer->name, NULL)
                       : g_strconcat ("office:", caller.office->code, NULL);
}

static void
refuse (SoupServerMessage *msg, guint status, const char *error, const char *reason,
        guint retry_after_s)
{
  g_autofree char *retry = g_strdup_printf ("%u", retry_after_s);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                retry);
  /* A client that is told to wait should not keep the connection busy. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Access-Control-Allow-Origin", "*");
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Access-Control-Expose-Headers", "Retry-After");
  relay_http_error (msg, status, error, reason);
}

static void
on_got_headers (SoupServerMessage *msg, gpointer data)
{
  RelayAdmission *self = data;
  if (soup_server_message_get_status (msg) != 0)
    return; /* already answered (a malformed request, a body over its cap) */
  const char *method = soup_server_message_get_method (msg);
  g_autofree char *token = relay_http_bearer_token (msg);
  g_autofree char *address = relay_admission_address_key (soup_server_message_get_remote_host (msg));
  gint64 now = g_get_monotonic_time ();
  guint retry = 1;
  if (token && !relay_rate_table_peek (self->wrong_tokens, address, now, &retry))
    {
      relay_limit_refusals_note (RELAY_REFUSAL_TOO_MANY_FAILURES);
      refuse (msg, 429, "too-many-failures",
              "too many wrong tokens from this address; wait before trying again", retry);
      return;
    }
  if (!is_mutating (method))
    return;
  if (!relay_rate_table_take (self->address_requests, address, now, &retry))
    {
      relay_limit_refusals_note (RELAY_REFUSAL_RATE_LIMITED);
      refuse (msg, 429, "rate-limited", "too many requests from this address", retry);
      return;
    }
  /* A page signed in with the cookie counts as the viewer it stands for
   * (http/session-cookie.c resolved it before this handler). */
  const RelayViewerConfig *cookie_viewer = token ? NULL : relay_session_cookie_viewer (msg);
  g_autofree char *credential = token          ? credential_of (self, token)
                                : cookie_viewer ? g_strconcat ("viewer:", cookie_viewer->name, NULL)
                                                : NULL;
  if (!credential)
    return; /* the handler answers 401; the address's bucket has paid */
  RelayRateTable *t = is_session_signalling (msg, method) ? self->session_requests
                                                          : self->api_requests;
  if (!relay_rate_table_take (t, credential, now, &retry))
    {
      relay_limit_refusals_note (RELAY_REFUSAL_RATE_LIMITED);
      refuse (msg, 429, "rate-limited", "too many requests with this credential", retry);
    }
}

static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer data)
{
  /* libsoup connected its own got-headers handler (early handlers,
   * authentication domains) before emitting this: ours runs after it, and
   * a status set here still keeps the request from its handler. */
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), data);
}

static void
on_request_finished (SoupServer *server, SoupServerMessage *msg, gpointer data)
{
  RelayAdmission *self = data;
  if (soup_server_message_get_status (msg) != 401)
    return;
  g_autofree char *token = relay_http_bearer_token (msg);
  if (token)
    relay_admission_note_wrong_token (self, soup_server_message_get_remote_host (msg));
}

RelayAdmission *
relay_admission_new (SoupServer *server, RelayConfig *config)
{
  RelayAdmission *self = g_new0 (RelayAdmission, 1);
  const RelayLimitsConfig *l = &config->limits;
  self->config = config;
  self->limits = l;
  self->session_requests = relay_rate_table_new (l->session_requests_per_s,
                                                 l->session_requests_burst, MAX_KEYS);
  self->api_requests = relay_rate_table_new (l->api_requests_per_s, l->api_requests_burst,
                                             MAX_KEYS);
  self->address_requests = relay_rate_table_new (l->address_requests_per_s,
                                                 l->address_requests_burst, MAX_KEYS);
  self->wrong_tokens = relay_rate_table_new (1.0 / l->auth_failure_refill_s, l->auth_failures,
                                             MAX_KEYS);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (server, "request-finished", G_CALLBACK (on_request_finished), self);
  return self;
}

void
relay_admission_free (RelayAdmission *self)
{
  if (!self)
    return;
  relay_rate_table_free (self->session_requests);
  relay_rate_table_free (self->api_requests);
  relay_rate_table_free (self->address_requests);
  relay_rate_table_free (self->wrong_tokens);
  g_hash_table_unref (self->sessions);
  g_free (self);
}

gboolean
relay_admission_open_session (RelayAdmission *self, SoupServerMessage *msg,
                              const char *credential, guint cap)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->sessions, credential));
  if (count >= cap)
    {
      g_autofree char *reason
          = g_str_has_prefix (credential, "publisher:")
                ? g_strdup ("a WHIP session of this office is still being set up; try again")
                : g_strdup_printf ("this credential already holds %u sessions, its limit; "
                                   "end one (DELETE) first", count);
      relay_info (NULL, "%s: session refused, %u held", credential, count);
      relay_limit_refusals_note (RELAY_REFUSAL_TOO_MANY_SESSIONS);
      relay_http_error (msg, 429, "too-many-sessions", reason);
      return FALSE;
    }
  if (self->total_sessions >= self->limits->max_sessions)
    {
      relay_warn (NULL, "session of %s refused: the relay holds %u, its limit", credential,
                  self->total_sessions);
      relay_limit_refusals_note (RELAY_REFUSAL_RELAY_FULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    "30");
      relay_http_error (msg, 503, "relay-full", "the relay holds as many sessions as it may");
      return FALSE;
    }
  g_hash_table_replace (self->sessions, g_strdup (credential), GUINT_TO_POINTER (count + 1));
  self->total_sessions++;
  return TRUE;
}

void
relay_admission_close_session (RelayAdmission *self, const char *credential)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->sessions, credential));
  g_return_if_fail (count > 0 && self->total_sessions > 0);
  if (count == 1)
    g_hash_table_remove (self->sessions, credential);
  else
    g_hash_table_replace (self->sessions, g_strdup (credential), GUINT_TO_POINTER (count - 1));
  self->total_sessions--;
}

guint
relay_admission_count_sessions (RelayAdmission *self, const char *credential)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->sessions, credential));
}

gboolean
relay_admission_may_present_token (RelayAdmission *self, const char *address)
{
  g_autofree char *key = relay_admission_address_key (address);
  return relay_rate_table_peek (self->wrong_tokens, key, g_get_monotonic_time (), NULL);
}

void
relay_admission_note_wrong_token (RelayAdmission *self, const char *address)
{
  g_autofree char *key = relay_admission_address_key (address);
  gint64 now = g_get_monotonic_time ();
  if (relay_rate_table_take (self->wrong_tokens, key, now, NULL)
      && !relay_rate_table_peek (self->wrong_tokens, key, now, NULL))
    relay_warn (NULL, "%s: too many wrong tokens; its tokens are refused for a while", key);
}
