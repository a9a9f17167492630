/* Compound RTCP iteration and the common header writer. */
#include "webrtc/rtcp/rtcp-packet.h"

void
relay_append_u8 (GByteArray *out, guint8 v)
{
  g_byte_array_append (out, &v, 1);
}

void
relay_append_be16 (GByteArray *out, guint16 v)
{
  guint8 b[2] = { v >> 8, v & 0xff };
  g_byte_array_append (out, b, sizeof b);
}

void
relay_append_be24 (GByteArray *out, guint32 v)
{
  guint8 b[3] = { (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };
  g_byte_array_append (out, b, sizeof b);
}

void
relay_append_be32 (GByteArray *out, guint32 v)
{
  guint8 b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };
  g_byte_array_append (out, b, sizeof b);
}

void
relay_rtcp_iter_init (RelayRtcpIter *iter, const guint8 *data, gsize len)
{
  iter->cursor = data;
  iter->remaining = data ? len : 0;
}

gboolean
relay_rtcp_iter_next (RelayRtcpIter *iter, RelayRtcpHeader *header)
{
  const guint8 *p = iter->cursor;
  gsize packet_len, pad = 0;

  if (iter->remaining < 4 || (p[0] >> 6) != 2)
    goto stop;

  packet_len = ((gsize) relay_read_be16 (p + 2) + 1) * 4;
  if (packet_len > iter->remaining)
    goto stop;

  /* With the P bit the last octet counts padding octets (RFC 3550 6.4.1).
   * Handing parsers a length without it keeps them from reading the
   * padding as report content; a count that eats into the header is a
   * malformed packet. */
  if (p[0] & 0x20) {
    pad = p[packet_len - 1];
    if (pad == 0 || pad > packet_len - 4)
      goto stop;
  }

  header->packet_type = p[1];
  header->count = p[0] & 0x1f;
  header->data = p;
  header->len = packet_len - pad;

  iter->cursor = p + packet_len;
  iter->remaining -= packet_len;
  return TRUE;

stop:
  /* Once one length is wrong nothing after it can be trusted. */
  iter->remaining = 0;
  return FALSE;
}

void
relay_rtcp_write_header (GByteArray *out, guint8 count, guint8 packet_type, gsize len_bytes)
{
  g_return_if_fail (len_bytes >= 4 && len_bytes % 4 == 0 && len_bytes <= 4 * 65536);

  relay_append_u8 (out, 0x80 | (count & 0x1f));
  relay_append_u8 (out, packet_type);
  relay_append_be16 (out, (guint16) (len_bytes / 4 - 1));
}
