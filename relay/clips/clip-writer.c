#include "relay/clips/clip-writer.h"

#include <gst/gst.h>
#include <gst/rtp/rtp.h>

/* Packets held back to put a late one (a retransmission, a reordered
 * path) in its place: 10 Opus packets, 200 ms of speech. A file needs no
 * lower latency than that and a later packet is not worth the wait. */
#define REORDER_WINDOW 10
#define OPUS_CLOCK 48000

struct _RelayClipWriter {
  char *path;
  GstElement *pipeline;
  GstPad *pad;
  GstCaps *caps;
  gboolean started;   /* stream-start, caps and segment sent */
  gboolean failed;

  /* Reordering, per source: extended sequence numbers. */
  GQueue pending;     /* Held*, ascending ext_seq */
  gboolean have_source;
  guint32 ssrc;
  gint64 max_seq;     /* highest extended seq seen */
  gint64 released_seq;/* last extended seq written */

  /* Timeline: RTP timestamps made continuous and relative to the clip. */
  gboolean have_ts;
  gint64 last_ext_ts;
  gint64 source_first_ts; /* extended ts of the source's first packet */
  gint64 source_offset;   /* samples before the source began (earlier sources) */

  GstClockTime end;   /* end of the last Opus packet out of the parser */
  guint64 packets;
};

typedef struct {
  gint64 seq;
  GstBuffer *buffer;
} Held;

static gint64
extend (gint64 reference, guint32 value, guint bits)
{
  guint64 modulus = G_GUINT64_CONSTANT (1) << bits;
  gint64 delta = (gint64) ((value - (guint64) reference) & (modulus - 1));
  if (delta >= (gint64) (modulus / 2))
    delta -= (gint64) modulus;
  return reference + delta;
}

static gboolean
on_input_query (GstPad *pad, GstObject *parent, GstQuery *query)
{
  RelayClipWriter *self = gst_pad_get_element_private (pad);
  switch (GST_QUERY_TYPE (query))
    {
    case GST_QUERY_CAPS:
      gst_query_set_caps_result (query, self->caps);
      return TRUE;
    case GST_QUERY_ACCEPT_CAPS:
      gst_query_set_accept_caps_result (query, TRUE);
      return TRUE;
    default:
      return FALSE;
    }
}

/* Upstream events (latency, reconfigure) have nobody to go to. */
static gboolean
on_input_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  gst_event_unref (event);
  return TRUE;
}

/* The parser knows each packet's duration from its TOC: the clip's
 * duration is where the last one ends. Runs on the pushing thread. */
static GstPadProbeReturn
on_parsed (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  RelayClipWriter *self = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_HEADER) || !GST_BUFFER_PTS_IS_VALID (buf))
    return GST_PAD_PROBE_OK;
  GstClockTime duration = GST_BUFFER_DURATION_IS_VALID (buf) ? GST_BUFFER_DURATION (buf)
                                                             : 20 * GST_MSECOND;
  GstClockTime end = GST_BUFFER_PTS (buf) + duration;
  if (!GST_CLOCK_TIME_IS_VALID (self->end) || end > self->end)
    self->end = end;
  return GST_PAD_PROBE_OK;
}

static GstElement *
add (RelayClipWriter *self, const char *factory, GError **error)
{
  GstElement *e = gst_element_factory_make (factory, NULL);
  if (!e)
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                 "GStreamer element %s is missing", factory);
  else
    gst_bin_add (GST_BIN (self->pipeline), e);
  return e;
}

