#include "webrtc/dtls/dtls-certificate.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "webrtc/dtls/dtls-fingerprint.h"
#include "webrtc/dtls/dtls-peer-check.h"

#define SECONDS_PER_DAY (24 * 60 * 60)

/* DTLS 1.2 suites, AEAD only: ECDHE (forward secrecy) with AES-GCM or
 * ChaCha20-Poly1305. No CBC suites (their SHA-1/SHA-2 HMACs and
 * MAC-then-encrypt padding oracles), no static RSA key exchange (no
 * forward secrecy). ECDSA suites serve our generated certificate; the RSA
 * ones a configured RSA certificate. Every peer we meet offers these:
 * Chromium and Firefox (ECDSA certificates), GStreamer 1.22's webrtcbin
 * (OpenSSL "ALL", RSA certificate), OBS/libdatachannel. Order is ours
 * (SSL_OP_CIPHER_SERVER_PREFERENCE): AES-128-GCM is the cheapest with
 * AES-NI. */
#define CIPHER_LIST \
  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" \
  "ECDHE-ECDSA-CHACHA20-POLY1305:" \
  "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:" \
  "ECDHE-RSA-CHACHA20-POLY1305"

/* Key exchange groups: what browsers and OpenSSL peers offer first. */
#define GROUPS "X25519:P-256:P-384"

/* 112-bit security (OpenSSL level 2): no RSA or DH under 2048 bits, no
 * SHA-1 signatures in the handshake. Set here rather than inherited from
 * the system's openssl.cnf, which may say anything. */
#define SECURITY_LEVEL 2

/* SRTP: AEAD_AES_128_GCM (RFC 7714) whenever the peer offers it; OpenSSL's
 * server picks by this order, whatever the client's. AES_CM_128_HMAC_SHA1_80
 * stays as the fallback because GStreamer 1.22's webrtcbin offers nothing
 * else (Chromium and Firefox offer GCM and get it). */
#define SRTP_PROFILES "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"

struct _RelayDtlsCertificate {
  gatomicrefcount ref_count;
  X509 *x509;
  EVP_PKEY *pkey;
  char *fingerprint;
  gint64 not_after; /* Unix time */

  GMutex ctx_lock; /* guards the two lazily built contexts */
  SSL_CTX *server_ctx;
  SSL_CTX *client_ctx;
};

G_DEFINE_QUARK (relay-dtls-error-quark, relay_dtls_error)

/* Reports the most recent OpenSSL error (the queue is per thread) and
 * empties the queue so it cannot leak into a later, unrelated failure. */
static void
set_openssl_error (GError **error, RelayDtlsError code, const char *what)
{
  unsigned long e = ERR_peek_last_error ();
  char buf[256] = "unknown error";

  if (e != 0)
    ERR_error_string_n (e, buf, sizeof buf);
  ERR_clear_error ();
  g_set_error (error, RELAY_DTLS_ERROR, code, "%s: %s", what, buf);
}

char *
relay_dtls_fingerprint_of_x509 (gpointer x509)
{
  g_return_val_if_fail (x509 != NULL, NULL);
  return relay_dtls_fingerprint_of_x509_with (x509, "sha-256");
}

/* Unix time of an ASN1_TIME; FALSE if OpenSSL cannot read it. */
static gboolean
asn1_time_to_unix (const ASN1_TIME *t, gint64 *out)
{
  struct tm tm;

  if (t == NULL || ASN1_TIME_to_tm (t, &tm) != 1)
    return FALSE;
  *out = (gint64) timegm (&tm);
  return TRUE;
}

static RelayDtlsCertificate *
certificate_new (X509 *x509, EVP_PKEY *pkey, GError **error)
{
  RelayDtlsCertificate *cert;
  char *fingerprint = relay_dtls_fingerprint_of_x509 (x509);
  gint64 not_after = 0;

  if (fingerprint == NULL || !asn1_time_to_unix (X509_get0_notAfter (x509), &not_after))
    {
      g_free (fingerprint);
      g_set_error (error, RELAY_DTLS_ERROR, RELAY_DTLS_ERROR_CERTIFICATE,
                   "cannot compute the certificate fingerprint");
      X509_free (x509);
      EVP_PKEY_free (pkey);
      return NULL;
    }
  cert = g_new0 (RelayDtlsCertificate, 1);
  g_atomic_ref_count_init (&cert->ref_count);
  g_mutex_init (&cert->ctx_lock);
  cert->x509 = x509;
  cert->pkey = pkey;
  cert->fingerprint = fingerprint;
  cert->not_after = not_after;
  return cert;
}

