#include "pipelines/video-encoder-output.h"

#include <gst/rtp/gstrtpbuffer.h>
#include <gst/video/video.h>

#include "pipelines/gst-util.h"
#include "pipelines/output-common.h"
#include "webrtc/base/log.h"
#include "webrtc/base/media.h"

/* Frame and mix latencies run to hundreds of ms, past the histogram's
 * 100 ms of 50 µs buckets: they are recorded in units of 20 µs, so the
 * same buckets span 2 s at 1 ms. (A percentile of -1, empty, stays
 * negative.) */
#define FRAME_LATENCY_SCALE 20

/* Raw frames between the producer and the encoder; what is past this many
 * is dropped (newest kept) so latency cannot grow under load. */
#define QUEUE_FRAMES 2
#define CAPTURE_RING 64
#define KEYFRAME_MIN_INTERVAL GST_SECOND
#define FPS_WINDOW_US (2 * G_USEC_PER_SEC)

/* A frame's capture time and keyframe flag, keyed by PTS: raw PTS from
 * note_capture until the frame enters the encoder, then the encoded PTS
 * (payloaders keep it on every packet). One ring holds both kinds; a raw
 * note is consumed when its frame enters the encoder. */
typedef struct {
  GstClockTime pts;
  gint64 capture_us;
  gboolean keyframe;
} FrameNote;

struct _RelayVideoEncoderOutput {
  char *name;
  guint8 kind;
  RelayRtpOutputFunc output;
  gpointer user_data;
  GstElement *queue, *encoder;
  GstPad *encoder_src;

  GMutex lock;
  FrameNote notes[CAPTURE_RING];
  guint next_note;
  gboolean keyframe_pending;
  gboolean forced_any;
  GstClockTime last_forced_pts;
  guint force_count;
  RelayVideoEncoderOutputStats stats;
  RelayLatencyHistogram latency;
  RelayMetricsHistogram *metrics_latency; /* lock-free; not under `lock` */
  gint64 fps_window_start;
  guint64 fps_window_frames;

  /* Streaming thread only. */
  gboolean previous_marker;
  GstClockTime previous_pts;
};

static FrameNote *
find_note (RelayVideoEncoderOutput *self, GstClockTime pts)
{
  for (guint i = 0; i < CAPTURE_RING; i++)
    if (self->notes[i].pts == pts)
      return &self->notes[i];
  return NULL;
}

void
relay_video_encoder_output_note_capture (RelayVideoEncoderOutput *self, GstClockTime pts,
                                         gint64 capture_us)
{
  g_mutex_lock (&self->lock);
  FrameNote *note = &self->notes[self->next_note];
  self->next_note = (self->next_note + 1) % CAPTURE_RING;
  note->pts = pts;
  note->capture_us = capture_us;
  note->keyframe = FALSE;
  g_mutex_unlock (&self->lock);
}

/* The capture time rides through the encoder as a reference-timestamp
 * meta (GstVideoEncoder copies untagged metas to the encoded frame): x264enc
 * shifts PTS by 1000 h, so the raw PTS cannot be looked up after it. */
static GstCaps *
capture_meta_caps (void)
{
  static GstCaps *caps;
  if (g_once_init_enter (&caps))
    g_once_init_leave (&caps, gst_caps_new_empty_simple ("timestamp/x-relay-capture"));
  return caps;
}

/* Before each raw frame enters the encoder: its capture time, and a
 * pending keyframe request if the last forced one is a second old. A
 * second of the stream (the frames' running time), not of the encoder
 * thread's wake-ups: a late thread does not let two through at once. */
static GstPadProbeReturn
on_encoder_input (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  RelayVideoEncoderOutput *self = data;
  gboolean force = FALSE;
  guint count = 0;
  gint64 capture_us = 0;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  g_mutex_lock (&self->lock);
  FrameNote *note = find_note (self, pts);
  if (note)
    {
      capture_us = note->capture_us;
      note->pts = GST_CLOCK_TIME_NONE;
    }
  if (self->keyframe_pending
      && (!self->forced_any || !GST_CLOCK_TIME_IS_VALID (pts)
          || pts >= self->last_forced_pts + KEYFRAME_MIN_INTERVAL))
    {
      self->keyframe_pending = FALSE;
      self->forced_any = GST_CLOCK_TIME_IS_VALID (pts);
      self->last_forced_pts = pts;
      self->stats.keyframes_forced++;
      count = ++self->force_count;
      force = TRUE;
    }
  g_mutex_unlock (&self->lock);
  if (capture_us > 0)
    {
      /* Our raw buffers are shallow copies held only here: no pixel copy. */
      buf = gst_buffer_make_writable (buf);
      gst_buffer_add_reference_timestamp_meta (buf, capture_meta_caps (),
                                               (GstClockTime) capture_us * GST_USECOND,
                                               GST_CLOCK_TIME_NONE);
      GST_PAD_PROBE_INFO_DATA (info) = buf;
    }
  /* GstVideoEncoder only records the request here; it applies to the
   * frame that is about to be chained. */
  if (force)
    gst_pad_send_event (self->encoder_src,
                        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE,
                                                                     count));
  return GST_PAD_PROBE_OK;
}

