/* The DTLS policy against a bare OpenSSL client: which cipher suites and
 * SRTP profiles the relay accepts, and renegotiation refused. */
#include <openssl/rsa.h>

#include "dtls-test-util.h"

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
  dtls_test_use_hostile_openssl_conf ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dtls/policy/cipher-suites", test_cipher_suites);
  g_test_add_func ("/dtls/policy/srtp-profile-preference", test_srtp_profile_preference);
  g_test_add_func ("/dtls/policy/renegotiation-refused", test_renegotiation_refused);

  return g_test_run ();
}
