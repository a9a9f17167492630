#include "pipelines/ingest-pipeline.h"

#include <gst/video/video.h>

#include "pipelines/gst-util.h"
#include "webrtc/rtp/audio-level.h"
#include "webrtc/base/log.h"

/* Where the transport's RTP enters GStreamer: a source pad of our own,
 * linked to the jitter buffer and pushed from the transport worker. An
 * appsrc would add a queue, a thread and a wake-up per packet; the jitter
 * buffer's chain function only queues the packet and returns. */
typedef struct {
  GstPad *pad;
  GstCaps *caps;
  GstElement *jitterbuffer;
  guint64 arrivals;  /* packets offered */
  guint64 pushed;    /* packets handed to the jitter buffer */
  guint64 dropped;   /* refused while the jitter buffer was too deep */
  /* Bytes and packets pushed since the last depth check, and the mean
   * size they gave: what the packets still queued weigh, about. */
  guint64 window_bytes, window_packets;
  gsize mean_size;
  gboolean overflowing;
} RtpInput;

/* A decoder that stalls must not make the jitter buffer grow without end:
 * past this many packets queued the input drops new ones. 4096 packets is
 * about a minute of 640x360 video, far past any useful latency. The same
 * count of full-size (1,200-byte) packets bounds it in bytes, 4.9 MB, so
 * that bigger packets do not make it hold more. The jitter buffer counts
 * packets only: the bytes queued are estimated as the depth times the
 * mean size of the packets pushed since the previous check, which are
 * the ones still queued when the decoder stalls. */
#define MAX_QUEUED_PACKETS 4096
#define MAX_QUEUED_BYTES (MAX_QUEUED_PACKETS * 1200)
#define DEPTH_CHECK_EVERY 256

struct _RelayIngestPipeline {
  char *code;
  GstElement *pipeline;
  GstClock *clock;
  GstClockTime base_time;
  RtpInput video_in;
  RtpInput audio_in;
  RelayKeyframeNeededFunc keyframe_needed;
  gpointer user_data;

  RelayDecodedSink sink;
  gboolean has_sink;
  /* Written by the caps event and read by buffers of the same streaming
   * thread: no lock. */
  GstVideoInfo video_info;
  gboolean video_info_valid;
  GstAudioInfo audio_info;
  gboolean audio_info_valid;

  GMutex lock; /* guards stats and the fps window */
  RelayIngestStats stats;
  gint64 fps_window_start;
  guint64 fps_window_frames;
};

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
  if (self->has_sink && self->sink.video_frame && self->video_info_valid)
    self->sink.video_frame (self->code, GST_PAD_PROBE_INFO_BUFFER (info), &self->video_info,
                            self->sink.user_data);
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
  self->video_info_valid = gst_video_info_from_caps (&self->video_info, caps);
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
      level = relay_audio_level_dbov_s16 ((const gint16 *) map.data, map.size / 2);
      gst_buffer_unmap (buf, &map);
    }
  g_mutex_lock (&self->lock);
  self->stats.audio_frames++;
  self->stats.audio_rms_dbov = level;
  g_mutex_unlock (&self->lock);
  if (self->has_sink && self->sink.audio_frame && self->audio_info_valid)
    self->sink.audio_frame (self->code, buf, &self->audio_info, self->sink.user_data);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_audio_caps (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  RelayIngestPipeline *self = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS)
    {
      GstCaps *caps;
      gst_event_parse_caps (event, &caps);
      self->audio_info_valid = gst_audio_info_from_caps (&self->audio_info, caps);
    }
  return GST_PAD_PROBE_OK;
}

/* Before the decoder: Opus of a participant outside the mix is not
 * decoded at all. */
static GstPadProbeReturn
on_audio_encoded (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  RelayIngestPipeline *self = data;
  if (self->has_sink && self->sink.audio_wanted
      && !self->sink.audio_wanted (self->code, self->sink.user_data))
    return GST_PAD_PROBE_DROP;
  return GST_PAD_PROBE_OK;
}

static gboolean
on_input_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  RelayIngestPipeline *self = gst_pad_get_element_private (pad);
  /* Upstream events end here; the one that matters is the decoder's or
   * depayloader's request for a keyframe, which becomes a PLI. */
  if (gst_video_event_is_force_key_unit (event) && pad == self->video_in.pad)
    {
      g_mutex_lock (&self->lock);
      self->stats.keyframe_requests++;
      g_mutex_unlock (&self->lock);
      if (self->keyframe_needed)
        self->keyframe_needed (self->user_data);
    }
  gst_event_unref (event);
  return TRUE;
}

