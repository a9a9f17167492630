/* RTCP sender report (SR, PT 200). */
#pragma once

#include <glib.h>
#include "webrtc/rtcp/rtcp-receiver-report.h"

G_BEGIN_DECLS

typedef struct {
  guint32 ssrc;
  guint64 ntp_timestamp;
  guint32 rtp_timestamp;
  guint32 packet_count;
  guint32 octet_count;
} RelayRtcpSenderInfo;

gboolean relay_rtcp_sender_report_parse (const RelayRtcpHeader *header, RelayRtcpSenderInfo *info,
                                         RelayRtcpReportBlock *blocks, guint max_blocks,
                                         guint *n_blocks);
void relay_rtcp_sender_report_write (GByteArray *out, const RelayRtcpSenderInfo *info,
                                     const RelayRtcpReportBlock *blocks, guint n_blocks);

/* Wall clock (g_get_real_time) as a 64-bit NTP timestamp. */
guint64 relay_ntp_now (void);
guint64 relay_ntp_from_unix_us (gint64 unix_us);

G_END_DECLS
