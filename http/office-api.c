#include "http/office-api.h"

#include <string.h>

#include "relay/briefing/briefing-json.h"
#include "relay/briefing/briefing-service.h"
#include "relay/clips/clip-recorder.h"
#include "http/http-auth.h"
#include "http/http-util.h"
#include "http/json-members.h"
#include "http/media-link.h"

#define OFFICES_ONLY                                                                         \
  "this is an office's own view (its own token); viewers read /api/v1/provinces, "          \
  "/api/v1/conference, /api/v1/briefings and /api/v1/clips"

/* A clip belongs to the live briefing when it starts no earlier than this
 * before the briefing did: the clip recorder and the briefing see the same
 * floor change a moment apart. */
#define CLIP_SLACK_MS 2000

static gint64
iso_to_ms (const char *iso)
{
  g_autoptr (GDateTime) t = iso ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  return t ? g_date_time_to_unix (t) * 1000 + g_date_time_get_microsecond (t) / 1000 : 0;
}

/* The public conference state, as the office needs it: who holds the floor
 * and for how long, and where this office stands. */
static void
add_conference (JsonBuilder *b, RelayApp *app, const char *code)
{
  RelayConference *c = app->conference;
  const char *holder = relay_conference_get_floor (c);
  gint64 held_ms;
  gint64 since_us = relay_conference_floor_since (c, &held_ms);
  g_autofree char *since = holder ? relay_briefing_format_time (since_us / 1000) : NULL;
  json_builder_set_member_name (b, "floor");
  json_builder_begin_object (b);
  relay_json_member_add_string (b, "holder", holder);
  relay_json_member_add_string (b, "since", since);
  json_builder_set_member_name (b, "held_ms");
  if (holder)
    json_builder_add_int_value (b, held_ms);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "has_floor");
  json_builder_add_boolean_value (b, g_strcmp0 (holder, code) == 0);
  /* "closed" is every office's usual state (it listens); "muted-by-chair"
   * is the chair cutting it off while it could be heard. */
  const char *microphone = !relay_conference_is_muted (c, code)       ? "open"
                           : relay_conference_muted_by_chair (c, code) ? "muted-by-chair"
                                                                       : "closed";
  relay_json_member_add_string (b, "microphone", microphone);
  relay_json_member_add_string (b, "layout", relay_layout_name (relay_conference_get_layout (c)));
}

/* The live briefing's public part, and whether it is recorded. */
static const RelayBriefing *
add_briefing (JsonBuilder *b, RelayApp *app)
{
  const RelayBriefing *live = app->briefings ? relay_briefing_service_get_live (app->briefings) : NULL;
  json_builder_set_member_name (b, "briefing");
  if (live)
    {
      g_autofree char *started = relay_briefing_format_time (live->started_ms);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, live->id);
      relay_json_member_add_string (b, "title", live->title);
      relay_json_member_add_string (b, "date", live->date);
      relay_json_member_add_string (b, "started_at", started);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);
  /* What the briefing recorder does while a briefing is live: the program
   * the offices see and hear, and each speaking office's own turn. */
  json_builder_set_member_name (b, "recording");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "active");
  json_builder_add_boolean_value (b, live && app->config->recording.enabled);
  json_builder_set_member_name (b, "office_turns");
  json_builder_add_boolean_value (b, live && app->config->recording.enabled
                                         && app->config->recording.office_turns);
  json_builder_end_object (b);
  return live;
}

/* The office's own clips: of the live briefing, or of today. FALSE after
 * answering 503. */
static gboolean
add_clips (JsonBuilder *b, SoupServerMessage *msg, RelayApp *app, const char *code,
           const RelayBriefing *live)
{
  g_autofree char *today = relay_http_query_date (msg, NULL);
  const char *date = live ? live->date : today;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = relay_clip_recorder_list (app->clips, date, code, &error);
  if (!rows)
    {
      relay_http_error (msg, 503, "storage-failed", error->message);
      return FALSE;
    }
  json_builder_set_member_name (b, "clips_of");
  json_builder_begin_object (b);
  relay_json_member_add_string (b, "date", date);
  json_builder_set_member_name (b, "briefing");
  if (live)
    json_builder_add_int_value (b, live->id);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "clips");
  json_builder_begin_array (b);
  for (guint i = 0; i < rows->len; i++)
    {
      RelayClipRow *row = rows->pdata[i];
      if (live && iso_to_ms (row->started_at) < live->started_ms - CLIP_SLACK_MS)
        continue;
      g_autofree char *path = g_strdup_printf ("/api/v1/clips/%" G_GINT64_FORMAT ".ogg", row->id);
      /* Signed for this office only: the link plays its own clip and no
       * other office's. */
      g_autofree char *url = relay_media_links_sign (app->media_links, path, code);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, row->id);
      relay_json_member_add_string (b, "start", row->started_at);
      relay_json_member_add_string (b, "end", row->ended_at);
      json_builder_set_member_name (b, "duration_ms");
      json_builder_add_int_value (b, row->duration_ms);
      relay_json_member_add_string (b, "reason", row->reason);
      relay_json_member_add_string (b, "url", url);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return TRUE;
}

static void
office_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                gpointer data)
{
  RelayApp *app = data;
  relay_http_set_cors (msg, "GET, HEAD, OPTIONS");
  if (strcmp (soup_server_message_get_method (msg), "OPTIONS") == 0)
    {
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }
  if (!relay_http_allow_method (msg, "GET, HEAD, OPTIONS"))
    return;
  if (strcmp (path, "/api/v1/office") != 0 && strcmp (path, "/api/v1/office/") != 0)
    {
      relay_http_error (msg, 404, "not-found", "use /api/v1/office");
      return;
    }
  RelayCaller caller;
  if (!relay_http_identify (msg, app->config, &caller))
    return;
  if (!caller.office)
    {
      relay_http_error (msg, 403, "forbidden", OFFICES_ONLY);
      return;
    }
  const char *code = caller.office->code;
  RelayStatusAudience own = { .own_code = code };

  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  relay_json_member_add_string (b, "office", code);
  json_builder_set_member_name (b, "status");
  json_builder_add_value (b, relay_office_registry_describe (app->registry, code, &own));
  add_conference (b, app, code);
  const RelayBriefing *live = add_briefing (b, app);
  if (!add_clips (b, msg, app, code, live))
    return;
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  relay_http_json (msg, 200, root);
}

void
relay_office_api_register (SoupServer *server, RelayApp *app)
{
  soup_server_add_handler (server, "/api/v1/office", office_handler, app, NULL);
}
