/* Spoken status against the real relay: a publisher sends a 440 Hz tone,
 * the chair gives it the floor until the relay has received about 4 s of
 * its audio (counted in packets, not slept), and the clip that comes out is
 * listed, announced on the events socket, served with byte ranges, and is
 * valid Ogg/Opus whose spectrum peaks at 440 Hz, recorded while the floor
 * was held, as long as its event says and no longer than the audio the
 * relay received around the turn. */
#include <gio/gio.h>
#include <glib.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "relay-process.h"

static RelayProcess *relay;
static SoupSession *http;

#include "events-client.h"

#define CHAIR "chair-token-for-tests"
#define VIEWER "viewer-token-for-tests"
#define CM "token-of-chiang-mai"
/* The turn lasts until the relay has received this many more audio
 * packets (20 ms each) of the floor holder. */
#define TURN_PACKETS 200
/* The clip holds the audio that reached the recorder during the turn,
 * stamped by the sender's clock, while the turn's start and end are the
 * relay's wall clock: their lengths differ by how late that audio was
 * processed at either end, which on a starved machine reached seconds
 * (a 6.1 s clip of a 3.4 s turn under ASan beside load 40). So the clip is
 * checked against the floor and counts instead: its turn starts after the
 * floor is given and ends after it is taken back, and it is no longer than
 * the audio the relay received around it. */

typedef struct {
  guint status;
  GBytes *body;
  SoupMessageHeaders *headers;
} Reply;

static void
reply_free (Reply *r)
{
  g_bytes_unref (r->body);
  soup_message_headers_unref (r->headers);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static Reply *
call (const char *method, const char *path, const char *token, const char *json,
      const char *range)
{
  g_autofree char *url = g_strconcat (relay->base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  SoupMessageHeaders *h = soup_message_get_request_headers (msg);
  if (token)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (h, "Authorization", auth);
    }
  if (range)
    soup_message_headers_replace (h, "Range", range);
  if (json)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (json, strlen (json));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  GBytes *body = soup_session_send_and_read (http, msg, NULL, NULL);
  Reply *r = g_new0 (Reply, 1);
  r->status = soup_message_get_status (msg);
  r->body = body ? body : g_bytes_new (NULL, 0);
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return r;
}

static void
expect_status (Reply *r, guint status)
{
  if (r->status != status)
    g_error ("expected %u, got %u: %.*s", status, r->status, (int) g_bytes_get_size (r->body),
             (const char *) g_bytes_get_data (r->body, NULL));
}

/* Reads the publisher's event lines until one says it is connected. */
static void
wait_connected (GDataInputStream *lines)
{
  for (int i = 0; i < 50; i++)
    {
      g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, NULL);
      g_assert_nonnull (line);
      if (strstr (line, "\"event\":\"connected\""))
        return;
      if (strstr (line, "\"event\":\"error\""))
        g_error ("publisher: %s", line);
    }
  g_error ("the publisher never connected");
}

static void
wait_live (const char *code)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/provinces/%s", code);
  for (int i = 0; i < 100; i++)
    {
      g_autoptr (Reply) r = call ("GET", path, CHAIR, NULL, NULL);
      if (r->status == 200 && strstr (g_bytes_get_data (r->body, NULL), "\"live\""))
        return;
      g_usleep (100 * 1000);
    }
  g_error ("%s never went live", code);
}

/* audio.packets_received (and packets_lost) of the province's status: a
 * snapshot the relay takes every so often. */
static gint64
audio_packets_and_lost (const char *code, gint64 *lost)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/provinces/%s", code);
  g_autoptr (Reply) r = call ("GET", path, CHAIR, NULL, NULL);
  expect_status (r, 200);
  g_autoptr (JsonNode) root = json_from_string (g_bytes_get_data (r->body, NULL), NULL);
  JsonObject *audio = json_object_get_object_member (json_node_get_object (root), "audio");
  g_assert_nonnull (audio);
  if (lost)
    *lost = json_object_get_int_member (audio, "packets_lost");
  return json_object_get_int_member (audio, "packets_received");
}

static gint64
audio_packets (const char *code)
{
  return audio_packets_and_lost (code, NULL);
}

/* Until the status counts more than `than` audio packets. */
static gint64
wait_audio_packets (const char *code, gint64 than, gint64 *lost)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  gint64 n;
  while ((n = audio_packets_and_lost (code, lost)) <= than)
    {
      if (g_get_monotonic_time () > end)
        g_error ("%s: %" G_GINT64_FORMAT " audio packets, waiting for more than %" G_GINT64_FORMAT,
                 code, n, than);
      g_usleep (100 * 1000);
    }
  return n;
}

