/* Test helper: a WebSocket client of /api/v1/events that collects the
 * messages. The including file defines `relay` (RelayProcess *) and `http`
 * (SoupSession *) before including it. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

typedef struct {
  SoupWebsocketConnection *ws;
  GPtrArray *messages; /* char* */
} Client;

static void
on_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer data)
{
  Client *c = data;
  gsize len;
  const char *text = g_bytes_get_data (message, &len);
  g_ptr_array_add (c->messages, g_strndup (text, len));
}

static void
on_connected (GObject *source, GAsyncResult *res, gpointer data)
{
  Client *c = data;
  g_autoptr (GError) error = NULL;
  c->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), res, &error);
  g_assert_no_error (error);
  g_signal_connect (c->ws, "message", G_CALLBACK (on_message), c);
}

/* Connects with `token` as the upgrade's bearer token (NULL: none), and
 * waits for the first message (or the close) when `wait_first`. */
static inline Client *
client_connect_with (const char *query, const char *token, gboolean wait_first)
{
  Client *c = g_new0 (Client, 1);
  c->messages = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *url = g_strdup_printf ("%s/api/v1/events%s", relay->base_url, query ? query : "");
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  if (token)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  soup_session_websocket_connect_async (http, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_connected, c);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline
         && (!c->ws
             || (wait_first && c->messages->len == 0
                 && soup_websocket_connection_get_state (c->ws) != SOUP_WEBSOCKET_STATE_CLOSED)))
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (c->ws);
  return c;
}

/* The test relays' viewer token (events-client users configure it). */
#define EVENTS_VIEWER_TOKEN "viewer-token-for-events"
#define EVENTS_VIEWER_CONFIG "[viewer events]\nrole=viewer\ntoken=" EVENTS_VIEWER_TOKEN "\n"

static inline Client *
client_connect (const char *query)
{
  return client_connect_with (query, EVENTS_VIEWER_TOKEN, TRUE);
}

/* Runs the main context until the relay closed the socket; its code. */
static inline gushort
wait_closed (Client *c)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (soup_websocket_connection_get_state (c->ws) != SOUP_WEBSOCKET_STATE_CLOSED
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (soup_websocket_connection_get_state (c->ws), ==, SOUP_WEBSOCKET_STATE_CLOSED);
  return soup_websocket_connection_get_close_code (c->ws);
}

static inline void
client_free (Client *c)
{
  if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_object_unref (c->ws);
  g_ptr_array_unref (c->messages);
  g_free (c);
}

static inline JsonObject *
message_object (Client *c, guint i, JsonParser *parser)
{
  g_assert_true (json_parser_load_from_data (parser, c->messages->pdata[i], -1, NULL));
  return json_node_get_object (json_parser_get_root (parser));
}

static inline void
wait_messages (Client *c, guint n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (c->messages->len < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_cmpuint (c->messages->len, >=, n);
}

