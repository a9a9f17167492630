#include "http/metrics-endpoint.h"

#include <string.h>

#include "http/http-auth.h"
#include "http/http-util.h"
#include "http/metrics-collect.h"

/* The exposition format's version 0.0.4, which every Prometheus reads. */
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* FALSE after answering the refusal. */
static gboolean
authorize (SoupServerMessage *msg, RelayConfig *config)
{
  const RelayMetricsConfig *metrics = &config->metrics;
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  g_autofree char *token = relay_http_bearer_token (msg);
  if (token)
    {
      if (relay_metrics_config_check_token (metrics, token))
        return TRUE;
      RelayCaller caller;
      if (relay_http_identify_token (config, token, &caller))
        {
          /* Known credentials without the right: asking again cannot help. */
          relay_http_error (msg, 403, "forbidden",
                            "metrics need the [metrics] token; an office's or a viewer's token "
                            "does not give them");
          return FALSE;
        }
      soup_message_headers_replace (h, "WWW-Authenticate",
                                    "Bearer realm=\"briefing-relay\", error=\"invalid_token\"");
      relay_http_error (msg, 401, "unauthorized", "the token is not valid");
      return FALSE;
    }
  if (relay_metrics_config_address_allowed (metrics,
                                            soup_server_message_get_remote_host (msg)))
    return TRUE;
  if (metrics->has_token)
    {
      soup_message_headers_replace (h, "WWW-Authenticate", "Bearer realm=\"briefing-relay\"");
      relay_http_error (msg, 401, "unauthorized",
                        metrics->allowed->len
                            ? "send the metrics token (Authorization: Bearer), or scrape from "
                              "an address in [metrics] allowed-addresses"
                            : "send the metrics token (Authorization: Bearer)");
      return FALSE;
    }
  relay_http_error (msg, 403, "address-not-allowed",
                    metrics->allowed->len
                        ? "this address is not in [metrics] allowed-addresses"
                        : "metrics are off: configure a [metrics] token or allowed-addresses");
  return FALSE;
}

static void
metrics_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                 gpointer data)
{
  const RelayMetricsSources *sources = data;
  relay_http_set_cors (msg, "GET, HEAD, OPTIONS");
  if (strcmp (path, "/metrics") != 0)
    {
      relay_http_error (msg, 404, "not-found", "use /metrics");
      return;
    }
  const char *method = soup_server_message_get_method (msg);
  if (strcmp (method, "OPTIONS") == 0)
    {
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }
  if (!relay_http_allow_method (msg, "GET, HEAD, OPTIONS"))
    return;
  if (!authorize (msg, sources->app->config))
    return;
  g_autoptr (RelayMetricsText) text = relay_metrics_text_new ();
  relay_metrics_collect (sources, text);
  gsize len;
  const char *body = relay_metrics_text_get (text, &len);
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, CONTENT_TYPE, SOUP_MEMORY_COPY, body, len);
}

void
relay_metrics_endpoint_register (SoupServer *server, RelayApp *app, RelayViewerRegistry *viewers)
{
  RelayMetricsSources *sources = g_new0 (RelayMetricsSources, 1);
  sources->app = app;
  sources->viewers = viewers;
  soup_server_add_handler (server, "/metrics", metrics_handler, sources, g_free);
}
