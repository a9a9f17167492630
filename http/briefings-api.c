#include "http/briefings-api.h"

#include <stdio.h>
#include <string.h>

#include "relay/briefing/briefing-json.h"
#include "relay/briefing/briefing-service.h"
#include "http/briefing-detail.h"
#include "http/briefing-media.h"
#include "http/http-auth.h"
#include "http/http-util.h"
#include "http/json-members.h"
#include "http/media-link.h"

/* A whole agenda of the roster twice with titles fits comfortably. */
#define MAX_LIST 1000
#define CHAIR_ONLY "only the chair runs the briefing"
#define PREFIX "/api/v1/briefings"

typedef struct {
  RelayApp *app;
} BriefingsApi;

static void
reply_error (SoupServerMessage *msg, GError *error)
{
  if (error->domain != RELAY_BRIEFING_ERROR)
    {
      relay_http_error (msg, 503, "storage-failed", error->message);
      return;
    }
  switch ((RelayBriefingError) error->code)
    {
    case RELAY_BRIEFING_ERROR_NOT_FOUND:
      relay_http_error (msg, 404, "not-found", error->message);
      break;
    case RELAY_BRIEFING_ERROR_CONFLICT:
      relay_http_error (msg, 409, "conflict", error->message);
      break;
    case RELAY_BRIEFING_ERROR_INVALID:
      relay_http_error (msg, 400, "bad-request", error->message);
      break;
    case RELAY_BRIEFING_ERROR_STORAGE:
    default:
      relay_http_error (msg, 503, "storage-failed", error->message);
      break;
    }
}

/* ---- request bodies ------------------------------------------------------ */

static gboolean
fail (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *text = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, RELAY_BRIEFING_ERROR, RELAY_BRIEFING_ERROR_INVALID, text);
  return FALSE;
}

/* A whole number member within [min, max], -1 when absent. */
static gboolean
int_member (JsonObject *o, const char *name, gint64 min, gint64 max, gint *out, GError **error)
{
  *out = -1;
  if (!json_object_has_member (o, name))
    return TRUE;
  JsonNode *n = relay_json_member_value (o, name, G_TYPE_INT64);
  if (!n || json_node_get_int (n) < min || json_node_get_int (n) > max)
    return fail (error, "\"%s\" must be a whole number from %" G_GINT64_FORMAT " to %"
                 G_GINT64_FORMAT, name, min, max);
  *out = (gint) json_node_get_int (n);
  return TRUE;
}

/* Text a person reads on the console: UTF-8, 1..max characters, no
 * control characters. */
static gboolean
text_member (JsonObject *o, const char *name, const char **out, GError **error)
{
  *out = NULL;
  if (!json_object_has_member (o, name))
    return TRUE;
  const char *text = relay_json_member_string (o, name);
  if (!text)
    return fail (error, "\"%s\" must be a string", name);
  glong chars = g_utf8_strlen (text, -1);
  if (chars < 1 || chars > RELAY_BRIEFING_MAX_TITLE)
    return fail (error, "\"%s\" must have 1 to %d characters", name, RELAY_BRIEFING_MAX_TITLE);
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return fail (error, "\"%s\" must not contain control characters", name);
  *out = text;
  return TRUE;
}

static gboolean
only_members (JsonObject *o, const char *const *allowed, const char *what, GError **error)
{
  g_autoptr (GList) names = json_object_get_members (o);
  for (GList *l = names; l; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      return fail (error, "%s: unknown member \"%s\"", what, (const char *) l->data);
  return TRUE;
}

/* [{"office":"TH-50","time_limit_s":120} | {"title":"...","time_limit_s":60}] */
static GPtrArray *
parse_agenda (RelayConfig *config, JsonNode *node, GError **error)
{
  static const char *const item_members[] = { "office", "title", "time_limit_s", NULL };
  if (!node || !JSON_NODE_HOLDS_ARRAY (node))
    {
      fail (error, "the agenda must be an array of items");
      return NULL;
    }
  JsonArray *a = json_node_get_array (node);
  if (json_array_get_length (a) > RELAY_AGENDA_MAX_ITEMS)
    {
      fail (error, "an agenda has at most %d items", RELAY_AGENDA_MAX_ITEMS);
      return NULL;
    }
  g_autoptr (GPtrArray) items
      = g_ptr_array_new_with_free_func ((GDestroyNotify) relay_agenda_item_free);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (!JSON_NODE_HOLDS_OBJECT (e))
        {
          fail (error, "agenda item %u must be an object", i);
          return NULL;
        }
      JsonObject *o = json_node_get_object (e);
      g_autofree char *what = g_strdup_printf ("agenda item %u", i);
      gint limit;
      const char *title;
      if (!only_members (o, item_members, what, error)
          || !int_member (o, "time_limit_s", 0, 3600, &limit, error)
          || !text_member (o, "title", &title, error))
        return NULL;
      gboolean office = json_object_has_member (o, "office");
      if (office && title)
        {
          fail (error, "agenda item %u: an office or a title, not both", i);
          return NULL;
        }
      if (office)
        {
          const char *code = relay_json_member_string (o, "office");
          if (!code || !relay_config_find_province (config, code))
            {
              fail (error, "agenda item %u: \"office\" must be an office code of the roster", i);
              return NULL;
            }
          g_ptr_array_add (items, relay_agenda_item_new_office (code, MAX (limit, 0)));
        }
      else if (title)
        g_ptr_array_add (items, relay_agenda_item_new_free (title, MAX (limit, 0)));
      else
        {
          fail (error, "agenda item %u needs \"office\" or \"title\"", i);
          return NULL;
        }
    }
  return g_steal_pointer (&items);
}

