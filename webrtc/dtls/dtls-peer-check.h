/* Internal to relay/dtls: the check of the peer's certificate that OpenSSL
 * runs in every handshake on an SSL of ours, the first and any later one,
 * in place of chain validation (WebRTC peers' certificates are
 * self-signed; the SDP fingerprint is what authenticates them).
 *
 * dtls-certificate installs the callback on each SSL_CTX; a transport
 * attaches a RelayDtlsPeerCheck to each SSL it makes, and owns it. The
 * callback runs on the thread driving the SSL, inside an SSL_* call. */
#pragma once

#include <glib.h>
#include <openssl/ssl.h>

G_BEGIN_DECLS

typedef struct {
  const char *const *fingerprints; /* "<hash> <value>" entries, borrowed */
  guint accepted;                  /* certificates that matched */
  guint rejected;                  /* certificates that matched none */
} RelayDtlsPeerCheck;

/* What ssl's handshakes check against; check must outlive ssl's use. */
gboolean relay_dtls_peer_check_attach (SSL *ssl, RelayDtlsPeerCheck *check);

/* For SSL_CTX_set_cert_verify_callback. Accepts the peer's certificate
 * when it matches one of the attached fingerprints; an SSL with nothing
 * attached accepts no certificate. */
int relay_dtls_peer_check_verify (X509_STORE_CTX *store, void *unused);

G_END_DECLS
