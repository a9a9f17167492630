#include "relay/recording/webm-reader.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "relay/recording/read-source.h"

#define ID_EBML 0x1A45DFA3
#define ID_SEGMENT 0x18538067
#define ID_INFO 0x1549A966
#define ID_TIMESTAMP_SCALE 0x2AD7B1
#define ID_DURATION 0x4489
#define ID_CLUSTER 0x1F43B675
#define ID_TIMESTAMP 0xE7
#define ID_SIMPLE_BLOCK 0xA3
#define ID_BLOCK_GROUP 0xA0
#define ID_BLOCK 0xA1
#define ID_BLOCK_DURATION 0x9B
#define ID_CUES 0x1C53BB6B
#define MAX_ELEMENT_READ (64u << 20)
#define MAX_TRACKS 16

/* An EBML variable-size integer at data[*pos..len): IDs keep their marker
 * bit, sizes lose it (and all ones means unknown). FALSE when it does not
 * fit or is invalid. */
static gboolean
read_vint (const guint8 *data, gsize len, gsize *pos, gboolean is_id, guint64 *value,
           gboolean *unknown)
{
  if (*pos >= len || data[*pos] == 0)
    return FALSE;
  guint8 first = data[*pos];
  guint n = 1;
  while (!(first & (0x80 >> (n - 1))))
    n++;
  if ((is_id && n > 4) || n > len - *pos)
    return FALSE;
  guint64 v = is_id ? first : (first & (0xff >> n));
  gboolean ones = v == (guint64) (0xff >> n);
  for (guint i = 1; i < n; i++)
    {
      v = (v << 8) | data[*pos + i];
      ones = ones && data[*pos + i] == 0xff;
    }
  *pos += n;
  *value = v;
  if (unknown)
    *unknown = !is_id && ones;
  return TRUE;
}

static guint64
read_uint (const guint8 *data, gsize len)
{
  guint64 v = 0;
  for (gsize i = 0; i < len && i < 8; i++)
    v = (v << 8) | data[i];
  return v;
}

typedef struct {
  guint64 timescale_ns;
  gint64 end;                   /* ticks: latest block end of complete clusters */
  gint64 last[MAX_TRACKS], interval[MAX_TRACKS];
} Scanner;

/* A Block or SimpleBlock's time; its end is estimated from the track's
 * previous interval unless a BlockDuration says. */
static gboolean
scan_block (Scanner *sc, const guint8 *data, gsize len, gint64 cluster_ts, gint64 duration,
            gint64 *end)
{
  gsize pos = 0;
  guint64 track;
  if (!read_vint (data, len, &pos, FALSE, &track, NULL) || len - pos < 3)
    return FALSE;
  gint16 rel = (gint16) ((data[pos] << 8) | data[pos + 1]);
  gint64 time = cluster_ts + rel;
  guint slot = (guint) (track % MAX_TRACKS);
  if (sc->last[slot] >= 0 && time > sc->last[slot])
    sc->interval[slot] = time - sc->last[slot];
  sc->last[slot] = time;
  *end = MAX (*end, time + (duration >= 0 ? duration : sc->interval[slot]));
  return TRUE;
}

static gboolean
scan_cluster (Scanner *sc, const guint8 *data, gsize len)
{
  gint64 cluster_ts = 0, end = 0;
  gsize pos = 0;
  while (pos < len)
    {
      guint64 id, size;
      gboolean unknown;
      if (!read_vint (data, len, &pos, TRUE, &id, NULL)
          || !read_vint (data, len, &pos, FALSE, &size, &unknown) || unknown || size > len - pos)
        return FALSE;
      const guint8 *body = data + pos;
      if (id == ID_TIMESTAMP)
        cluster_ts = (gint64) MIN (read_uint (body, (gsize) size), (guint64) G_MAXINT32);
      else if (id == ID_SIMPLE_BLOCK && !scan_block (sc, body, (gsize) size, cluster_ts, -1, &end))
        return FALSE;
      else if (id == ID_BLOCK_GROUP)
        {
          gsize gpos = 0, block_at = 0, block_len = 0;
          gint64 duration = -1;
          while (gpos < size)
            {
              guint64 gid, gsize_;
              gboolean gunknown;
              if (!read_vint (body, (gsize) size, &gpos, TRUE, &gid, NULL)
                  || !read_vint (body, (gsize) size, &gpos, FALSE, &gsize_, &gunknown) || gunknown
                  || gsize_ > size - gpos)
                return FALSE;
              if (gid == ID_BLOCK)
                {
                  block_at = gpos;
                  block_len = (gsize) gsize_;
                }
              else if (gid == ID_BLOCK_DURATION)
                duration = (gint64) MIN (read_uint (body + gpos, (gsize) gsize_), (guint64) G_MAXINT32);
              gpos += (gsize) gsize_;
            }
          if (block_len && !scan_block (sc, body + block_at, block_len, cluster_ts, duration, &end))
            return FALSE;
        }
      pos += (gsize) size;
    }
  sc->end = MAX (sc->end, end);
  return TRUE;
}

