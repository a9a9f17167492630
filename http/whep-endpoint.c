#include "http/whep-endpoint.h"

#include <string.h>

#include "webrtc/base/log.h"
#include "relay/router/output-router.h"
#include "webrtc/peer/viewer-session.h"
#include "http/admission.h"
#include "http/http-auth.h"
#include "http/http-util.h"
#include "http/json-members.h"
#include "http/session-resource.h"

#define WHEP_METHODS_RESOURCE "PATCH, DELETE, OPTIONS"
#define WHEP_METHODS_ENDPOINT "POST, OPTIONS"
#define VIEWER_TIMEOUT_MS 15000
#define SINGLE_PROVINCE_REFUSAL "single-province feeds are for the chair and the minister"
#define MOSAIC_REFUSAL "the mosaic is for the operations room, the minister and viewers"
#define PROGRAM_REFUSAL "the program is for the provinces and the operations room"

struct _RelayWhepEndpoint {
  RelayApp *app;
  GHashTable *sessions; /* id -> Viewer* (main thread only) */
  /* Main thread: the sessions that ended, added up by source. */
  RelayWhepTotals ended[RELAY_WHEP_SOURCE_N];
  RelayMetricsHistogram *forwarding_latency; /* observed on the workers */
};

/* A packet crosses from one worker to another: tens of microseconds when
 * the viewer's worker is idle, milliseconds when it is busy, more when the
 * machine is short of CPU. */
static const double forwarding_bounds_s[] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                              0.01, 0.025, 0.05, 0.1, 0.25 };

/* A viewer session as the endpoint keeps it. */
typedef struct {
  RelayViewerSession *session;
  char *credential; /* what its count is taken from (http/admission.h) */
  char *listener;   /* the participant watching an output, or NULL */
  /* Its channel receives media: only once ICE and DTLS are up. */
  gboolean subscribed;
} Viewer;

static void
viewer_free (gpointer data)
{
  Viewer *v = data;
  relay_viewer_session_unref (v->session);
  g_free (v->credential);
  g_free (v->listener);
  g_free (v);
}

/* ---- session lifetime --------------------------------------------------- */

/* A session's source is "mosaic", "program" or a province code. */
static gboolean
output_from_name (const char *source, RelayOutput *output)
{
  if (strcmp (source, "mosaic") == 0)
    *output = RELAY_OUTPUT_MOSAIC;
  else if (strcmp (source, "program") == 0)
    *output = RELAY_OUTPUT_PROGRAM;
  else
    return FALSE;
  return TRUE;
}

static RelayWhepSource
source_of (const char *source)
{
  RelayOutput output;
  if (!output_from_name (source, &output))
    return RELAY_WHEP_SOURCE_PROVINCE;
  return output == RELAY_OUTPUT_MOSAIC ? RELAY_WHEP_SOURCE_MOSAIC : RELAY_WHEP_SOURCE_PROGRAM;
}

static void
add_viewer_totals (RelayWhepTotals *into, RelayViewerSession *session)
{
  RelayViewerSnapshot s;
  relay_viewer_session_get_snapshot (session, &s);
  into->bytes_sent += s.bytes_sent;
  into->video_packets += s.video_packets;
  into->audio_packets += s.audio_packets;
  into->nacks_received += s.nacks_received;
  into->retransmitted += s.retransmitted;
  into->plis_received += s.plis_received;
}

/* A `viewer` event: who started or stopped watching what, and why it
 * stopped (a dropped viewer is otherwise only a log line). */
static void
publish_viewer_event (RelayWhepEndpoint *self, RelayViewerSession *session, const char *state,
                      const char *reason)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "session");
  json_builder_add_string_value (b, relay_viewer_session_get_id (session));
  json_builder_set_member_name (b, "viewer");
  json_builder_add_string_value (b, relay_viewer_session_get_viewer (session));
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, relay_viewer_session_get_source (session));
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, state);
  if (reason)
    {
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, reason);
    }
  json_builder_end_object (b);
  relay_event_bus_publish (self->app->events, "viewer", json_builder_get_root (b));
}

typedef struct {
  RelayWhepEndpoint *endpoint;
  RelayViewerSession *session;
  char *reason;
} EndRequest;

