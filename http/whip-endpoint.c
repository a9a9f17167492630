#include "http/whip-endpoint.h"

#include <string.h>

#include "webrtc/base/log.h"
#include "webrtc/sdp/sdp-answer.h"
#include "http/admission.h"
#include "http/http-auth.h"
#include "http/http-util.h"
#include "http/session-resource.h"
#include "relay/router/office-publisher.h"

#define WHIP_METHODS_RESOURCE "GET, PATCH, DELETE, OPTIONS"
#define WHIP_METHODS_ENDPOINT "POST, OPTIONS"
#define CENTRAL_REFUSAL "the central room is published by the operations room's chair"

/* An office's session URL: the registry ends its session. */
static const RelaySessionResourceClass publisher_resource = {
  .dup_etag = (RelaySessionDupEtagFunc) relay_publisher_session_dup_etag,
  .patch_async = (RelaySessionPatchAsyncFunc) relay_publisher_session_patch_async,
  .end = (RelaySessionEndFunc) relay_office_registry_end,
  .ended_by_delete = "DELETE from the publisher",
};

typedef struct {
  RelayApp *app;
  SoupServerMessage *msg;
  char *code;
  char *credential; /* "publisher:<code>": one POST at a time per office */
  gboolean takeover; /* its claim was RELAY_PUBLISH_TAKE_OVER */
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
      g_autofree char *location = g_strdup_printf ("/whip/%s/%s", req->code,
                                                   relay_publisher_session_get_id (session));
      relay_session_resource_created (msg, req->app->config, &publisher_resource, session,
                                      location, answer);
      relay_info (req->code, "WHIP session %.8s created", relay_publisher_session_get_id (session));
    }
  soup_server_message_unpause (msg);
  post_request_free (req);
}

/* An office with its own token; the central room with the chair's. */
static gboolean
authorize_publisher (RelayApp *app, SoupServerMessage *msg, const RelayOfficeConfig *province)
{
  if (strcmp (province->code, RELAY_CENTRAL_ROOM) == 0)
    return relay_http_authorize_viewer (msg, app->config, RELAY_ROLE_CHAIR, CENTRAL_REFUSAL) != NULL;
  return relay_http_check_auth (msg, relay_http_authorize_province (msg, app->config, province));
}

/* "HH:MM:SSZ" of a takeover, for the reasons. */
static char *
takeover_time (gint64 unix_us)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC);
  return g_date_time_format (t, "%H:%M:%SZ");
}

/* The office's claim (relay/router/publish-claim.h) from the POST's Briefing-*
 * headers. *decision is set when TRUE; FALSE after answering 400 for a
 * malformed header or 409 for a refusal. */
static gboolean
claim_office (RelayApp *app, SoupServerMessage *msg, const RelayOfficeConfig *province,
              RelayPublishDecision *decision)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  gboolean valid;
  gboolean takeover
      = relay_publish_parse_takeover (soup_message_headers_get_one (h, "Briefing-Takeover"), &valid);
  if (!valid)
    {
      relay_http_error (msg, 400, "bad-request", "Briefing-Takeover must be true or false");
      return FALSE;
    }
  const char *replaces = soup_message_headers_get_one (h, "Briefing-Replaces");
  if (replaces && !relay_publish_valid_session_id (replaces))
    {
      relay_http_error (msg, 400, "bad-request",
                        "Briefing-Replaces must be the id of the session this device had "
                        "(the last part of its Location)");
      return FALSE;
    }
  *decision = relay_office_registry_claim (app->registry, province->code, takeover, replaces);
  if (!relay_publish_decision_refuses (*decision))
    {
      if (*decision != RELAY_PUBLISH_NEW)
        relay_info (province->code, "WHIP POST: %s", relay_publish_decision_name (*decision));
      return TRUE;
    }
  relay_info (province->code, "WHIP POST refused: %s", relay_publish_decision_name (*decision));
  if (*decision == RELAY_PUBLISH_REFUSE_TAKEN_OVER)
    {
      gint64 at = 0;
      relay_office_registry_taken_over (app->registry, province->code, replaces, &at);
      g_autofree char *when = takeover_time (at);
      g_autofree char *reason = g_strdup_printf (
          "another device took over this office at %s and is live; to send from this device "
          "again, POST with Briefing-Takeover: true",
          when);
      relay_http_error (msg, 409, "taken-over", reason);
    }
  else
    relay_http_error (msg, 409, "office-live-elsewhere",
                      "this office is live from another device; to send from this one instead, "
                      "POST with Briefing-Takeover: true (the other device is then ended)");
  return FALSE;
}

