#include "http/whep-endpoint.h"

#include <string.h>

#include "relay/router/viewer-registry.h"
#include "http/admission.h"
#include "http/http-auth.h"
#include "http/http-util.h"
#include "http/json-members.h"
#include "http/session-resource.h"

#define WHEP_METHODS_RESOURCE "PATCH, DELETE, OPTIONS"
#define WHEP_METHODS_ENDPOINT "POST, OPTIONS"
#define SINGLE_PROVINCE_REFUSAL "single-province feeds are for the chair and the minister"
#define MOSAIC_REFUSAL "the mosaic is for the operations room, the minister and viewers"
#define PROGRAM_REFUSAL "the program is for the provinces and the operations room"

struct _RelayWhepEndpoint {
  RelayApp *app; /* its viewer registry keeps the sessions */
};

/* What a viewer's admission took: its session count, given back when the
 * viewer ends (relay/router/viewer-registry.h's release). */
typedef struct {
  RelayAdmission *admission;
  char *credential;
} AdmittedViewer;

static void
release_admission (gpointer data)
{
  AdmittedViewer *a = data;
  relay_admission_close_session (a->admission, a->credential);
  g_free (a->credential);
  g_free (a);
}

static gboolean
is_output (const char *source)
{
  return relay_viewer_source_of (source) != RELAY_VIEWER_SOURCE_PROVINCE;
}

/* A viewer's session URL: the viewer registry ends its session. */
static const RelaySessionResourceClass viewer_resource = {
  .dup_etag = (RelaySessionDupEtagFunc) relay_viewer_session_dup_etag,
  .patch_async = (RelaySessionPatchAsyncFunc) relay_viewer_session_patch_async,
  .end = (RelaySessionEndFunc) relay_viewer_registry_end,
  .ended_by_delete = "DELETE from the viewer",
};

/* ---- POST --------------------------------------------------------------- */

typedef struct {
  RelayWhepEndpoint *endpoint;
  SoupServerMessage *msg;
  char *source; /* "mosaic", "program" or a province code */
} PostRequest;

static void
on_session_ready (RelayViewerSession *session, const char *answer, const GError *error,
                  gpointer data)
{
  PostRequest *req = data;
  SoupServerMessage *msg = req->msg;
  RelayWhepEndpoint *self = req->endpoint;
  /* A failed session's admission count is already given back. */
  if (!session)
    relay_http_error (msg, 503, "unavailable", error->message);
  else
    {
      const char *id = relay_viewer_session_get_id (session);
      g_autofree char *location = is_output (req->source)
                                      ? g_strdup_printf ("/whep/%s/%s", req->source, id)
                                      : g_strdup_printf ("/whep/province/%s/%s", req->source, id);
      relay_session_resource_created (msg, self->app->config, &viewer_resource, session, location,
                                      answer);
    }
  soup_server_message_unpause (msg);
  g_object_unref (msg);
  g_free (req->source);
  g_free (req);
}

/* Who may watch what: a province's own feed is for the chair and the
 * minister; the mosaic for any viewer credential; the program also for the
 * provinces (their own token), who then hear the mix without themselves.
 * *listener is the participant watching (the chair is the central room).
 * FALSE after answering 401/403. */
static gboolean
authorize (RelayWhepEndpoint *self, SoupServerMessage *msg, const char *source, char **listener,
           char **viewer_name, char **credential)
{
  RelayConfig *config = self->app->config;
  RelayViewerSource kind = relay_viewer_source_of (source);
  if (kind == RELAY_VIEWER_SOURCE_PROVINCE)
    {
      const RelayViewerConfig *v
          = relay_http_authorize_viewer (msg, config, RELAY_ROLE_MINISTER, SINGLE_PROVINCE_REFUSAL);
      if (v && viewer_name)
        *viewer_name = g_strdup (v->name);
      if (v && credential)
        *credential = g_strconcat ("viewer:", v->name, NULL);
      return v != NULL;
    }
  g_autofree char *token = relay_http_bearer_token (msg);
  if (token && kind == RELAY_VIEWER_SOURCE_PROGRAM)
    for (guint i = 0; i < config->provinces->len; i++)
      {
        RelayOfficeConfig *p = config->provinces->pdata[i];
        if (relay_office_config_check_token (p, token))
          {
            if (listener)
              *listener = g_strdup (p->code);
            if (viewer_name)
              *viewer_name = g_strdup (p->code);
            if (credential)
              *credential = g_strconcat ("office:", p->code, NULL);
            return TRUE;
          }
      }
  const RelayViewerConfig *v
      = relay_http_authorize_viewer (msg, config, RELAY_ROLE_VIEWER,
                                     kind == RELAY_VIEWER_SOURCE_MOSAIC ? MOSAIC_REFUSAL
                                                                        : PROGRAM_REFUSAL);
  if (!v)
    return FALSE;
  if (listener && v->role == RELAY_ROLE_CHAIR)
    *listener = g_strdup (RELAY_CENTRAL_ROOM);
  if (viewer_name)
    *viewer_name = g_strdup (v->name);
  if (credential)
    *credential = g_strconcat ("viewer:", v->name, NULL);
  return TRUE;
}