/* Notes the encoded frame under its output PTS, which the payloader keeps
 * on every packet. */
static GstPadProbeReturn
on_encoded_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  RelayVideoEncoderOutput *self = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  gint64 now = g_get_monotonic_time ();
  GstReferenceTimestampMeta *meta
      = gst_buffer_get_reference_timestamp_meta (buf, capture_meta_caps ());
  g_mutex_lock (&self->lock);
  FrameNote *note = &self->notes[self->next_note];
  self->next_note = (self->next_note + 1) % CAPTURE_RING;
  note->pts = GST_BUFFER_PTS (buf);
  note->capture_us = meta ? (gint64) (meta->timestamp / GST_USECOND) : 0;
  note->keyframe = !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  self->stats.frames_out++;
  self->fps_window_frames++;
  if (self->fps_window_start == 0)
    self->fps_window_start = now;
  else if (now - self->fps_window_start >= FPS_WINDOW_US)
    {
      self->stats.fps = self->fps_window_frames * (double) G_USEC_PER_SEC
                        / (double) (now - self->fps_window_start);
      self->fps_window_start = now;
      self->fps_window_frames = 0;
    }
  g_mutex_unlock (&self->lock);
  return GST_PAD_PROBE_OK;
}

static void
on_rtp_packet (GstElement *sink, GstBuffer *buf, GstPad *pad, gpointer data)
{
  RelayVideoEncoderOutput *self = data;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp))
    return;
  gboolean marker = gst_rtp_buffer_get_marker (&rtp);
  gst_rtp_buffer_unmap (&rtp);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  /* A frame starts after the previous one's marker (or, should a marker
   * be missing, where the timestamp changes). */
  gboolean first = self->previous_marker || pts != self->previous_pts;
  self->previous_marker = marker;
  self->previous_pts = pts;

  gboolean keyframe = FALSE;
  gint64 capture_us = 0;
  g_mutex_lock (&self->lock);
  FrameNote *note = find_note (self, pts);
  if (note)
    {
      keyframe = first && note->keyframe;
      capture_us = note->capture_us;
      if (first && capture_us > 0)
        {
          gint64 latency_us = g_get_monotonic_time () - capture_us;
          relay_latency_histogram_record (&self->latency, latency_us / FRAME_LATENCY_SCALE);
          relay_metrics_histogram_observe_us (self->metrics_latency, latency_us);
        }
    }
  g_mutex_unlock (&self->lock);

  GstMapInfo map;
  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return;
  self->output (self->kind, keyframe, capture_us, map.data, map.size, self->user_data);
  gst_buffer_unmap (buf, &map);
}

