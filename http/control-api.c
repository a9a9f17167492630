#include "http/control-api.h"

#include <string.h>

#include "http/http-auth.h"
#include "http/http-util.h"
#include "http/json-members.h"

#define CHAIR_ONLY "only the chair controls the floor, mutes and the layout"

typedef struct {
  RelayApp *app;
  RelayConference *conference;
} ControlApi;

static void
reply_status (SoupServerMessage *msg, ControlApi *api)
{
  g_autoptr (JsonNode) node = relay_conference_describe (api->conference);
  relay_http_json (msg, 200, node);
}

/* The JSON object of a PUT, or NULL after answering 413/415/400. */
static JsonObject *
read_object (SoupServerMessage *msg, JsonParser *parser)
{
  return relay_http_read_json_object (msg, parser, RELAY_CONTROL_MAX_BODY);
}

static void
put_floor (ControlApi *api, SoupServerMessage *msg)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = read_object (msg, parser);
  if (!o)
    return;
  const char *code = relay_json_member_require_string (msg, o, "province");
  if (!code)
    return;
  if (!relay_config_find_province (api->app->config, code))
    {
      g_autofree char *reason = g_strdup_printf ("no province %s in the roster", code);
      relay_http_error (msg, 404, "not-found", reason);
      return;
    }
  relay_conference_set_floor (api->conference, code);
  reply_status (msg, api);
}

static void
put_participant (ControlApi *api, SoupServerMessage *msg, const char *id)
{
  if (!relay_conference_is_participant (api->conference, id))
    {
      g_autofree char *reason = g_strdup_printf ("no participant %s (central or a province code)", id);
      relay_http_error (msg, 404, "not-found", reason);
      return;
    }
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = read_object (msg, parser);
  if (!o)
    return;
  gboolean muted;
  if (!relay_json_member_require_boolean (msg, o, "muted", &muted))
    return;
  relay_conference_set_muted (api->conference, id, muted);
  reply_status (msg, api);
}

static void
put_layout (ControlApi *api, SoupServerMessage *msg)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = read_object (msg, parser);
  if (!o)
    return;
  const char *name = relay_json_member_require_string (msg, o, "layout");
  RelayLayout layout;
  if (!name)
    return;
  if (!relay_layout_from_string (name, &layout))
    {
      relay_http_error (msg, 400, "bad-request", "\"layout\" is \"mosaic\" or \"spotlight\"");
      return;
    }
  relay_conference_set_layout (api->conference, layout);
  reply_status (msg, api);
}

static void
conference_handler (SoupServer *server, SoupServerMessage *msg, const char *path,
                    GHashTable *query, gpointer data)
{
  ControlApi *api = data;
  const char *method = soup_server_message_get_method (msg);
  g_auto (GStrv) seg = relay_http_path_segments (path, "/api/v1/conference");
  guint n = g_strv_length (seg);
  const char *allowed = n == 0                                   ? "GET, HEAD, OPTIONS"
                        : n == 1 && strcmp (seg[0], "floor") == 0 ? "PUT, DELETE, OPTIONS"
                                                                  : "PUT, OPTIONS";
  relay_http_set_cors (msg, allowed);
  gboolean known = (n == 0 && (strcmp (path, "/api/v1/conference") == 0
                               || strcmp (path, "/api/v1/conference/") == 0))
                   || (n == 1 && (strcmp (seg[0], "floor") == 0 || strcmp (seg[0], "layout") == 0))
                   || (n == 2 && strcmp (seg[0], "participants") == 0);
  if (!known)
    {
      relay_http_error (msg, 404, "not-found",
                        "use /api/v1/conference[/floor|/layout|/participants/<id>]");
      return;
    }
  if (strcmp (method, "OPTIONS") == 0)
    {
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }
  if (!relay_http_allow_method (msg, allowed))
    return;
  if (n == 0)
    {
      reply_status (msg, api);
      return;
    }
  if (!relay_http_authorize_viewer (msg, api->app->config, RELAY_ROLE_CHAIR, CHAIR_ONLY))
    return;
  if (strcmp (seg[0], "floor") == 0)
    {
      if (strcmp (method, "DELETE") == 0)
        {
          relay_conference_set_floor (api->conference, NULL);
          reply_status (msg, api);
        }
      else
        put_floor (api, msg);
    }
  else if (strcmp (seg[0], "layout") == 0)
    put_layout (api, msg);
  else
    put_participant (api, msg, seg[1]);
}

void
relay_control_api_register (SoupServer *server, RelayApp *app, RelayConference *conference)
{
  ControlApi *api = g_new0 (ControlApi, 1);
  api->app = app;
  api->conference = conference;
  soup_server_add_handler (server, "/api/v1/conference", conference_handler, api, g_free);
}
