#include "relay/recording/fmp4-sidx.h"

#include <string.h>

#include "relay/recording/write-util.h"

guint32
relay_fmp4_sidx_region_size (guint capacity)
{
  capacity = MIN (capacity, G_MAXUINT16);
  return RELAY_FMP4_SIDX_HEADER_SIZE + RELAY_FMP4_SIDX_ENTRY_SIZE * capacity;
}

guint
relay_fmp4_sidx_capacity (guint64 size)
{
  if (size < RELAY_FMP4_SIDX_HEADER_SIZE)
    return 0;
  return (guint) MIN ((size - RELAY_FMP4_SIDX_HEADER_SIZE) / RELAY_FMP4_SIDX_ENTRY_SIZE,
                      G_MAXUINT16);
}

void
relay_fmp4_sidx_put_empty (GByteArray *b, guint32 size)
{
  g_return_if_fail (size >= 8);
  guint at = box_open (b, "free");
  g_byte_array_set_size (b, at + size);
  memset (b->data + at + 8, 0, size - 8);
  set_u32 (b->data + at, size);
}

void
relay_fmp4_sidx_set_header (guint8 out[RELAY_FMP4_SIDX_HEADER_SIZE], guint32 region_size,
                            guint32 track_id, guint32 timescale, guint16 count)
{
  set_u32 (out, region_size);
  memcpy (out + 4, "sidx", 4);
  set_u32 (out + 8, 1u << 24); /* version 1, no flags */
  set_u32 (out + 12, track_id);
  set_u32 (out + 16, timescale);
  set_u64 (out + 20, 0);       /* earliest_presentation_time */
  set_u64 (out + 28, 0);       /* first_offset: the first moof follows the region */
  out[36] = out[37] = 0;       /* reserved */
  out[38] = count >> 8;
  out[39] = count & 0xff;
}

void
relay_fmp4_sidx_set_entry (guint8 out[RELAY_FMP4_SIDX_ENTRY_SIZE], guint32 size, guint32 duration,
                           gboolean keyframe)
{
  set_u32 (out, size & 0x7fffffffu); /* reference_type 0: media */
  set_u32 (out + 4, duration);
  /* starts_with_SAP, SAP_type 1 (a key frame, in decoding order first). */
  set_u32 (out + 8, keyframe ? 0x90000000u : 0);
}
