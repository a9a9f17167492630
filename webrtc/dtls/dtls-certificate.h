/* A DTLS identity: an ECDSA P-256 (or loaded) certificate and its key,
 * shared by every peer answered with it, whose SHA-256 fingerprint goes
 * into each SDP answer, and the SSL_CTXs built from it with the relay's
 * DTLS policy (DTLS 1.2, AEAD suites, no renegotiation, the peer
 * authenticated by its SDP fingerprint). Immutable once made, reference
 * counted; any thread. Which certificate new sessions get, and its
 * renewal, is dtls-identity's. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RelayDtlsCertificate RelayDtlsCertificate;

#define RELAY_DTLS_ERROR (relay_dtls_error_quark ())
GQuark relay_dtls_error_quark (void);
typedef enum {
  RELAY_DTLS_ERROR_CERTIFICATE, /* cannot read, parse or generate the identity */
  RELAY_DTLS_ERROR_OPENSSL,     /* OpenSSL refused a setup step */
} RelayDtlsError;

/* Validity of a generated certificate unless configured: 30 days. */
#define RELAY_DTLS_CERTIFICATE_LIFETIME_S (30 * 24 * 3600)
/* The longest validity generate_at accepts: a year. */
#define RELAY_DTLS_CERTIFICATE_MAX_LIFETIME_S (366 * 24 * 3600)

/* Generates a fresh self-signed ECDSA P-256 certificate (CN "briefing-relay",
 * valid from one day ago for RELAY_DTLS_CERTIFICATE_LIFETIME_S). */
RelayDtlsCertificate *relay_dtls_certificate_generate (GError **error);

/* The same, valid from one day before now_s (Unix time) until
 * now_s + lifetime_s (1 .. RELAY_DTLS_CERTIFICATE_MAX_LIFETIME_S). */
RelayDtlsCertificate *relay_dtls_certificate_generate_at (gint64 now_s, guint64 lifetime_s,
                                                          GError **error);

/* Loads a PEM certificate and private key; the key must be ECDSA or RSA. */
RelayDtlsCertificate *relay_dtls_certificate_load (const char *cert_pem_path,
                                                   const char *key_pem_path,
                                                   GError **error);

/* "AB:CD:..." upper-case hex, as written after "a=fingerprint:sha-256 ". */
const char *relay_dtls_certificate_get_fingerprint (RelayDtlsCertificate *cert);

/* The end of the certificate's validity (notAfter), Unix time. */
gint64 relay_dtls_certificate_get_not_after (RelayDtlsCertificate *cert);

RelayDtlsCertificate *relay_dtls_certificate_ref (RelayDtlsCertificate *cert);
void relay_dtls_certificate_unref (RelayDtlsCertificate *cert);

/* For the transport: the OpenSSL X509 * and EVP_PKEY * (borrowed). */
gpointer relay_dtls_certificate_get_x509 (RelayDtlsCertificate *cert);
gpointer relay_dtls_certificate_get_pkey (RelayDtlsCertificate *cert);

/* For the transport: the shared SSL_CTX * for one role (borrowed; lives as
 * long as cert). Created on first use, then cached, because building one per
 * peer is slow; safe to call from several threads. */
gpointer relay_dtls_certificate_get_ssl_ctx (RelayDtlsCertificate *cert,
                                             gboolean server,
                                             GError **error);

/* "AB:CD:..." SHA-256 fingerprint of any X509 * (the peer's, for the SDP
 * check); NULL if OpenSSL cannot digest it. */
char *relay_dtls_fingerprint_of_x509 (gpointer x509);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayDtlsCertificate, relay_dtls_certificate_unref)

G_END_DECLS