static void
handle_post (RelayWhepEndpoint *self, SoupServerMessage *msg, const char *source)
{
  RelayApp *app = self->app;
  g_autofree char *listener = NULL, *viewer_name = NULL, *credential = NULL;
  if (!authorize (self, msg, source, &listener, &viewer_name, &credential))
    return;
  /* A province's viewer gets the publisher's codec as it is: no
   * transcoding. */
  RelaySdpPolicy policy;
  relay_viewer_registry_offer_policy (app->viewers, source, &policy);
  RelaySdpOffer *offer = relay_session_resource_read_offer (msg, &policy, NULL);
  if (!offer)
    return;
  /* A viewer that asks for video must get it, or be told why: an answer
   * with its video m-line rejected would leave it watching nothing. */
  for (guint i = 0; !offer->video && i < offer->media->len; i++)
    {
      const RelaySdpMedia *m = offer->media->pdata[i];
      if (m->kind == RELAY_MEDIA_VIDEO && m->no_common_codec)
        {
          const char *why = is_output (source) ? ""
                                               : " (the province's own codec, not transcoded)";
          g_autofree char *reason
              = g_strdup_printf ("the video cannot be sent: %s%s", m->reject_reason, why);
          relay_sdp_offer_free (offer);
          relay_http_error (msg, 406, "not-acceptable", reason);
          return;
        }
    }
  guint cap = g_str_has_prefix (credential, "office:") ? app->config->limits.office_viewer_sessions
                                                      : app->config->limits.viewer_sessions;
  if (!relay_admission_open_session (app->admission, msg, credential, cap))
    {
      relay_sdp_offer_free (offer);
      return;
    }
  AdmittedViewer *admitted = g_new0 (AdmittedViewer, 1);
  admitted->admission = app->admission;
  admitted->credential = g_steal_pointer (&credential);
  PostRequest *req = g_new0 (PostRequest, 1);
  req->endpoint = self;
  req->msg = g_object_ref (msg);
  req->source = g_strdup (source);
  soup_server_message_pause (msg);
  relay_viewer_registry_create_async (app->viewers, viewer_name, source, listener, offer,
                                      release_admission, admitted, on_session_ready, req);
}

/* ---- PATCH, DELETE, routing --------------------------------------------- */

static void
handle_resource (RelayWhepEndpoint *self, SoupServerMessage *msg, const char *method,
                 const char *source, const char *id)
{
  g_autofree char *viewer_name = NULL;
  if (!authorize (self, msg, source, NULL, &viewer_name, NULL))
    return;
  RelayViewerSession *session = relay_viewer_registry_lookup (self->app->viewers, id);
  if (!session || strcmp (relay_viewer_session_get_source (session), source) != 0)
    {
      relay_http_error (msg, 404, "not-found", "no such session (ended)");
      return;
    }
  /* The session URL alone is not enough: a wall display that learnt the
   * minister's session URL must not end or restart it. */
  if (g_strcmp0 (relay_viewer_session_get_viewer (session), viewer_name) != 0)
    {
      relay_http_error (msg, 403, "forbidden", "this session belongs to another viewer");
      return;
    }
  relay_session_resource_answer (msg, method, &viewer_resource, self->app->viewers, session,
                                 self->app->main_context);
}

