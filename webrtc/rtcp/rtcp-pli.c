/* Picture loss indication (RFC 4585 6.3.1): a payload-specific feedback
 * message with no FCI. */
#include "webrtc/rtcp/rtcp-pli.h"

#define PLI_FMT 1
#define PLI_LEN 12

void
relay_rtcp_pli_write (GByteArray *out, guint32 sender_ssrc, guint32 media_ssrc)
{
  relay_rtcp_write_header (out, PLI_FMT, RELAY_RTCP_PSFB, PLI_LEN);
  relay_append_be32 (out, sender_ssrc);
  relay_append_be32 (out, media_ssrc);
}

gboolean
relay_rtcp_pli_parse (const RelayRtcpHeader *header, guint32 *sender_ssrc, guint32 *media_ssrc)
{
  if (header->packet_type != RELAY_RTCP_PSFB || header->count != PLI_FMT || header->len < PLI_LEN)
    return FALSE;

  if (sender_ssrc)
    *sender_ssrc = relay_read_be32 (header->data + 4);
  if (media_ssrc)
    *media_ssrc = relay_read_be32 (header->data + 8);
  return TRUE;
}
