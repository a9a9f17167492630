#include "signaling/events-endpoint.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "relay/input-capture.h"
#include "relay/json-input.h"
#include "signaling/http-util.h"

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
  gboolean replay;
  guint64 replay_after;
} EventClient;

struct _EventsEndpoint {
  RelayConfig *config;
  RelayEventBus *bus;
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
  JsonNode *province = json_object_get_member (o, "province");
  if (province && JSON_NODE_HOLDS_VALUE (province)
      && json_node_get_value_type (province) == G_TYPE_STRING)
    facts->province = json_node_get_string (province);
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

static void
send_to (EventClient *client, const char *json, const EventFacts *facts)
{
  if (client->authenticated && may_read (&client->caller, facts)
      && soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (client->ws, json);
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
  g_free (client);
}

static void
refuse (EventClient *client, const char *reason)
{
  /* Once: a client may send more before our close reaches it. The
   * reason must fit a control frame (123 bytes). */
  if (soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (client->ws, RELAY_EVENTS_CLOSE_UNAUTHORIZED, reason);
}

/* Main context: the hello, then the replay, then live events. The replay
 * ends where the bus's deliveries to on_event begin, so nothing is missed
 * and nothing comes twice. */
static void
authenticated (EventClient *client)
{
  EventsEndpoint *endpoint = client->endpoint;
  client->authenticated = TRUE;
  if (client->auth_timeout)
    {
      g_source_destroy (client->auth_timeout);
      g_clear_pointer (&client->auth_timeout, g_source_unref);
    }
  gboolean complete = !client->replay || relay_event_bus_replay (endpoint->bus,
                                                                 client->replay_after, NULL, NULL);
  const char *role = client->caller.viewer ? relay_viewer_role_name (client->caller.viewer->role)
                                           : "office";
  g_autofree char *hello = g_strdup_printf (
      "{\"type\":\"hello\",\"last_seq\":%" G_GUINT64_FORMAT ",\"replay\":%s,\"complete\":%s,"
      "\"role\":\"%s\"}",
      relay_event_bus_last_seq (endpoint->bus), client->replay ? "true" : "false",
      complete ? "true" : "false", role);
  soup_websocket_connection_send_text (client->ws, hello);
  if (client->replay)
    relay_event_bus_replay (endpoint->bus, client->replay_after, on_replayed, client);
}

/* A member that is a JSON string, or NULL: json-glib's
 * _get_string_member_with_default logs a critical for an object or array,
 * and the client chooses which it sends. */
static const char *
string_member (JsonObject *o, const char *name)
{
  JsonNode *node = json_object_get_member (o, name);
  if (!node || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

char *
relay_events_parse_auth (gboolean is_text, const char *data, gsize len)
{
  if (!is_text)
    return NULL;
  g_autoptr (JsonNode) root = relay_json_parse (data, len, NULL);
  JsonObject *o = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (!o || g_strcmp0 (string_member (o, "type"), "auth") != 0)
    return NULL;
  return g_strdup (string_member (o, "token"));
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
  if (!relay_http_identify_token (client->endpoint->config, token, &client->caller))
    {
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
  EventClient *client = g_new0 (EventClient, 1);
  client->endpoint = endpoint;
  client->ws = g_object_ref (ws);
  soup_websocket_connection_set_max_incoming_payload_size (ws, 4096);
  soup_websocket_connection_set_keepalive_interval (ws, 20);
  client->closed_handler = g_signal_connect (ws, "closed", G_CALLBACK (on_closed), client);
  client->message_handler = g_signal_connect (ws, "message", G_CALLBACK (on_message), client);
  g_ptr_array_add (endpoint->clients, client);

  GUri *uri = soup_server_message_get_uri (msg);
  const char *query = g_uri_get_query (uri);
  g_autoptr (GHashTable) params = query ? g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL)
                                        : NULL;
  const char *since = params ? g_hash_table_lookup (params, "since") : NULL;
  client->replay = since && g_ascii_string_to_unsigned (since, 10, 0, G_MAXUINT64,
                                                        &client->replay_after, NULL);

  g_autofree char *bearer = relay_http_bearer_token (msg);
  if (bearer)
    {
      if (relay_http_identify_token (endpoint->config, bearer, &client->caller))
        authenticated (client);
      else
        refuse (client, "the token is not valid");
      return;
    }
  client->auth_timeout = g_timeout_source_new_seconds (RELAY_EVENTS_AUTH_TIMEOUT_S);
  g_source_set_callback (client->auth_timeout, on_auth_timeout, client, NULL);
  g_source_attach (client->auth_timeout, g_main_context_get_thread_default ());
}

static void
endpoint_free (gpointer data)
{
  EventsEndpoint *endpoint = data;
  relay_event_bus_unsubscribe (endpoint->bus, endpoint->subscription);
  g_ptr_array_unref (endpoint->clients);
  g_free (endpoint);
}

void
relay_events_endpoint_register (SoupServer *server, RelayConfig *config, RelayEventBus *bus)
{
  EventsEndpoint *endpoint = g_new0 (EventsEndpoint, 1);
  endpoint->config = config;
  endpoint->bus = bus;
  endpoint->clients = g_ptr_array_new_with_free_func (client_free);
  endpoint->subscription = relay_event_bus_subscribe (bus, on_event, endpoint);
  soup_server_add_websocket_handler (server, "/api/v1/events", NULL, NULL, on_connected,
                                     endpoint, endpoint_free);
}
