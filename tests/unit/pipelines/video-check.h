/* For the mosaic and program tests: decodes the RTP a pipeline hands out
 * (depayloader + decoder in a small GStreamer pipeline of the test) and
 * measures colours in the newest decoded picture; checks that the RTP
 * timestamps step by whole frames; and steps the GstTestClock the tests
 * make the default clock (video_check_crank), so that the pipelines run on
 * time the test controls: a slow machine takes longer, the stream is the
 * same. */
#pragma once

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/check/gsttestclock.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <stdlib.h>
#include <string.h>

#include "pipelines/tile-renderer.h"
#include "webrtc/base/media.h"
#include "webrtc/sdp/sdp-offer.h"

typedef struct {
  GstElement *pipeline, *src, *sink;
  GMutex lock;
  GstSample *latest;
  GstClockTime latest_at; /* clock time the newest picture's RTP came in */
  guint frames;
  guint packets, keyframe_packets, bad_kind;
  guint8 expected_kind;
  gint64 last_capture_us;
  /* RTP timestamps: a frame every ts_step (90 kHz; 0: not checked). */
  guint32 ts_step, last_ts;
  guint rtp_frames, bad_ts_steps;
} VideoCheck;

static GstFlowReturn
video_check_on_sample (GstAppSink *sink, gpointer data)
{
  VideoCheck *vc = data;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  /* appsrc stamped the RTP with the running time it came in at. */
  GstClockTime pts = GST_BUFFER_PTS (gst_sample_get_buffer (sample));
  GstClockTime at = GST_CLOCK_TIME_IS_VALID (pts)
                        ? pts + gst_element_get_base_time (vc->pipeline)
                        : GST_CLOCK_TIME_NONE;
  g_mutex_lock (&vc->lock);
  if (vc->latest)
    gst_sample_unref (vc->latest);
  vc->latest = sample;
  vc->latest_at = at;
  vc->frames++;
  g_mutex_unlock (&vc->lock);
  return GST_FLOW_OK;
}

static VideoCheck *
video_check_new (RelayCodec codec)
{
  VideoCheck *vc = g_new0 (VideoCheck, 1);
  g_mutex_init (&vc->lock);
  gboolean h264 = codec == RELAY_CODEC_H264;
  vc->expected_kind = h264 ? RELAY_FORWARD_H264 : RELAY_FORWARD_VP8;
  vc->latest_at = GST_CLOCK_TIME_NONE;
  /* One decoder thread: frame threads would hold pictures back. */
  g_autofree char *desc = g_strdup_printf (
      "appsrc name=src is-live=true do-timestamp=true format=time "
      "caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=%s,payload=%d "
      "! %s ! %s ! videoconvert ! video/x-raw,format=I420 ! appsink name=sink sync=false",
      h264 ? "H264" : "VP8", h264 ? 102 : 96, h264 ? "rtph264depay" : "rtpvp8depay",
      h264 ? "avdec_h264 max-threads=1" : "vp8dec threads=1");
  g_autoptr (GError) error = NULL;
  vc->pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  vc->src = gst_bin_get_by_name (GST_BIN (vc->pipeline), "src");
  vc->sink = gst_bin_get_by_name (GST_BIN (vc->pipeline), "sink");
  GstAppSinkCallbacks callbacks = { .new_sample = video_check_on_sample };
  gst_app_sink_set_callbacks (GST_APP_SINK (vc->sink), &callbacks, vc, NULL);
  gst_element_set_state (vc->pipeline, GST_STATE_PLAYING);
  return vc;
}

/* A RelayRtpOutputFunc. */
static void
video_check_rtp (guint8 kind, gboolean keyframe, gint64 capture_us, const guint8 *rtp, gsize len,
                 gpointer user_data)
{
  VideoCheck *vc = user_data;
  guint32 ts = len >= 8 ? ((guint32) rtp[4] << 24) | ((guint32) rtp[5] << 16)
                              | ((guint32) rtp[6] << 8) | rtp[7]
                        : 0;
  g_mutex_lock (&vc->lock);
  if (vc->ts_step && len >= 8 && (vc->rtp_frames == 0 || ts != vc->last_ts))
    {
      /* A new frame: whole frame periods after the last one (frames the
       * encoder's queue dropped leave gaps of whole periods too). The
       * payloader rounds each timestamp down: a step off by one. */
      guint32 off = (ts - vc->last_ts) % vc->ts_step;
      if (vc->rtp_frames > 0 && off > 2 && off < vc->ts_step - 2)
        vc->bad_ts_steps++;
      vc->rtp_frames++;
      vc->last_ts = ts;
    }
  vc->packets++;
  if (keyframe)
    vc->keyframe_packets++;
  if (kind != vc->expected_kind)
    vc->bad_kind++;
  if (capture_us)
    vc->last_capture_us = capture_us;
  g_mutex_unlock (&vc->lock);
  gst_app_src_push_buffer (GST_APP_SRC (vc->src), gst_buffer_new_memdup (rtp, len));
}

