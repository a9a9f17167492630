/* Turns one track's RTP packets into complete coded frames for a
 * recording: VP8 (RFC 7741), H.264 (RFC 6184 packetization-mode 1: single
 * NAL units, STAP-A, FU-A) or Opus (one packet, one frame).
 *
 * In: plain RTP (already decrypted; retransmissions already restored into
 * the original stream), possibly reordered, duplicated or lost, and whose
 * SSRC may change when the source does (an encoder restart, a publisher's
 * reconnection). Packets are put back in sequence order over a short window
 * (by default 30 packets or 100 ms of RTP time, whichever comes first; a
 * packet later than that counts as lost).
 *
 * Out: frames in decoding order, stamped on one continuous timeline in the
 * track clock (90 kHz video, 48 kHz audio) that starts at `start_timestamp`
 * and carries on across sources: a new source's first frame follows the
 * previous one by the last frame interval seen. After a loss in video, or
 * at the start, frames are dropped until the next key frame, and
 * relay_rtp_frame_assembler_needs_keyframe() says so, so that the caller
 * can ask the sender for one (PLI/FIR, rate-limited by the caller).
 *
 * Threads: none of its own, not thread-safe; one thread owns an assembler
 * (push, pop and the getters from that thread). Frames popped belong to the
 * caller. */
#pragma once

#include <glib.h>

#include "relay/recording/media-frame.h"

G_BEGIN_DECLS

typedef struct _RelayRtpFrameAssembler RelayRtpFrameAssembler;

typedef struct {
  guint64 packets;           /* accepted (well-formed) packets */
  guint64 packets_malformed; /* not RTP, bad payload, unsupported NAL types */
  guint64 packets_duplicate; /* already seen, or later than the window */
  guint64 packets_lost;      /* sequence numbers never received */
  guint64 frames_out;
  guint64 frames_dropped;    /* incomplete, or waiting for a key frame */
  guint64 source_changes;    /* new SSRCs (or sequence restarts) after the first */
} RelayRtpFrameAssemblerStats;

/* `start_timestamp`: the first frame's timestamp in the track clock (e.g.
 * the time since the recording started at which the track's first packet
 * came, so that the tracks of a recording line up); 0 otherwise. */
RelayRtpFrameAssembler *relay_rtp_frame_assembler_new (RelayMediaCodec codec,
                                                       gint64 start_timestamp);

/* The reordering window: packets held back at most, and RTP time (ms) a
 * missing packet is waited for. 0 keeps the default (30 packets, 100 ms). */
void relay_rtp_frame_assembler_set_window (RelayRtpFrameAssembler *self, guint packets, guint ms);

/* One RTP packet (header included). Never fails: malformed packets are
 * counted and ignored. Complete frames are then ready for _pop. */
void relay_rtp_frame_assembler_push (RelayRtpFrameAssembler *self, const guint8 *rtp, gsize len);

/* Releases the packets held in the reordering window (end of the stream),
 * completing what can be completed. */
void relay_rtp_frame_assembler_flush (RelayRtpFrameAssembler *self);

/* The next complete frame, or NULL. The caller frees it. */
RelayMediaFrame *relay_rtp_frame_assembler_pop (RelayRtpFrameAssembler *self);

/* TRUE while video frames are being dropped until a key frame (from the
 * start, and after a loss or a change of source): the caller should ask
 * the sender for a key frame. Always FALSE for Opus. */
gboolean relay_rtp_frame_assembler_needs_keyframe (RelayRtpFrameAssembler *self);

/* H.264: the latest SPS / PPS seen (NULL before); the caller gets a ref. */
GBytes *relay_rtp_frame_assembler_get_sps (RelayRtpFrameAssembler *self);
GBytes *relay_rtp_frame_assembler_get_pps (RelayRtpFrameAssembler *self);

void relay_rtp_frame_assembler_get_stats (RelayRtpFrameAssembler *self,
                                          RelayRtpFrameAssemblerStats *stats);

void relay_rtp_frame_assembler_free (RelayRtpFrameAssembler *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayRtpFrameAssembler, relay_rtp_frame_assembler_free)

G_END_DECLS
