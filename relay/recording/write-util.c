#include "relay/recording/write-util.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static void
set_errno_error (GError **error, int err, const char *what, const char *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err), "cannot %s %s: %s", what, path,
               g_strerror (err));
}

int
relay_rec_open (const char *path, GError **error)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    set_errno_error (error, errno, "create", path);
  return fd;
}

gboolean
relay_rec_pwrite (int fd, const void *data, gsize len, guint64 offset, const char *path,
                  GError **error)
{
  const guint8 *p = data;
  while (len > 0)
    {
      ssize_t n = pwrite (fd, p, len, (off_t) offset);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          /* A zero-byte write on a regular file means no room left. */
          set_errno_error (error, n < 0 ? errno : ENOSPC, "write", path);
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
      offset += (guint64) n;
    }
  return TRUE;
}
