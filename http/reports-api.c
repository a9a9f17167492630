#include "http/reports-api.h"

#include <stdio.h>
#include <string.h>

#include "relay/figures/figures-summary.h"
#include "relay/figures/figures-validate.h"
#include "http/http-auth.h"
#include "http/http-util.h"
#include "http/session-cookie.h"

#define VIEWERS_ONLY "the figures are for the chair, the minister and viewers"

typedef struct {
  RelayApp *app;
  RelayFiguresService *reports;
} ReportsApi;

/* A POST waiting for the writer thread. */
typedef struct {
  SoupServerMessage *msg;
  gboolean disconnected;
  gulong disconnected_id;
  char *reply;
  guint status;
} Pending;

static void
on_disconnected (SoupServerMessage *msg, Pending *p)
{
  p->disconnected = TRUE;
}

/* Keeps the JSON API's convention (every refusal has "error" and "reason")
 * and adds it to the reply the data channel gets too. */
static char *
http_reply (const char *reply, guint status)
{
  if (status == 200 || status == 201)
    return g_strdup (reply);
  g_autoptr (JsonNode) root = json_from_string (reply, NULL);
  JsonObject *o = json_node_get_object (root);
  JsonArray *errors = json_object_get_array_member (o, "errors");
  const char *error = status == 422 && json_object_get_boolean_member_with_default (
                                          o, "needs_confirmation", FALSE) ? "needs-confirmation"
                      : status == 422 ? "invalid-figures" : status == 413 ? "too-large"
                      : status == 429 ? "rate-limited"
                      : status == 503 ? "storage-failed" : "bad-request";
  json_object_set_string_member (o, "error", error);
  if (json_array_get_length (errors))
    json_object_set_string_member (
        o, "reason", json_object_get_string_member (json_array_get_object_element (errors, 0), "reason"));
  return json_to_string (root, FALSE);
}

static gboolean
finish_on_main (gpointer data)
{
  Pending *p = data;
  if (!p->disconnected)
    {
      g_autofree char *body = http_reply (p->reply, p->status);
      soup_server_message_set_status (p->msg, p->status, NULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (p->msg),
                                    "Cache-Control", "no-store");
      soup_server_message_set_response (p->msg, "application/json", SOUP_MEMORY_TAKE,
                                        g_steal_pointer (&body), strlen (body));
      soup_server_message_unpause (p->msg);
    }
  g_signal_handler_disconnect (p->msg, p->disconnected_id);
  g_object_unref (p->msg);
  g_free (p->reply);
  g_free (p);
  return G_SOURCE_REMOVE;
}

/* On the writer thread: the answer goes back to the HTTP server's thread. */
static void
on_done (const char *reply_json, guint http_status, gpointer user_data)
{
  Pending *p = user_data;
  p->reply = g_strdup (reply_json);
  p->status = http_status;
  g_main_context_invoke (NULL, finish_on_main, p);
}

/* The province whose token this is: the token implies the province. NULL
 * after answering 401/403. */
static const RelayOfficeConfig *
authorize_province (SoupServerMessage *msg, RelayConfig *config)
{
  g_autofree char *token = relay_http_bearer_token (msg);
  if (!token && relay_session_cookie_viewer (msg))
    {
      relay_http_error (msg, 403, "forbidden", "figures are submitted with a province's token");
      return NULL;
    }
  if (!token)
    {
      relay_http_check_auth (msg, RELAY_AUTH_MISSING);
      return NULL;
    }
  for (guint i = 0; i < config->provinces->len; i++)
    if (relay_office_config_check_token (config->provinces->pdata[i], token))
      return config->provinces->pdata[i];
  if (relay_config_find_viewer (config, token))
    relay_http_error (msg, 403, "forbidden", "figures are submitted with a province's token");
  else
    relay_http_check_auth (msg, RELAY_AUTH_WRONG);
  return NULL;
}

static void
post_report (ReportsApi *api, SoupServerMessage *msg, GHashTable *query)
{
  const RelayOfficeConfig *province = authorize_province (msg, api->app->config);
  if (!province)
    return;
  const char *named = query ? g_hash_table_lookup (query, "province") : NULL;
  if (named && strcmp (named, province->code) != 0)
    {
      relay_http_error (msg, 403, "forbidden", "the token belongs to another province");
      return;
    }
  g_autofree char *ct = relay_http_content_type (msg);
  if (g_strcmp0 (ct, "application/json") != 0)
    {
      relay_http_error (msg, 415, "unsupported-media-type", "Content-Type must be application/json");
      return;
    }
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  if (body->length > RELAY_REPORT_MAX_BYTES)
    {
      relay_http_error (msg, 413, "too-large", "the body is over 16 KiB");
      return;
    }
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  Pending *p = g_new0 (Pending, 1);
  p->msg = g_object_ref (msg);
  p->disconnected_id = g_signal_connect (msg, "disconnected", G_CALLBACK (on_disconnected), p);
  soup_server_message_pause (msg);
  relay_figures_service_submit (api->reports, province->code, data, len, RELAY_REPORT_VIA_HTTPS,
                               soup_server_message_get_remote_host (msg), on_done, p);
}

static gboolean
wants_csv (SoupServerMessage *msg, const char *path)
{
  if (g_str_has_suffix (path, ".csv"))
    return TRUE;
  const char *accept = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Accept");
  return accept && strstr (accept, "text/csv") && !strstr (accept, "application/json");
}

