#include "http/status-api.h"

#include <string.h>
#include <sys/resource.h>

#include "relay/router/output-router.h"
#include "relay/recording/briefing-recorder.h"
#include "http/http-auth.h"
#include "http/http-util.h"
#include "http/session-cookie.h"

static gboolean
method_is_get (SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);
  if (strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0)
    return TRUE;
  if (strcmp (method, "OPTIONS") == 0)
    {
      soup_server_message_set_status (msg, 204, NULL);
      return FALSE;
    }
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                "GET, HEAD, OPTIONS");
  relay_http_error (msg, 405, "method-not-allowed", "this resource is read-only");
  return FALSE;
}

/* How much the caller sees (relay/status-audience.h): without a bearer
 * token, the public part. A token is checked as everywhere else: one nobody
 * has is refused (401, error="invalid_token") rather than answered as if
 * none were given, so a page with a mistyped or revoked token learns it
 * instead of silently showing less. FALSE after answering. */
static gboolean
status_audience (SoupServerMessage *msg, RelayConfig *config, RelayStatusAudience *audience)
{
  *audience = (RelayStatusAudience){ 0 };
  g_autofree char *token = relay_http_bearer_token (msg);
  if (!token)
    {
      audience->viewer = relay_session_cookie_viewer (msg) != NULL;
      return TRUE;
    }
  RelayCaller caller;
  if (!relay_http_identify (msg, config, &caller))
    return FALSE;
  audience->viewer = caller.viewer != NULL;
  audience->own_code = caller.office ? caller.office->code : NULL;
  return TRUE;
}

static guint
count_threads (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  guint n = 0;
  if (dir)
    while (g_dir_read_name (dir))
      n++;
  return n;
}

/* The process's own figures: internals, for the viewer roles. */
static void
add_health_internals (JsonBuilder *b, RelayApp *app)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, RELAY_VERSION);
  json_builder_set_member_name (b, "uptime_s");
  json_builder_add_int_value (b, (g_get_monotonic_time () - app->started_us) / G_USEC_PER_SEC);
  json_builder_set_member_name (b, "transport_threads");
  json_builder_add_int_value (b, relay_worker_pool_get_n_threads (app->workers));
  json_builder_set_member_name (b, "threads");
  json_builder_add_int_value (b, count_threads ());
  json_builder_set_member_name (b, "cpu_s");
  json_builder_add_double_value (b, ru.ru_utime.tv_sec + ru.ru_stime.tv_sec
                                        + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
  json_builder_set_member_name (b, "max_rss_kib");
  json_builder_add_int_value (b, ru.ru_maxrss);
}

static void
health_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                gpointer data)
{
  RelayApp *app = data;
  relay_http_set_cors (msg, "GET, OPTIONS");
  RelayStatusAudience audience;
  if (!method_is_get (msg) || !status_audience (msg, app->config, &audience))
    return;
  guint counts[4];
  relay_office_registry_count (app->registry, counts);

  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "ok");
  json_builder_set_member_name (b, "provinces");
  json_builder_begin_object (b);
  static const char *const names[] = { "offline", "connecting", "live", "lost" };
  for (guint i = 0; i < 4; i++)
    {
      json_builder_set_member_name (b, names[i]);
      json_builder_add_int_value (b, counts[i]);
    }
  json_builder_end_object (b);
  if (relay_status_audience_sees_details (&audience, NULL))
    add_health_internals (b, app);
  json_builder_end_object (b);
  g_autoptr (JsonNode) node = json_builder_get_root (b);
  relay_http_json (msg, 200, node);
}

static void
provinces_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                   gpointer data)
{
  RelayApp *app = data;
  relay_http_set_cors (msg, "GET, OPTIONS");
  RelayStatusAudience audience;
  if (!method_is_get (msg) || !status_audience (msg, app->config, &audience))
    return;
  g_auto (GStrv) seg = relay_http_path_segments (path, "/api/v1/provinces");
  guint n = g_strv_length (seg);
  if (n == 0 && (strcmp (path, "/api/v1/provinces") == 0 || strcmp (path, "/api/v1/provinces/") == 0))
    {
      g_autoptr (JsonNode) node = relay_office_registry_describe_all (app->registry, &audience);
      relay_http_json (msg, 200, node);
      return;
    }
  if (n == 1 && g_str_has_prefix (path, "/api/v1/provinces/"))
    {
      g_autoptr (JsonNode) node = relay_office_registry_describe (app->registry, seg[0], &audience);
      if (node)
        {
          relay_http_json (msg, 200, node);
          return;
        }
      g_autofree char *reason = g_strdup_printf ("no province %s in the roster", seg[0]);
      relay_http_error (msg, 404, "not-found", reason);
      return;
    }
  relay_http_error (msg, 404, "not-found", "use /api/v1/provinces or /api/v1/provinces/<code>");
}

/* GET /api/v1/outputs: the mosaic, the program and the conference mix. */
static void
outputs_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                 gpointer data)
{
  RelayApp *app = data;
  relay_http_set_cors (msg, "GET, OPTIONS");
  RelayStatusAudience audience;
  if (!method_is_get (msg) || !status_audience (msg, app->config, &audience))
    return;
  g_autoptr (JsonNode) node = relay_output_router_describe (app->outputs, &audience);
  /* Files, bytes, failures and drops of the recorder: internals. */
  if (app->recorder && relay_status_audience_sees_details (&audience, NULL))
    json_object_set_member (json_node_get_object (node), "recording",
                            relay_briefing_recorder_describe (app->recorder));
  relay_http_json (msg, 200, node);
}

void
relay_status_api_register (SoupServer *server, RelayApp *app)
{
  soup_server_add_handler (server, "/api/v1/health", health_handler, app, NULL);
  soup_server_add_handler (server, "/api/v1/provinces", provinces_handler, app, NULL);
  if (app->outputs)
    soup_server_add_handler (server, "/api/v1/outputs", outputs_handler, app, NULL);
}
