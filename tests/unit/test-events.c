/* GET /api/v1/events on the real relay: province state changes arrive as
 * numbered JSON events, and a client that reconnects with ?since= gets
 * exactly what it missed. */
#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "relay-process.h"

static RelayProcess *relay;
static SoupSession *http;

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

static Client *
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

static void
client_free (Client *c)
{
  soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_object_unref (c->ws);
  g_ptr_array_unref (c->messages);
  g_free (c);
}

static JsonObject *
message_object (Client *c, guint i, JsonParser *parser)
{
  g_assert_true (json_parser_load_from_data (parser, c->messages->pdata[i], -1, NULL));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
wait_messages (Client *c, guint n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (c->messages->len < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_cmpuint (c->messages->len, >=, n);
}

static guint
http_request (const char *method, const char *path, const char *body, char **location)
{
  g_autofree char *url = g_strconcat (relay->base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Bearer token-of-chiang-mai");
  if (body)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/sdp", bytes);
    }
  g_autoptr (GBytes) reply = soup_session_send_and_read (http, msg, NULL, NULL);
  if (location)
    *location = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                        "Location"));
  return soup_message_get_status (msg);
}

static void
test_state_events_and_replay (void)
{
  g_autofree char *offer_path = g_build_filename (SDP_FIXTURES, "chrome-whip.sdp", NULL);
  g_autofree char *offer = NULL;
  g_assert_true (g_file_get_contents (offer_path, &offer, NULL, NULL));

  Client *c = client_connect (NULL);
  g_autoptr (JsonParser) p = json_parser_new ();
  JsonObject *hello = message_object (c, 0, p);
  g_assert_cmpstr (json_object_get_string_member (hello, "type"), ==, "hello");
  g_assert_false (json_object_get_boolean_member (hello, "replay"));

  g_autofree char *location = NULL;
  g_assert_cmpuint (http_request ("POST", "/whip/TH-50", offer, &location), ==, 201);
  g_assert_cmpuint (http_request ("DELETE", location, NULL, NULL), ==, 200);
  wait_messages (c, 3);

  JsonObject *e1 = message_object (c, 1, p);
  g_assert_cmpstr (json_object_get_string_member (e1, "type"), ==, "province-state");
  g_assert_cmpstr (json_object_get_string_member (e1, "province"), ==, "TH-50");
  g_assert_cmpstr (json_object_get_string_member (e1, "state"), ==, "connecting");
  g_assert_cmpstr (json_object_get_string_member (e1, "previous"), ==, "offline");
  gint64 seq1 = json_object_get_int_member (e1, "seq");
  JsonObject *e2 = message_object (c, 2, p);
  g_assert_cmpstr (json_object_get_string_member (e2, "state"), ==, "offline");
  g_assert_cmpint (json_object_get_int_member (e2, "seq"), ==, seq1 + 1);
  client_free (c);

  /* Reconnect having seen nothing after seq1 - 1: both events again, same
   * numbers, then live ones. */
  g_autofree char *query = g_strdup_printf ("?since=%" G_GINT64_FORMAT, seq1 - 1);
  Client *again = client_connect (query);
  wait_messages (again, 3);
  JsonObject *h2 = message_object (again, 0, p);
  g_assert_true (json_object_get_boolean_member (h2, "replay"));
  g_assert_true (json_object_get_boolean_member (h2, "complete"));
  g_assert_cmpint (json_object_get_int_member (message_object (again, 1, p), "seq"), ==, seq1);
  g_assert_cmpint (json_object_get_int_member (message_object (again, 2, p), "seq"), ==, seq1 + 1);
  g_clear_pointer (&location, g_free);
  g_assert_cmpuint (http_request ("POST", "/whip/TH-50", offer, &location), ==, 201);
  wait_messages (again, 4);
  JsonObject *live = message_object (again, 3, p);
  g_assert_cmpint (json_object_get_int_member (live, "seq"), ==, seq1 + 2);
  g_assert_cmpstr (json_object_get_string_member (live, "state"), ==, "connecting");
  client_free (again);

  /* Garbage in ?since is no replay, not an error. */
  Client *odd = client_connect ("?since=yesterday");
  JsonObject *h3 = message_object (odd, 0, p);
  g_assert_false (json_object_get_boolean_member (h3, "replay"));
  client_free (odd);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  relay = relay_process_start (NULL);
  http = soup_session_new_with_options ("timeout", 20, NULL);
  g_test_add_func ("/events/state-events-and-replay", test_state_events_and_replay);
  int rc = g_test_run ();
  g_object_unref (http);
  relay_process_stop (relay);
  return rc;
}
