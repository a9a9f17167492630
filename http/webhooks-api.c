#include "http/webhooks-api.h"

#include <string.h>

#include "http/http-auth.h"
#include "http/http-util.h"

static void
webhooks_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                  gpointer data)
{
  RelayApp *app = data;
  relay_http_set_cors (msg, "GET, OPTIONS");
  const char *method = soup_server_message_get_method (msg);
  if (strcmp (method, "OPTIONS") == 0)
    {
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }
  if (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    "GET, HEAD, OPTIONS");
      relay_http_error (msg, 405, "method-not-allowed", "this resource is read-only");
      return;
    }
  /* Error texts may quote the receiver's replies: not for the wall screens. */
  if (!relay_http_authorize_viewer (msg, app->config, RELAY_ROLE_MINISTER,
                                    "the webhooks are for the chair and the minister"))
    return;
  RelayWebhookDelivery *delivery = relay_figures_service_get_webhooks (app->reports);
  JsonObject *o = json_object_new ();
  if (delivery)
    json_object_set_member (o, "webhooks", relay_webhook_delivery_stats (delivery));
  else
    json_object_set_array_member (o, "webhooks", json_array_new ());
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (root, o);
  relay_http_json (msg, 200, root);
}

void
relay_webhooks_api_register (SoupServer *server, RelayApp *app)
{
  soup_server_add_handler (server, "/api/v1/webhooks", webhooks_handler, app, NULL);
}
