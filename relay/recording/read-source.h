/* Internal to the recording readers: bytes at an offset of either a file
 * (pread, so that a large recording is never read whole) or a buffer in
 * memory (for fuzzing). Every read is bounds-checked: the input is hostile. */
#pragma once

#include <errno.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>

G_BEGIN_DECLS

typedef struct {
  int fd;               /* -1: read from data */
  const guint8 *data;
  guint64 size;
} RelayReadSource;

/* Reads exactly `len` bytes at `offset`; FALSE past the end or on error. */
static inline gboolean
relay_read_source_read (const RelayReadSource *src, guint64 offset, void *buf, gsize len)
{
  if (offset > src->size || len > src->size - offset)
    return FALSE;
  if (src->fd < 0)
    {
      memcpy (buf, src->data + offset, len);
      return TRUE;
    }
  guint8 *p = buf;
  while (len > 0)
    {
      ssize_t n = pread (src->fd, p, len, (off_t) offset);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      len -= (gsize) n;
      offset += (guint64) n;
    }
  return TRUE;
}

/* A copy of `len` bytes at `offset` (NULL past the end); caller frees. */
static inline guint8 *
relay_read_source_dup (const RelayReadSource *src, guint64 offset, gsize len)
{
  if (offset > src->size || len > src->size - offset)
    return NULL;
  guint8 *buf = g_malloc (len ? len : 1);
  if (!relay_read_source_read (src, offset, buf, len))
    {
      g_free (buf);
      return NULL;
    }
  return buf;
}

G_END_DECLS
