/* The mosaic end to end: solid-colour frames pushed for a few offices, the
 * RTP it hands out decoded in the test, colours measured where
 * describe_layout says each tile is.
 *
 * The mosaic runs on a GstTestClock the test steps one frame period at a
 * time (video-check.h): every frame is encoded and decoded before time
 * moves on. So the "signal lost" card after 2 s and the one forced
 * keyframe a second are checked in the stream's own time, exactly, and a
 * loaded machine only makes the test take longer. */
#include <gst/gst.h>
#include <string.h>

#include "pipelines/mosaic-pipeline.h"
#include "video-check.h"

#define RED 0xe02020
#define GREEN 0x20c020
#define BLUE 0x2040e0
#define YELLOW 0xe0e020

#define FPS 15
#define PERIOD (GST_SECOND / FPS)
#define SIGNAL_LOST (2 * GST_SECOND)

static GstTestClock *test_clock;

static GstClockTime
now (void)
{
  return gst_clock_get_time (GST_CLOCK (test_clock));
}

typedef struct {
  const char *id;
  guint32 rgb;
} Live;

typedef struct {
  RelayConfig *config;
  RelayMosaic *mosaic;
  VideoCheck *vc;
  int width, height;
  GstClockTime base;  /* the mosaic's running time 0 on the clock */
  guint produced;     /* compositor deadlines released */
  GstClockTime last_deadline;
  guint lag;          /* frames the encoder holds back */
  guint64 pushed;     /* frames pushed in */
  GstClockTime last_push_at;
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
  s->config->mosaic_framerate = FPS;
  s->config->mosaic_bitrate_kbps = 2000;
  s->config->mosaic_order_by_region = by_region;
  s->config->output_codec = codec;
  s->width = width;
  s->height = height;
  /* x264's two frame threads hold one frame back. */
  s->lag = codec == RELAY_CODEC_H264 ? 1 : 0;
  s->vc = video_check_new (codec);
  s->vc->ts_step = 90000 / FPS;
  /* The clock stands still: the pipeline starts (base time) right now. */
  s->base = now ();
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

static guint64
frames_out (Setup *s)
{
  RelayMosaicStats st;
  relay_mosaic_get_stats (s->mosaic, &st);
  return st.encoded.frames_out;
}

/* One frame period: each live participant's frame goes in (as its decoder
 * at 15 fps would deliver it), then the clock moves past the feeder's tick
 * (half a period in) and the compositor's deadline, and the frame that
 * deadline made is encoded and decoded before anything else happens. */
static void
step (Setup *s, const Live *live, guint n)
{
  s->last_push_at = now ();
  for (guint i = 0; i < n; i++)
    {
      GstVideoInfo info;
      GstBuffer *frame = video_check_solid_frame (live[i].rgb, 320, 180, &info);
      relay_mosaic_push_frame (s->mosaic, live[i].id, frame, &info);
      gst_buffer_unref (frame);
      s->pushed++;
    }
  GstClockTime target = now () + PERIOD;
  while (now () < target)
    {
      /* The feeder's tick and the compositor's deadline (which it may wait
       * for again when woken early: one frame a deadline). */
      GstClockTime t = video_check_crank (test_clock, 2);
      if ((t - s->base + PERIOD / 4) % PERIOD < PERIOD / 2 && (!s->produced || t != s->last_deadline))
        {
          s->produced++;
          s->last_deadline = t;
        }
    }
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (frames_out (s) + s->lag < s->produced)
    {
      if (g_get_monotonic_time () > end)
        g_error ("%" G_GUINT64_FORMAT " frames encoded of %u", frames_out (s), s->produced);
      g_usleep (200);
    }
  guint encoded = (guint) frames_out (s);
  video_check_wait_count (s->vc, &s->vc->frames, encoded, "frames decoded");
}

static void
run (Setup *s, const Live *live, guint n, guint frames)
{
  for (guint i = 0; i < frames; i++)
    step (s, live, n);
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

/* The tile shows about that colour within `frames` frame periods of the
 * stream (the live offices sending all along). */
static void
wait_tile (Setup *s, const Live *live, guint n, const char *id, guint32 rgb, int tolerance,
           guint frames)
{
  int got[3];
  for (guint i = 0; !tile_is (s, id, rgb, tolerance, got); i++)
    {
      if (i == frames)
        g_error ("tile %s: YUV %d,%d,%d, not about #%06x after %u frames (%u pictures decoded)", id,
                 got[0], got[1], got[2], rgb, frames, s->vc->frames);
      step (s, live, n);
    }
}

/* In the newest picture. */
static void
assert_tile (Setup *s, const char *id, guint32 rgb, int tolerance)
{
  wait_tile (s, NULL, 0, id, rgb, tolerance, 0);
}

/* A tile that should show `rgb` until `until` on the clock, then the lost
 * card within a few frames: each picture up to then is checked, and the
 * first lost one must come no earlier than `until`. */
static void
assert_lost_at (Setup *s, const Live *live, guint n, const char *id, guint32 rgb, int tolerance,
                GstClockTime until)
{
  int got[3];
  /* The last frame period that ends before `until`. */
  while (now () + PERIOD < until)
    {
      step (s, live, n);
      if (!tile_is (s, id, rgb, tolerance, got))
        g_error ("tile %s: YUV %d,%d,%d at %.3f s before the lost card is due, not about #%06x",
                 id, got[0], got[1], got[2], (double) (until - now ()) / GST_SECOND, rgb);
    }
  GstClockTime lost_at = GST_CLOCK_TIME_NONE;
  for (guint i = 0; i < 4 && !GST_CLOCK_TIME_IS_VALID (lost_at); i++)
    {
      step (s, live, n);
      if (tile_is (s, id, RELAY_TILE_LOST_RGB, 20, got))
        lost_at = s->vc->latest_at;
      else if (!tile_is (s, id, rgb, tolerance, got))
        g_error ("tile %s: YUV %d,%d,%d, neither #%06x nor the lost card", id, got[0], got[1],
                 got[2], rgb);
    }
  if (!GST_CLOCK_TIME_IS_VALID (lost_at))
    g_error ("tile %s: no lost card %.3f s after it was due", id,
             (double) (now () - until) / GST_SECOND);
  /* The picture that first shows it was made at or after `until`. */
  g_assert_cmpuint (lost_at, >=, until);
}

static void
test_tiles_and_cards (void)
{
  Setup *s = setup_new (RELAY_CODEC_VP8, 960, 540, TRUE);
  g_autoptr (JsonNode) layout = relay_mosaic_describe_layout (s->mosaic);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (layout)), ==, 77);

  Live live[] = { { "central", BLUE }, { "TH-11", RED }, { "TH-50", GREEN } };
  guint n = G_N_ELEMENTS (live);
  for (guint i = 0; i < n; i++)
    relay_mosaic_set_connected (s->mosaic, live[i].id, TRUE);
  wait_tile (s, live, n, "central", BLUE, 24, 15);
  wait_tile (s, live, n, "TH-11", RED, 24, 5);
  wait_tile (s, live, n, "TH-50", GREEN, 24, 5);

  /* Not connected: the offline card, grey. */
  assert_tile (s, "TH-12", RELAY_TILE_OFFLINE_RGB, 20);
  int offline[3];
  g_assert_true (tile_colour (s, "TH-12", offline));

  /* Connected without frames: the offline card for 2 s (every picture
   * until then), then the lost card (not the offline one). */
  GstClockTime connected_at = now ();
  relay_mosaic_set_connected (s->mosaic, "TH-57", TRUE);
  assert_lost_at (s, live, n, "TH-57", RELAY_TILE_OFFLINE_RGB, 20, connected_at + SIGNAL_LOST);
  int lost[3];
  g_assert_true (tile_colour (s, "TH-57", lost));
  g_assert_cmpint (lost[2] - offline[2], >, 25);
  /* Live tiles kept their colour all along (the compositor repeats the last
   * buffer of a pad that got no new one). */
  assert_tile (s, "TH-50", GREEN, 24);

  /* Frames again: live video replaces the card. And TH-11 stops sending:
   * its last frame stays for 2 s, then the lost card. */
  Live back[] = { { "central", BLUE }, { "TH-57", YELLOW } };
  GstClockTime th11_last = s->last_push_at;
  wait_tile (s, back, G_N_ELEMENTS (back), "TH-57", YELLOW, 24, 5);
  assert_lost_at (s, back, G_N_ELEMENTS (back), "TH-11", RED, 24, th11_last + SIGNAL_LOST);
  relay_mosaic_set_connected (s->mosaic, "TH-11", FALSE);
  wait_tile (s, back, G_N_ELEMENTS (back), "TH-11", RELAY_TILE_OFFLINE_RGB, 20, 3);

  /* Output flows at the configured rate of its own clock: a second of it
   * is 15 more frames (give or take the one being encoded), each whole
   * frame periods after the last in RTP time. */
  guint64 before = frames_out (s);
  run (s, back, G_N_ELEMENTS (back), FPS);
  guint64 more = frames_out (s) - before;
  g_assert_cmpuint (more, >=, FPS - 1);
  g_assert_cmpuint (more, <=, FPS + 1);

  RelayMosaicStats st;
  relay_mosaic_get_stats (s->mosaic, &st);
  g_test_message ("frames in %" G_GUINT64_FORMAT " out %" G_GUINT64_FORMAT
                  "; latency p50 %" G_GINT64_FORMAT " p99 %" G_GINT64_FORMAT " us",
                  st.frames_in, st.encoded.frames_out, st.encoded.latency_p50_us, st.encoded.latency_p99_us);
  /* Every frame pushed in was taken in. */
  g_assert_cmpuint (st.frames_in, ==, s->pushed);
  g_assert_cmpint (st.encoded.latency_p50_us, >, 0);
  g_assert_cmpint (st.encoded.latency_p99_us, >=, st.encoded.latency_p50_us);
  g_assert_cmpuint (s->vc->bad_kind, ==, 0);
  g_assert_cmpuint (s->vc->keyframe_packets, >=, 1);
  g_assert_cmpint (s->vc->last_capture_us, >, 0);
  g_assert_cmpuint (s->vc->rtp_frames, >, FPS);
  g_assert_cmpuint (s->vc->bad_ts_steps, ==, 0);
  setup_free (s);
}