static void
end_session (RelayWhepEndpoint *self, RelayViewerSession *session, const char *reason)
{
  /* Only the first end counts: a DELETE and a transport failure can race. */
  Viewer *v = NULL;
  g_autofree char *key = NULL;
  if (!g_hash_table_steal_extended (self->sessions, relay_viewer_session_get_id (session),
                                    (gpointer *) &key, (gpointer *) &v))
    return;
  const char *source = relay_viewer_session_get_source (session);
  RelayOutput output;
  if (v->subscribed && output_from_name (source, &output))
    relay_output_router_remove_viewer (self->app->outputs, relay_viewer_session_get_channel (session));
  else if (v->subscribed)
    relay_province_registry_unsubscribe (self->app->registry, source,
                                         relay_viewer_session_get_channel (session));
  relay_viewer_session_close (session);
  add_viewer_totals (&self->ended[source_of (source)], session);
  relay_admission_close_session (self->app->admission, v->credential);
  relay_info (relay_viewer_session_get_source (session), "viewer session %.8s ended: %s",
              relay_viewer_session_get_id (session), reason);
  publish_viewer_event (self, session, "left", reason);
  viewer_free (v);
}

/* ICE and DTLS are up: the viewer starts receiving. */
static void
subscribe (RelayWhepEndpoint *self, Viewer *v)
{
  if (v->subscribed)
    return; /* connected again after an ICE restart */
  v->subscribed = TRUE;
  RelayViewerSession *session = v->session;
  const char *source = relay_viewer_session_get_source (session);
  RelayOutput output;
  if (output_from_name (source, &output))
    /* Also asks the encoder for a keyframe to start the viewer on. */
    relay_output_router_add_viewer (self->app->outputs, output, v->listener,
                                    relay_viewer_session_get_channel (session));
  else
    {
      relay_province_registry_subscribe (self->app->registry, source,
                                         relay_viewer_session_get_channel (session));
      /* Start the viewer on a fresh keyframe rather than the next one. */
      relay_province_registry_request_keyframe (self->app->registry, source);
    }
}

static gboolean
end_on_main (gpointer data)
{
  EndRequest *req = data;
  end_session (req->endpoint, req->session, req->reason);
  return G_SOURCE_REMOVE;
}

static void
end_request_free (gpointer data)
{
  EndRequest *req = data;
  relay_viewer_session_unref (req->session);
  g_free (req->reason);
  g_free (req);
}

static void
on_viewer_closed (RelayViewerSession *session, const char *reason, gpointer user_data)
{
  RelayWhepEndpoint *self = user_data;
  EndRequest *req = g_new0 (EndRequest, 1);
  req->endpoint = self;
  req->session = relay_viewer_session_ref (session);
  req->reason = g_strdup (reason);
  g_main_context_invoke_full (self->app->main_context, G_PRIORITY_DEFAULT, end_on_main, req,
                              end_request_free);
}

typedef struct {
  RelayWhepEndpoint *endpoint;
  char *id;
} ConnectedRequest;

static gboolean
connected_on_main (gpointer data)
{
  ConnectedRequest *req = data;
  Viewer *v = g_hash_table_lookup (req->endpoint->sessions, req->id);
  if (v)
    subscribe (req->endpoint, v);
  return G_SOURCE_REMOVE;
}

static void
connected_request_free (gpointer data)
{
  ConnectedRequest *req = data;
  g_free (req->id);
  g_free (req);
}

static void
on_viewer_connected (RelayViewerSession *session, gpointer user_data)
{
  RelayWhepEndpoint *self = user_data;
  ConnectedRequest *req = g_new0 (ConnectedRequest, 1);
  req->endpoint = self;
  req->id = g_strdup (relay_viewer_session_get_id (session));
  g_main_context_invoke_full (self->app->main_context, G_PRIORITY_DEFAULT, connected_on_main, req,
                              connected_request_free);
}

static void
on_viewer_keyframe_request (RelayViewerSession *session, gpointer user_data)
{
  RelayWhepEndpoint *self = user_data;
  RelayOutput output;
  if (output_from_name (relay_viewer_session_get_source (session), &output))
    relay_output_router_request_keyframe (self->app->outputs, output);
  else
    relay_province_registry_request_keyframe (self->app->registry,
                                              relay_viewer_session_get_source (session));
}

/* A viewer's session URL: the endpoint ends its session (end_session). */
static const RelaySessionResourceClass viewer_resource = {
  .dup_etag = (RelaySessionDupEtagFunc) relay_viewer_session_dup_etag,
  .patch_async = (RelaySessionPatchAsyncFunc) relay_viewer_session_patch_async,
  .end = (RelaySessionEndFunc) end_session,
  .ended_by_delete = "DELETE from the viewer",
};

