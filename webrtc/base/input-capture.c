/* Appends the relay's inputs to BRIEFING_CAPTURE_DIR (see the header). */
#include "webrtc/base/input-capture.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_SESSION_BYTES (1024 * 1024)

static const char *capture_dir;
static GMutex lock;
static guint item_counter;
static GHashTable *session_bytes; /* file path -> bytes written so far */

static gpointer
read_environment (gpointer data)
{
  (void) data;
  const char *dir = g_getenv ("BRIEFING_CAPTURE_DIR");
  if (dir && *dir)
    {
      capture_dir = g_strdup (dir);
      session_bytes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }
  return NULL;
}

gboolean
relay_input_capture_enabled (void)
{
  static GOnce once = G_ONCE_INIT;
  g_once (&once, read_environment, NULL);
  return capture_dir != NULL;
}

/* Under `lock`. */
static FILE *
open_in (const char *kind, const char *name, const char *mode, char **path_out)
{
  g_autofree char *sub = g_build_filename (capture_dir, kind, NULL);
  g_mkdir_with_parents (sub, 0700);
  char *path = g_build_filename (sub, name, NULL);
  FILE *f = fopen (path, mode);
  if (path_out)
    *path_out = path;
  else
    g_free (path);
  return f;
}

void
relay_input_capture_item (const char *kind, const void *data, gsize len)
{
  if (!relay_input_capture_enabled ())
    return;
  g_mutex_lock (&lock);
  g_autofree char *name = g_strdup_printf ("%d-%04u", (int) getpid (), item_counter++);
  FILE *f = open_in (kind, name, "wb", NULL);
  if (f)
    {
      fwrite (data, 1, len, f);
      fclose (f);
    }
  g_mutex_unlock (&lock);
}

void
relay_input_capture_file (const char *kind, const char *path)
{
  char *contents;
  gsize len;
  if (!relay_input_capture_enabled () || !path || !g_file_get_contents (path, &contents, &len, NULL))
    return;
  relay_input_capture_item (kind, contents, len);
  g_free (contents);
}

void
relay_input_capture_packet (const char *kind, const char *session, gboolean received,
                            const void *data, gsize len)
{
  if (!relay_input_capture_enabled ())
    return;
  /* A session id may hold '/' or '>': keep the name one plain word. */
  g_autofree char *name = g_strdup_printf ("%d-%s", (int) getpid (), session ? session : "-");
  for (char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      *p = '_';
  g_mutex_lock (&lock);
  g_autofree char *path = NULL;
  FILE *f = NULL;
  g_autofree char *probe = g_build_filename (capture_dir, kind, name, NULL);
  gsize written = GPOINTER_TO_SIZE (g_hash_table_lookup (session_bytes, probe));
  if (written + len + 5 <= MAX_SESSION_BYTES)
    f = open_in (kind, name, "ab", &path);
  if (f)
    {
      guint8 head[5] = { received ? '<' : '>', (guint8) (len >> 24), (guint8) (len >> 16),
                         (guint8) (len >> 8), (guint8) len };
      fwrite (head, 1, sizeof head, f);
      fwrite (data, 1, len, f);
      fclose (f);
      g_hash_table_insert (session_bytes, g_steal_pointer (&path),
                           GSIZE_TO_POINTER (written + len + 5));
    }
  g_mutex_unlock (&lock);
}
