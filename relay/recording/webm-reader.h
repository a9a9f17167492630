/* Scans a WebM (Matroska) file for what the recordings need to know of it:
 * the media duration of a file cut short by a crash (the end of the last
 * block of its last complete Cluster), how many clusters are complete,
 * and whether it was finished (Segment size known, Cues written).
 *
 * The input is treated as hostile: every element size is checked against
 * the bytes there are; malformed input gives a GError
 * (G_IO_ERROR_INVALID_DATA) or stops the scan at the last complete
 * cluster, never a crash. Clusters of unknown size (which our writer
 * never makes) end the scan. Plain functions, any thread; files are read
 * with pread, a cluster at a time. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 duration_us;  /* end of the last complete cluster's last block */
  guint clusters;      /* complete clusters */
  gboolean truncated;  /* bytes after them that are no complete element */
  gboolean finished;   /* the Segment has a size and Cues */
  guint64 complete_end;/* end of the last complete element (file size when whole) */
  guint64 timescale_ns;
  guint64 duration_at; /* where Info's Duration value lies (0: none) */
  guint8 duration_size;/* 4 or 8 (a float) */
  guint64 segment_size_at, segment_data_at; /* the Segment's size field and data */
  guint8 segment_size_len;
} RelayWebmScan;

gboolean relay_webm_scan_data (const guint8 *data, gsize len, RelayWebmScan *scan, GError **error);
gboolean relay_webm_scan_file (const char *path, RelayWebmScan *scan, GError **error);

/* Makes an unfinished file clean after a crash: drops the bytes after its
 * last complete cluster, sets the Segment's size to what remains and
 * Duration to what it holds (no Cues: it still plays and seeks, more
 * slowly). A finished file is left alone. On a
 * file no writer has open. duration_us (may be NULL): the result. */
gboolean relay_webm_repair (const char *path, gint64 *duration_us, GError **error);

G_END_DECLS