static void
get_figures (ReportsApi *api, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  RelayConfig *config = api->app->config;
  if (!relay_http_authorize_viewer (msg, config, RELAY_ROLE_VIEWER, VIEWERS_ONLY))
    return;
  g_autofree char *date = relay_http_query_date (msg, query);
  if (!date)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = relay_figures_service_latest (api->reports, date, &error);
  if (!rows)
    {
      relay_http_error (msg, 503, "storage-failed", error->message);
      return;
    }
  if (wants_csv (msg, path))
    {
      gsize len;
      char *csv = relay_figures_csv (config, date, rows, &len);
      g_autofree char *disposition = g_strdup_printf ("attachment; filename=\"figures-%s.csv\"", date);
      SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
      soup_message_headers_replace (h, "Content-Disposition", disposition);
      soup_message_headers_replace (h, "Cache-Control", "no-store");
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/csv; charset=utf-8", SOUP_MEMORY_TAKE, csv, len);
      return;
    }
  g_autoptr (JsonNode) summary = relay_figures_summary (config, date, rows);
  relay_http_json (msg, 200, summary);
}

static void
get_schema (ReportsApi *api, SoupServerMessage *msg)
{
  char *json = relay_figures_schema_to_json (relay_figures_service_get_schema (api->reports));
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, json, strlen (json));
}

/* Every version of a province's day: viewers, or the province itself. */
static void
get_history (ReportsApi *api, SoupServerMessage *msg, GHashTable *query)
{
  RelayConfig *config = api->app->config;
  const char *code = query ? g_hash_table_lookup (query, "province") : NULL;
  RelayOfficeConfig *province = code ? relay_config_find_province (config, code) : NULL;
  if (!province)
    {
      relay_http_error (msg, 400, "bad-request", "province must be a province code of the roster");
      return;
    }
  RelayAuthResult own = relay_http_authorize_province (msg, config, province);
  if (own != RELAY_AUTH_OK
      && !relay_http_authorize_viewer (msg, config, RELAY_ROLE_VIEWER,
                                       "the token belongs to another province"))
    return;
  g_autofree char *date = relay_http_query_date (msg, query);
  if (!date)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = relay_figures_service_history (api->reports, province->code, date,
                                                             &error);
  if (!rows)
    {
      relay_http_error (msg, 503, "storage-failed", error->message);
      return;
    }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "province");
  json_builder_add_string_value (b, province->code);
  json_builder_set_member_name (b, "date");
  json_builder_add_string_value (b, date);
  json_builder_set_member_name (b, "versions");
  json_builder_begin_array (b);
  for (guint i = 0; i < rows->len; i++)
    {
      RelayReportRow *row = rows->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "version");
      json_builder_add_int_value (b, row->version);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, row->client_id);
      json_builder_set_member_name (b, "received_at");
      json_builder_add_string_value (b, row->received_at);
      json_builder_set_member_name (b, "channel");
      json_builder_add_string_value (b, row->channel);
      json_builder_set_member_name (b, "remote_address");
      json_builder_add_string_value (b, row->remote_address);
      json_builder_set_member_name (b, "values");
      json_builder_add_value (b, json_from_string (row->values_json, NULL));
      json_builder_set_member_name (b, "warnings");
      json_builder_add_value (b, relay_figures_warnings_node (row->warnings_json));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  relay_http_json (msg, 200, root);
}

static gboolean
preflight_or_method (SoupServerMessage *msg, const char *allowed)
{
  const char *method = soup_server_message_get_method (msg);
  relay_http_set_cors (msg, allowed);
  if (strcmp (method, "OPTIONS") == 0)
    {
      soup_server_message_set_status (msg, 204, NULL);
      return FALSE;
    }
  return relay_http_allow_method (msg, allowed);
}

static void
reports_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                 gpointer data)
{
  ReportsApi *api = data;
  if (strcmp (path, "/api/v1/reports") == 0)
    {
      if (preflight_or_method (msg, "POST, OPTIONS"))
        post_report (api, msg, query);
    }
  else if (strcmp (path, "/api/v1/reports/history") == 0)
    {
      if (preflight_or_method (msg, "GET, HEAD, OPTIONS"))
        get_history (api, msg, query);
    }
  else
    relay_http_error (msg, 404, "not-found", "use /api/v1/reports or /api/v1/reports/history");
}

static void
figures_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                 gpointer data)
{
  ReportsApi *api = data;
  if (strcmp (path, "/api/v1/figures/schema") == 0)
    {
      if (preflight_or_method (msg, "GET, HEAD, OPTIONS"))
        get_schema (api, msg);
    }
  else if (strcmp (path, "/api/v1/figures") == 0 || strcmp (path, "/api/v1/figures.csv") == 0)
    {
      if (preflight_or_method (msg, "GET, HEAD, OPTIONS"))
        get_figures (api, msg, path, query);
    }
  else
    relay_http_error (msg, 404, "not-found", "use /api/v1/figures[.csv] or /api/v1/figures/schema");
}

void
relay_reports_api_register (SoupServer *server, RelayApp *app, RelayFiguresService *reports)
{
  ReportsApi *api = g_new0 (ReportsApi, 1);
  api->app = app;
  api->reports = reports;
  soup_server_add_handler (server, "/api/v1/reports", reports_handler, api, g_free);
  soup_server_add_handler (server, "/api/v1/figures", figures_handler, api, NULL);
  soup_server_add_handler (server, "/api/v1/figures.csv", figures_handler, api, NULL);
}