static GstElement *
add_rtp_input (RelayIngestPipeline *self, RtpInput *in, const char *media, const char *encoding,
               guint clock_rate, guint8 pt, guint latency_ms, GError **error)
{
  g_autofree char *pad_name = g_strdup_printf ("%s_in", media);
  g_autofree char *jb_name = g_strdup_printf ("%s_jitterbuffer", media);
  GstElement *jb = relay_gst_element_new ("rtpjitterbuffer", jb_name, error);
  if (!jb)
    return NULL;
  /* Retransmissions are requested by the transport's own NACK generator.
   * (drop-on-latency would bound the queue, but it drops the first
   * keyframe's packets and delays every join by a keyframe interval.) */
  g_object_set (jb, "latency", latency_ms, "do-lost", TRUE, "do-retransmission", FALSE, NULL);
  gst_bin_add (GST_BIN (self->pipeline), jb);
  in->jitterbuffer = jb;

  in->caps = gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, media, "clock-rate",
                                  G_TYPE_INT, clock_rate, "encoding-name", G_TYPE_STRING, encoding,
                                  "payload", G_TYPE_INT, pt, NULL);
  in->pad = relay_gst_live_src_pad_new (pad_name, in->caps);
  gst_pad_set_element_private (in->pad, self);
  gst_pad_set_event_function (in->pad, on_input_event);
  g_autoptr (GstPad) sink = gst_element_get_static_pad (jb, "sink");
  if (gst_pad_link (in->pad, sink) != GST_PAD_LINK_OK)
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                   "cannot link the %s input to its jitter buffer", media);
      return NULL;
    }
  return jb;
}

/* Sticky events every stream needs before its first buffer. */
static void
start_input (RelayIngestPipeline *self, RtpInput *in)
{
  if (!in->pad)
    return;
  g_autofree char *stream_id = g_strdup_printf ("%s/%s", self->code, GST_PAD_NAME (in->pad));
  GstEvent *start = gst_event_new_stream_start (stream_id);
  gst_event_set_group_id (start, gst_util_group_id_next ());
  gst_pad_push_event (in->pad, start);
  gst_pad_push_event (in->pad, gst_event_new_caps (in->caps));
  GstSegment segment;
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (in->pad, gst_event_new_segment (&segment));
}

static void
clear_input (RtpInput *in)
{
  if (in->pad)
    {
      gst_pad_set_active (in->pad, FALSE);
      g_clear_object (&in->pad);
    }
  g_clear_pointer (&in->caps, gst_caps_unref);
}

static gboolean
build_video (RelayIngestPipeline *self, RelayCodec codec, guint8 pt, GError **error)
{
  const char *encoding = codec == RELAY_CODEC_H264 ? "H264" : "VP8";
  GstElement *jb = add_rtp_input (self, &self->video_in, "video", encoding, 90000, pt, 100, error);
  if (!jb)
    return FALSE;
  GstElement *depay = relay_gst_element_new (
      codec == RELAY_CODEC_H264 ? "rtph264depay" : "rtpvp8depay", "video_depay", error);
  if (!depay)
    return FALSE;
  GstElement *dec = relay_gst_element_new (codec == RELAY_CODEC_H264 ? "avdec_h264" : "vp8dec",
                                           "video_decoder", error);
  if (!dec)
    {
      gst_object_unref (depay);
      return FALSE;
    }
  GstElement *sink = relay_gst_element_new ("fakesink", "video_out", error);
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
  return TRUE;
}

static gboolean
build_audio (RelayIngestPipeline *self, guint8 pt, GError **error)
{
  GstElement *jb = add_rtp_input (self, &self->audio_in, "audio", "OPUS", 48000, pt, 60, error);
  if (!jb)
    return FALSE;
  GstElement *depay = relay_gst_element_new ("rtpopusdepay", "audio_depay", error);
  GstElement *dec = depay ? relay_gst_element_new ("opusdec", "audio_decoder", error) : NULL;
  GstElement *mono = dec ? relay_gst_element_new ("capsfilter", "audio_mono", error) : NULL;
  GstElement *sink = mono ? relay_gst_element_new ("fakesink", "audio_out", error) : NULL;
  if (!sink)
    return FALSE;
  g_object_set (dec, "plc", TRUE, NULL);
  /* The conference mix is mono at 48 kHz: asking opusdec for that makes
   * libopus decode a stereo stream straight to mono, cheaper than decoding
   * both channels and downmixing them afterwards. */
  g_autoptr (GstCaps) mono_caps = gst_caps_new_simple (
      "audio/x-raw", "format", G_TYPE_STRING, "S16LE", "rate", G_TYPE_INT, 48000, "channels",
      G_TYPE_INT, 1, NULL);
  g_object_set (mono, "caps", mono_caps, NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, NULL);
  gst_bin_add_many (GST_BIN (self->pipeline), depay, dec, mono, sink, NULL);
  if (!gst_element_link_many (jb, depay, dec, mono, sink, NULL))
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "cannot link audio branch");
      return FALSE;
    }
  g_autoptr (GstPad) dec_src = gst_element_get_static_pad (dec, "src");
  gst_pad_add_probe (dec_src, GST_PAD_PROBE_TYPE_BUFFER, on_audio_frame, self, NULL);
  gst_pad_add_probe (dec_src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_audio_caps, self, NULL);
  g_autoptr (GstPad) depay_src = gst_element_get_static_pad (depay, "src");
  gst_pad_add_probe (depay_src, GST_PAD_PROBE_TYPE_BUFFER, on_audio_encoded, self, NULL);
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
  self->pipeline = relay_gst_pipeline_new (name, province_code, "media pipeline");

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
  self->clock = gst_pipeline_get_clock (GST_PIPELINE (self->pipeline));
  self->base_time = gst_element_get_base_time (self->pipeline);
  start_input (self, &self->video_in);
  start_input (self, &self->audio_in);
  return self;
}

