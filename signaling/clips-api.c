#include "signaling/clips-api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/reports/figures-validate.h"
#include "signaling/http-util.h"

#define VIEWERS_ONLY "clips are for the chair, the minister and viewers"

typedef struct {
  RelayApp *app;
  RelayClipRecorder *clips;
} ClipsApi;

/* An <audio src> cannot send an Authorization header: the token may come
 * as ?token= instead (a header, when both are given, wins). */
static const RelayViewerConfig *
authorize (ClipsApi *api, SoupServerMessage *msg, GHashTable *query)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  const char *token = query ? g_hash_table_lookup (query, "token") : NULL;
  if (token && *token && !soup_message_headers_get_one (h, "Authorization"))
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (h, "Authorization", auth);
    }
  return relay_http_authorize_viewer (msg, api->app->config, RELAY_ROLE_VIEWER, VIEWERS_ONLY);
}

static void
member_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
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
  member_string (b, "date", date);
  json_builder_set_member_name (b, "clips");
  json_builder_begin_array (b);
  for (guint i = 0; i < rows->len; i++)
    {
      RelayClipRow *row = rows->pdata[i];
      const RelayProvinceConfig *p = relay_config_find_province (config, row->province);
      g_autofree char *url = g_strdup_printf ("/api/v1/clips/%" G_GINT64_FORMAT ".ogg", row->id);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, row->id);
      member_string (b, "province", row->province);
      member_string (b, "name_th", p ? p->name_th : NULL);
      member_string (b, "name_en", p ? p->name_en : NULL);
      member_string (b, "start", row->started_at);
      member_string (b, "end", row->ended_at);
      json_builder_set_member_name (b, "duration_ms");
      json_builder_add_int_value (b, row->duration_ms);
      json_builder_set_member_name (b, "bytes");
      json_builder_add_int_value (b, row->bytes);
      member_string (b, "reason", row->reason);
      member_string (b, "url", url);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  relay_http_json (msg, 200, root);
}

typedef enum {
  RANGE_NONE,          /* absent, or one we may ignore: the whole file */
  RANGE_OK,
  RANGE_UNSATISFIABLE,
} RangeResult;

static gboolean
parse_offset (const char *text, const char *end, guint64 *out)
{
  if (text == end || !g_ascii_isdigit (*text))
    return FALSE;
  char *stop;
  errno = 0;
  *out = g_ascii_strtoull (text, &stop, 10);
  return errno == 0 && stop == end;
}

/* One byte range (RFC 9110 §14): a-b, a- or -n. An invalid header, or
 * several ranges (no multipart here), is ignored, as the RFC allows; the
 * client gets the whole file. */
static RangeResult
parse_range (const char *header, guint64 size, guint64 *first, guint64 *last)
{
  if (!header)
    return RANGE_NONE;
  while (*header == ' ')
    header++;
  if (g_ascii_strncasecmp (header, "bytes=", 6) != 0 || strchr (header, ','))
    return RANGE_NONE;
  const char *spec = header + 6;
  const char *end = spec + strlen (spec);
  while (end > spec && end[-1] == ' ')
    end--;
  const char *dash = memchr (spec, '-', (gsize) (end - spec));
  if (!dash)
    return RANGE_NONE;
  guint64 a, b;
  if (dash == spec)
    {
      if (!parse_offset (dash + 1, end, &b))
        return RANGE_NONE;
      if (b == 0 || size == 0)
        return RANGE_UNSATISFIABLE;
      *first = b >= size ? 0 : size - b;
      *last = size - 1;
      return RANGE_OK;
    }
  if (!parse_offset (spec, dash, &a))
    return RANGE_NONE;
  if (dash + 1 == end)
    b = G_MAXUINT64;
  else if (!parse_offset (dash + 1, end, &b) || b < a)
    return RANGE_NONE;
  if (a >= size)
    return RANGE_UNSATISFIABLE;
  *first = a;
  *last = MIN (b, size - 1);
  return RANGE_OK;
}

static void
serve_clip (ClipsApi *api, SoupServerMessage *msg, const char *name)
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
  g_autoptr (GMappedFile) file = g_mapped_file_new (row->path, FALSE, &error);
  if (!file)
    {
      relay_http_error (msg, 404, "not-found", "the clip's file is gone");
      return;
    }
  g_autoptr (GBytes) bytes = g_mapped_file_get_bytes (file);
  guint64 size = g_bytes_get_size (bytes);
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (h, "Accept-Ranges", "bytes");
  /* A clip never changes once indexed; the token is what is private. */
  soup_message_headers_replace (h, "Cache-Control", "private, max-age=86400");
  guint64 first = 0, last = size ? size - 1 : 0;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  const char *range = soup_message_headers_get_one (request_headers, "Range");
  RangeResult r = parse_range (range, size, &first, &last);
  /* libsoup answers a 200 to a Range request itself, as multipart/byteranges
   * for several ranges, overlapping ones included: "bytes=0-,0-,..." would
   * make one small request cost the clip's size many times over. An ignored
   * header must stay ignored. */
  if (r == RANGE_NONE && range)
    soup_message_headers_remove (request_headers, "Range");
  if (r == RANGE_UNSATISFIABLE)
    {
      g_autofree char *cr = g_strdup_printf ("bytes */%" G_GUINT64_FORMAT, size);
      soup_message_headers_replace (h, "Content-Range", cr);
      relay_http_error (msg, 416, "range-not-satisfiable", "the range starts past the clip's end");
      return;
    }
  g_autoptr (GBytes) body = NULL;
  if (r == RANGE_OK)
    {
      g_autofree char *cr = g_strdup_printf ("bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                                             "/%" G_GUINT64_FORMAT, first, last, size);
      soup_message_headers_replace (h, "Content-Range", cr);
      body = g_bytes_new_from_bytes (bytes, first, last - first + 1);
      soup_server_message_set_status (msg, 206, NULL);
    }
  else
    {
      body = g_bytes_ref (bytes);
      soup_server_message_set_status (msg, 200, NULL);
    }
  soup_message_headers_set_content_type (h, "audio/ogg", NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
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
  if (!authorize (api, msg, query))
    return;
  if (n == 0)
    list_clips (api, msg, query);
  else
    serve_clip (api, msg, segments[0]);
}

void
relay_clips_api_register (SoupServer *server, RelayApp *app, RelayClipRecorder *clips)
{
  ClipsApi *api = g_new0 (ClipsApi, 1);
  api->app = app;
  api->clips = clips;
  soup_server_add_handler (server, "/api/v1/clips", clips_handler, api, g_free);
}
