#include "webrtc/dtls/dtls-transport.h"

#include <string.h>
#include <sys/time.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/srtp.h>

#include "webrtc/dtls/dtls-bio.h"
#include "webrtc/dtls/dtls-fingerprint.h"
#include "webrtc/dtls/dtls-peer-check.h"

/* Long enough for a browser on a congested provincial uplink, short enough
 * not to hold a dead peer's resources for long. */
#define HANDSHAKE_LIMIT_MS (30 * 1000)

/* Largest record plaintext (2^14, as in TLS); OpenSSL's SSL_write treats
 * anything bigger as a fatal error that kills the association. */
#define MAX_RECORD_PLAINTEXT 16384

#define SRTP_MASTER_KEY_LEN 16

struct _RelayDtlsTransport {
  RelayDtlsCertificate *cert;
  RelayDtlsRole role;
  char **remote_fingerprints;
  RelayDtlsPeerCheck peer_check; /* attached to ssl; points at remote_fingerprints */
  GMainContext *context;
  RelayDtlsCallbacks callbacks;
  gpointer user_data;

  RelayDtlsState state;
  SSL *ssl;
  BIO *rbio; /* owned by ssl */
  char *setup_error; /* why new() could not build the SSL; reported by start */

  GSource *retransmit_source;
  GSource *deadline_source;

  /* Callers may free us from inside any callback. Entry points and timer
   * dispatches hold busy; free() only marks the transport and the outermost
   * frame releases it once nothing on the stack still uses it. */
  guint busy;
  gboolean freed;
  gboolean in_openssl;   /* an SSL_* call is on the stack (send may run) */
  gboolean sending_bye;  /* free() is writing close_notify */
};

static void arm_retransmit (RelayDtlsTransport *t);

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
destroy (RelayDtlsTransport *t)
{
  clear_source (&t->retransmit_source);
  clear_source (&t->deadline_source);
  g_clear_pointer (&t->ssl, SSL_free);
  g_clear_pointer (&t->cert, relay_dtls_certificate_unref);
  g_clear_pointer (&t->context, g_main_context_unref);
  g_strfreev (t->remote_fingerprints);
  g_free (t->setup_error);
  g_free (t);
}

static void
enter (RelayDtlsTransport *t)
{
  t->busy++;
}

static void
leave (RelayDtlsTransport *t)
{
  g_assert (t->busy > 0);
  if (--t->busy == 0 && t->freed)
    destroy (t);
}

static void
on_bio_write (const guint8 *data, gsize len, gpointer user_data)
{
  RelayDtlsTransport *t = user_data;

  /* After free() nothing may reach the caller, except the close_notify
   * that free() itself sends. */
  if (t->freed && !t->sending_bye)
    return;
  t->callbacks.send (data, len, t->user_data);
}

/* Takes the newest OpenSSL error (the queue is per thread) and empties the
 * queue, so a stale entry cannot be blamed for a later failure. */
static char *
openssl_reason (const char *what, int ssl_error)
{
  unsigned long e = ERR_peek_last_error ();
  char buf[256];

  if (e != 0)
    ERR_error_string_n (e, buf, sizeof buf);
  else if (ssl_error == SSL_ERROR_SYSCALL)
    g_strlcpy (buf, "unexpected end of the datagram stream", sizeof buf);
  else
    g_snprintf (buf, sizeof buf, "SSL error %d", ssl_error);
  ERR_clear_error ();
  return g_strdup_printf ("%s: %s", what, buf);
}

static void
fail (RelayDtlsTransport *t, const char *reason)
{
  if (t->state == RELAY_DTLS_STATE_FAILED || t->state == RELAY_DTLS_STATE_CLOSED)
    return;
  t->state = RELAY_DTLS_STATE_FAILED;
  clear_source (&t->retransmit_source);
  clear_source (&t->deadline_source);
  if (!t->freed)
    t->callbacks.failed (reason, t->user_data);
}

static void
fail_openssl (RelayDtlsTransport *t, const char *what, int ssl_error)
{
  g_autofree char *reason = openssl_reason (what, ssl_error);
  fail (t, reason);
}

