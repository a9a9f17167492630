/* One peer's bundled, rtcp-muxed WebRTC transport: ICE (libnice), DTLS 1.2
 * (OpenSSL) and SRTP (libsrtp2), with datagrams told apart per RFC 7983.
 * Lives on one worker thread: every call and callback happens there. */
#pragma once

#include <glib.h>
#include "webrtc/dtls/dtls-certificate.h"
#include "webrtc/ice/ice-agent.h"
#include "webrtc/sdp/sdp-answer.h"

G_BEGIN_DECLS

typedef enum {
  RELAY_TRANSPORT_NEW,
  RELAY_TRANSPORT_CONNECTING, /* ICE checks or DTLS handshake under way */
  RELAY_TRANSPORT_CONNECTED,  /* SRTP keys in place */
  RELAY_TRANSPORT_DISCONNECTED, /* ICE failed or consent expired: an ICE
                                 * restart (PATCH) can bring it back */
  RELAY_TRANSPORT_FAILED,     /* DTLS refused or SRTP impossible: final */
  RELAY_TRANSPORT_CLOSED,     /* DTLS close_notify from the peer */
} RelayTransportState;

typedef struct {
  /* A decrypted RTP packet; buf may be modified, len is its length. */
  void (*rtp) (guint8 *buf, gsize len, gint64 arrival_us, gpointer user_data);
  /* A decrypted compound RTCP packet. */
  void (*rtcp) (guint8 *buf, gsize len, gint64 arrival_us, gpointer user_data);
  void (*state_changed) (RelayTransportState state, const char *reason, gpointer user_data);
  /* A DTLS application data record (SCTP for data channels); may be NULL. */
  void (*application_data) (const guint8 *data, gsize len, gpointer user_data);
} RelayTransportCallbacks;

typedef struct {
  guint64 bytes_received, bytes_sent;
  guint64 srtp_errors;      /* packets that failed to decrypt */
  guint64 unknown_datagrams; /* neither DTLS nor RTP/RTCP */
  char remote_address[64];
  const char *srtp_profile;
} RelayTransportStats;

typedef struct _RelayWebrtcTransport RelayWebrtcTransport;

/* log_id names the peer in log lines (a province code). remote_fingerprints:
 * the offer's accepted a=fingerprint values ("<hash> <value>"), any of which
 * the peer's DTLS certificate must match. */
RelayWebrtcTransport *relay_webrtc_transport_new (RelayWorker *worker,
                                                  const RelayIceSettings *ice_settings,
                                                  RelayDtlsCertificate *certificate,
                                                  const char *const *remote_fingerprints,
                                                  const char *log_id,
                                                  const RelayTransportCallbacks *callbacks,
                                                  gpointer user_data, GError **error);
/* No callback runs after this returns. */
void relay_webrtc_transport_free (RelayWebrtcTransport *transport);

RelayIceAgent *relay_webrtc_transport_get_ice (RelayWebrtcTransport *transport);

/* The remote ICE credentials and candidates of the offer. */
gboolean relay_webrtc_transport_set_remote (RelayWebrtcTransport *transport, const char *ufrag,
                                            const char *pwd, GPtrArray *candidates, GError **error);

/* A PATCH body (RFC 8840): trickled candidates, or an ICE restart when its
 * credentials differ from the current remote ones; then *restarted is TRUE
 * and *answer holds our new credentials and candidates (mid names the
 * m-line of the bundle). */
gboolean relay_webrtc_transport_apply_fragment (RelayWebrtcTransport *transport,
                                                const RelaySdpFragment *fragment, const char *mid,
                                                gboolean *restarted, char **answer, GError **error);

/* Protects and sends; FALSE when not connected or on error. buf needs
 * RELAY_SRTP_MAX_TRAILER bytes of room after len. */
gboolean relay_webrtc_transport_send_rtcp (RelayWebrtcTransport *transport, guint8 *buf, gsize len);
gboolean relay_webrtc_transport_send_rtp (RelayWebrtcTransport *transport, guint8 *buf, gsize len);

/* One DTLS application data record (an SCTP packet), at most 16384 bytes;
 * FALSE when DTLS is not connected. */
gboolean relay_webrtc_transport_send_application (RelayWebrtcTransport *transport,
                                                  const guint8 *data, gsize len);

RelayTransportState relay_webrtc_transport_get_state (RelayWebrtcTransport *transport);
void relay_webrtc_transport_get_stats (RelayWebrtcTransport *transport, RelayTransportStats *stats);

const char *relay_transport_state_name (RelayTransportState state);

G_END_DECLS
