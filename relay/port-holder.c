#include "relay/port-holder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TCP_LISTEN in the kernel's numbering, as /proc/net/tcp writes it. */
#define TCP_STATE_LISTEN 0x0A

/* Adds the inodes of the sockets listening on `port` listed in one
 * /proc/net/tcp-style table (first line: the column names). */
static void
add_listening_inodes (const char *table_path, guint port, GHashTable *inodes)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents (table_path, &text, NULL, NULL))
    return;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i]; i++)
    {
      /* sl local(addr:port) remote state tx:rx tr:when retrnsmt uid timeout inode */
      unsigned int local_port = 0, state = 0;
      unsigned long inode = 0;
      if (sscanf (lines[i], "%*s %*[0-9A-Fa-f]:%x %*s %x %*s %*s %*s %*s %*s %lu", &local_port,
                  &state, &inode)
          != 3)
        continue;
      if (local_port == port && state == TCP_STATE_LISTEN && inode != 0)
        g_hash_table_add (inodes, g_strdup_printf ("socket:[%lu]", inode));
    }
}

/* Whether one of pid's open files is one of the sockets. Another user's
 * fd directory cannot be read (unless we are root): FALSE. */
static gboolean
holds_one_of (const char *proc_root, const char *pid, GHashTable *sockets)
{
  g_autofree char *fd_dir = g_build_filename (proc_root, pid, "fd", NULL);
  g_autoptr (GDir) dir = g_dir_open (fd_dir, 0, NULL);
  if (!dir)
    return FALSE;
  const char *fd;
  while ((fd = g_dir_read_name (dir)))
    {
      g_autofree char *link = g_build_filename (fd_dir, fd, NULL);
      g_autofree char *target = g_file_read_link (link, NULL);
      if (target && g_hash_table_contains (sockets, target))
        return TRUE;
    }
  return FALSE;
}

/* /proc/<pid>/cmdline with its NUL separators as spaces; the short name
 * in /proc/<pid>/comm when that is empty (a kernel thread, a zombie). */
static char *
command_line_of (const char *proc_root, const char *pid)
{
  g_autofree char *path = g_build_filename (proc_root, pid, "cmdline", NULL);
  g_autofree char *raw = NULL;
  gsize len = 0;
  if (g_file_get_contents (path, &raw, &len, NULL) && len > 0)
    {
      for (gsize i = 0; i < len; i++)
        if (raw[i] == '\0')
          raw[i] = ' ';
      return g_strstrip (g_steal_pointer (&raw));
    }
  g_autofree char *comm_path = g_build_filename (proc_root, pid, "comm", NULL);
  g_autofree char *comm = NULL;
  if (g_file_get_contents (comm_path, &comm, NULL, NULL))
    return g_strstrip (g_steal_pointer (&comm));
  return g_strdup ("?");
}

static gboolean
is_pid (const char *name)
{
  if (!*name)
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  return TRUE;
}

gboolean
relay_port_holder_find_in (const char *proc_root, guint port, int *pid, char **command_line)
{
  g_autoptr (GHashTable) sockets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *tcp = g_build_filename (proc_root, "net", "tcp", NULL);
  g_autofree char *tcp6 = g_build_filename (proc_root, "net", "tcp6", NULL);
  add_listening_inodes (tcp, port, sockets);
  add_listening_inodes (tcp6, port, sockets);
  if (g_hash_table_size (sockets) == 0)
    return FALSE;

  g_autoptr (GDir) dir = g_dir_open (proc_root, 0, NULL);
  if (!dir)
    return FALSE;
  /* A socket shared by a parent and its children: the lowest pid, most
   * often the one that opened it. */
  long found = -1;
  const char *name;
  while ((name = g_dir_read_name (dir)))
    {
      if (!is_pid (name))
        continue;
      long candidate = strtol (name, NULL, 10);
      if ((found < 0 || candidate < found) && holds_one_of (proc_root, name, sockets))
        found = candidate;
    }
  if (found < 0)
    return FALSE;
  g_autofree char *found_name = g_strdup_printf ("%ld", found);
  if (pid)
    *pid = (int) found;
  if (command_line)
    *command_line = command_line_of (proc_root, found_name);
  return TRUE;
}

gboolean
relay_port_holder_find (guint port, int *pid, char **command_line)
{
  return relay_port_holder_find_in ("/proc", port, pid, command_line);
}
