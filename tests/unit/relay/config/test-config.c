/* Config and roster errors: each names the file, group and key. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "relay/config/config.h"
#include "relay/config/dev-tokens.h"
#include "relay/config/roster.h"

static void
expect_error (const char *ini, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) c = relay_config_load_data (ini, strlen (ini), "test.ini", NULL, &error);
  g_assert_null (c);
  g_assert_error (error, RELAY_CONFIG_ERROR, RELAY_CONFIG_ERROR_INVALID);
  if (!strstr (error->message, fragment))
    g_error ("error \"%s\" does not mention \"%s\"", error->message, fragment);
  g_assert_true (g_str_has_prefix (error->message, "test.ini: "));
}

static void
test_embedded_defaults (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) c = relay_config_load (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c->provinces->len, ==, 76);
  g_assert_cmpuint (c->http_port, ==, 8080);
  g_assert_cmpuint (c->target_bitrate_kbps, ==, 600);
  g_assert_true (c->dev_tokens);
  g_assert_cmpint (c->sdp_policy.video_codecs[0], ==, RELAY_CODEC_VP8);
  g_assert_cmpint (c->sdp_policy.video_codecs[1], ==, RELAY_CODEC_H264);
  RelayOfficeConfig *p = relay_config_find_province (c, "TH-50");
  g_assert_nonnull (p);
  g_assert_cmpstr (p->name_en, ==, "Chiang Mai");
  g_assert_cmpstr (p->name_th, ==, "เชียงใหม่");
  g_assert_cmpstr (p->region, ==, "north");
  g_assert_false (p->has_token);
  /* Without TLS the relay serves this machine only. */
  g_assert_cmpstr (c->http_address, ==, "127.0.0.1");
  g_assert_false (c->allow_insecure_http);
  g_assert_false (relay_config_plain_http_exposed (c));
  g_assert_cmpuint (g_strv_length (c->allowed_origins), ==, 0);
  g_assert_cmpuint (c->dtls_certificate_lifetime_s, ==, 30 * 86400);
  g_assert_cmpuint (c->dtls_renew_before_s, ==, 7 * 86400);
}

static RelayConfig *
load (const char *ini)
{
  g_autoptr (GError) error = NULL;
  RelayConfig *c = relay_config_load_data (ini, strlen (ini), "t.ini", NULL, &error);
  g_assert_no_error (error);
  return c;
}

/* Plain HTTP where other machines reach it only when the config says so;
 * with TLS the default address is every interface. */
static void
test_listening_address (void)
{
  const char *refusal = "allow-insecure-http=true";
  expect_error ("[relay]\nhttp-address=0.0.0.0\n", refusal);
  expect_error ("[relay]\nhttp-address=::\n", refusal);
  expect_error ("[relay]\nhttp-address=192.0.2.10\n", refusal);
  expect_error ("[relay]\nhttp-address=0.0.0.0\nallow-insecure-http=false\n", refusal);
  expect_error ("[relay]\nallow-insecure-http=yes\n", "[relay] allow-insecure-http");

  g_autoptr (RelayConfig) any = load ("[relay]\nhttp-address=0.0.0.0\nallow-insecure-http=true\n");
  g_assert_cmpstr (any->http_address, ==, "0.0.0.0");
  g_assert_true (relay_config_plain_http_exposed (any));
  g_autoptr (RelayConfig) v6 = load ("[relay]\nhttp-address=::1\n");
  g_assert_false (relay_config_plain_http_exposed (v6));
  g_autoptr (RelayConfig) local = load ("[relay]\nhttp-address=127.0.0.2\n");
  g_assert_false (relay_config_plain_http_exposed (local));
  g_autoptr (RelayConfig) tls
      = load ("[relay]\ntls-certificate=/c.pem\ntls-private-key=/k.pem\n");
  g_assert_cmpstr (tls->http_address, ==, "0.0.0.0");
  g_assert_false (relay_config_plain_http_exposed (tls));
  g_autoptr (RelayConfig) tls_local
      = load ("[relay]\nhttp-address=127.0.0.1\ntls-certificate=/c.pem\ntls-private-key=/k.pem\n");
  g_assert_cmpstr (tls_local->http_address, ==, "127.0.0.1");
}

