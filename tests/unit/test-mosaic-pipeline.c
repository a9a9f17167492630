/* The mosaic end to end: solid-colour frames pushed for a few offices, the
 * RTP it hands out decoded in the test, colours measured where
 * describe_layout says each tile is. */
#include <gst/gst.h>
#include <string.h>

#include "pipelines/mosaic-pipeline.h"
#include "video-check.h"

#define RED 0xe02020
#define GREEN 0x20c020
#define BLUE 0x2040e0
#define YELLOW 0xe0e020

typedef struct {
  const char *id;
  guint32 rgb;
} Live;

typedef struct {
  RelayConfig *config;
  RelayMosaic *mosaic;
  VideoCheck *vc;
  int width, height;
} Setup;

static Setup *
setup_new (RelayCodec codec, int width, int height, gboolean by_region)
{
  Setup *s = g_new0 (Setup, 1);
  g_autoptr (GError) error = NULL;
  s->config = relay_config_load (NULL, &error);
  g_assert_no_error (error);
  s->config->mosaic_width = width;
  s->config->mosaic_height = height;
  s->config->mosaic_framerate = 15;
  s->config->mosaic_bitrate_kbps = 2000;
  s->config->mosaic_order_by_region = by_region;
  s->config->output_codec = codec;
  s->width = width;
  s->height = height;
  s->vc = video_check_new (codec);
  s->mosaic = relay_mosaic_new (s->config, video_check_rtp, s->vc, &error);
  g_assert_no_error (error);
  g_assert_nonnull (s->mosaic);
  return s;
}

static void
setup_free (Setup *s)
{
  relay_mosaic_free (s->mosaic);
  video_check_free (s->vc);
  relay_config_free (s->config);
  g_free (s);
}

/* Pushes each live participant's colour at 15 fps for `ms`. */
static void
pump (Setup *s, const Live *live, guint n, guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;
  while (g_get_monotonic_time () < end)
    {
      for (guint i = 0; i < n; i++)
        {
          GstVideoInfo info;
          GstBuffer *frame = video_check_solid_frame (live[i].rgb, 320, 180, &info);
          relay_mosaic_push_frame (s->mosaic, live[i].id, frame, &info);
          gst_buffer_unref (frame);
        }
      g_usleep (66 * 1000);
    }
}

typedef struct {
  int x, y, w, h;
} TestRect;

static gboolean
find_rect (RelayMosaic *mosaic, const char *id, TestRect *r)
{
  g_autoptr (JsonNode) layout = relay_mosaic_describe_layout (mosaic);
  JsonArray *tiles = json_node_get_array (layout);
  for (guint i = 0; i < json_array_get_length (tiles); i++)
    {
      JsonObject *t = json_array_get_object_element (tiles, i);
      if (strcmp (json_object_get_string_member (t, "id"), id) == 0)
        {
          r->x = json_object_get_int_member (t, "x");
          r->y = json_object_get_int_member (t, "y");
          r->w = json_object_get_int_member (t, "width");
          r->h = json_object_get_int_member (t, "height");
          return TRUE;
        }
    }
  return FALSE;
}

/* The picture part of a tile: its middle, above the name band. */
/* FALSE before the first decoded picture. */
static gboolean
tile_colour (Setup *s, const char *id, int yuv[3])
{
  TestRect r;
  g_assert_true (find_rect (s->mosaic, id, &r));
  yuv[0] = yuv[1] = yuv[2] = -1;
  return video_check_median (s->vc, r.x + r.w / 4, r.y + r.h / 8, MAX (r.w / 2, 2),
                             MAX (r.h / 2, 2), yuv);
}

static gboolean
tile_is (Setup *s, const char *id, guint32 rgb, int tolerance, int got[3])
{
  int want[3];
  video_check_rgb_to_yuv (rgb, want);
  return tile_colour (s, id, got) && video_check_near (want, got, tolerance);
}