RelayClipWriter *
relay_clip_writer_new (const char *path, GError **error)
{
  g_autoptr (RelayClipWriter) self = g_new0 (RelayClipWriter, 1);
  self->path = g_strdup (path);
  self->end = GST_CLOCK_TIME_NONE;
  g_queue_init (&self->pending);
  self->pipeline = gst_pipeline_new ("clip");
  GstElement *depay, *parse, *mux, *sink;
  if (!(depay = add (self, "rtpopusdepay", error)) || !(parse = add (self, "opusparse", error))
      || !(mux = add (self, "oggmux", error)) || !(sink = add (self, "filesink", error)))
    return NULL;
  /* A file, not a playback: no clock to wait for, no preroll to wait on. */
  g_object_set (sink, "location", path, "sync", FALSE, "async", FALSE, NULL);
  if (!gst_element_link_many (depay, parse, mux, sink, NULL))
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "cannot link the clip pipeline");
      return NULL;
    }
  g_autoptr (GstPad) parsed = gst_element_get_static_pad (parse, "src");
  gst_pad_add_probe (parsed, GST_PAD_PROBE_TYPE_BUFFER, on_parsed, self, NULL);

  /* What linking negotiates with; the payload type joins at the first packet. */
  self->caps = gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, "audio",
                                    "clock-rate", G_TYPE_INT, OPUS_CLOCK, "encoding-name",
                                    G_TYPE_STRING, "OPUS", NULL);
  self->pad = gst_pad_new ("rtp_in", GST_PAD_SRC);
  gst_pad_set_element_private (self->pad, self);
  gst_pad_set_query_function (self->pad, on_input_query);
  gst_pad_set_event_function (self->pad, on_input_event);
  gst_pad_set_active (self->pad, TRUE);
  g_autoptr (GstPad) depay_sink = gst_element_get_static_pad (depay, "sink");
  if (gst_pad_link (self->pad, depay_sink) != GST_PAD_LINK_OK)
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "cannot link the clip input");
      return NULL;
    }
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_autoptr (GstBus) bus = gst_element_get_bus (self->pipeline);
      g_autoptr (GstMessage) m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      if (m)
        gst_message_parse_error (m, error, NULL);
      else
        g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE, "%s: cannot open", path);
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* Sticky events before the first buffer; the payload type is the
 * publisher's, known from its first packet. */
static void
start (RelayClipWriter *self, guint8 pt)
{
  self->caps = gst_caps_make_writable (self->caps);
  gst_caps_set_simple (self->caps, "payload", G_TYPE_INT, (int) pt, NULL);
  g_autofree char *stream_id = g_strdup_printf ("clip/%s", self->path);
  GstEvent *ss = gst_event_new_stream_start (stream_id);
  gst_event_set_group_id (ss, gst_util_group_id_next ());
  gst_pad_push_event (self->pad, ss);
  gst_pad_push_event (self->pad, gst_event_new_caps (self->caps));
  GstSegment segment;
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (self->pad, gst_event_new_segment (&segment));
  self->started = TRUE;
}

/* Writes one packet, in order, stamped from its RTP timestamp. */
static void
release (RelayClipWriter *self, Held *held)
{
  GstBuffer *buf = held->buffer;
  self->released_seq = held->seq;
  g_free (held);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (self->failed || !gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp))
    {
      gst_buffer_unref (buf);
      return;
    }
  guint32 ts = gst_rtp_buffer_get_timestamp (&rtp);
  guint8 pt = gst_rtp_buffer_get_payload_type (&rtp);
  gst_rtp_buffer_unmap (&rtp);
  if (!self->have_ts)
    {
      self->last_ext_ts = self->source_first_ts = (gint64) ts + (G_GINT64_CONSTANT (1) << 32);
      self->have_ts = TRUE;
    }
  else
    self->last_ext_ts = extend (self->last_ext_ts, ts, 32);
  gint64 samples = self->source_offset + (self->last_ext_ts - self->source_first_ts);
  if (samples < 0)
    samples = 0;
  if (!self->started)
    start (self, pt);
  GST_BUFFER_PTS (buf) = GST_BUFFER_DTS (buf) = gst_util_uint64_scale_int (samples, GST_SECOND,
                                                                           OPUS_CLOCK);
  self->packets++;
  GstFlowReturn ret = gst_pad_push (self->pad, buf);
  if (ret != GST_FLOW_OK)
    self->failed = TRUE;
}

