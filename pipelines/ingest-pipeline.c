#include "pipelines/ingest-pipeline.h"

#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <math.h>

#include "relay/log.h"

struct _RelayIngestPipeline {
  char *code;
  GstElement *pipeline;
  GstAppSrc *video_src;
  GstAppSrc *audio_src;
  RelayKeyframeNeededFunc keyframe_needed;
  gpointer user_data;

  GMutex lock; /* guards stats and the fps window */
  RelayIngestStats stats;
  gint64 fps_window_start;
  guint64 fps_window_frames;
};

static GstElement *
make (const char *factory, const char *name, GError **error)
{
  GstElement *e = gst_element_factory_make (factory, name);
  if (!e)
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                 "GStreamer element %s is missing (install the Debian gstreamer1.0-plugins-*)",
                 factory);
  return e;
}

static GstBusSyncReply
on_bus_message (GstBus *bus, GstMessage *msg, gpointer data)
{
  RelayIngestPipeline *self = data;
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR || GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING)
    {
      g_autoptr (GError) err = NULL;
      g_autofree char *debug = NULL;
      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
        gst_message_parse_error (msg, &err, &debug);
      else
        gst_message_parse_warning (msg, &err, &debug);
      relay_warn (self->code, "media pipeline %s from %s: %s",
                  GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR ? "error" : "warning",
                  GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message);
    }
  return GST_BUS_DROP;
}

static GstPadProbeReturn
on_video_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  RelayIngestPipeline *self = data;
  gint64 now = g_get_monotonic_time ();
  g_mutex_lock (&self->lock);
  if (self->stats.video_frames++ == 0)
    self->stats.first_video_frame_us = now;
  self->fps_window_frames++;
  if (self->fps_window_start == 0)
    self->fps_window_start = now;
  else if (now - self->fps_window_start >= 2 * G_USEC_PER_SEC)
    {
      self->stats.fps = self->fps_window_frames * (double) G_USEC_PER_SEC
                        / (double) (now - self->fps_window_start);
      self->fps_window_start = now;
      self->fps_window_frames = 0;
    }
  g_mutex_unlock (&self->lock);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_video_caps (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  RelayIngestPipeline *self = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  GstCaps *caps;
  gst_event_parse_caps (event, &caps);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  int w = 0, h = 0;
  gst_structure_get_int (s, "width", &w);
  gst_structure_get_int (s, "height", &h);
  g_mutex_lock (&self->lock);
  gboolean changed = self->stats.width != (guint) w || self->stats.height != (guint) h;
  self->stats.width = w;
  self->stats.height = h;
  g_mutex_unlock (&self->lock);
  if (changed)
    relay_info (self->code, "decoding video %dx%d", w, h);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_audio_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  RelayIngestPipeline *self = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstMapInfo map;
  double level = -127.0;
  /* opusdec outputs interleaved S16; the mean square over one 20 ms frame is
   * cheap and saves a level element and its bus messages. */
  if (gst_buffer_map (buf, &map, GST_MAP_READ))
    {
      const gint16 *samples = (const gint16 *) map.data;
      gsize n = map.size / 2;
      double sum = 0;
      for (gsize i = 0; i < n; i++)
        sum += (double) samples[i] * samples[i];
      gst_buffer_unmap (buf, &map);
      if (n > 0 && sum > 0)
        level = MAX (-127.0, 10.0 * log10 (sum / n / (32768.0 * 32768.0)));
    }
  g_mutex_lock (&self->lock);
  self->stats.audio_frames++;
  self->stats.audio_rms_dbov = level;
  g_mutex_unlock (&self->lock);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_upstream_event (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  RelayIngestPipeline *self = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  if (gst_video_event_is_force_key_unit (event))
    {
      g_mutex_lock (&self->lock);
      self->stats.keyframe_requests++;
      g_mutex_unlock (&self->lock);
      if (self->keyframe_needed)
        self->keyframe_needed (self->user_data);
    }
  return GST_PAD_PROBE_OK;
}

static GstAppSrc *
add_rtp_source (RelayIngestPipeline *self, const char *media, const char *encoding,
                guint clock_rate, guint8 pt, guint latency_ms, GstElement **jitterbuffer_out,
                GError **error)
{
  g_autofree char *src_name = g_strdup_printf ("%s_src", media);
  g_autofree char *jb_name = g_strdup_printf ("%s_jitterbuffer", media);
  GstElement *src = make ("appsrc", src_name, error);
  GstElement *jb = src ? make ("rtpjitterbuffer", jb_name, error) : NULL;
  if (!jb)
    {
      g_clear_object (&src);
      return NULL;
    }
  g_autoptr (GstCaps) caps = gst_caps_new_simple (
      "application/x-rtp", "media", G_TYPE_STRING, media, "clock-rate", G_TYPE_INT, clock_rate,
      "encoding-name", G_TYPE_STRING, encoding, "payload", G_TYPE_INT, pt, NULL);
  /* Live, stamped on arrival so the jitter buffer sees real arrival times;
   * a full queue drops new packets rather than blocking the transport. */
  g_object_set (src, "caps", caps, "format", GST_FORMAT_TIME, "is-live", TRUE, "do-timestamp",
                TRUE, "max-bytes", (guint64) 4 * 1024 * 1024, "block", FALSE, "leaky-type", 1,
                NULL);
  /* Retransmissions are requested by the transport's own NACK generator. */
  g_object_set (jb, "latency", latency_ms, "do-lost", TRUE, "do-retransmission", FALSE, NULL);
  gst_bin_add_many (GST_BIN (self->pipeline), src, jb, NULL);
  gst_element_link (src, jb);
  *jitterbuffer_out = jb;
  return GST_APP_SRC (src);
}

static gboolean
build_video (RelayIngestPipeline *self, RelayCodec codec, guint8 pt, GError **error)
{
  GstElement *jb;
  const char *encoding = codec == RELAY_CODEC_H264 ? "H264" : "VP8";
  self->video_src = add_rtp_source (self, "video", encoding, 90000, pt, 100, &jb, error);
  if (!self->video_src)
    return FALSE;
  GstElement *depay = make (codec == RELAY_CODEC_H264 ? "rtph264depay" : "rtpvp8depay",
                            "video_depay", error);
  if (!depay)
    return FALSE;
  GstElement *dec = make (codec == RELAY_CODEC_H264 ? "avdec_h264" : "vp8dec", "video_decoder",
                          error);
  if (!dec)
    {
      gst_object_unref (depay);
      return FALSE;
    }
  GstElement *sink = make ("fakesink", "video_out", error);
  g_object_set (depay, "request-keyframe", TRUE, "wait-for-keyframe", TRUE, NULL);
  /* One decoding thread per province: 76 of them share 2 cores, and
   * frame threading would add a frame of latency for nothing. */
  if (codec == RELAY_CODEC_H264)
    g_object_set (dec, "max-threads", 1, NULL);
  else
    g_object_set (dec, "threads", 1, NULL);
  g_object_set (dec, "automatic-request-sync-points", TRUE, NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, NULL);
  gst_bin_add_many (GST_BIN (self->pipeline), depay, dec, sink, NULL);
  if (!gst_element_link_many (jb, depay, dec, sink, NULL))
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "cannot link video branch");
      return FALSE;
    }
  g_autoptr (GstPad) dec_src = gst_element_get_static_pad (dec, "src");
  gst_pad_add_probe (dec_src, GST_PAD_PROBE_TYPE_BUFFER, on_video_frame, self, NULL);
  gst_pad_add_probe (dec_src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_video_caps, self, NULL);
  g_autoptr (GstPad) src_pad = gst_element_get_static_pad (GST_ELEMENT (self->video_src), "src");
  gst_pad_add_probe (src_pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_upstream_event, self, NULL);
  return TRUE;
}

