#include "http/events-endpoint.h"

#include <json-glib/json-glib.h>
#include <netinet/in.h>
#include <linux/tcp.h> /* glibc's struct tcp_info lacks tcpi_bytes_acked */
#include <sys/socket.h>
#include <string.h>

#include "webrtc/base/log.h"
#include "relay/metrics/limit-refusals.h"
#include "http/admission.h"
#include "http/http-answer-counts.h"
#include "http/http-listener.h"
#include "webrtc/base/input-capture.h"
#include "relay/json-input.h"
#include "http/http-auth.h"
#include "http/json-members.h"
#include "http/http-util.h"
#include "http/request-guard.h"
#include "http/session-cookie.h"

/* What a frame adds to its text on the wire, at most (RFC 6455 section 5.2). */
#define FRAME_OVERHEAD 10

/* Who may read an event, by its type. A type not listed is for the viewer
 * roles only, so that a new kind of event is never public by accident. */
typedef enum {
  AUDIENCE_ANYONE,    /* every authenticated client: the public state */
  AUDIENCE_OWN,       /* the viewer roles, and the office it is about */
  AUDIENCE_VIEWERS,   /* the viewer roles */
  AUDIENCE_MANAGERS,  /* the chair and the minister (as /api/v1/viewers) */
} EventAudience;

static const struct {
  const char *type;
  EventAudience audience;
} audiences[] = {
  { "province-state", AUDIENCE_ANYONE },   { "floor", AUDIENCE_ANYONE },
  { "mute", AUDIENCE_ANYONE },             { "layout", AUDIENCE_ANYONE },
  { "active-speaker", AUDIENCE_ANYONE },   { "briefing-planned", AUDIENCE_ANYONE },
  { "briefing-started", AUDIENCE_ANYONE }, { "briefing-ended", AUDIENCE_ANYONE },
  { "attendance", AUDIENCE_ANYONE },       { "agenda", AUDIENCE_ANYONE },
  { "turn-started", AUDIENCE_ANYONE },     { "turn-ended", AUDIENCE_ANYONE },
  { "turn-overtime", AUDIENCE_ANYONE },
  /* Figures carry the values GET /api/v1/figures shows only to viewers
   * and to the office that sent them; clips are an office's own voice. */
  { "figures", AUDIENCE_OWN },             { "clip", AUDIENCE_OWN },
  /* An office over the ingest limits: the office must learn it too. */
  { "ingest-limit", AUDIENCE_OWN },
  /* A device of the office took over from another: ops sees which office
   * has two, the office itself that it happened. */
  { "takeover", AUDIENCE_OWN },
  /* The recorder's state and its disk errors. */
  { "recording", AUDIENCE_VIEWERS },
  /* Who watches what, by WHEP session id and viewer name. */
  { "viewer", AUDIENCE_MANAGERS },
};

typedef struct _EventsEndpoint EventsEndpoint;

typedef struct {
  EventsEndpoint *endpoint;
  SoupWebsocketConnection *ws;
  gulong closed_handler, message_handler;
  GSource *auth_timeout;
  gboolean authenticated;
  RelayCaller caller;
  /* Signed in with the cookie: the viewer it stands for (caller.viewer
   * points here, since the store may end the session while the socket is
   * open) and the session's public id, to close the socket when it ends. */
  RelayViewerConfig cookie_viewer;
  char *signin_session;
  gboolean replay;
  guint64 replay_after;
  char *address; /* the client's, for the wrong-token throttle */
  /* What the client has not taken yet: bytes handed to libsoup since the
   * upgrade, against the bytes its TCP acknowledged (TCP_INFO), from the
   * socket kept here. libsoup queues without bound and has no way to ask
   * how much it holds; a client that stops reading would otherwise make
   * the relay keep every event for it. */
  GSocket *socket;
  guint64 queued, acked_at_start;
  guint64 replayed; /* the replay comes at once: allowed on top of the limit */
  gboolean dropped;
} EventClient;

struct _EventsEndpoint {
  RelayConfig *config;
  RelayAdmission *admission;
  RelayEventBus *bus;
  RelaySigninStore *signin;
  guint subscription;
  GPtrArray *clients; /* EventClient*, owned */
};

