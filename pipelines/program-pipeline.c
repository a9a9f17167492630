#include "pipelines/program-pipeline.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pipelines/tile-renderer.h"
#include "pipelines/video-encoder-output.h"
#include "relay/conference.h"
#include "relay/log.h"

/* The source's decoder thread scales its frame to the program size and
 * leaves it as the latest picture; a feeder thread of ours pushes the
 * latest picture (or the waiting card) into the encoder at the program
 * rate. A constant rate keeps RTP timing regular, lets a forced keyframe
 * come out at once even on a still picture, and means no decoder thread
 * ever waits on the encoder. */

#define SIGNAL_LOST_US (2 * G_USEC_PER_SEC)
#define PROGRAM_SSRC 0x50524f47u /* "PROG" */
#define MEDIA_THREAD_NICE 5
#define EVEN(x) ((x) & ~1)

typedef struct {
  char *th, *en;
} Names;

struct _RelayProgram {
  int width, height, fps;
  GstElement *pipeline;
  GstClock *clock;
  GstClockTime base_time;
  GstPad *src;
  RelayVideoEncoderOutput *out;
  GHashTable *names; /* id -> Names*; read-only after new */

  GMutex lock; /* the fields up to scale_lock */
  char source[16];
  GstBuffer *frame; /* at the program size */
  gint64 last_frame_us, capture_us;
  gboolean frame_new;

  GMutex scale_lock;
  RelayFrameScaler *scaler;

  /* Feeder thread only. */
  GstBuffer *card;
  char card_source[16];

  GThread *feeder;
  GMutex feed_lock;
  GCond feed_cond;
  gboolean stopping;
};

static void
names_free (Names *n)
{
  g_free (n->th);
  g_free (n->en);
  g_free (n);
}

static void
add_names (GHashTable *table, const char *id, const char *th, const char *en)
{
  Names *n = g_new0 (Names, 1);
  n->th = g_strdup (th ? th : id);
  n->en = g_strdup (en ? en : id);
  g_hash_table_replace (table, g_strdup (id), n);
}

static GstBusSyncReply
on_bus_message (GstBus *bus, GstMessage *msg, gpointer data)
{
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_STREAM_STATUS)
    {
      GstStreamStatusType type;
      gst_message_parse_stream_status (msg, &type, NULL);
      if (type == GST_STREAM_STATUS_TYPE_ENTER)
        setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), MEDIA_THREAD_NICE);
      return GST_BUS_DROP;
    }
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR || GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING)
    {
      g_autoptr (GError) err = NULL;
      g_autofree char *debug = NULL;
      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
        gst_message_parse_error (msg, &err, &debug);
      else
        gst_message_parse_warning (msg, &err, &debug);
      relay_warn (NULL, "program pipeline %s from %s: %s",
                  GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR ? "error" : "warning",
                  GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message);
    }
  return GST_BUS_DROP;
}

static gboolean
on_input_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  gst_event_unref (event);
  return TRUE;
}