/* An office whose video is refused (over the ingest limits) shows the
 * over-limit card, even with frames still coming in (those decoded
 * before the refusal), and its picture once it is decoded again. */
static void
test_over_limit_card (void)
{
  Setup *s = setup_new (RELAY_CODEC_VP8, 960, 540, TRUE);
  Live live[] = { { "TH-11", RED }, { "TH-50", GREEN } };
  guint n = G_N_ELEMENTS (live);
  for (guint i = 0; i < n; i++)
    relay_mosaic_set_connected (s->mosaic, live[i].id, TRUE);
  wait_tile (s, live, n, "TH-50", GREEN, 24, 15);
  relay_mosaic_set_video_refused (s->mosaic, "TH-50", TRUE);
  wait_tile (s, live, n, "TH-50", RELAY_TILE_OVER_LIMIT_RGB, 20, 3);
  /* Not the lost nor the offline card; its neighbour is untouched. */
  int got[3];
  g_assert_false (tile_is (s, "TH-50", RELAY_TILE_LOST_RGB, 20, got));
  g_assert_false (tile_is (s, "TH-50", RELAY_TILE_OFFLINE_RGB, 20, got));
  assert_tile (s, "TH-11", RED, 24);
  run (s, live, n, FPS);
  assert_tile (s, "TH-50", RELAY_TILE_OVER_LIMIT_RGB, 20);
  /* Gone offline while refused: the offline card. */
  relay_mosaic_set_connected (s->mosaic, "TH-50", FALSE);
  wait_tile (s, live, n, "TH-50", RELAY_TILE_OFFLINE_RGB, 20, 3);
  relay_mosaic_set_connected (s->mosaic, "TH-50", TRUE);
  wait_tile (s, live, n, "TH-50", RELAY_TILE_OVER_LIMIT_RGB, 20, 3);
  relay_mosaic_set_video_refused (s->mosaic, "TH-50", FALSE);
  wait_tile (s, live, n, "TH-50", GREEN, 24, 5);
  setup_free (s);
}