static gboolean
build_audio (RelayIngestPipeline *self, guint8 pt, GError **error)
{
  GstElement *jb;
  self->audio_src = add_rtp_source (self, "audio", "OPUS", 48000, pt, 60, &jb, error);
  if (!self->audio_src)
    return FALSE;
  GstElement *depay = make ("rtpopusdepay", "audio_depay", error);
  GstElement *dec = depay ? make ("opusdec", "audio_decoder", error) : NULL;
  GstElement *sink = dec ? make ("fakesink", "audio_out", error) : NULL;
  if (!sink)
    return FALSE;
  g_object_set (dec, "plc", TRUE, NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, NULL);
  gst_bin_add_many (GST_BIN (self->pipeline), depay, dec, sink, NULL);
  if (!gst_element_link_many (jb, depay, dec, sink, NULL))
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "cannot link audio branch");
      return FALSE;
    }
  g_autoptr (GstPad) dec_src = gst_element_get_static_pad (dec, "src");
  gst_pad_add_probe (dec_src, GST_PAD_PROBE_TYPE_BUFFER, on_audio_frame, self, NULL);
  return TRUE;
}

RelayIngestPipeline *
relay_ingest_pipeline_new (const char *province_code, RelayCodec video_codec, guint8 video_pt,
                           gboolean has_audio, guint8 audio_pt,
                           RelayKeyframeNeededFunc keyframe_needed, gpointer user_data,
                           GError **error)
{
  RelayIngestPipeline *self = g_new0 (RelayIngestPipeline, 1);
  g_mutex_init (&self->lock);
  self->code = g_strdup (province_code);
  self->keyframe_needed = keyframe_needed;
  self->user_data = user_data;
  self->stats.audio_rms_dbov = -127.0;
  g_autofree char *name = g_strdup_printf ("ingest-%s", province_code);
  self->pipeline = gst_pipeline_new (name);
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  gst_bus_set_sync_handler (bus, on_bus_message, self, NULL);

  if ((video_codec != RELAY_CODEC_NONE && !build_video (self, video_codec, video_pt, error))
      || (has_audio && !build_audio (self, audio_pt, error)))
    {
      relay_ingest_pipeline_free (self);
      return NULL;
    }
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
                   "media pipeline refused to start");
      relay_ingest_pipeline_free (self);
      return NULL;
    }
  return self;
}

void
relay_ingest_pipeline_free (RelayIngestPipeline *self)
{
  if (!self)
    return;
  if (self->pipeline)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
      gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
      gst_object_unref (self->pipeline);
    }
  g_mutex_clear (&self->lock);
  g_free (self->code);
  g_free (self);
}

static void
push (GstAppSrc *src, const guint8 *rtp, gsize len)
{
  if (!src)
    return;
  GstBuffer *buf = gst_buffer_new_memdup (rtp, len);
  gst_app_src_push_buffer (src, buf);
}

void
relay_ingest_pipeline_push_video (RelayIngestPipeline *self, const guint8 *rtp, gsize len)
{
  push (self->video_src, rtp, len);
}

void
relay_ingest_pipeline_push_audio (RelayIngestPipeline *self, const guint8 *rtp, gsize len)
{
  push (self->audio_src, rtp, len);
}

void
relay_ingest_pipeline_get_stats (RelayIngestPipeline *self, RelayIngestStats *stats)
{
  g_mutex_lock (&self->lock);
  *stats = self->stats;
  /* A stream that stopped has no frame rate, whatever the last window said. */
  if (self->fps_window_start && g_get_monotonic_time () - self->fps_window_start > 3 * G_USEC_PER_SEC)
    stats->fps = 0;
  g_mutex_unlock (&self->lock);
}
