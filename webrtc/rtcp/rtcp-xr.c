/* RTCP XR (RFC 3611): we only send RRTR (4.4) and only read DLRR (4.5),
 * which together give a receive-only endpoint a round-trip time. */
#include "webrtc/rtcp/rtcp-xr.h"

#define XR_HEADER_LEN 8 /* common header + SSRC of the XR sender */
#define BT_RRTR 4
#define BT_DLRR 5
#define RRTR_BLOCK_LEN 12
#define DLRR_SUB_BLOCK_LEN 12

void
relay_rtcp_xr_rrtr_write (GByteArray *out, guint32 sender_ssrc, guint64 ntp_timestamp)
{
  relay_rtcp_write_header (out, 0, RELAY_RTCP_XR, XR_HEADER_LEN + RRTR_BLOCK_LEN);
  relay_append_be32 (out, sender_ssrc);
  relay_append_u8 (out, BT_RRTR);
  relay_append_u8 (out, 0);
  relay_append_be16 (out, RRTR_BLOCK_LEN / 4 - 1);
  relay_append_be32 (out, (guint32) (ntp_timestamp >> 32));
  relay_append_be32 (out, (guint32) ntp_timestamp);
}

static gboolean
dlrr_find (const guint8 *block, gsize block_len, guint32 our_ssrc, guint32 *lrr, guint32 *dlrr)
{
  for (gsize off = 4; off + DLRR_SUB_BLOCK_LEN <= block_len; off += DLRR_SUB_BLOCK_LEN) {
    if (relay_read_be32 (block + off) == our_ssrc) {
      *lrr = relay_read_be32 (block + off + 4);
      *dlrr = relay_read_be32 (block + off + 8);
      return TRUE;
    }
  }
  return FALSE;
}

gboolean
relay_rtcp_xr_dlrr_rtt (const RelayRtcpHeader *header, guint32 our_ssrc, guint64 now_ntp,
                        guint *rtt_ms)
{
  const guint8 *p = header->data;
  gsize off = XR_HEADER_LEN;

  if (header->packet_type != RELAY_RTCP_XR || header->len < XR_HEADER_LEN)
    return FALSE;

  while (off + 4 <= header->len) {
    guint8 bt = p[off];
    gsize block_len = 4 + 4 * (gsize) relay_read_be16 (p + off + 2);
    guint32 lrr, dlrr, rtt;

    if (off + block_len > header->len)
      return FALSE;

    if (bt == BT_DLRR && dlrr_find (p + off, block_len, our_ssrc, &lrr, &dlrr)) {
      /* LRR 0 means the sender has not seen an RRTR from us yet. */
      if (lrr == 0)
        return FALSE;
      /* Same arithmetic as the SR/RR round trip (RFC 3611 4.5), in
       * 1/65536 s; a "negative" value is clock disagreement, so zero. */
      rtt = (guint32) (now_ntp >> 16) - lrr - dlrr;
      if (rtt_ms)
        *rtt_ms = (rtt & 0x80000000u) ? 0 : (guint) (((guint64) rtt * 1000) >> 16);
      return TRUE;
    }
    off += block_len;
  }
  return FALSE;
}
