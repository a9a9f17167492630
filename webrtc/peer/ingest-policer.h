/* What one office may make the relay carry and decode (docs/API.md,
 * "Limits on what an office sends"). Per publisher session:
 *
 *  - each decrypted RTP packet is checked against max-rtp-size before
 *    anything queues or parses it; a bigger one is dropped and counted;
 *  - the video's picture size is read from its keyframes (VP8 frame
 *    header, H.264 SPS) and its frame rate from its RTP timestamps, so both
 *    are known without decoding, and still known once decoding stops;
 *  - an office over max-width x max-height (either way up: the longer side
 *    against the larger of the two, the shorter against the smaller) or over
 *    max-framerate is asked down at once (a REMB below its bitrate, lower
 *    every second); still over after the grace period, its video is no
 *    longer decoded (refused) until what it sends fits again.
 *
 * Owned by the session and used only on its transport worker; nothing in
 * it locks. The session copies the status into its snapshot for the API. */
#pragma once

#include <glib.h>
#include "webrtc/rtp/packet-cache.h"
#include "webrtc/sdp/sdp-offer.h"

G_BEGIN_DECLS

/* Config [ingest]. */
typedef struct {
  guint max_rtp_size;   /* bytes of a decrypted RTP packet, header included */
  guint max_width, max_height;
  guint max_framerate;
  guint grace_s;        /* over the limits this long: refused */
} RelayIngestLimits;

#define RELAY_INGEST_DEFAULT_MAX_RTP_SIZE 1500
#define RELAY_INGEST_DEFAULT_MAX_WIDTH 1920
#define RELAY_INGEST_DEFAULT_MAX_HEIGHT 1080
#define RELAY_INGEST_DEFAULT_MAX_FRAMERATE 30
#define RELAY_INGEST_DEFAULT_GRACE_S 5
/* The largest max-rtp-size the config accepts: a viewer's session forwards
 * nothing bigger (RELAY_PACKET_CACHE_MTU), so admitting more would only
 * feed the decoder what no viewer gets. The session's buffers are sized
 * for it. */
#define RELAY_INGEST_MAX_RTP_SIZE_LIMIT RELAY_PACKET_CACHE_MTU

void relay_ingest_limits_init_default (RelayIngestLimits *limits);

typedef enum {
  RELAY_INGEST_WITHIN,  /* within the limits, or not known yet */
  RELAY_INGEST_OVER,    /* over them: asked down, still decoded */
  RELAY_INGEST_REFUSED, /* over them past the grace period: not decoded */
} RelayIngestLimitState;

const char *relay_ingest_limit_state_name (RelayIngestLimitState state);

typedef struct {
  RelayIngestLimitState state;
  /* What the office sends: 0 while unknown (no keyframe seen yet, or less
   * than 2 s of frames). */
  guint width, height;
  double fps;
  /* Why it is over, in words ("640x360 is over the 320x1080 limit");
   * empty when within. */
  char reason[128];
  guint remb_kbps;      /* what the REMB asks for now */
  guint64 oversized_packets, oversized_bytes;
  guint largest_oversized; /* bytes; 0 before any */
  guint refusals;       /* times its video was refused in this session */
} RelayIngestStatus;

typedef struct _RelayIngestPolicer RelayIngestPolicer;

/* log_id names the office in log lines. target_kbps is what the REMB asks
 * for while the office is within its limits. */
RelayIngestPolicer *relay_ingest_policer_new (const RelayIngestLimits *limits, guint target_kbps,
                                              const char *log_id);
void relay_ingest_policer_free (RelayIngestPolicer *policer);

/* Every decrypted RTP packet, first thing: FALSE when it is too big (drop
 * it). Counted; logged at once for the first, then at most every 10 s. */
gboolean relay_ingest_policer_admit (RelayIngestPolicer *policer, gsize len, gint64 now_us);

/* Every video packet admitted (RTX restored), with its RTP timestamp and
 * payload: learns the frame rate and, from keyframes, the picture size. */
void relay_ingest_policer_on_video (RelayIngestPolicer *policer, RelayCodec codec,
                                    guint32 rtp_timestamp, const guint8 *payload, gsize len,
                                    gint64 now_us);
/* A new video SSRC: what was measured belongs to the old stream. */
void relay_ingest_policer_new_stream (RelayIngestPolicer *policer);
/* The decoder's picture size, used only while the keyframes have not said
 * (an H.264 stream whose SPS came in a way not read here). */
void relay_ingest_policer_set_decoded_size (RelayIngestPolicer *policer, guint width,
                                            guint height);

/* A few times a second: judges what was measured and moves the state.
 * bitrate_kbps is the video's received bitrate (0 when unknown), which the
 * REMB is cut from. TRUE when the state changed. */
gboolean relay_ingest_policer_tick (RelayIngestPolicer *policer, gint64 now_us,
                                    double bitrate_kbps);

/* Whether video is to be decoded: FALSE while refused. */
gboolean relay_ingest_policer_decoding (RelayIngestPolicer *policer);
guint relay_ingest_policer_get_remb_kbps (RelayIngestPolicer *policer);
void relay_ingest_policer_get_status (RelayIngestPolicer *policer, RelayIngestStatus *status);

G_END_DECLS
