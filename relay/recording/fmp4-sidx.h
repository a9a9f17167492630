/* The segment index ('sidx', ISO/IEC 14496-12 §8.16.3) that a recording's
 * MP4 file carries right after its moov, so that a player can seek in it
 * without first reading every fragment's header. Chromium plays these files
 * through FFmpeg's demuxer, which, without an index, reads every moof of a
 * file before its first frame (about 900 HTTP range requests for a 15-min
 * segment: seconds to open, and to seek into another segment); with an
 * index that reaches the file's end it reads one fragment and jumps.
 *
 * The index lives in a region reserved when the file starts, sized for the
 * fragments the file is expected to hold. Until the first fragment the
 * region is a 'free' box; then a 'sidx' box of the region's whole size
 * whose reference_count says how many of its entries are valid (readers
 * skip a box's bytes past what they parse). A fragment's entry is written
 * before the count that includes it, each with one write, so that what is
 * on disk, after a crash too, is an index of whole fragments only. A file
 * with more fragments than the region holds keeps an index of its first
 * ones (players then read the rest as without one).
 *
 * Threads: plain functions, any thread; callers own the buffers. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A version-1 sidx up to and including its reference_count. */
#define RELAY_FMP4_SIDX_HEADER_SIZE 40
#define RELAY_FMP4_SIDX_ENTRY_SIZE 12

/* The region that lists `capacity` fragments (at most 65535). */
guint32 relay_fmp4_sidx_region_size (guint capacity);

/* How many fragments a region of `size` bytes lists. */
guint relay_fmp4_sidx_capacity (guint64 size);

/* Appends the region before its first fragment: a 'free' box of `size`. */
void relay_fmp4_sidx_put_empty (GByteArray *b, guint32 size);

/* The region's header listing `count` entries of the track `track_id`
 * (times in `timescale`, the first at 0, the first fragment right after
 * the region). */
void relay_fmp4_sidx_set_header (guint8 out[RELAY_FMP4_SIDX_HEADER_SIZE], guint32 region_size,
                                 guint32 track_id, guint32 timescale, guint16 count);

/* One fragment's entry: its bytes (moof through mdat), its duration in the
 * index's timescale, whether it starts with a key frame. */
void relay_fmp4_sidx_set_entry (guint8 out[RELAY_FMP4_SIDX_ENTRY_SIZE], guint32 size,
                                guint32 duration, gboolean keyframe);

G_END_DECLS
