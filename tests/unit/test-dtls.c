/* DTLS certificate and transport: two transports wired back to back in
 * memory on one GMainContext, plus a bare OpenSSL client as an independent
 * reference for the RFC 5764 key layout. */
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>

#include "relay/dtls/dtls-certificate.h"
#include "relay/dtls/dtls-transport.h"
#include "relay/srtp/srtp-session.h"

#define WAIT_MS 5000

typedef struct _Harness Harness;

typedef struct _Endpoint {
  Harness *h;
  RelayDtlsTransport *t;
  struct _Endpoint *peer;
  SSL *raw_peer;          /* set when the peer is a bare OpenSSL client */
  gboolean connected, failed, closed;
  char *fail_reason;
  RelaySrtpKeys keys;
  GByteArray *received;
  guint datagrams_sent;
  gsize largest_datagram;
  gsize last_datagram;
  guint drop_next;        /* datagrams to lose before delivering again */
  guint drop_nth;         /* 1-based index of one datagram to lose */
  gboolean free_in_send, free_in_connected, free_in_failed;
} Endpoint;

struct _Harness {
  GMainContext *ctx;
  RelayDtlsCertificate *client_cert, *server_cert;
  Endpoint client, server;
};

typedef struct {
  Endpoint *to;
  GBytes *data;
} Delivery;

static void
delivery_free (gpointer p)
{
  Delivery *d = p;
  g_bytes_unref (d->data);
  g_free (d);
}

/* Delivered from an idle so a transport is never re-entered from its own
 * send callback, as with a real socket. */
static gboolean
deliver (gpointer p)
{
  Delivery *d = p;
  gsize len;
  const guint8 *data = g_bytes_get_data (d->data, &len);

  if (d->to->t != NULL)
    relay_dtls_transport_receive (d->to->t, data, len);
  return G_SOURCE_REMOVE;
}

static void
on_send (const guint8 *data, gsize len, gpointer user_data)
{
  Endpoint *ep = user_data;

  ep->datagrams_sent++;
  ep->largest_datagram = MAX (ep->largest_datagram, len);
  ep->last_datagram = len;
  if (ep->free_in_send)
    {
      g_clear_pointer (&ep->t, relay_dtls_transport_free);
      return;
    }
  if (ep->drop_next > 0)
    {
      ep->drop_next--;
      return;
    }
  if (ep->drop_nth == ep->datagrams_sent)
    return;
  if (ep->raw_peer != NULL)
    {
      BIO_write (SSL_get_rbio (ep->raw_peer), data, (int) len);
      return;
    }

  Delivery *d = g_new0 (Delivery, 1);
  GSource *src = g_idle_source_new ();
  d->to = ep->peer;
  d->data = g_bytes_new (data, len);
  g_source_set_callback (src, deliver, d, delivery_free);
  g_source_attach (src, ep->h->ctx);
  g_source_unref (src);
}

static void
on_connected (const RelaySrtpKeys *keys, gpointer user_data)
{
  Endpoint *ep = user_data;

  g_assert_false (ep->connected);
  ep->connected = TRUE;
  ep->keys = *keys;
  if (ep->free_in_connected)
    g_clear_pointer (&ep->t, relay_dtls_transport_free);
}

static void
on_failed (const char *reason, gpointer user_data)
{
  Endpoint *ep = user_data;

  g_assert_false (ep->failed);
  ep->failed = TRUE;
  ep->fail_reason = g_strdup (reason);
  if (ep->free_in_failed)
    g_clear_pointer (&ep->t, relay_dtls_transport_free);
}

static void
on_application_data (const guint8 *data, gsize len, gpointer user_data)
{
  Endpoint *ep = user_data;
  g_byte_array_append (ep->received, data, len);
}

static void on_closed (gpointer user_data) { ((Endpoint *) user_data)->closed = TRUE; }

static const RelayDtlsCallbacks callbacks = {
  .send = on_send,
  .connected = on_connected,
  .failed = on_failed,
  .application_data = on_application_data,
  .closed = on_closed,
};

static RelayDtlsCertificate *
generate (void)
{
  GError *error = NULL;
  RelayDtlsCertificate *cert = relay_dtls_certificate_generate (&error);

  g_assert_no_error (error);
  g_assert_nonnull (cert);
  return cert;
}

static void
harness_init (Harness *h)
{
  memset (h, 0, sizeof *h);
  h->ctx = g_main_context_new ();
  h->client_cert = generate ();
  h->server_cert = generate ();
  h->client.h = h->server.h = h;
  h->client.peer = &h->server;
  h->server.peer = &h->client;
  h->client.received = g_byte_array_new ();
  h->server.received = g_byte_array_new ();
}

/* "sha-256 <the certificate's fingerprint>", as an SDP line carries it. */
static char *
sdp_fingerprint (RelayDtlsCertificate *cert)
{
  return g_strconcat ("sha-256 ", relay_dtls_certificate_get_fingerprint (cert), NULL);
}

/* Each side is told the other's fingerprints, as the SDP exchange would;
 * NULL: the other's sha-256 one. */