static void
release_all (RelayClipWriter *self)
{
  Held *held;
  while ((held = g_queue_pop_head (&self->pending)))
    release (self, held);
}

/* A new SSRC (the province's publisher reconnected mid-turn): its
 * numbering starts afresh, and its audio follows what was written. */
static void
new_source (RelayClipWriter *self, guint32 ssrc, guint16 seq)
{
  release_all (self);
  self->have_source = TRUE;
  self->ssrc = ssrc;
  self->max_seq = (gint64) seq + (1 << 16);
  self->released_seq = self->max_seq - 1;
  if (self->have_ts)
    {
      self->have_ts = FALSE;
      GstClockTime end = GST_CLOCK_TIME_IS_VALID (self->end) ? self->end : 0;
      self->source_offset = (gint64) gst_util_uint64_scale_int (end, OPUS_CLOCK, GST_SECOND);
    }
}

void
relay_clip_writer_push (RelayClipWriter *self, const guint8 *data, gsize len)
{
  if (self->failed || len < 12 || (data[0] >> 6) != 2)
    return;
  guint16 seq = (guint16) ((data[2] << 8) | data[3]);
  guint32 ssrc = ((guint32) data[8] << 24) | ((guint32) data[9] << 16) | ((guint32) data[10] << 8)
                 | data[11];
  if (!self->have_source || ssrc != self->ssrc)
    new_source (self, ssrc, seq);
  gint64 ext = extend (self->max_seq, seq, 16);
  if (ext <= self->released_seq)
    return; /* a duplicate, or later than the window waits */
  if (ext > self->max_seq)
    self->max_seq = ext;

  GList *at = self->pending.tail;
  while (at && ((Held *) at->data)->seq > ext)
    at = at->prev;
  if (at && ((Held *) at->data)->seq == ext)
    return; /* a duplicate still held */
  Held *held = g_new (Held, 1);
  held->seq = ext;
  held->buffer = gst_buffer_new_memdup (data, len);
  if (at)
    g_queue_insert_after (&self->pending, at, held);
  else
    g_queue_push_head (&self->pending, held);

  while (self->pending.length > REORDER_WINDOW)
    release (self, g_queue_pop_head (&self->pending));
}

guint64
relay_clip_writer_get_packets (RelayClipWriter *self)
{
  return self->packets;
}

gboolean
relay_clip_writer_finish (RelayClipWriter *self, guint64 *duration_ms, GError **error)
{
  release_all (self);
  *duration_ms = GST_CLOCK_TIME_IS_VALID (self->end) ? self->end / GST_MSECOND : 0;
  g_autoptr (GstBus) bus = gst_element_get_bus (self->pipeline);
  g_autoptr (GstMessage) m = NULL;
  if (!self->started)
    {
      /* No audio came: nothing to finish, an empty file to leave. */
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      return TRUE;
    }
  gst_pad_push_event (self->pad, gst_event_new_eos ());
  /* The muxer and the sink handle EOS on this thread; the message is the
   * proof that the sink has written everything. */
  m = gst_bus_timed_pop_filtered (bus, 5 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gboolean ok = m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS && !self->failed;
  if (m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR)
    gst_message_parse_error (m, error, NULL);
  else if (!ok)
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, "%s: the clip did not end",
                 self->path);
  /* NULL closes the file. */
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  return ok;
}

void
relay_clip_writer_free (RelayClipWriter *self)
{
  if (!self)
    return;
  Held *held;
  while ((held = g_queue_pop_head (&self->pending)))
    {
      gst_buffer_unref (held->buffer);
      g_free (held);
    }
  if (self->pipeline)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      gst_object_unref (self->pipeline);
    }
  if (self->pad)
    {
      gst_pad_set_active (self->pad, FALSE);
      gst_object_unref (self->pad);
    }
  g_clear_pointer (&self->caps, gst_caps_unref);
  g_free (self->path);
  g_free (self);
}