/* The tile shows about that colour within `ms` (the live offices sending
 * all along): loaded machines decode late, so wait rather than sleep. */
static void
wait_tile (Setup *s, const Live *live, guint n, const char *id, guint32 rgb, int tolerance,
           guint ms)
{
  int got[3];
  /* Under ASan on a loaded 2-core machine the encoder manages a few frames
   * a second: the wait is generous, it only costs time when failing. */
  gint64 end = g_get_monotonic_time () + (gint64) ms * 4000;
  while (!tile_is (s, id, rgb, tolerance, got))
    {
      if (g_get_monotonic_time () > end)
        {
          RelayMosaicStats st;
          relay_mosaic_get_stats (s->mosaic, &st);
          g_error ("tile %s: YUV %d,%d,%d, not about #%06x (%u pictures decoded, %" G_GUINT64_FORMAT
                   " encoded)",
                   id, got[0], got[1], got[2], rgb, s->vc->frames, st.frames_out);
        }
      pump (s, live, n, 100);
    }
}

static void
assert_tile (Setup *s, const char *id, guint32 rgb, int tolerance)
{
  wait_tile (s, NULL, 0, id, rgb, tolerance, 0);
}

static void
test_tiles_and_cards (void)
{
  gint64 started_at = g_get_monotonic_time ();
  Setup *s = setup_new (RELAY_CODEC_VP8, 960, 540, TRUE);
  g_autoptr (JsonNode) layout = relay_mosaic_describe_layout (s->mosaic);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (layout)), ==, 77);

  Live live[] = { { "central", BLUE }, { "TH-11", RED }, { "TH-50", GREEN } };
  guint n = G_N_ELEMENTS (live);
  for (guint i = 0; i < n; i++)
    relay_mosaic_set_connected (s->mosaic, live[i].id, TRUE);
  gint64 connected_at = g_get_monotonic_time ();
  relay_mosaic_set_connected (s->mosaic, "TH-57", TRUE); /* connected, never a frame */
  wait_tile (s, live, n, "central", BLUE, 24, 5000);
  wait_tile (s, live, n, "TH-11", RED, 24, 1000);
  wait_tile (s, live, n, "TH-50", GREEN, 24, 1000);

  /* Not connected: the offline card, grey. */
  wait_tile (s, live, n, "TH-12", RELAY_TILE_OFFLINE_RGB, 20, 1000);
  int offline[3];
  g_assert_true (tile_colour (s, "TH-12", offline));

  /* Connected without frames: for 2 s as it is, then the lost card (not
   * the offline one). */
  int early[3];
  if (g_get_monotonic_time () - connected_at < 1500 * 1000)
    g_assert_false (tile_is (s, "TH-57", RELAY_TILE_LOST_RGB, 20, early));
  wait_tile (s, live, n, "TH-57", RELAY_TILE_LOST_RGB, 20, 4000);
  g_assert_cmpint (g_get_monotonic_time () - connected_at, >=, 2 * G_USEC_PER_SEC);
  int lost[3];
  g_assert_true (tile_colour (s, "TH-57", lost));
  g_assert_cmpint (lost[2] - offline[2], >, 25);
  /* Live tiles kept their colour all along (the compositor repeats the last
   * buffer of a pad that got no new one). */
  assert_tile (s, "TH-50", GREEN, 24);

  /* Frames again: live video replaces the card. And TH-11 stops sending
   * (its last frame went in at most one pump round before this). */
  Live back[] = { { "central", BLUE }, { "TH-57", YELLOW } };
  gint64 stopped_at = g_get_monotonic_time ();
  wait_tile (s, back, G_N_ELEMENTS (back), "TH-57", YELLOW, 24, 2000);

  /* A live office that stops sending: signal lost after 2 s. */
  wait_tile (s, back, G_N_ELEMENTS (back), "TH-11", RELAY_TILE_LOST_RGB, 20, 5000);
  g_assert_cmpint (g_get_monotonic_time () - stopped_at, >=, 1800 * 1000);
  relay_mosaic_set_connected (s->mosaic, "TH-11", FALSE);
  wait_tile (s, back, G_N_ELEMENTS (back), "TH-11", RELAY_TILE_OFFLINE_RGB, 20, 2000);
  pump (s, back, G_N_ELEMENTS (back), 300);

  RelayMosaicStats st;
  relay_mosaic_get_stats (s->mosaic, &st);
  g_test_message ("frames in %" G_GUINT64_FORMAT " out %" G_GUINT64_FORMAT
                  " fps %.1f latency p50 %" G_GINT64_FORMAT " p99 %" G_GINT64_FORMAT " us",
                  st.frames_in, st.frames_out, st.fps, st.latency_p50_us, st.latency_p99_us);
  g_assert_cmpuint (st.frames_in, >, 50);
  /* Output flows, never faster than configured. No lower bound on the
   * rate: the machines that run the tests are often loaded, and media
   * threads run at nice 5 (a load of 10 left them ~1 fps). */
  double elapsed_s = (g_get_monotonic_time () - started_at) / (double) G_USEC_PER_SEC;
  g_assert_cmpuint (st.frames_out, >, 10);
  g_assert_cmpfloat ((double) st.frames_out, <=, elapsed_s * 15 + 2);
  g_assert_cmpfloat (st.fps, >, 0);
  g_assert_cmpfloat (st.fps, <, 17);
  g_assert_cmpint (st.latency_p50_us, >, 0);
  g_assert_cmpint (st.latency_p99_us, >=, st.latency_p50_us);
  g_assert_cmpuint (s->vc->bad_kind, ==, 0);
  g_assert_cmpuint (s->vc->keyframe_packets, >=, 1);
  g_assert_cmpint (s->vc->last_capture_us, >, 0);
  setup_free (s);
}

