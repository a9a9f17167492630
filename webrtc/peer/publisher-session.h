/* A publisher's session (WHIP): the WebRTC transport it publishes over and
 * the receive side of its audio and video (statistics, NACK, keyframe
 * requests, congestion feedback, receiver reports, the ingest limits). What
 * it receives goes to its consumers, which its creator attaches: every
 * packet to `on_media` (forwarding), and the decodable media to a decoder
 * (RelayPublisherDecoderClass; the relay attaches its ingest pipeline). The
 * session runs on one worker thread; the functions below may be called from
 * any thread unless stated. */
#pragma once

#include <glib.h>
#include "webrtc/dtls/dtls-certificate.h"
#include "webrtc/ice/ice-agent.h"
#include "webrtc/peer/ingest-policer.h"
#include "webrtc/sdp/sdp-answer.h"
#include "webrtc/peer/peer-data-channels.h"

G_BEGIN_DECLS

typedef struct _RelayPublisherSession RelayPublisherSession;

typedef enum {
  RELAY_PUBLISHER_CONNECTING,
  RELAY_PUBLISHER_LIVE,
  RELAY_PUBLISHER_LOST,
  RELAY_PUBLISHER_CLOSED,
} RelayPublisherState;

/* Each media packet the session receives, on its worker thread: video after
 * RTX repair, with `keyframe` when it starts a keyframe. For forwarding. */
typedef void (*RelayPublisherMediaFunc) (RelayPublisherSession *session, RelayCodec codec,
                                         gboolean keyframe, gint64 arrival_us, const guint8 *rtp,
                                         gsize len, gpointer user_data);

/* On the worker thread, when the video goes over the ingest limits, is
 * refused, or comes back within them (webrtc/peer/ingest-policer.h). */
typedef void (*RelayPublisherLimitFunc) (RelayPublisherSession *session,
                                         RelayIngestLimitState previous,
                                         const RelayIngestStatus *status, gpointer user_data);

/* A decoder of the session's media, attached by its creator and called on
 * the session's worker. The session holds it from creation: `close` at
 * teardown, after the last packet; `free` when the session itself is
 * freed (its figures stay readable until then). */
typedef struct {
  /* While the session is built, on its worker: the session it decodes for
   * (borrowed; valid until `close`). */
  void (*attach) (gpointer decoder, RelayPublisherSession *session);
  /* Video after RTX repair, only while the ingest limits let it be
   * decoded; audio. Borrowed. */
  void (*video) (gpointer decoder, const guint8 *rtp, gsize len);
  void (*audio) (gpointer decoder, const guint8 *rtp, gsize len);
  /* Twice a second: the picture size it decodes (0 x 0 before the first
   * frame), which the ingest limits judge while the keyframes do not say
   * it. */
  void (*decoded_size) (gpointer decoder, guint *width, guint *height);
  void (*close) (gpointer decoder);
  void (*free) (gpointer decoder);
} RelayPublisherDecoderClass;

typedef struct {
  RelayWorker *worker;
  RelayDtlsCertificate *certificate;
  RelayIceSettings ice;
  RelayPublisherMediaFunc on_media; /* may be NULL */
  gpointer media_data;
  /* The decoder, owned by the session from the create call on (also
   * when it fails); may be NULL (no decoding). */
  const RelayPublisherDecoderClass *decoder_class;
  gpointer decoder;
  guint target_bitrate_kbps;
  guint media_timeout_ms;
  guint offline_grace_s;
  /* No ICE + DTLS by then: closed ("never connected"), so a POST that
   * never follows through holds ports and a worker only briefly. 0: 10 s. */
  guint connect_timeout_s;
  /* What the data channels the office opens are for (an m=application
   * in the offer); NULL: every channel is refused. Not owned; both must
   * outlive the sessions. */
  const RelayPeerChannelHandler *channels;
  gpointer channels_data;
  /* What the office may send; zeroes (unset) mean the defaults. */
  RelayIngestLimits ingest;
  RelayPublisherLimitFunc on_limit; /* may be NULL */
  gpointer limit_data;
} RelayPublisherSettings;