/* The median colour of two rows of the gap above a tile's picture, `from`
 * rows above it, over the middle half of its width. */
static void
gap_colour (Setup *s, const TestRect *r, int from, int yuv[3])
{
  yuv[0] = yuv[1] = yuv[2] = -1;
  g_assert_true (video_check_median (s->vc, r->x + r->w / 4, r->y - from, r->w / 2, 2, yuv));
}

static gboolean
gap_is (Setup *s, const TestRect *r, int from, guint32 rgb, int got[3])
{
  int want[3];
  video_check_rgb_to_yuv (rgb, want);
  gap_colour (s, r, from, got);
  return video_check_near (want, got, 28);
}

/* The gap `from` rows above the tile of `id` shows `rgb` within a few
 * frames of a change. */
static void
wait_gap (Setup *s, const Live *live, guint n, const char *id, int from, guint32 rgb)
{
  TestRect r;
  g_assert_true (find_rect (s->mosaic, id, &r));
  int got[3];
  for (guint i = 0; !gap_is (s, &r, from, rgb, got); i++)
    {
      if (i == 5)
        g_error ("the gap %d rows above %s: YUV %d,%d,%d, not about #%06x", from, id, got[0],
                 got[1], got[2], rgb);
      step (s, live, n);
    }
}

#define BLACK 0x000000

