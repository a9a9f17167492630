/* GET /api/v1/events on the real relay: province state changes arrive as
 * numbered JSON events, a client that reconnects with ?since= gets exactly
 * what it missed, and nobody gets anything without a token: an office only
 * the public events and its own figures. */
#include <arpa/inet.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "relay-process.h"
#include "tests/unit/relay/figures/report-test-util.h"

static RelayProcess *relay;
static SoupSession *http;

#include "events-client.h"

static guint
http_request_as (const char *token, const char *method, const char *path, const char *body,
                 char **location)
{
  g_autofree char *url = g_strconcat (relay->base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
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

static guint
http_request (const char *method, const char *path, const char *body, char **location)
{
  return http_request_as ("token-of-chiang-mai", method, path, body, location);
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

#define CHIANG_MAI "token-of-chiang-mai"
#define SAMUT_PRAKAN "token-of-samut-prakan"

/* The events of `type` among c's messages, as "<province>" strings joined
 * by commas. */
static char *
provinces_of (Client *c, const char *type)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (JsonParser) p = json_parser_new ();
  for (guint i = 0; i < c->messages->len; i++)
    {
      JsonObject *o = message_object (c, i, p);
      if (g_strcmp0 (json_object_get_string_member_with_default (o, "type", ""), type) == 0)
        g_string_append_printf (out, "%s,", json_object_get_string_member (o, "province"));
    }
  return g_strdup (out->str);
}

static gboolean
has_figures_of (Client *c, const char *province)
{
  g_autofree char *seen = provinces_of (c, "figures");
  g_autofree char *want = g_strconcat (province, ",", NULL);
  return strstr (seen, want) != NULL;
}

static void
wait_figures_of (Client *c, const char *province)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!has_figures_of (c, province) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (has_figures_of (c, province));
}

static void
send_auth_message (Client *c, const char *text)
{
  soup_websocket_connection_send_text (c->ws, text);
}

static void
test_authorization (void)
{
  /* No token and no auth message: nothing, then closed with 4401 (after
   * [limits] event-auth-timeout-s, 1 s in this relay). */
  Client *silent = client_connect_with (NULL, NULL, FALSE);
  g_assert_cmpuint (wait_closed (silent), ==, 4401);
  g_assert_cmpuint (silent->messages->len, ==, 0);
  client_free (silent);

  /* A token nobody has, in the header or in the first message; a first
   * message that is not an auth message; replay asked for without a token:
   * closed with 4401 and nothing sent, not even the hello. */
  Client *wrong = client_connect_with ("?since=0", "not-a-token-anyone-has", FALSE);
  g_assert_cmpuint (wait_closed (wrong), ==, 4401);
  g_assert_cmpuint (wrong->messages->len, ==, 0);
  client_free (wrong);
  const char *bad_first[] = { "{\"type\":\"auth\",\"token\":\"not-a-token-anyone-has\"}",
                              "{\"type\":\"auth\"}", "{\"type\":\"hello\"}", "not json",
                              "{\"type\":\"auth\",\"token\":7}" };
  for (guint i = 0; i < G_N_ELEMENTS (bad_first); i++)
    {
      Client *bad = client_connect_with ("?since=0", NULL, FALSE);
      send_auth_message (bad, bad_first[i]);
      g_assert_cmpuint (wait_closed (bad), ==, 4401);
      g_assert_cmpuint (bad->messages->len, ==, 0);
      client_free (bad);
    }

  /* Chiang Mai's office authenticates by its first message (as a browser
   * must); the wall display by its header. */
  Client *office = client_connect_with (NULL, NULL, FALSE);
  send_auth_message (office, "{\"type\":\"auth\",\"token\":\"" CHIANG_MAI "\"}");
  wait_messages (office, 1);
  g_autoptr (JsonParser) p = json_parser_new ();
  JsonObject *hello = message_object (office, 0, p);
  g_assert_cmpstr (json_object_get_string_member (hello, "type"), ==, "hello");
  g_assert_cmpstr (json_object_get_string_member (hello, "role"), ==, "office");
  Client *wall = client_connect (NULL);

  /* Samut Prakan reports, then Chiang Mai. The office sees its own figures
   * only; since events keep their order, Samut Prakan's would have come
   * first. The wall sees both. Both see the public state of every office. */
  g_autofree char *today = report_today ();
  g_autofree char *sp = report_message ("sp-ev-1", today, 30, NULL);
  g_assert_cmpuint (report_post (http, relay->base_url, SAMUT_PRAKAN, "application/json", sp,
                                 strlen (sp), NULL), ==, 201);
  g_autofree char *cm = report_message ("cm-ev-1", today, 10, NULL);
  g_assert_cmpuint (report_post (http, relay->base_url, CHIANG_MAI, "application/json", cm,
                                 strlen (cm), NULL), ==, 201);
  wait_figures_of (office, "TH-50");
  g_assert_false (has_figures_of (office, "TH-11"));
  wait_figures_of (wall, "TH-50");
  g_assert_true (has_figures_of (wall, "TH-11"));

  /* A replay gives the office no more than live delivery did. */
  Client *replayed = client_connect_with ("?since=0", CHIANG_MAI, TRUE);
  wait_figures_of (replayed, "TH-50");
  g_assert_false (has_figures_of (replayed, "TH-11"));
  client_free (replayed);

  /* Public state: a WHIP session of Samut Prakan reaches the office. */
  g_autofree char *offer_path = g_build_filename (SDP_FIXTURES, "chrome-whip.sdp", NULL);
  g_autofree char *offer = NULL;
  g_assert_true (g_file_get_contents (offer_path, &offer, NULL, NULL));
  g_assert_cmpuint (http_request_as (SAMUT_PRAKAN, "POST", "/whip/TH-11", offer, NULL), ==, 201);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *states = provinces_of (office, "province-state");
      if (strstr (states, "TH-11,") || g_get_monotonic_time () > deadline)
        {
          g_assert_nonnull (strstr (states, "TH-11,"));
          break;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  client_free (office);
  client_free (wall);
}

/* A client that upgrades with a viewer's token and then never reads, with
 * a small receive window: the relay must drop it (its socket is reset)
 * rather than queue every event for it, while a reading client goes on
 * getting them all. */
static int
connect_without_reading (void)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (fd, >=, 0);
  int small = 1024;
  g_assert_cmpint (setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), ==, 0);
  g_autoptr (GUri) uri = g_uri_parse (relay->base_url, G_URI_FLAGS_NONE, NULL);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (g_uri_get_port (uri)) };
  inet_pton (AF_INET, "127.0.0.1", &addr.sin_addr);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  const char *upgrade = "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Sec-WebSocket-Version: 13\r\n"
                        "Authorization: Bearer " EVENTS_VIEWER_TOKEN "\r\n\r\n";
  g_assert_cmpint (write (fd, upgrade, strlen (upgrade)), ==, (gssize) strlen (upgrade));
  /* The 101 and the hello, and nothing read after that. */
  char head[512];
  g_assert_cmpint (recv (fd, head, sizeof head - 1, 0), >, 0);
  return fd;
}

