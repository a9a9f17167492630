#include "webrtc/peer/peer-session.h"

#include <gio/gio.h>

#include "webrtc/base/random-id.h"

void
relay_peer_session_init (RelayPeerSession *self, const RelayPeerSessionClass *klass,
                         RelayWorker *worker, RelayDtlsCertificate *certificate,
                         RelayIceSettings *ice, RelaySdpOffer *offer)
{
  self->klass = klass;
  self->refcount = 1;
  g_mutex_init (&self->lock);
  self->id = relay_random_hex (16);
  self->etag = g_strdup_printf ("\"%s\"", self->id);
  self->worker = worker;
  self->certificate = relay_dtls_certificate_ref (certificate);
  self->announced = g_strdupv ((char **) ice->announced_addresses);
  self->interfaces = g_strdupv ((char **) ice->interfaces);
  ice->announced_addresses = (const char *const *) self->announced;
  ice->interfaces = (const char *const *) self->interfaces;
  self->ice = *ice;
  self->offer = offer;
}

RelayPeerSession *
relay_peer_session_ref (RelayPeerSession *self)
{
  g_atomic_int_inc (&self->refcount);
  return self;
}

void
relay_peer_session_unref (RelayPeerSession *self)
{
  if (!self || !g_atomic_int_dec_and_test (&self->refcount))
    return;
  /* The worker part is gone by now: close() ran, or creation failed. */
  g_assert (self->transport == NULL);
  self->klass->finalize (self);
  relay_worker_release (self->worker);
  g_clear_pointer (&self->offer, relay_sdp_offer_free);
  g_clear_pointer (&self->certificate, relay_dtls_certificate_unref);
  g_strfreev (self->announced);
  g_strfreev (self->interfaces);
  g_mutex_clear (&self->lock);
  g_free (self->etag);
  g_free (self->id);
  g_free (self);
}

char *
relay_peer_session_dup_etag (RelayPeerSession *self)
{
  g_mutex_lock (&self->lock);
  char *etag = g_strdup (self->etag);
  g_mutex_unlock (&self->lock);
  return etag;
}

gboolean
relay_peer_session_open_transport (RelayPeerSession *self, const char *log_id,
                                   const RelayTransportCallbacks *callbacks, gpointer user_data,
                                   GError **error)
{
  self->transport = relay_webrtc_transport_new (self->worker, &self->ice, self->certificate,
                                                (const char *const *) self->offer->fingerprints,
                                                log_id, callbacks,
                                                user_data, error);
  return self->transport
         && relay_webrtc_transport_set_remote (self->transport, self->offer->ice_ufrag,
                                               self->offer->ice_pwd, self->offer->candidates,
                                               error);
}

char *
relay_peer_session_build_answer (RelayPeerSession *self, const RelaySdpAnswerParams *params)
{
  RelayIceAgent *ice = relay_webrtc_transport_get_ice (self->transport);
  g_auto (GStrv) candidates = relay_ice_agent_get_local_candidates (ice);
  RelaySdpAnswerParams full = *params;
  full.ice_ufrag = relay_ice_agent_get_ufrag (ice);
  full.ice_pwd = relay_ice_agent_get_pwd (ice);
  full.fingerprint = relay_dtls_certificate_get_fingerprint (self->certificate);
  full.candidates = (const char *const *) candidates;
  return relay_sdp_answer_build (self->offer, &full);
}

/* ---- creation, patch, close -------------------------------------------- */

static void
teardown_on_worker (RelayPeerSession *self)
{
  self->closed = TRUE;
  self->klass->teardown (self);
}

typedef struct {
  RelayPeerSession *session;
  RelayPeerSessionReadyFunc ready;
  gpointer ready_data;
  char *answer;
  GError *error;
} CreateTask;

