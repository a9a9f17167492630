#include "signaling/events-endpoint.h"

#include <stdlib.h>

typedef struct {
  RelayEventBus *bus;
  SoupWebsocketConnection *ws;
  guint subscription;
} EventClient;

static void
send_event (guint64 seq, const char *json, gpointer data)
{
  EventClient *client = data;
  if (soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (client->ws, json);
}

static void
on_closed (SoupWebsocketConnection *ws, gpointer data)
{
  EventClient *client = data;
  relay_event_bus_unsubscribe (client->bus, client->subscription);
  g_object_unref (client->ws);
  g_free (client);
}

static void
on_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer data)
{
  /* The stream is one-way; anything a client sends is ignored. */
}

static void
on_connected (SoupServer *server, SoupServerMessage *msg, const char *path,
              SoupWebsocketConnection *ws, gpointer data)
{
  RelayEventBus *bus = data;
  EventClient *client = g_new0 (EventClient, 1);
  client->bus = bus;
  client->ws = g_object_ref (ws);
  soup_websocket_connection_set_max_incoming_payload_size (ws, 4096);
  soup_websocket_connection_set_keepalive_interval (ws, 20);
  g_signal_connect (ws, "closed", G_CALLBACK (on_closed), client);
  g_signal_connect (ws, "message", G_CALLBACK (on_message), client);

  GUri *uri = soup_server_message_get_uri (msg);
  const char *query = g_uri_get_query (uri);
  g_autoptr (GHashTable) params = query ? g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL)
                                        : NULL;
  const char *since = params ? g_hash_table_lookup (params, "since") : NULL;
  guint64 after = 0;
  gboolean replay = since && g_ascii_string_to_unsigned (since, 10, 0, G_MAXUINT64, &after, NULL);

  /* All on the main context: the replay ends where the subscription
   * begins, so nothing is missed and nothing comes twice. */
  gboolean complete = !replay || relay_event_bus_replay (bus, after, NULL, NULL);
  g_autofree char *hello = g_strdup_printf (
      "{\"type\":\"hello\",\"last_seq\":%" G_GUINT64_FORMAT ",\"replay\":%s,\"complete\":%s}",
      relay_event_bus_last_seq (bus), replay ? "true" : "false", complete ? "true" : "false");
  soup_websocket_connection_send_text (ws, hello);
  if (replay)
    relay_event_bus_replay (bus, after, send_event, client);
  client->subscription = relay_event_bus_subscribe (bus, send_event, client);
}

void
relay_events_endpoint_register (SoupServer *server, RelayEventBus *bus)
{
  soup_server_add_websocket_handler (server, "/api/v1/events", NULL, NULL, on_connected, bus, NULL);
}
