/* The RTP frame assembler on RTP that GStreamer's payloaders made of the
 * test media (H.264 with single NAL units, STAP-A and FU-A; VP8; Opus):
 * frames come out whole, in order, once each, on a continuous timeline,
 * and decode (avdec_h264, vp8dec); reordering and duplicates change
 * nothing; a loss drops video until the next key frame and asks for one;
 * a change of SSRC carries the timeline on; garbage is counted, never
 * crashes, and does not stop a good stream that follows. */
#include "recording-test-util.h"

#include <gst/app/gstappsrc.h>

#define VIDEO_INTERVAL 6000 /* 90 kHz at 15 fps */
#define AUDIO_INTERVAL 960  /* 20 ms at 48 kHz */

/* Decodes frames with GStreamer: Annex B for H.264 (parameter sets before
 * key frames), plain frames for VP8. Returns the pictures decoded. */
static guint
decode_frames (RelayMediaCodec codec, GPtrArray *frames, gboolean *error)
{
  gboolean h264 = codec == RELAY_MEDIA_H264;
  g_autofree char *desc = g_strdup_printf (
      "appsrc name=src format=time caps=%s ! %s ! fakesink name=sink sync=false",
      h264 ? "video/x-h264,stream-format=byte-stream,alignment=au"
           : "video/x-vp8,width=640,height=360,framerate=15/1",
      h264 ? "h264parse ! avdec_h264" : "vp8dec");
  g_autoptr (GstElement) pipeline = gst_parse_launch (desc, NULL);
  g_autoptr (GstElement) src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  guint decoded = 0;
  g_object_set (sink, "signal-handoffs", TRUE, NULL);
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), &decoded);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  static const guint8 start_code[] = { 0, 0, 0, 1 };
  for (guint i = 0; i < frames->len; i++)
    {
      RelayMediaFrame *f = frames->pdata[i];
      g_autoptr (GByteArray) b = g_byte_array_new ();
      if (h264)
        {
          GPtrArray *nals = g_ptr_array_new ();
          if (f->keyframe)
            {
              g_ptr_array_add (nals, f->sps);
              g_ptr_array_add (nals, f->pps);
            }
          for (guint n = 0; n < f->nals->len; n++)
            g_ptr_array_add (nals, f->nals->pdata[n]);
          for (guint n = 0; n < nals->len; n++)
            {
              g_byte_array_append (b, start_code, 4);
              g_byte_array_append (b, g_bytes_get_data (nals->pdata[n], NULL),
                                   (guint) g_bytes_get_size (nals->pdata[n]));
            }
          g_ptr_array_unref (nals);
        }
      else
        g_byte_array_append (b, g_bytes_get_data (f->data, NULL), (guint) g_bytes_get_size (f->data));
      GstBuffer *buf = gst_buffer_new_memdup (b->data, b->len);
      GST_BUFFER_PTS (buf) = gst_util_uint64_scale (f->timestamp, GST_SECOND, RELAY_VIDEO_CLOCK);
      gst_app_src_push_buffer (GST_APP_SRC (src), buf);
    }
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) m = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
                                                         GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  *error = !m || GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR;
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return decoded;
}

/* Timestamps start at 0, increase, and step by `interval` except at
 * `allowed_gaps` places. */
static void
check_timeline (GPtrArray *frames, gint64 interval, guint allowed_gaps)
{
  g_assert_cmpint (((RelayMediaFrame *) frames->pdata[0])->timestamp, ==, 0);
  guint gaps = 0;
  for (guint i = 1; i < frames->len; i++)
    {
      gint64 step = ((RelayMediaFrame *) frames->pdata[i])->timestamp
                    - ((RelayMediaFrame *) frames->pdata[i - 1])->timestamp;
      g_assert_cmpint (step, >, 0);
      if (ABS (step - interval) > 1)
        gaps++;
    }
  g_assert_cmpuint (gaps, <=, allowed_gaps);
}

static gboolean
same_frame (RelayMediaFrame *a, RelayMediaFrame *b)
{
  if (a->timestamp != b->timestamp || a->keyframe != b->keyframe)
    return FALSE;
  if (a->data)
    return g_bytes_equal (a->data, b->data);
  if (a->nals->len != b->nals->len)
    return FALSE;
  for (guint i = 0; i < a->nals->len; i++)
    if (!g_bytes_equal (a->nals->pdata[i], b->nals->pdata[i]))
      return FALSE;
  return TRUE;
}

