/* Zero-copy RTP parsing (RFC 3550 5.1, 5.3.1), RFC 8285 header extension
 * lookup, RFC 7983 demultiplexing and RFC 4588 retransmission unwrapping.
 * Every read is checked against the datagram length: this runs on bytes
 * straight off the network. */
#include "webrtc/rtp/rtp-packet.h"

#include <string.h>

#define RTP_HEADER_LEN 12
#define ONE_BYTE_PROFILE 0xBEDE
#define TWO_BYTE_PROFILE_MASK 0xFFF0
#define TWO_BYTE_PROFILE 0x1000

static inline guint16
be16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

gboolean
relay_rtp_packet_parse (RelayRtpPacket *packet, const guint8 *data, gsize len)
{
  gsize off;
  guint8 pad = 0;

  memset (packet, 0, sizeof *packet);
  if (data == NULL || len < RTP_HEADER_LEN || (data[0] >> 6) != 2)
    return FALSE;

  packet->data = data;
  packet->len = len;
  packet->csrc_count = data[0] & 0x0f;
  packet->marker = (data[1] & 0x80) != 0;
  packet->payload_type = data[1] & 0x7f;
  packet->seq = be16 (data + 2);
  packet->timestamp = be32 (data + 4);
  packet->ssrc = be32 (data + 8);

  off = RTP_HEADER_LEN + 4 * (gsize) packet->csrc_count;
  if (off > len)
    return FALSE;

  if (data[0] & 0x10) {
    gsize ext_len;

    if (off + 4 > len)
      return FALSE;
    ext_len = 4 * (gsize) be16 (data + off + 2);
    if (off + 4 + ext_len > len)
      return FALSE;
    packet->ext_profile = be16 (data + off);
    packet->ext_data = data + off + 4;
    packet->ext_len = ext_len;
    off += 4 + ext_len;
  }

  if (data[0] & 0x20) {
    /* The count includes itself, so zero is as invalid as a count reaching
     * back into the header. */
    if (off >= len)
      return FALSE;
    pad = data[len - 1];
    if (pad == 0 || pad > len - off)
      return FALSE;
  }

  packet->payload = data + off;
  packet->payload_len = len - off - pad;
  packet->padding_len = pad;
  return TRUE;
}

static gboolean
find_one_byte (const guint8 *ext, gsize ext_len, guint8 id, const guint8 **data, gsize *len)
{
  gsize i = 0;

  while (i < ext_len) {
    guint8 elem_id = ext[i] >> 4;
    gsize elem_len = (gsize) (ext[i] & 0x0f) + 1;

    if (elem_id == 0) {
      /* Padding between elements (RFC 8285 4.2): one byte, no length. */
      i++;
      continue;
    }
    /* ID 15 is reserved: everything after it must be ignored. */
    if (elem_id == 15 || i + 1 + elem_len > ext_len)
      return FALSE;
    if (elem_id == id) {
      *data = ext + i + 1;
      *len = elem_len;
      return TRUE;
    }
    i += 1 + elem_len;
  }
  return FALSE;
}

static gboolean
find_two_byte (const guint8 *ext, gsize ext_len, guint8 id, const guint8 **data, gsize *len)
{
  gsize i = 0;

  while (i < ext_len) {
    guint8 elem_id = ext[i];
    gsize elem_len;

    if (elem_id == 0) {
      i++;
      continue;
    }
    if (i + 2 > ext_len)
      return FALSE;
    elem_len = ext[i + 1];
    if (i + 2 + elem_len > ext_len)
      return FALSE;
    if (elem_id == id) {
      *data = ext + i + 2;
      *len = elem_len;
      return TRUE;
    }
    i += 2 + elem_len;
  }
  return FALSE;
}

gboolean
relay_rtp_packet_get_extension (const RelayRtpPacket *packet, guint8 id,
                                const guint8 **data, gsize *len)
{
  const guint8 *d = NULL;
  gsize l = 0;
  gboolean found = FALSE;

  if (packet->ext_data == NULL || id == 0)
    return FALSE;

  if (packet->ext_profile == ONE_BYTE_PROFILE) {
    if (id <= 14)
      found = find_one_byte (packet->ext_data, packet->ext_len, id, &d, &l);
  } else if ((packet->ext_profile & TWO_BYTE_PROFILE_MASK) == TWO_BYTE_PROFILE) {
    found = find_two_byte (packet->ext_data, packet->ext_len, id, &d, &l);
  }

  if (found) {
    if (data)
      *data = d;
    if (len)
      *len = l;
  }
  return found;
}

gboolean
relay_rtp_packet_get_audio_level (const RelayRtpPacket *packet, guint8 id,
                                  guint8 *level, gboolean *voice)
{
  const guint8 *d;
  gsize l;

  if (!relay_rtp_packet_get_extension (packet, id, &d, &l) || l < 1)
    return FALSE;
  if (level)
    *level = d[0] & 0x7f;
  if (voice)
    *voice = (d[0] & 0x80) != 0;
  return TRUE;
}

gboolean
relay_rtp_packet_get_transport_seq (const RelayRtpPacket *packet, guint8 id, guint16 *seq)
{
  const guint8 *d;
  gsize l;

  if (!relay_rtp_packet_get_extension (packet, id, &d, &l) || l < 2)
    return FALSE;
  if (seq)
    *seq = be16 (d);
  return TRUE;
}

RelayDatagramKind
relay_datagram_classify (const guint8 *data, gsize len)
{
  guint8 b;

  if (data == NULL || len == 0)
    return RELAY_DATAGRAM_UNKNOWN;

  b = data[0];
  if (b <= 3)
    return RELAY_DATAGRAM_STUN;
  if (b >= 20 && b <= 63)
    return RELAY_DATAGRAM_DTLS;
  if (b >= 128 && b <= 191) {
    if (len < 2)
      return RELAY_DATAGRAM_UNKNOWN;
    /* RFC 5761 4: RTCP types 192..223 would be RTP payload types 64..95
     * with the marker set, which is why those PTs are never used for RTP
     * on a muxed port. */
    if (data[1] >= 192 && data[1] <= 223)
      return RELAY_DATAGRAM_RTCP;
    return RELAY_DATAGRAM_RTP;
  }
  return RELAY_DATAGRAM_UNKNOWN;
}

gsize
relay_rtx_restore (const RelayRtpPacket *rtx, guint8 original_pt, guint32 original_ssrc,
                   guint8 *out)
{
  gsize header_len, media_len;

  g_return_val_if_fail (rtx != NULL && out != NULL, 0);
  if (rtx->data == NULL || rtx->payload == NULL || rtx->payload_len < 2)
    return 0;

  header_len = (gsize) (rtx->payload - rtx->data);
  media_len = rtx->payload_len - 2;

  memmove (out, rtx->data, header_len);
  /* The RTX padding belonged to the RTX packet, not the original. */
  out[0] &= ~0x20;
  out[1] = (rtx->data[1] & 0x80) | (original_pt & 0x7f);
  out[2] = rtx->payload[0];
  out[3] = rtx->payload[1];
  out[8] = (guint8) (original_ssrc >> 24);
  out[9] = (guint8) (original_ssrc >> 16);
  out[10] = (guint8) (original_ssrc >> 8);
  out[11] = (guint8) original_ssrc;
  memmove (out + header_len, rtx->payload + 2, media_len);
  return header_len + media_len;
}