static void
test_allowed_origins (void)
{
  g_autoptr (RelayConfig) c = load ("[relay]\nallowed-origins=https://Portal.MOL.go.th, "
                                    "http://127.0.0.1:8080/,http://[::1]:9000\n");
  g_assert_cmpuint (g_strv_length (c->allowed_origins), ==, 3);
  g_assert_cmpstr (c->allowed_origins[0], ==, "https://portal.mol.go.th:443");
  g_assert_cmpstr (c->allowed_origins[1], ==, "http://127.0.0.1:8080");
  g_assert_cmpstr (c->allowed_origins[2], ==, "http://[::1]:9000");
  const char *bad[] = { "portal.mol.go.th", "ftp://portal.mol.go.th", "https://a.example/page",
                        "https://a.example?x=1", "https://user@a.example", "null", "*" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *ini = g_strdup_printf ("[relay]\nallowed-origins=%s\n", bad[i]);
      expect_error (ini, "[relay] allowed-origins");
    }
  g_autofree char *same = relay_config_normalize_origin ("HTTPS://a.example:443");
  g_assert_cmpstr (same, ==, "https://a.example:443");
  g_assert_null (relay_config_normalize_origin (NULL));
}

static void
test_tokens (void)
{
  const char *ini = "[province TH-50]\ntoken=plain-token-50\n"
                    "[province TH-11]\n"
                    /* sha256("password") */
                    "token-sha256=5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) c = relay_config_load_data (ini, strlen (ini), "t.ini", NULL, &error);
  g_assert_no_error (error);
  RelayOfficeConfig *p50 = relay_config_find_province (c, "TH-50");
  RelayOfficeConfig *p11 = relay_config_find_province (c, "TH-11");
  g_assert_true (relay_office_config_check_token (p50, "plain-token-50"));
  g_assert_false (relay_office_config_check_token (p50, "plain-token-5"));
  g_assert_false (relay_office_config_check_token (p50, NULL));
  g_assert_true (relay_office_config_check_token (p11, "password"));
  g_assert_false (relay_office_config_check_token (p11, "Password"));
}

