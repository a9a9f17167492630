/* The ingest pipeline with real RTP: VP8 and Opus made by GStreamer in the
 * test, pushed as the transport would push them. */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <string.h>

#include "pipelines/ingest-pipeline.h"

typedef struct {
  GPtrArray *packets; /* GBytes* */
  GArray *keyframe;   /* gboolean per packet: part of a keyframe */
} RtpCapture;

static void
capture_free (RtpCapture *c)
{
  g_ptr_array_unref (c->packets);
  g_array_unref (c->keyframe);
  g_free (c);
}

/* Runs a pipeline ending in an appsink named "out" and keeps its RTP. */
static RtpCapture *
capture (const char *description)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "out");
  RtpCapture *c = g_new0 (RtpCapture, 1);
  c->packets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  c->keyframe = g_array_new (FALSE, FALSE, sizeof (gboolean));
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (;;)
    {
      g_autoptr (GstSample) sample = gst_app_sink_pull_sample (GST_APP_SINK (sink));
      if (!sample)
        break;
      GstBuffer *buf = gst_sample_get_buffer (sample);
      GstMapInfo map;
      gst_buffer_map (buf, &map, GST_MAP_READ);
      g_ptr_array_add (c->packets, g_bytes_new (map.data, map.size));
      gboolean key = !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
      g_array_append_val (c->keyframe, key);
      gst_buffer_unmap (buf, &map);
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_assert_cmpuint (c->packets->len, >, 10);
  return c;
}

static void
on_keyframe_needed (gpointer data)
{
  g_atomic_int_inc ((gint *) data);
}

static void
push_all (RelayIngestPipeline *p, RtpCapture *c, guint first, gboolean video, guint pace_us)
{
  for (guint i = first; i < c->packets->len; i++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (c->packets->pdata[i], &len);
      if (video)
        relay_ingest_pipeline_push_video (p, data, len);
      else
        relay_ingest_pipeline_push_audio (p, data, len);
      if (pace_us)
        g_usleep (pace_us);
    }
}

static RelayIngestStats
wait_stats (RelayIngestPipeline *p, gboolean (*done) (const RelayIngestStats *))
{
  RelayIngestStats st = { 0 };
  for (int i = 0; i < 300; i++)
    {
      relay_ingest_pipeline_get_stats (p, &st);
      if (done (&st))
        break;
      g_usleep (10000);
    }
  return st;
}

static gboolean
video_done (const RelayIngestStats *st)
{
  return st->video_frames >= 25 && st->width > 0;
}

static gboolean
audio_done (const RelayIngestStats *st)
{
  return st->audio_frames >= 40;
}

static void
test_vp8_and_opus (void)
{
  RtpCapture *video = capture (
      "videotestsrc num-buffers=30 ! video/x-raw,width=320,height=240,framerate=15/1 "
      "! vp8enc deadline=1 keyframe-max-dist=15 ! rtpvp8pay pt=96 mtu=1200 ! appsink name=out sync=false");
  RtpCapture *audio = capture (
      "audiotestsrc num-buffers=50 samplesperbuffer=960 ! audio/x-raw,rate=48000,channels=2 "
      "! opusenc frame-size=20 ! rtpopuspay pt=111 ! appsink name=out sync=false");
  gint keyframe_requests = 0;
  g_autoptr (GError) error = NULL;
  RelayIngestPipeline *p = relay_ingest_pipeline_new ("TH-50", RELAY_CODEC_VP8, 96, TRUE, 111,
                                                      on_keyframe_needed, &keyframe_requests, &error);
  g_assert_no_error (error);
  push_all (p, video, 0, TRUE, 500);
  push_all (p, audio, 0, FALSE, 200);
  RelayIngestStats st = wait_stats (p, video_done);
  g_assert_cmpuint (st.width, ==, 320);
  g_assert_cmpuint (st.height, ==, 240);
  g_assert_cmpuint (st.video_frames, >=, 25);
  g_assert_cmpint (st.first_video_frame_us, >, 0);
  st = wait_stats (p, audio_done);
  g_assert_cmpuint (st.audio_frames, >=, 40);
  g_assert_cmpfloat (st.audio_rms_dbov, >, -60.0); /* a tone, not silence */
  g_assert_cmpuint (st.input_dropped, ==, 0);
  relay_ingest_pipeline_free (p);
  capture_free (video);
  capture_free (audio);
}

/* Packets lost mid-stream (past what NACK repaired): the depayloader and
 * decoder must ask for a keyframe, which the session turns into a PLI. */
static void
test_keyframe_request_after_loss (void)
{
  RtpCapture *video = capture (
      "videotestsrc num-buffers=40 ! video/x-raw,width=320,height=240,framerate=15/1 "
      "! vp8enc deadline=1 keyframe-max-dist=100 ! rtpvp8pay pt=96 mtu=300 ! appsink name=out sync=false");
  gint keyframe_requests = 0;
  g_autoptr (GError) error = NULL;
  RelayIngestPipeline *p = relay_ingest_pipeline_new ("TH-50", RELAY_CODEC_VP8, 96, FALSE, 0,
                                                      on_keyframe_needed, &keyframe_requests, &error);
  g_assert_no_error (error);
  guint n = video->packets->len;
  for (guint i = 0; i < n; i++)
    {
      if (i >= n / 2 && i < n / 2 + 6)
        continue; /* a burst lost for good */
      gsize len;
      const guint8 *data = g_bytes_get_data (video->packets->pdata[i], &len);
      relay_ingest_pipeline_push_video (p, data, len);
      g_usleep (2000);
    }
  for (int i = 0; i < 300 && g_atomic_int_get (&keyframe_requests) == 0; i++)
    g_usleep (10000);
  g_assert_cmpint (g_atomic_int_get (&keyframe_requests), >, 0);
  RelayIngestStats st;
  relay_ingest_pipeline_get_stats (p, &st);
  g_assert_cmpuint (st.keyframe_requests, >, 0);
  g_assert_cmpuint (st.video_frames, >, 0); /* what came before the loss decoded */
  relay_ingest_pipeline_free (p);
  capture_free (video);
}

