#include "http/briefing-media.h"

#include <string.h>

#include "relay/briefing/briefing-json.h"
#include "relay/briefing/briefing-service.h"
#include "relay/recording/briefing-recorder.h"
#include "relay/figures/figures-summary.h"
#include "http/briefing-detail.h"
#include "http/briefing-export.h"
#include "http/file-response.h"
#include "http/http-auth.h"
#include "http/http-util.h"
#include "http/media-link.h"

#define VIEWERS_ONLY "the briefing's recording and report are for the chair, the minister and viewers"

/* Who may have it: "all" (a viewer role) or an office code. */
typedef struct {
  char scope[40];
} Access;

static gboolean
authorize (RelayApp *app, SoupServerMessage *msg, const char *path, GHashTable *query,
           Access *access)
{
  const char *scope = NULL;
  switch (relay_media_links_verify (app->media_links, path, query, &scope))
    {
    case RELAY_MEDIA_LINK_VALID:
      g_strlcpy (access->scope, scope, sizeof access->scope);
      return TRUE;
    case RELAY_MEDIA_LINK_EXPIRED:
      relay_http_error (msg, 401, "link-expired", "the link has expired: fetch the briefing again");
      return FALSE;
    case RELAY_MEDIA_LINK_INVALID:
      relay_http_error (msg, 401, "unauthorized", "the link is not valid");
      return FALSE;
    case RELAY_MEDIA_LINK_ABSENT:
    default:
      break;
    }
  RelayCaller caller;
  if (!relay_http_identify (msg, app->config, &caller))
    return FALSE;
  g_strlcpy (access->scope, caller.viewer ? "all" : caller.office->code, sizeof access->scope);
  return TRUE;
}

static gboolean
viewers_only (SoupServerMessage *msg, const Access *access)
{
  if (strcmp (access->scope, "all") == 0)
    return TRUE;
  relay_http_error (msg, 403, "forbidden", VIEWERS_ONLY);
  return FALSE;
}

static RelayBriefing *
load (RelayApp *app, SoupServerMessage *msg, gint64 id)
{
  g_autoptr (GError) error = NULL;
  RelayBriefing *b = relay_briefing_service_load (app->briefings, id, &error);
  if (!b)
    {
      if (error)
        relay_http_error (msg, 503, "storage-failed", error->message);
      else
        relay_http_error (msg, 404, "not-found", "no such briefing");
    }
  return b;
}

/* ---- files ------------------------------------------------------------------ */

static void
serve_recording (RelayApp *app, SoupServerMessage *msg, gint64 briefing_id, const char *name,
                 const Access *access, GHashTable *query)
{
  char *end = NULL;
  gint64 id = g_ascii_strtoll (name, &end, 10);
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayRecordingRow) row = NULL;
  if (g_ascii_isdigit (*name) && id > 0 && end && *end == '.')
    row = relay_briefing_recorder_get (app->recorder, id, &error);
  if (error)
    {
      relay_http_error (msg, 503, "storage-failed", error->message);
      return;
    }
  if (!row || row->briefing_id != briefing_id || strcmp (end + 1, row->container) != 0)
    {
      relay_http_error (msg, 404, "not-found", "no such recording in this briefing");
      return;
    }
  gboolean mine = g_strcmp0 (row->kind, "office") == 0
                  && g_strcmp0 (row->office, access->scope) == 0;
  if (strcmp (access->scope, "all") != 0 && !mine)
    {
      relay_http_error (msg, 403, "forbidden", "an office may have only its own turns");
      return;
    }
  g_autofree char *file = relay_briefing_recorder_path (app->recorder, row);
  g_autofree char *download = NULL;
  if (query && g_hash_table_contains (query, "download"))
    download = g_strdup_printf ("briefing-%" G_GINT64_FORMAT "-%s%s%s-%u.%s", briefing_id,
                                row->kind, row->office ? "-" : "", row->office ? row->office : "",
                                row->segment, row->container);
  /* What was said in the briefing, and a file still being written grows:
   * no cache keeps it (set_cors said no-store). */
  if (!relay_http_serve_file (msg, file,
                              relay_briefing_recording_type (row->container,
                                                             row->video_codec != NULL),
                              NULL, download))
    relay_http_error (msg, 404, "not-found", "the recording's file is gone");
}

/* ---- chapters ----------------------------------------------------------------- */

/* Zero of the chapters' timeline: the program recording's first file, or
 * the briefing's start when nothing was recorded. */
static gint64
timeline_zero (RelayApp *app, RelayBriefing *b, GError **error)
{
  g_autoptr (GPtrArray) rows = relay_briefing_recorder_list (app->recorder, b->id, error);
  if (!rows)
    return -1;
  gint64 zero = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      RelayRecordingRow *r = rows->pdata[i];
      if (strcmp (r->kind, "program") == 0 && (!zero || r->started_ms < zero))
        zero = r->started_ms;
    }
  return zero ? zero : b->started_ms;
}

static void
vtt_time (GString *out, gint64 ms)
{
  ms = MAX (ms, 0);
  g_string_append_printf (out, "%02" G_GINT64_FORMAT ":%02d:%02d.%03d", ms / 3600000,
                          (int) (ms / 60000 % 60), (int) (ms / 1000 % 60), (int) (ms % 1000));
}