void
relay_ingest_pipeline_set_sink (RelayIngestPipeline *self, const RelayDecodedSink *sink)
{
  self->has_sink = sink != NULL;
  if (sink)
    self->sink = *sink;
}

void
relay_ingest_pipeline_free (RelayIngestPipeline *self)
{
  if (!self)
    return;
  relay_gst_pipeline_free (self->pipeline);
  clear_input (&self->video_in);
  clear_input (&self->audio_in);
  g_clear_object (&self->clock);
  g_mutex_clear (&self->lock);
  g_free (self->code);
  g_free (self);
}

/* Stamped with the running time of arrival, as the jitter buffer expects
 * of a live source. Only the session's transport worker pushes. */
static void
check_depth (RelayIngestPipeline *self, RtpInput *in)
{
  GstStructure *st = NULL;
  g_object_get (in->jitterbuffer, "stats", &st, NULL);
  if (!st)
    return;
  guint64 out = 0, late = 0, duplicates = 0;
  gst_structure_get_uint64 (st, "num-pushed", &out);
  gst_structure_get_uint64 (st, "num-late", &late);
  gst_structure_get_uint64 (st, "num-duplicates", &duplicates);
  gst_structure_free (st);
  guint64 gone = out + late + duplicates;
  guint64 depth = in->pushed > gone ? in->pushed - gone : 0;
  /* While dropping, nothing is pushed: the last mean still describes the
   * queue. */
  if (in->window_packets > 0)
    in->mean_size = in->window_bytes / in->window_packets;
  in->window_bytes = in->window_packets = 0;
  guint64 depth_bytes = depth * in->mean_size;
  gboolean overflowing = depth > MAX_QUEUED_PACKETS || depth_bytes > MAX_QUEUED_BYTES;
  if (overflowing != in->overflowing)
    {
      if (overflowing)
        relay_warn (self->code, "%s decoding is %" G_GUINT64_FORMAT " packets (about %"
                    G_GUINT64_FORMAT " KiB) behind; dropping input until it catches up",
                    GST_PAD_NAME (in->pad), depth, depth_bytes / 1024);
      else
        relay_info (self->code, "%s decoding caught up (%" G_GUINT64_FORMAT " packets dropped)",
                    GST_PAD_NAME (in->pad), in->dropped);
      in->overflowing = overflowing;
    }
}

static void
push (RelayIngestPipeline *self, RtpInput *in, const guint8 *rtp, gsize len)
{
  if (!in->pad || !self->clock)
    return;
  if (++in->arrivals % DEPTH_CHECK_EVERY == 0)
    check_depth (self, in);
  if (in->overflowing)
    {
      in->dropped++;
      return;
    }
  in->pushed++;
  in->window_packets++;
  in->window_bytes += len;
  GstBuffer *buf = gst_buffer_new_memdup (rtp, len);
  GstClockTime now = gst_clock_get_time (self->clock);
  GstClockTime running = now > self->base_time ? now - self->base_time : 0;
  GST_BUFFER_DTS (buf) = running;
  GST_BUFFER_PTS (buf) = running;
  gst_pad_push (in->pad, buf);
}

void
relay_ingest_pipeline_push_video (RelayIngestPipeline *self, const guint8 *rtp, gsize len)
{
  push (self, &self->video_in, rtp, len);
}

void
relay_ingest_pipeline_push_audio (RelayIngestPipeline *self, const guint8 *rtp, gsize len)
{
  push (self, &self->audio_in, rtp, len);
}

void
relay_ingest_pipeline_get_stats (RelayIngestPipeline *self, RelayIngestStats *stats)
{
  g_mutex_lock (&self->lock);
  *stats = self->stats;
  stats->input_dropped = self->video_in.dropped + self->audio_in.dropped;
  /* A stream that stopped has no frame rate, whatever the last window said. */
  if (self->fps_window_start && g_get_monotonic_time () - self->fps_window_start > 3 * G_USEC_PER_SEC)
    stats->fps = 0;
  g_mutex_unlock (&self->lock);
}

GstElement *
relay_ingest_pipeline_get_element (RelayIngestPipeline *self)
{
  return self->pipeline;
}