static void
whep_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
              gpointer data)
{
  RelayWhepEndpoint *self = data;
  const char *method = soup_server_message_get_method (msg);
  g_auto (GStrv) seg = relay_http_path_segments (path, "/whep");
  guint n = g_strv_length (seg);
  /* /whep/mosaic[/id], /whep/program[/id], /whep/province/<code>[/id] */
  const char *source = NULL;
  const char *id = NULL;
  gboolean shape_ok = FALSE;
  if (g_str_has_prefix (path, "/whep/") && n >= 1)
    {
      if (strcmp (seg[0], "mosaic") == 0 || strcmp (seg[0], "program") == 0)
        {
          shape_ok = n <= 2;
          source = seg[0];
          id = n == 2 ? seg[1] : NULL;
        }
      else if (strcmp (seg[0], "province") == 0)
        {
          shape_ok = n >= 2 && n <= 3;
          source = n >= 2 ? seg[1] : NULL;
          id = n == 3 ? seg[2] : NULL;
        }
    }
  gboolean is_resource = id != NULL;
  relay_http_set_cors (msg, is_resource ? WHEP_METHODS_RESOURCE : WHEP_METHODS_ENDPOINT);
  if (!shape_ok)
    {
      relay_http_error (msg, 404, "not-found",
                        "use /whep/mosaic, /whep/program or /whep/province/<province code>");
      return;
    }
  if (strcmp (seg[0], "province") == 0 && !relay_config_find_province (self->app->config, source))
    {
      g_autofree char *reason = g_strdup_printf ("no province %s in the roster", source);
      relay_http_error (msg, 404, "not-found", reason);
      return;
    }
  if (strcmp (method, "OPTIONS") == 0)
    {
      /* No ice-server Links here: they carry TURN credentials, given only
       * with the authenticated 201. */
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }
  const char *allowed = is_resource ? WHEP_METHODS_RESOURCE : WHEP_METHODS_ENDPOINT;
  gboolean ok = is_resource ? (strcmp (method, "PATCH") == 0 || strcmp (method, "DELETE") == 0)
                            : strcmp (method, "POST") == 0;
  if (!ok)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    allowed);
      relay_http_error (msg, 405, "method-not-allowed", "see the Allow header");
      return;
    }
  if (is_resource)
    handle_resource (self, msg, method, source, id);
  else
    handle_post (self, msg, source);
}

/* One viewer of GET /api/v1/viewers, as the registry reports it. */
static void
add_viewer_entry (RelayViewerSession *session, gboolean connected, gpointer data)
{
  JsonBuilder *b = data;
  RelayViewerSnapshot s;
  relay_viewer_session_get_snapshot (session, &s);
  json_builder_begin_object (b);
  /* connecting: answered, ICE/DTLS not up yet, receiving nothing. */
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, connected ? "connected" : "connecting");
  relay_viewer_add_names (b, session);
  const char *source = relay_viewer_session_get_source (session);
  relay_json_member_add_string (b, "province", is_output (source) ? NULL : source);
  relay_json_member_add_string (b, "remote_address", s.remote_address[0] ? s.remote_address : NULL);
  relay_json_member_add_count (b, "rtt_ms", s.rtt_ms);
  relay_json_member_add_count (b, "video_packets", s.video_packets);
  relay_json_member_add_count (b, "audio_packets", s.audio_packets);
  relay_json_member_add_count (b, "bytes_sent", s.bytes_sent);
  relay_json_member_add_count (b, "nacks_received", s.nacks_received);
  relay_json_member_add_count (b, "retransmitted", s.retransmitted);
  relay_json_member_add_count (b, "resend_refused_repeat", s.resend_refused_repeat);
  relay_json_member_add_count (b, "resend_refused_budget", s.resend_refused_budget);
  relay_json_member_add_count (b, "resend_refused_excess", s.resend_refused_excess);
  relay_json_member_add_count (b, "plis_received", s.plis_received);
  relay_json_member_add_count (b, "dropped_waiting_keyframe", s.dropped_waiting_keyframe);
  relay_json_member_add_count (b, "channel_dropped", s.channel_dropped);
  relay_json_member_add_count (b, "retransmission_cache_slots", s.retransmission_cache_slots);
  relay_json_member_add_count (b, "forward_p50_us", s.forward_p50_us);
  relay_json_member_add_count (b, "forward_p99_us", s.forward_p99_us);
  relay_json_member_add_count (b, "forward_max_us", s.forward_max_us);
  json_builder_end_object (b);
}

/* GET /api/v1/viewers: who watches what, and how the forwarding fares. */
static void
viewers_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                 gpointer data)
{
  RelayWhepEndpoint *self = data;
  relay_http_set_cors (msg, "GET, OPTIONS");
  const char *method = soup_server_message_get_method (msg);
  if (strcmp (method, "OPTIONS") == 0)
    {
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }
  if (strcmp (method, "GET") != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    "GET, OPTIONS");
      relay_http_error (msg, 405, "method-not-allowed", "this resource is read-only");
      return;
    }
  if (!relay_http_authorize_viewer (msg, self->app->config, RELAY_ROLE_MINISTER,
                                    "the list of viewers is for the chair and the minister"))
    return;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "viewers");
  json_builder_begin_array (b);
  relay_viewer_registry_foreach (self->app->viewers, add_viewer_entry, b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) node = json_builder_get_root (b);
  relay_http_json (msg, 200, node);
}

RelayWhepEndpoint *
relay_whep_endpoint_new (SoupServer *server, RelayApp *app)
{
  RelayWhepEndpoint *self = g_new0 (RelayWhepEndpoint, 1);
  self->app = app;
  soup_server_add_handler (server, "/whep", whep_handler, self, NULL);
  soup_server_add_handler (server, "/api/v1/viewers", viewers_handler, self, NULL);
  return self;
}

void
relay_whep_endpoint_free (RelayWhepEndpoint *self)
{
  g_free (self);
}