static gboolean
reset_by_peer (int fd)
{
  struct tcp_info info;
  socklen_t len = sizeof info;
  g_assert_cmpint (getsockopt (fd, IPPROTO_TCP, TCP_INFO, &info, &len), ==, 0);
  struct pollfd p = { .fd = fd, .events = POLLIN };
  poll (&p, 1, 0);
  return info.tcpi_state == 7 /* TCP_CLOSE */ || (p.revents & (POLLERR | POLLHUP));
}

static void
test_slow_client_dropped (void)
{
  Client *reader = client_connect (NULL);
  int slow = connect_without_reading ();
  g_autofree char *today = report_today ();
  guint posted = 0;
  /* [limits] event-queue-kb=16 in this relay: a few dozen figures events
   * fill it; the bound only stops a relay that never drops the client. */
  while (!reset_by_peer (slow) && posted < 3000)
    {
      g_autofree char *id = g_strdup_printf ("slow-%u", posted);
      g_autofree char *body = report_message (id, today, (int) posted, NULL);
      g_assert_cmpuint (report_post (http, relay->base_url, SAMUT_PRAKAN, "application/json", body,
                                     strlen (body), NULL), ==, 201);
      posted++;
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  g_assert_true (reset_by_peer (slow));
  close (slow);
  /* The reader had every one of them. */
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  guint figures = 0;
  gboolean seen = FALSE;
  while (!seen && g_get_monotonic_time () < deadline)
    {
      figures = 0;
      for (guint i = 0; i < reader->messages->len; i++)
        figures += strstr (reader->messages->pdata[i], "\"type\":\"figures\"") != NULL;
      seen = figures >= posted;
      if (!seen)
        g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (figures, ==, posted);
  client_free (reader);
}

/* [limits] event-clients-per-credential=3 in this relay: the fourth client
 * of one office is closed with 4429; another credential is not affected. */
static void
test_clients_per_credential (void)
{
  Client *held[3];
  for (guint i = 0; i < 3; i++)
    held[i] = client_connect_with (NULL, SAMUT_PRAKAN, TRUE);
  Client *fourth = client_connect_with (NULL, SAMUT_PRAKAN, FALSE);
  g_assert_cmpuint (wait_closed (fourth), ==, 4429);
  g_assert_cmpuint (fourth->messages->len, ==, 0);
  client_free (fourth);
  Client *other = client_connect_with (NULL, CHIANG_MAI, TRUE);
  g_autoptr (JsonParser) p = json_parser_new ();
  g_assert_cmpstr (json_object_get_string_member (message_object (other, 0, p), "type"), ==,
                   "hello");
  client_free (other);
  for (guint i = 0; i < 3; i++)
    client_free (held[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  relay = relay_process_start (EVENTS_VIEWER_CONFIG
                               "[limits]\nevent-queue-kb=16\nevent-clients-per-credential=3\n"
                               "api-requests-per-s=10000\napi-requests-burst=10000\n"
                               "address-requests-per-s=10000\naddress-requests-burst=10000\n"
                               "figures-per-minute=1000000\nfigures-burst=100000\n"
                               "event-auth-timeout-s=1\n");
  http = soup_session_new_with_options ("timeout", 20, NULL);
  g_test_add_func ("/events/state-events-and-replay", test_state_events_and_replay);
  g_test_add_func ("/events/authorization", test_authorization);
  g_test_add_func ("/events/slow-client-dropped", test_slow_client_dropped);
  g_test_add_func ("/events/clients-per-credential", test_clients_per_credential);
  int rc = g_test_run ();
  g_object_unref (http);
  relay_process_stop (relay);
  return rc;
}
