#include "relay/recording/media-frame.h"

#include <string.h>

void
relay_media_frame_free (RelayMediaFrame *frame)
{
  if (!frame)
    return;
  g_clear_pointer (&frame->data, g_bytes_unref);
  g_clear_pointer (&frame->nals, g_ptr_array_unref);
  g_clear_pointer (&frame->sps, g_bytes_unref);
  g_clear_pointer (&frame->pps, g_bytes_unref);
  g_free (frame);
}

guint
relay_opus_packet_samples (const guint8 *data, gsize len)
{
  if (len < 1)
    return 0;
  guint config = data[0] >> 3;
  /* Frame sizes in units of 2.5 ms (120 samples): SILK 10/20/40/60 ms,
   * hybrid 10/20 ms, CELT 2.5/5/10/20 ms. */
  static const guint silk[] = { 4, 8, 16, 24 }, hybrid[] = { 4, 8 }, celt[] = { 1, 2, 4, 8 };
  guint units = config < 12 ? silk[config % 4] : config < 16 ? hybrid[config % 2] : celt[config % 4];
  guint frames;
  switch (data[0] & 3)
    {
    case 0:
      frames = 1;
      break;
    case 1:
    case 2:
      frames = 2;
      break;
    default:
      if (len < 2)
        return 0;
      frames = data[1] & 0x3f;
      break;
    }
  guint samples = units * 120 * frames;
  /* A packet holds at most 120 ms (RFC 6716 §3.2.5). */
  return samples <= 5760 ? samples : 0;
}

guint
relay_opus_packet_channels (const guint8 *data, gsize len)
{
  return len >= 1 && (data[0] & 0x04) ? 2 : 1;
}

gboolean
relay_vp8_keyframe_size (const guint8 *data, gsize len, guint *width, guint *height)
{
  /* 3-byte frame tag (bit 0 clear: key frame), start code 9d 01 2a, then
   * 14-bit width and height with 2-bit scales, little-endian. */
  if (len < 10 || (data[0] & 1) != 0 || data[3] != 0x9d || data[4] != 0x01 || data[5] != 0x2a)
    return FALSE;
  *width = (data[6] | (data[7] << 8)) & 0x3fff;
  *height = (data[8] | (data[9] << 8)) & 0x3fff;
  return *width > 0 && *height > 0;
}

/* Bits of an RBSP, most significant first; reading past the end sets
 * `overrun` and yields zeros, so a parse checks once at the end. */
typedef struct {
  const guint8 *data;
  gsize len, pos; /* pos in bits */
  gboolean overrun;
} Bits;

static guint
read_bit (Bits *b)
{
  if (b->pos >= b->len * 8)
    {
      b->overrun = TRUE;
      return 0;
    }
  guint bit = (b->data[b->pos / 8] >> (7 - b->pos % 8)) & 1;
  b->pos++;
  return bit;
}

static guint32
read_bits (Bits *b, guint n)
{
  guint32 v = 0;
  for (guint i = 0; i < n; i++)
    v = (v << 1) | read_bit (b);
  return v;
}

/* ue(v), §9.1; values beyond 32 bits are malformed. */
static guint32
read_ue (Bits *b)
{
  guint zeros = 0;
  while (read_bit (b) == 0)
    {
      if (b->overrun || ++zeros > 31)
        {
          b->overrun = TRUE;
          return 0;
        }
    }
  return (guint32) ((G_GUINT64_CONSTANT (1) << zeros) - 1 + read_bits (b, zeros));
}

static gint32
read_se (Bits *b)
{
  guint32 k = read_ue (b);
  return (k & 1) ? (gint32) ((k + 1) / 2) : -(gint32) (k / 2);
}

static void
skip_scaling_list (Bits *b, guint size)
{
  gint last = 8, next = 8;
  for (guint j = 0; j < size && !b->overrun; j++)
    {
      if (next != 0)
        {
          gint32 delta = read_se (b);
          if (delta < -128 || delta > 127)
            b->overrun = TRUE;
          next = (last + delta + 256) % 256;
        }
      last = next == 0 ? last : next;
    }
}

