/* Helpers shared by the relay/dtls unit tests: two DTLS transports wired
 * back to back in memory on one GMainContext (the Harness), and a bare
 * OpenSSL DTLS client driven by hand against the relay's server transport.
 * Static so that each test program stays a single translation unit; all on
 * the test's thread. */
#pragma once

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>

#include "webrtc/dtls/dtls-certificate.h"
#include "webrtc/dtls/dtls-transport.h"
#include "webrtc/srtp/srtp-session.h"

/* Every DTLS test program runs under a system OpenSSL configuration that
 * allows client-initiated renegotiation (tests/unit/dtls/
 * openssl-hostile.cnf): the relay's policy must hold whatever the machine's
 * openssl.cnf says. Call first in main, before OpenSSL reads its
 * configuration (on first use). */
G_GNUC_UNUSED static void
dtls_test_use_hostile_openssl_conf (void)
{
  g_setenv ("OPENSSL_CONF", DTLS_TEST_OPENSSL_CONF, TRUE);
}

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

G_GNUC_UNUSED static void
delivery_free (gpointer p)
{
  Delivery *d = p;
  g_bytes_unref (d->data);
  g_free (d);
}

/* Delivered from an idle so a transport is never re-entered from its own
 * send callback, as with a real socket. */
G_GNUC_UNUSED static gboolean
deliver (gpointer p)
{
  Delivery *d = p;
  gsize len;
  const guint8 *data = g_bytes_get_data (d->data, &len);

  if (d->to->t != NULL)
    relay_dtls_transport_receive (d->to->t, data, len);
  return G_SOURCE_REMOVE;
}

G_GNUC_UNUSED static void
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

G_GNUC_UNUSED static void
on_connected (const RelaySrtpKeys *keys, gpointer user_data)
{
  Endpoint *ep = user_data;

  g_assert_false (ep->connected);
  ep->connected = TRUE;
  ep->keys = *keys;
  if (ep->free_in_connected)
    g_clear_pointer (&ep->t, relay_dtls_transport_free);
}

G_GNUC_UNUSED static void
on_failed (const char *reason, gpointer user_data)
{
  Endpoint *ep = user_data;

  g_assert_false (ep->failed);
  ep->failed = TRUE;
  ep->fail_reason = g_strdup (reason);
  if (ep->free_in_failed)
    g_clear_pointer (&ep->t, relay_dtls_transport_free);
}

G_GNUC_UNUSED static void
on_application_data (const guint8 *data, gsize len, gpointer user_data)
{
  Endpoint *ep = user_data;
  g_byte_array_append (ep->received, data, len);
}

G_GNUC_UNUSED static void on_closed (gpointer user_data) { ((Endpoint *) user_data)->closed = TRUE; }

static const RelayDtlsCallbacks callbacks = {
  .send = on_send,
  .connected = on_connected,
  .failed = on_failed,
  .application_data = on_application_data,
  .closed = on_closed,
};

G_GNUC_UNUSED static RelayDtlsCertificate *
generate (void)
{
  GError *error = NULL;
  RelayDtlsCertificate *cert = relay_dtls_certificate_generate (&error);

  g_assert_no_error (error);
  g_assert_nonnull (cert);
  return cert;
}

G_GNUC_UNUSED static void
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
G_GNUC_UNUSED static char *
sdp_fingerprint (RelayDtlsCertificate *cert)
{
  return g_strconcat ("sha-256 ", relay_dtls_certificate_get_fingerprint (cert), NULL);
}

/* Each side is told the other's fingerprints, as the SDP exchange would;
 * NULL: the other's sha-256 one. */
G_GNUC_UNUSED static void
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
G_GNUC_UNUSED static void
harness_create (Harness *h, const char *server_expects, const char *client_expects)
{
  g_autofree char *s = server_expects ? g_strconcat ("sha-256 ", server_expects, NULL) : NULL;
  g_autofree char *c = client_expects ? g_strconcat ("sha-256 ", client_expects, NULL) : NULL;
  const char *server_list[] = { s, NULL };
  const char *client_list[] = { c, NULL };

  harness_create_with (h, s ? server_list : NULL, c ? client_list : NULL);
}

G_GNUC_UNUSED static void
harness_start (Harness *h)
{
  relay_dtls_transport_start (h->server.t);
  relay_dtls_transport_start (h->client.t);
}

G_GNUC_UNUSED static void
endpoint_clear (Endpoint *ep)
{
  relay_srtp_keys_clear (&ep->keys);
  g_clear_pointer (&ep->t, relay_dtls_transport_free);
  g_clear_pointer (&ep->received, g_byte_array_unref);
  g_clear_pointer (&ep->fail_reason, g_free);
}

G_GNUC_UNUSED static void
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
G_GNUC_UNUSED static gboolean
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

G_GNUC_UNUSED static gboolean both_connected (Harness *h) { return h->client.connected && h->server.connected; }
G_GNUC_UNUSED static gboolean server_failed (Harness *h) { return h->server.failed; }
G_GNUC_UNUSED static gboolean client_failed (Harness *h) { return h->client.failed; }
G_GNUC_UNUSED static gboolean server_closed (Harness *h) { return h->server.closed; }
G_GNUC_UNUSED static gboolean
data_both_ways (Harness *h)
{
  return h->client.received->len >= 5 && h->server.received->len >= 5;
}

G_GNUC_UNUSED static void
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

/* "<hash> <value>" of cert with any OpenSSL digest, sha-1 included (which
 * the relay's own helper refuses to compute). */
G_GNUC_UNUSED static char *
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

G_GNUC_UNUSED static int accept_any (int ok, X509_STORE_CTX *store) { return 1; }

/* A bare OpenSSL DTLS client with cert's identity, offering the given SRTP
 * profiles and cipher suites (NULL: OpenSSL's defaults). Its datagrams go
 * to the server only when the test moves them (raw_flush). */
G_GNUC_UNUSED static SSL *
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
G_GNUC_UNUSED static void
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
G_GNUC_UNUSED static GBytes *
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

G_GNUC_UNUSED static void
raw_deliver (Harness *h, GBytes *datagram)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (datagram, &len);

  if (h->server.t != NULL)
    relay_dtls_transport_receive (h->server.t, data, len);
  g_bytes_unref (datagram);
}

G_GNUC_UNUSED static void
raw_flush (Harness *h, SSL *raw)
{
  GBytes *datagram = raw_take (raw);

  if (datagram != NULL)
    raw_deliver (h, datagram);
}

/* Drives raw's handshake with h->server until both are done or the server
 * gave up; returns raw's last SSL_do_handshake result. (The first call
 * may report SSL_ERROR_SYSCALL on the empty memory BIO: not a failure.) */
G_GNUC_UNUSED static int
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

