#include "http/briefing-detail.h"

#include <string.h>

#include "relay/briefing/briefing-json.h"
#include "relay/briefing/briefing-service.h"
#include "relay/clips/clip-recorder.h"
#include "relay/recording/briefing-recorder.h"
#include "relay/figures/figures-summary.h"
#include "relay/figures/figures-store.h"
#include "http/media-link.h"
#include "http/http-auth.h"

/* A clip belongs to a turn when it starts within this of the turn's span:
 * the clip recorder sees the same floor change a moment apart. */
#define CLIP_SLACK_MS 2000

char *
relay_briefing_recording_path (gint64 briefing_id, gint64 recording_id, const char *container)
{
  return g_strdup_printf ("/api/v1/briefings/%" G_GINT64_FORMAT "/recordings/%" G_GINT64_FORMAT
                          ".%s",
                          briefing_id, recording_id, container);
}

const char *
relay_briefing_recording_type (const char *container, gboolean has_video)
{
  if (g_strcmp0 (container, "webm") == 0)
    return has_video ? "video/webm" : "audio/webm";
  return has_video ? "video/mp4" : "audio/mp4";
}

static gint64
parse_ms (const char *iso)
{
  g_autoptr (GDateTime) t = iso ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  return t ? g_date_time_to_unix (t) * 1000 + g_date_time_get_microsecond (t) / 1000 : 0;
}

static gint64
briefing_end (RelayBriefing *b)
{
  return b->ended_ms ? b->ended_ms : relay_briefing_now_ms ();
}

GPtrArray *
relay_briefing_figures (RelayApp *app, RelayBriefing *b, GError **error)
{
  g_autoptr (GPtrArray) latest = relay_figures_service_latest (app->reports, b->date, error);
  if (!latest)
    return NULL;
  gint64 end = briefing_end (b);
  g_autoptr (GPtrArray) out
      = g_ptr_array_new_with_free_func ((GDestroyNotify) relay_report_row_free);
  for (guint i = 0; i < latest->len; i++)
    {
      RelayReportRow *row = latest->pdata[i];
      if (parse_ms (row->received_at) <= end)
        {
          g_ptr_array_add (out, g_steal_pointer (&latest->pdata[i]));
          continue;
        }
      /* Corrected after the briefing: what the room saw was an earlier
       * version, if any. */
      g_autoptr (GPtrArray) history
          = relay_figures_service_history (app->reports, row->province, b->date, error);
      if (!history)
        return NULL;
      for (guint j = history->len; j-- > 0;)
        {
          RelayReportRow *older = history->pdata[j];
          if (parse_ms (older->received_at) <= end)
            {
              g_ptr_array_add (out, g_steal_pointer (&history->pdata[j]));
              break;
            }
        }
    }
  /* The stolen slots are NULL now; the arrays free the rest. */
  return g_steal_pointer (&out);
}

static gboolean
may_see (const RelayCaller *caller, const char *office)
{
  return caller->viewer || (office && caller->office && strcmp (caller->office->code, office) == 0);
}

static const char *
scope_of (const RelayCaller *caller)
{
  return caller->viewer ? "all" : caller->office->code;
}

static JsonObject *
recording_json (RelayApp *app, RelayBriefing *b, RelayRecordingRow *r, const RelayCaller *caller)
{
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "id", r->id);
  json_object_set_string_member (o, "kind", r->kind);
  json_object_set_string_member (o, "office", r->office);
  if (r->turn_id)
    json_object_set_int_member (o, "turn_id", r->turn_id);
  else
    json_object_set_null_member (o, "turn_id");
  json_object_set_int_member (o, "segment", r->segment);
  json_object_set_string_member (o, "container", r->container);
  json_object_set_string_member (o, "content_type",
                                 relay_briefing_recording_type (r->container, r->video_codec != NULL));
  json_object_set_string_member (o, "video_codec", r->video_codec);
  json_object_set_string_member (o, "audio_codec", r->audio_codec);
  if (r->width && r->height)
    {
      json_object_set_int_member (o, "width", r->width);
      json_object_set_int_member (o, "height", r->height);
    }
  g_autofree char *started = relay_briefing_format_time (r->started_ms);
  json_object_set_string_member (o, "started_at", started);
  json_object_set_int_member (o, "offset_ms",
                              b->started_ms ? MAX (0, r->started_ms - b->started_ms) : 0);
  json_object_set_int_member (o, "duration_ms", r->duration_ms);
  json_object_set_int_member (o, "bytes", r->bytes);
  json_object_set_string_member (o, "state", r->state);
  json_object_set_string_member (o, "error", r->error);
  g_autofree char *path = relay_briefing_recording_path (b->id, r->id, r->container);
  g_autofree char *url = relay_media_links_sign (app->media_links, path, scope_of (caller));
  json_object_set_string_member (o, "url", url);
  return o;
}