static void
handle_post (RelayApp *app, SoupServerMessage *msg, const RelayOfficeConfig *province)
{
  if (!authorize_publisher (app, msg, province))
    return;
  g_autoptr (GError) error = NULL;
  RelaySdpOffer *offer = relay_session_resource_read_offer (msg, &app->config->sdp_policy, &error);
  if (!offer)
    {
      if (error)
        relay_info (province->code, "WHIP offer refused: %s", error->message);
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
  /* After the admission: with one set-up at a time per office, the
   * session judged here is still the current one when the new one is
   * attached. */
  RelayPublishDecision decision;
  if (!claim_office (app, msg, province, &decision))
    {
      relay_admission_close_session (app->admission, credential);
      relay_sdp_offer_free (offer);
      return;
    }
  PostRequest *req = g_new0 (PostRequest, 1);
  req->app = app;
  req->msg = g_object_ref (msg);
  req->code = g_strdup (province->code);
  req->credential = g_steal_pointer (&credential);
  req->takeover = decision == RELAY_PUBLISH_TAKE_OVER;
  soup_server_message_pause (msg);
  relay_office_publisher_create_async (app, province->code, offer, req->takeover,
                                       on_session_ready, req);
}

/* GET on a session URL: whether it is still the office's, and in which
 * state (a device that lost its connection asks before it POSTs again). */
static void
answer_session_state (RelayApp *app, SoupServerMessage *msg, const RelayOfficeConfig *province,
                      RelayPublisherSession *session)
{
  g_autoptr (JsonNode) status
      = relay_office_registry_describe (app->registry, province->code,
                                          &(RelayStatusAudience){ .own_code = province->code });
  JsonObject *o = json_node_get_object (status);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "session");
  json_builder_add_string_value (b, relay_publisher_session_get_id (session));
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, json_object_get_string_member (o, "state"));
  json_builder_set_member_name (b, "transport");
  json_builder_add_value (b, json_node_copy (json_object_get_member (o, "transport")));
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  relay_http_json (msg, 200, root);
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
  const RelayOfficeConfig *province = relay_office_registry_find (app->registry, seg[0]);
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

  if (strcmp (method, "GET") != 0 && strcmp (method, "PATCH") != 0
      && strcmp (method, "DELETE") != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    WHIP_METHODS_RESOURCE);
      relay_http_error (msg, 405, "method-not-allowed",
                        "a WHIP session takes GET, PATCH or DELETE");
      return;
    }
  if (!authorize_publisher (app, msg, province))
    return;
  g_autoptr (RelayPublisherSession) session
      = relay_office_registry_lookup (app->registry, province->code, seg[1]);
  if (!session)
    {
      gint64 at;
      if (relay_office_registry_taken_over (app->registry, province->code, seg[1], &at))
        {
          /* The displaced device asks here when its connection ends: it
           * must stop retrying rather than take the office back. */
          g_autofree char *when = takeover_time (at);
          g_autofree char *reason = g_strdup_printf (
              "another device took over this office at %s; this session is over", when);
          relay_http_error (msg, 410, "taken-over", reason);
          return;
        }
      relay_http_error (msg, 404, "not-found", "no such session (ended or replaced)");
      return;
    }
  if (strcmp (method, "GET") == 0)
    {
      answer_session_state (app, msg, province, session);
      return;
    }
  relay_session_resource_answer (msg, method, &publisher_resource, app->registry, session,
                                 app->main_context);
}

void
relay_whip_endpoint_register (SoupServer *server, RelayApp *app)
{
  soup_server_add_handler (server, "/whip", whip_handler, app, NULL);
}