/* Random rather than fixed so that certificates regenerated under the same
 * issuer name never share a serial; 63 bits keeps the INTEGER positive. */
static gboolean
set_random_serial (X509 *x509)
{
  BIGNUM *bn = BN_new ();
  gboolean ok = bn != NULL
    && BN_rand (bn, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY)
    && BN_to_ASN1_INTEGER (bn, X509_get_serialNumber (x509)) != NULL;

  BN_free (bn);
  return ok;
}

static gboolean
fill_certificate (X509 *x509, EVP_PKEY *pkey, gint64 now_s, guint64 lifetime_s)
{
  X509_NAME *name = X509_get_subject_name (x509);
  time_t now = (time_t) now_s;

  return X509_set_version (x509, 2) /* v3 */
    && set_random_serial (x509)
    /* A day of slack for peers whose clocks run behind ours. */
    && X509_time_adj_ex (X509_getm_notBefore (x509), -1, 0, &now) != NULL
    && X509_time_adj_ex (X509_getm_notAfter (x509), (int) (lifetime_s / SECONDS_PER_DAY),
                         (long) (lifetime_s % SECONDS_PER_DAY), &now) != NULL
    && X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC,
                                   (const unsigned char *) "briefing-relay", -1, -1, 0)
    && X509_set_issuer_name (x509, name)
    && X509_set_pubkey (x509, pkey)
    && X509_sign (x509, pkey, EVP_sha256 ()) > 0;
}

RelayDtlsCertificate *
relay_dtls_certificate_generate (GError **error)
{
  return relay_dtls_certificate_generate_at (g_get_real_time () / G_USEC_PER_SEC,
                                             RELAY_DTLS_CERTIFICATE_LIFETIME_S, error);
}

RelayDtlsCertificate *
relay_dtls_certificate_generate_at (gint64 now_s, guint64 lifetime_s, GError **error)
{
  EVP_PKEY *pkey;
  X509 *x509;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  g_return_val_if_fail (lifetime_s > 0 && lifetime_s <= RELAY_DTLS_CERTIFICATE_MAX_LIFETIME_S,
                        NULL);

  ERR_clear_error ();
  pkey = EVP_EC_gen ("P-256");
  if (pkey == NULL)
    {
      set_openssl_error (error, RELAY_DTLS_ERROR_CERTIFICATE, "cannot generate a P-256 key");
      return NULL;
    }
  x509 = X509_new ();
  if (x509 == NULL || !fill_certificate (x509, pkey, now_s, lifetime_s))
    {
      set_openssl_error (error, RELAY_DTLS_ERROR_CERTIFICATE,
                         "cannot build the self-signed certificate");
      X509_free (x509);
      EVP_PKEY_free (pkey);
      return NULL;
    }
  return certificate_new (x509, pkey, error);
}

/* A key file is small; anything bigger is not one. */
#define MAX_KEY_FILE_BYTES (64 * 1024)

/* Reads the PEM private key with read(2) into one buffer of ours, wiped
 * before it is freed: BIO_new_file would go through stdio, whose buffer
 * is freed with the key's bytes still in it. (OpenSSL wipes its own
 * decoding buffers.) */
