/* The RTCP a receiving peer sends and reads, composed from the per-type
 * writers in relay/rtcp: receiver reports with XR RRTR, REMB, NACK,
 * PLI/FIR; and on the way in, sender reports (for LSR) and XR DLRR (RTT). */
#pragma once

#include <glib.h>
#include "webrtc/rtp/receive-stats.h"
#include "webrtc/sdp/sdp-offer.h"

G_BEGIN_DECLS

void relay_rtcp_feedback_write_reports (GByteArray *out, guint32 local_ssrc,
                                        RelayReceiveStats *video, RelayReceiveStats *audio,
                                        gint64 now_us);
void relay_rtcp_feedback_write_remb (GByteArray *out, guint32 local_ssrc, guint64 bitrate_bps,
                                     guint32 video_ssrc, guint32 audio_ssrc);
void relay_rtcp_feedback_write_nack (GByteArray *out, guint32 local_ssrc, guint32 media_ssrc,
                                     const guint16 *seqs, guint n);
/* PLI when negotiated, else FIR, else PLI anyway (every browser takes it).
 * `fir_seq` is the sender's own FIR command sequence number (RFC 5104
 * section 4.3.1.1: one counter per media sender), advanced when a FIR goes
 * out; the caller keeps it with the stream it asks. */
void relay_rtcp_feedback_write_keyframe_request (GByteArray *out, const RelaySdpMedia *video,
                                                 guint32 local_ssrc, guint32 media_ssrc,
                                                 guint8 *fir_seq);

/* Feedback datagrams stay under a path MTU: an SRTCP datagram over ~1,200
 * bytes may be fragmented or dropped on the way (TWCC feedback for a
 * second of a lossy link is several packets of up to 1,200 bytes each). */
#define RELAY_RTCP_FEEDBACK_MAX_DATAGRAM 1200
typedef void (*RelayRtcpDatagramFunc) (const guint8 *data, gsize len, gpointer user_data);
/* Calls `send` for consecutive whole packets of `data` (a compound as
 * written above) grouped into datagrams of at most `max_datagram` bytes; a
 * packet larger than that goes alone. */
void relay_rtcp_feedback_split (const guint8 *data, gsize len, gsize max_datagram,
                                RelayRtcpDatagramFunc send, gpointer user_data);

/* Reads a compound packet from the publisher; TRUE with rtt_ms when an XR
 * DLRR gave a round-trip time. */
gboolean relay_rtcp_feedback_read (const guint8 *data, gsize len, gint64 now_us, guint32 local_ssrc,
                                   RelayReceiveStats *video, RelayReceiveStats *audio,
                                   guint *rtt_ms);

G_END_DECLS