/* Median luma of the 2 rows in the gap above a tile. */
static int
border_luma (Setup *s, const TestRect *r)
{
  int yuv[3] = { -1, -1, -1 };
  video_check_median (s->vc, r->x, r->y - 3, r->w, 2, yuv);
  return yuv[0];
}

static void
wait_border (Setup *s, const Live *live, const TestRect *r, gboolean lit)
{
  gint64 end = g_get_monotonic_time () + 12 * G_USEC_PER_SEC; /* generous: ASan on a loaded machine */
  int y;
  while (lit ? (y = border_luma (s, r)) <= 100 : (y = border_luma (s, r)) >= 50)
    {
      if (g_get_monotonic_time () > end)
        g_error ("border luma %d, expected %s", y, lit ? "> 100" : "< 50");
      pump (s, live, 1, 100);
    }
}

static void
test_highlight (void)
{
  Setup *s = setup_new (RELAY_CODEC_VP8, 960, 540, TRUE);
  Live live[] = { { "TH-50", GREEN } };
  relay_mosaic_set_connected (s->mosaic, "TH-50", TRUE);
  wait_tile (s, live, 1, "TH-50", GREEN, 24, 5000);
  TestRect r;
  g_assert_true (find_rect (s->mosaic, "TH-50", &r));
  g_assert_cmpint (border_luma (s, &r), <, 50); /* the black gap */
  relay_mosaic_set_active_speaker (s->mosaic, "TH-50");
  wait_border (s, live, &r, TRUE);
  assert_tile (s, "TH-50", GREEN, 24); /* the picture itself is untouched */
  relay_mosaic_set_active_speaker (s->mosaic, NULL);
  wait_border (s, live, &r, FALSE);
  setup_free (s);
}

