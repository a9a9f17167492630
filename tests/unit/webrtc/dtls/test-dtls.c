/* DTLS certificate and transport: two transports wired back to back in
 * memory on one GMainContext, plus a bare OpenSSL client as an independent
 * reference for the RFC 5764 key layout; the peer's certificate against
 * the SDP fingerprints. */
#include <openssl/rsa.h>

#include "dtls-test-util.h"

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
  bad = relay_dtls_certificate_load (cert_path, missing, &error);
  g_assert_null (bad);
  g_assert_error (error, RELAY_DTLS_ERROR, RELAY_DTLS_ERROR_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "No such file"));
  g_clear_error (&error);
  bad = relay_dtls_certificate_load (cert_path, dir, &error); /* a directory */
  g_assert_null (bad);
  g_assert_error (error, RELAY_DTLS_ERROR, RELAY_DTLS_ERROR_CERTIFICATE);
  g_clear_error (&error);

  bad = relay_dtls_certificate_load (cert_path, other_key_path, &error);
  g_assert_null (bad);
  g_assert_error (error, RELAY_DTLS_ERROR, RELAY_DTLS_ERROR_CERTIFICATE);
  g_clear_error (&error);

  /* A key under 112-bit security (RSA-1024) is refused at load, not by
   * every handshake later. */
  {
    EVP_PKEY *weak_key = EVP_RSA_gen (1024);
    X509 *weak = X509_new ();
    FILE *f;

    X509_set_version (weak, 2);
    ASN1_INTEGER_set (X509_get_serialNumber (weak), 3);
    X509_gmtime_adj (X509_getm_notBefore (weak), -3600);
    X509_gmtime_adj (X509_getm_notAfter (weak), 3600);
    X509_set_issuer_name (weak, X509_get_subject_name (weak));
    X509_set_pubkey (weak, weak_key);
    g_assert_cmpint (X509_sign (weak, weak_key, EVP_sha256 ()), >, 0);
    f = g_fopen (cert_path, "w");
    PEM_write_X509 (f, weak);
    fclose (f);
    f = g_fopen (key_path, "w");
    PEM_write_PrivateKey (f, weak_key, NULL, NULL, 0, NULL, NULL);
    fclose (f);
    X509_free (weak);
    EVP_PKEY_free (weak_key);
  }
  bad = relay_dtls_certificate_load (cert_path, key_path, &error);
  g_assert_null (bad);
  g_assert_error (error, RELAY_DTLS_ERROR, RELAY_DTLS_ERROR_CERTIFICATE);
  g_test_message ("RSA-1024: %s", error->message);
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

int
main (int argc, char **argv)
{
  dtls_test_use_hostile_openssl_conf ();
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

  return g_test_run ();
}