/* An element's header at `off`: FALSE when it is cut or invalid. */
static gboolean
read_header (const RelayReadSource *src, guint64 off, guint64 *id, guint64 *size, gboolean *unknown,
             guint64 *body, gsize *size_len)
{
  guint8 h[12];
  gsize have = (gsize) MIN ((guint64) sizeof h, src->size - MIN (off, src->size)), pos = 0;
  if (have < 2 || !relay_read_source_read (src, off, h, have))
    return FALSE;
  if (!read_vint (h, have, &pos, TRUE, id, NULL))
    return FALSE;
  gsize id_len = pos;
  if (!read_vint (h, have, &pos, FALSE, size, unknown))
    return FALSE;
  *body = off + pos;
  if (size_len)
    *size_len = pos - id_len;
  return TRUE;
}

static gboolean
scan_source (const RelayReadSource *src, RelayWebmScan *scan, GError **error)
{
  memset (scan, 0, sizeof *scan);
  Scanner sc = { .timescale_ns = 1000000 };
  for (guint i = 0; i < MAX_TRACKS; i++)
    sc.last[i] = -1;
  guint64 id, size, body;
  gboolean unknown;
  gsize size_len = 0;
  if (!read_header (src, 0, &id, &size, &unknown, &body, NULL) || id != ID_EBML || unknown
      || size > src->size - body
      || !read_header (src, body + size, &id, &size, &unknown, &body, &size_len) || id != ID_SEGMENT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a WebM file");
      return FALSE;
    }
  scan->segment_data_at = body;
  scan->segment_size_len = (guint8) size_len;
  scan->segment_size_at = body - size_len;
  guint64 end = src->size;
  if (!unknown && size <= src->size - body)
    end = body + size;
  scan->truncated = !unknown && size > src->size - body;
  gboolean sized = !unknown, cues = FALSE;
  guint64 pos = body;
  scan->complete_end = pos;
  while (pos < end)
    {
      if (!read_header (src, pos, &id, &size, &unknown, &body, NULL) || unknown || size > end - body)
        {
          scan->truncated = TRUE;
          break;
        }
      if (id == ID_INFO || id == ID_CLUSTER)
        {
          if (size > MAX_ELEMENT_READ)
            {
              scan->truncated = TRUE;
              break;
            }
          g_autofree guint8 *data = relay_read_source_dup (src, body, (gsize) size);
          if (!data)
            {
              scan->truncated = TRUE;
              break;
            }
          if (id == ID_CLUSTER)
            {
              if (!scan_cluster (&sc, data, (gsize) size))
                {
                  scan->truncated = TRUE;
                  break;
                }
              scan->clusters++;
            }
          else
            {
              gsize ipos = 0;
              while (ipos < size)
                {
                  guint64 iid, isize;
                  gboolean iunknown;
                  if (!read_vint (data, (gsize) size, &ipos, TRUE, &iid, NULL)
                      || !read_vint (data, (gsize) size, &ipos, FALSE, &isize, &iunknown)
                      || iunknown || isize > size - ipos)
                    break;
                  if (iid == ID_TIMESTAMP_SCALE)
                    sc.timescale_ns = read_uint (data + ipos, (gsize) isize);
                  else if (iid == ID_DURATION && (isize == 4 || isize == 8))
                    {
                      scan->duration_at = body + ipos;
                      scan->duration_size = (guint8) isize;
                    }
                  ipos += (gsize) isize;
                }
              if (sc.timescale_ns == 0 || sc.timescale_ns > G_GUINT64_CONSTANT (1000000000))
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad TimestampScale");
                  return FALSE;
                }
            }
        }
      else if (id == ID_CUES)
        cues = TRUE;
      pos = body + size;
      scan->complete_end = pos;
    }
  scan->timescale_ns = sc.timescale_ns;
  scan->finished = sized && cues && !scan->truncated;
  scan->duration_us = (gint64) ((double) sc.end * (double) sc.timescale_ns / 1000.0);
  return TRUE;
}

