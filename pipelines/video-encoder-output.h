/* The tail shared by the mosaic and the program: raw I420 in, encoded once
 * (x264 constrained baseline or VP8, real-time settings), payloaded at MTU
 * 1200 with a fixed SSRC, and every RTP packet handed to a
 * RelayRtpOutputFunc with its keyframe flag and capture time.
 *
 *   queue (leaky) ! x264enc|vp8enc ! caps ! rtph264pay|rtpvp8pay ! fakesink
 *
 * The leaky queue gives the encoder its own thread and drops raw frames
 * rather than holding up whoever produces them when encoding falls
 * behind. */
#pragma once

#include <glib.h>
#include <gst/gst.h>
#include "pipelines/rtp-output.h"
#include "webrtc/base/metrics-histogram.h"
#include "webrtc/rtp/latency-histogram.h"
#include "webrtc/sdp/sdp-offer.h"

G_BEGIN_DECLS

typedef struct _RelayVideoEncoderOutput RelayVideoEncoderOutput;

typedef struct {
  guint64 frames_out;
  double fps;
  guint64 keyframes_forced;
  gint64 latency_p50_us, latency_p99_us; /* -1 before any */
  /* The same latencies for GET /metrics, one observation per encoded
   * frame: borrowed, lives as the output. */
  const RelayMetricsHistogram *latency;
} RelayVideoEncoderOutputStats;

/* Adds the elements to `bin` (not yet linked upstream). codec
 * RELAY_CODEC_H264 or RELAY_CODEC_VP8. */
RelayVideoEncoderOutput *relay_video_encoder_output_new (GstBin *bin, const char *name,
                                                         RelayCodec codec, guint framerate,
                                                         guint bitrate_kbps, guint32 ssrc,
                                                         RelayRtpOutputFunc output,
                                                         gpointer user_data, GError **error);
/* Free after the pipeline went to NULL. */
void relay_video_encoder_output_free (RelayVideoEncoderOutput *out);

/* The first element, to link the raw video to (borrowed). */
GstElement *relay_video_encoder_output_get_head (RelayVideoEncoderOutput *out);

/* The raw frame stamped `pts` carries input that reached the relay at
 * capture_us (monotonic); its packets report it, and latency is measured
 * from it. 0: no new input in this frame. */
void relay_video_encoder_output_note_capture (RelayVideoEncoderOutput *out, GstClockTime pts,
                                              gint64 capture_us);

/* At most one keyframe is forced per second (of the frames' running
 * time); a request inside that second is kept and served when it ends (the
 * viewer who asked missed the last one). Any thread. */
void relay_video_encoder_output_request_keyframe (RelayVideoEncoderOutput *out);

void relay_video_encoder_output_get_stats (RelayVideoEncoderOutput *out,
                                           RelayVideoEncoderOutputStats *stats);

G_END_DECLS
