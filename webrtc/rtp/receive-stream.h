/* One received media stream (one SSRC at a time): what a receiver keeps
 * per stream, as RFC 3550's per-source state. It owns the stream's
 * reception statistics (receive-stats) and, for video, its NACK generator;
 * it turns RTX packets (RFC 4588) back into the original, counting them
 * and dropping the empty ones senders use as bandwidth probes; and it says
 * which packets start a key frame and when loss calls for one, so that the
 * owner can feed its key-frame request manager. When the sender changes
 * SSRC (an encoder restart) statistics and NACK state start over.
 *
 * A session keeps one per media stream it receives; the routing of packets
 * to streams (by payload type today, by RID or SSRC with simulcast) is the
 * session's. Owned by that session and used only on its worker thread. */
#pragma once

#include <glib.h>
#include "webrtc/rtp/packet-cache.h"
#include "webrtc/rtp/receive-stats.h"
#include "webrtc/rtp/rtp-packet.h"
#include "webrtc/sdp/sdp-offer.h"

G_BEGIN_DECLS

typedef struct _RelayReceiveStream RelayReceiveStream;

typedef struct {
  /* Key frames are detected for VP8 and H.264; any other codec has none. */
  RelayCodec codec;
  guint clock_rate;
  guint8 payload_type;
  gint rtx_payload_type; /* -1: no RTX */
  /* Keep a NACK generator (video): gaps are tracked and collected. */
  gboolean nack;
} RelayReceiveStreamConfig;

/* What one packet meant to its stream. */
typedef struct {
  /* The media packet: the one received, or the original restored from RTX,
   * whose bytes live in the stream and stay valid until its next packet. */
  RelayRtpPacket packet;
  gboolean retransmission; /* restored from RTX */
  /* The first packet, or the sender changed SSRC: statistics and NACK
   * state started over. A video receiver forces a key-frame request (a
   * decoder cannot pick up a new stream between key frames). */
  gboolean new_ssrc;
  gboolean keyframe; /* the packet starts a key frame */
  /* The NACK generator gave up on loss too large to repair by
   * retransmission: a key frame should be requested. */
  gboolean keyframe_needed;
} RelayReceivedPacket;

RelayReceiveStream *relay_receive_stream_new (const RelayReceiveStreamConfig *config);
void relay_receive_stream_free (RelayReceiveStream *stream);

/* A decrypted RTP packet. TRUE with *received filled when it is media of
 * this stream: its payload type, or its RTX payload type carrying a
 * non-empty retransmission of the SSRC being followed. FALSE for any other
 * payload type, an empty RTX probe, RTX before any media, or an RTX packet
 * larger than RELAY_PACKET_CACHE_MTU. */
gboolean relay_receive_stream_receive (RelayReceiveStream *stream, const RelayRtpPacket *packet,
                                       gint64 now_us, RelayReceivedPacket *received);

/* The round-trip time, which paces NACK retries. */
void relay_receive_stream_set_rtt (RelayReceiveStream *stream, guint rtt_ms);

/* Sequence numbers of the followed SSRC due for a NACK now (at most max);
 * 0 without a NACK generator. */
guint relay_receive_stream_collect_nacks (RelayReceiveStream *stream, gint64 now_us,
                                          guint16 *seqs, guint max);

/* The readers below take NULL (no such stream: nothing received). */

/* The SSRC followed; 0 before the first packet. */
guint32 relay_receive_stream_get_ssrc (RelayReceiveStream *stream);
/* The statistics of the SSRC followed, for RTCP reports; NULL before the
 * first packet. Owned by the stream; replaced when the SSRC changes. */
RelayReceiveStats *relay_receive_stream_get_stats (RelayReceiveStream *stream);

typedef struct {
  /* Of the SSRC followed (reset when it changes). */
  guint64 packets, bytes, lost;
  double jitter_ms; /* -1 before the first packet */
  /* Since the stream was made, across SSRC changes. */
  guint64 rtx_packets; /* non-empty RTX packets restored */
  guint64 nacked_seqs; /* distinct sequence numbers NACKed */
} RelayReceiveStreamFigures;

void relay_receive_stream_get_figures (RelayReceiveStream *stream,
                                       RelayReceiveStreamFigures *figures);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayReceiveStream, relay_receive_stream_free)

G_END_DECLS