static void
test_spotlight (void)
{
  Setup *s = setup_new (RELAY_CODEC_VP8, 960, 540, TRUE);
  Live live[] = { { "central", BLUE }, { "TH-11", RED }, { "TH-50", GREEN } };
  guint n = G_N_ELEMENTS (live);
  for (guint i = 0; i < n; i++)
    relay_mosaic_set_connected (s->mosaic, live[i].id, TRUE);
  relay_mosaic_set_layout (s->mosaic, RELAY_LAYOUT_SPOTLIGHT, "TH-50");
  TestRect spot, central, small;
  g_assert_true (find_rect (s->mosaic, "TH-50", &spot));
  g_assert_true (find_rect (s->mosaic, "central", &central));
  g_assert_true (find_rect (s->mosaic, "TH-11", &small));
  g_assert_cmpint (spot.w, >=, s->width / 2);
  g_assert_cmpint (central.x, >=, spot.x + spot.w); /* beside it */
  g_assert_cmpint (small.w, <, s->width / 8);
  g_autoptr (JsonNode) layout = relay_mosaic_describe_layout (s->mosaic);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (layout)), ==, 77);
  wait_tile (s, live, n, "TH-50", GREEN, 24, 5000);
  wait_tile (s, live, n, "central", BLUE, 24, 1000);
  wait_tile (s, live, n, "TH-11", RED, 40, 1000);

  /* Back to the grid: same pads, moved back. */
  relay_mosaic_set_layout (s->mosaic, RELAY_LAYOUT_MOSAIC, NULL);
  g_assert_true (find_rect (s->mosaic, "TH-50", &spot));
  g_assert_cmpint (spot.w, <, s->width / 8);
  wait_tile (s, live, n, "TH-50", GREEN, 24, 2000);
  wait_tile (s, live, n, "TH-11", RED, 24, 1000);
  setup_free (s);
}

static guint
keyframe_packets (Setup *s)
{
  g_mutex_lock (&s->vc->lock);
  guint n = s->vc->keyframe_packets;
  g_mutex_unlock (&s->vc->lock);
  return n;
}

/* Encoded keyframes reach the RTP output (loaded machines: wait). */
static void
wait_keyframe_packets (Setup *s, guint n)
{
  gint64 end = g_get_monotonic_time () + 12 * G_USEC_PER_SEC; /* generous: ASan on a loaded machine */
  while (keyframe_packets (s) < n && g_get_monotonic_time () < end)
    pump (s, NULL, 0, 50);
  g_assert_cmpuint (keyframe_packets (s), >=, n);
}

static void
test_keyframe_rate_limit (void)
{
  Setup *s = setup_new (RELAY_CODEC_VP8, 640, 360, TRUE);
  wait_keyframe_packets (s, 1); /* the first frame */
  guint initial = keyframe_packets (s);
  RelayMosaicStats st;
  relay_mosaic_request_keyframe (s->mosaic);
  gint64 end = g_get_monotonic_time () + 12 * G_USEC_PER_SEC; /* generous: ASan on a loaded machine */
  do
    {
      pump (s, NULL, 0, 20);
      relay_mosaic_get_stats (s->mosaic, &st);
    }
  while (st.keyframes_forced < 1 && g_get_monotonic_time () < end);
  gint64 forced_at = g_get_monotonic_time ();
  g_assert_cmpuint (st.keyframes_forced, ==, 1);
  /* A second request within the second: not served yet. */
  relay_mosaic_request_keyframe (s->mosaic);
  pump (s, NULL, 0, 400);
  relay_mosaic_get_stats (s->mosaic, &st);
  if (g_get_monotonic_time () - forced_at < 900 * 1000)
    g_assert_cmpuint (st.keyframes_forced, ==, 1);
  wait_keyframe_packets (s, initial + 1);
  /* The second request is served once the second is over. */
  end = g_get_monotonic_time () + 12 * G_USEC_PER_SEC; /* generous: ASan on a loaded machine */
  do
    {
      pump (s, NULL, 0, 100);
      relay_mosaic_get_stats (s->mosaic, &st);
    }
  while (st.keyframes_forced < 2 && g_get_monotonic_time () < end);
  g_assert_cmpuint (st.keyframes_forced, ==, 2);
  wait_keyframe_packets (s, initial + 2);
  setup_free (s);
}

