#include "relay/peer/rtp-codec-info.h"

static gboolean
vp8_is_keyframe (const guint8 *p, gsize len)
{
  if (len < 1)
    return FALSE;
  guint8 desc = p[0];
  gboolean extended = desc & 0x80, start = desc & 0x10;
  guint pid = desc & 0x07;
  if (!start || pid != 0)
    return FALSE;
  gsize off = 1;
  if (extended)
    {
      if (len < 2)
        return FALSE;
      guint8 x = p[1];
      off = 2;
      if (x & 0x80) /* I: picture id, 7 or 15 bits */
        {
          if (len <= off)
            return FALSE;
          off += (p[off] & 0x80) ? 2 : 1;
        }
      if (x & 0x40) /* L: TL0PICIDX */
        off++;
      if (x & 0x30) /* T or K: TID/KEYIDX byte */
        off++;
    }
  if (len <= off)
    return FALSE;
  /* VP8 payload header: P bit 0 means keyframe. */
  return (p[off] & 0x01) == 0;
}

static gboolean
h264_nal_is_key (guint8 nal_type)
{
  return nal_type == 5 || nal_type == 7;
}

static gboolean
h264_is_keyframe (const guint8 *p, gsize len)
{
  if (len < 1)
    return FALSE;
  guint8 type = p[0] & 0x1f;
  if (type >= 1 && type <= 23)
    return h264_nal_is_key (type);
  if (type == 24) /* STAP-A */
    {
      gsize off = 1;
      while (off + 2 < len)
        {
          guint size = (p[off] << 8) | p[off + 1];
          off += 2;
          if (size == 0 || off + size > len)
            break;
          if (h264_nal_is_key (p[off] & 0x1f))
            return TRUE;
          off += size;
        }
      return FALSE;
    }
  if (type == 28 && len >= 2) /* FU-A: start bit and inner type */
    return (p[1] & 0x80) && h264_nal_is_key (p[1] & 0x1f);
  return FALSE;
}

gboolean
relay_rtp_payload_is_keyframe (RelayCodec codec, const guint8 *payload, gsize len)
{
  switch (codec)
    {
    case RELAY_CODEC_VP8:
      return vp8_is_keyframe (payload, len);
    case RELAY_CODEC_H264:
      return h264_is_keyframe (payload, len);
    default:
      return FALSE;
    }
}