/* ---- POST --------------------------------------------------------------- */

typedef struct {
  RelayWhepEndpoint *endpoint;
  SoupServerMessage *msg;
  char *source;     /* "mosaic", "program" or a province code */
  char *listener;   /* the participant watching an output, or NULL */
  char *credential; /* its session count, taken (http/admission.h) */
} PostRequest;

static void
on_session_ready (RelayViewerSession *session, const char *answer, const GError *error,
                  gpointer data)
{
  PostRequest *req = data;
  SoupServerMessage *msg = req->msg;
  RelayWhepEndpoint *self = req->endpoint;
  if (!session)
    {
      relay_admission_close_session (self->app->admission, req->credential);
      relay_http_error (msg, 503, "unavailable", error->message);
    }
  else
    {
      /* Not subscribed yet: media flows once it connects (subscribe()). */
      Viewer *v = g_new0 (Viewer, 1);
      v->session = relay_viewer_session_ref (session);
      v->credential = g_steal_pointer (&req->credential);
      v->listener = g_steal_pointer (&req->listener);
      g_hash_table_insert (self->sessions, g_strdup (relay_viewer_session_get_id (session)), v);
      RelayOutput output;
      g_autofree char *location
          = output_from_name (req->source, &output)
                ? g_strdup_printf ("/whep/%s/%s", req->source, relay_viewer_session_get_id (session))
                : g_strdup_printf ("/whep/province/%s/%s", req->source,
                                   relay_viewer_session_get_id (session));
      relay_session_resource_created (msg, self->app->config, &viewer_resource, session, location,
                                      answer);
      relay_info (req->source, "viewer session %.8s created", relay_viewer_session_get_id (session));
      publish_viewer_event (self, session, "joined", NULL);
    }
  soup_server_message_unpause (msg);
  g_object_unref (msg);
  g_free (req->source);
  g_free (req->listener);
  g_free (req->credential);
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
  RelayOutput output;
  if (!output_from_name (source, &output))
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
  if (token && output == RELAY_OUTPUT_PROGRAM)
    for (guint i = 0; i < config->provinces->len; i++)
      {
        RelayProvinceConfig *p = config->provinces->pdata[i];
        if (relay_province_config_check_token (p, token))
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
  const RelayViewerConfig *v = relay_http_authorize_viewer (
      msg, config, RELAY_ROLE_VIEWER, output == RELAY_OUTPUT_MOSAIC ? MOSAIC_REFUSAL : PROGRAM_REFUSAL);
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
   * transcoding (before the province is live, the configured preference
   * decides). The relay's own outputs are in the configured codec. */
  RelaySdpPolicy policy = app->config->sdp_policy;
  policy.need_send = FALSE;
  policy.enable_twcc = FALSE;
  RelayOutput output;
  RelayCodec codec = output_from_name (source, &output)
                         ? app->config->output_codec
                         : relay_province_registry_get_video_codec (app->registry, source);
  if (codec != RELAY_CODEC_NONE)
    {
      memset (policy.video_codecs, 0, sizeof policy.video_codecs);
      policy.video_codecs[0] = codec;
    }
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
          g_autofree char *reason = g_strdup_printf ("the video cannot be sent: %s%s",
                                                     m->reject_reason,
                                                     output_from_name (source, &output)
                                                         ? ""
                                                         : " (the province's own codec, not transcoded)");
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
  /* The session takes its own reference: renewals do not touch it. */
  g_autoptr (RelayDtlsCertificate) certificate = relay_dtls_identity_dup_current (app->dtls);
  RelayViewerSettings settings = {
    .worker = relay_worker_pool_acquire (app->workers),
    .certificate = certificate,
    .ice = {
      .port_min = app->config->port_min,
      .port_max = app->config->port_max,
      .announced_addresses = (const char *const *) app->config->announced_addresses,
      .interfaces = (const char *const *) app->config->interfaces,
      .refused_ranges = app->config->limits.refused_candidate_ranges,
    },
    .media_timeout_ms = VIEWER_TIMEOUT_MS,
    .connect_timeout_s = app->config->limits.connect_timeout_s,
    /* The SFU path only: a mosaic or program packet's time of origin is
     * its input frame's, so its figure would be the encoder's latency. */
    .forwarding_latency = output_from_name (source, &output) ? NULL : self->forwarding_latency,
  };
  static const RelayViewerCallbacks callbacks = {
    .closed = on_viewer_closed,
    .keyframe_request = on_viewer_keyframe_request,
    .connected = on_viewer_connected,
  };
  PostRequest *req = g_new0 (PostRequest, 1);
  req->endpoint = self;
  req->msg = g_object_ref (msg);
  req->source = g_strdup (source);
  req->listener = g_steal_pointer (&listener);
  req->credential = g_steal_pointer (&credential);
  soup_server_message_pause (msg);
  relay_viewer_session_create_async (viewer_name, source, offer, &settings, &callbacks, self,
                                     app->main_context, on_session_ready, req);
}

/* ---- PATCH, DELETE, routing --------------------------------------------- */

static void
handle_resource (RelayWhepEndpoint *self, SoupServerMessage *msg, const char *method,
                 const char *source, const char *id)
{
  g_autofree char *viewer_name = NULL;
  if (!authorize (self, msg, source, NULL, &viewer_name, NULL))
    return;
  Viewer *v = g_hash_table_lookup (self->sessions, id);
  RelayViewerSession *session = v ? v->session : NULL;
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
  relay_session_resource_answer (msg, method, &viewer_resource, self, session,
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
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, self->sessions);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      Viewer *v = value;
      RelayViewerSession *session = v->session;
      RelayViewerSnapshot s;
      relay_viewer_session_get_snapshot (session, &s);
      json_builder_begin_object (b);
      /* connecting: answered, ICE/DTLS not up yet, receiving nothing. */
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, v->subscribed ? "connected" : "connecting");
      json_builder_set_member_name (b, "session");
      json_builder_add_string_value (b, relay_viewer_session_get_id (session));
      json_builder_set_member_name (b, "viewer");
      json_builder_add_string_value (b, relay_viewer_session_get_viewer (session));
      json_builder_set_member_name (b, "source");
      json_builder_add_string_value (b, relay_viewer_session_get_source (session));
      RelayOutput output;
      const char *source = relay_viewer_session_get_source (session);
      relay_json_member_add_string (b, "province",
                                    output_from_name (source, &output) ? NULL : source);
      relay_json_member_add_string (b, "remote_address",
                                    s.remote_address[0] ? s.remote_address : NULL);
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
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->forwarding_latency = relay_metrics_histogram_new (forwarding_bounds_s,
                                                          G_N_ELEMENTS (forwarding_bounds_s));
  soup_server_add_handler (server, "/whep", whep_handler, self, NULL);
  soup_server_add_handler (server, "/api/v1/viewers", viewers_handler, self, NULL);
  return self;
}