/* At 1920x1080 a grid tile is 213x120 with an 8-px gap around its
 * picture: the floor holder's border fills it, the active speaker's too,
 * or its inner half when the floor holder is the speaker. */
static void
test_marks (void)
{
  Setup *s = setup_new (RELAY_CODEC_VP8, 1920, 1080, TRUE);
  Live live[] = { { "TH-50", GREEN }, { "TH-11", RED } };
  guint n = G_N_ELEMENTS (live);
  for (guint i = 0; i < n; i++)
    relay_mosaic_set_connected (s->mosaic, live[i].id, TRUE);
  wait_tile (s, live, n, "TH-50", GREEN, 24, 15);
  wait_tile (s, live, n, "TH-11", RED, 24, 5);
  TestRect r;
  g_assert_true (find_rect (s->mosaic, "TH-50", &r));
  g_assert_cmpint (r.w, ==, 196);
  g_assert_cmpint (r.h, ==, 104);
  /* No marks: the black gap. */
  wait_gap (s, live, n, "TH-50", 6, BLACK);
  wait_gap (s, live, n, "TH-11", 6, BLACK);

  relay_mosaic_set_floor (s->mosaic, "TH-50");
  wait_gap (s, live, n, "TH-50", 6, RELAY_TILE_FLOOR_RGB);
  wait_gap (s, live, n, "TH-11", 6, BLACK);
  assert_tile (s, "TH-50", GREEN, 24); /* the picture itself is untouched */

  relay_mosaic_set_active_speaker (s->mosaic, "TH-11");
  wait_gap (s, live, n, "TH-11", 6, RELAY_TILE_SPEAKER_RGB);
  wait_gap (s, live, n, "TH-50", 6, RELAY_TILE_FLOOR_RGB);

  /* The floor moves to the speaker: the floor's border leaves TH-50, and
   * TH-11 shows both, the floor's outside, the speaker's inside. */
  relay_mosaic_set_floor (s->mosaic, "TH-11");
  wait_gap (s, live, n, "TH-50", 6, BLACK);
  wait_gap (s, live, n, "TH-11", 8, RELAY_TILE_FLOOR_RGB);
  wait_gap (s, live, n, "TH-11", 3, RELAY_TILE_SPEAKER_RGB);

  /* The spotlight: the floor holder large, its border with it. */
  relay_mosaic_set_layout (s->mosaic, RELAY_LAYOUT_SPOTLIGHT, "TH-11");
  wait_tile (s, live, n, "TH-11", RED, 24, 5);
  wait_gap (s, live, n, "TH-11", 14, RELAY_TILE_FLOOR_RGB);
  wait_gap (s, live, n, "TH-11", 5, RELAY_TILE_SPEAKER_RGB);
  relay_mosaic_set_layout (s->mosaic, RELAY_LAYOUT_MOSAIC, NULL);

  relay_mosaic_set_floor (s->mosaic, NULL);
  relay_mosaic_set_active_speaker (s->mosaic, NULL);
  wait_gap (s, live, n, "TH-11", 6, BLACK);
  wait_gap (s, live, n, "TH-50", 6, BLACK);
  setup_free (s);
}