static RelayClipRow *
clip_of_turn (GPtrArray *clips, RelayTurn *t, gint64 briefing_end_ms)
{
  gint64 end = t->ended_ms ? t->ended_ms : briefing_end_ms;
  for (guint i = 0; clips && i < clips->len; i++)
    {
      RelayClipRow *c = clips->pdata[i];
      if (strcmp (c->province, t->office) != 0)
        continue;
      gint64 start = parse_ms (c->started_at);
      if (start >= t->started_ms - CLIP_SLACK_MS && start <= end + CLIP_SLACK_MS)
        return c;
    }
  return NULL;
}

static JsonObject *
figures_of (GPtrArray *rows, const char *office)
{
  for (guint i = 0; rows && i < rows->len; i++)
    {
      RelayReportRow *row = rows->pdata[i];
      if (strcmp (row->province, office) != 0)
        continue;
      JsonObject *o = json_object_new ();
      json_object_set_int_member (o, "version", row->version);
      json_object_set_string_member (o, "received_at", row->received_at);
      g_autoptr (JsonParser) parser = json_parser_new ();
      if (json_parser_load_from_data (parser, row->values_json, -1, NULL))
        json_object_set_member (o, "values", json_node_copy (json_parser_get_root (parser)));
      return o;
    }
  return NULL;
}

/* Each turn of the document gets its clip, its recording and the figures
 * its office had reported. */
static void
enrich_turns (RelayApp *app, JsonArray *turns, RelayBriefing *b, GPtrArray *recordings,
              GPtrArray *clips, GPtrArray *figures, const RelayCaller *caller)
{
  for (guint i = 0; i < json_array_get_length (turns); i++)
    {
      JsonObject *o = json_array_get_object_element (turns, i);
      gint64 id = json_object_get_int_member (o, "id");
      RelayTurn *t = NULL;
      for (guint k = 0; k < b->turns->len && !t; k++)
        if (((RelayTurn *) b->turns->pdata[k])->id == id)
          t = b->turns->pdata[k];
      if (!t)
        continue;
      RelayClipRow *clip = clip_of_turn (clips, t, briefing_end (b));
      if (clip)
        {
          JsonObject *c = json_object_new ();
          json_object_set_int_member (c, "id", clip->id);
          json_object_set_int_member (c, "duration_ms", clip->duration_ms);
          g_autofree char *path = g_strdup_printf ("/api/v1/clips/%" G_GINT64_FORMAT ".ogg",
                                                   clip->id);
          g_autofree char *url = relay_media_links_sign (app->media_links, path, scope_of (caller));
          json_object_set_string_member (c, "url", url);
          json_object_set_object_member (o, "clip", c);
        }
      else
        json_object_set_null_member (o, "clip");
      JsonArray *files = json_array_new ();
      for (guint k = 0; recordings && k < recordings->len; k++)
        {
          RelayRecordingRow *r = recordings->pdata[k];
          if (r->turn_id == t->id)
            json_array_add_object_element (files, recording_json (app, b, r, caller));
        }
      json_object_set_array_member (o, "recordings", files);
      JsonObject *f = figures_of (figures, t->office);
      if (f)
        json_object_set_object_member (o, "figures", f);
      else
        json_object_set_null_member (o, "figures");
    }
}

JsonNode *
relay_briefing_detail (RelayApp *app, RelayBriefing *b, const RelayCaller *caller, GError **error)
{
  const char *only = caller->viewer ? NULL : caller->office->code;
  JsonNode *root = relay_briefing_describe (b, app->config, relay_briefing_now_ms (), only);
  JsonObject *doc = json_node_get_object (root);

  g_autoptr (GPtrArray) recordings = relay_briefing_recorder_list (app->recorder, b->id, error);
  g_autoptr (GPtrArray) clips = NULL;
  g_autoptr (GPtrArray) figures = NULL;
  if (recordings && b->started_ms)
    clips = relay_clip_recorder_list (app->clips, b->date, only, error);
  if (recordings && (clips || !b->started_ms))
    figures = relay_briefing_figures (app, b, error);
  if (!recordings || (b->started_ms && !clips) || !figures)
    {
      json_node_unref (root);
      return NULL;
    }

  JsonArray *files = json_array_new ();
  for (guint i = 0; i < recordings->len; i++)
    {
      RelayRecordingRow *r = recordings->pdata[i];
      if (may_see (caller, g_strcmp0 (r->kind, "office") == 0 ? r->office : NULL))
        json_array_add_object_element (files, recording_json (app, b, r, caller));
    }
  json_object_set_array_member (doc, "recordings", files);
  enrich_turns (app, json_object_get_array_member (doc, "turns"), b, recordings, clips, figures,
                caller);

  if (caller->viewer)
    {
      g_autofree char *export = g_strdup_printf ("/api/v1/briefings/%" G_GINT64_FORMAT
                                                 "/export.mp4",
                                                 b->id);
      g_autofree char *export_url = relay_media_links_sign (app->media_links, export, "all");
      json_object_set_string_member (doc, "export_url", export_url);
      json_object_set_member (doc, "figures", relay_figures_summary (app->config, b->date, figures));
    }
  return root;
}