RelayVideoEncoderOutput *
relay_video_encoder_output_new (GstBin *bin, const char *name, RelayCodec codec,
                                guint framerate, guint bitrate_kbps, guint32 ssrc,
                                RelayRtpOutputFunc output, gpointer user_data, GError **error)
{
  gboolean h264 = codec == RELAY_CODEC_H264;
  if (!h264 && codec != RELAY_CODEC_VP8)
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NOT_IMPLEMENTED,
                   "%s: output codec must be H264 or VP8", name);
      return NULL;
    }
  framerate = MAX (framerate, 1);
  g_autofree char *queue_name = g_strdup_printf ("%s_queue", name);
  g_autofree char *enc_name = g_strdup_printf ("%s_encoder", name);
  g_autofree char *caps_name = g_strdup_printf ("%s_encoded_caps", name);
  g_autofree char *pay_name = g_strdup_printf ("%s_pay", name);
  g_autofree char *sink_name = g_strdup_printf ("%s_rtp", name);
  const char *encoder = h264 ? "x264enc" : "vp8enc";
  const char *payloader = h264 ? "rtph264pay" : "rtpvp8pay";
  GstElement *queue = relay_gst_element_new ("queue", queue_name, error);
  GstElement *enc = queue ? relay_gst_element_new (encoder, enc_name, error) : NULL;
  GstElement *capsfilter = enc ? relay_gst_element_new ("capsfilter", caps_name, error) : NULL;
  GstElement *pay = capsfilter ? relay_gst_element_new (payloader, pay_name, error) : NULL;
  GstElement *sink = pay ? relay_gst_element_new ("fakesink", sink_name, error) : NULL;
  if (!sink)
    {
      g_clear_object (&queue);
      g_clear_object (&enc);
      g_clear_object (&capsfilter);
      g_clear_object (&pay);
      return NULL;
    }

  g_object_set (queue, "max-size-buffers", QUEUE_FRAMES, "max-size-bytes", 0,
                "max-size-time", (guint64) 0, NULL);
  gst_util_set_object_arg (G_OBJECT (queue), "leaky", "downstream");
  g_autoptr (GstCaps) caps = NULL;
  if (h264)
    {
      /* ultrafast: one 1080p15 encode has to fit beside 76 decoders on two
       * cores; zerolatency: no lookahead, no B-frames. One slice per
       * picture (zerolatency would slice it per thread): GStreamer 1.22's
       * H.264 depayloader hands a multi-slice picture on in pieces, and
       * receivers built on it (webrtcbin, OBS) then decode only one slice
       * of each picture. */
      gst_util_set_object_arg (G_OBJECT (enc), "tune", "zerolatency");
      gst_util_set_object_arg (G_OBJECT (enc), "speed-preset", "ultrafast");
      g_object_set (enc, "bitrate", bitrate_kbps, "key-int-max", 2 * framerate, "threads", 2,
                    "sliced-threads", FALSE, NULL);
      /* Every browser decodes constrained baseline. */
      caps = gst_caps_from_string ("video/x-h264,profile=constrained-baseline");
      g_object_set (pay, "config-interval", -1, NULL);
    }
  else
    {
      /* Real-time at the fastest speed: at 1080p cpu-used 16 costs about a
       * quarter of cpu-used 8 (11 ms against 47 ms a frame here). */
      gst_util_set_object_arg (G_OBJECT (enc), "end-usage", "cbr");
      g_object_set (enc, "deadline", (gint64) 1, "cpu-used", 16, "target-bitrate",
                    (gint) (bitrate_kbps * 1000), "keyframe-max-dist", (gint) (2 * framerate),
                    "threads", 2, "lag-in-frames", 0, NULL);
      caps = gst_caps_from_string ("video/x-vp8");
      gst_util_set_object_arg (G_OBJECT (pay), "picture-id-mode", "15-bit");
    }
  g_object_set (capsfilter, "caps", caps, NULL);
  g_object_set (pay, "mtu", 1200, "ssrc", ssrc, "pt", h264 ? 102 : 96, NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE,
                "signal-handoffs", TRUE, NULL);
  gst_bin_add_many (bin, queue, enc, capsfilter, pay, sink, NULL);
  if (!gst_element_link_many (queue, enc, capsfilter, pay, sink, NULL))
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                   "%s: cannot link the encoder", name);
      return NULL;
    }

  RelayVideoEncoderOutput *self = g_new0 (RelayVideoEncoderOutput, 1);
  g_mutex_init (&self->lock);
  self->name = g_strdup (name);
  self->kind = h264 ? RELAY_FORWARD_H264 : RELAY_FORWARD_VP8;
  self->output = output;
  self->user_data = user_data;
  self->queue = queue;
  self->encoder = enc;
  self->previous_marker = TRUE;
  self->previous_pts = GST_CLOCK_TIME_NONE;
  self->metrics_latency = relay_output_latency_histogram_new ();
  for (guint i = 0; i < CAPTURE_RING; i++)
    self->notes[i].pts = GST_CLOCK_TIME_NONE;
  self->encoder_src = gst_element_get_static_pad (enc, "src");
  g_autoptr (GstPad) enc_sink = gst_element_get_static_pad (enc, "sink");
  gst_pad_add_probe (enc_sink, GST_PAD_PROBE_TYPE_BUFFER, on_encoder_input, self, NULL);
  gst_pad_add_probe (self->encoder_src, GST_PAD_PROBE_TYPE_BUFFER, on_encoded_frame, self, NULL);
  g_signal_connect (sink, "handoff", G_CALLBACK (on_rtp_packet), self);
  return self;
}

void
relay_video_encoder_output_free (RelayVideoEncoderOutput *self)
{
  if (!self)
    return;
  g_clear_object (&self->encoder_src);
  relay_metrics_histogram_free (self->metrics_latency);
  g_mutex_clear (&self->lock);
  g_free (self->name);
  g_free (self);
}

GstElement *
relay_video_encoder_output_get_head (RelayVideoEncoderOutput *self)
{
  return self->queue;
}

void
relay_video_encoder_output_request_keyframe (RelayVideoEncoderOutput *self)
{
  g_mutex_lock (&self->lock);
  self->keyframe_pending = TRUE;
  g_mutex_unlock (&self->lock);
}

void
relay_video_encoder_output_get_stats (RelayVideoEncoderOutput *self,
                                      RelayVideoEncoderOutputStats *stats)
{
  g_mutex_lock (&self->lock);
  *stats = self->stats;
  if (self->fps_window_start
      && g_get_monotonic_time () - self->fps_window_start > 3 * G_USEC_PER_SEC)
    stats->fps = 0;
  stats->latency_p50_us = relay_latency_histogram_percentile (&self->latency, 50) * FRAME_LATENCY_SCALE;
  stats->latency_p99_us = relay_latency_histogram_percentile (&self->latency, 99) * FRAME_LATENCY_SCALE;
  stats->latency = self->metrics_latency;
  g_mutex_unlock (&self->lock);
}