/* The median colour of the muted badge's square: the top-right corner of
 * the picture, clear of the name band. */
static void
badge_colour (Setup *s, const char *id, int yuv[3])
{
  TestRect r;
  g_assert_true (find_rect (s->mosaic, id, &r));
  int size = relay_tile_badge_size (r.h), margin = (size / 4) & ~1;
  yuv[0] = yuv[1] = yuv[2] = -1;
  g_assert_true (video_check_median (s->vc, r.x + r.w - size - margin, r.y + margin, size,
                                     size, yuv));
}

static void
wait_badge (Setup *s, const Live *live, guint n, const char *id, guint32 rgb)
{
  int want[3], got[3];
  video_check_rgb_to_yuv (rgb, want);
  for (guint i = 0; badge_colour (s, id, got), !video_check_near (want, got, 28); i++)
    {
      if (i == 5)
        g_error ("%s's badge corner: YUV %d,%d,%d, not about #%06x", id, got[0], got[1], got[2],
                 rgb);
      step (s, live, n);
    }
}

static void
test_muted_badge (void)
{
  Setup *s = setup_new (RELAY_CODEC_VP8, 1920, 1080, TRUE);
  Live live[] = { { "TH-50", GREEN } };
  relay_mosaic_set_connected (s->mosaic, "TH-50", TRUE);
  wait_tile (s, live, 1, "TH-50", GREEN, 24, 15);
  wait_badge (s, live, 1, "TH-50", GREEN); /* unmuted: its own picture */
  relay_mosaic_set_muted (s->mosaic, "TH-50", TRUE);
  wait_badge (s, live, 1, "TH-50", RELAY_TILE_MUTED_RGB);
  assert_tile (s, "TH-50", GREEN, 24);
  relay_mosaic_set_muted (s->mosaic, "TH-50", FALSE);
  wait_badge (s, live, 1, "TH-50", GREEN);
  /* A card says why there is no picture; no badge on it. */
  relay_mosaic_set_muted (s->mosaic, "TH-12", TRUE);
  wait_badge (s, live, 1, "TH-12", RELAY_TILE_OFFLINE_RGB);
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
  wait_tile (s, live, n, "TH-50", GREEN, 24, 15);
  wait_tile (s, live, n, "central", BLUE, 24, 5);
  wait_tile (s, live, n, "TH-11", RED, 40, 5);

  /* Back to the grid: same pads, moved back. */
  relay_mosaic_set_layout (s->mosaic, RELAY_LAYOUT_MOSAIC, NULL);
  g_assert_true (find_rect (s->mosaic, "TH-50", &spot));
  g_assert_cmpint (spot.w, <, s->width / 8);
  wait_tile (s, live, n, "TH-50", GREEN, 24, 5);
  wait_tile (s, live, n, "TH-11", RED, 24, 5);
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

static guint64
keyframes_forced (Setup *s)
{
  RelayMosaicStats st;
  relay_mosaic_get_stats (s->mosaic, &st);
  return st.encoded.keyframes_forced;
}

static void
test_keyframe_rate_limit (void)
{
  Setup *s = setup_new (RELAY_CODEC_VP8, 640, 360, TRUE);
  run (s, NULL, 0, 2);
  guint initial = keyframe_packets (s);
  g_assert_cmpuint (initial, >=, 1); /* the first frame */

  /* A request: the next frame is a keyframe. */
  GstClockTime asked_at = now ();
  relay_mosaic_request_keyframe (s->mosaic);
  step (s, NULL, 0);
  g_assert_cmpuint (keyframes_forced (s), ==, 1);
  g_assert_cmpuint (keyframe_packets (s), >, initial);
  guint after_first = keyframe_packets (s);

  /* A second request within that second is not served while it lasts
   * (every frame up to then is checked)... */
  relay_mosaic_request_keyframe (s->mosaic);
  while (now () + 2 * PERIOD < asked_at + GST_SECOND)
    {
      step (s, NULL, 0);
      g_assert_cmpuint (keyframes_forced (s), ==, 1);
    }
  g_assert_cmpuint (keyframe_packets (s), ==, after_first);
  /* ...and is once it is over. */
  for (guint i = 0; i < 4 && keyframes_forced (s) < 2; i++)
    step (s, NULL, 0);
  g_assert_cmpuint (keyframes_forced (s), ==, 2);
  g_assert_cmpuint (keyframe_packets (s), >, after_first);
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
  wait_tile (s, live, n, "central", BLUE, 28, 15);
  wait_tile (s, live, n, "TH-50", GREEN, 28, 5);
  assert_tile (s, "TH-12", RELAY_TILE_OFFLINE_RGB, 20);
  run (s, live, n, 5);
  g_assert_cmpuint (s->vc->frames, >, 3);
  g_assert_cmpuint (s->vc->bad_kind, ==, 0);
  g_assert_cmpuint (s->vc->keyframe_packets, >=, 1);
  g_assert_cmpint (s->vc->last_capture_us, >, 0); /* through x264enc's PTS offset */
  g_assert_cmpuint (s->vc->bad_ts_steps, ==, 0);
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
      RelayOfficeConfig *a = relay_config_find_province (s->config, ids->pdata[i - 1]);
      RelayOfficeConfig *b = relay_config_find_province (s->config, ids->pdata[i]);
      int c = strcmp (a->region, b->region);
      g_assert_true (c < 0 || (c == 0 && strcmp (a->code, b->code) < 0));
    }
  setup_free (s);

  s = setup_new (RELAY_CODEC_VP8, 640, 360, FALSE);
  g_autoptr (GPtrArray) roster = reading_order (s->mosaic);
  g_assert_cmpstr (roster->pdata[0], ==, "central");
  for (guint i = 0; i < s->config->provinces->len; i++)
    g_assert_cmpstr (roster->pdata[i + 1], ==,
                     ((RelayOfficeConfig *) s->config->provinces->pdata[i])->code);
  setup_free (s);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  /* Every pipeline of this process runs on it (output-common.h). */
  test_clock = GST_TEST_CLOCK (gst_test_clock_new_with_start_time (1000 * GST_SECOND));
  gst_system_clock_set_default (GST_CLOCK (test_clock));
  g_test_add_func ("/mosaic/tiles-and-cards", test_tiles_and_cards);
  g_test_add_func ("/mosaic/over-limit-card", test_over_limit_card);
  g_test_add_func ("/mosaic/marks", test_marks);
  g_test_add_func ("/mosaic/muted-badge", test_muted_badge);
  g_test_add_func ("/mosaic/spotlight", test_spotlight);
  g_test_add_func ("/mosaic/keyframe-rate-limit", test_keyframe_rate_limit);
  g_test_add_func ("/mosaic/h264", test_h264);
  g_test_add_func ("/mosaic/order", test_order);
  int rc = g_test_run ();
  gst_system_clock_set_default (NULL);
  gst_object_unref (test_clock);
  return rc;
}
