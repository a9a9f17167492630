#include "relay/router/viewer-registry.h"

#include <string.h>

#include "relay/router/ice-settings.h"
#include "relay/router/output-router.h"
#include "webrtc/base/log.h"

/* No RTCP from a viewer for this long: it is gone. */
#define VIEWER_TIMEOUT_MS 15000

struct _RelayViewerRegistry {
  RelayApp *app;
  GHashTable *viewers; /* session id -> Viewer* */
  /* The sessions that ended, added up by source. */
  RelayViewerTotals ended[RELAY_VIEWER_SOURCE_N];
  RelayMetricsHistogram *forwarding_latency; /* observed on the workers */
};

/* A packet crosses from one worker to another: tens of microseconds when
 * the viewer's worker is idle, milliseconds when it is busy, more when the
 * machine is short of CPU. */
static const double forwarding_bounds_s[] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                              0.01, 0.025, 0.05, 0.1, 0.25 };

/* A viewer as the registry keeps it. */
typedef struct {
  RelayViewerSession *session;
  char *listener; /* the participant watching an output, or NULL */
  RelayViewerReleaseFunc release;
  gpointer release_data;
  /* Its channel receives media: only once ICE and DTLS are up. */
  gboolean subscribed;
} Viewer;

static void
viewer_free (Viewer *v)
{
  relay_viewer_session_unref (v->session);
  g_free (v->listener);
  g_free (v);
}

/* A source is "mosaic", "program" or a province code. */
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

RelayViewerSource
relay_viewer_source_of (const char *source)
{
  RelayOutput output;
  if (!output_from_name (source, &output))
    return RELAY_VIEWER_SOURCE_PROVINCE;
  return output == RELAY_OUTPUT_MOSAIC ? RELAY_VIEWER_SOURCE_MOSAIC : RELAY_VIEWER_SOURCE_PROGRAM;
}

static void
add_viewer_totals (RelayViewerTotals *into, RelayViewerSession *session)
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

void
relay_viewer_add_names (JsonBuilder *b, RelayViewerSession *session)
{
  json_builder_set_member_name (b, "session");
  json_builder_add_string_value (b, relay_viewer_session_get_id (session));
  json_builder_set_member_name (b, "viewer");
  json_builder_add_string_value (b, relay_viewer_session_get_viewer (session));
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, relay_viewer_session_get_source (session));
}

/* A `viewer` event: who started or stopped watching what, and why it
 * stopped (a dropped viewer is otherwise only a log line). */
static void
publish_viewer_event (RelayViewerRegistry *self, RelayViewerSession *session, const char *state,
                      const char *reason)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  relay_viewer_add_names (b, session);
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

/* ---- a viewer's lifetime ------------------------------------------------ */

void
relay_viewer_registry_end (RelayViewerRegistry *self, RelayViewerSession *session,
                           const char *reason)
{
  /* Only the first end counts: a DELETE and a transport failure can race. */
  Viewer *v = NULL;
  g_autofree char *key = NULL;
  if (!g_hash_table_steal_extended (self->viewers, relay_viewer_session_get_id (session),
                                    (gpointer *) &key, (gpointer *) &v))
    return;
  const char *source = relay_viewer_session_get_source (session);
  RelayOutput output;
  if (v->subscribed && output_from_name (source, &output))
    relay_output_router_remove_viewer (self->app->outputs,
                                       relay_viewer_session_get_channel (session));
  else if (v->subscribed)
    relay_office_registry_unsubscribe (self->app->registry, source,
                                         relay_viewer_session_get_channel (session));
  relay_viewer_session_close (session);
  add_viewer_totals (&self->ended[relay_viewer_source_of (source)], session);
  v->release (v->release_data);
  relay_info (relay_viewer_session_get_source (session), "viewer session %.8s ended: %s",
              relay_viewer_session_get_id (session), reason);
  publish_viewer_event (self, session, "left", reason);
  viewer_free (v);
}

/* ICE and DTLS are up: the viewer starts receiving. */
static void
subscribe (RelayViewerRegistry *self, Viewer *v)
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
      relay_office_registry_subscribe (self->app->registry, source,
                                         relay_viewer_session_get_channel (session));
      /* Start the viewer on a fresh keyframe rather than the next one. */
      relay_office_registry_request_keyframe (self->app->registry, source);
    }
}