static EVP_PKEY *
read_private_key (const char *path, GError **error)
{
  EVP_PKEY *pkey = NULL;
  struct stat st;
  guint8 *buf = NULL;
  gsize len = 0;
  const char *problem = NULL;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0 || fstat (fd, &st) != 0)
    problem = g_strerror (errno);
  else if (!S_ISREG (st.st_mode) || st.st_size > MAX_KEY_FILE_BYTES)
    problem = "not a regular file of at most 64 KiB";
  if (problem != NULL)
    {
      g_set_error (error, RELAY_DTLS_ERROR, RELAY_DTLS_ERROR_CERTIFICATE,
                   "cannot read private key %s: %s", path, problem);
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  buf = g_malloc ((gsize) st.st_size + 1);
  while (len < (gsize) st.st_size)
    {
      ssize_t n = read (fd, buf + len, (gsize) st.st_size - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += (gsize) n;
    }
  close (fd);

  ERR_clear_error ();
  BIO *bio = BIO_new_mem_buf (buf, (int) len);
  if (bio != NULL)
    pkey = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);
  BIO_free (bio);
  OPENSSL_cleanse (buf, (gsize) st.st_size + 1);
  g_free (buf);
  if (pkey == NULL)
    {
      g_autofree char *what = g_strdup_printf ("cannot read private key %s", path);
      set_openssl_error (error, RELAY_DTLS_ERROR_CERTIFICATE, what);
    }
  return pkey;
}

