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

#include "events-client.h"

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