static gint64
iso_ms (JsonObject *o, const char *member)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_iso8601 (json_object_get_string_member (o, member),
                                                          NULL);
  g_assert_nonnull (t);
  return g_date_time_to_unix (t) * 1000 + g_date_time_get_microsecond (t) / 1000;
}

typedef struct {
  gsize samples;
  double s1_440, s2_440, s1_880, s2_880; /* Goertzel states */
  double c440, c880;
} Tone;

static void
goertzel (double *s1, double *s2, double coeff, double x)
{
  double s0 = x + coeff * *s1 - *s2;
  *s2 = *s1;
  *s1 = s0;
}

static double
power (double s1, double s2, double coeff)
{
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/* Decodes the Ogg/Opus file as a browser would, and measures it: the
 * samples it decodes to, the duration its granule positions declare, and
 * the energy at 440 Hz against 880 Hz. */
static void
decode (const char *path, Tone *tone, gint64 *declared_ns)
{
  g_autofree char *desc = g_strdup_printf (
      "filesrc location=\"%s\" ! oggdemux name=demux ! opusparse ! opusdec ! audioconvert ! "
      "audioresample ! audio/x-raw,format=F64LE,channels=1,rate=48000 ! "
      "appsink name=sink sync=false", path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_autoptr (GstElement) demux = gst_bin_get_by_name (GST_BIN (pipeline), "demux");
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PAUSED), !=, GST_STATE_CHANGE_FAILURE);
  g_assert_cmpint (gst_element_get_state (pipeline, NULL, NULL, 10 * GST_SECOND), ==,
                   GST_STATE_CHANGE_SUCCESS);
  *declared_ns = -1;
  g_assert_true (gst_element_query_duration (demux, GST_FORMAT_TIME, declared_ns));
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  memset (tone, 0, sizeof *tone);
  tone->c440 = 2 * cos (2 * G_PI * 440 / 48000);
  tone->c880 = 2 * cos (2 * G_PI * 880 / 48000);
  for (;;)
    {
      g_autoptr (GstSample) sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND);
      if (!sample)
        break;
      GstMapInfo map;
      GstBuffer *buf = gst_sample_get_buffer (sample);
      g_assert_true (gst_buffer_map (buf, &map, GST_MAP_READ));
      const double *x = (const double *) map.data;
      for (gsize i = 0; i < map.size / sizeof (double); i++)
        {
          goertzel (&tone->s1_440, &tone->s2_440, tone->c440, x[i]);
          goertzel (&tone->s1_880, &tone->s2_880, tone->c880, x[i]);
        }
      tone->samples += map.size / sizeof (double);
      gst_buffer_unmap (buf, &map);
    }
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) err = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (err)
    {
      g_autoptr (GError) e = NULL;
      gst_message_parse_error (err, &e, NULL);
      g_error ("decoding the clip: %s", e->message);
    }
  g_assert_true (gst_app_sink_is_eos (GST_APP_SINK (sink)));
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

