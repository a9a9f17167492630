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

static inline Client *
client_connect (const char *query)
{
  Client *c = g_new0 (Client, 1);
  c->messages = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *url = g_strdup_printf ("%s/api/v1/events%s", relay->base_url, query ? query : "");
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  soup_session_websocket_connect_async (http, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_connected, c);
  for (int i = 0; i < 500 && (!c->ws || c->messages->len == 0); i++)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (c->ws);
  return c;
}

static inline void
client_free (Client *c)
{
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