static void
test_errors (void)
{
  expect_error ("[relay]\nhttp-port=99999\n", "[relay] http-port");
  expect_error ("[relay]\nhttp-port=abc\n", "[relay] http-port");
  expect_error ("[relay]\nhttp-address=example.org\n", "[relay] http-address");
  expect_error ("[relay]\nhttp-prot=80\n", "[relay] http-prot: unknown key");
  expect_error ("[relay]\ntls-certificate=/x.pem\n", "tls-private-key");
  expect_error ("[relay]\ndev-tokens=yes\n", "[relay] dev-tokens");
  expect_error ("[relay]\nroster=/nonexistent/roster.csv\n", "[relay] roster");
  expect_error ("[transport]\nthreads=0\n", "[transport] threads");
  expect_error ("[limits]\nmax-sessions=0\n", "[limits] max-sessions");
  expect_error ("[limits]\nrefused-candidate-ranges=loopback,intranet\n",
                "[limits] refused-candidate-ranges: \"intranet\"");
  expect_error ("[limits]\nevent-queue-kb=1\n", "[limits] event-queue-kb");
  expect_error ("[limits]\nmax-session=5\n", "[limits] max-session: unknown key");
  expect_error ("[dtls]\ncertificate-lifetime-s=59\n", "[dtls] certificate-lifetime-s");
  expect_error ("[dtls]\ncertificate-lifetime-s=600\nrenew-before-s=600\n",
                "[dtls] renew-before-s: 600 is not less than");
  expect_error ("[dtls]\nrenew-after-s=1\n", "[dtls] renew-after-s: unknown key");
  expect_error ("[transport]\nport-min=50000\nport-max=40000\n", "[transport] port-max");
  expect_error ("[transport]\nport-min=50000\n", "[transport] port-max");
  expect_error ("[transport]\nannounced-addresses=not-an-ip\n", "[transport] announced-addresses");
  expect_error ("[media]\nvideo-codecs=VP9\n", "[media] video-codecs: unknown codec \"VP9\"");
  expect_error ("[media]\nvideo-codecs=VP8,VP8\n", "listed twice");
  expect_error ("[media]\ncongestion-control=bbr\n", "[media] congestion-control");
  expect_error ("[media]\ntarget-bitrate-kbps=1\n", "[media] target-bitrate-kbps");
  expect_error ("[mosaic]\nwidth=1921\n", "[mosaic] width: must be even");
  expect_error ("[mosaic]\ncodec=AV1\n", "[mosaic] codec: unknown codec \"AV1\"");
  expect_error ("[mosaic]\norder=alphabet\n", "[mosaic] order: unknown order");
  expect_error ("[mosaic]\nframerate=0\n", "[mosaic] framerate");
  expect_error ("[mosaic]\ntiles=9\n", "[mosaic] tiles");
  expect_error ("[program]\nheight=100\n", "[program] height");
  expect_error ("[program]\naudio-bitrate-kbps=1000\n", "[program] audio-bitrate-kbps");
  expect_error ("[province TH-99]\ntoken=abcdefghij\n", "[province TH-99]: no province TH-99");
  expect_error ("[province TH-50]\ntoken=short\n", "[province TH-50] token");
  expect_error ("[province TH-50]\ntoken-sha256=xyz\n", "[province TH-50] token-sha256");
  expect_error ("[province TH-50]\ntoken=abcdefghij\ntoken-sha256=00\n", "not both");
  expect_error ("[province TH-50]\n", "needs token or token-sha256");
  expect_error ("[ice-server a]\nurls=http://x\n", "[ice-server a] urls");
  expect_error ("[mystery]\nkey=1\n", "[mystery]: unknown group");
  expect_error ("[viewer ops]\ntoken=abcdefghij\n", "[viewer ops] role: missing");
  expect_error ("[viewer ops]\ntoken=abcdefghij\nrole=king\n", "[viewer ops] role: \"king\"");
  expect_error ("[viewer ops]\nrole=chair\n", "[viewer ops]: needs token");
  expect_error ("[viewer ops]\nrole=chair\ntoken=abcdefghij\nseat=1\n", "[viewer ops] seat: unknown key");
  expect_error ("this is not a key file", "test.ini: ");
}