static void
serve_chapters (RelayApp *app, SoupServerMessage *msg, RelayBriefing *b)
{
  g_autoptr (GError) error = NULL;
  gint64 zero = timeline_zero (app, b, &error);
  if (zero < 0)
    {
      relay_http_error (msg, 503, "storage-failed", error->message);
      return;
    }
  gint64 end = b->ended_ms ? b->ended_ms : relay_briefing_now_ms ();
  GString *out = g_string_new ("WEBVTT\n\n");
  for (guint i = 0; i < b->turns->len; i++)
    {
      RelayTurn *t = b->turns->pdata[i];
      gint64 turn_end = t->ended_ms ? t->ended_ms : end;
      g_string_append_printf (out, "turn-%" G_GINT64_FORMAT "\n", t->id);
      vtt_time (out, t->started_ms - zero);
      g_string_append (out, " --> ");
      vtt_time (out, MAX (turn_end, t->started_ms + 1) - zero);
      /* Cue text is the office's names, escaped: a roster is a file an
       * operator edits, and "<" or "&" would be markup. */
      g_autofree char *text = g_strdup_printf (
          "%s %s / %s", t->office, relay_briefing_office_name (app->config, t->office, TRUE),
          relay_briefing_office_name (app->config, t->office, FALSE));
      g_autofree char *escaped = g_markup_escape_text (text, -1);
      g_string_append_printf (out, "\n%s\n\n", escaped);
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control",
                                "no-store");
  gsize len = out->len;
  soup_server_message_set_response (msg, "text/vtt; charset=utf-8", SOUP_MEMORY_TAKE,
                                    g_string_free (out, FALSE), len);
}

/* ---- the report --------------------------------------------------------------- */

static const char *const report_columns[] = { "attendance", "first_joined_at", "present_min",
  "turns", "speaking_s", "first_turn_at", NULL };

typedef struct {
  RelayBriefing *briefing;
  gint64 now;
} ReportRows;

static void
report_cells (const char *office, GPtrArray *cells, gpointer data)
{
  ReportRows *r = data;
  RelayAttendance a;
  relay_briefing_attendance (r->briefing, office, r->now, &a);
  g_ptr_array_add (cells, g_strdup (relay_attendance_status_name (a.status)));
  g_ptr_array_add (cells, relay_briefing_format_time (a.first_joined_ms));
  g_ptr_array_add (cells, g_strdup_printf ("%.1f", a.present_ms / 60000.0));
  guint turns = 0;
  gint64 speaking = 0, first = 0;
  gint64 end = r->briefing->ended_ms ? r->briefing->ended_ms : r->now;
  for (guint i = 0; i < r->briefing->turns->len; i++)
    {
      RelayTurn *t = r->briefing->turns->pdata[i];
      if (strcmp (t->office, office) != 0)
        continue;
      turns++;
      speaking += (t->ended_ms ? t->ended_ms : end) - t->started_ms;
      if (!first)
        first = t->started_ms;
    }
  g_ptr_array_add (cells, g_strdup_printf ("%u", turns));
  g_ptr_array_add (cells, g_strdup_printf ("%" G_GINT64_FORMAT, speaking / 1000));
  g_ptr_array_add (cells, relay_briefing_format_time (first));
}

static void
serve_report (RelayApp *app, SoupServerMessage *msg, RelayBriefing *b)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) figures = relay_briefing_figures (app, b, &error);
  if (!figures)
    {
      relay_http_error (msg, 503, "storage-failed", error->message);
      return;
    }
  ReportRows rows = { b, relay_briefing_now_ms () };
  RelayFiguresCsvExtra extra = { report_columns, report_cells, &rows };
  gsize len;
  char *csv = relay_figures_csv_full (app->config, b->date, figures, &extra, TRUE, &len);
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  g_autofree char *cd = g_strdup_printf ("attachment; filename=\"briefing-%s-%" G_GINT64_FORMAT
                                         ".csv\"",
                                         b->date, b->id);
  soup_message_headers_replace (h, "Content-Disposition", cd);
  soup_message_headers_replace (h, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/csv; charset=utf-8", SOUP_MEMORY_TAKE, csv, len);
}

/* ---- routing -------------------------------------------------------------------- */

void
relay_briefing_media_serve (RelayApp *app, SoupServerMessage *msg, gint64 briefing_id,
                            char **rest, const char *path, GHashTable *query)
{
  guint n = g_strv_length (rest);
  gboolean recording = n == 2 && strcmp (rest[0], "recordings") == 0;
  gboolean chapters = n == 1 && strcmp (rest[0], "chapters.vtt") == 0;
  gboolean report = n == 1 && strcmp (rest[0], "report.csv") == 0;
  gboolean export = n == 1 && strcmp (rest[0], "export.mp4") == 0;
  if (!recording && !chapters && !report && !export)
    {
      relay_http_error (msg, 404, "not-found", "see docs/API.md, Briefings");
      return;
    }
  Access access;
  if (!authorize (app, msg, path, query, &access))
    return;
  if (recording)
    {
      serve_recording (app, msg, briefing_id, rest[1], &access, query);
      return;
    }
  if (!viewers_only (msg, &access))
    return;
  g_autoptr (RelayBriefing) b = load (app, msg, briefing_id);
  if (!b)
    return;
  if (chapters)
    serve_chapters (app, msg, b);
  else if (export)
    relay_briefing_export (app, msg, b, query);
  else
    serve_report (app, msg, b);
}