typedef struct {
  gint64 started_unix_us;
  char remote_address[64];
  gint rtt_ms; /* -1 when unknown */
  /* RFC 3550 interarrival jitter of the media, in ms; -1 when unknown. */
  double video_jitter_ms, audio_jitter_ms;
  const char *srtp_profile;
  /* The transport's state name (relay_transport_state_name): "connected",
   * or "disconnected" while ICE has failed or consent has expired. */
  const char *transport;
  gboolean has_video, has_audio;
  RelayCodec video_codec;
  guint64 video_bytes, video_packets, video_lost, video_rtx_packets;
  guint64 nacks_sent;  /* NACK packets sent */
  guint64 nacked_seqs; /* sequence numbers asked for */
  guint64 plis_sent;
  double video_bitrate_kbps;
  guint64 audio_bytes, audio_packets, audio_lost;
  gint audio_level_dbov; /* RFC 6464, 0 loudest .. -127; the loudest of 300 ms */
  gboolean voice_activity;
  guint64 srtp_errors;
  RelayIngestStatus limits;      /* the ingest policer's view */
  gint64 limit_since_unix_us;    /* its latest change of state, 0 before any */
} RelayPublisherSnapshot;

/* Runs on the worker thread whenever the state changes. */
typedef void (*RelayPublisherStateFunc) (RelayPublisherSession *session, RelayPublisherState state,
                                         const char *reason, gpointer user_data);

/* Runs on reply_context: the session (a new reference) and its SDP answer,
 * or NULL and the error. */
typedef void (*RelayPublisherReadyFunc) (RelayPublisherSession *session, const char *answer,
                                         const GError *error, gpointer user_data);

/* Takes ownership of offer. */
void relay_publisher_session_create_async (const char *province_code, RelaySdpOffer *offer,
                                           const RelayPublisherSettings *settings,
                                           RelayPublisherStateFunc on_state, gpointer state_data,
                                           GMainContext *reply_context,
                                           RelayPublisherReadyFunc ready, gpointer ready_data);

/* PATCH: trickled candidates, or an ICE restart when the fragment carries
 * new credentials (then `fragment_answer` holds our new credentials and
 * candidates). Runs `done` on reply_context. Takes ownership of fragment. */
typedef void (*RelayPublisherPatchFunc) (RelayPublisherSession *session, gboolean restarted,
                                         const char *fragment_answer, const GError *error,
                                         gpointer user_data);
void relay_publisher_session_patch_async (RelayPublisherSession *session, RelaySdpFragment *fragment,
                                          GMainContext *reply_context, RelayPublisherPatchFunc done,
                                          gpointer user_data);

/* Someone downstream (a viewer) needs a keyframe; any thread. The request
 * goes out as a PLI within the usual rate limit, even if a keyframe
 * arrived meanwhile (it may have been lost on the viewer's side). */
void relay_publisher_session_request_keyframe (RelayPublisherSession *session);
/* The decoder needs a keyframe; any thread (a GStreamer streaming thread).
 * Asked within the rate limit, and not if one arrives first. */
void relay_publisher_session_decoder_needs_keyframe (RelayPublisherSession *session);
/* The decoder given in the settings (borrowed: lives as the session). */
gpointer relay_publisher_session_get_decoder (RelayPublisherSession *session);

/* Tears down transport and pipeline on the worker; no state callback runs
 * after it. Idempotent. */
void relay_publisher_session_close (RelayPublisherSession *session);

RelayPublisherSession *relay_publisher_session_ref (RelayPublisherSession *session);
void relay_publisher_session_unref (RelayPublisherSession *session);

const char *relay_publisher_session_get_id (RelayPublisherSession *session);
const char *relay_publisher_session_get_province (RelayPublisherSession *session);
/* A copy; changes on ICE restart. */
char *relay_publisher_session_dup_etag (RelayPublisherSession *session);
void relay_publisher_session_get_snapshot (RelayPublisherSession *session,
                                           RelayPublisherSnapshot *snapshot);

/* Live, lock-free, any thread: audio packets received so far and those of
 * them that carried an RFC 6464 level (both wrap), and the loudest level
 * of the last 300 ms with its voice flag (-127 and FALSE when the sender
 * puts none in its packets). */
void relay_publisher_session_get_audio_activity (RelayPublisherSession *session, guint *packets,
                                                 guint *level_packets, gint *level_dbov,
                                                 gboolean *voice);

const char *relay_publisher_state_name (RelayPublisherState state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayPublisherSession, relay_publisher_session_unref)

G_END_DECLS