/* ---- the sessions' callbacks, from their workers ------------------------- */

typedef struct {
  RelayViewerRegistry *registry;
  RelayViewerSession *session;
  char *reason;
} EndRequest;

static gboolean
end_on_main (gpointer data)
{
  EndRequest *req = data;
  relay_viewer_registry_end (req->registry, req->session, req->reason);
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
  RelayViewerRegistry *self = user_data;
  EndRequest *req = g_new0 (EndRequest, 1);
  req->registry = self;
  req->session = relay_viewer_session_ref (session);
  req->reason = g_strdup (reason);
  g_main_context_invoke_full (self->app->main_context, G_PRIORITY_DEFAULT, end_on_main, req,
                              end_request_free);
}

typedef struct {
  RelayViewerRegistry *registry;
  char *id;
} ConnectedRequest;

static gboolean
connected_on_main (gpointer data)
{
  ConnectedRequest *req = data;
  Viewer *v = g_hash_table_lookup (req->registry->viewers, req->id);
  if (v)
    subscribe (req->registry, v);
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
  RelayViewerRegistry *self = user_data;
  ConnectedRequest *req = g_new0 (ConnectedRequest, 1);
  req->registry = self;
  req->id = g_strdup (relay_viewer_session_get_id (session));
  g_main_context_invoke_full (self->app->main_context, G_PRIORITY_DEFAULT, connected_on_main, req,
                              connected_request_free);
}

static void
on_viewer_keyframe_request (RelayViewerSession *session, gpointer user_data)
{
  RelayViewerRegistry *self = user_data;
  RelayOutput output;
  if (output_from_name (relay_viewer_session_get_source (session), &output))
    relay_output_router_request_keyframe (self->app->outputs, output);
  else
    relay_office_registry_request_keyframe (self->app->registry,
                                              relay_viewer_session_get_source (session));
}

/* ---- creation ----------------------------------------------------------- */

void
relay_viewer_registry_offer_policy (RelayViewerRegistry *self, const char *source,
                                    RelaySdpPolicy *policy)
{
  RelayApp *app = self->app;
  *policy = app->config->sdp_policy;
  policy->need_send = FALSE;
  policy->enable_twcc = FALSE;
  RelayOutput output;
  RelayCodec codec = output_from_name (source, &output)
                         ? app->config->output_codec
                         : relay_office_registry_get_video_codec (app->registry, source);
  if (codec != RELAY_CODEC_NONE)
    {
      memset (policy->video_codecs, 0, sizeof policy->video_codecs);
      policy->video_codecs[0] = codec;
    }
}

typedef struct {
  RelayViewerRegistry *registry;
  char *listener;
  RelayViewerReleaseFunc release;
  gpointer release_data;
  RelayViewerReadyFunc ready;
  gpointer ready_data;
} Creation;

static void
on_session_ready (RelayViewerSession *session, const char *answer, const GError *error,
                  gpointer data)
{
  Creation *c = data;
  RelayViewerRegistry *self = c->registry;
  if (!session)
    {
      c->release (c->release_data);
      c->ready (NULL, NULL, error, c->ready_data);
    }
  else
    {
      /* Not subscribed yet: media flows once it connects (subscribe()). */
      Viewer *v = g_new0 (Viewer, 1);
      v->session = relay_viewer_session_ref (session);
      v->listener = g_steal_pointer (&c->listener);
      v->release = c->release;
      v->release_data = c->release_data;
      g_hash_table_insert (self->viewers, g_strdup (relay_viewer_session_get_id (session)), v);
      c->ready (session, answer, NULL, c->ready_data);
      relay_info (relay_viewer_session_get_source (session), "viewer session %.8s created",
                  relay_viewer_session_get_id (session));
      publish_viewer_event (self, session, "joined", NULL);
    }
  g_free (c->listener);
  g_free (c);
}

