/* RTCP receiver report (RR, PT 201) and the report block shared with SR. */
#pragma once

#include <glib.h>
#include "webrtc/rtcp/rtcp-packet.h"

G_BEGIN_DECLS

typedef struct {
  guint32 ssrc;
  guint8 fraction_lost;
  gint32 cumulative_lost; /* 24-bit signed on the wire */
  guint32 extended_highest_seq;
  guint32 jitter;
  guint32 last_sr;         /* LSR */
  guint32 delay_since_last_sr; /* DLSR, 1/65536 s */
} RelayRtcpReportBlock;

void relay_rtcp_receiver_report_write (GByteArray *out, guint32 sender_ssrc,
                                       const RelayRtcpReportBlock *blocks, guint n_blocks);

/* Parses an RR; fills up to max_blocks blocks. */
gboolean relay_rtcp_receiver_report_parse (const RelayRtcpHeader *header, guint32 *sender_ssrc,
                                           RelayRtcpReportBlock *blocks, guint max_blocks,
                                           guint *n_blocks);

/* Parses the n-th report block at p (24 bytes). */
void relay_rtcp_report_block_parse (const guint8 *p, RelayRtcpReportBlock *block);
void relay_rtcp_report_block_write (GByteArray *out, const RelayRtcpReportBlock *block);

/* RTT in ms from a report block about our stream, given the wall clock now
 * as NTP (64-bit). -1 when the block has no LSR. */
gint relay_rtcp_report_block_rtt_ms (const RelayRtcpReportBlock *block, guint64 now_ntp);

G_END_DECLS
