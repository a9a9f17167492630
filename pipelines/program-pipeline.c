#include "pipelines/program-pipeline.h"

#include <string.h>

#include "pipelines/output-common.h"
#include "pipelines/picture-output.h"
#include "pipelines/tile-renderer.h"
#include "relay/conference/conference.h"
#include "webrtc/base/log.h"

/* The source's decoder thread scales its frame to the program size and
 * leaves it as the latest picture; a feeder thread of ours pushes the
 * latest picture (or the waiting card) into the encoder at the program
 * rate. A constant rate keeps RTP timing regular, lets a forced keyframe
 * come out at once even on a still picture, and means no decoder thread
 * ever waits on the encoder. */

/* On the pipeline's clock (output-common.h), against the feeder's ticks. */
#define SIGNAL_LOST (2 * GST_SECOND)
#define PROGRAM_SSRC 0x50524f47u /* "PROG" */
#define EVEN(x) ((x) & ~1)

typedef struct {
  char *th, *en;
} Names;

struct _RelayProgram {
  int width, height, fps;
  RelayPictureOutput out; /* pipeline, clock, encoder, feeder */
  GstPad *src;            /* ours, into the encoder */
  GHashTable *names; /* id -> Names*; read-only after new */

  GMutex lock; /* the fields up to scale_lock */
  char source[16];
  GstBuffer *frame; /* at the program size */
  GstClockTime last_frame_at; /* clock time */
  gint64 capture_us;          /* monotonic, for the latency figures */
  gboolean frame_new;

  GMutex scale_lock;
  RelayFrameScaler *scaler;

  /* Feeder thread only. */
  GstBuffer *card;
  char card_source[16];
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
feed (GstClockTime pts, gpointer data)
{
  RelayProgram *self = data;
  /* The tick's own time, however late the thread woke. */
  GstClockTime now = self->out.base_time + pts;
  GstBuffer *buf = NULL;
  gint64 capture = 0;
  char source[16];
  g_mutex_lock (&self->lock);
  g_strlcpy (source, self->source, sizeof source);
  if (self->frame && now <= self->last_frame_at + SIGNAL_LOST)
    {
      buf = gst_buffer_ref (self->frame);
      if (self->frame_new)
        capture = self->capture_us;
      self->frame_new = FALSE;
    }
  g_mutex_unlock (&self->lock);
  if (!buf)
    buf = gst_buffer_ref (waiting_card (self, source));
  relay_video_encoder_output_note_capture (self->out.encoder, pts, capture);
  relay_output_pad_push (self->src, buf, pts, GST_SECOND / (guint) self->fps);
  gst_buffer_unref (buf);
}

RelayProgram *
relay_program_new (RelayConfig *config, RelayRtpOutputFunc output, gpointer user_data,
                   GError **error)
{
  RelayProgram *self = g_new0 (RelayProgram, 1);
  g_mutex_init (&self->lock);
  g_mutex_init (&self->scale_lock);
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
      RelayOfficeConfig *p = config->provinces->pdata[i];
      add_names (self->names, p->code, p->name_th, p->name_en);
    }

  if (!relay_picture_output_init (&self->out, "program", config->output_codec, self->fps,
                                  config->program_bitrate_kbps, PROGRAM_SSRC, output, user_data,
                                  error))
    {
      relay_program_free (self);
      return NULL;
    }
  g_autoptr (GstPad) sink
      = gst_element_get_static_pad (relay_video_encoder_output_get_head (self->out.encoder), "sink");
  self->src = relay_output_pad_new ("program_in", sink, error);
  if (!self->src)
    {
      relay_program_free (self);
      return NULL;
    }
  if (!relay_picture_output_play (&self->out, error))
    {
      relay_program_free (self);
      return NULL;
    }
  relay_output_pad_start (self->src, self->width, self->height, self->fps);
  waiting_card (self, self->source);
  relay_picture_output_start_feeder (&self->out, 0, feed, self);
  return self;
}

void
relay_program_free (RelayProgram *self)
{
  if (!self)
    return;
  /* The feeder stops before the pad it pushes into goes. */
  relay_picture_output_stop (&self->out);
  relay_output_pad_free (self->src);
  relay_picture_output_clear (&self->out);
  gst_clear_buffer (&self->frame);
  gst_clear_buffer (&self->card);
  relay_frame_scaler_free (self->scaler);
  g_clear_pointer (&self->names, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->scale_lock);
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
  GstClockTime now = gst_clock_get_time (self->out.clock);
  gint64 capture_us = g_get_monotonic_time ();
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
      self->last_frame_at = now;
      self->capture_us = capture_us;
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
  relay_video_encoder_output_request_keyframe (self->out.encoder);
}

void
relay_program_get_stats (RelayProgram *self, RelayProgramStats *stats)
{
  memset (stats, 0, sizeof *stats);
  relay_video_encoder_output_get_stats (self->out.encoder, &stats->encoded);
  g_mutex_lock (&self->lock);
  g_strlcpy (stats->source, self->source, sizeof stats->source);
  g_mutex_unlock (&self->lock);
}
