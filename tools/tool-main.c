/* Process helpers for the test tools; see tool-main.h. */
#include "tool-main.h"

#include <glib-unix.h>

#include "tool-http.h"

#define DELETE_TIMEOUT_S 5

int
tool_usage_error (const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s: %s\nTry '%s --help'.\n", g_get_prgname (), message,
      g_get_prgname ());
  return TOOL_EXIT_USAGE;
}

GUri *
tool_parse_http_url (const char *url, const char *option, GError **error)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, error);

  if (!uri)
    return NULL;
  if (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
      g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "%s must be http:// or https://, not '%s'", option, url);
    return NULL;
  }
  return g_steal_pointer (&uri);
}

/* --- the loop --- */

static gboolean
on_signal (gpointer data)
{
  ToolLoop *loop = data;

  /* A second signal while DELETEs are in flight means "stop waiting". */
  if (loop->quitting && loop->delete_cancellable)
    g_cancellable_cancel (loop->delete_cancellable);
  tool_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_duration (gpointer data)
{
  tool_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
tool_loop_init (ToolLoop *loop, int duration_s)
{
  loop->loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  if (duration_s > 0)
    g_timeout_add ((guint) duration_s * 1000, on_duration, loop);
}

void
tool_loop_quit (ToolLoop *loop)
{
  if (loop->quitting)
    return;
  loop->quitting = TRUE;
  g_main_loop_quit (loop->loop);
}

void
tool_loop_run (ToolLoop *loop)
{
  if (!loop->quitting)
    g_main_loop_run (loop->loop);
}

void
tool_loop_clear (ToolLoop *loop)
{
  g_clear_object (&loop->delete_cancellable);
  g_clear_pointer (&loop->loop, g_main_loop_unref);
}

/* --- DELETE on the way out --- */

static void
delete_done (GObject *source, GAsyncResult *result, gpointer data)
{
  ToolLoop *loop = data;

  tool_http_delete_finish (result);
  if (--loop->deletes_pending == 0)
    g_main_loop_quit (loop->loop);
}

static gboolean
on_delete_timeout (gpointer data)
{
  ToolLoop *loop = data;

  loop->delete_timer = 0;
  g_cancellable_cancel (loop->delete_cancellable);
  return G_SOURCE_REMOVE;
}

void
tool_loop_delete_sessions (ToolLoop *loop, GPtrArray *peers,
    ToolDeleteFunc start_delete)
{
  loop->delete_cancellable = g_cancellable_new ();
  for (guint i = 0; i < peers->len; i++)
    if (start_delete (g_ptr_array_index (peers, i),
            loop->delete_cancellable, delete_done, loop))
      loop->deletes_pending++;
  if (loop->deletes_pending == 0)
    return;
  /* Cancelled requests still complete, so this loop always ends. */
  loop->delete_timer = g_timeout_add_seconds (DELETE_TIMEOUT_S,
      on_delete_timeout, loop);
  g_main_loop_run (loop->loop);
  g_clear_handle_id (&loop->delete_timer, g_source_remove);
}
