#include "relay/data-dir-lock.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

struct RelayDataDirLock
{
  int fd;
};

/* The pid the holder wrote, for the refusal's message; 0 when unreadable
 * (a holder between its flock and its write). */
static long
holder_pid (const char *path)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  return strtol (text, NULL, 10);
}

RelayDataDirLock *
relay_data_dir_lock_take (const char *data_dir, GError **error)
{
  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", data_dir,
                   g_strerror (saved));
      return NULL;
    }
  g_autofree char *path = g_build_filename (data_dir, RELAY_DATA_DIR_LOCK_FILE, NULL);
  /* CLOEXEC: a helper the relay starts must not keep the lock after the
   * relay is gone. */
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
      return NULL;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;
      close (fd);
      if (saved == EWOULDBLOCK)
        {
          long pid = holder_pid (path);
          if (pid > 0)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                         "%s is in use by another briefing-relay process (pid %ld)", data_dir, pid);
          else
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                         "%s is in use by another briefing-relay process", data_dir);
        }
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                     g_strerror (saved));
      return NULL;
    }
  char pid[32];
  int n = snprintf (pid, sizeof pid, "%ld\n", (long) getpid ());
  /* The pid is only for messages: a failed write leaves the lock valid. */
  if (ftruncate (fd, 0) != 0 || pwrite (fd, pid, (size_t) n, 0) != n)
    g_debug ("%s: could not write the pid: %s", path, g_strerror (errno));
  RelayDataDirLock *lock = g_new0 (RelayDataDirLock, 1);
  lock->fd = fd;
  return lock;
}

void
relay_data_dir_lock_free (RelayDataDirLock *lock)
{
  if (!lock)
    return;
  close (lock->fd); /* releases the flock */
  g_free (lock);
}