RelayDtlsCertificate *
relay_dtls_certificate_load (const char *cert_pem_path, const char *key_pem_path,
                             GError **error)
{
  X509 *x509 = NULL;
  EVP_PKEY *pkey = NULL;
  g_autoptr (GError) ctx_error = NULL;
  RelayDtlsCertificate *cert;
  BIO *bio;
  int key_type;

  g_return_val_if_fail (cert_pem_path != NULL && key_pem_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ERR_clear_error ();
  bio = BIO_new_file (cert_pem_path, "r");
  if (bio != NULL)
    x509 = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  BIO_free (bio);
  if (x509 == NULL)
    {
      g_autofree char *what = g_strdup_printf ("cannot read certificate %s", cert_pem_path);
      set_openssl_error (error, RELAY_DTLS_ERROR_CERTIFICATE, what);
      return NULL;
    }

  pkey = read_private_key (key_pem_path, error);
  if (pkey == NULL)
    {
      X509_free (x509);
      return NULL;
    }

  /* Our cipher list only has ECDSA and RSA suites. */
  key_type = EVP_PKEY_get_base_id (pkey);
  if (key_type != EVP_PKEY_EC && key_type != EVP_PKEY_RSA)
    {
      g_set_error (error, RELAY_DTLS_ERROR, RELAY_DTLS_ERROR_CERTIFICATE,
                   "%s: the key must be ECDSA or RSA", key_pem_path);
      X509_free (x509);
      EVP_PKEY_free (pkey);
      return NULL;
    }
  /* Catch a mismatched pair now rather than as a handshake failure with
   * every peer later. */
  if (X509_check_private_key (x509, pkey) != 1)
    {
      ERR_clear_error ();
      g_set_error (error, RELAY_DTLS_ERROR, RELAY_DTLS_ERROR_CERTIFICATE,
                   "%s does not match the key in %s", cert_pem_path, key_pem_path);
      X509_free (x509);
      EVP_PKEY_free (pkey);
      return NULL;
    }
  cert = certificate_new (x509, pkey, error);
  /* The same for what the DTLS policy refuses (a key under 112-bit
   * security, such as RSA-1024): building the context checks it. */
  if (cert != NULL && relay_dtls_certificate_get_ssl_ctx (cert, TRUE, &ctx_error) == NULL)
    {
      g_set_error (error, RELAY_DTLS_ERROR, RELAY_DTLS_ERROR_CERTIFICATE, "%s: %s",
                   cert_pem_path, ctx_error->message);
      g_clear_pointer (&cert, relay_dtls_certificate_unref);
    }
  return cert;
}

const char *
relay_dtls_certificate_get_fingerprint (RelayDtlsCertificate *cert)
{
  g_return_val_if_fail (cert != NULL, NULL);
  return cert->fingerprint;
}

gint64
relay_dtls_certificate_get_not_after (RelayDtlsCertificate *cert)
{
  g_return_val_if_fail (cert != NULL, 0);
  return cert->not_after;
}

RelayDtlsCertificate *
relay_dtls_certificate_ref (RelayDtlsCertificate *cert)
{
  g_return_val_if_fail (cert != NULL, NULL);
  g_atomic_ref_count_inc (&cert->ref_count);
  return cert;
}

void
relay_dtls_certificate_unref (RelayDtlsCertificate *cert)
{
  if (cert == NULL || !g_atomic_ref_count_dec (&cert->ref_count))
    return;
  /* SSLs hold their own SSL_CTX reference, so this is safe even if a
   * transport outlived its reference on us. */
  SSL_CTX_free (cert->server_ctx);
  SSL_CTX_free (cert->client_ctx);
  g_mutex_clear (&cert->ctx_lock);
  X509_free (cert->x509);
  EVP_PKEY_free (cert->pkey);
  g_free (cert->fingerprint);
  g_free (cert);
}

gpointer
relay_dtls_certificate_get_x509 (RelayDtlsCertificate *cert)
{
  g_return_val_if_fail (cert != NULL, NULL);
  return cert->x509;
}

gpointer
relay_dtls_certificate_get_pkey (RelayDtlsCertificate *cert)
{
  g_return_val_if_fail (cert != NULL, NULL);
  return cert->pkey;
}

static SSL_CTX *
build_ssl_ctx (RelayDtlsCertificate *cert, GError **error)
{
  SSL_CTX *ctx;

  ERR_clear_error ();
  ctx = SSL_CTX_new (DTLS_method ());
  if (ctx == NULL)
    {
      set_openssl_error (error, RELAY_DTLS_ERROR_OPENSSL, "SSL_CTX_new");
      return NULL;
    }

  if (!SSL_CTX_set_min_proto_version (ctx, DTLS1_2_VERSION)
      || !SSL_CTX_set_max_proto_version (ctx, DTLS1_2_VERSION))
    goto fail;
  SSL_CTX_set_security_level (ctx, SECURITY_LEVEL);
  if (!SSL_CTX_set_cipher_list (ctx, CIPHER_LIST) || !SSL_CTX_set1_groups_list (ctx, GROUPS))
    goto fail;
  SSL_CTX_set_options (ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_use_certificate (ctx, cert->x509) != 1
      || SSL_CTX_use_PrivateKey (ctx, cert->pkey) != 1
      || SSL_CTX_check_private_key (ctx) != 1)
    goto fail;
  /* Unlike most OpenSSL calls, this one returns 0 on success. */
  if (SSL_CTX_set_tlsext_use_srtp (ctx, SRTP_PROFILES) != 0)
    goto fail;
  /* Peers present self-signed certificates, which no chain check can
   * accept: the SDP fingerprint authenticates them, checked in every
   * handshake by dtls-peer-check in place of chain validation. */
  SSL_CTX_set_verify (ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
  SSL_CTX_set_cert_verify_callback (ctx, relay_dtls_peer_check_verify, NULL);
  /* One handshake per association, the one whose certificate was checked
   * against the SDP: no renegotiation either way. An openssl.cnf with
   * "Options = ClientRenegotiation" or UnsafeLegacyRenegotiation must not
   * bring it back, hence the explicit clearing as well. */
  SSL_CTX_clear_options (ctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION
                              | SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION
                              | SSL_OP_LEGACY_SERVER_CONNECT);
  SSL_CTX_set_options (ctx, SSL_OP_NO_RENEGOTIATION);
  /* Our BIO is not a socket: the MTU is set per SSL instead of probed. */
  SSL_CTX_set_options (ctx, SSL_OP_NO_QUERY_MTU);
  /* Every WebRTC association is fresh: no session cache, and no ticket
   * record lengthening the server's last flight. */
  SSL_CTX_set_session_cache_mode (ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options (ctx, SSL_OP_NO_TICKET);
  return ctx;

fail:
  set_openssl_error (error, RELAY_DTLS_ERROR_OPENSSL, "cannot configure the DTLS context");
  SSL_CTX_free (ctx);
  return NULL;
}

gpointer
relay_dtls_certificate_get_ssl_ctx (RelayDtlsCertificate *cert, gboolean server,
                                    GError **error)
{
  SSL_CTX **slot;
  SSL_CTX *ctx;

  g_return_val_if_fail (cert != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&cert->ctx_lock);
  slot = server ? &cert->server_ctx : &cert->client_ctx;
  if (*slot == NULL)
    *slot = build_ssl_ctx (cert, error);
  ctx = *slot;
  g_mutex_unlock (&cert->ctx_lock);
  return ctx;
}