/* An event's type and the office it is about, read once per event. */
typedef struct {
  EventAudience audience;
  const char *province; /* NULL when about no office */
  JsonNode *root;
} EventFacts;

static void
facts_read (EventFacts *facts, const char *json)
{
  facts->audience = AUDIENCE_VIEWERS;
  facts->province = NULL;
  facts->root = json_from_string (json, NULL);
  if (!facts->root || !JSON_NODE_HOLDS_OBJECT (facts->root))
    return;
  JsonObject *o = json_node_get_object (facts->root);
  const char *type = json_object_get_string_member_with_default (o, "type", "");
  for (guint i = 0; i < G_N_ELEMENTS (audiences); i++)
    if (strcmp (audiences[i].type, type) == 0)
      facts->audience = audiences[i].audience;
  const char *province = relay_json_member_string (o, "province");
  if (province)
    facts->province = province;
}

static void
facts_clear (EventFacts *facts)
{
  g_clear_pointer (&facts->root, json_node_unref);
}

static gboolean
may_read (const RelayCaller *caller, const EventFacts *facts)
{
  if (caller->viewer)
    return facts->audience != AUDIENCE_MANAGERS || caller->viewer->role >= RELAY_ROLE_MINISTER;
  switch (facts->audience)
    {
    case AUDIENCE_ANYONE:
      return TRUE;
    case AUDIENCE_OWN:
      return caller->office && facts->province
             && strcmp (caller->office->code, facts->province) == 0;
    case AUDIENCE_VIEWERS:
    case AUDIENCE_MANAGERS:
      break;
    }
  return FALSE;
}

/* Bytes the peer's TCP has acknowledged on this connection, or FALSE when
 * the socket cannot say. */
static gboolean
bytes_acked (GSocket *socket, guint64 *acked)
{
  struct tcp_info info;
  socklen_t len = sizeof info;
  if (!socket || getsockopt (g_socket_get_fd (socket), IPPROTO_TCP, TCP_INFO, &info, &len) != 0
      || len < offsetof (struct tcp_info, tcpi_bytes_acked) + sizeof info.tcpi_bytes_acked)
    return FALSE;
  *acked = info.tcpi_bytes_acked;
  return TRUE;
}

/* The client has left more than [limits] event-queue-kb unread: it is
 * dropped rather than queued for. Its close frame would wait behind what it
 * does not read, so the connection itself is shut. */
static gboolean
over_backlog (EventClient *client)
{
  guint64 acked;
  if (!bytes_acked (client->socket, &acked))
    return FALSE;
  guint64 taken = acked > client->acked_at_start ? acked - client->acked_at_start : 0;
  guint64 backlog = client->queued > taken ? client->queued - taken : 0;
  return backlog > (guint64) client->endpoint->config->limits.event_queue_kb * 1024 + client->replayed;
}

static void
drop_slow (EventClient *client)
{
  client->dropped = TRUE;
  relay_limit_refusals_note (RELAY_REFUSAL_EVENT_QUEUE);
  relay_warn (NULL, "events client %s dropped: %u KiB unread", client->address,
              client->endpoint->config->limits.event_queue_kb);
  soup_websocket_connection_close (client->ws, RELAY_EVENTS_CLOSE_TOO_SLOW, "not reading");
  /* Aborted (RST), not shut down: a FIN would queue behind the unread
   * bytes, and the kernel would keep them for the client. libsoup then
   * sees the socket closed and ends the connection. */
  struct linger abort_on_close = { .l_onoff = 1, .l_linger = 0 };
  setsockopt (g_socket_get_fd (client->socket), SOL_SOCKET, SO_LINGER, &abort_on_close,
              sizeof abort_on_close);
  g_socket_close (client->socket, NULL);
}

