/* For the mosaic and program tests: decodes the RTP a pipeline hands out
 * (depayloader + decoder in a small GStreamer pipeline of the test) and
 * measures colours in the newest decoded picture. */
#pragma once

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <stdlib.h>
#include <string.h>

#include "pipelines/tile-renderer.h"
#include "relay/peer/forward-kind.h"
#include "relay/sdp/sdp-offer.h"

typedef struct {
  GstElement *pipeline, *src, *sink;
  GMutex lock;
  GstSample *latest;
  guint frames;
  guint packets, keyframe_packets, bad_kind;
  guint8 expected_kind;
  gint64 last_capture_us;
} VideoCheck;

static GstFlowReturn
video_check_on_sample (GstAppSink *sink, gpointer data)
{
  VideoCheck *vc = data;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  g_mutex_lock (&vc->lock);
  if (vc->latest)
    gst_sample_unref (vc->latest);
  vc->latest = sample;
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
  g_autofree char *desc = g_strdup_printf (
      "appsrc name=src is-live=true do-timestamp=true format=time "
      "caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=%s,payload=%d "
      "! %s ! %s ! videoconvert ! video/x-raw,format=I420 ! appsink name=sink sync=false",
      h264 ? "H264" : "VP8", h264 ? 102 : 96, h264 ? "rtph264depay" : "rtpvp8depay",
      h264 ? "avdec_h264" : "vp8dec");
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
  g_mutex_lock (&vc->lock);
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
