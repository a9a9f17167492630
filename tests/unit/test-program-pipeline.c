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

static void
assert_picture (Setup *s, guint32 rgb, int tolerance)
{
  int want[3], got[3];
  video_check_rgb_to_yuv (rgb, want);
  g_assert_true (video_check_median (s->vc, 160, 90, 320, 180, got));
  if (!video_check_near (want, got, tolerance))
    g_error ("program YUV %d,%d,%d, expected about %d,%d,%d", got[0], got[1], got[2], want[0],
             want[1], want[2]);
}

static void
run_switching (RelayCodec codec)
{
  Setup *s = setup_new (codec);
  RelayProgramStats st;
  relay_program_get_stats (s->program, &st);
  g_assert_cmpstr (st.source, ==, "central");

  /* No frames yet: the waiting card. */
  pump (s, FALSE, TRUE, 700);
  assert_picture (s, RELAY_TILE_WAITING_RGB, 20);

  pump (s, TRUE, TRUE, 800);
  assert_picture (s, BLUE, 24);

  relay_program_set_source (s->program, "TH-50");
  pump (s, TRUE, TRUE, 600);
  assert_picture (s, GREEN, 24);
  relay_program_get_stats (s->program, &st);
  g_assert_cmpstr (st.source, ==, "TH-50");

  /* The source stops: its last frame for 2 s, then the waiting card. */
  pump (s, TRUE, FALSE, 2500);
  assert_picture (s, RELAY_TILE_WAITING_RGB, 20);

  relay_program_set_source (s->program, NULL);
  pump (s, TRUE, FALSE, 500);
  assert_picture (s, BLUE, 24);

  relay_program_request_keyframe (s->program);
  relay_program_request_keyframe (s->program);
  pump (s, TRUE, FALSE, 300);
  relay_program_get_stats (s->program, &st);
  g_assert_cmpuint (st.keyframes_forced, ==, 1);
  g_assert_cmpuint (st.frames_out, >, 40);
  g_assert_cmpfloat (st.fps, >, 3);
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