static void
check_clean_and_damaged (RelayMediaCodec codec)
{
  g_autoptr (GPtrArray) packets = make_rtp (codec, 0xabcd, 60000, 0xfffe0000);
  RelayRtpFrameAssemblerStats stats;
  g_autoptr (GPtrArray) frames = assemble (codec, packets, &stats);
  g_assert_cmpuint (frames->len, ==, MEDIA_FRAMES);
  g_assert_cmpuint (count_keyframes (frames), ==, MEDIA_FRAMES / 30);
  g_assert_true (((RelayMediaFrame *) frames->pdata[0])->keyframe);
  g_assert_cmpuint (stats.frames_out, ==, MEDIA_FRAMES);
  g_assert_cmpuint (stats.packets, ==, packets->len);
  g_assert_cmpuint (stats.packets_lost + stats.packets_malformed + stats.frames_dropped, ==, 0);
  check_timeline (frames, VIDEO_INTERVAL, 0);
  gboolean error;
  g_assert_cmpuint (decode_frames (codec, frames, &error), ==, MEDIA_FRAMES);
  g_assert_false (error);
  if (codec == RELAY_MEDIA_VP8)
    {
      guint w, h;
      GBytes *key = ((RelayMediaFrame *) frames->pdata[0])->data;
      g_assert_true (relay_vp8_keyframe_size (g_bytes_get_data (key, NULL), g_bytes_get_size (key), &w, &h));
      g_assert_cmpuint (w, ==, 640);
      g_assert_cmpuint (h, ==, 360);
    }
  else
    {
      RelayH264Sps sps;
      GBytes *b = ((RelayMediaFrame *) frames->pdata[0])->sps;
      g_assert_true (relay_h264_parse_sps (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &sps));
      g_assert_cmpuint (sps.width, ==, 640);
      g_assert_cmpuint (sps.height, ==, 360);
    }

  /* Reordered and duplicated: the very same frames. */
  g_autoptr (GPtrArray) damaged = g_ptr_array_copy (packets, bytes_copy, NULL);
  g_ptr_array_set_free_func (damaged, (GDestroyNotify) g_bytes_unref);
  shuffle_packets (damaged, 4);
  guint before = damaged->len;
  duplicate_packets (damaged, 6);
  g_autoptr (GPtrArray) again = assemble (codec, damaged, &stats);
  g_assert_cmpuint (stats.packets_duplicate, ==, damaged->len - before);
  g_assert_cmpuint (stats.packets_lost + stats.frames_dropped, ==, 0);
  g_assert_cmpuint (again->len, ==, frames->len);
  for (guint i = 0; i < frames->len; i++)
    g_assert_true (same_frame (frames->pdata[i], again->pdata[i]));
}

static void
test_h264 (void)
{
  check_clean_and_damaged (RELAY_MEDIA_H264);
}

static void
test_vp8 (void)
{
  check_clean_and_damaged (RELAY_MEDIA_VP8);
}

/* A loss in the middle of a GOP: frames stop until the next key frame,
 * and until then the assembler asks for one. */
