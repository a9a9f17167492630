/* The program end to end: frames of the source pushed, the RTP decoded in
 * the test, the picture's colour checked; switching sources; the waiting
 * card when the source has no frames.
 *
 * The program runs on a GstTestClock the test steps one frame period at a
 * time (video-check.h): every frame is encoded and decoded before time
 * moves on, so the 2 s before the waiting card and the one forced keyframe
 * a second are checked in the stream's own time, exactly. */
#include <gst/gst.h>
#include <string.h>

#include "pipelines/program-pipeline.h"
#include "video-check.h"

#define GREEN 0x20c020
#define BLUE 0x2040e0

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
  RelayConfig *config;
  RelayProgram *program;
  VideoCheck *vc;
  guint ticks; /* the feeder's, released: a frame each */
  guint lag;   /* frames the encoder holds back */
  GstClockTime last_push_at;
} Setup;

static Setup *
setup_new (RelayCodec codec)
{
  Setup *s = g_new0 (Setup, 1);
  g_autoptr (GError) error = NULL;
  s->config = relay_config_load (NULL, &error);
  g_assert_no_error (error);
  s->config->program_width = 640;
  s->config->program_height = 360;
  s->config->mosaic_framerate = FPS;
  s->config->output_codec = codec;
  /* x264's two frame threads hold one frame back. */
  s->lag = codec == RELAY_CODEC_H264 ? 1 : 0;
  s->vc = video_check_new (codec);
  s->vc->ts_step = 90000 / FPS;
  s->program = relay_program_new (s->config, video_check_rtp, s->vc, &error);
  g_assert_no_error (error);
  return s;
}

static void
setup_free (Setup *s)
{
  relay_program_free (s->program);
  video_check_free (s->vc);
  relay_config_free (s->config);
  g_free (s);
}

static RelayProgramStats
stats (Setup *s)
{
  RelayProgramStats st;
  relay_program_get_stats (s->program, &st);
  return st;
}

/* One frame period: the central room and TH-50 send a frame each (as
 * their decoders would, if sending), then the clock moves to the feeder's
 * next tick, and the frame it pushes is encoded and decoded before
 * anything else happens. */
static void
step (Setup *s, gboolean central, gboolean th50)
{
  s->last_push_at = now ();
  GstVideoInfo info;
  if (central)
    {
      GstBuffer *f = video_check_solid_frame (BLUE, 640, 480, &info);
      relay_program_push_frame (s->program, "central", f, &info);
      gst_buffer_unref (f);
    }
  if (th50)
    {
      GstBuffer *f = video_check_solid_frame (GREEN, 320, 180, &info);
      relay_program_push_frame (s->program, "TH-50", f, &info);
      gst_buffer_unref (f);
    }
  video_check_crank (test_clock, 1);
  s->ticks++;
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (stats (s).encoded.frames_out + s->lag < s->ticks)
    {
      if (g_get_monotonic_time () > end)
        g_error ("%" G_GUINT64_FORMAT " frames encoded of %u", stats (s).encoded.frames_out, s->ticks);
      g_usleep (200);
    }
  video_check_wait_count (s->vc, &s->vc->frames, (guint) stats (s).encoded.frames_out, "frames decoded");
}

static gboolean
picture_is (Setup *s, guint32 rgb, int tolerance, int got[3])
{
  int want[3];
  video_check_rgb_to_yuv (rgb, want);
  got[0] = got[1] = got[2] = -1;
  return video_check_median (s->vc, 160, 90, 320, 180, got) && video_check_near (want, got, tolerance);
}

/* The picture shows about that colour within `frames` frame periods of the
 * stream (sending as given all along). */
static void
wait_picture (Setup *s, gboolean central, gboolean th50, guint32 rgb, int tolerance, guint frames)
{
  int got[3];
  for (guint i = 0; !picture_is (s, rgb, tolerance, got); i++)
    {
      if (i == frames)
        g_error ("program YUV %d,%d,%d, not about #%06x after %u frames", got[0], got[1], got[2],
                 rgb, frames);
      step (s, central, th50);
    }
}