void
relay_whep_endpoint_close_all (RelayWhepEndpoint *self)
{
  GList *viewers = g_hash_table_get_values (self->sessions);
  g_autoptr (GPtrArray) sessions = g_ptr_array_new_with_free_func (
      (GDestroyNotify) relay_viewer_session_unref);
  for (GList *l = viewers; l; l = l->next)
    g_ptr_array_add (sessions, relay_viewer_session_ref (((Viewer *) l->data)->session));
  g_list_free (viewers);
  for (guint i = 0; i < sessions->len; i++)
    end_session (self, sessions->pdata[i], "relay stopping");
}

void
relay_whep_endpoint_free (RelayWhepEndpoint *self)
{
  if (!self)
    return;
  relay_whep_endpoint_close_all (self);
  g_hash_table_unref (self->sessions);
  relay_metrics_histogram_free (self->forwarding_latency);
  g_free (self);
}

void
relay_whep_endpoint_get_totals (RelayWhepEndpoint *self, RelayWhepTotals totals[RELAY_WHEP_SOURCE_N])
{
  for (guint i = 0; i < RELAY_WHEP_SOURCE_N; i++)
    totals[i] = self->ended[i];
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, self->sessions);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      RelayViewerSession *session = ((Viewer *) value)->session;
      RelayWhepTotals *t = &totals[source_of (relay_viewer_session_get_source (session))];
      t->sessions++;
      add_viewer_totals (t, session);
    }
}

const RelayMetricsHistogram *
relay_whep_endpoint_get_forwarding_latency (RelayWhepEndpoint *self)
{
  return self->forwarding_latency;
}
