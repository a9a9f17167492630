#include "webrtc/rtp/rtp-codec-info.h"

#include "webrtc/rtp/h264-sps.h"

/* Where the VP8 payload (the frame itself) starts after the RFC 7741
 * payload descriptor, or 0 when the packet is too short to say. */
static gsize
vp8_payload_offset (const guint8 *p, gsize len)
{
  if (len < 1)
    return 0;
  gsize off = 1;
  if (p[0] & 0x80)
    {
      if (len < 2)
        return 0;
      guint8 x = p[1];
      off = 2;
      if (x & 0x80) /* I: picture id, 7 or 15 bits */
        {
          if (len <= off)
            return 0;
          off += (p[off] & 0x80) ? 2 : 1;
        }
      if (x & 0x40) /* L: TL0PICIDX */
        off++;
      if (x & 0x30) /* T or K: TID/KEYIDX byte */
        off++;
    }
  return off < len ? off : 0;
}

static gboolean
vp8_is_keyframe (const guint8 *p, gsize len)
{
  if (len < 1)
    return FALSE;
  gboolean start = p[0] & 0x10;
  guint pid = p[0] & 0x07;
  if (!start || pid != 0)
    return FALSE;
  gsize off = vp8_payload_offset (p, len);
  if (off == 0)
    return FALSE;
  /* VP8 payload header: P bit 0 means keyframe. */
  return (p[off] & 0x01) == 0;
}

/* RFC 6386 9.1: a keyframe's 3-byte frame tag, the start code 9d 01 2a,
 * then width and height, 14 bits each (little-endian, the top two bits
 * being the scaling the decoder may apply; the frame is coded at this
 * size). */
static gboolean
vp8_frame_size (const guint8 *p, gsize len, guint *width, guint *height)
{
  if (!vp8_is_keyframe (p, len))
    return FALSE;
  gsize off = vp8_payload_offset (p, len);
  if (len - off < 10)
    return FALSE;
  const guint8 *f = p + off;
  if (f[3] != 0x9d || f[4] != 0x01 || f[5] != 0x2a)
    return FALSE;
  guint w = (f[6] | (f[7] << 8)) & 0x3fff, h = (f[8] | (f[9] << 8)) & 0x3fff;
  if (w == 0 || h == 0)
    return FALSE;
  *width = w;
  *height = h;
  return TRUE;
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

static gboolean
h264_frame_size (const guint8 *p, gsize len, guint *width, guint *height)
{
  if (len < 1)
    return FALSE;
  guint8 type = p[0] & 0x1f;
  if (type == 7)
    return relay_h264_sps_parse_size (p, len, width, height);
  if (type == 24) /* STAP-A */
    {
      gsize off = 1;
      while (off + 2 < len)
        {
          guint size = (p[off] << 8) | p[off + 1];
          off += 2;
          if (size == 0 || off + size > len)
            break;
          if ((p[off] & 0x1f) == 7)
            return relay_h264_sps_parse_size (p + off, size, width, height);
          off += size;
        }
    }
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

gboolean
relay_rtp_payload_get_frame_size (RelayCodec codec, const guint8 *payload, gsize len,
                                  guint *width, guint *height)
{
  switch (codec)
    {
    case RELAY_CODEC_VP8:
      return vp8_frame_size (payload, len, width, height);
    case RELAY_CODEC_H264:
      return h264_frame_size (payload, len, width, height);
    default:
      return FALSE;
    }
}