/* The certificate callback (dtls-peer-check) already refused a mismatch
 * during the handshake; this second look at the certificate the session
 * ended up with costs a digest and guards against any path that skipped
 * the callback. */
static gboolean
fingerprint_matches (RelayDtlsTransport *t)
{
  X509 *peer = SSL_get1_peer_certificate (t->ssl);
  gboolean matches;

  if (peer == NULL)
    return FALSE;
  matches = relay_dtls_fingerprint_matches (peer, (const char *const *) t->remote_fingerprints);
  X509_free (peer);
  return matches;
}

/* RFC 5764 4.2: the exporter output is client_key | server_key |
 * client_salt | server_salt; we send with our role's half. */
static gboolean
export_keys (RelayDtlsTransport *t, RelaySrtpKeys *keys, char **reason)
{
  const SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile (t->ssl);
  guint8 material[2 * RELAY_SRTP_MAX_KEY_SALT_LEN];
  const guint8 *client_key, *server_key, *client_salt, *server_salt;
  const guint8 *local_key, *local_salt, *remote_key, *remote_salt;
  guint salt_len;

  if (p == NULL)
    {
      *reason = g_strdup ("no SRTP profile negotiated (use_srtp)");
      return FALSE;
    }
  switch (p->id)
    {
    case SRTP_AES128_CM_SHA1_80:
      keys->profile = RELAY_SRTP_PROFILE_AES128_CM_SHA1_80;
      salt_len = 14;
      break;
    case SRTP_AEAD_AES_128_GCM:
      keys->profile = RELAY_SRTP_PROFILE_AEAD_AES_128_GCM;
      salt_len = 12;
      break;
    default:
      *reason = g_strdup_printf ("unsupported SRTP profile 0x%04lx", p->id);
      return FALSE;
    }
  keys->key_salt_len = SRTP_MASTER_KEY_LEN + salt_len;

  if (SSL_export_keying_material (t->ssl, material, 2 * keys->key_salt_len,
                                  "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0) != 1)
    {
      OPENSSL_cleanse (material, sizeof material);
      *reason = openssl_reason ("cannot export SRTP keys", SSL_ERROR_SSL);
      return FALSE;
    }

  client_key = material;
  server_key = client_key + SRTP_MASTER_KEY_LEN;
  client_salt = server_key + SRTP_MASTER_KEY_LEN;
  server_salt = client_salt + salt_len;
  if (t->role == RELAY_DTLS_ROLE_SERVER)
    {
      local_key = server_key; local_salt = server_salt;
      remote_key = client_key; remote_salt = client_salt;
    }
  else
    {
      local_key = client_key; local_salt = client_salt;
      remote_key = server_key; remote_salt = server_salt;
    }
  memcpy (keys->local_key_salt, local_key, SRTP_MASTER_KEY_LEN);
  memcpy (keys->local_key_salt + SRTP_MASTER_KEY_LEN, local_salt, salt_len);
  memcpy (keys->remote_key_salt, remote_key, SRTP_MASTER_KEY_LEN);
  memcpy (keys->remote_key_salt + SRTP_MASTER_KEY_LEN, remote_salt, salt_len);
  OPENSSL_cleanse (material, sizeof material);
  return TRUE;
}

static void
handshake_done (RelayDtlsTransport *t)
{
  RelaySrtpKeys keys;
  g_autofree char *reason = NULL;

  /* The certificate chain was accepted blindly; this is the check that
   * authenticates the peer (RFC 8122). */
  if (!fingerprint_matches (t))
    {
      fail (t, "fingerprint mismatch");
      return;
    }
  memset (&keys, 0, sizeof keys);
  if (!export_keys (t, &keys, &reason))
    {
      relay_srtp_keys_clear (&keys);
      fail (t, reason);
      return;
    }
  t->state = RELAY_DTLS_STATE_CONNECTED;
  clear_source (&t->deadline_source);
  t->callbacks.connected (&keys, t->user_data);
  relay_srtp_keys_clear (&keys);
}

static void
drive_handshake (RelayDtlsTransport *t)
{
  int ret, err;

  ERR_clear_error ();
  t->in_openssl = TRUE;
  ret = SSL_do_handshake (t->ssl);
  t->in_openssl = FALSE;
  if (t->freed)
    return;
  if (ret == 1)
    {
      handshake_done (t);
      return;
    }
  err = SSL_get_error (t->ssl, ret);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
    return;
  if (t->peer_check.rejected > 0)
    {
      /* OpenSSL's words would be "certificate verify failed". */
      ERR_clear_error ();
      fail (t, "fingerprint mismatch");
    }
  else
    fail_openssl (t, "DTLS handshake failed", err);
}

static void
peer_closed (RelayDtlsTransport *t)
{
  t->state = RELAY_DTLS_STATE_CLOSED;
  clear_source (&t->retransmit_source);
  clear_source (&t->deadline_source);
  /* TLS expects close_notify to be answered in kind. */
  ERR_clear_error ();
  t->in_openssl = TRUE;
  SSL_shutdown (t->ssl);
  t->in_openssl = FALSE;
  ERR_clear_error ();
  if (!t->freed && t->callbacks.closed != NULL)
    t->callbacks.closed (t->user_data);
}

static void
read_application (RelayDtlsTransport *t)
{
  guint8 buf[MAX_RECORD_PLAINTEXT];

  while (t->state == RELAY_DTLS_STATE_CONNECTED && !t->freed)
    {
      int n, err;

      ERR_clear_error ();
      t->in_openssl = TRUE;
      n = SSL_read (t->ssl, buf, sizeof buf);
      t->in_openssl = FALSE;
      if (t->freed)
        return;
      if (n > 0)
        {
          if (t->callbacks.application_data != NULL)
            t->callbacks.application_data (buf, (gsize) n, t->user_data);
          continue;
        }
      err = SSL_get_error (t->ssl, n);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
        return;
      if (err == SSL_ERROR_ZERO_RETURN)
        peer_closed (t);
      else
        fail_openssl (t, "DTLS read failed", err);
      return;
    }
}

static gboolean
on_retransmit (gpointer user_data)
{
  RelayDtlsTransport *t = user_data;
  int ret;

  enter (t);
  clear_source (&t->retransmit_source);
  ERR_clear_error ();
  t->in_openssl = TRUE;
  ret = DTLSv1_handle_timeout (t->ssl);
  t->in_openssl = FALSE;
  /* OpenSSL gives up by itself after too many unanswered flights. */
  if (ret < 0 && !t->freed)
    fail_openssl (t, "DTLS retransmission failed", SSL_get_error (t->ssl, ret));
  if (!t->freed)
    arm_retransmit (t);
  leave (t);
  return G_SOURCE_REMOVE;
}

/* OpenSSL owns the retransmission schedule (exponential back-off) but has
 * no clock of its own: ask for its next deadline after every step. */
static void
arm_retransmit (RelayDtlsTransport *t)
{
  struct timeval tv;
  guint ms;

  clear_source (&t->retransmit_source);
  if (t->state != RELAY_DTLS_STATE_CONNECTING && t->state != RELAY_DTLS_STATE_CONNECTED)
    return;
  if (DTLSv1_get_timeout (t->ssl, &tv) != 1)
    return;
  /* Round up: firing early makes DTLSv1_handle_timeout a no-op and we would
   * spin until the deadline. */
  ms = (guint) tv.tv_sec * 1000 + (guint) (tv.tv_usec + 999) / 1000;
  t->retransmit_source = g_timeout_source_new (ms);
  g_source_set_static_name (t->retransmit_source, "relay-dtls-retransmit");
  g_source_set_callback (t->retransmit_source, on_retransmit, t, NULL);
  g_source_attach (t->retransmit_source, t->context);
}

static gboolean
on_deadline (gpointer user_data)
{
  RelayDtlsTransport *t = user_data;

  enter (t);
  clear_source (&t->deadline_source);
  if (t->state == RELAY_DTLS_STATE_CONNECTING)
    fail (t, "handshake timeout");
  leave (t);
  return G_SOURCE_REMOVE;
}

static gboolean
setup_ssl (RelayDtlsTransport *t)
{
  g_autoptr (GError) error = NULL;
  SSL_CTX *ctx;
  BIO *wbio;

  ctx = relay_dtls_certificate_get_ssl_ctx (t->cert, t->role == RELAY_DTLS_ROLE_SERVER,
                                            &error);
  if (ctx == NULL)
    {
      t->setup_error = g_strdup (error->message);
      return FALSE;
    }
  ERR_clear_error ();
  t->ssl = SSL_new (ctx);
  t->rbio = BIO_new (BIO_s_mem ());
  wbio = relay_dtls_bio_new (on_bio_write, t, &error);
  if (t->ssl == NULL || t->rbio == NULL || wbio == NULL)
    {
      t->setup_error = error != NULL ? g_strdup (error->message)
                                     : openssl_reason ("cannot create the SSL", SSL_ERROR_SSL);
      BIO_free (t->rbio);
      BIO_free (wbio);
      t->rbio = NULL;
      g_clear_pointer (&t->ssl, SSL_free);
      return FALSE;
    }
  if (!relay_dtls_peer_check_attach (t->ssl, &t->peer_check))
    {
      t->setup_error = openssl_reason ("cannot attach the fingerprint check", SSL_ERROR_SSL);
      BIO_free (t->rbio);
      BIO_free (wbio);
      t->rbio = NULL;
      g_clear_pointer (&t->ssl, SSL_free);
      return FALSE;
    }
  /* An empty read is "try again later", not end of stream. */
  BIO_set_mem_eof_return (t->rbio, -1);
  SSL_set_bio (t->ssl, t->rbio, wbio);
  DTLS_set_link_mtu (t->ssl, RELAY_DTLS_MTU);
  if (t->role == RELAY_DTLS_ROLE_SERVER)
    SSL_set_accept_state (t->ssl);
  else
    SSL_set_connect_state (t->ssl);
  return TRUE;
}

RelayDtlsTransport *
relay_dtls_transport_new (RelayDtlsCertificate *cert, RelayDtlsRole role,
                          const char *const *remote_fingerprints, GMainContext *context,
                          const RelayDtlsCallbacks *callbacks, gpointer user_data)
{
  RelayDtlsTransport *t;

  g_return_val_if_fail (cert != NULL, NULL);
  g_return_val_if_fail (callbacks != NULL, NULL);
  g_return_val_if_fail (callbacks->send != NULL && callbacks->connected != NULL
                        && callbacks->failed != NULL, NULL);

  t = g_new0 (RelayDtlsTransport, 1);
  t->cert = relay_dtls_certificate_ref (cert);
  t->role = role;
  /* No fingerprint can never match, so such a peer always fails. */
  t->remote_fingerprints = remote_fingerprints != NULL
                           ? g_strdupv ((char **) remote_fingerprints) : g_new0 (char *, 1);
  t->peer_check.fingerprints = (const char *const *) t->remote_fingerprints;
  t->context = context != NULL ? g_main_context_ref (context)
                               : g_main_context_ref_thread_default ();
  t->callbacks = *callbacks;
  t->user_data = user_data;
  t->state = RELAY_DTLS_STATE_NEW;
  /* Failures here surface through the failed callback at start, the one
   * error path callers already handle. */
  setup_ssl (t);
  return t;
}

void
relay_dtls_transport_start (RelayDtlsTransport *t)
{
  g_return_if_fail (t != NULL);
  if (t->freed || t->in_openssl || t->state != RELAY_DTLS_STATE_NEW)
    return;

  enter (t);
  if (t->setup_error != NULL)
    {
      fail (t, t->setup_error);
      leave (t);
      return;
    }
  t->state = RELAY_DTLS_STATE_CONNECTING;
  t->deadline_source = g_timeout_source_new (HANDSHAKE_LIMIT_MS);
  g_source_set_static_name (t->deadline_source, "relay-dtls-deadline");
  g_source_set_callback (t->deadline_source, on_deadline, t, NULL);
  g_source_attach (t->deadline_source, t->context);

  if (t->role == RELAY_DTLS_ROLE_CLIENT)
    drive_handshake (t);
  if (!t->freed)
    arm_retransmit (t);
  leave (t);
}

void
relay_dtls_transport_receive (RelayDtlsTransport *t, const guint8 *data, gsize len)
{
  g_return_if_fail (t != NULL);
  g_return_if_fail (data != NULL || len == 0);
  /* Re-entering OpenSSL from our own send callback would corrupt it. */
  g_return_if_fail (!t->in_openssl);
  if (t->freed || len == 0 || len > G_MAXINT)
    return;

  /* ICE may deliver the ClientHello before the caller got round to start. */
  if (t->state == RELAY_DTLS_STATE_NEW)
    relay_dtls_transport_start (t);
  if (t->freed || (t->state != RELAY_DTLS_STATE_CONNECTING
                   && t->state != RELAY_DTLS_STATE_CONNECTED))
    return;

  enter (t);
  BIO_write (t->rbio, data, (int) len);
  if (t->state == RELAY_DTLS_STATE_CONNECTING)
    drive_handshake (t);
  /* The datagram that completes the handshake may carry data as well. */
  if (!t->freed && t->state == RELAY_DTLS_STATE_CONNECTED)
    read_application (t);
  if (!t->freed)
    arm_retransmit (t);
  leave (t);
}

gboolean
relay_dtls_transport_send_application (RelayDtlsTransport *t, const guint8 *data, gsize len)
{
  gboolean ok = FALSE;
  int n;

  g_return_val_if_fail (t != NULL, FALSE);
  g_return_val_if_fail (data != NULL && len > 0, FALSE);
  g_return_val_if_fail (!t->in_openssl, FALSE);
  if (t->freed || t->state != RELAY_DTLS_STATE_CONNECTED || len > MAX_RECORD_PLAINTEXT)
    return FALSE;

  enter (t);
  ERR_clear_error ();
  t->in_openssl = TRUE;
  n = SSL_write (t->ssl, data, (int) len);
  t->in_openssl = FALSE;
  if (n == (int) len)
    ok = TRUE;
  else if (!t->freed)
    {
      int err = SSL_get_error (t->ssl, n);
      /* Anything but "try again" leaves the SSL unusable. */
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
        fail_openssl (t, "DTLS write failed", err);
      else
        ERR_clear_error ();
    }
  leave (t);
  return ok;
}

RelayDtlsState
relay_dtls_transport_get_state (RelayDtlsTransport *t)
{
  g_return_val_if_fail (t != NULL, RELAY_DTLS_STATE_FAILED);
  return t->state;
}

const char *
relay_dtls_transport_get_cipher_suite (RelayDtlsTransport *t)
{
  g_return_val_if_fail (t != NULL, NULL);
  if (t->state != RELAY_DTLS_STATE_CONNECTED || t->ssl == NULL)
    return NULL;
  return SSL_CIPHER_get_name (SSL_get_current_cipher (t->ssl));
}

void
relay_dtls_transport_free (RelayDtlsTransport *t)
{
  if (t == NULL || t->freed)
    return;

  enter (t);
  t->freed = TRUE;
  clear_source (&t->retransmit_source);
  clear_source (&t->deadline_source);
  /* From inside the send callback OpenSSL is mid-call and cannot take
   * another write; the peer then learns from ICE or consent expiry. */
  if (t->state == RELAY_DTLS_STATE_CONNECTED && !t->in_openssl)
    {
      ERR_clear_error ();
      t->sending_bye = TRUE;
      t->in_openssl = TRUE;
      SSL_shutdown (t->ssl);
      t->in_openssl = FALSE;
      t->sending_bye = FALSE;
      ERR_clear_error ();
    }
  t->state = RELAY_DTLS_STATE_CLOSED;
  leave (t);
}