static void
create_on_worker (gpointer data)
{
  CreateTask *task = data;
  RelayPeerSession *self = task->session;
  if (!self->klass->build (self, &task->answer, &task->error))
    {
      /* Nobody will close a session that never existed: drop the worker's
       * reference here (the task still holds one). */
      g_atomic_int_set (&self->close_requested, 1);
      teardown_on_worker (self);
      relay_peer_session_unref (self);
    }
}

static void
create_reply (gpointer data)
{
  CreateTask *task = data;
  task->ready (task->error ? NULL : task->session, task->answer, task->error, task->ready_data);
}

static void
create_task_free (gpointer data)
{
  CreateTask *task = data;
  relay_peer_session_unref (task->session);
  g_free (task->answer);
  g_clear_error (&task->error);
  g_free (task);
}

void
relay_peer_session_create_async (RelayPeerSession *self, GMainContext *reply_context,
                                 RelayPeerSessionReadyFunc ready, gpointer ready_data)
{
  CreateTask *task = g_new0 (CreateTask, 1);
  /* With the worker side's, two references until the reply is done. */
  task->session = relay_peer_session_ref (self);
  task->ready = ready;
  task->ready_data = ready_data;
  relay_worker_call (self->worker, create_on_worker, reply_context, create_reply, task,
                     create_task_free);
}

static gboolean
close_on_worker (gpointer data)
{
  RelayPeerSession *self = data;
  if (!self->closed)
    teardown_on_worker (self);
  relay_peer_session_unref (self); /* the worker's reference */
  return G_SOURCE_REMOVE;
}

void
relay_peer_session_close (RelayPeerSession *self)
{
  if (!g_atomic_int_compare_and_exchange (&self->close_requested, 0, 1))
    return;
  /* Queued, never run inline: close is often asked from inside a transport
   * callback whose objects must outlive the call. */
  relay_worker_invoke (self->worker, close_on_worker, self, NULL);
}

typedef struct {
  RelayPeerSession *session;
  RelaySdpFragment *fragment;
  RelayPeerSessionPatchFunc done;
  gpointer user_data;
  gboolean restarted;
  char *answer;
  GError *error;
} PatchTask;

static void
patch_on_worker (gpointer data)
{
  PatchTask *task = data;
  RelayPeerSession *self = task->session;
  if (self->closed || !self->transport)
    {
      g_set_error (&task->error, G_IO_ERROR, G_IO_ERROR_CLOSED, "session is closed");
      return;
    }
  RelaySdpMedia *first = self->offer->media->len ? self->offer->media->pdata[0] : NULL;
  if (!relay_webrtc_transport_apply_fragment (self->transport, task->fragment,
                                              first ? first->mid : NULL, &task->restarted,
                                              &task->answer, &task->error))
    return;
  if (task->restarted)
    {
      g_autofree char *tag = relay_random_hex (8);
      g_mutex_lock (&self->lock);
      g_free (self->etag);
      self->etag = g_strdup_printf ("\"%s-%s\"", self->id, tag);
      g_mutex_unlock (&self->lock);
    }
}

static void
patch_reply (gpointer data)
{
  PatchTask *task = data;
  task->done (task->session, task->restarted, task->answer, task->error, task->user_data);
}

static void
patch_task_free (gpointer data)
{
  PatchTask *task = data;
  relay_peer_session_unref (task->session);
  relay_sdp_fragment_free (task->fragment);
  g_free (task->answer);
  g_clear_error (&task->error);
  g_free (task);
}

void
relay_peer_session_patch_async (RelayPeerSession *self, RelaySdpFragment *fragment,
                                GMainContext *reply_context, RelayPeerSessionPatchFunc done,
                                gpointer user_data)
{
  PatchTask *task = g_new0 (PatchTask, 1);
  task->session = relay_peer_session_ref (self);
  task->fragment = fragment;
  task->done = done;
  task->user_data = user_data;
  relay_worker_call (self->worker, patch_on_worker, reply_context, patch_reply, task,
                     patch_task_free);
}
