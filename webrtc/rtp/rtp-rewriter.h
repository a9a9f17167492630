/* Rewrites a forwarded stream's SSRC, sequence numbers and timestamps so a
 * viewer sees one continuous stream even when the publisher reconnects
 * (new SSRC, new random sequence and timestamp bases). After a switch the
 * rewriter waits for a keyframe (video) before letting packets through, so
 * no broken frame is shown. Single-threaded (the viewer's worker). */
#pragma once

#include <glib.h>
#include "webrtc/rtp/rtp-packet.h"

G_BEGIN_DECLS

typedef struct _RelayRtpRewriter RelayRtpRewriter;

/* out_ssrc: the SSRC the viewer was told; clock_rate: 90000 or 48000;
 * out_payload_type: the viewer's payload type for this codec. */
RelayRtpRewriter *relay_rtp_rewriter_new (guint32 out_ssrc, guint clock_rate,
                                          guint8 out_payload_type, gboolean is_video);
void relay_rtp_rewriter_free (RelayRtpRewriter *rw);

typedef enum {
  RELAY_REWRITE_FORWARD,      /* out holds the rewritten packet */
  RELAY_REWRITE_DROP_WAITING, /* waiting for a keyframe after a switch */
  RELAY_REWRITE_DROP_OLD,     /* too old / duplicate of the input stream */
} RelayRewriteResult;

/* Rewrites `in` (arrived at arrival_us, `is_keyframe` when it starts a
 * keyframe) into out (room for in->len bytes). Header extensions are
 * removed (the viewer negotiated its own ids); the marker bit, payload and
 * padding are kept. *out_len is the new length. A new input SSRC is a
 * switch: output sequence numbers continue (+1), the output timestamp
 * continues from the last one plus the wall-clock time elapsed. Sequence
 * gaps of the input are kept as gaps (the viewer may NACK them), reordered
 * packets within the last 1000 keep their place. */
RelayRewriteResult relay_rtp_rewriter_rewrite (RelayRtpRewriter *rw, const RelayRtpPacket *in,
                                               gboolean is_keyframe, gint64 arrival_us,
                                               guint8 *out, gsize *out_len);

/* For sender reports: the output timestamp that corresponds to now. FALSE
 * before the first forwarded packet. */
gboolean relay_rtp_rewriter_timestamp_at (RelayRtpRewriter *rw, gint64 now_us, guint32 *rtp_ts);

/* TRUE while video packets are dropped for want of a keyframe (from
 * creation and after each switch): the caller should have one requested
 * from the publisher (PLI/FIR). Always FALSE for audio. */
gboolean relay_rtp_rewriter_is_waiting_keyframe (RelayRtpRewriter *rw);

guint64 relay_rtp_rewriter_get_packets (RelayRtpRewriter *rw);
guint64 relay_rtp_rewriter_get_octets (RelayRtpRewriter *rw); /* payload octets, for SR */
guint32 relay_rtp_rewriter_get_ssrc (RelayRtpRewriter *rw);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayRtpRewriter, relay_rtp_rewriter_free)

G_END_DECLS