/* ---- answers ---------------------------------------------------------------- */

static void
reply_detail (BriefingsApi *api, SoupServerMessage *msg, gint64 id, const RelayCaller *caller,
              guint status)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayBriefing) b = relay_briefing_service_load (api->app->briefings, id, &error);
  if (!b)
    {
      if (error)
        reply_error (msg, error);
      else
        relay_http_error (msg, 404, "not-found", "no such briefing");
      return;
    }
  if (b->state == RELAY_BRIEFING_PLANNED && !caller->viewer)
    {
      relay_http_error (msg, 404, "not-found", "no such briefing");
      return;
    }
  g_autoptr (JsonNode) node = relay_briefing_detail (api->app, b, caller, &error);
  if (!node)
    {
      reply_error (msg, error);
      return;
    }
  if (status == 201)
    {
      g_autofree char *location = g_strdup_printf (PREFIX "/%" G_GINT64_FORMAT, id);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location",
                                    location);
    }
  relay_http_json (msg, status, node);
}

static gboolean
valid_day (const char *text)
{
  guint y, m, d;
  int used = 0;
  return strlen (text) == 10 && sscanf (text, "%4u-%2u-%2u%n", &y, &m, &d, &used) == 3
         && used == 10 && g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

static void
list_briefings (BriefingsApi *api, SoupServerMessage *msg, GHashTable *query)
{
  const char *from = query ? g_hash_table_lookup (query, "from") : NULL;
  const char *to = query ? g_hash_table_lookup (query, "to") : NULL;
  const char *limit_text = query ? g_hash_table_lookup (query, "limit") : NULL;
  if ((from && !valid_day (from)) || (to && !valid_day (to)))
    {
      relay_http_error (msg, 400, "bad-request", "from and to must be days YYYY-MM-DD");
      return;
    }
  guint64 limit = 100;
  if (limit_text && !g_ascii_string_to_unsigned (limit_text, 10, 1, MAX_LIST, &limit, NULL))
    {
      relay_http_error (msg, 400, "bad-request", "limit must be a whole number from 1 to 1000");
      return;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list
      = relay_briefing_service_list (api->app->briefings, from, to, (guint) limit, &error);
  if (!list)
    {
      reply_error (msg, error);
      return;
    }
  gint64 now = relay_briefing_now_ms ();
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "briefings");
  json_builder_begin_array (b);
  for (guint i = 0; i < list->len; i++)
    json_builder_add_value (b, relay_briefing_summarize (list->pdata[i], api->app->config, now));
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  relay_http_json (msg, 200, root);
}

static void
create_briefing (BriefingsApi *api, SoupServerMessage *msg, const RelayCaller *caller)
{
  static const char *const members[] = { "title", "roll_call_deadline_s", "turn_limit_s",
    "agenda", "plan", NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = NULL;
  /* No body at all: every default. */
  if (soup_server_message_get_request_body (msg)->length > 0)
    {
      o = relay_http_read_json_object (msg, parser, RELAY_BRIEFINGS_MAX_BODY);
      if (!o)
        return;
    }
  g_autoptr (GError) error = NULL;
  const char *title = NULL;
  gint deadline = -1, limit = -1;
  gboolean plan = FALSE;
  g_autoptr (GPtrArray) agenda = NULL;
  if (o)
    {
      if (!only_members (o, members, "the briefing", &error)
          || !text_member (o, "title", &title, &error)
          || !int_member (o, "roll_call_deadline_s", 0, 24 * 3600, &deadline, &error)
          || !int_member (o, "turn_limit_s", 0, 3600, &limit, &error))
        {
          reply_error (msg, error);
          return;
        }
      if (!relay_json_member_optional_boolean (msg, o, "plan", &plan))
        return;
      if (json_object_has_member (o, "agenda"))
        {
          agenda = parse_agenda (api->app->config, json_object_get_member (o, "agenda"), &error);
          if (!agenda)
            {
              reply_error (msg, error);
              return;
            }
        }
    }
  gint64 id = relay_briefing_service_create (api->app->briefings, title, deadline, limit, agenda,
                                             plan, &error);
  if (!id)
    {
      reply_error (msg, error);
      return;
    }
  reply_detail (api, msg, id, caller, 201);
}

static void
put_agenda (BriefingsApi *api, SoupServerMessage *msg, gint64 id, const RelayCaller *caller)
{
  static const char *const members[] = { "items", NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = relay_http_read_json_object (msg, parser, RELAY_BRIEFINGS_MAX_BODY);
  if (!o)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  if (only_members (o, members, "the agenda", &error))
    items = parse_agenda (api->app->config, json_object_get_member (o, "items"), &error);
  if (!items || !relay_briefing_service_set_agenda (api->app->briefings, id, items, &error))
    {
      reply_error (msg, error);
      return;
    }
  reply_detail (api, msg, id, caller, 200);
}

static void
act (BriefingsApi *api, SoupServerMessage *msg, gint64 id, const char *action,
     const RelayCaller *caller)
{
  g_autoptr (GError) error = NULL;
  gboolean ok;
  if (strcmp (action, "start") == 0)
    ok = relay_briefing_service_start (api->app->briefings, id, &error);
  else if (strcmp (action, "end") == 0)
    ok = relay_briefing_service_end (api->app->briefings, id, &error);
  else
    ok = relay_briefing_service_next (api->app->briefings, id, &error) >= 0 || !error;
  if (!ok)
    {
      reply_error (msg, error);
      return;
    }
  reply_detail (api, msg, id, caller, 200);
}

/* ---- routing ---------------------------------------------------------------- */

static gboolean
parse_id (const char *text, gint64 *id)
{
  guint64 v;
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &v, NULL))
    return FALSE;
  *id = (gint64) v;
  return TRUE;
}

static gboolean
allow (SoupServerMessage *msg, const char *method, const char *const *allowed,
       const char *allow_header)
{
  if (g_strv_contains (allowed, method))
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                allow_header);
  relay_http_error (msg, 405, "method-not-allowed", "see the Allow header");
  return FALSE;
}

