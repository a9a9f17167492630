/* A WHEP viewer watching one province through the SFU path: the
 * publisher's RTP is forwarded without transcoding, with SSRC, sequence
 * numbers and timestamps rewritten so the viewer sees one continuous stream
 * across publisher reconnects; the viewer's NACKs are answered from a cache
 * and its PLI/FIR are relayed to the publisher. Its transport runs on one
 * worker; packets reach it through a RelayPacketChannel. */
#pragma once

#include <glib.h>
#include "webrtc/dtls/dtls-certificate.h"
#include "webrtc/ice/ice-agent.h"
#include "webrtc/worker/packet-channel.h"
#include "webrtc/base/metrics-histogram.h"
#include "webrtc/base/media.h"
#include "webrtc/sdp/sdp-answer.h"

G_BEGIN_DECLS

typedef struct _RelayViewerSession RelayViewerSession;

typedef struct {
  RelayWorker *worker;
  RelayDtlsCertificate *certificate;
  RelayIceSettings ice;
  guint media_timeout_ms; /* no RTCP from the viewer for this long: closed */
  guint connect_timeout_s; /* no ICE + DTLS by then: closed ("never connected") */
  /* Each forwarded packet's time from its arrival (as the channel's packet
   * says) to its copy being sent is observed here too, on the worker; may
   * be NULL. Must outlive the session. */
  RelayMetricsHistogram *forwarding_latency;
} RelayViewerSettings;

typedef struct {
  /* Worker thread: the session ended (DTLS failed, viewer gone). */
  void (*closed) (RelayViewerSession *session, const char *reason, gpointer user_data);
  /* Worker thread: the viewer asked for a keyframe (PLI or FIR). */
  void (*keyframe_request) (RelayViewerSession *session, gpointer user_data);
  /* Worker thread: ICE and DTLS are up (again, after a restart). The owner
   * subscribes the session's channel only now, so a session that never
   * connects costs the publishers' fan-out nothing. */
  void (*connected) (RelayViewerSession *session, gpointer user_data);
} RelayViewerCallbacks;

typedef struct {
  gint64 started_unix_us;
  char remote_address[64];
  gint rtt_ms;
  guint64 video_packets, audio_packets, bytes_sent;
  guint64 nacks_received, retransmitted, plis_received;
  /* NACKed packets not resent (webrtc/rtp/nack-responder.h): asked again
   * within an RTT, over the viewer's resend budget, past the entries read
   * of one NACK. */
  guint64 resend_refused_repeat, resend_refused_budget, resend_refused_excess;
  guint64 dropped_waiting_keyframe, channel_dropped;
  /* Slots of the retransmission cache: it grows with the stream's rate. */
  guint retransmission_cache_slots;
  /* From the publisher's packet being decrypted to the viewer's copy being
   * sent, in µs (-1 before any packet). */
  gint64 forward_p50_us, forward_p99_us, forward_max_us;
} RelayViewerSnapshot;

typedef void (*RelayViewerReadyFunc) (RelayViewerSession *session, const char *answer,
                                      const GError *error, gpointer user_data);
typedef void (*RelayViewerPatchFunc) (RelayViewerSession *session, gboolean restarted,
                                      const char *fragment_answer, const GError *error,
                                      gpointer user_data);

/* source: the province code watched (for logs and keyframe requests).
 * Takes ownership of offer. ready runs on reply_context with a new
 * reference. */
void relay_viewer_session_create_async (const char *viewer_name, const char *source,
                                        RelaySdpOffer *offer, const RelayViewerSettings *settings,
                                        const RelayViewerCallbacks *callbacks, gpointer user_data,
                                        GMainContext *reply_context, RelayViewerReadyFunc ready,
                                        gpointer ready_data);
void relay_viewer_session_patch_async (RelayViewerSession *session, RelaySdpFragment *fragment,
                                       GMainContext *reply_context, RelayViewerPatchFunc done,
                                       gpointer user_data);
/* Idempotent; no callback runs once it has returned, so the owner may go
 * away then. Not from inside a callback (it waits for a running one). */
void relay_viewer_session_close (RelayViewerSession *session);

/* The channel the publisher side sends to (borrowed; valid while the
 * session is referenced). */
RelayPacketChannel *relay_viewer_session_get_channel (RelayViewerSession *session);

RelayViewerSession *relay_viewer_session_ref (RelayViewerSession *session);
void relay_viewer_session_unref (RelayViewerSession *session);
const char *relay_viewer_session_get_id (RelayViewerSession *session);
const char *relay_viewer_session_get_source (RelayViewerSession *session);
const char *relay_viewer_session_get_viewer (RelayViewerSession *session);
char *relay_viewer_session_dup_etag (RelayViewerSession *session);
void relay_viewer_session_get_snapshot (RelayViewerSession *session, RelayViewerSnapshot *snapshot);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayViewerSession, relay_viewer_session_unref)

G_END_DECLS
