/* RTCP extended reports (RFC 3611): receiver reference time (RRTR, BT 4)
 * that we send, and DLRR (BT 5) that the sender answers with, giving a
 * receive-only endpoint its round-trip time. */
#pragma once

#include <glib.h>
#include "webrtc/rtcp/rtcp-packet.h"

G_BEGIN_DECLS

void relay_rtcp_xr_rrtr_write (GByteArray *out, guint32 sender_ssrc, guint64 ntp_timestamp);

/* Finds a DLRR sub-block for `our_ssrc`; RTT in ms computed against now_ntp.
 * FALSE when there is none (or LRR is 0). */
gboolean relay_rtcp_xr_dlrr_rtt (const RelayRtcpHeader *header, guint32 our_ssrc, guint64 now_ntp,
                                 guint *rtt_ms);

G_END_DECLS