static gboolean
chair (SoupServerMessage *msg, const RelayCaller *caller)
{
  if (caller->viewer && caller->viewer->role == RELAY_ROLE_CHAIR)
    return TRUE;
  relay_http_error (msg, 403, "forbidden", CHAIR_ONLY);
  return FALSE;
}

static void
briefings_handler (SoupServer *server, SoupServerMessage *msg, const char *path,
                   GHashTable *query, gpointer data)
{
  BriefingsApi *api = data;
  static const char *const read_only[] = { "GET", "HEAD", NULL };
  static const char *const collection[] = { "GET", "HEAD", "POST", NULL };
  static const char *const post_only[] = { "POST", NULL };
  static const char *const put_only[] = { "PUT", NULL };
  const char *method = soup_server_message_get_method (msg);
  g_auto (GStrv) seg = relay_http_path_segments (path, PREFIX);
  guint n = g_strv_length (seg);
  gboolean exact = strcmp (path, PREFIX) == 0 || strcmp (path, PREFIX "/") == 0;
  gint64 id = 0;
  gboolean live = n >= 1 && strcmp (seg[0], "live") == 0;
  gboolean action = n == 2 && (strcmp (seg[1], "start") == 0 || strcmp (seg[1], "end") == 0
                               || strcmp (seg[1], "next") == 0);
  gboolean agenda = n == 2 && strcmp (seg[1], "agenda") == 0;
  gboolean media = n >= 2 && !action && !agenda;

  const char *methods = exact ? "GET, HEAD, POST, OPTIONS"
                        : action ? "POST, OPTIONS"
                        : agenda ? "PUT, OPTIONS"
                                 : "GET, HEAD, OPTIONS";
  relay_http_set_cors (msg, methods);
  if ((!exact && n == 0) || (n == 1 && !live && !parse_id (seg[0], &id))
      || (n >= 2 && !parse_id (seg[0], &id)) || (live && n != 1))
    {
      relay_http_error (msg, 404, "not-found", "see docs/API.md, Briefings");
      return;
    }
  if (strcmp (method, "OPTIONS") == 0)
    {
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }
  if (!allow (msg, method,
              exact ? collection : action ? post_only : agenda ? put_only : read_only, methods))
    return;

  RelayCaller caller;
  if (media)
    {
      relay_briefing_media_serve (api->app, msg, id, seg + 1, path, query);
      return;
    }
  if (!relay_http_identify (msg, api->app->config, &caller))
    return;
  if (exact && strcmp (method, "POST") == 0)
    {
      if (chair (msg, &caller))
        create_briefing (api, msg, &caller);
      return;
    }
  if (exact)
    {
      list_briefings (api, msg, query);
      return;
    }
  if (live)
    {
      const RelayBriefing *b = relay_briefing_service_get_live (api->app->briefings);
      if (!b)
        relay_http_error (msg, 404, "not-found", "no briefing is live");
      else
        reply_detail (api, msg, b->id, &caller, 200);
      return;
    }
  if (action || agenda)
    {
      if (!chair (msg, &caller))
        return;
      if (agenda)
        put_agenda (api, msg, id, &caller);
      else
        act (api, msg, id, seg[1], &caller);
      return;
    }
  reply_detail (api, msg, id, &caller, 200);
}

void
relay_briefings_api_register (SoupServer *server, RelayApp *app)
{
  BriefingsApi *api = g_new0 (BriefingsApi, 1);
  api->app = app;
  soup_server_add_handler (server, PREFIX, briefings_handler, api, g_free);
}
