#include "signaling/whip-endpoint.h"

#include <string.h>

#include "relay/log.h"
#include "relay/sdp/sdp-answer.h"
#include "signaling/admission.h"
#include "signaling/http-util.h"

#define WHIP_METHODS_RESOURCE "PATCH, DELETE, OPTIONS"
#define WHIP_METHODS_ENDPOINT "POST, OPTIONS"
#define CENTRAL_REFUSAL "the central room is published by the operations room's chair"

typedef struct {
  RelayApp *app;
  SoupServerMessage *msg;
  char *code;
  char *credential; /* "publisher:<code>": one POST at a time per office */
} PostRequest;

static void
post_request_free (PostRequest *req)
{
  g_object_unref (req->msg);
  g_free (req->code);
  g_free (req->credential);
  g_free (req);
}

static void
on_session_ready (RelayPublisherSession *session, const char *answer, const GError *error,
                  gpointer data)
{
  PostRequest *req = data;
  SoupServerMessage *msg = req->msg;
  relay_admission_close_session (req->app->admission, req->credential);
  if (!session)
    {
      relay_warn (req->code, "WHIP session could not start: %s", error->message);
      relay_http_error (msg, 503, "unavailable", error->message);
    }
  else
    {
      relay_province_registry_attach (req->app->registry, session);
      SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
      g_autofree char *location = g_strdup_printf ("/whip/%s/%s", req->code,
                                                   relay_publisher_session_get_id (session));
      g_autofree char *etag = relay_publisher_session_dup_etag (session);
      soup_message_headers_replace (h, "Location", location);
      soup_message_headers_replace (h, "ETag", etag);
      soup_message_headers_replace (h, "Accept-Patch", "application/trickle-ice-sdpfrag");
      relay_http_add_ice_server_links (msg, req->app->config);
      soup_server_message_set_status (msg, 201, NULL);
      soup_server_message_set_response (msg, "application/sdp", SOUP_MEMORY_COPY, answer,
                                        strlen (answer));
      relay_info (req->code, "WHIP session %.8s created", relay_publisher_session_get_id (session));
    }
  soup_server_message_unpause (msg);
  post_request_free (req);
}

/* An office with its own token; the central room with the chair's. */
static gboolean
authorize_publisher (RelayApp *app, SoupServerMessage *msg, const RelayProvinceConfig *province)
{
  if (strcmp (province->code, RELAY_CENTRAL_ROOM) == 0)
    return relay_http_authorize_viewer (msg, app->config, RELAY_ROLE_CHAIR, CENTRAL_REFUSAL) != NULL;
  return relay_http_check_auth (msg, relay_http_authorize_province (msg, app->config, province));
}

static void
handle_post (RelayApp *app, SoupServerMessage *msg, const RelayProvinceConfig *province)
{
  if (!authorize_publisher (app, msg, province))
    return;
  g_autoptr (GBytes) body = NULL;
  if (!relay_http_read_body (msg, "application/sdp", RELAY_MAX_SDP_BODY, &body))
    return;
  gsize len;
  const char *text = g_bytes_get_data (body, &len);
  g_autoptr (GError) error = NULL;
  RelaySdpOffer *offer = relay_sdp_offer_parse (text, len, &app->config->sdp_policy, &error);
  if (!offer)
    {
      gboolean malformed = g_error_matches (error, RELAY_SDP_ERROR, RELAY_SDP_ERROR_MALFORMED);
      relay_info (province->code, "WHIP offer refused: %s", error->message);
      relay_http_error (msg, malformed ? 400 : 406, malformed ? "bad-sdp" : "not-acceptable",
                        error->message);
      return;
    }

  /* An office publishes one session, and a new POST replaces it (a
   * reconnecting device must not wait for its old session to time out):
   * what is bounded is the set-up, one at a time per office. */
  g_autofree char *credential = g_strconcat ("publisher:", province->code, NULL);
  if (!relay_admission_open_session (app->admission, msg, credential, 1))
    {
      relay_sdp_offer_free (offer);
      return;
    }
  /* The session takes its own reference: renewals do not touch it. */
  g_autoptr (RelayDtlsCertificate) certificate = relay_dtls_identity_dup_current (app->dtls);
  RelayPublisherSettings settings = {
    .worker = relay_worker_pool_acquire (app->workers),
    .certificate = certificate,
    .on_media = relay_province_registry_on_session_media,
    .media_data = app->registry,
    .decoded = app->decoded_sink,
    .ice = {
      .port_min = app->config->port_min,
      .port_max = app->config->port_max,
      .announced_addresses = (const char *const *) app->config->announced_addresses,
      .interfaces = (const char *const *) app->config->interfaces,
      .refused_ranges = app->config->limits.refused_candidate_ranges,
    },
    .target_bitrate_kbps = app->config->target_bitrate_kbps,
    .media_timeout_ms = app->config->media_timeout_ms,
    .offline_grace_s = app->config->offline_grace_s,
    .connect_timeout_s = app->config->limits.connect_timeout_s,
    .reports = app->reports,
    .ingest = app->config->ingest,
    .on_limit = relay_province_registry_on_session_limit,
    .limit_data = app->registry,
    .join_time = relay_province_registry_get_join_time (app->registry),
  };
  PostRequest *req = g_new0 (PostRequest, 1);
  req->app = app;
  req->msg = g_object_ref (msg);
  req->code = g_strdup (province->code);
  req->credential = g_steal_pointer (&credential);
  soup_server_message_pause (msg);
  relay_publisher_session_create_async (province->code, offer, &settings,
                                        relay_province_registry_on_session_state, app->registry,
                                        app->main_context, on_session_ready, req);
}

