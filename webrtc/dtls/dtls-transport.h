/* DTLS 1.2 over an ICE component, with memory BIOs: the caller feeds the
 * records it receives and sends the records this layer produces. Runs on one
 * GMainContext (the peer's transport worker); not thread-safe. */
#pragma once

#include <glib.h>
#include "webrtc/dtls/dtls-certificate.h"
#include "webrtc/srtp/srtp-keys.h"

G_BEGIN_DECLS

typedef enum {
  RELAY_DTLS_ROLE_SERVER, /* we answered a=setup:passive */
  RELAY_DTLS_ROLE_CLIENT, /* we answered a=setup:active (test peers only) */
} RelayDtlsRole;

typedef enum {
  RELAY_DTLS_STATE_NEW,
  RELAY_DTLS_STATE_CONNECTING,
  RELAY_DTLS_STATE_CONNECTED,
  RELAY_DTLS_STATE_FAILED,
  RELAY_DTLS_STATE_CLOSED,
} RelayDtlsState;

typedef struct {
  /* A DTLS datagram to send to the remote peer. */
  void (*send) (const guint8 *data, gsize len, gpointer user_data);
  /* Handshake done and the peer's certificate matched the SDP fingerprint.
   * keys is wiped when the callback returns: copy what must be kept, and
   * wipe the copy (relay_srtp_keys_clear) when done with it. */
  void (*connected) (const RelaySrtpKeys *keys, gpointer user_data);
  /* Handshake failed, timed out, or the fingerprint did not match. */
  void (*failed) (const char *reason, gpointer user_data);
  /* Application data (SCTP for data channels); may be NULL. */
  void (*application_data) (const guint8 *data, gsize len, gpointer user_data);
  /* The peer sent close_notify; may be NULL. */
  void (*closed) (gpointer user_data);
} RelayDtlsCallbacks;

typedef struct _RelayDtlsTransport RelayDtlsTransport;

/* remote_fingerprints: the remote SDP's a=fingerprint values, each
 * "<hash> <value>" ("sha-256 AB:CD:..", either case), NULL-terminated;
 * copied. The peer's certificate must match at least one entry whose hash
 * the relay accepts (dtls-fingerprint.h); others are ignored. It is
 * checked in every handshake OpenSSL runs, and renegotiation is refused,
 * so the keys always belong to the certificate that was checked; a
 * mismatch fails with the reason "fingerprint mismatch". Timers (handshake
 * retransmission, overall 30 s handshake limit) are attached to context
 * (NULL: the thread-default context). Never returns NULL for valid
 * arguments: if OpenSSL setup fails, start() reports it through the
 * failed callback. Takes a reference on cert. */
RelayDtlsTransport *relay_dtls_transport_new (RelayDtlsCertificate *cert,
                                              RelayDtlsRole role,
                                              const char *const *remote_fingerprints,
                                              GMainContext *context,
                                              const RelayDtlsCallbacks *callbacks,
                                              gpointer user_data);

/* Starts the handshake: a client sends its ClientHello, a server waits. */
void relay_dtls_transport_start (RelayDtlsTransport *dtls);

/* Feeds one received datagram (first byte 20..63 per RFC 7983). Starts the
 * transport first if start() has not been called yet. Must not be called
 * from inside this transport's send callback. */
void relay_dtls_transport_receive (RelayDtlsTransport *dtls, const guint8 *data, gsize len);

/* Sends application data (one record, at most 16384 bytes) once connected;
 * FALSE if not connected, too long, or the write failed (a fatal write
 * failure also runs the failed callback). */
gboolean relay_dtls_transport_send_application (RelayDtlsTransport *dtls,
                                                const guint8 *data, gsize len);

RelayDtlsState relay_dtls_transport_get_state (RelayDtlsTransport *dtls);

/* The negotiated cipher suite's OpenSSL name once connected (static
 * string), else NULL. */
const char *relay_dtls_transport_get_cipher_suite (RelayDtlsTransport *dtls);

/* Sends close_notify if connected, cancels timers; no callback runs after
 * (the close_notify goes out through send during this call). Safe to call
 * from inside any of this transport's callbacks: the memory is released
 * when the callback's caller unwinds. From inside send, close_notify is
 * skipped because OpenSSL is mid-write. */
void relay_dtls_transport_free (RelayDtlsTransport *dtls);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayDtlsTransport, relay_dtls_transport_free)

G_END_DECLS