static void
test_h264 (void)
{
  Setup *s = setup_new (RELAY_CODEC_H264, 640, 360, TRUE);
  Live live[] = { { "central", BLUE }, { "TH-50", GREEN } };
  guint n = G_N_ELEMENTS (live);
  for (guint i = 0; i < n; i++)
    relay_mosaic_set_connected (s->mosaic, live[i].id, TRUE);
  wait_tile (s, live, n, "central", BLUE, 28, 5000);
  wait_tile (s, live, n, "TH-50", GREEN, 28, 1000);
  assert_tile (s, "TH-12", RELAY_TILE_OFFLINE_RGB, 20);
  pump (s, live, n, 300);
  g_assert_cmpuint (s->vc->frames, >, 3);
  g_assert_cmpuint (s->vc->bad_kind, ==, 0);
  g_assert_cmpuint (s->vc->keyframe_packets, >=, 1);
  g_assert_cmpint (s->vc->last_capture_us, >, 0); /* through x264enc's PTS offset */
  setup_free (s);
}

/* Tiles in reading order: (y, x). */
static gint
by_position (gconstpointer a, gconstpointer b)
{
  JsonObject *ta = json_node_get_object (*(JsonNode *const *) a);
  JsonObject *tb = json_node_get_object (*(JsonNode *const *) b);
  gint64 d = json_object_get_int_member (ta, "y") - json_object_get_int_member (tb, "y");
  if (!d)
    d = json_object_get_int_member (ta, "x") - json_object_get_int_member (tb, "x");
  return d < 0 ? -1 : d > 0;
}

static GPtrArray *
reading_order (RelayMosaic *mosaic)
{
  g_autoptr (JsonNode) layout = relay_mosaic_describe_layout (mosaic);
  JsonArray *tiles = json_node_get_array (layout);
  g_autoptr (GPtrArray) nodes = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (tiles); i++)
    g_ptr_array_add (nodes, json_array_get_element (tiles, i));
  g_ptr_array_sort (nodes, by_position);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < nodes->len; i++)
    g_ptr_array_add (ids, g_strdup (json_object_get_string_member (
                              json_node_get_object (nodes->pdata[i]), "id")));
  return ids;
}

static void
test_order (void)
{
  Setup *s = setup_new (RELAY_CODEC_VP8, 640, 360, TRUE);
  g_autoptr (GPtrArray) ids = reading_order (s->mosaic);
  g_assert_cmpuint (ids->len, ==, 77);
  g_assert_cmpstr (ids->pdata[0], ==, "central");
  for (guint i = 2; i < ids->len; i++)
    {
      RelayProvinceConfig *a = relay_config_find_province (s->config, ids->pdata[i - 1]);
      RelayProvinceConfig *b = relay_config_find_province (s->config, ids->pdata[i]);
      int c = strcmp (a->region, b->region);
      g_assert_true (c < 0 || (c == 0 && strcmp (a->code, b->code) < 0));
    }
  setup_free (s);

  s = setup_new (RELAY_CODEC_VP8, 640, 360, FALSE);
  g_autoptr (GPtrArray) roster = reading_order (s->mosaic);
  g_assert_cmpstr (roster->pdata[0], ==, "central");
  for (guint i = 0; i < s->config->provinces->len; i++)
    g_assert_cmpstr (roster->pdata[i + 1], ==,
                     ((RelayProvinceConfig *) s->config->provinces->pdata[i])->code);
  setup_free (s);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mosaic/tiles-and-cards", test_tiles_and_cards);
  g_test_add_func ("/mosaic/highlight", test_highlight);
  g_test_add_func ("/mosaic/spotlight", test_spotlight);
  g_test_add_func ("/mosaic/keyframe-rate-limit", test_keyframe_rate_limit);
  g_test_add_func ("/mosaic/h264", test_h264);
  g_test_add_func ("/mosaic/order", test_order);
  return g_test_run ();
}
