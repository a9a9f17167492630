/* The --reference-ivf frame table: SHA-256 digests of every frame of a VP8
 * IVF file, against which received frames are checked byte for byte, each
 * with the frame's index in the file, which is the number whip-publish
 * --log-keyframes reports for the same frame. */
#include "whep-view.h"

#include <string.h>

char *
whep_buffer_digest (GstBuffer *buffer)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  GstMapInfo map;

  /* Depayloaders may hand out a frame in several memories; mapping the
   * buffer merges them so the digest covers the frame as one string. */
  if (gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    g_checksum_update (sum, map.data, map.size);
    gst_buffer_unmap (buffer, &map);
  }
  return g_strdup (g_checksum_get_string (sum));
}

/* Little-endian fields at any alignment (IVF frame headers are not
 * aligned; GST_READ_UINT32_LE may load them as one word). */
static guint32
read_le32 (const char *p)
{
  const guint8 *b = (const guint8 *) p;

  return b[0] | (b[1] << 8) | (b[2] << 16) | ((guint32) b[3] << 24);
}

/* IVF is small enough to parse by hand (a 32-byte file header, then per
 * frame a 12-byte header: 32-bit size, 64-bit timestamp), which avoids a
 * reader pipeline and keeps the bytes exactly as the encoder wrote them. */
GHashTable *
whep_reference_load (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  g_autoptr (GHashTable) table = NULL;
  gsize len = 0, off;
  guint index = 0;
  guint16 header_len;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  if (len < 32 || memcmp (data, "DKIF", 4) != 0) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s: not an IVF file", path);
    return NULL;
  }
  if (memcmp (data + 8, "VP80", 4) != 0) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s: not VP8 (fourcc %.4s)", path, data + 8);
    return NULL;
  }
  header_len = (guint8) data[6] | ((guint8) data[7] << 8);
  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (off = header_len; off + 12 <= len; index++) {
    guint32 size = read_le32 (data + off);
    g_autoptr (GChecksum) sum = NULL;

    off += 12;
    if (size > len - off) {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
          "%s: truncated frame at byte %" G_GSIZE_FORMAT, path, off - 12);
      return NULL;
    }
    sum = g_checksum_new (G_CHECKSUM_SHA256);
    g_checksum_update (sum, (const guchar *) data + off, size);
    /* Identical frames (a static scene encoded twice the same way) cannot
     * be told apart on receipt; the first keeps the digest, so a match
     * names the earliest such frame.  Our test media has none. */
    if (!g_hash_table_contains (table, g_checksum_get_string (sum)))
      g_hash_table_insert (table, g_strdup (g_checksum_get_string (sum)),
          GUINT_TO_POINTER (index));
    off += size;
  }
  if (g_hash_table_size (table) == 0) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s: no frames", path);
    return NULL;
  }
  return g_steal_pointer (&table);
}

gboolean
whep_reference_lookup (GHashTable *reference, const char *digest,
    guint *index)
{
  gpointer value;

  /* Index 0 is stored as NULL, so a plain lookup cannot tell it from a
   * miss. */
  if (!g_hash_table_lookup_extended (reference, digest, NULL, &value))
    return FALSE;
  *index = GPOINTER_TO_UINT (value);
  return TRUE;
}