static GstPadProbeReturn
block_forever (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  return GST_PAD_PROBE_OK; /* a blocking probe: the data waits here */
}

/* A stalled decoder: the input stops queueing past its bound. */
static void
test_stalled_decoder_is_bounded (void)
{
  RtpCapture *video = capture (
      "videotestsrc num-buffers=15 ! video/x-raw,width=160,height=120,framerate=15/1 "
      "! vp8enc deadline=1 ! rtpvp8pay pt=96 mtu=200 ! appsink name=out sync=false");
  g_autoptr (GError) error = NULL;
  RelayIngestPipeline *p = relay_ingest_pipeline_new ("TH-50", RELAY_CODEC_VP8, 96, FALSE, 0,
                                                      NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GstElement) dec
      = gst_bin_get_by_name (GST_BIN (relay_ingest_pipeline_get_element (p)), "video_decoder");
  g_autoptr (GstPad) dec_sink = gst_element_get_static_pad (dec, "sink");
  gulong probe = gst_pad_add_probe (dec_sink, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM, block_forever,
                                    NULL, NULL);
  /* Push far more than the bound, renumbering so nothing is a duplicate. */
  guint8 pkt[2048];
  for (guint i = 0; i < 6000; i++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (video->packets->pdata[i % video->packets->len], &len);
      g_assert_cmpuint (len, <=, sizeof pkt);
      memcpy (pkt, data, len);
      pkt[2] = (i >> 8) & 0xff;
      pkt[3] = i & 0xff;
      relay_ingest_pipeline_push_video (p, pkt, len);
    }
  RelayIngestStats st;
  relay_ingest_pipeline_get_stats (p, &st);
  g_assert_cmpuint (st.input_dropped, >, 1000);
  gst_pad_remove_probe (dec_sink, probe);
  relay_ingest_pipeline_free (p);
  capture_free (video);
}

/* Big packets: the same stalled decoder reaches the bound in bytes
 * (4096 packets of 1,200 bytes) before the one in packets. */
static void
test_stalled_decoder_is_bounded_in_bytes (void)
{
  RtpCapture *video = capture (
      "videotestsrc num-buffers=15 ! video/x-raw,width=160,height=120,framerate=15/1 "
      "! vp8enc deadline=1 ! rtpvp8pay pt=96 mtu=200 ! appsink name=out sync=false");
  g_autoptr (GError) error = NULL;
  RelayIngestPipeline *p = relay_ingest_pipeline_new ("TH-50", RELAY_CODEC_VP8, 96, FALSE, 0,
                                                      NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GstElement) dec
      = gst_bin_get_by_name (GST_BIN (relay_ingest_pipeline_get_element (p)), "video_decoder");
  g_autoptr (GstPad) dec_sink = gst_element_get_static_pad (dec, "sink");
  gulong probe = gst_pad_add_probe (dec_sink, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM, block_forever,
                                    NULL, NULL);
  /* Each packet grown to 1,500 bytes: 3,277 of them are the byte bound,
   * checked every 256 packets, so about 3,328 are queued (3,584 if the
   * few the jitter buffer let through make it one check later) and at
   * least 2,416 of 6,000 dropped. The packet bound alone would drop
   * 1,648. */
  enum { BIG = 1500, PUSHED = 6000 };
  guint8 pkt[BIG];
  for (guint i = 0; i < PUSHED; i++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (video->packets->pdata[i % video->packets->len], &len);
      g_assert_cmpuint (len, <=, sizeof pkt);
      memset (pkt, 0, sizeof pkt);
      memcpy (pkt, data, len);
      pkt[2] = (i >> 8) & 0xff;
      pkt[3] = i & 0xff;
      relay_ingest_pipeline_push_video (p, pkt, sizeof pkt);
    }
  RelayIngestStats st;
  relay_ingest_pipeline_get_stats (p, &st);
  g_assert_cmpuint (st.input_dropped, >=, PUSHED - 3584);
  gst_pad_remove_probe (dec_sink, probe);
  relay_ingest_pipeline_free (p);
  capture_free (video);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  /* The overflow test makes the pipeline warn on purpose. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_test_add_func ("/ingest/vp8-and-opus", test_vp8_and_opus);
  g_test_add_func ("/ingest/keyframe-request-after-loss", test_keyframe_request_after_loss);
  g_test_add_func ("/ingest/stalled-decoder-is-bounded", test_stalled_decoder_is_bounded);
  g_test_add_func ("/ingest/stalled-decoder-is-bounded-in-bytes",
                   test_stalled_decoder_is_bounded_in_bytes);
  return g_test_run ();
}
