/* The GStreamer side of one live province: its RTP, pushed in by the
 * transport worker, goes through a jitter buffer, is depayloaded and
 * decoded; frames, resolution, frame rate and audio level are counted.
 *
 *   [video_in] ! rtpjitterbuffer ! rtpvp8depay|rtph264depay ! decoder ! video_out
 *   [audio_in] ! rtpjitterbuffer ! rtpopusdepay ! opusdec ! audio_out
 *
 * [x_in] are source pads of ours, pushed from the transport worker.
 *
 * video_out and audio_out are fakesinks today; the mosaic and the audio mix
 * will take their place. */
#pragma once

#include <glib.h>
#include <gst/gst.h>
#include "relay/sdp/sdp-offer.h"

G_BEGIN_DECLS

typedef struct _RelayIngestPipeline RelayIngestPipeline;

typedef struct {
  guint64 video_frames;
  guint width, height;
  double fps;           /* over the last ~2 s */
  guint64 audio_frames;
  double audio_rms_dbov; /* decoded level, -127 when silent or unknown */
  guint64 keyframe_requests; /* decoder/depayloader asked for a keyframe */
  gint64 first_video_frame_us; /* monotonic time of the first decoded frame, 0 before */
  guint64 input_dropped; /* packets refused while decoding was far behind */
} RelayIngestStats;

/* Called (from a GStreamer thread) when the decoder needs a keyframe. */
typedef void (*RelayKeyframeNeededFunc) (gpointer user_data);

/* video_codec RELAY_CODEC_NONE: no video branch; audio likewise. */
RelayIngestPipeline *relay_ingest_pipeline_new (const char *province_code, RelayCodec video_codec,
                                                guint8 video_pt, gboolean has_audio,
                                                guint8 audio_pt,
                                                RelayKeyframeNeededFunc keyframe_needed,
                                                gpointer user_data, GError **error);
/* Stops and frees; safe from any thread except a streaming thread. */
void relay_ingest_pipeline_free (RelayIngestPipeline *pipeline);

/* From the session's transport worker only; the packet is copied. */
void relay_ingest_pipeline_push_video (RelayIngestPipeline *pipeline, const guint8 *rtp, gsize len);
void relay_ingest_pipeline_push_audio (RelayIngestPipeline *pipeline, const guint8 *rtp, gsize len);

void relay_ingest_pipeline_get_stats (RelayIngestPipeline *pipeline, RelayIngestStats *stats);

/* The GstPipeline, for tests and diagnostics (borrowed). */
GstElement *relay_ingest_pipeline_get_element (RelayIngestPipeline *pipeline);

G_END_DECLS