typedef struct {
  SoupServerMessage *msg;
} PatchRequest;

static void
on_patched (RelayPublisherSession *session, gboolean restarted, const char *fragment,
            const GError *error, gpointer data)
{
  SoupServerMessage *msg = data;
  g_autofree char *etag = relay_publisher_session_dup_etag (session);
  relay_http_patch_reply (msg, restarted, fragment, etag, error);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
}

static void
handle_patch (RelayApp *app, SoupServerMessage *msg, RelayPublisherSession *session)
{
  g_autofree char *etag = relay_publisher_session_dup_etag (session);
  if (!relay_http_check_if_match (msg, etag))
    return;
  RelaySdpFragment *frag = relay_http_read_fragment (msg);
  if (!frag)
    return;
  soup_server_message_pause (msg);
  relay_publisher_session_patch_async (session, frag, app->main_context, on_patched,
                                       g_object_ref (msg));
}

static void
whip_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
              gpointer data)
{
  RelayApp *app = data;
  const char *method = soup_server_message_get_method (msg);
  g_auto (GStrv) seg = relay_http_path_segments (path, "/whip");
  guint n = g_strv_length (seg);
  gboolean is_resource = n == 2;
  relay_http_set_cors (msg, is_resource ? WHIP_METHODS_RESOURCE : WHIP_METHODS_ENDPOINT);

  if (n < 1 || n > 2 || !g_str_has_prefix (path, "/whip/"))
    {
      relay_http_error (msg, 404, "not-found", "use /whip/<province code> or /whip/central");
      return;
    }
  const RelayProvinceConfig *province = relay_province_registry_find (app->registry, seg[0]);
  if (!province)
    {
      g_autofree char *reason = g_strdup_printf ("no province %s in the roster", seg[0]);
      relay_http_error (msg, 404, "not-found", reason);
      return;
    }
  if (strcmp (method, "OPTIONS") == 0)
    {
      /* The ice-server Links carry TURN credentials: they go out only on the
       * authenticated 201 (RFC 9725 section 4.6), never to a pre-flight
       * anyone may send. */
      if (is_resource)
        soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                      "Accept-Patch", "application/trickle-ice-sdpfrag");
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }
  if (!is_resource)
    {
      if (strcmp (method, "POST") != 0)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                        WHIP_METHODS_ENDPOINT);
          relay_http_error (msg, 405, "method-not-allowed", "the WHIP endpoint takes POST");
          return;
        }
      handle_post (app, msg, province);
      return;
    }

  if (strcmp (method, "PATCH") != 0 && strcmp (method, "DELETE") != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    WHIP_METHODS_RESOURCE);
      relay_http_error (msg, 405, "method-not-allowed", "a WHIP session takes PATCH or DELETE");
      return;
    }
  if (!authorize_publisher (app, msg, province))
    return;
  g_autoptr (RelayPublisherSession) session
      = relay_province_registry_lookup (app->registry, province->code, seg[1]);
  if (!session)
    {
      relay_http_error (msg, 404, "not-found", "no such session (ended or replaced)");
      return;
    }
  if (strcmp (method, "DELETE") == 0)
    {
      relay_province_registry_end (app->registry, session, "DELETE from the publisher");
      soup_server_message_set_status (msg, 200, NULL);
      return;
    }
  handle_patch (app, msg, session);
}

void
relay_whip_endpoint_register (SoupServer *server, RelayApp *app)
{
  soup_server_add_handler (server, "/whip", whip_handler, app, NULL);
}
