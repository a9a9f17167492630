/* The relay's DTLS identity over time (webrtc/dtls/dtls-identity): a
 * certificate is renewed once less than the margin of its validity
 * remains, new sessions get the new one, sessions under way keep theirs.
 * A test clock stands for the wall clock, so no test waits for time. */
#include "dtls-test-util.h"
#include "webrtc/dtls/dtls-identity.h"

#define HOUR (60 * 60)

static gint64 clock_us;

static gint64 test_now (void) { return clock_us; }

static gint64 clock_s (void) { return clock_us / G_USEC_PER_SEC; }

static void
clock_advance (gint64 seconds)
{
  clock_us += seconds * G_USEC_PER_SEC;
}

static RelayDtlsIdentity *
generated_identity (guint64 lifetime_s, guint64 renew_before_s)
{
  RelayDtlsIdentitySettings settings = {
    .lifetime_s = lifetime_s,
    .renew_before_s = renew_before_s,
    .now = test_now,
  };
  GError *error = NULL;
  RelayDtlsIdentity *identity = relay_dtls_identity_new (&settings, &error);

  g_assert_no_error (error);
  g_assert_nonnull (identity);
  return identity;
}

/* The harness's server side answers with cert, as a session made at that
 * moment would (peer-session keeps the reference it was given). */
static void
harness_use_server_cert (Harness *h, RelayDtlsCertificate *cert)
{
  relay_dtls_certificate_unref (h->server_cert);
  h->server_cert = cert;
}

static gboolean
data_arrived (Harness *h)
{
  return h->client.received->len >= 4 && h->server.received->len >= 4;
}

static void
test_generated_renewal (void)
{
  g_autoptr (RelayDtlsIdentity) identity = NULL;
  RelayDtlsCertificate *first, *again, *renewed;
  g_autofree char *first_fp = NULL;
  Harness before, after;
  gint64 start;

  clock_us = g_get_real_time ();
  start = clock_s ();
  identity = generated_identity (10 * HOUR, HOUR);
  first = relay_dtls_identity_dup_current (identity);
  first_fp = g_strdup (relay_dtls_certificate_get_fingerprint (first));
  /* Dated by the identity's clock: valid for exactly the lifetime. */
  g_assert_cmpint (relay_dtls_certificate_get_not_after (first), ==, start + 10 * HOUR);

  /* A session made now, connected. */
  harness_init (&before);
  harness_use_server_cert (&before, relay_dtls_certificate_ref (first));
  harness_create (&before, NULL, NULL);
  harness_start (&before);
  g_assert_true (wait_for (&before, both_connected, WAIT_MS));

  /* Exactly the margin left: still the same certificate. */
  clock_advance (9 * HOUR);
  again = relay_dtls_identity_dup_current (identity);
  g_assert_true (again == first);
  g_assert_cmpuint (relay_dtls_identity_get_renewals (identity), ==, 0);
  relay_dtls_certificate_unref (again);

  /* Inside the margin: a new certificate, a new fingerprint. */
  clock_advance (1);
  renewed = relay_dtls_identity_dup_current (identity);
  g_assert_true (renewed != first);
  g_assert_cmpstr (relay_dtls_certificate_get_fingerprint (renewed), !=, first_fp);
  g_assert_cmpint (relay_dtls_certificate_get_not_after (renewed), ==, clock_s () + 10 * HOUR);
  g_assert_cmpuint (relay_dtls_identity_get_renewals (identity), ==, 1);
  /* The first certificate is unchanged for whoever still holds it. */
  g_assert_cmpstr (relay_dtls_certificate_get_fingerprint (first), ==, first_fp);
  relay_dtls_certificate_unref (first);

  /* A session made now is answered with the new certificate: a client
   * expecting it connects... */
  harness_init (&after);
  harness_use_server_cert (&after, relay_dtls_certificate_ref (renewed));
  harness_create (&after, NULL, NULL);
  harness_start (&after);
  g_assert_true (wait_for (&after, both_connected, WAIT_MS));

  /* ... and the session made before goes on with the first one. */
  g_assert_true (relay_dtls_transport_send_application (before.client.t, (const guint8 *) "ping", 4));
  g_assert_true (relay_dtls_transport_send_application (before.server.t, (const guint8 *) "pong", 4));
  g_assert_true (wait_for (&before, data_arrived, WAIT_MS));
  g_assert_false (before.server.failed || before.client.failed);

  /* Later renewals follow the new certificate's own validity. */
  clock_advance (8 * HOUR);
  again = relay_dtls_identity_dup_current (identity);
  g_assert_true (again == renewed);
  relay_dtls_certificate_unref (again);

  harness_clear (&before);
  harness_clear (&after);
  relay_dtls_certificate_unref (renewed);
}

/* A client still expecting the first fingerprint fails against a session
 * answered after the renewal: the fingerprint in each answer must be the
 * certificate that session uses. */
