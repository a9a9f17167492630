/* Receiver report (RFC 3550 6.4.2) and the report block it shares with
 * the sender report (6.4.1). */
#include "webrtc/rtcp/rtcp-receiver-report.h"

#define REPORT_BLOCK_LEN 24
#define MAX_REPORT_BLOCKS 31 /* the 5-bit RC field */

void
relay_rtcp_report_block_parse (const guint8 *p, RelayRtcpReportBlock *block)
{
  guint32 lost24 = ((guint32) p[5] << 16) | ((guint32) p[6] << 8) | p[7];

  block->ssrc = relay_read_be32 (p);
  block->fraction_lost = p[4];
  /* Sign-extend the 24-bit two's complement count: duplicates can make it
   * negative. */
  block->cumulative_lost = (lost24 & 0x800000) ? (gint32) lost24 - 0x1000000 : (gint32) lost24;
  block->extended_highest_seq = relay_read_be32 (p + 8);
  block->jitter = relay_read_be32 (p + 12);
  block->last_sr = relay_read_be32 (p + 16);
  block->delay_since_last_sr = relay_read_be32 (p + 20);
}

void
relay_rtcp_report_block_write (GByteArray *out, const RelayRtcpReportBlock *block)
{
  gint32 lost = CLAMP (block->cumulative_lost, -0x800000, 0x7fffff);

  relay_append_be32 (out, block->ssrc);
  relay_append_u8 (out, block->fraction_lost);
  relay_append_be24 (out, (guint32) lost & 0xffffff);
  relay_append_be32 (out, block->extended_highest_seq);
  relay_append_be32 (out, block->jitter);
  relay_append_be32 (out, block->last_sr);
  relay_append_be32 (out, block->delay_since_last_sr);
}

void
relay_rtcp_receiver_report_write (GByteArray *out, guint32 sender_ssrc,
                                  const RelayRtcpReportBlock *blocks, guint n_blocks)
{
  g_return_if_fail (n_blocks <= MAX_REPORT_BLOCKS);
  g_return_if_fail (n_blocks == 0 || blocks != NULL);

  relay_rtcp_write_header (out, n_blocks, RELAY_RTCP_RR, 8 + REPORT_BLOCK_LEN * n_blocks);
  relay_append_be32 (out, sender_ssrc);
  for (guint i = 0; i < n_blocks; i++)
    relay_rtcp_report_block_write (out, &blocks[i]);
}

gboolean
relay_rtcp_receiver_report_parse (const RelayRtcpHeader *header, guint32 *sender_ssrc,
                                  RelayRtcpReportBlock *blocks, guint max_blocks,
                                  guint *n_blocks)
{
  guint n;

  if (header->packet_type != RELAY_RTCP_RR || header->len < 8)
    return FALSE;
  if (header->len < 8 + (gsize) REPORT_BLOCK_LEN * header->count)
    return FALSE;

  if (sender_ssrc)
    *sender_ssrc = relay_read_be32 (header->data + 4);

  n = blocks ? MIN (header->count, max_blocks) : 0;
  for (guint i = 0; i < n; i++)
    relay_rtcp_report_block_parse (header->data + 8 + REPORT_BLOCK_LEN * i, &blocks[i]);
  if (n_blocks)
    *n_blocks = n;
  return TRUE;
}

gint
relay_rtcp_report_block_rtt_ms (const RelayRtcpReportBlock *block, guint64 now_ntp)
{
  guint32 now_mid = (guint32) (now_ntp >> 16);
  guint32 rtt;

  if (block->last_sr == 0)
    return -1;

  /* RFC 3550 6.4.1: A - LSR - DLSR, all in 1/65536 s; wrapping arithmetic
   * keeps it right across the 16-bit-seconds rollover. A "negative" result
   * means the clocks disagree by more than the RTT: report zero rather
   * than a huge value. */
  rtt = now_mid - block->last_sr - block->delay_since_last_sr;
  if (rtt & 0x80000000u)
    return 0;
  return (gint) (((guint64) rtt * 1000) >> 16);
}