gboolean
relay_h264_parse_sps (const guint8 *nal, gsize len, RelayH264Sps *sps)
{
  if (len < 4 || (nal[0] & 0x1f) != 7 || len > 4096)
    return FALSE;
  /* The RBSP: the NAL without its header and emulation prevention bytes. */
  g_autofree guint8 *rbsp = g_malloc (len);
  gsize n = 0, zeros = 0;
  for (gsize i = 1; i < len; i++)
    {
      if (zeros >= 2 && nal[i] == 3)
        {
          zeros = 0;
          continue;
        }
      zeros = nal[i] == 0 ? zeros + 1 : 0;
      rbsp[n++] = nal[i];
    }
  Bits b = { rbsp, n, 0, FALSE };
  memset (sps, 0, sizeof *sps);
  sps->profile_idc = read_bits (&b, 8);
  sps->constraint_flags = read_bits (&b, 8);
  sps->level_idc = read_bits (&b, 8);
  if (read_ue (&b) > 31) /* seq_parameter_set_id */
    return FALSE;
  sps->chroma_format_idc = 1;
  sps->bit_depth_luma = sps->bit_depth_chroma = 8;
  gboolean separate_planes = FALSE;
  switch (sps->profile_idc)
    {
    case 100: case 110: case 122: case 244: case 44: case 83: case 86:
    case 118: case 128: case 138: case 139: case 134: case 135:
      sps->chroma_format_idc = read_ue (&b);
      if (sps->chroma_format_idc > 3)
        return FALSE;
      if (sps->chroma_format_idc == 3)
        separate_planes = read_bit (&b);
      sps->bit_depth_luma = read_ue (&b) + 8;
      sps->bit_depth_chroma = read_ue (&b) + 8;
      if (sps->bit_depth_luma > 14 || sps->bit_depth_chroma > 14)
        return FALSE;
      read_bit (&b); /* qpprime_y_zero_transform_bypass_flag */
      if (read_bit (&b)) /* seq_scaling_matrix_present_flag */
        for (guint i = 0; i < (sps->chroma_format_idc != 3 ? 8u : 12u) && !b.overrun; i++)
          if (read_bit (&b))
            skip_scaling_list (&b, i < 6 ? 16 : 64);
      break;
    default:
      break;
    }
  if (read_ue (&b) > 12) /* log2_max_frame_num_minus4 */
    return FALSE;
  guint32 poc_type = read_ue (&b);
  if (poc_type == 0)
    {
      if (read_ue (&b) > 12) /* log2_max_pic_order_cnt_lsb_minus4 */
        return FALSE;
    }
  else if (poc_type == 1)
    {
      read_bit (&b);
      read_se (&b);
      read_se (&b);
      guint32 cycle = read_ue (&b);
      if (cycle > 255)
        return FALSE;
      for (guint32 i = 0; i < cycle && !b.overrun; i++)
        read_se (&b);
    }
  else if (poc_type != 2)
    return FALSE;
  read_ue (&b); /* max_num_ref_frames */
  read_bit (&b); /* gaps_in_frame_num_value_allowed_flag */
  guint32 width_mbs = read_ue (&b) + 1;
  guint32 height_units = read_ue (&b) + 1;
  guint frame_mbs_only = read_bit (&b);
  if (!frame_mbs_only)
    read_bit (&b); /* mb_adaptive_frame_field_flag */
  read_bit (&b); /* direct_8x8_inference_flag */
  guint32 crop[4] = { 0, 0, 0, 0 }; /* left, right, top, bottom */
  if (read_bit (&b))
    for (guint i = 0; i < 4; i++)
      crop[i] = read_ue (&b);
  if (b.overrun || width_mbs > 1024 || height_units > 1024)
    return FALSE;
  /* Cropping units, Table 6-1 and (7-19)...(7-22). */
  guint sub_w = 1, sub_h = 1;
  if (!separate_planes && sps->chroma_format_idc == 1)
    sub_w = sub_h = 2;
  else if (!separate_planes && sps->chroma_format_idc == 2)
    sub_w = 2;
  guint64 unit_x = separate_planes || sps->chroma_format_idc == 0 ? 1 : sub_w;
  guint64 unit_y = (separate_planes || sps->chroma_format_idc == 0 ? 1 : sub_h) * (2 - frame_mbs_only);
  guint64 w = (guint64) width_mbs * 16, h = (guint64) height_units * 16 * (2 - frame_mbs_only);
  guint64 cw = unit_x * ((guint64) crop[0] + crop[1]), ch = unit_y * ((guint64) crop[2] + crop[3]);
  if (cw >= w || ch >= h)
    return FALSE;
  sps->width = (guint) (w - cw);
  sps->height = (guint) (h - ch);
  return TRUE;
}
