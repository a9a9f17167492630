#include "http/clips-api.h"

#include <string.h>

#include "relay/figures/figures-validate.h"
#include "http/file-response.h"
#include "http/http-auth.h"
#include "http/http-util.h"
#include "http/json-members.h"
#include "http/media-link.h"

#define VIEWERS_ONLY "clips are for the chair, the minister and viewers"

typedef struct {
  RelayApp *app;
  RelayClipRecorder *clips;
} ClipsApi;

/* An <audio src> cannot send an Authorization header: a signed link (what
 * the briefing's detail gives, http/media-link.h) may come instead; a
 * token in the URL never does (http/request-guard.h). *scope: "all",
 * or the office whose clips a link is for (checked once the clip is
 * known). */
static gboolean
authorize (ClipsApi *api, SoupServerMessage *msg, const char *path, GHashTable *query,
           const char **scope)
{
  *scope = "all";
  switch (relay_media_links_verify (api->app->media_links, path, query, scope))
    {
    case RELAY_MEDIA_LINK_VALID:
      return TRUE;
    case RELAY_MEDIA_LINK_EXPIRED:
      relay_http_error (msg, 401, "link-expired", "the link has expired");
      return FALSE;
    case RELAY_MEDIA_LINK_INVALID:
      relay_http_error (msg, 401, "unauthorized", "the link is not valid");
      return FALSE;
    case RELAY_MEDIA_LINK_ABSENT:
    default:
      break;
    }
  return relay_http_authorize_viewer (msg, api->app->config, RELAY_ROLE_VIEWER, VIEWERS_ONLY)
         != NULL;
}

static void
list_clips (ClipsApi *api, SoupServerMessage *msg, GHashTable *query)
{
  RelayConfig *config = api->app->config;
  const char *code = query ? g_hash_table_lookup (query, "province") : NULL;
  if (code && !relay_config_find_province (config, code))
    {
      relay_http_error (msg, 400, "bad-request", "province must be a province code of the roster");
      return;
    }
  g_autofree char *date = relay_http_query_date (msg, query);
  if (!date)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = relay_clip_recorder_list (api->clips, date, code, &error);
  if (!rows)
    {
      relay_http_error (msg, 503, "storage-failed", error->message);
      return;
    }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  relay_json_member_add_string (b, "date", date);
  json_builder_set_member_name (b, "clips");
  json_builder_begin_array (b);
  for (guint i = 0; i < rows->len; i++)
    {
      RelayClipRow *row = rows->pdata[i];
      const RelayOfficeConfig *p = relay_config_find_province (config, row->province);
      g_autofree char *path = g_strdup_printf ("/api/v1/clips/%" G_GINT64_FORMAT ".ogg", row->id);
      /* Signed, so that an <audio src> plays it: the list is for viewer
       * roles only, whose links are for every office ("all"). */
      g_autofree char *url = relay_media_links_sign (api->app->media_links, path, "all");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, row->id);
      relay_json_member_add_string (b, "province", row->province);
      relay_json_member_add_string (b, "name_th", p ? p->name_th : NULL);
      relay_json_member_add_string (b, "name_en", p ? p->name_en : NULL);
      relay_json_member_add_string (b, "start", row->started_at);
      relay_json_member_add_string (b, "end", row->ended_at);
      json_builder_set_member_name (b, "duration_ms");
      json_builder_add_int_value (b, row->duration_ms);
      json_builder_set_member_name (b, "bytes");
      json_builder_add_int_value (b, row->bytes);
      relay_json_member_add_string (b, "reason", row->reason);
      relay_json_member_add_string (b, "url", url);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  relay_http_json (msg, 200, root);
}

static void
serve_clip (ClipsApi *api, SoupServerMessage *msg, const char *name, const char *scope)
{
  char *end = NULL;
  gint64 id = g_ascii_strtoll (name, &end, 10);
  if (!g_ascii_isdigit (*name) || !end || strcmp (end, ".ogg") != 0 || id <= 0)
    {
      relay_http_error (msg, 404, "not-found", "clips are /api/v1/clips/<id>.ogg");
      return;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayClipRow) row = relay_clip_recorder_get (api->clips, id, &error);
  if (!row)
    {
      if (error)
        relay_http_error (msg, 503, "storage-failed", error->message);
      else
        relay_http_error (msg, 404, "not-found", "no such clip");
      return;
    }
  if (strcmp (scope, "all") != 0 && strcmp (scope, row->province) != 0)
    {
      relay_http_error (msg, 403, "forbidden", "the link is for another office's clips");
      return;
    }
  /* An office's own voice: no cache keeps it (set_cors said no-store). */
  if (!relay_http_serve_file (msg, row->path, "audio/ogg", NULL, NULL))
    relay_http_error (msg, 404, "not-found", "the clip's file is gone");
}

static void
clips_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
               gpointer data)
{
  ClipsApi *api = data;
  const char *method = soup_server_message_get_method (msg);
  relay_http_set_cors (msg, "GET, HEAD, OPTIONS");
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  /* A page's player sends and reads these to seek (a suffix range is not
   * CORS-safelisted, so it is preflighted). */
  soup_message_headers_replace (h, "Access-Control-Allow-Headers", "Authorization, Range");
  soup_message_headers_replace (h, "Access-Control-Expose-Headers",
                                "Content-Range, Accept-Ranges, Content-Length");
  if (strcmp (method, "OPTIONS") == 0)
    {
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }
  if (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0)
    {
      soup_message_headers_replace (h, "Allow", "GET, HEAD, OPTIONS");
      relay_http_error (msg, 405, "method-not-allowed", "see the Allow header");
      return;
    }
  g_auto (GStrv) segments = relay_http_path_segments (path, "/api/v1/clips");
  guint n = segments ? g_strv_length (segments) : 0;
  if (n > 1 || (strcmp (path, "/api/v1/clips") != 0 && n == 0))
    {
      relay_http_error (msg, 404, "not-found", "use /api/v1/clips or /api/v1/clips/<id>.ogg");
      return;
    }
  const char *scope;
  if (!authorize (api, msg, path, query, &scope))
    return;
  if (n == 0 && strcmp (scope, "all") != 0)
    {
      relay_http_error (msg, 403, "forbidden", "a link is for one clip, not the list");
      return;
    }
  if (n == 0)
    list_clips (api, msg, query);
  else
    serve_clip (api, msg, segments[0], scope);
}

void
relay_clips_api_register (SoupServer *server, RelayApp *app, RelayClipRecorder *clips)
{
  ClipsApi *api = g_new0 (ClipsApi, 1);
  api->app = app;
  api->clips = clips;
  soup_server_add_handler (server, "/api/v1/clips", clips_handler, api, g_free);
}
