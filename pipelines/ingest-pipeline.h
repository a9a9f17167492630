/* The GStreamer side of one live province: its RTP, pushed in by the
 * transport worker, goes through a jitter buffer, is depayloaded and
 * decoded; frames, resolution, frame rate and audio level are counted.
 *
 *   [video_in] ! rtpjitterbuffer ! rtpvp8depay|rtph264depay ! decoder ! video_out
 *   [audio_in] ! rtpjitterbuffer ! rtpopusdepay ! opusdec ! audio_out
 *
 * [x_in] are source pads of ours, pushed from the transport worker.
 *
 * video_out and audio_out are fakesinks; decoded frames reach the mosaic,
 * the program and the conference mix through a RelayDecodedSink, called
 * from the decoders' streaming threads. Audio is decoded only while the
 * sink wants it (the participant is in the mix): Opus decoding of 76
 * provinces would cost a third of a core for nothing. */
#pragma once

#include <glib.h>
#include <gst/audio/audio.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include "webrtc/sdp/sdp-offer.h"

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

typedef struct {
  /* Each decoded video frame (borrowed; ref it to keep it). */
  void (*video_frame) (const char *participant, GstBuffer *frame, const GstVideoInfo *info,
                       gpointer user_data);
  /* Each decoded audio buffer, S16 interleaved (borrowed). */
  void (*audio_frame) (const char *participant, GstBuffer *pcm, const GstAudioInfo *info,
                       gpointer user_data);
  /* Asked for every audio packet before decoding: FALSE skips decoding. */
  gboolean (*audio_wanted) (const char *participant, gpointer user_data);
  gpointer user_data;
} RelayDecodedSink;

/* video_codec RELAY_CODEC_NONE: no video branch; audio likewise. */
RelayIngestPipeline *relay_ingest_pipeline_new (const char *province_code, RelayCodec video_codec,
                                                guint8 video_pt, gboolean has_audio,
                                                guint8 audio_pt,
                                                RelayKeyframeNeededFunc keyframe_needed,
                                                gpointer user_data, GError **error);
/* Where decoded media goes (copied); call before pushing the first packet.
 * NULL: nowhere, and audio is always decoded (for its level). */
void relay_ingest_pipeline_set_sink (RelayIngestPipeline *pipeline, const RelayDecodedSink *sink);

/* Stops and frees; safe from any thread except a streaming thread. */
void relay_ingest_pipeline_free (RelayIngestPipeline *pipeline);

/* From the session's transport worker only; the packet is copied. */
void relay_ingest_pipeline_push_video (RelayIngestPipeline *pipeline, const guint8 *rtp, gsize len);
void relay_ingest_pipeline_push_audio (RelayIngestPipeline *pipeline, const guint8 *rtp, gsize len);

void relay_ingest_pipeline_get_stats (RelayIngestPipeline *pipeline, RelayIngestStats *stats);

/* The GstPipeline, for tests and diagnostics (borrowed). */
GstElement *relay_ingest_pipeline_get_element (RelayIngestPipeline *pipeline);

G_END_DECLS