static gboolean
on_input_query (GstPad *pad, GstObject *parent, GstQuery *query)
{
  RelayProgram *self = gst_pad_get_element_private (pad);
  switch (GST_QUERY_TYPE (query))
    {
    case GST_QUERY_LATENCY:
      gst_query_set_latency (query, TRUE, 0, GST_CLOCK_TIME_NONE);
      return TRUE;
    case GST_QUERY_CAPS:
      {
        g_autoptr (GstCaps) caps = gst_caps_new_simple (
            "video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, self->width,
            "height", G_TYPE_INT, self->height, "framerate", GST_TYPE_FRACTION, self->fps, 1,
            NULL);
        gst_query_set_caps_result (query, caps);
        return TRUE;
      }
    case GST_QUERY_ACCEPT_CAPS:
      gst_query_set_accept_caps_result (query, TRUE);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
start_input (RelayProgram *self)
{
  GstEvent *start = gst_event_new_stream_start ("program/video");
  gst_event_set_group_id (start, gst_util_group_id_next ());
  gst_pad_push_event (self->src, start);
  g_autoptr (GstCaps) caps = gst_caps_new_simple (
      "video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, self->width,
      "height", G_TYPE_INT, self->height, "framerate", GST_TYPE_FRACTION, self->fps, 1,
      "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  gst_pad_push_event (self->src, gst_event_new_caps (caps));
  GstSegment segment;
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (self->src, gst_event_new_segment (&segment));
}

static GstBuffer *
waiting_card (RelayProgram *self, const char *source)
{
  if (self->card && strcmp (self->card_source, source) == 0)
    return self->card;
  gst_clear_buffer (&self->card);
  g_strlcpy (self->card_source, source, sizeof self->card_source);
  Names *n = g_hash_table_lookup (self->names, source);
  g_autofree char *th = g_strdup_printf ("รอสัญญาณจาก %s", n ? n->th : source);
  g_autofree char *en = g_strdup_printf ("waiting for %s", n ? n->en : source);
  self->card = relay_tile_render_card (self->width, self->height, RELAY_TILE_WAITING_RGB, th, en,
                                       NULL);
  return self->card;
}

static void
feed_once (RelayProgram *self, GstClockTime pts)
{
  gint64 now_us = g_get_monotonic_time ();
  GstBuffer *buf = NULL;
  gint64 capture = 0;
  char source[16];
  g_mutex_lock (&self->lock);
  g_strlcpy (source, self->source, sizeof source);
  if (self->frame && now_us - self->last_frame_us <= SIGNAL_LOST_US)
    {
      buf = gst_buffer_ref (self->frame);
      if (self->frame_new)
        capture = self->capture_us;
      self->frame_new = FALSE;
    }
  g_mutex_unlock (&self->lock);
  if (!buf)
    buf = gst_buffer_ref (waiting_card (self, source));
  /* Shallow copy: the same picture goes out again on the next tick. */
  GstBuffer *copy = gst_buffer_copy (buf);
  gst_buffer_unref (buf);
  GST_BUFFER_PTS (copy) = pts;
  GST_BUFFER_DTS (copy) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (copy) = GST_SECOND / (guint) self->fps;
  relay_video_encoder_output_note_capture (self->out, pts, capture);
  GstFlowReturn ret = gst_pad_push (self->src, copy);
  if (ret != GST_FLOW_OK && ret != GST_FLOW_FLUSHING)
    relay_debug (NULL, "program input: %s", gst_flow_get_name (ret));
}

static gpointer
feed_thread (gpointer data)
{
  RelayProgram *self = data;
  setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), MEDIA_THREAD_NICE);
  GstClockTime period = GST_SECOND / (guint) self->fps;
  GstClockTime now = gst_clock_get_time (self->clock) - self->base_time;
  GstClockTime next = (now / period + 1) * period;
  g_mutex_lock (&self->feed_lock);
  while (!self->stopping)
    {
      /* Monotonic system clock: pipeline times are g_get_monotonic_time. */
      gint64 deadline_us = (gint64) ((self->base_time + next) / GST_USECOND);
      if (g_get_monotonic_time () < deadline_us)
        {
          g_cond_wait_until (&self->feed_cond, &self->feed_lock, deadline_us);
          continue;
        }
      g_mutex_unlock (&self->feed_lock);
      feed_once (self, next);
      now = gst_clock_get_time (self->clock) - self->base_time;
      next += period;
      if (next < now)
        next = (now / period + 1) * period;
      g_mutex_lock (&self->feed_lock);
    }
  g_mutex_unlock (&self->feed_lock);
  return NULL;
}

RelayProgram *
relay_program_new (RelayConfig *config, RelayRtpOutputFunc output, gpointer user_data,
                   GError **error)
{
  RelayProgram *self = g_new0 (RelayProgram, 1);
  g_mutex_init (&self->lock);
  g_mutex_init (&self->scale_lock);
  g_mutex_init (&self->feed_lock);
  g_cond_init (&self->feed_cond);
  self->width = MAX (EVEN ((int) (config->program_width ? config->program_width : 1280)), 64);
  self->height = MAX (EVEN ((int) (config->program_height ? config->program_height : 720)), 64);
  /* The config has no program rate of its own: the mosaic's. */
  self->fps = (int) (config->mosaic_framerate ? config->mosaic_framerate : 15);
  self->scaler = relay_frame_scaler_new ();
  g_strlcpy (self->source, RELAY_CENTRAL_ROOM, sizeof self->source);
  self->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) names_free);
  add_names (self->names, RELAY_CENTRAL_ROOM, "ศูนย์ปฏิบัติการ", "Operations centre");
  for (guint i = 0; i < config->provinces->len; i++)
    {
      RelayProvinceConfig *p = config->provinces->pdata[i];
      add_names (self->names, p->code, p->name_th, p->name_en);
    }

  self->pipeline = gst_pipeline_new ("program");
  g_autoptr (GstClock) clock = gst_system_clock_obtain ();
  gst_pipeline_use_clock (GST_PIPELINE (self->pipeline), clock);
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  gst_bus_set_sync_handler (bus, on_bus_message, self, NULL);
  self->out = relay_video_encoder_output_new (GST_BIN (self->pipeline), "program",
                                              config->output_codec, (guint) self->fps,
                                              config->program_bitrate_kbps, PROGRAM_SSRC, output,
                                              user_data, error);
  if (!self->out)
    {
      relay_program_free (self);
      return NULL;
    }
  self->src = gst_pad_new ("program_in", GST_PAD_SRC);
  gst_pad_set_element_private (self->src, self);
  gst_pad_set_event_function (self->src, on_input_event);
  gst_pad_set_query_function (self->src, on_input_query);
  gst_pad_set_active (self->src, TRUE);
  g_autoptr (GstPad) sink
      = gst_element_get_static_pad (relay_video_encoder_output_get_head (self->out), "sink");
  if (gst_pad_link (self->src, sink) != GST_PAD_LINK_OK)
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                   "cannot link the program input");
      relay_program_free (self);
      return NULL;
    }
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
                   "program pipeline refused to start");
      relay_program_free (self);
      return NULL;
    }
  self->clock = gst_pipeline_get_clock (GST_PIPELINE (self->pipeline));
  self->base_time = gst_element_get_base_time (self->pipeline);
  start_input (self);
  waiting_card (self, self->source);
  self->feeder = g_thread_new ("program-feed", feed_thread, self);
  return self;
}