static void
video_check_free (VideoCheck *vc)
{
  gst_element_set_state (vc->pipeline, GST_STATE_NULL);
  gst_object_unref (vc->src);
  gst_object_unref (vc->sink);
  gst_object_unref (vc->pipeline);
  if (vc->latest)
    gst_sample_unref (vc->latest);
  g_mutex_clear (&vc->lock);
  g_free (vc);
}

static int
video_check_cmp_u8 (const void *a, const void *b)
{
  return (int) *(const guint8 *) a - (int) *(const guint8 *) b;
}

/* Median Y, U, V over a rectangle of the newest picture (medians: the
 * cards' text must not move the figure). FALSE before any picture. */
static gboolean
video_check_median (VideoCheck *vc, int x, int y, int w, int h, int yuv[3])
{
  g_mutex_lock (&vc->lock);
  GstSample *sample = vc->latest ? gst_sample_ref (vc->latest) : NULL;
  g_mutex_unlock (&vc->lock);
  if (!sample)
    return FALSE;
  GstVideoInfo info;
  gst_video_info_from_caps (&info, gst_sample_get_caps (sample));
  GstVideoFrame frame;
  g_assert_true (gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample),
                                      GST_MAP_READ));
  for (int p = 0; p < 3; p++)
    {
      int sub = p == 0 ? 1 : 2;
      int x0 = x / sub, y0 = y / sub, x1 = MAX ((x + w) / sub, x0 + 1),
          y1 = MAX ((y + h) / sub, y0 + 1);
      x1 = MIN (x1, GST_VIDEO_FRAME_COMP_WIDTH (&frame, p));
      y1 = MIN (y1, GST_VIDEO_FRAME_COMP_HEIGHT (&frame, p));
      GArray *values = g_array_new (FALSE, FALSE, 1);
      const guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (&frame, p);
      int stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, p);
      for (int r = y0; r < y1; r++)
        g_array_append_vals (values, data + r * stride + x0, MAX (x1 - x0, 0));
      g_assert_cmpuint (values->len, >, 0);
      qsort (values->data, values->len, 1, video_check_cmp_u8);
      yuv[p] = g_array_index (values, guint8, values->len / 2);
      g_array_unref (values);
    }
  gst_video_frame_unmap (&frame);
  gst_sample_unref (sample);
  return TRUE;
}

static void
video_check_rgb_to_yuv (guint32 rgb, int yuv[3])
{
  double r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
  yuv[0] = (int) (16 + 0.257 * r + 0.504 * g + 0.098 * b + 0.5);
  yuv[1] = (int) (128 - 0.148 * r - 0.291 * g + 0.439 * b + 0.5);
  yuv[2] = (int) (128 + 0.439 * r - 0.368 * g - 0.071 * b + 0.5);
}

static gboolean
video_check_near (const int a[3], const int b[3], int tolerance)
{
  for (int i = 0; i < 3; i++)
    if (abs (a[i] - b[i]) > tolerance)
      return FALSE;
  return TRUE;
}

/* Releases the earliest clock wait of the pipelines on the test clock
 * (moving the clock to its time), once `waiters` waits are pending: with
 * all of them in, they are released in time order, whatever order their
 * threads got there in. Returns the time of the wait released. */
static GstClockTime
video_check_crank (GstTestClock *clock, guint waiters)
{
  /* Generous: only a pipeline that stopped waiting fails here. */
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (gst_test_clock_peek_id_count (clock) < waiters)
    {
      if (g_get_monotonic_time () > end)
        g_error ("%u clock waits pending, expected %u", gst_test_clock_peek_id_count (clock),
                 waiters);
      g_usleep (200);
    }
  GstClockID next = NULL;
  g_assert_true (gst_test_clock_peek_next_pending_id (clock, &next));
  GstClockTime t = gst_clock_id_get_time (next);
  gst_clock_id_unref (next);
  g_assert_true (gst_test_clock_crank (clock));
  return t;
}

/* Until `*count` (under vc->lock) is at least n; fails after a minute. */
static void
video_check_wait_count (VideoCheck *vc, const guint *count, guint n, const char *what)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  for (;;)
    {
      g_mutex_lock (&vc->lock);
      guint got = *count;
      g_mutex_unlock (&vc->lock);
      if (got >= n)
        return;
      if (g_get_monotonic_time () > end)
        g_error ("%u %s, expected %u", got, what, n);
      g_usleep (200);
    }
}

/* A solid-colour decoded frame of a participant, as a decoder gives it. */
static GstBuffer *
video_check_solid_frame (guint32 rgb, int w, int h, GstVideoInfo *info)
{
  gst_video_info_set_format (info, GST_VIDEO_FORMAT_I420, w, h);
  /* As a decoder describes its output (the scaler must cope with a rate). */
  info->fps_n = 30;
  info->fps_d = 1;
  return relay_tile_render_solid (w, h, rgb);
}
