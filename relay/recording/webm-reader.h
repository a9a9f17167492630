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
} RelayWebmScan;

gboolean relay_webm_scan_data (const guint8 *data, gsize len, RelayWebmScan *scan, GError **error);
gboolean relay_webm_scan_file (const char *path, RelayWebmScan *scan, GError **error);

G_END_DECLS
