/* What a WHIP (publisher) and a WHEP (viewer) session have in common: the
 * id and ETag, the worker, certificate, ICE settings and offer they were
 * created with, the transport, the reference count, and the hand-offs
 * between the caller's thread and the worker (creation, PATCH, close).
 *
 * A session embeds a RelayPeerSession as its first member and fills in a
 * RelayPeerSessionClass; being first lets its public callbacks, typed on the
 * session, be passed where RelayPeerSession callbacks are taken. */
#pragma once

#include <glib.h>
#include "webrtc/dtls/dtls-certificate.h"
#include "webrtc/ice/ice-agent.h"
#include "webrtc/peer/webrtc-transport.h"
#include "webrtc/sdp/sdp-answer.h"

G_BEGIN_DECLS

typedef struct _RelayPeerSession RelayPeerSession;

typedef struct {
  /* Worker thread, once: open the transport (relay_peer_session_open_transport)
   * and the rest of the session, and write the SDP answer. On FALSE,
   * teardown runs and the session is never handed out. */
  gboolean (*build) (RelayPeerSession *session, char **answer, GError **error);
  /* Worker thread, once, `closed` already set: free what build made, the
   * transport included, in the order the session needs. */
  void (*teardown) (RelayPeerSession *session);
  /* Last reference, any thread: free the session's own fields; the
   * RelayPeerSession fields and the block itself are freed afterwards. */
  void (*finalize) (RelayPeerSession *session);
} RelayPeerSessionClass;

struct _RelayPeerSession {
  const RelayPeerSessionClass *klass;
  gint refcount;
  char *id;
  RelayWorker *worker;
  RelaySdpOffer *offer;
  RelayDtlsCertificate *certificate;
  RelayIceSettings ice; /* its strings are the two copies below */
  char **announced;
  char **interfaces;
  gint close_requested; /* atomic: the worker's reference is dropped once */

  /* Worker thread only. */
  RelayWebrtcTransport *transport;
  gboolean closed;

  GMutex lock; /* etag */
  char *etag;
};

/* One reference, the worker side's, which close() drops. Takes ownership of
 * offer and a reference to certificate; releases worker when finalized.
 * Copies the strings of *ice and points *ice at the copies, so that a copy
 * of its settings the session keeps stays valid. */
void relay_peer_session_init (RelayPeerSession *session, const RelayPeerSessionClass *klass,
                              RelayWorker *worker, RelayDtlsCertificate *certificate,
                              RelayIceSettings *ice, RelaySdpOffer *offer);

RelayPeerSession *relay_peer_session_ref (RelayPeerSession *session);
void relay_peer_session_unref (RelayPeerSession *session);

/* A copy; changes on ICE restart. */
char *relay_peer_session_dup_etag (RelayPeerSession *session);

/* For build: the transport, on the session's worker with its certificate and
 * ICE settings, given the offer's ICE credentials and candidates. On FALSE
 * the transport may exist already; teardown frees it. */
gboolean relay_peer_session_open_transport (RelayPeerSession *session, const char *log_id,
                                            const RelayTransportCallbacks *callbacks,
                                            gpointer user_data, GError **error);
/* For build: the answer to the offer, with params completed by the
 * transport's ICE credentials and candidates and the certificate's
 * fingerprint. */
char *relay_peer_session_build_answer (RelayPeerSession *session,
                                       const RelaySdpAnswerParams *params);

/* Runs on reply_context: the session (a new reference) and its SDP answer,
 * or NULL and the error. */
typedef void (*RelayPeerSessionReadyFunc) (RelayPeerSession *session, const char *answer,
                                           const GError *error, gpointer user_data);
/* Runs build on the worker, then ready. */
void relay_peer_session_create_async (RelayPeerSession *session, GMainContext *reply_context,
                                      RelayPeerSessionReadyFunc ready, gpointer ready_data);

/* Trickled candidates, or an ICE restart (then a new ETag); done runs on
 * reply_context, with G_IO_ERROR_CLOSED once the session is closed. Takes
 * ownership of fragment. */
typedef void (*RelayPeerSessionPatchFunc) (RelayPeerSession *session, gboolean restarted,
                                           const char *fragment_answer, const GError *error,
                                           gpointer user_data);
void relay_peer_session_patch_async (RelayPeerSession *session, RelaySdpFragment *fragment,
                                     GMainContext *reply_context, RelayPeerSessionPatchFunc done,
                                     gpointer user_data);

/* Queues teardown on the worker and drops the worker's reference. Idempotent;
 * any thread. */
void relay_peer_session_close (RelayPeerSession *session);

G_END_DECLS