static void
send_text (EventClient *client, const char *json)
{
  if (client->dropped || soup_websocket_connection_get_state (client->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  if (over_backlog (client))
    {
      drop_slow (client);
      return;
    }
  client->queued += strlen (json) + FRAME_OVERHEAD;
  soup_websocket_connection_send_text (client->ws, json);
}

static void
send_to (EventClient *client, const char *json, const EventFacts *facts)
{
  if (client->authenticated && may_read (&client->caller, facts))
    send_text (client, json);
}

/* The bus: every event, once, to each client entitled to it. */
static void
on_event (guint64 seq, const char *json, gpointer data)
{
  EventsEndpoint *endpoint = data;
  EventFacts facts;
  facts_read (&facts, json);
  for (guint i = 0; i < endpoint->clients->len; i++)
    send_to (endpoint->clients->pdata[i], json, &facts);
  facts_clear (&facts);
}

static void
on_replayed (guint64 seq, const char *json, gpointer data)
{
  EventClient *client = data;
  client->replayed += strlen (json) + FRAME_OVERHEAD;
  EventFacts facts;
  facts_read (&facts, json);
  send_to (client, json, &facts);
  facts_clear (&facts);
}

static void
client_free (gpointer data)
{
  EventClient *client = data;
  if (client->auth_timeout)
    {
      g_source_destroy (client->auth_timeout);
      g_source_unref (client->auth_timeout);
    }
  g_signal_handler_disconnect (client->ws, client->closed_handler);
  g_signal_handler_disconnect (client->ws, client->message_handler);
  if (soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (client->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  g_object_unref (client->ws);
  g_clear_object (&client->socket);
  g_free (client->address);
  g_free (client->cookie_viewer.name);
  g_free (client->signin_session);
  g_free (client);
}

static void
close_with (EventClient *client, gushort code, const char *reason)
{
  /* Once: a client may send more before our close reaches it. The
   * reason must fit a control frame (123 bytes). */
  if (soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (client->ws, code, reason);
}

static void
refuse (EventClient *client, const char *reason)
{
  close_with (client, RELAY_EVENTS_CLOSE_UNAUTHORIZED, reason);
}

/* Whether two callers are the same credential: a viewer by its name (a
 * cookie's viewer is a copy of the configured one, or a link's own), an
 * office by its config. */
static gboolean
same_credential (const RelayCaller *a, const RelayCaller *b)
{
  if (a->viewer || b->viewer)
    return a->viewer && b->viewer && strcmp (a->viewer->name, b->viewer->name) == 0;
  return a->office == b->office;
}

static guint
clients_of (EventsEndpoint *endpoint, const RelayCaller *caller)
{
  guint n = 0;
  for (guint i = 0; i < endpoint->clients->len; i++)
    {
      EventClient *c = endpoint->clients->pdata[i];
      n += c->authenticated && same_credential (&c->caller, caller);
    }
  return n;
}

/* Main context: the hello, then the replay, then live events. The replay
 * ends where the bus's deliveries to on_event begin, so nothing is missed
 * and nothing comes twice. */
static void
authenticated (EventClient *client)
{
  EventsEndpoint *endpoint = client->endpoint;
  if (client->auth_timeout)
    {
      g_source_destroy (client->auth_timeout);
      g_clear_pointer (&client->auth_timeout, g_source_unref);
    }
  if (clients_of (endpoint, &client->caller) >= endpoint->config->limits.event_clients_per_credential)
    {
      relay_limit_refusals_note (RELAY_REFUSAL_EVENT_CLIENTS);
      close_with (client, RELAY_EVENTS_CLOSE_LIMIT, "too many event clients with this credential");
      return;
    }
  client->authenticated = TRUE;
  gboolean complete = !client->replay || relay_event_bus_replay (endpoint->bus,
                                                                 client->replay_after, NULL, NULL);
  const char *role = client->caller.viewer ? relay_viewer_role_name (client->caller.viewer->role)
                                           : "office";
  g_autofree char *hello = g_strdup_printf (
      "{\"type\":\"hello\",\"last_seq\":%" G_GUINT64_FORMAT ",\"replay\":%s,\"complete\":%s,"
      "\"role\":\"%s\"}",
      relay_event_bus_last_seq (endpoint->bus), client->replay ? "true" : "false",
      complete ? "true" : "false", role);
  send_text (client, hello);
  if (client->replay)
    relay_event_bus_replay (endpoint->bus, client->replay_after, on_replayed, client);
}

char *
relay_events_parse_auth (gboolean is_text, const char *data, gsize len)
{
  if (!is_text)
    return NULL;
  g_autoptr (JsonNode) root = relay_json_parse (data, len, NULL);
  JsonObject *o = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (!o || g_strcmp0 (relay_json_member_string (o, "type"), "auth") != 0)
    return NULL;
  return g_strdup (relay_json_member_string (o, "token"));
}

static void
on_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer data)
{
  EventClient *client = data;
  /* After authentication the stream is one-way: anything sent is ignored;
   * so is what comes after a refusal. */
  if (client->authenticated
      || soup_websocket_connection_get_state (ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  gsize len;
  const char *text = g_bytes_get_data (message, &len);
  relay_input_capture_item ("events-message", text, len); /* test-only: BRIEFING_CAPTURE_DIR */
  g_autofree char *token = relay_events_parse_auth (type == SOUP_WEBSOCKET_DATA_TEXT, text, len);
  if (!token)
    {
      refuse (client, "the first message must be {\"type\":\"auth\",\"token\":\"...\"}");
      return;
    }
  RelayAdmission *admission = client->endpoint->admission;
  if (!relay_admission_may_present_token (admission, client->address))
    {
      relay_limit_refusals_note (RELAY_REFUSAL_TOO_MANY_FAILURES);
      close_with (client, RELAY_EVENTS_CLOSE_LIMIT, "too many wrong tokens from this address");
      return;
    }
  if (!relay_http_identify_token (client->endpoint->config, token, &client->caller))
    {
      relay_admission_note_wrong_token (admission, client->address);
      refuse (client, "the token is not valid");
      return;
    }
  authenticated (client);
}

static gboolean
on_auth_timeout (gpointer data)
{
  EventClient *client = data;
  g_clear_pointer (&client->auth_timeout, g_source_unref);
  refuse (client, "no token");
  return G_SOURCE_REMOVE;
}

static void
on_closed (SoupWebsocketConnection *ws, gpointer data)
{
  EventClient *client = data;
  g_ptr_array_remove_fast (client->endpoint->clients, client);
}

static void
on_connected (SoupServer *server, SoupServerMessage *msg, const char *path,
              SoupWebsocketConnection *ws, gpointer data)
{
  EventsEndpoint *endpoint = data;
  /* libsoup takes an upgraded connection without finishing its request:
   * its 101 is counted here. */
  relay_http_answer_counts_note (SOUP_STATUS_SWITCHING_PROTOCOLS);
  EventClient *client = g_new0 (EventClient, 1);
  client->endpoint = endpoint;
  client->ws = g_object_ref (ws);
  client->address = g_strdup (soup_server_message_get_remote_host (msg));
  /* The relay accepts connections itself (http/http-listener.h):
   * libsoup does not know the socket. */
  GSocket *socket = relay_http_listener_socket_of (msg);
  client->socket = socket ? g_object_ref (socket) : NULL;
  if (!bytes_acked (client->socket, &client->acked_at_start))
    g_clear_object (&client->socket);
  soup_websocket_connection_set_max_incoming_payload_size (ws, 4096);
  soup_websocket_connection_set_keepalive_interval (ws, 20);
  client->closed_handler = g_signal_connect (ws, "closed", G_CALLBACK (on_closed), client);
  client->message_handler = g_signal_connect (ws, "message", G_CALLBACK (on_message), client);
  g_ptr_array_add (endpoint->clients, client);
  if (endpoint->clients->len > endpoint->config->limits.event_clients)
    {
      relay_limit_refusals_note (RELAY_REFUSAL_EVENT_CLIENTS);
      close_with (client, RELAY_EVENTS_CLOSE_LIMIT, "the relay has as many event clients as it may");
      return;
    }

  GUri *uri = soup_server_message_get_uri (msg);
  const char *query = g_uri_get_query (uri);
  g_autoptr (GHashTable) params = query ? g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL)
                                        : NULL;
  const char *since = params ? g_hash_table_lookup (params, "since") : NULL;
  client->replay = since && g_ascii_string_to_unsigned (since, 10, 0, G_MAXUINT64,
                                                        &client->replay_after, NULL);

  g_autofree char *bearer = relay_http_bearer_token (msg);
  const RelaySigninSession *cookie = relay_session_cookie_session (msg);
  if (!bearer && cookie)
    {
      /* Signed in: the upgrade carried the cookie (from the relay's own
       * page: check_upgrade saw to that). */
      client->cookie_viewer.name = g_strdup (cookie->viewer.name);
      client->cookie_viewer.role = cookie->viewer.role;
      client->caller.viewer = &client->cookie_viewer;
      client->signin_session = g_strdup (cookie->id);
      authenticated (client);
      return;
    }
  if (bearer)
    {
      /* A throttled address never gets here: its upgrade was answered 429
       * (http/admission.c). */
      if (relay_http_identify_token (endpoint->config, bearer, &client->caller))
        authenticated (client);
      else
        {
          relay_admission_note_wrong_token (endpoint->admission, client->address);
          refuse (client, "the token is not valid");
        }
      return;
    }
  client->auth_timeout = g_timeout_source_new_seconds (endpoint->config->limits.event_auth_timeout_s);
  g_source_set_callback (client->auth_timeout, on_auth_timeout, client, NULL);
  g_source_attach (client->auth_timeout, g_main_context_get_thread_default ());
}

/* A sign-in session ended (signed out, expired, replaced): the sockets it
 * opened close, as its cookie no longer opens anything. */
static void
on_signin_ended (const RelaySigninSession *session, RelaySigninEnd why, gpointer data)
{
  EventsEndpoint *endpoint = data;
  for (guint i = 0; i < endpoint->clients->len; i++)
    {
      EventClient *c = endpoint->clients->pdata[i];
      if (c->signin_session && strcmp (c->signin_session, session->id) == 0)
        close_with (c, RELAY_EVENTS_CLOSE_UNAUTHORIZED,
                    why == RELAY_SIGNIN_END_SIGNED_OUT ? "signed out"
                                                       : "the sign-in has ended: sign in again");
    }
}

static void
endpoint_free (gpointer data)
{
  EventsEndpoint *endpoint = data;
  relay_signin_store_unwatch (endpoint->signin, on_signin_ended, endpoint);
  relay_event_bus_unsubscribe (endpoint->bus, endpoint->subscription);
  g_ptr_array_unref (endpoint->clients);
  g_free (endpoint);
}

/* Runs before libsoup answers the upgrade: a refusal here is a plain HTTP
 * answer, and the WebSocket never opens. */
static void
check_upgrade (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
               gpointer data)
{
  EventsEndpoint *endpoint = data;
  g_autofree char *bearer = relay_http_bearer_token (msg);
  /* The browser sends the cookie with any page's upgrade: signed in by it
   * alone, the page must be the relay's own. */
  if (!bearer && relay_session_cookie_viewer (msg) && !relay_request_origin_is_own (msg))
    {
      relay_http_error (msg, 403, "origin-not-allowed",
                        "the event stream opened with the sign-in cookie alone is for the "
                        "relay's own pages");
      return;
    }
  if (relay_request_origin_allowed (msg, endpoint->config))
    return;
  relay_limit_refusals_note (RELAY_REFUSAL_ORIGIN_NOT_ALLOWED);
  relay_http_error (msg, 403, "origin-not-allowed",
                    "pages of this origin may not open the event stream: only the relay's own "
                    "pages and those of [relay] allowed-origins");
}

void
relay_events_endpoint_register (SoupServer *server, RelayConfig *config,
                                RelayAdmission *admission, RelayEventBus *bus,
                                RelaySigninStore *signin)
{
  EventsEndpoint *endpoint = g_new0 (EventsEndpoint, 1);
  endpoint->config = config;
  endpoint->admission = admission;
  endpoint->bus = bus;
  endpoint->signin = signin;
  relay_signin_store_watch (signin, on_signin_ended, endpoint);
  endpoint->clients = g_ptr_array_new_with_free_func (client_free);
  endpoint->subscription = relay_event_bus_subscribe (bus, on_event, endpoint);
  soup_server_add_handler (server, "/api/v1/events", check_upgrade, endpoint, NULL);
  soup_server_add_websocket_handler (server, "/api/v1/events", NULL, NULL, on_connected,
                                     endpoint, endpoint_free);
}