static void
check_loss (RelayMediaCodec codec)
{
  g_autoptr (GPtrArray) packets = make_rtp (codec, 0x77, 1000, 0);
  /* The loss: a packet of frame 75, mid-way through the third GOP. */
  guint lost_at = 0;
  while (rtp_ts (packets->pdata[lost_at]) - rtp_ts (packets->pdata[0]) < 75 * VIDEO_INTERVAL - 10)
    lost_at++;
  g_autoptr (RelayRtpFrameAssembler) a = relay_rtp_frame_assembler_new (codec, 0);
  g_assert_true (relay_rtp_frame_assembler_needs_keyframe (a)); /* nothing yet */
  g_autoptr (GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) relay_media_frame_free);
  gboolean asked = FALSE, resumed_on_key = FALSE;
  guint out_when_asked = 0;
  for (guint i = 0; i < packets->len; i++)
    {
      if (i == lost_at)
        continue;
      gsize len;
      const guint8 *d = g_bytes_get_data (packets->pdata[i], &len);
      relay_rtp_frame_assembler_push (a, d, len);
      RelayMediaFrame *f;
      while ((f = relay_rtp_frame_assembler_pop (a)))
        {
          if (asked && !resumed_on_key)
            {
              /* The first frame after the loss is a key frame. */
              g_assert_true (f->keyframe);
              resumed_on_key = TRUE;
            }
          g_ptr_array_add (frames, f);
        }
      if (i > lost_at && !asked && relay_rtp_frame_assembler_needs_keyframe (a))
        {
          asked = TRUE;
          out_when_asked = frames->len;
        }
    }
  relay_rtp_frame_assembler_flush (a);
  RelayRtpFrameAssemblerStats st;
  relay_rtp_frame_assembler_get_stats (a, &st);
  g_test_message ("lost %lu dropped %lu out %u", st.packets_lost, st.frames_dropped, frames->len);
  g_assert_true (asked);
  g_assert_true (resumed_on_key);
  g_assert_false (relay_rtp_frame_assembler_needs_keyframe (a));
  RelayRtpFrameAssemblerStats stats;
  relay_rtp_frame_assembler_get_stats (a, &stats);
  g_assert_cmpuint (stats.packets_lost, ==, 1);
  g_assert_cmpuint (stats.frames_dropped, >, 0);
  g_assert_cmpuint (stats.frames_dropped, <, 30);
  g_assert_cmpuint (frames->len + stats.frames_dropped, ==, MEDIA_FRAMES);
  g_assert_cmpuint (out_when_asked, <, frames->len);
  /* One gap in the timeline where the frames were dropped; all decode. */
  check_timeline (frames, VIDEO_INTERVAL, 1);
  gboolean error;
  g_assert_cmpuint (decode_frames (codec, frames, &error), ==, frames->len);
  g_assert_false (error);
}

static void
test_h264_loss (void)
{
  check_loss (RELAY_MEDIA_H264);
}

static void
test_vp8_loss (void)
{
  check_loss (RELAY_MEDIA_VP8);
}

/* Opus: each packet a frame; a loss drops nothing else; a change of SSRC
 * (with its own sequence and timestamps) follows on 20 ms later. */
static void
test_opus (void)
{
  g_autoptr (GPtrArray) packets = make_rtp (RELAY_MEDIA_OPUS, 0x10, 65530, 0xffffff00);
  g_autoptr (GPtrArray) second = make_rtp (RELAY_MEDIA_OPUS, 0x20, 7, 123456789);
  guint n = packets->len;
  g_ptr_array_remove_index (packets, 100);
  g_ptr_array_remove_index (packets, 200);
  shuffle_packets (packets, 9);
  duplicate_packets (second, 10);
  g_ptr_array_extend (packets, second, bytes_copy, NULL);
  RelayRtpFrameAssemblerStats stats;
  g_autoptr (GPtrArray) frames = assemble (RELAY_MEDIA_OPUS, packets, &stats);
  g_assert_cmpuint (frames->len, ==, 2 * n - 2);
  g_assert_cmpuint (stats.packets_lost, ==, 2);
  g_assert_cmpuint (stats.frames_dropped, ==, 0);
  g_assert_cmpuint (stats.source_changes, ==, 1);
  /* Steps other than 20 ms: the two losses, and in each run the encoder's
   * first step of 13.5 ms (its pre-skip); nothing else. */
  check_timeline (frames, AUDIO_INTERVAL, 4);
  RelayMediaFrame *last_of_first = frames->pdata[n - 3], *first_of_second = frames->pdata[n - 2];
  g_assert_cmpuint (last_of_first->ssrc, ==, 0x10);
  g_assert_cmpuint (first_of_second->ssrc, ==, 0x20);
  g_assert_cmpint (first_of_second->timestamp - last_of_first->timestamp, ==, AUDIO_INTERVAL);
  g_assert_cmpuint (relay_opus_packet_samples (g_bytes_get_data (first_of_second->data, NULL),
                                               g_bytes_get_size (first_of_second->data)), ==, 960);
  g_autoptr (RelayRtpFrameAssembler) a = relay_rtp_frame_assembler_new (RELAY_MEDIA_OPUS, 0);
  g_assert_false (relay_rtp_frame_assembler_needs_keyframe (a)); /* audio never waits */
}

