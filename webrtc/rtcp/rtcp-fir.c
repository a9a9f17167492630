/* Full intra request (RFC 5104 4.3.1). The common "media source" field is
 * unused and zero; the target SSRC travels in the FCI entry instead. */
#include "webrtc/rtcp/rtcp-fir.h"

#define FIR_FMT 4
#define FB_HEADER_LEN 12
#define FIR_FCI_LEN 8

void
relay_rtcp_fir_write (GByteArray *out, guint32 sender_ssrc, guint32 media_ssrc, guint8 seq_nr)
{
  relay_rtcp_write_header (out, FIR_FMT, RELAY_RTCP_PSFB, FB_HEADER_LEN + FIR_FCI_LEN);
  relay_append_be32 (out, sender_ssrc);
  relay_append_be32 (out, 0);
  relay_append_be32 (out, media_ssrc);
  relay_append_u8 (out, seq_nr);
  relay_append_be24 (out, 0);
}

gboolean
relay_rtcp_fir_parse (const RelayRtcpHeader *header, guint32 *sender_ssrc,
                      guint32 *media_ssrc, guint8 *seq_nr)
{
  const guint8 *p = header->data;

  if (header->packet_type != RELAY_RTCP_PSFB || header->count != FIR_FMT)
    return FALSE;
  if (header->len < FB_HEADER_LEN + FIR_FCI_LEN)
    return FALSE;

  if (sender_ssrc)
    *sender_ssrc = relay_read_be32 (p + 4);
  if (media_ssrc)
    *media_ssrc = relay_read_be32 (p + FB_HEADER_LEN);
  if (seq_nr)
    *seq_nr = p[FB_HEADER_LEN + 4];
  return TRUE;
}
