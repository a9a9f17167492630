/* The program end to end: frames of the source pushed, the RTP decoded in
 * the test, the picture's colour checked; switching sources; the waiting
 * card when the source has no frames. */
#include <gst/gst.h>
#include <string.h>

#include "pipelines/program-pipeline.h"
#include "video-check.h"

#define GREEN 0x20c020
#define BLUE 0x2040e0

typedef struct {
  RelayConfig *config;
  RelayProgram *program;
  VideoCheck *vc;
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
  s->config->mosaic_framerate = 15;
  s->config->output_codec = codec;
  s->vc = video_check_new (codec);
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

/* Both the central room and TH-50 send, as they would all along. */
static void
pump (Setup *s, gboolean central, gboolean th50, guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;
  while (g_get_monotonic_time () < end)
    {
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
      g_usleep (66 * 1000);
    }
}

/* The picture shows about that colour within `ms` (sending as given all
 * along): loaded machines decode late, so wait rather than sleep. */
static void
wait_picture (Setup *s, gboolean central, gboolean th50, guint32 rgb, int tolerance, guint ms)
{
  int want[3], got[3] = { -1, -1, -1 };
  video_check_rgb_to_yuv (rgb, want);
  /* Generous (ASan on a loaded 2-core machine): only a failure waits it out. */
  gint64 end = g_get_monotonic_time () + (gint64) ms * 4000;
  while (!video_check_median (s->vc, 160, 90, 320, 180, got)
         || !video_check_near (want, got, tolerance))
    {
      if (g_get_monotonic_time () > end)
        g_error ("program YUV %d,%d,%d, not about #%06x", got[0], got[1], got[2], rgb);
      pump (s, central, th50, 100);
    }
}

static void
run_switching (RelayCodec codec)
{
  Setup *s = setup_new (codec);
  RelayProgramStats st;
  relay_program_get_stats (s->program, &st);
  g_assert_cmpstr (st.source, ==, "central");

  /* No frames of the source yet: the waiting card. */
  wait_picture (s, FALSE, TRUE, RELAY_TILE_WAITING_RGB, 20, 5000);
  wait_picture (s, TRUE, TRUE, BLUE, 24, 2000);

  relay_program_set_source (s->program, "TH-50");
  wait_picture (s, TRUE, TRUE, GREEN, 24, 2000);
  relay_program_get_stats (s->program, &st);
  g_assert_cmpstr (st.source, ==, "TH-50");

  /* The source stops: its last frame for 2 s, then the waiting card. */
  gint64 stopped_at = g_get_monotonic_time ();
  pump (s, TRUE, FALSE, 1500);
  wait_picture (s, TRUE, FALSE, GREEN, 24, 0);
  wait_picture (s, TRUE, FALSE, RELAY_TILE_WAITING_RGB, 20, 3000);
  g_assert_cmpint (g_get_monotonic_time () - stopped_at, >=, 1800 * 1000);

  relay_program_set_source (s->program, NULL);
  wait_picture (s, TRUE, FALSE, BLUE, 24, 2000);

  relay_program_request_keyframe (s->program);
  relay_program_request_keyframe (s->program);
  pump (s, TRUE, FALSE, 400);
  relay_program_get_stats (s->program, &st);
  g_assert_cmpuint (st.keyframes_forced, ==, 1);
  /* Flowing (no lower bound on the rate: loaded test machines). */
  g_assert_cmpuint (st.frames_out, >, 10);
  g_assert_cmpfloat (st.fps, >, 0);
  g_assert_cmpfloat (st.fps, <, 17);
  g_assert_cmpuint (s->vc->bad_kind, ==, 0);
  g_assert_cmpuint (s->vc->keyframe_packets, >=, 2);
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
  g_test_add_func ("/program/switching-vp8", test_vp8);
  g_test_add_func ("/program/switching-h264", test_h264);
  return g_test_run ();
}