static guint8 *
random_bytes (gsize n)
{
  guint8 *d = g_malloc (n + 1);
  for (gsize i = 0; i < n; i++)
    d[i] = (guint8) g_test_rand_int_range (0, 256);
  return d;
}

/* Garbage: random bytes, RTP headers over random payloads, broken
 * aggregation and fragmentation units, bad padding and extensions. Then a
 * good stream: it still comes out whole. */
static void
test_garbage (void)
{
  RelayMediaCodec codecs[] = { RELAY_MEDIA_H264, RELAY_MEDIA_VP8, RELAY_MEDIA_OPUS };
  for (guint c = 0; c < G_N_ELEMENTS (codecs); c++)
    {
      g_autoptr (RelayRtpFrameAssembler) a = relay_rtp_frame_assembler_new (codecs[c], 0);
      for (guint round = 0; round < 3000; round++)
        {
          gsize n = (gsize) g_test_rand_int_range (0, 300);
          g_autofree guint8 *d = random_bytes (n);
          if (n >= 12 && round % 4 != 0)
            {
              d[0] = 0x80 | (d[0] & 0x3f);              /* version 2, random P, X, CC */
              if (round % 3)
                d[0] &= 0xc0;                           /* plain header */
              d[8] = d[9] = d[10] = 0;
              d[11] = (guint8) (round % 2);             /* two SSRCs now and then */
              d[2] = (guint8) (round >> 8);
              d[3] = (guint8) round;                    /* mostly in sequence */
              if (n > 12 && round % 5 == 1)
                d[12] = (d[12] & 0xe0) | (round % 2 ? 24 : 28); /* STAP-A / FU-A */
            }
          relay_rtp_frame_assembler_push (a, d, n);
          RelayMediaFrame *f;
          while ((f = relay_rtp_frame_assembler_pop (a)))
            relay_media_frame_free (f);
        }
      relay_rtp_frame_assembler_flush (a);
      RelayMediaFrame *f;
      while ((f = relay_rtp_frame_assembler_pop (a)))
        relay_media_frame_free (f);
      RelayRtpFrameAssemblerStats before;
      relay_rtp_frame_assembler_get_stats (a, &before);
      g_assert_cmpuint (before.packets_malformed, >, 100);

      /* A good source after all that. */
      g_autoptr (GPtrArray) packets = make_rtp (codecs[c], 0xfeed, 5, 5);
      guint out = 0;
      for (guint i = 0; i < packets->len; i++)
        {
          gsize len;
          const guint8 *d = g_bytes_get_data (packets->pdata[i], &len);
          relay_rtp_frame_assembler_push (a, d, len);
          while ((f = relay_rtp_frame_assembler_pop (a)))
            {
              g_assert_cmpuint (f->ssrc, ==, 0xfeed);
              out++;
              relay_media_frame_free (f);
            }
        }
      relay_rtp_frame_assembler_flush (a);
      while ((f = relay_rtp_frame_assembler_pop (a)))
        {
          out++;
          relay_media_frame_free (f);
        }
      g_assert_cmpuint (out, ==, codecs[c] == RELAY_MEDIA_OPUS ? packets->len : MEDIA_FRAMES);
    }
  /* The SPS parser on garbage and on truncations of a real SPS. */
  for (guint round = 0; round < 2000; round++)
    {
      gsize n = (gsize) g_test_rand_int_range (0, 64);
      g_autofree guint8 *d = random_bytes (n);
      if (n > 0)
        d[0] = 0x67;
      RelayH264Sps sps;
      relay_h264_parse_sps (d, n, &sps);
      relay_opus_packet_samples (d, n);
      guint w, h;
      relay_vp8_keyframe_size (d, n, &w, &h);
    }
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/recording/assembler/h264", test_h264);
  g_test_add_func ("/recording/assembler/vp8", test_vp8);
  g_test_add_func ("/recording/assembler/h264-loss", test_h264_loss);
  g_test_add_func ("/recording/assembler/vp8-loss", test_vp8_loss);
  g_test_add_func ("/recording/assembler/opus", test_opus);
  g_test_add_func ("/recording/assembler/garbage", test_garbage);
  return g_test_run ();
}