static void
run_switching (RelayCodec codec)
{
  Setup *s = setup_new (codec);
  RelayProgramStats st = stats (s);
  g_assert_cmpstr (st.source, ==, "central");

  /* No frames of the source yet: the waiting card. */
  wait_picture (s, FALSE, TRUE, RELAY_TILE_WAITING_RGB, 20, 15);
  wait_picture (s, TRUE, TRUE, BLUE, 24, 5);

  relay_program_set_source (s->program, "TH-50");
  wait_picture (s, TRUE, TRUE, GREEN, 24, 5);
  st = stats (s);
  g_assert_cmpstr (st.source, ==, "TH-50");

  /* The source stops: its last frame in every picture for 2 s, then the
   * waiting card, no earlier. */
  GstClockTime stopped_at = s->last_push_at;
  int got[3];
  while (now () + PERIOD < stopped_at + SIGNAL_LOST)
    {
      step (s, TRUE, FALSE);
      if (!picture_is (s, GREEN, 24, got))
        g_error ("program YUV %d,%d,%d %.3f s after the source stopped, not its last frame",
                 got[0], got[1], got[2], (double) (now () - stopped_at) / GST_SECOND);
    }
  wait_picture (s, TRUE, FALSE, RELAY_TILE_WAITING_RGB, 20, 3);
  g_assert_cmpuint (s->vc->latest_at, >=, stopped_at + SIGNAL_LOST);

  relay_program_set_source (s->program, NULL);
  wait_picture (s, TRUE, FALSE, BLUE, 24, 3);

  /* Two requests at once are one keyframe, in the next frame. */
  guint64 forced = stats (s).encoded.keyframes_forced;
  guint keyframes = s->vc->keyframe_packets;
  GstClockTime asked_at = now ();
  relay_program_request_keyframe (s->program);
  relay_program_request_keyframe (s->program);
  for (guint i = 0; i <= s->lag; i++)
    step (s, TRUE, FALSE);
  g_assert_cmpuint (stats (s).encoded.keyframes_forced, ==, forced + 1);
  g_assert_cmpuint (s->vc->keyframe_packets, >, keyframes);
  /* Another within that second waits for it to be over (every frame
   * until then is checked), then is served. */
  relay_program_request_keyframe (s->program);
  while (now () + 2 * PERIOD < asked_at + GST_SECOND)
    {
      step (s, TRUE, FALSE);
      g_assert_cmpuint (stats (s).encoded.keyframes_forced, ==, forced + 1);
    }
  for (guint i = 0; i < 4 && stats (s).encoded.keyframes_forced < forced + 2; i++)
    step (s, TRUE, FALSE);
  g_assert_cmpuint (stats (s).encoded.keyframes_forced, ==, forced + 2);

  /* Output flows at the configured rate of its own clock: a frame a tick,
   * each whole frame periods after the last in RTP time. */
  guint64 before = stats (s).encoded.frames_out;
  for (guint i = 0; i < FPS; i++)
    step (s, TRUE, FALSE);
  guint64 more = stats (s).encoded.frames_out - before;
  g_assert_cmpuint (more, >=, FPS - 1);
  g_assert_cmpuint (more, <=, FPS + 1);
  g_assert_cmpuint (s->vc->bad_kind, ==, 0);
  g_assert_cmpuint (s->vc->keyframe_packets, >=, 2);
  g_assert_cmpuint (s->vc->rtp_frames, >, FPS);
  g_assert_cmpuint (s->vc->bad_ts_steps, ==, 0);
  setup_free (s);
}

static void
test_vp8 (void)
{
  run_switching (RELAY_CODEC_VP8);
}

static void
test_h264 (void)
{
  run_switching (RELAY_CODEC_H264);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  /* Every pipeline of this process runs on it (output-common.h). */
  test_clock = GST_TEST_CLOCK (gst_test_clock_new_with_start_time (1000 * GST_SECOND));
  gst_system_clock_set_default (GST_CLOCK (test_clock));
  g_test_add_func ("/program/switching-vp8", test_vp8);
  g_test_add_func ("/program/switching-h264", test_h264);
  int rc = g_test_run ();
  gst_system_clock_set_default (NULL);
  gst_object_unref (test_clock);
  return rc;
}
