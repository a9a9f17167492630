#include "webrtc/rtp/h264-sps.h"

/* An SPS is tens of bytes; one with scaling matrices a few hundred. What
 * lies past this is not needed to reach the picture size. */
#define MAX_SPS_BYTES 512
/* 16384 pixels each way: far past any camera, and keeps the arithmetic
 * below in range. */
#define MAX_MBS 1024

typedef struct {
  const guint8 *data;
  gsize len;   /* bytes */
  gsize pos;   /* bits read */
  gboolean overrun;
} BitReader;

static guint
read_bit (BitReader *r)
{
  if (r->pos >= r->len * 8)
    {
      r->overrun = TRUE;
      return 0;
    }
  guint bit = (r->data[r->pos / 8] >> (7 - r->pos % 8)) & 1;
  r->pos++;
  return bit;
}

static guint32
read_bits (BitReader *r, guint n)
{
  guint32 v = 0;
  for (guint i = 0; i < n; i++)
    v = (v << 1) | read_bit (r);
  return v;
}

/* ue(v), 9.1. Values needing more than 31 bits are refused: no field read
 * here may be that large. */
static guint32
read_ue (BitReader *r)
{
  guint zeros = 0;
  while (!r->overrun && read_bit (r) == 0)
    if (++zeros > 31)
      {
        r->overrun = TRUE;
        return 0;
      }
  if (zeros == 0)
    return 0;
  return (guint32) ((1ull << zeros) - 1 + read_bits (r, zeros));
}

static gint32
read_se (BitReader *r)
{
  guint32 k = read_ue (r);
  return (k & 1) ? (gint32) ((k + 1) / 2) : -(gint32) (k / 2);
}

/* scaling_list (7.3.2.1.1.1): only skipped, but its length depends on the
 * values. */
static void
skip_scaling_list (BitReader *r, guint size)
{
  gint last = 8, next = 8;
  for (guint j = 0; j < size && !r->overrun; j++)
    {
      if (next != 0)
        {
          gint32 delta = read_se (r);
          if (delta < -128 || delta > 127)
            {
              r->overrun = TRUE;
              return;
            }
          next = (last + delta + 256) % 256;
        }
      last = next == 0 ? last : next;
    }
}

static gboolean
profile_has_chroma_info (guint profile)
{
  switch (profile)
    {
    case 100: case 110: case 122: case 244: case 44: case 83: case 86:
    case 118: case 128: case 138: case 139: case 134: case 135:
      return TRUE;
    default:
      return FALSE;
    }
}

gboolean
relay_h264_sps_parse_size (const guint8 *nal, gsize len, guint *width, guint *height)
{
  if (len < 2 || (nal[0] & 0x1f) != 7)
    return FALSE;

  /* The RBSP: the payload without the header byte and without the
   * emulation prevention byte of each 00 00 03. */
  guint8 rbsp[MAX_SPS_BYTES];
  gsize n = 0;
  guint zeros = 0;
  for (gsize i = 1; i < len && n < sizeof rbsp; i++)
    {
      if (zeros >= 2 && nal[i] == 3)
        {
          zeros = 0;
          continue;
        }
      zeros = nal[i] == 0 ? zeros + 1 : 0;
      rbsp[n++] = nal[i];
    }

  BitReader r = { rbsp, n, 0, FALSE };
  guint profile = read_bits (&r, 8);
  read_bits (&r, 16); /* constraint flags, level */
  if (read_ue (&r) > 31) /* seq_parameter_set_id */
    return FALSE;
  guint chroma_format = 1, separate_planes = 0;
  if (profile_has_chroma_info (profile))
    {
      chroma_format = read_ue (&r);
      if (chroma_format > 3)
        return FALSE;
      if (chroma_format == 3)
        separate_planes = read_bit (&r);
      read_ue (&r); /* bit_depth_luma_minus8 */
      read_ue (&r); /* bit_depth_chroma_minus8 */
      read_bit (&r); /* qpprime_y_zero_transform_bypass_flag */
      if (read_bit (&r)) /* seq_scaling_matrix_present_flag */
        for (guint i = 0; i < (chroma_format != 3 ? 8u : 12u) && !r.overrun; i++)
          if (read_bit (&r))
            skip_scaling_list (&r, i < 6 ? 16 : 64);
    }
  read_ue (&r); /* log2_max_frame_num_minus4 */
  guint poc_type = read_ue (&r);
  if (poc_type == 0)
    read_ue (&r); /* log2_max_pic_order_cnt_lsb_minus4 */
  else if (poc_type == 1)
    {
      read_bit (&r); /* delta_pic_order_always_zero_flag */
      read_se (&r);  /* offset_for_non_ref_pic */
      read_se (&r);  /* offset_for_top_to_bottom_field */
      guint cycle = read_ue (&r);
      if (cycle > 255)
        return FALSE;
      for (guint i = 0; i < cycle && !r.overrun; i++)
        read_se (&r);
    }
  else if (poc_type != 2)
    return FALSE;
  read_ue (&r);  /* max_num_ref_frames */
  read_bit (&r); /* gaps_in_frame_num_value_allowed_flag */
  guint32 width_mbs = read_ue (&r) + 1;
  guint32 height_units = read_ue (&r) + 1;
  guint frame_mbs_only = read_bit (&r);
  if (!frame_mbs_only)
    read_bit (&r); /* mb_adaptive_frame_field_flag */
  read_bit (&r);   /* direct_8x8_inference_flag */
  guint32 crop_left = 0, crop_right = 0, crop_top = 0, crop_bottom = 0;
  if (read_bit (&r))
    {
      crop_left = read_ue (&r);
      crop_right = read_ue (&r);
      crop_top = read_ue (&r);
      crop_bottom = read_ue (&r);
    }
  if (r.overrun || width_mbs > MAX_MBS || height_units > MAX_MBS)
    return FALSE;

  /* 7.4.2.1.1: cropping is counted in chroma samples (and field pairs). */
  guint frame_factor = 2 - frame_mbs_only;
  guint crop_x = 1, crop_y = frame_factor;
  if (!separate_planes && chroma_format != 0)
    {
      crop_x = chroma_format == 3 ? 1 : 2;
      crop_y = (chroma_format == 1 ? 2 : 1) * frame_factor;
    }
  guint64 coded_w = (guint64) width_mbs * 16;
  guint64 coded_h = (guint64) height_units * 16 * frame_factor;
  guint64 cut_w = ((guint64) crop_left + crop_right) * crop_x;
  guint64 cut_h = ((guint64) crop_top + crop_bottom) * crop_y;
  if (cut_w >= coded_w || cut_h >= coded_h)
    return FALSE;
  *width = (guint) (coded_w - cut_w);
  *height = (guint) (coded_h - cut_h);
  return TRUE;
}