static void
test_roster_errors (void)
{
  const char *cases[][2] = {
    { "code,name\nTH-50,x\n", "header" },
    { "code,name_th,name_en,region\nTH-50,a,b\n", "4 unquoted fields" },
    { "code,name_th,name_en,region\nXX-50,a,b,c\n", "not an ISO 3166-2:TH code" },
    { "code,name_th,name_en,region\nTH-5,a,b,c\n", "not an ISO 3166-2:TH code" },
    { "code,name_th,name_en,region\nTH-10-0,a,b,c\n", "not an ISO 3166-2:TH code" },
    { "code,name_th,name_en,region\nTH-10-100,a,b,c\n", "not an ISO 3166-2:TH code" },
    { "code,name_th,name_en,region\nTH-10-,a,b,c\n", "not an ISO 3166-2:TH code" },
    { "code,name_th,name_en,region\nTH-SS-1,a,b,c\n", "not an ISO 3166-2:TH code" },
    { "code,name_th,name_en,region\nTH-10-1a,a,b,c\n", "not an ISO 3166-2:TH code" },
    { "code,name_th,name_en,region\nTH-50,a,b,c\nTH-50,a,b,c\n", "listed twice" },
    { "code,name_th,name_en,region\n", "no province" },
    { "code,name_th,name_en,region\nTH-50,\"a\",b,c\n", "unquoted" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      GPtrArray *r = relay_roster_parse (cases[i][0], strlen (cases[i][0]), "r.csv", &error);
      g_assert_null (r);
      if (!strstr (error->message, cases[i][1]))
        g_error ("roster error \"%s\" lacks \"%s\"", error->message, cases[i][1]);
    }
  /* Area offices of one province next to ordinary province codes. */
  const char *areas = "code,name_th,name_en,region\nTH-10-1,a,b,c\nTH-10-12,a,b,c\nTH-S,a,b,c\n"
                      "TH-S-2,a,b,c\nTH-50,a,b,c\n";
  g_autoptr (GError) area_error = NULL;
  g_autoptr (GPtrArray) area_roster = relay_roster_parse (areas, strlen (areas), "r.csv", &area_error);
  g_assert_no_error (area_error);
  g_assert_cmpuint (area_roster->len, ==, 5);
  const char bad_utf8[] = "code,name_th,name_en,region\nTH-50,\xff\xfe,b,c\n";
  g_autoptr (GError) error = NULL;
  g_assert_null (relay_roster_parse (bad_utf8, strlen (bad_utf8), "r.csv", &error));
  g_assert_nonnull (strstr (error->message, "UTF-8"));
}

static void
test_viewers (void)
{
  const char *ini = "[viewer minister]\nrole=minister\ntoken=minister-token\n"
                    "[viewer room]\nrole=viewer\ntoken=room-display-token\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) c = relay_config_load_data (ini, strlen (ini), "t.ini", NULL, &error);
  g_assert_no_error (error);
  const RelayViewerConfig *m = relay_config_find_viewer (c, "minister-token");
  g_assert_nonnull (m);
  g_assert_cmpstr (m->name, ==, "minister");
  g_assert_cmpint (m->role, ==, RELAY_ROLE_MINISTER);
  g_assert_cmpint (relay_config_find_viewer (c, "room-display-token")->role, ==, RELAY_ROLE_VIEWER);
  g_assert_null (relay_config_find_viewer (c, "nobody-token"));
  g_assert_null (relay_config_find_viewer (c, NULL));
}

static void
test_dev_tokens (void)
{
  g_autofree char *dir = g_dir_make_tmp ("relay-config-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "sub", "dev-tokens.ini", NULL);
  const char *ini = "[province TH-50]\ntoken=configured-50\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) c = relay_config_load_data (ini, strlen (ini), "t.ini", NULL, &error);
  g_assert_true (relay_config_apply_dev_tokens (c, path, &error));
  g_assert_no_error (error);

  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_assert_true (g_key_file_load_from_file (kf, path, 0, NULL));
  g_assert_false (g_key_file_has_group (kf, "province TH-50")); /* configured: no dev token */
  g_autofree char *t11 = g_key_file_get_string (kf, "province TH-11", "token", NULL);
  g_assert_nonnull (t11);
  /* 18 random bytes in base64url: 24 characters, nothing to escape. */
  g_assert_cmpuint (strlen (t11), ==, RELAY_DEV_TOKEN_MIN_CHARS);
  for (const char *ch = t11; *ch; ch++)
    g_assert_true (g_ascii_isalnum (*ch) || *ch == '-' || *ch == '_');
  g_assert_true (relay_office_config_check_token (relay_config_find_province (c, "TH-11"), t11));
  /* No viewer configured: a development chair and minister. */
  g_autofree char *chair = g_key_file_get_string (kf, "viewer chair", "token", NULL);
  g_autofree char *minister = g_key_file_get_string (kf, "viewer minister", "token", NULL);
  g_assert_nonnull (chair);
  g_assert_nonnull (minister);
  g_assert_cmpint (relay_config_find_viewer (c, chair)->role, ==, RELAY_ROLE_CHAIR);
  g_assert_cmpint (relay_config_find_viewer (c, minister)->role, ==, RELAY_ROLE_MINISTER);

  /* A second start keeps the same tokens. */
  g_autoptr (RelayConfig) c2 = relay_config_load_data (ini, strlen (ini), "t.ini", NULL, &error);
  g_assert_true (relay_config_apply_dev_tokens (c2, path, &error));
  g_assert_true (relay_office_config_check_token (relay_config_find_province (c2, "TH-11"), t11));
  g_assert_true (relay_office_config_check_token (relay_config_find_province (c2, "TH-50"),
                                                    "configured-50"));

  /* A kept token too short to be one the relay generated (an older file,
   * a hand edit) is replaced; one long enough stays. */
  g_autofree char *kept = g_strdup ("kept-token-of-24-chars-x");
  g_key_file_set_string (kf, "province TH-11", "token", "guessable1");
  g_key_file_set_string (kf, "viewer chair", "token", "chair-dev");
  g_key_file_set_string (kf, "viewer minister", "token", kept);
  g_assert_true (g_key_file_save_to_file (kf, path, NULL));
  g_autoptr (RelayConfig) c3 = relay_config_load_data (ini, strlen (ini), "t.ini", NULL, &error);
  g_assert_true (relay_config_apply_dev_tokens (c3, path, &error));
  g_assert_false (relay_office_config_check_token (relay_config_find_province (c3, "TH-11"),
                                                     "guessable1"));
  g_assert_null (relay_config_find_viewer (c3, "chair-dev"));
  g_assert_nonnull (relay_config_find_viewer (c3, kept));
  g_autoptr (GKeyFile) kf3 = g_key_file_new ();
  g_assert_true (g_key_file_load_from_file (kf3, path, 0, NULL));
  g_autofree char *t11_new = g_key_file_get_string (kf3, "province TH-11", "token", NULL);
  g_autofree char *chair_new = g_key_file_get_string (kf3, "viewer chair", "token", NULL);
  g_assert_cmpuint (strlen (t11_new), ==, RELAY_DEV_TOKEN_MIN_CHARS);
  g_assert_true (relay_office_config_check_token (relay_config_find_province (c3, "TH-11"),
                                                    t11_new));
  g_assert_cmpint (relay_config_find_viewer (c3, chair_new)->role, ==, RELAY_ROLE_CHAIR);
  g_assert_cmpuint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_unlink (path);
  g_autofree char *sub = g_path_get_dirname (path);
  g_rmdir (sub);
  g_rmdir (dir);
}

/* [ingest]: the defaults allow the province page's 640x360 and the
 * 1280x720 of simulcast; every key is checked. */
static void
test_ingest (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) c = relay_config_load (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c->ingest.max_rtp_size, ==, 1500);
  g_assert_cmpuint (c->ingest.max_width, ==, 1920);
  g_assert_cmpuint (c->ingest.max_height, ==, 1080);
  g_assert_cmpuint (c->ingest.max_framerate, ==, 30);
  g_assert_cmpuint (c->ingest.grace_s, ==, 5);

  const char *ini = "[ingest]\nmax-rtp-size=1300\nmax-width=320\nmax-height=180\n"
                    "max-framerate=15\nover-limit-grace-s=2\n";
  g_autoptr (RelayConfig) set = relay_config_load_data (ini, strlen (ini), "t.ini", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (set->ingest.max_rtp_size, ==, 1300);
  g_assert_cmpuint (set->ingest.max_width, ==, 320);
  g_assert_cmpuint (set->ingest.max_height, ==, 180);
  g_assert_cmpuint (set->ingest.max_framerate, ==, 15);
  g_assert_cmpuint (set->ingest.grace_s, ==, 2);

  expect_error ("[ingest]\nmax-rtp-size=1000\n", "[ingest] max-rtp-size");
  expect_error ("[ingest]\nmax-rtp-size=1501\n", "[ingest] max-rtp-size");
  expect_error ("[ingest]\nmax-width=0\n", "[ingest] max-width");
  expect_error ("[ingest]\nmax-height=8193\n", "[ingest] max-height");
  expect_error ("[ingest]\nmax-framerate=0\n", "[ingest] max-framerate");
  expect_error ("[ingest]\nover-limit-grace-s=0\n", "[ingest] over-limit-grace-s");
  expect_error ("[ingest]\nmax-bitrate=1\n", "[ingest] max-bitrate: unknown key");
}

/* [http]: the embedded defaults, a change, and the bounds. */
static void
test_http_limits (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) defaults = relay_config_load (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (defaults->http_max_connections, ==, 1024);
  g_assert_cmpuint (defaults->http_max_connections_per_client, ==, 256);
  g_assert_cmpuint (defaults->http_idle_timeout_s, ==, 30);

  const char *ini = "[http]\nmax-connections=12\nmax-connections-per-client=8\nidle-timeout-s=2\n";
  g_autoptr (RelayConfig) c = relay_config_load_data (ini, strlen (ini), "t.ini", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c->http_max_connections, ==, 12);
  g_assert_cmpuint (c->http_max_connections_per_client, ==, 8);
  g_assert_cmpuint (c->http_idle_timeout_s, ==, 2);

  expect_error ("[http]\nmax-connections=0\n", "[http] max-connections");
  expect_error ("[http]\nmax-connections-per-client=many\n", "[http] max-connections-per-client");
  expect_error ("[http]\nidle-timeout-s=0\n", "[http] idle-timeout-s");
  expect_error ("[http]\nkeep-alive=true\n", "[http] keep-alive: unknown key");
}

/* [metrics]: who may read GET /metrics. A token as every credential is
 * (the digest kept, at least 8 characters), CIDR ranges of addresses that
 * need none (loopback only when listed; an IPv4 client seen as
 * ::ffff:a.b.c.d is the IPv4 one), and a group that lets nobody in is an
 * error. Without a group, nobody. */
static void
test_metrics (void)
{
  g_autoptr (RelayConfig) none = load ("[relay]\ndev-tokens=false\n");
  g_assert_false (none->metrics.has_token);
  g_assert_cmpuint (none->metrics.allowed->len, ==, 0);
  g_assert_false (relay_metrics_config_check_token (&none->metrics, "anything-at-all"));
  g_assert_false (relay_metrics_config_address_allowed (&none->metrics, "127.0.0.1"));

  g_autoptr (RelayConfig) c = load ("[metrics]\ntoken=scrape-token-1\n"
                                    "allowed-addresses=10.8.0.0/16, 192.0.2.7,2001:db8::/48\n");
  const RelayMetricsConfig *m = &c->metrics;
  g_assert_true (relay_metrics_config_check_token (m, "scrape-token-1"));
  g_assert_false (relay_metrics_config_check_token (m, "scrape-token-2"));
  g_assert_false (relay_metrics_config_check_token (m, NULL));
  g_assert_true (relay_metrics_config_address_allowed (m, "10.8.200.1"));
  g_assert_false (relay_metrics_config_address_allowed (m, "10.9.0.1"));
  g_assert_true (relay_metrics_config_address_allowed (m, "192.0.2.7"));
  g_assert_false (relay_metrics_config_address_allowed (m, "192.0.2.8"));
  g_assert_true (relay_metrics_config_address_allowed (m, "::ffff:10.8.0.3"));
  g_assert_true (relay_metrics_config_address_allowed (m, "2001:db8:0:1::5"));
  g_assert_false (relay_metrics_config_address_allowed (m, "2001:db9::5"));
  g_assert_false (relay_metrics_config_address_allowed (m, "127.0.0.1")); /* not implied */
  g_assert_false (relay_metrics_config_address_allowed (m, "::1"));
  g_assert_false (relay_metrics_config_address_allowed (m, "not an address"));
  g_assert_false (relay_metrics_config_address_allowed (m, NULL));

  /* Production: the digest only (of "scrape-token-1"). */
  guint8 digest[32];
  relay_config_token_digest ("scrape-token-1", digest);
  g_autoptr (GString) hex = g_string_new (NULL);
  for (guint i = 0; i < 32; i++)
    g_string_append_printf (hex, "%02X", digest[i]);
  g_autofree char *ini = g_strdup_printf ("[metrics]\ntoken-sha256=%s\n", hex->str);
  g_autoptr (RelayConfig) hashed = load (ini);
  g_assert_true (relay_metrics_config_check_token (&hashed->metrics, "scrape-token-1"));
  g_assert_cmpuint (hashed->metrics.allowed->len, ==, 0);

  g_autoptr (RelayConfig) loopback = load ("[metrics]\nallowed-addresses=127.0.0.1/32\n");
  g_assert_false (loopback->metrics.has_token);
  g_assert_true (relay_metrics_config_address_allowed (&loopback->metrics, "127.0.0.1"));
  g_assert_false (relay_metrics_config_address_allowed (&loopback->metrics, "127.0.0.2"));

  expect_error ("[metrics]\n", "[metrics]: needs token, token-sha256 or allowed-addresses");
  expect_error ("[metrics]\ntoken=short\n", "[metrics] token: a token needs at least 8");
  expect_error ("[metrics]\ntoken=long-enough\ntoken-sha256=00\n", "[metrics] token: set token or");
  expect_error ("[metrics]\ntoken-sha256=abc\n", "[metrics] token-sha256: expected 64");
  expect_error ("[metrics]\nallowed-addresses=10.0.0.0/33\n", "[metrics] allowed-addresses");
  expect_error ("[metrics]\nallowed-addresses=10.0.0.1/8\n", "[metrics] allowed-addresses");
  expect_error ("[metrics]\nallowed-addresses=intranet\n", "\"intranet\" is not an address");
  expect_error ("[metrics]\nrole=metrics\n", "[metrics] role: unknown key");
}

/* The development tokens give the scraper a token of its own when the
 * config has none, kept across starts; a configured one is left alone. */
static void
test_dev_metrics_token (void)
{
  g_autofree char *dir = g_dir_make_tmp ("relay-config-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "dev-tokens.ini", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) c = load ("[metrics]\nallowed-addresses=10.0.0.0/8\n");
  g_assert_true (relay_config_apply_dev_tokens (c, path, &error));
  g_assert_no_error (error);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_assert_true (g_key_file_load_from_file (kf, path, 0, NULL));
  g_autofree char *token = g_key_file_get_string (kf, "metrics", "token", NULL);
  g_assert_cmpuint (strlen (token), ==, RELAY_DEV_TOKEN_MIN_CHARS);
  g_assert_true (relay_metrics_config_check_token (&c->metrics, token));
  g_assert_cmpuint (c->metrics.allowed->len, ==, 1); /* kept */

  g_autoptr (RelayConfig) again = load ("[metrics]\nallowed-addresses=10.0.0.0/8\n");
  g_assert_true (relay_config_apply_dev_tokens (again, path, &error));
  g_assert_true (relay_metrics_config_check_token (&again->metrics, token));

  g_autoptr (RelayConfig) configured = load ("[metrics]\ntoken=configured-scraper\n");
  g_assert_true (relay_config_apply_dev_tokens (configured, path, &error));
  g_assert_true (relay_metrics_config_check_token (&configured->metrics, "configured-scraper"));
  g_assert_false (relay_metrics_config_check_token (&configured->metrics, token));

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config/embedded-defaults", test_embedded_defaults);
  g_test_add_func ("/config/tokens", test_tokens);
  g_test_add_func ("/config/errors", test_errors);
  g_test_add_func ("/config/roster-errors", test_roster_errors);
  g_test_add_func ("/config/viewers", test_viewers);
  g_test_add_func ("/config/dev-tokens", test_dev_tokens);
  g_test_add_func ("/config/listening-address", test_listening_address);
  g_test_add_func ("/config/allowed-origins", test_allowed_origins);
  g_test_add_func ("/config/ingest", test_ingest);
  g_test_add_func ("/config/http-limits", test_http_limits);
  g_test_add_func ("/config/metrics", test_metrics);
  g_test_add_func ("/config/dev-metrics-token", test_dev_metrics_token);
  return g_test_run ();
}