static void
test_old_fingerprint_refused_after_renewal (void)
{
  g_autoptr (RelayDtlsIdentity) identity = NULL;
  g_autoptr (RelayDtlsCertificate) first = NULL;
  Harness h;

  clock_us = g_get_real_time ();
  identity = generated_identity (2 * HOUR, HOUR);
  first = relay_dtls_identity_dup_current (identity);
  clock_advance (HOUR + 1);

  harness_init (&h);
  harness_use_server_cert (&h, relay_dtls_identity_dup_current (identity));
  g_assert_true (h.server_cert != first);
  harness_create (&h, NULL, relay_dtls_certificate_get_fingerprint (first));
  harness_start (&h);
  g_assert_true (wait_for (&h, client_failed, WAIT_MS));
  g_assert_cmpstr (h.client.fail_reason, ==, "fingerprint mismatch");
  harness_clear (&h);
}

static void
write_identity (const char *cert_path, const char *key_path, RelayDtlsCertificate *cert)
{
  write_pem (cert_path, cert, FALSE);
  write_pem (key_path, cert, TRUE);
}

/* A configured certificate is read again from its files once inside the
 * margin, and taken when they hold one valid for longer: an operator
 * renews it by replacing the files. */
static void
test_configured_reload (void)
{
  g_autoptr (RelayDtlsIdentity) identity = NULL;
  g_autoptr (RelayDtlsCertificate) installed = NULL;
  g_autoptr (RelayDtlsCertificate) replacement = NULL;
  g_autoptr (RelayDtlsCertificate) current = NULL;
  GError *error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-dtls-identity-XXXXXX", &error);
  g_autofree char *cert_path = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key_path = g_build_filename (dir, "key.pem", NULL);
  RelayDtlsIdentitySettings settings = {
    .certificate_path = cert_path,
    .private_key_path = key_path,
    .lifetime_s = 10 * HOUR, /* unused for a configured certificate */
    .renew_before_s = HOUR,
    .now = test_now,
  };
  /* Warnings say the files hold nothing newer: expected here. */
  GLogLevelFlags fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

  g_assert_no_error (error);
  clock_us = g_get_real_time ();
  installed = relay_dtls_certificate_generate_at (clock_s (), 2 * HOUR, &error);
  g_assert_no_error (error);
  write_identity (cert_path, key_path, installed);
  identity = relay_dtls_identity_new (&settings, &error);
  g_assert_no_error (error);

  /* Inside the margin, the files unchanged: kept (and said). */
  clock_advance (HOUR + 1);
  current = relay_dtls_identity_dup_current (identity);
  g_assert_cmpstr (relay_dtls_certificate_get_fingerprint (current), ==,
                   relay_dtls_certificate_get_fingerprint (installed));
  g_clear_pointer (&current, relay_dtls_certificate_unref);

  /* The operator installs a renewed certificate; it is read again after
   * the reload interval, not on every request. */
  replacement = relay_dtls_certificate_generate_at (clock_s (), 30 * 24 * HOUR, &error);
  g_assert_no_error (error);
  write_identity (cert_path, key_path, replacement);
  current = relay_dtls_identity_dup_current (identity);
  g_assert_cmpstr (relay_dtls_certificate_get_fingerprint (current), ==,
                   relay_dtls_certificate_get_fingerprint (installed));
  g_clear_pointer (&current, relay_dtls_certificate_unref);
  clock_advance (RELAY_DTLS_IDENTITY_RELOAD_INTERVAL_S);
  current = relay_dtls_identity_dup_current (identity);
  g_assert_cmpstr (relay_dtls_certificate_get_fingerprint (current), ==,
                   relay_dtls_certificate_get_fingerprint (replacement));
  g_assert_cmpuint (relay_dtls_identity_get_renewals (identity), ==, 1);
  g_clear_pointer (&current, relay_dtls_certificate_unref);

  /* Unreadable files near the end: the relay keeps answering with what
   * it has rather than refusing sessions. */
  g_unlink (cert_path);
  clock_advance (30 * 24 * HOUR - HOUR + 1);
  current = relay_dtls_identity_dup_current (identity);
  g_assert_cmpstr (relay_dtls_certificate_get_fingerprint (current), ==,
                   relay_dtls_certificate_get_fingerprint (replacement));

  g_unlink (key_path);
  g_rmdir (dir);
  g_log_set_always_fatal (fatal);
}

int
main (int argc, char **argv)
{
  dtls_test_use_hostile_openssl_conf ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dtls/identity/generated-renewal", test_generated_renewal);
  g_test_add_func ("/dtls/identity/old-fingerprint-refused", test_old_fingerprint_refused_after_renewal);
  g_test_add_func ("/dtls/identity/configured-reload", test_configured_reload);

  return g_test_run ();
}
