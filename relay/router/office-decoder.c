#include "relay/router/office-decoder.h"

struct _RelayOfficeDecoder {
  char *code;
  RelayMetricsHistogram *join_time;
  gint64 created_us; /* the POST, as near as the relay knows it */

  /* Guards the pipeline against close (worker) while figures are read
   * (any thread) and keyframe requests come (streaming threads). */
  GMutex lock;
  RelayIngestPipeline *pipeline; /* NULL once closed */
  RelayPublisherSession *session; /* borrowed between attach and close */
  /* The figures as of the session's last look (twice a second, with its
   * own snapshot, so a status shows both from the same moment), or at
   * close. */
  RelayIngestStats figures;
  gboolean join_observed;         /* worker only */
};

static void
on_keyframe_needed (gpointer data)
{
  RelayOfficeDecoder *self = data;
  g_mutex_lock (&self->lock);
  if (self->session)
    relay_publisher_session_decoder_needs_keyframe (self->session);
  g_mutex_unlock (&self->lock);
}

RelayOfficeDecoder *
relay_office_decoder_new (const char *code, const RelaySdpOffer *offer,
                          const RelayDecodedSink *sink, RelayMetricsHistogram *join_time,
                          GError **error)
{
  RelayOfficeDecoder *self = g_new0 (RelayOfficeDecoder, 1);
  g_mutex_init (&self->lock);
  self->code = g_strdup (code);
  self->join_time = join_time;
  self->created_us = g_get_monotonic_time ();
  self->figures.audio_rms_dbov = -127;
  self->pipeline = relay_ingest_pipeline_new (
      code, offer->video ? offer->video->codec : RELAY_CODEC_NONE,
      offer->video ? offer->video->payload_type : 0, offer->audio != NULL,
      offer->audio ? offer->audio->payload_type : 0, on_keyframe_needed, self, error);
  if (!self->pipeline)
    {
      relay_office_decoder_class.free (self);
      return NULL;
    }
  relay_ingest_pipeline_set_sink (self->pipeline, sink);
  return self;
}

void
relay_office_decoder_get_stats (RelayOfficeDecoder *self, RelayIngestStats *stats, gint *join_ms)
{
  g_mutex_lock (&self->lock);
  *stats = self->figures;
  g_mutex_unlock (&self->lock);
  if (join_ms)
    *join_ms = stats->first_video_frame_us
                   ? (gint) ((stats->first_video_frame_us - self->created_us) / 1000)
                   : -1;
}

static void
decoder_attach (gpointer decoder, RelayPublisherSession *session)
{
  RelayOfficeDecoder *self = decoder;
  g_mutex_lock (&self->lock);
  self->session = session;
  g_mutex_unlock (&self->lock);
}

/* The pushes need no lock: the session calls them on its worker, which
 * also closes. */
static void
decoder_video (gpointer decoder, const guint8 *rtp, gsize len)
{
  RelayOfficeDecoder *self = decoder;
  relay_ingest_pipeline_push_video (self->pipeline, rtp, len);
}

static void
decoder_audio (gpointer decoder, const guint8 *rtp, gsize len)
{
  RelayOfficeDecoder *self = decoder;
  relay_ingest_pipeline_push_audio (self->pipeline, rtp, len);
}

/* Twice a second on the worker: also the moment the join time is seen. */
static void
decoder_decoded_size (gpointer decoder, guint *width, guint *height)
{
  RelayOfficeDecoder *self = decoder;
  RelayIngestStats stats;
  g_mutex_lock (&self->lock);
  relay_ingest_pipeline_get_stats (self->pipeline, &self->figures);
  stats = self->figures;
  g_mutex_unlock (&self->lock);
  *width = stats.width;
  *height = stats.height;
  if (stats.first_video_frame_us && !self->join_observed)
    {
      self->join_observed = TRUE;
      relay_metrics_histogram_observe_us (self->join_time,
                                          stats.first_video_frame_us - self->created_us);
    }
}

static void
decoder_close (gpointer decoder)
{
  RelayOfficeDecoder *self = decoder;
  g_mutex_lock (&self->lock);
  RelayIngestPipeline *pipeline = g_steal_pointer (&self->pipeline);
  if (pipeline)
    relay_ingest_pipeline_get_stats (pipeline, &self->figures);
  self->session = NULL;
  g_mutex_unlock (&self->lock);
  /* Outside the lock: stopping joins the streaming threads, which may be
   * waiting for it in on_keyframe_needed. */
  if (pipeline)
    relay_ingest_pipeline_free (pipeline);
}

static void
decoder_free (gpointer decoder)
{
  RelayOfficeDecoder *self = decoder;
  decoder_close (self);
  g_mutex_clear (&self->lock);
  g_free (self->code);
  g_free (self);
}

const RelayPublisherDecoderClass relay_office_decoder_class = {
  .attach = decoder_attach,
  .video = decoder_video,
  .audio = decoder_audio,
  .decoded_size = decoder_decoded_size,
  .close = decoder_close,
  .free = decoder_free,
};