static void
harness_create_with (Harness *h, const char *const *server_expects,
                     const char *const *client_expects)
{
  g_autofree char *client_fp = sdp_fingerprint (h->client_cert);
  g_autofree char *server_fp = sdp_fingerprint (h->server_cert);
  const char *client_default[] = { client_fp, NULL };
  const char *server_default[] = { server_fp, NULL };

  h->server.t = relay_dtls_transport_new (h->server_cert, RELAY_DTLS_ROLE_SERVER,
                                          server_expects ? server_expects : client_default,
                                          h->ctx, &callbacks, &h->server);
  h->client.t = relay_dtls_transport_new (h->client_cert, RELAY_DTLS_ROLE_CLIENT,
                                          client_expects ? client_expects : server_default,
                                          h->ctx, &callbacks, &h->client);
  g_assert_nonnull (h->server.t);
  g_assert_nonnull (h->client.t);
  g_assert_cmpint (relay_dtls_transport_get_state (h->client.t), ==, RELAY_DTLS_STATE_NEW);
}

/* The same with one fingerprint value each (sha-256, no hash name); NULL:
 * the other's. */
static void
harness_create (Harness *h, const char *server_expects, const char *client_expects)
{
  g_autofree char *s = server_expects ? g_strconcat ("sha-256 ", server_expects, NULL) : NULL;
  g_autofree char *c = client_expects ? g_strconcat ("sha-256 ", client_expects, NULL) : NULL;
  const char *server_list[] = { s, NULL };
  const char *client_list[] = { c, NULL };

  harness_create_with (h, s ? server_list : NULL, c ? client_list : NULL);
}

static void
harness_start (Harness *h)
{
  relay_dtls_transport_start (h->server.t);
  relay_dtls_transport_start (h->client.t);
}

static void
endpoint_clear (Endpoint *ep)
{
  relay_srtp_keys_clear (&ep->keys);
  g_clear_pointer (&ep->t, relay_dtls_transport_free);
  g_clear_pointer (&ep->received, g_byte_array_unref);
  g_clear_pointer (&ep->fail_reason, g_free);
}

static void
harness_clear (Harness *h)
{
  endpoint_clear (&h->client);
  endpoint_clear (&h->server);
  /* Run pending deliveries (they see no transport) so their data is freed. */
  while (g_main_context_iteration (h->ctx, FALSE))
    ;
  g_clear_pointer (&h->ctx, g_main_context_unref);
  g_clear_pointer (&h->client_cert, relay_dtls_certificate_unref);
  g_clear_pointer (&h->server_cert, relay_dtls_certificate_unref);
}

typedef gboolean (*Condition) (Harness *h);

static gboolean wake (gpointer unused) { return G_SOURCE_REMOVE; }