static void
test_floor_turn (void)
{
  Client *events = client_connect_with (NULL, CHAIR, TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, relay_process_child_setup, NULL, NULL);
  g_autoptr (GSubprocess) publisher = g_subprocess_launcher_spawn (
      launcher, &error, WHIP_PUBLISH, "--base-url", relay->base_url, "--province", "TH-50",
      "--token", CM, "--media-dir", TEST_MEDIA, "--audio-file", "opus-48k.ogg", "--duration", "0",
      NULL);
  g_assert_no_error (error);
  g_autoptr (GDataInputStream) lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (publisher));
  wait_connected (lines);
  wait_live ("TH-50");

  /* A snapshot from before the turn: no more than what had come by then. */
  gint64 given_ms = g_get_real_time () / 1000;
  gint64 lost_before;
  gint64 before = audio_packets_and_lost ("TH-50", &lost_before);
  g_autoptr (Reply) give = call ("PUT", "/api/v1/conference/floor", CHAIR, "{\"province\":\"TH-50\"}", NULL);
  expect_status (give, 200);
  wait_audio_packets ("TH-50", before + TURN_PACKETS - 1, NULL);
  gint64 taking_ms = g_get_real_time () / 1000;
  g_autoptr (Reply) back = call ("DELETE", "/api/v1/conference/floor", CHAIR, NULL, NULL);
  expect_status (back, 200);
  /* The next snapshot is taken after the turn: at least what came during it. */
  gint64 lost_after;
  gint64 after = wait_audio_packets ("TH-50", audio_packets ("TH-50"), &lost_after);
  gint64 lost = lost_after - lost_before;

  /* The clip is stored after the turn: its event says when. */
  JsonObject *clip = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  for (guint seen = 0; !clip && g_get_monotonic_time () < deadline;)
    {
      g_main_context_iteration (NULL, FALSE);
      for (; seen < events->messages->len && !clip; seen++)
        if (strstr (events->messages->pdata[seen], "\"type\":\"clip\""))
          clip = message_object (events, seen, parser);
      g_usleep (10 * 1000);
    }
  g_assert_nonnull (clip);
  g_assert_cmpstr (json_object_get_string_member (clip, "province"), ==, "TH-50");
  gint64 id = json_object_get_int_member (clip, "id");
  g_autofree char *url = g_strdup_printf ("/api/v1/clips/%" G_GINT64_FORMAT ".ogg", id);
  g_assert_cmpstr (json_object_get_string_member (clip, "url"), ==, url);
  g_assert_cmpstr (json_object_get_string_member (clip, "reason"), ==, "floor-taken-back");
  gint64 duration_ms = json_object_get_int_member (clip, "duration_ms");
  gint64 start_ms = iso_ms (clip, "start"), end_ms = iso_ms (clip, "end");
  gint64 turn_ms = end_ms - start_ms;
  g_test_message ("clip %" G_GINT64_FORMAT ": %" G_GINT64_FORMAT " ms of a %" G_GINT64_FORMAT
                  " ms turn; %" G_GINT64_FORMAT " packets received around it, %" G_GINT64_FORMAT
                  " lost",
                  id, duration_ms, turn_ms, after - before, lost);
  /* The turn the relay recorded follows the floor (the same machine's
   * clock, milliseconds rounded down): it starts once the floor is given
   * and ends once it is taken back (the recorder hears of both on its own
   * thread, so not necessarily before the requests are answered). */
  g_assert_cmpint (start_ms, >=, given_ms);
  g_assert_cmpint (start_ms, <, end_ms);
  g_assert_cmpint (end_ms, >=, taking_ms);
  /* And no more audio than the relay received around it, the gaps of lost
   * packets included (20 ms packets). */
  g_assert_cmpint (duration_ms, <=, (after - before + lost) * 20);

  /* Listed for today (the default) and for the province. */
  g_autoptr (Reply) list = call ("GET", "/api/v1/clips?province=TH-50", VIEWER, NULL, NULL);
  expect_status (list, 200);
  g_autoptr (JsonParser) lp = json_parser_new ();
  g_assert_true (json_parser_load_from_data (lp, g_bytes_get_data (list->body, NULL),
                                             (gssize) g_bytes_get_size (list->body), NULL));
  JsonArray *clips = json_object_get_array_member (json_node_get_object (json_parser_get_root (lp)),
                                                   "clips");
  g_assert_cmpuint (json_array_get_length (clips), ==, 1);
  JsonObject *listed = json_array_get_object_element (clips, 0);
  g_assert_cmpint (json_object_get_int_member (listed, "id"), ==, id);
  g_assert_cmpint (json_object_get_int_member (listed, "duration_ms"), ==, duration_ms);
  /* The list's link is signed, for an <audio src> (docs/API.md, "Signed
   * links"). */
  const char *link = json_object_get_string_member (listed, "url");
  g_autofree char *signed_prefix = g_strdup_printf ("%s?scope=all&expires=", url);
  g_assert_true (g_str_has_prefix (link, signed_prefix));
  g_assert_nonnull (strstr (link, "&sig="));
  g_assert_true (json_object_has_member (listed, "start"));
  g_assert_true (json_object_has_member (listed, "end"));
  g_assert_true (json_object_has_member (listed, "name_en"));
  g_autoptr (Reply) other = call ("GET", "/api/v1/clips?province=TH-11", VIEWER, NULL, NULL);
  expect_status (other, 200);
  g_assert_nonnull (strstr (g_bytes_get_data (other->body, NULL), "\"clips\":[]"));

  /* The whole file, by the signed link without a token, as an <audio src>
   * fetches it. */
  g_autoptr (Reply) file = call ("GET", link, NULL, NULL, NULL);
  expect_status (file, 200);
  g_assert_cmpstr (soup_message_headers_get_one (file->headers, "Cache-Control"), ==, "no-store");
  g_assert_cmpstr (soup_message_headers_get_content_type (file->headers, NULL), ==, "audio/ogg");
  g_assert_cmpstr (soup_message_headers_get_one (file->headers, "Accept-Ranges"), ==, "bytes");
  gsize size = g_bytes_get_size (file->body);
  g_assert_cmpuint (size, >, 1000);
  g_assert_cmpuint (size, <, 1000000);
  g_assert_cmpmem (g_bytes_get_data (file->body, NULL), 4, "OggS", 4);

  g_autofree char *ogg = g_build_filename (relay->dir, "clip.ogg", NULL);
  g_assert_true (g_file_set_contents (ogg, g_bytes_get_data (file->body, NULL), (gssize) size, NULL));
  Tone tone;
  gint64 declared_ns;
  decode (ogg, &tone, &declared_ns);
  double seconds = tone.samples / 48000.0;
  double p440 = power (tone.s1_440, tone.s2_440, tone.c440);
  double p880 = power (tone.s1_880, tone.s2_880, tone.c880);
  g_test_message ("decoded %.3f s, declared %.3f s, 440 Hz/880 Hz power %.3g", seconds,
                  declared_ns / 1e9, p440 / MAX (p880, 1e-12));
  /* The file declares no more than the event says and decodes to no more
   * than it declares (to within one 20 ms packet), and what it holds is
   * the tone. On an idle machine all three are equal; a starved relay
   * drops and reorders packets on the loopback, and then the file came out
   * shorter than its event (5.0 s said, 3.62 s declared, 2.8 s decoded,
   * with 95 packets lost around the turn). */
  g_assert_cmpuint (tone.samples, >, 0);
  g_assert_cmpfloat (declared_ns / 1e6, <=, duration_ms + 20);
  g_assert_cmpfloat (seconds * 1000, <=, declared_ns / 1e6 + 20);
  g_assert_cmpfloat (p440, >, 100 * p880);

  /* Byte ranges, for seeking. */
  g_autoptr (Reply) head = call ("GET", url, VIEWER, NULL, "bytes=0-99");
  expect_status (head, 206);
  g_assert_cmpuint (g_bytes_get_size (head->body), ==, 100);
  g_autofree char *content_range = g_strdup_printf ("bytes 0-99/%" G_GSIZE_FORMAT, size);
  g_assert_cmpstr (soup_message_headers_get_one (head->headers, "Content-Range"), ==, content_range);
  g_assert_cmpmem (g_bytes_get_data (head->body, NULL), 100, g_bytes_get_data (file->body, NULL), 100);
  g_autoptr (Reply) tail = call ("GET", url, VIEWER, NULL, "bytes=-10");
  expect_status (tail, 206);
  g_assert_cmpmem (g_bytes_get_data (tail->body, NULL), 10,
                   (const char *) g_bytes_get_data (file->body, NULL) + size - 10, 10);
  g_autoptr (Reply) past = call ("GET", url, VIEWER, NULL, "bytes=1000000-");
  expect_status (past, 416);
  g_autofree char *unsatisfied = g_strdup_printf ("bytes */%" G_GSIZE_FORMAT, size);
  g_assert_cmpstr (soup_message_headers_get_one (past->headers, "Content-Range"), ==, unsatisfied);

  /* Refusals. */
  g_autoptr (Reply) anonymous = call ("GET", url, NULL, NULL, NULL);
  expect_status (anonymous, 401);
  g_autoptr (Reply) wrong = call ("GET", "/api/v1/clips", "not-a-token", NULL, NULL);
  expect_status (wrong, 401);
  /* A token in the URL is refused, valid or not, header or not. */
  g_autofree char *with_token = g_strdup_printf ("%s?token=%s", url, VIEWER);
  g_autoptr (Reply) token_q = call ("GET", with_token, NULL, NULL, NULL);
  expect_status (token_q, 400);
  g_assert_nonnull (strstr (g_bytes_get_data (token_q->body, NULL), "\"token-in-url\""));
  g_autofree char *wrong_query = g_strdup_printf ("%s?token=nope", url);
  g_autoptr (Reply) wrong_q = call ("GET", wrong_query, VIEWER, NULL, NULL);
  expect_status (wrong_q, 400);
  g_autoptr (Reply) province = call ("GET", url, CM, NULL, NULL);
  expect_status (province, 403);
  g_autoptr (Reply) unknown = call ("GET", "/api/v1/clips/999999.ogg", VIEWER, NULL, NULL);
  expect_status (unknown, 404);
  g_autoptr (Reply) bad_date = call ("GET", "/api/v1/clips?date=2026-02-30", VIEWER, NULL, NULL);
  expect_status (bad_date, 400);
  g_autoptr (Reply) old_day = call ("GET", "/api/v1/clips?date=2020-01-01", VIEWER, NULL, NULL);
  expect_status (old_day, 200);
  g_assert_nonnull (strstr (g_bytes_get_data (old_day->body, NULL), "\"clips\":[]"));

  g_subprocess_send_signal (publisher, SIGTERM);
  g_assert_true (g_subprocess_wait (publisher, NULL, NULL));
  client_free (events);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  relay = relay_process_start ("[viewer chair]\nrole=chair\ntoken=" CHAIR "\n"
                               "[viewer wall]\nrole=viewer\ntoken=" VIEWER "\n");
  http = soup_session_new_with_options ("timeout", 20, NULL);
  g_test_add_func ("/clips/floor-turn", test_floor_turn);
  int rc = g_test_run ();
  g_object_unref (http);
  relay_process_stop (relay);
  return rc;
}