void
relay_viewer_registry_create_async (RelayViewerRegistry *self, const char *viewer_name,
                                    const char *source, const char *listener,
                                    RelaySdpOffer *offer, RelayViewerReleaseFunc release,
                                    gpointer release_data, RelayViewerReadyFunc ready,
                                    gpointer ready_data)
{
  RelayApp *app = self->app;
  /* The session takes its own reference: renewals do not touch it. */
  g_autoptr (RelayDtlsCertificate) certificate = relay_dtls_identity_dup_current (app->dtls);
  RelayViewerSettings settings = {
    .worker = relay_worker_pool_acquire (app->workers),
    .certificate = certificate,
    .media_timeout_ms = VIEWER_TIMEOUT_MS,
    .connect_timeout_s = app->config->limits.connect_timeout_s,
    /* The SFU path only: a mosaic or program packet's time of origin is
     * its input frame's, so its figure would be the encoder's latency. */
    .forwarding_latency = relay_viewer_source_of (source) == RELAY_VIEWER_SOURCE_PROVINCE
                              ? self->forwarding_latency
                              : NULL,
  };
  relay_router_ice_settings (app->config, &settings.ice);
  static const RelayViewerCallbacks callbacks = {
    .closed = on_viewer_closed,
    .keyframe_request = on_viewer_keyframe_request,
    .connected = on_viewer_connected,
  };
  Creation *c = g_new0 (Creation, 1);
  c->registry = self;
  c->listener = g_strdup (listener);
  c->release = release;
  c->release_data = release_data;
  c->ready = ready;
  c->ready_data = ready_data;
  relay_viewer_session_create_async (viewer_name, source, offer, &settings, &callbacks, self,
                                     app->main_context, on_session_ready, c);
}

/* ---- what the registry reports ------------------------------------------ */

RelayViewerSession *
relay_viewer_registry_lookup (RelayViewerRegistry *self, const char *id)
{
  Viewer *v = g_hash_table_lookup (self->viewers, id);
  return v ? v->session : NULL;
}

void
relay_viewer_registry_foreach (RelayViewerRegistry *self, RelayViewerFunc func, gpointer user_data)
{
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, self->viewers);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      Viewer *v = value;
      func (v->session, v->subscribed, user_data);
    }
}

void
relay_viewer_registry_get_totals (RelayViewerRegistry *self,
                                  RelayViewerTotals totals[RELAY_VIEWER_SOURCE_N])
{
  for (guint i = 0; i < RELAY_VIEWER_SOURCE_N; i++)
    totals[i] = self->ended[i];
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, self->viewers);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      RelayViewerSession *session = ((Viewer *) value)->session;
      const char *source = relay_viewer_session_get_source (session);
      RelayViewerTotals *t = &totals[relay_viewer_source_of (source)];
      t->sessions++;
      add_viewer_totals (t, session);
    }
}

const RelayMetricsHistogram *
relay_viewer_registry_get_forwarding_latency (RelayViewerRegistry *self)
{
  return self->forwarding_latency;
}

/* ---- the registry's lifetime -------------------------------------------- */

RelayViewerRegistry *
relay_viewer_registry_new (RelayApp *app)
{
  RelayViewerRegistry *self = g_new0 (RelayViewerRegistry, 1);
  self->app = app;
  self->viewers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->forwarding_latency = relay_metrics_histogram_new (forwarding_bounds_s,
                                                          G_N_ELEMENTS (forwarding_bounds_s));
  return self;
}

void
relay_viewer_registry_close_all (RelayViewerRegistry *self)
{
  GList *viewers = g_hash_table_get_values (self->viewers);
  g_autoptr (GPtrArray) sessions = g_ptr_array_new_with_free_func (
      (GDestroyNotify) relay_viewer_session_unref);
  for (GList *l = viewers; l; l = l->next)
    g_ptr_array_add (sessions, relay_viewer_session_ref (((Viewer *) l->data)->session));
  g_list_free (viewers);
  for (guint i = 0; i < sessions->len; i++)
    relay_viewer_registry_end (self, sessions->pdata[i], "relay stopping");
}

void
relay_viewer_registry_free (RelayViewerRegistry *self)
{
  if (!self)
    return;
  relay_viewer_registry_close_all (self);
  g_hash_table_unref (self->viewers);
  relay_metrics_histogram_free (self->forwarding_latency);
  g_free (self);
}
