/* REMB (draft-alvestrand-rmcat-remb-03 2.2): an application-layer PSFB
 * message tagged "REMB", carrying the bitrate as mantissa * 2^exp. */
#include "webrtc/rtcp/rtcp-remb.h"

#define AFB_FMT 15
#define REMB_HEADER_LEN 20 /* common FB header + "REMB" + num/exp/mantissa */
#define MANTISSA_MAX 0x3ffffu
#define MAX_SSRCS 255

static gboolean
has_remb_tag (const guint8 *p)
{
  return p[0] == 'R' && p[1] == 'E' && p[2] == 'M' && p[3] == 'B';
}

void
relay_rtcp_remb_write (GByteArray *out, guint32 sender_ssrc, guint64 bitrate_bps,
                       const guint32 *ssrcs, guint n_ssrcs)
{
  guint exp = 0;

  g_return_if_fail (n_ssrcs <= MAX_SSRCS);
  g_return_if_fail (n_ssrcs == 0 || ssrcs != NULL);

  /* The smallest exponent loses the fewest low bits of the bitrate. */
  while ((bitrate_bps >> exp) > MANTISSA_MAX)
    exp++;

  relay_rtcp_write_header (out, AFB_FMT, RELAY_RTCP_PSFB, REMB_HEADER_LEN + 4 * n_ssrcs);
  relay_append_be32 (out, sender_ssrc);
  relay_append_be32 (out, 0); /* media source: unused for REMB */
  g_byte_array_append (out, (const guint8 *) "REMB", 4);
  relay_append_u8 (out, (guint8) n_ssrcs);
  relay_append_be24 (out, (exp << 18) | (guint32) (bitrate_bps >> exp));
  for (guint i = 0; i < n_ssrcs; i++)
    relay_append_be32 (out, ssrcs[i]);
}

gboolean
relay_rtcp_remb_parse (const RelayRtcpHeader *header, guint64 *bitrate_bps,
                       guint32 *ssrcs, guint max_ssrcs, guint *n_ssrcs)
{
  const guint8 *p = header->data;
  guint num, exp, n;
  guint64 mantissa;

  if (header->packet_type != RELAY_RTCP_PSFB || header->count != AFB_FMT)
    return FALSE;
  if (header->len < REMB_HEADER_LEN || !has_remb_tag (p + 12))
    return FALSE;

  num = p[16];
  exp = p[17] >> 2;
  mantissa = ((guint64) (p[17] & 0x03) << 16) | ((guint64) p[18] << 8) | p[19];
  if (header->len < REMB_HEADER_LEN + 4 * (gsize) num)
    return FALSE;

  if (bitrate_bps) {
    /* A 6-bit exponent can describe more than 64 bits: saturate. */
    if (mantissa != 0 && (exp >= 64 || (mantissa << exp) >> exp != mantissa))
      *bitrate_bps = G_MAXUINT64;
    else
      *bitrate_bps = mantissa << exp;
  }

  n = ssrcs ? MIN (num, max_ssrcs) : 0;
  for (guint i = 0; i < n; i++)
    ssrcs[i] = relay_read_be32 (p + REMB_HEADER_LEN + 4 * i);
  if (n_ssrcs)
    *n_ssrcs = n;
  return TRUE;
}
