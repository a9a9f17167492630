/* Sender report (RFC 3550 6.4.1) and the NTP wall-clock format it uses. */
#include "webrtc/rtcp/rtcp-sender-report.h"

#define SENDER_INFO_END 28 /* header + SSRC + 20-byte sender info */
#define REPORT_BLOCK_LEN 24
#define NTP_UNIX_OFFSET_S G_GUINT64_CONSTANT (2208988800) /* 1900 -> 1970 */

guint64
relay_ntp_from_unix_us (gint64 unix_us)
{
  /* Floor division so times before 1970 still get a fraction in [0, 1). */
  gint64 secs = unix_us / G_USEC_PER_SEC;
  gint64 us = unix_us % G_USEC_PER_SEC;
  guint64 frac;

  if (us < 0) {
    us += G_USEC_PER_SEC;
    secs--;
  }
  frac = ((guint64) us << 32) / G_USEC_PER_SEC;
  return ((guint64) (secs + (gint64) NTP_UNIX_OFFSET_S) << 32) | frac;
}

guint64
relay_ntp_now (void)
{
  return relay_ntp_from_unix_us (g_get_real_time ());
}

void
relay_rtcp_sender_report_write (GByteArray *out, const RelayRtcpSenderInfo *info,
                                const RelayRtcpReportBlock *blocks, guint n_blocks)
{
  g_return_if_fail (info != NULL);
  g_return_if_fail (n_blocks <= 31);
  g_return_if_fail (n_blocks == 0 || blocks != NULL);

  relay_rtcp_write_header (out, n_blocks, RELAY_RTCP_SR, SENDER_INFO_END + REPORT_BLOCK_LEN * n_blocks);
  relay_append_be32 (out, info->ssrc);
  relay_append_be32 (out, (guint32) (info->ntp_timestamp >> 32));
  relay_append_be32 (out, (guint32) info->ntp_timestamp);
  relay_append_be32 (out, info->rtp_timestamp);
  relay_append_be32 (out, info->packet_count);
  relay_append_be32 (out, info->octet_count);
  for (guint i = 0; i < n_blocks; i++)
    relay_rtcp_report_block_write (out, &blocks[i]);
}

gboolean
relay_rtcp_sender_report_parse (const RelayRtcpHeader *header, RelayRtcpSenderInfo *info,
                                RelayRtcpReportBlock *blocks, guint max_blocks,
                                guint *n_blocks)
{
  const guint8 *p = header->data;
  guint n;

  if (header->packet_type != RELAY_RTCP_SR || header->len < SENDER_INFO_END)
    return FALSE;
  if (header->len < SENDER_INFO_END + (gsize) REPORT_BLOCK_LEN * header->count)
    return FALSE;

  if (info) {
    info->ssrc = relay_read_be32 (p + 4);
    info->ntp_timestamp = ((guint64) relay_read_be32 (p + 8) << 32) | relay_read_be32 (p + 12);
    info->rtp_timestamp = relay_read_be32 (p + 16);
    info->packet_count = relay_read_be32 (p + 20);
    info->octet_count = relay_read_be32 (p + 24);
  }

  n = blocks ? MIN (header->count, max_blocks) : 0;
  for (guint i = 0; i < n; i++)
    relay_rtcp_report_block_parse (p + SENDER_INFO_END + REPORT_BLOCK_LEN * i, &blocks[i]);
  if (n_blocks)
    *n_blocks = n;
  return TRUE;
}