void
relay_program_free (RelayProgram *self)
{
  if (!self)
    return;
  if (self->feeder)
    {
      g_mutex_lock (&self->feed_lock);
      self->stopping = TRUE;
      g_cond_signal (&self->feed_cond);
      g_mutex_unlock (&self->feed_lock);
      g_thread_join (self->feeder);
    }
  if (self->pipeline)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
      gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
    }
  if (self->src)
    {
      gst_pad_set_active (self->src, FALSE);
      g_clear_object (&self->src);
    }
  g_clear_object (&self->pipeline);
  relay_video_encoder_output_free (self->out);
  g_clear_object (&self->clock);
  gst_clear_buffer (&self->frame);
  gst_clear_buffer (&self->card);
  relay_frame_scaler_free (self->scaler);
  g_clear_pointer (&self->names, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->scale_lock);
  g_mutex_clear (&self->feed_lock);
  g_cond_clear (&self->feed_cond);
  g_free (self);
}

void
relay_program_push_frame (RelayProgram *self, const char *participant, GstBuffer *frame,
                          const GstVideoInfo *info)
{
  if (!participant || !frame || !info)
    return;
  g_mutex_lock (&self->lock);
  gboolean wanted = strcmp (participant, self->source) == 0;
  g_mutex_unlock (&self->lock);
  if (!wanted)
    return;
  gint64 now = g_get_monotonic_time ();
  g_mutex_lock (&self->scale_lock);
  GstBuffer *scaled = relay_frame_scaler_scale (self->scaler, frame, info, self->width,
                                                self->height);
  g_mutex_unlock (&self->scale_lock);
  if (!scaled)
    return;
  g_mutex_lock (&self->lock);
  /* The source may have changed while scaling: drop a stale frame. */
  if (strcmp (participant, self->source) == 0)
    {
      gst_clear_buffer (&self->frame);
      self->frame = scaled;
      scaled = NULL;
      self->last_frame_us = now;
      self->capture_us = now;
      self->frame_new = TRUE;
    }
  g_mutex_unlock (&self->lock);
  gst_clear_buffer (&scaled);
}

void
relay_program_set_source (RelayProgram *self, const char *participant)
{
  if (!participant)
    participant = RELAY_CENTRAL_ROOM;
  g_mutex_lock (&self->lock);
  if (strcmp (participant, self->source) != 0)
    {
      g_strlcpy (self->source, participant, sizeof self->source);
      /* Nothing of the previous source is shown again. */
      gst_clear_buffer (&self->frame);
      self->frame_new = FALSE;
    }
  g_mutex_unlock (&self->lock);
}

void
relay_program_request_keyframe (RelayProgram *self)
{
  relay_video_encoder_output_request_keyframe (self->out);
}

void
relay_program_get_stats (RelayProgram *self, RelayProgramStats *stats)
{
  RelayVideoEncoderOutputStats out;
  relay_video_encoder_output_get_stats (self->out, &out);
  memset (stats, 0, sizeof *stats);
  stats->frames_out = out.frames_out;
  stats->fps = out.fps;
  stats->keyframes_forced = out.keyframes_forced;
  g_mutex_lock (&self->lock);
  g_strlcpy (stats->source, self->source, sizeof stats->source);
  g_mutex_unlock (&self->lock);
}
