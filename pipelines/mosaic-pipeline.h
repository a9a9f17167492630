/* The operations room's picture: every office of the roster plus the
 * central room in one GStreamer compositor with a fixed slot per
 * participant (slots never come and go: no dynamic-pad races in the 1.22
 * aggregator), labelled with the Thai and English names, an "offline" card
 * for an office not connected, a "signal lost" card after 2 s without
 * frames, an "over limit" card while its video is refused (ingest
 * limits); or the spotlight layout (the floor holder large beside the
 * central room, the others in a strip). Marked in the picture itself, so
 * that every viewer sees them: a border around the floor holder's tile,
 * another colour around the active speaker's, a badge on the live picture
 * of a participant out of the mix (muted). Colours in tile-renderer.h.
 * Encoded once (config output_codec) and handed out as RTP.
 *
 * Participants are identified by "central" (RELAY_CENTRAL_ROOM) or a
 * province code of the roster.
 *
 * Threads: push_frame scales on the caller's thread and returns; one
 * feeder thread of the mosaic pushes changed tiles into the compositor
 * once per output frame; the compositor, the encoder (behind a leaky
 * queue) and x264/libvpx have their own. None grows with the roster. */
#pragma once

#include <glib.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <json-glib/json-glib.h>
#include "pipelines/rtp-output.h"
#include "pipelines/video-encoder-output.h"
#include "relay/conference/conference.h"
#include "relay/config/config.h"

G_BEGIN_DECLS

typedef struct _RelayMosaic RelayMosaic;

typedef struct {
  /* Frames encoded, their rate over ~2 s, keyframe requests answered; the
   * latency from a participant frame pushed in to the encoded frame that
   * first shows it leaving as RTP (µs, -1 before any; and as a histogram
   * for GET /metrics, borrowed). */
  RelayVideoEncoderOutputStats encoded;
  guint64 frames_in; /* participant frames taken in */
} RelayMosaicStats;

/* Builds and starts the pipeline (size, rate, order, codec, bitrate from
 * config). output runs on a streaming thread. */
RelayMosaic *relay_mosaic_new (RelayConfig *config, RelayRtpOutputFunc output, gpointer user_data,
                               GError **error);
void relay_mosaic_free (RelayMosaic *mosaic);

/* A decoded frame of a participant, from any thread (in practice its
 * decoder's streaming thread; must not block it for long). The buffer is
 * not taken (ref it to keep it). Scaled once for its tile; kept whole when
 * the participant is in the spotlight. Unknown participants are ignored. */
void relay_mosaic_push_frame (RelayMosaic *mosaic, const char *participant, GstBuffer *frame,
                              const GstVideoInfo *info);

/* Connected (publishing) or not. Not connected: the offline card.
 * Connected without a frame for 2 s: the signal-lost card (a participant
 * that just connected keeps the offline card for those 2 s). Frames of a
 * participant not connected are kept but not shown. Any thread. */
void relay_mosaic_set_connected (RelayMosaic *mosaic, const char *participant,
                                 gboolean connected);

/* Its video over the ingest limits and not decoded: the over-limit card,
 * whatever frames it had. Any thread. */
void relay_mosaic_set_video_refused (RelayMosaic *mosaic, const char *participant,
                                     gboolean refused);

/* The tile with the active speaker's border; NULL for none. Any thread. */
void relay_mosaic_set_active_speaker (RelayMosaic *mosaic, const char *participant);

/* The tile with the floor holder's border; NULL for none. Any thread. */
void relay_mosaic_set_floor (RelayMosaic *mosaic, const char *participant);

/* Muted (out of the conference mix): the muted badge on its live picture,
 * from its next frame on. Participants start unmuted. Any thread. */
void relay_mosaic_set_muted (RelayMosaic *mosaic, const char *participant, gboolean muted);

/* Mosaic grid, or the spotlight on `spotlight` (a province, or NULL: the
 * central room alone large). Any thread. */
void relay_mosaic_set_layout (RelayMosaic *mosaic, RelayLayout layout, const char *spotlight);

/* A viewer asked for a keyframe; at most one is forced per second (a
 * request inside that second is served when it ends). Any thread. */
void relay_mosaic_request_keyframe (RelayMosaic *mosaic);

void relay_mosaic_get_stats (RelayMosaic *mosaic, RelayMosaicStats *stats);

/* Where each participant's picture is in the current layout, in output
 * pixels: [{"id":..,"x":..,"y":..,"width":..,"height":..}, ...]
 * (participants not shown are left out). For pages and tests. */
JsonNode *relay_mosaic_describe_layout (RelayMosaic *mosaic);

G_END_DECLS
