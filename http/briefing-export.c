#include "http/briefing-export.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "webrtc/base/random-id.h"
#include "relay/recording/briefing-recorder.h"
#include "relay/recording/fmp4-reader.h"
#include "http/file-response.h"
#include "http/http-util.h"

#define MAX_EXPORTS 2
#define MAX_DURATION_S (4 * 3600)

static guint running;

typedef struct {
  SoupServerMessage *msg; /* a reference */
  GArray *segments;       /* RelayFmp4Segment, paths owned by `paths` */
  GPtrArray *paths;
  gint64 start_us, duration_us;
  char *out_path;
  char *download_name;
} Export;

static void
export_free (Export *e)
{
  g_object_unref (e->msg);
  g_array_unref (e->segments);
  g_ptr_array_unref (e->paths);
  if (e->out_path)
    g_unlink (e->out_path);
  g_free (e->out_path);
  g_free (e->download_name);
  g_free (e);
}

static void
run (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Export *e = data;
  GError *error = NULL;
  if (relay_fmp4_export ((const RelayFmp4Segment *) e->segments->data, e->segments->len,
                         e->start_us, e->duration_us, e->out_path, NULL, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
done (GObject *source, GAsyncResult *result, gpointer data)
{
  Export *e = data;
  running--;
  g_autoptr (GError) error = NULL;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        relay_http_error (e->msg, 416, "range-not-satisfiable", error->message);
      else
        relay_http_error (e->msg, 503, "export-failed", error->message);
    }
  else if (!relay_http_serve_file (e->msg, e->out_path, "video/mp4", "no-store",
                                   e->download_name))
    relay_http_error (e->msg, 503, "export-failed", "the exported file could not be read");
  soup_server_message_unpause (e->msg);
  export_free (e);
}

/* Seconds, decimals allowed; FALSE for anything else. */
static gboolean
parse_seconds (const char *text, double max, gint64 *us)
{
  if (!text || !*text)
    return FALSE;
  char *end;
  double v = g_ascii_strtod (text, &end);
  if (*end || !isfinite (v) || v < 0 || v > max)
    return FALSE;
  *us = (gint64) (v * G_USEC_PER_SEC);
  return TRUE;
}

void
relay_briefing_export (RelayApp *app, SoupServerMessage *msg, RelayBriefing *b, GHashTable *query)
{
  gint64 start_us, duration_us;
  if (!parse_seconds (query ? g_hash_table_lookup (query, "start") : NULL, 1e7, &start_us)
      || !parse_seconds (query ? g_hash_table_lookup (query, "duration") : NULL, MAX_DURATION_S,
                         &duration_us)
      || duration_us <= 0)
    {
      relay_http_error (msg, 400, "bad-request",
                        "start (s, >= 0) and duration (s, 0 < duration <= 14400) are required");
      return;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = relay_briefing_recorder_list (app->recorder, b->id, &error);
  if (!rows)
    {
      relay_http_error (msg, 503, "storage-failed", error->message);
      return;
    }
  Export *e = g_new0 (Export, 1);
  e->segments = g_array_new (FALSE, TRUE, sizeof (RelayFmp4Segment));
  e->paths = g_ptr_array_new_with_free_func (g_free);
  gint64 zero = 0;
  /* The list is by kind, then start: the program's files in order. */
  for (guint i = 0; i < rows->len; i++)
    {
      RelayRecordingRow *r = rows->pdata[i];
      if (strcmp (r->kind, "program") != 0 || strcmp (r->container, "mp4") != 0
          || r->duration_ms <= 0)
        continue;
      if (!zero)
        zero = r->started_ms;
      char *path = relay_briefing_recorder_path (app->recorder, r);
      g_ptr_array_add (e->paths, path);
      RelayFmp4Segment s = { path, (r->started_ms - zero) * 1000 };
      g_array_append_val (e->segments, s);
    }
  e->msg = g_object_ref (msg);
  if (e->segments->len == 0)
    {
      relay_http_error (msg, 404, "not-found", "the briefing has no MP4 program recording");
      export_free (e);
      return;
    }
  if (running >= MAX_EXPORTS)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "10");
      relay_http_error (msg, 503, "busy", "two exports are already running: try again shortly");
      export_free (e);
      return;
    }
  g_autofree char *tmp = g_build_filename (app->config->data_dir, "tmp", NULL);
  g_mkdir_with_parents (tmp, 0700);
  g_autofree char *name = relay_random_hex (8);
  e->out_path = g_strdup_printf ("%s/export-%s.mp4", tmp, name);
  e->start_us = start_us;
  e->duration_us = duration_us;
  e->download_name = g_strdup_printf ("briefing-%" G_GINT64_FORMAT "-%s-%" G_GINT64_FORMAT
                                      "s.mp4",
                                      b->id, b->date, start_us / G_USEC_PER_SEC);
  running++;
  soup_server_message_pause (msg);
  g_autoptr (GTask) task = g_task_new (NULL, NULL, done, e);
  g_task_set_task_data (task, e, NULL);
  g_task_run_in_thread (task, run);
}