gboolean
relay_webm_scan_data (const guint8 *data, gsize len, RelayWebmScan *scan, GError **error)
{
  RelayReadSource src = { -1, data, len };
  return scan_source (&src, scan, error);
}

gboolean
relay_webm_scan_file (const char *path, RelayWebmScan *scan, GError **error)
{
  RelayReadSource src = { g_open (path, O_RDONLY | O_CLOEXEC, 0), NULL, 0 };
  GStatBuf st;
  if (src.fd < 0 || fstat (src.fd, &st) != 0)
    {
      int err = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err), "cannot read %s: %s", path,
                   g_strerror (err));
      if (src.fd >= 0)
        close (src.fd);
      return FALSE;
    }
  src.size = (guint64) st.st_size;
  GError *e = NULL;
  gboolean ok = scan_source (&src, scan, &e);
  close (src.fd);
  if (!ok)
    g_propagate_prefixed_error (error, e, "%s: ", path);
  return ok;
}

gboolean
relay_webm_repair (const char *path, gint64 *duration_us, GError **error)
{
  RelayReadSource src = { g_open (path, O_RDWR | O_CLOEXEC, 0), NULL, 0 };
  GStatBuf st;
  if (src.fd < 0 || fstat (src.fd, &st) != 0)
    {
      int err = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err), "cannot open %s: %s", path,
                   g_strerror (err));
      if (src.fd >= 0)
        close (src.fd);
      return FALSE;
    }
  src.size = (guint64) st.st_size;
  RelayWebmScan scan;
  GError *e = NULL;
  gboolean ok = scan_source (&src, &scan, &e);
  if (!ok)
    g_propagate_prefixed_error (error, e, "%s: ", path);
  else if (!scan.finished)
    {
      /* Duration counts TimestampScale units, as a float. */
      double ticks = (double) scan.duration_us * 1000.0 / (double) scan.timescale_ns;
      guint8 value[8];
      if (scan.duration_size == 8)
        {
          guint64 bits;
          memcpy (&bits, &ticks, 8);
          for (guint i = 0; i < 8; i++)
            value[i] = (guint8) (bits >> (56 - 8 * i));
        }
      else
        {
          float f = (float) ticks;
          guint32 bits;
          memcpy (&bits, &f, 4);
          for (guint i = 0; i < 4; i++)
            value[i] = (guint8) (bits >> (24 - 8 * i));
        }
      if (scan.duration_at && pwrite (src.fd, value, scan.duration_size, (off_t) scan.duration_at)
                                != (ssize_t) scan.duration_size)
        ok = FALSE;
      /* The Segment's size: what remains, or unknown if it does not fit. */
      guint8 field[8];
      guint n = scan.segment_size_len;
      guint64 remaining = scan.complete_end - scan.segment_data_at;
      guint64 max = (G_GUINT64_CONSTANT (1) << (7 * n)) - 1;
      guint64 v = (remaining < max ? remaining : max) | (G_GUINT64_CONSTANT (1) << (7 * n));
      for (guint i = 0; i < n; i++)
        field[i] = (guint8) (v >> (8 * (n - 1 - i)));
      if (ok && pwrite (src.fd, field, n, (off_t) scan.segment_size_at) != (ssize_t) n)
        ok = FALSE;
      if (ok && scan.complete_end < src.size && ftruncate (src.fd, (off_t) scan.complete_end) != 0)
        ok = FALSE;
      if (!ok)
        {
          int err = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err), "cannot repair %s: %s",
                       path, g_strerror (err));
        }
    }
  if (ok && duration_us)
    *duration_us = scan.duration_us;
  if (close (src.fd) != 0 && ok)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot close %s", path);
      ok = FALSE;
    }
  return ok;
}