/* Bounded: a hung handshake fails the test instead of hanging it. */
static gboolean
wait_for (Harness *h, Condition cond, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  GSource *guard = g_timeout_source_new (timeout_ms);

  g_source_set_callback (guard, wake, NULL, NULL);
  g_source_attach (guard, h->ctx);
  while (!cond (h) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (h->ctx, TRUE);
  g_source_destroy (guard);
  g_source_unref (guard);
  return cond (h);
}

static gboolean both_connected (Harness *h) { return h->client.connected && h->server.connected; }
static gboolean server_failed (Harness *h) { return h->server.failed; }
static gboolean client_failed (Harness *h) { return h->client.failed; }
static gboolean server_closed (Harness *h) { return h->server.closed; }
static gboolean
data_both_ways (Harness *h)
{
  return h->client.received->len >= 5 && h->server.received->len >= 5;
}

static void
check_fingerprint_format (const char *fp)
{
  g_assert_nonnull (fp);
  g_assert_cmpuint (strlen (fp), ==, 95);
  for (guint i = 0; i < 95; i++)
    {
      if (i % 3 == 2)
        g_assert_cmpint (fp[i], ==, ':');
      else
        g_assert_true (g_ascii_isxdigit (fp[i]) && !g_ascii_islower (fp[i]));
    }
}

static void
test_certificate_generate (void)
{
  g_autoptr (RelayDtlsCertificate) a = generate ();
  g_autoptr (RelayDtlsCertificate) b = generate ();
  GError *error = NULL;
  X509 *x509 = relay_dtls_certificate_get_x509 (a);
  char cn[64] = "";

  check_fingerprint_format (relay_dtls_certificate_get_fingerprint (a));
  g_assert_cmpstr (relay_dtls_certificate_get_fingerprint (a), !=,
                   relay_dtls_certificate_get_fingerprint (b));

  X509_NAME_get_text_by_NID (X509_get_subject_name (x509), NID_commonName, cn, sizeof cn);
  g_assert_cmpstr (cn, ==, "briefing-relay");
  g_assert_cmpint (EVP_PKEY_get_base_id (relay_dtls_certificate_get_pkey (a)), ==, EVP_PKEY_EC);
  g_assert_cmpint (X509_get_signature_nid (x509), ==, NID_ecdsa_with_SHA256);
  /* Valid now, and not beyond its 30 days. */
  g_assert_cmpint (X509_cmp_current_time (X509_get0_notBefore (x509)), <, 0);
  g_assert_cmpint (X509_cmp_current_time (X509_get0_notAfter (x509)), >, 0);
  g_assert_cmpint (X509_cmp_time (X509_get0_notAfter (x509), &(time_t) { time (NULL) + 31 * 86400 }), <, 0);

  /* Contexts are built once per role and then shared. */
  gpointer server_ctx = relay_dtls_certificate_get_ssl_ctx (a, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (server_ctx);
  g_assert_true (relay_dtls_certificate_get_ssl_ctx (a, TRUE, NULL) == server_ctx);
  g_assert_true (relay_dtls_certificate_get_ssl_ctx (a, FALSE, NULL) != server_ctx);
}

static void
write_pem (const char *path, RelayDtlsCertificate *cert, gboolean key)
{
  FILE *f = g_fopen (path, "w");

  g_assert_nonnull (f);
  if (key)
    g_assert_cmpint (PEM_write_PrivateKey (f, relay_dtls_certificate_get_pkey (cert),
                                           NULL, NULL, 0, NULL, NULL), ==, 1);
  else
    g_assert_cmpint (PEM_write_X509 (f, relay_dtls_certificate_get_x509 (cert)), ==, 1);
  fclose (f);
}

static void
test_certificate_load (void)
{
  g_autoptr (RelayDtlsCertificate) a = generate ();
  g_autoptr (RelayDtlsCertificate) other = generate ();
  g_autoptr (RelayDtlsCertificate) loaded = NULL;
  RelayDtlsCertificate *bad;
  GError *error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-dtls-XXXXXX", &error);
  g_autofree char *cert_path = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key_path = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *other_key_path = g_build_filename (dir, "other-key.pem", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.pem", NULL);

  g_assert_no_error (error);
  write_pem (cert_path, a, FALSE);
  write_pem (key_path, a, TRUE);
  write_pem (other_key_path, other, TRUE);

  loaded = relay_dtls_certificate_load (cert_path, key_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_cmpstr (relay_dtls_certificate_get_fingerprint (loaded), ==,
                   relay_dtls_certificate_get_fingerprint (a));

  bad = relay_dtls_certificate_load (missing, key_path, &error);
  g_assert_null (bad);
  g_assert_error (error, RELAY_DTLS_ERROR, RELAY_DTLS_ERROR_CERTIFICATE);
  g_clear_error (&error);

  bad = relay_dtls_certificate_load (cert_path, other_key_path, &error);
  g_assert_null (bad);
  g_assert_error (error, RELAY_DTLS_ERROR, RELAY_DTLS_ERROR_CERTIFICATE);
  g_clear_error (&error);

  g_unlink (cert_path);
  g_unlink (key_path);
  g_unlink (other_key_path);
  g_rmdir (dir);
}

static void
srtp_round_trip (const RelaySrtpKeys *sender_keys, const RelaySrtpKeys *receiver_keys)
{
  g_autoptr (RelaySrtpSession) tx = NULL;
  g_autoptr (RelaySrtpSession) rx = NULL;
  guint8 buf[12 + 20 + RELAY_SRTP_MAX_TRAILER] = { 0x80, 96, 0, 1, 0, 0, 0, 1, 1, 2, 3, 4 };
  GError *error = NULL;
  gsize len = 32;

  memset (buf + 12, 0x5a, 20);
  tx = relay_srtp_session_new (sender_keys, &error);
  g_assert_no_error (error);
  rx = relay_srtp_session_new (receiver_keys, &error);
  g_assert_no_error (error);
  g_assert_true (relay_srtp_session_protect_rtp (tx, buf, &len, &error));
  g_assert_true (relay_srtp_session_unprotect_rtp (rx, buf, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 32);
  g_assert_cmpuint (buf[31], ==, 0x5a);
}

static void
test_handshake (void)
{
  Harness h;
  g_autofree char *lower = NULL;

  harness_init (&h);
  /* SDP fingerprints may come in lower case. */
  lower = g_ascii_strdown (relay_dtls_certificate_get_fingerprint (h.client_cert), -1);
  harness_create (&h, lower, NULL);
  harness_start (&h);
  g_assert_cmpint (relay_dtls_transport_get_state (h.client.t), ==, RELAY_DTLS_STATE_CONNECTING);
  g_assert_false (relay_dtls_transport_send_application (h.client.t, (const guint8 *) "x", 1));

  g_assert_true (wait_for (&h, both_connected, WAIT_MS));
  g_assert_false (h.client.failed || h.server.failed);
  g_assert_cmpint (relay_dtls_transport_get_state (h.client.t), ==, RELAY_DTLS_STATE_CONNECTED);
  g_assert_cmpint (relay_dtls_transport_get_state (h.server.t), ==, RELAY_DTLS_STATE_CONNECTED);
  g_assert_cmpuint (h.client.largest_datagram, <=, 1200);
  g_assert_cmpuint (h.server.largest_datagram, <=, 1200);

  g_assert_cmpint (h.server.keys.profile, ==, RELAY_SRTP_PROFILE_AEAD_AES_128_GCM);
  g_assert_cmpint (h.client.keys.profile, ==, RELAY_SRTP_PROFILE_AEAD_AES_128_GCM);
  g_assert_cmpuint (h.server.keys.key_salt_len, ==, 28);
  g_assert_cmpmem (h.client.keys.local_key_salt, 28, h.server.keys.remote_key_salt, 28);
  g_assert_cmpmem (h.client.keys.remote_key_salt, 28, h.server.keys.local_key_salt, 28);
  g_assert_true (memcmp (h.client.keys.local_key_salt, h.client.keys.remote_key_salt, 28) != 0);

  srtp_round_trip (&h.client.keys, &h.server.keys);
  srtp_round_trip (&h.server.keys, &h.client.keys);
  harness_clear (&h);
}

static void
test_application_data (void)
{
  Harness h;

  harness_init (&h);
  harness_create (&h, NULL, NULL);
  harness_start (&h);
  g_assert_true (wait_for (&h, both_connected, WAIT_MS));

  g_assert_true (relay_dtls_transport_send_application (h.client.t, (const guint8 *) "hello", 5));
  g_assert_true (relay_dtls_transport_send_application (h.server.t, (const guint8 *) "sawat", 5));
  g_assert_true (wait_for (&h, data_both_ways, WAIT_MS));
  g_assert_cmpmem (h.server.received->data, h.server.received->len, "hello", 5);
  g_assert_cmpmem (h.client.received->data, h.client.received->len, "sawat", 5);
  harness_clear (&h);
}

static void
test_fingerprint_mismatch (void)
{
  Harness h;
  g_autoptr (RelayDtlsCertificate) stranger = generate ();

  harness_init (&h);
  harness_create (&h, relay_dtls_certificate_get_fingerprint (stranger), NULL);
  harness_start (&h);
  g_assert_true (wait_for (&h, server_failed, WAIT_MS));
  g_assert_cmpstr (h.server.fail_reason, ==, "fingerprint mismatch");
  g_assert_false (h.server.connected);
  g_assert_cmpint (relay_dtls_transport_get_state (h.server.t), ==, RELAY_DTLS_STATE_FAILED);
  g_assert_false (relay_dtls_transport_send_application (h.server.t, (const guint8 *) "x", 1));
  /* Refused inside the handshake, with an alert: the peer is told at once
   * instead of believing itself connected. */
  g_assert_true (wait_for (&h, client_failed, WAIT_MS));
  g_assert_false (h.client.connected);
  harness_clear (&h);
}

/* "<hash> <value>" of cert with any OpenSSL digest, sha-1 included (which
 * the relay's own helper refuses to compute). */
static char *
fingerprint_line (RelayDtlsCertificate *cert, const char *name, const EVP_MD *md)
{
  guint8 d[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  GString *out = g_string_new (name);

  g_assert_cmpint (X509_digest (relay_dtls_certificate_get_x509 (cert), md, d, &len), ==, 1);
  for (unsigned int i = 0; i < len; i++)
    g_string_append_printf (out, i == 0 ? " %02x" : ":%02x", d[i]);
  return g_string_free (out, FALSE);
}

/* An offer may carry several a=fingerprint lines (RFC 8122): the peer's
 * certificate needs to match one with a hash the relay accepts. */
static void
test_fingerprint_any_of (void)
{
  Harness h;
  g_autoptr (RelayDtlsCertificate) stranger = generate ();
  g_autofree char *stranger_256 = fingerprint_line (stranger, "sha-256", EVP_sha256 ());
  g_autofree char *stranger_512 = fingerprint_line (stranger, "sha-512", EVP_sha512 ());

  /* Two lines, only the second one the client's. */
  harness_init (&h);
  {
    g_autofree char *client_256 = fingerprint_line (h.client_cert, "sha-256", EVP_sha256 ());
    const char *second[] = { stranger_256, client_256, NULL };

    harness_create_with (&h, second, NULL);
  }
  harness_start (&h);
  g_assert_true (wait_for (&h, both_connected, WAIT_MS));
  harness_clear (&h);

  /* The match with another accepted hash (upper-case name); unknown and
   * weak hashes are skipped, not fatal. */
  harness_init (&h);
  {
    g_autofree char *client_384 = fingerprint_line (h.client_cert, "SHA-384", EVP_sha384 ());
    const char *mixed[] = { "x-unknown 01:02", "md5 00:11", stranger_512, client_384, NULL };

    harness_create_with (&h, mixed, NULL);
  }
  harness_start (&h);
  g_assert_true (wait_for (&h, both_connected, WAIT_MS));
  harness_clear (&h);
}

static void
expect_refused (const char *const *server_expects)
{
  Harness h;

  harness_init (&h);
  harness_create_with (&h, server_expects, NULL);
  harness_start (&h);
  g_assert_true (wait_for (&h, server_failed, WAIT_MS));
  g_assert_cmpstr (h.server.fail_reason, ==, "fingerprint mismatch");
  g_assert_false (h.server.connected);
  harness_clear (&h);
}

static void
test_fingerprint_none_of (void)
{
  g_autoptr (RelayDtlsCertificate) stranger = generate ();
  g_autofree char *stranger_256 = fingerprint_line (stranger, "sha-256", EVP_sha256 ());
  g_autofree char *stranger_384 = fingerprint_line (stranger, "sha-384", EVP_sha384 ());
  const char *strangers[] = { stranger_256, stranger_384, NULL };
  const char *nothing[] = { NULL };

  expect_refused (strangers);
  expect_refused (nothing);
  /* A sha-1 line never matches, even the right certificate's: SHA-1 is
   * not strong enough to authenticate a peer. (The harness client's own
   * certificate is only known once the harness exists, hence by hand.) */
  {
    Harness h;
    g_autofree char *client_sha1 = NULL;

    harness_init (&h);
    client_sha1 = fingerprint_line (h.client_cert, "sha-1", EVP_sha1 ());
    const char *weak[] = { client_sha1, NULL };
    harness_create_with (&h, weak, NULL);
    harness_start (&h);
    g_assert_true (wait_for (&h, server_failed, WAIT_MS));
    g_assert_cmpstr (h.server.fail_reason, ==, "fingerprint mismatch");
    harness_clear (&h);
  }
}

static void
test_retransmission (void)
{
  Harness h;

  harness_init (&h);
  harness_create (&h, NULL, NULL);
  h.client.drop_next = 1; /* lose the ClientHello */
  harness_start (&h);
  g_assert_cmpuint (h.client.datagrams_sent, ==, 1);
  g_assert_true (wait_for (&h, both_connected, WAIT_MS));
  g_assert_cmpuint (h.client.datagrams_sent, >=, 3);
  harness_clear (&h);
}

/* Losing the server's final flight: the client resends its Finished and the
 * server, already connected, must answer from its read path. */
static void
test_lost_final_flight (void)
{
  Harness h;
  guint server_flight_end;

  harness_init (&h);
  harness_create (&h, NULL, NULL);
  harness_start (&h);
  g_assert_true (wait_for (&h, both_connected, WAIT_MS));
  server_flight_end = h.server.datagrams_sent;
  harness_clear (&h);

  harness_init (&h);
  harness_create (&h, NULL, NULL);
  h.server.drop_nth = server_flight_end;
  harness_start (&h);
  g_assert_true (wait_for (&h, both_connected, WAIT_MS));
  g_assert_cmpuint (h.server.datagrams_sent, >, server_flight_end);
  g_assert_cmpmem (h.client.keys.local_key_salt, 28, h.server.keys.remote_key_salt, 28);
  harness_clear (&h);
}

static void
test_close (void)
{
  Harness h;

  harness_init (&h);
  harness_create (&h, NULL, NULL);
  harness_start (&h);
  g_assert_true (wait_for (&h, both_connected, WAIT_MS));
  g_clear_pointer (&h.client.t, relay_dtls_transport_free); /* sends close_notify */
  g_assert_true (wait_for (&h, server_closed, WAIT_MS));
  g_assert_cmpint (relay_dtls_transport_get_state (h.server.t), ==, RELAY_DTLS_STATE_CLOSED);
  g_assert_false (h.server.failed);
  harness_clear (&h);
}

static void
test_free_in_callbacks (void)
{
  Harness h;
  g_autoptr (RelayDtlsCertificate) stranger = generate ();

  /* From connected: close_notify still goes out. */
  harness_init (&h);
  harness_create (&h, NULL, NULL);
  h.client.free_in_connected = TRUE;
  harness_start (&h);
  g_assert_true (wait_for (&h, server_closed, WAIT_MS));
  g_assert_null (h.client.t);
  harness_clear (&h);

  /* From failed. */
  harness_init (&h);
  harness_create (&h, relay_dtls_certificate_get_fingerprint (stranger), NULL);
  h.server.free_in_failed = TRUE;
  harness_start (&h);
  g_assert_true (wait_for (&h, server_failed, WAIT_MS));
  g_assert_null (h.server.t);
  harness_clear (&h);

  /* From send, i.e. while OpenSSL is writing the ClientHello. */
  harness_init (&h);
  harness_create (&h, NULL, NULL);
  h.client.free_in_send = TRUE;
  harness_start (&h);
  g_assert_null (h.client.t);
  g_assert_cmpuint (h.client.datagrams_sent, ==, 1);
  while (g_main_context_iteration (h.ctx, FALSE))
    ;
  g_assert_false (h.client.connected || h.client.failed);
  harness_clear (&h);
}

static int accept_any (int ok, X509_STORE_CTX *store) { return 1; }

/* A bare OpenSSL DTLS client with cert's identity, offering the given SRTP
 * profiles and cipher suites (NULL: OpenSSL's defaults). Its datagrams go
 * to the server only when the test moves them (raw_flush). */
static SSL *
raw_client_new (RelayDtlsCertificate *cert, const char *srtp_profiles, const char *ciphers)
{
  SSL_CTX *ctx = SSL_CTX_new (DTLS_client_method ());
  SSL *raw;

  g_assert_nonnull (ctx);
  g_assert_cmpint (SSL_CTX_use_certificate (ctx, relay_dtls_certificate_get_x509 (cert)), ==, 1);
  g_assert_cmpint (SSL_CTX_use_PrivateKey (ctx, relay_dtls_certificate_get_pkey (cert)), ==, 1);
  g_assert_cmpint (SSL_CTX_set_tlsext_use_srtp (ctx, srtp_profiles), ==, 0);
  if (ciphers != NULL)
    g_assert_cmpint (SSL_CTX_set_cipher_list (ctx, ciphers), ==, 1);
  SSL_CTX_set_verify (ctx, SSL_VERIFY_PEER, accept_any);
  raw = SSL_new (ctx);
  SSL_CTX_free (ctx); /* raw holds its own reference */
  SSL_set_bio (raw, BIO_new (BIO_s_mem ()), BIO_new (BIO_s_mem ()));
  BIO_set_mem_eof_return (SSL_get_rbio (raw), -1);
  SSL_set_options (raw, SSL_OP_NO_QUERY_MTU);
  DTLS_set_link_mtu (raw, 1200);
  SSL_set_connect_state (raw);
  return raw;
}

/* The relay's server transport facing raw, expecting client_fingerprints
 * (NULL: the harness client certificate's sha-256). Its datagrams reach
 * raw's read BIO at once. */
static void
raw_server_start (Harness *h, RelayDtlsCertificate *server_cert, SSL *raw,
                  const char *const *client_fingerprints)
{
  g_autofree char *client_fp = sdp_fingerprint (h->client_cert);
  const char *client_default[] = { client_fp, NULL };

  h->server.t = relay_dtls_transport_new (server_cert, RELAY_DTLS_ROLE_SERVER,
                                          client_fingerprints ? client_fingerprints
                                                              : client_default,
                                          h->ctx, &callbacks, &h->server);
  h->server.raw_peer = raw;
  relay_dtls_transport_start (h->server.t);
}

/* What raw has written since the last call, as one datagram (DTLS allows
 * several records in one); NULL if nothing. */
static GBytes *
raw_take (SSL *raw)
{
  GByteArray *out = g_byte_array_new ();
  guint8 buf[2048];
  int n;

  while ((n = BIO_read (SSL_get_wbio (raw), buf, sizeof buf)) > 0)
    g_byte_array_append (out, buf, (guint) n);
  if (out->len == 0)
    {
      g_byte_array_unref (out);
      return NULL;
    }
  return g_byte_array_free_to_bytes (out);
}

static void
raw_deliver (Harness *h, GBytes *datagram)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (datagram, &len);

  if (h->server.t != NULL)
    relay_dtls_transport_receive (h->server.t, data, len);
  g_bytes_unref (datagram);
}

static void
raw_flush (Harness *h, SSL *raw)
{
  GBytes *datagram = raw_take (raw);

  if (datagram != NULL)
    raw_deliver (h, datagram);
}

/* Drives raw's handshake with h->server until both are done or the server
 * gave up; returns raw's last SSL_do_handshake result. (The first call
 * may report SSL_ERROR_SYSCALL on the empty memory BIO: not a failure.) */
static int
raw_handshake (Harness *h, SSL *raw)
{
  int done = 0;

  for (guint round = 0; round < 20; round++)
    {
      done = SSL_do_handshake (raw);
      raw_flush (h, raw);
      if ((done == 1 && h->server.connected) || h->server.failed)
        break;
    }
  return done;
}

/* A bare OpenSSL client offering only AES_CM: checks the fallback profile
 * and, from its own export, that the server split the keys per RFC 5764. */
static void
test_reference_client (void)
{
  Harness h;
  SSL *raw;
  guint8 material[60];

  harness_init (&h);
  raw = raw_client_new (h.client_cert, "SRTP_AES128_CM_SHA1_80", NULL);
  raw_server_start (&h, h.server_cert, raw, NULL);
  g_assert_cmpint (raw_handshake (&h, raw), ==, 1);
  g_assert_cmpstr (h.server.fail_reason, ==, NULL);
  g_assert_true (h.server.connected);

  g_assert_cmpint (h.server.keys.profile, ==, RELAY_SRTP_PROFILE_AES128_CM_SHA1_80);
  g_assert_cmpuint (h.server.keys.key_salt_len, ==, 30);
  g_assert_cmpint (SSL_export_keying_material (raw, material, sizeof material,
                                               "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0), ==, 1);
  /* client_key(16) | server_key(16) | client_salt(14) | server_salt(14) */
  g_assert_cmpmem (h.server.keys.remote_key_salt, 16, material, 16);
  g_assert_cmpmem (h.server.keys.remote_key_salt + 16, 14, material + 32, 14);
  g_assert_cmpmem (h.server.keys.local_key_salt, 16, material + 16, 16);
  g_assert_cmpmem (h.server.keys.local_key_salt + 16, 14, material + 46, 14);

  g_clear_pointer (&h.server.t, relay_dtls_transport_free);
  SSL_free (raw);
  harness_clear (&h);
}

/* ---- the DTLS policy, against a bare OpenSSL client -------------------- */

/* A relay identity with an RSA 2048 key, as an operator may configure
 * (dtls-certificate / dtls-private-key), loaded from PEM files. */
static RelayDtlsCertificate *
load_rsa_identity (void)
{
  GError *error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-dtls-rsa-XXXXXX", &error);
  g_autofree char *cert_path = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key_path = g_build_filename (dir, "key.pem", NULL);
  EVP_PKEY *pkey = EVP_RSA_gen (2048);
  X509 *x509 = X509_new ();
  RelayDtlsCertificate *cert;
  FILE *f;

  g_assert_no_error (error);
  g_assert_nonnull (pkey);
  X509_set_version (x509, 2);
  ASN1_INTEGER_set (X509_get_serialNumber (x509), 7);
  X509_gmtime_adj (X509_getm_notBefore (x509), -3600);
  X509_gmtime_adj (X509_getm_notAfter (x509), 3600);
  X509_NAME_add_entry_by_txt (X509_get_subject_name (x509), "CN", MBSTRING_ASC,
                              (const unsigned char *) "rsa-relay", -1, -1, 0);
  X509_set_issuer_name (x509, X509_get_subject_name (x509));
  X509_set_pubkey (x509, pkey);
  g_assert_cmpint (X509_sign (x509, pkey, EVP_sha256 ()), >, 0);
  f = g_fopen (cert_path, "w");
  g_assert_cmpint (PEM_write_X509 (f, x509), ==, 1);
  fclose (f);
  f = g_fopen (key_path, "w");
  g_assert_cmpint (PEM_write_PrivateKey (f, pkey, NULL, NULL, 0, NULL, NULL), ==, 1);
  fclose (f);
  X509_free (x509);
  EVP_PKEY_free (pkey);

  cert = relay_dtls_certificate_load (cert_path, key_path, &error);
  g_assert_no_error (error);
  g_unlink (cert_path);
  g_unlink (key_path);
  g_rmdir (dir);
  return cert;
}

/* Whether a client offering only `suite` completes a handshake with the
 * relay's server (server_cert, NULL: an ECDSA one); checks that the suite
 * is then the one in use, and that a refusal is the server's. */
static gboolean
connects_with_suite (RelayDtlsCertificate *server_cert, const char *suite)
{
  Harness h;
  SSL *raw;
  gboolean connected;

  harness_init (&h);
  raw = raw_client_new (h.client_cert, "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80", suite);
  raw_server_start (&h, server_cert != NULL ? server_cert : h.server_cert, raw, NULL);
  connected = raw_handshake (&h, raw) == 1 && h.server.connected;
  if (connected)
    {
      g_assert_cmpstr (SSL_CIPHER_get_name (SSL_get_current_cipher (raw)), ==, suite);
      g_assert_cmpstr (relay_dtls_transport_get_cipher_suite (h.server.t), ==, suite);
    }
  else
    {
      g_assert_true (h.server.failed);
      g_test_message ("%s refused: %s", suite, h.server.fail_reason);
    }
  g_clear_pointer (&h.server.t, relay_dtls_transport_free);
  SSL_free (raw);
  harness_clear (&h);
  return connected;
}

/* ECDHE with AES-GCM or ChaCha20-Poly1305 only: no CBC (SHA-1 or SHA-2
 * HMAC), no static RSA key exchange. */
static void
test_cipher_suites (void)
{
  static const char *const ecdsa_ok[] = { "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305" };
  static const char *const ecdsa_refused[] = { "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384" };
  static const char *const rsa_ok[] = { "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305" };
  static const char *const rsa_refused[] = { "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384",
    "AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA" };
  g_autoptr (RelayDtlsCertificate) rsa = load_rsa_identity ();

  for (guint i = 0; i < G_N_ELEMENTS (ecdsa_ok); i++)
    g_assert_true (connects_with_suite (NULL, ecdsa_ok[i]));
  for (guint i = 0; i < G_N_ELEMENTS (ecdsa_refused); i++)
    g_assert_false (connects_with_suite (NULL, ecdsa_refused[i]));
  for (guint i = 0; i < G_N_ELEMENTS (rsa_ok); i++)
    g_assert_true (connects_with_suite (rsa, rsa_ok[i]));
  for (guint i = 0; i < G_N_ELEMENTS (rsa_refused); i++)
    g_assert_false (connects_with_suite (rsa, rsa_refused[i]));
}

/* The relay's order decides: a client that lists AES_CM first but also
 * offers GCM gets GCM. (One offering only AES_CM, like webrtcbin 1.22,
 * gets AES_CM: test_reference_client.) */
static void
test_srtp_profile_preference (void)
{
  Harness h;
  SSL *raw;

  harness_init (&h);
  raw = raw_client_new (h.client_cert, "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM", NULL);
  raw_server_start (&h, h.server_cert, raw, NULL);
  g_assert_cmpint (raw_handshake (&h, raw), ==, 1);
  g_assert_true (h.server.connected);
  g_assert_cmpint (h.server.keys.profile, ==, RELAY_SRTP_PROFILE_AEAD_AES_128_GCM);
  g_assert_cmpuint (SSL_get_selected_srtp_profile (raw)->id, ==, SRTP_AEAD_AES_128_GCM);
  g_clear_pointer (&h.server.t, relay_dtls_transport_free);
  SSL_free (raw);
  harness_clear (&h);
}

/* A client that renegotiates after the handshake, with another
 * certificate (what a second handshake would let a peer do: swap the
 * identity its SDP vouched for). The relay refuses with a no_renegotiation
 * warning alert and its session goes on: data sent after the refused
 * ClientHello still arrives. OpenSSL as a client treats the refusal as
 * fatal (handshake_failure alert), after which the relay's transport
 * reports the failure and the session ends, as any failed DTLS does.
 *
 * The whole program runs under an openssl.cnf allowing client
 * renegotiation (main), which the relay must override. */
static void
test_renegotiation_refused (void)
{
  Harness h;
  g_autoptr (RelayDtlsCertificate) stranger = generate ();
  SSL_CTX *plain = SSL_CTX_new (DTLS_server_method ());
  GBytes *ping, *client_hello;
  SSL *raw;
  guint sent_before;
  int ret;

  /* The hostile configuration is in force for anyone not overriding it. */
  g_assert_true ((SSL_CTX_get_options (plain) & SSL_OP_ALLOW_CLIENT_RENEGOTIATION) != 0);
  SSL_CTX_free (plain);

  harness_init (&h);
  raw = raw_client_new (h.client_cert, "SRTP_AEAD_AES_128_GCM", NULL);
  raw_server_start (&h, h.server_cert, raw, NULL);
  g_assert_cmpint (raw_handshake (&h, raw), ==, 1);
  g_assert_true (h.server.connected);

  /* Data written before the renegotiation starts, delivered after the
   * ClientHello: the session must still carry it. */
  g_assert_cmpint (SSL_write (raw, "ping", 4), ==, 4);
  ping = raw_take (raw);
  g_assert_cmpint (SSL_use_certificate (raw, relay_dtls_certificate_get_x509 (stranger)), ==, 1);
  g_assert_cmpint (SSL_use_PrivateKey (raw, relay_dtls_certificate_get_pkey (stranger)), ==, 1);
  g_assert_cmpint (SSL_renegotiate (raw), ==, 1);
  SSL_do_handshake (raw);
  client_hello = raw_take (raw);
  g_assert_nonnull (ping);
  g_assert_nonnull (client_hello);

  sent_before = h.server.datagrams_sent;
  raw_deliver (&h, client_hello);
  /* One record of a few dozen bytes, a warning alert; a ServerHello
   * flight (certificate included) would take hundreds. */
  g_assert_cmpuint (h.server.datagrams_sent, ==, sent_before + 1);
  g_assert_cmpuint (h.server.last_datagram, <, 100);
  raw_deliver (&h, ping);
  g_assert_cmpmem (h.server.received->data, h.server.received->len, "ping", 4);
  g_assert_false (h.server.failed);
  g_assert_cmpint (relay_dtls_transport_get_state (h.server.t), ==, RELAY_DTLS_STATE_CONNECTED);
  g_assert_true (relay_dtls_transport_send_application (h.server.t, (const guint8 *) "pong", 4));

  /* The client reads the refusal and gives up. */
  ERR_clear_error ();
  ret = SSL_do_handshake (raw);
  g_assert_cmpint (ret, <=, 0);
  g_assert_cmpint (ERR_GET_REASON (ERR_peek_error ()), ==, SSL_R_NO_RENEGOTIATION);
  ERR_clear_error ();
  g_assert_cmpint (SSL_renegotiate_pending (raw), ==, 1);
  raw_flush (&h, raw);
  g_assert_true (h.server.failed);
  g_test_message ("after the client's alert: %s", h.server.fail_reason);
  g_assert_nonnull (strstr (h.server.fail_reason, "handshake failure"));

  g_clear_pointer (&h.server.t, relay_dtls_transport_free);
  SSL_free (raw);
  harness_clear (&h);
}

int
main (int argc, char **argv)
{
  /* Before OpenSSL reads its configuration (on first use): every test
   * here runs where the system would allow client renegotiation. */
  g_setenv ("OPENSSL_CONF", DTLS_TEST_OPENSSL_CONF, TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dtls/certificate/generate", test_certificate_generate);
  g_test_add_func ("/dtls/certificate/load", test_certificate_load);
  g_test_add_func ("/dtls/transport/handshake", test_handshake);
  g_test_add_func ("/dtls/transport/application-data", test_application_data);
  g_test_add_func ("/dtls/transport/fingerprint-mismatch", test_fingerprint_mismatch);
  g_test_add_func ("/dtls/transport/fingerprint-any-of", test_fingerprint_any_of);
  g_test_add_func ("/dtls/transport/fingerprint-none-of", test_fingerprint_none_of);
  g_test_add_func ("/dtls/transport/retransmission", test_retransmission);
  g_test_add_func ("/dtls/transport/lost-final-flight", test_lost_final_flight);
  g_test_add_func ("/dtls/transport/close", test_close);
  g_test_add_func ("/dtls/transport/free-in-callbacks", test_free_in_callbacks);
  g_test_add_func ("/dtls/transport/reference-client", test_reference_client);
  g_test_add_func ("/dtls/policy/cipher-suites", test_cipher_suites);
  g_test_add_func ("/dtls/policy/srtp-profile-preference", test_srtp_profile_preference);
  g_test_add_func ("/dtls/policy/renegotiation-refused", test_renegotiation_refused);

  return g_test_run ();
}
