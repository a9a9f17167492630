/* SRTP session: mirrored keys between two sessions stand in for the relay
 * and a browser; each test checks one property libsrtp must give us. */
#include <string.h>
#include <glib.h>

#include "webrtc/srtp/srtp-session.h"

#define PAYLOAD_LEN 160
#define BUF_LEN (12 + PAYLOAD_LEN + RELAY_SRTP_MAX_TRAILER)

typedef struct {
  RelaySrtpSession *a; /* "relay" */
  RelaySrtpSession *b; /* "browser": local and remote keys swapped */
} Pair;

static void
fill_random (guint8 *p, gsize n)
{
  for (gsize i = 0; i < n; i++)
    p[i] = (guint8) g_random_int_range (0, 256);
}

static void
make_keys (RelaySrtpProfile profile, RelaySrtpKeys *a, RelaySrtpKeys *b)
{
  memset (a, 0, sizeof *a);
  a->profile = profile;
  a->key_salt_len = profile == RELAY_SRTP_PROFILE_AEAD_AES_128_GCM ? 28 : 30;
  fill_random (a->local_key_salt, a->key_salt_len);
  fill_random (a->remote_key_salt, a->key_salt_len);

  *b = *a;
  memcpy (b->local_key_salt, a->remote_key_salt, a->key_salt_len);
  memcpy (b->remote_key_salt, a->local_key_salt, a->key_salt_len);
}

static void
pair_init (Pair *p, RelaySrtpProfile profile)
{
  RelaySrtpKeys ka, kb;
  GError *error = NULL;

  make_keys (profile, &ka, &kb);
  p->a = relay_srtp_session_new (&ka, &error);
  g_assert_no_error (error);
  g_assert_nonnull (p->a);
  p->b = relay_srtp_session_new (&kb, &error);
  g_assert_no_error (error);
  g_assert_nonnull (p->b);
}

static void
pair_clear (Pair *p)
{
  g_clear_pointer (&p->a, relay_srtp_session_free);
  g_clear_pointer (&p->b, relay_srtp_session_free);
}

static gsize
make_rtp (guint8 *buf, guint16 seq)
{
  memset (buf, 0, BUF_LEN);
  buf[0] = 0x80;
  buf[1] = 96;
  buf[2] = seq >> 8;
  buf[3] = seq & 0xff;
  buf[4] = 0x00; buf[5] = 0x01; buf[6] = 0x02; buf[7] = 0x03; /* timestamp */
  buf[8] = 0xde; buf[9] = 0xad; buf[10] = 0xbe; buf[11] = 0xef; /* SSRC */
  for (guint i = 0; i < PAYLOAD_LEN; i++)
    buf[12 + i] = (guint8) (i * 7 + seq);
  return 12 + PAYLOAD_LEN;
}

/* A sender report (no report blocks): 28 bytes, length field 6 words. */
static gsize
make_rtcp_sr (guint8 *buf)
{
  memset (buf, 0, BUF_LEN);
  buf[0] = 0x80;
  buf[1] = 200;
  buf[3] = 6;
  buf[4] = 0xde; buf[5] = 0xad; buf[6] = 0xbe; buf[7] = 0xef;
  for (guint i = 8; i < 28; i++)
    buf[i] = (guint8) (0xa0 + i);
  return 28;
}

static guint
tag_len (RelaySrtpProfile profile)
{
  return profile == RELAY_SRTP_PROFILE_AEAD_AES_128_GCM ? 16 : 10;
}

static void
test_profile_names (void)
{
  g_assert_cmpstr (relay_srtp_profile_name (RELAY_SRTP_PROFILE_AES128_CM_SHA1_80), ==,
                   "AES_CM_128_HMAC_SHA1_80");
  g_assert_cmpstr (relay_srtp_profile_name (RELAY_SRTP_PROFILE_AEAD_AES_128_GCM), ==,
                   "AEAD_AES_128_GCM");
}

static void
test_rtp_round_trip (gconstpointer data)
{
  RelaySrtpProfile profile = GPOINTER_TO_UINT (data);
  Pair p = { 0 };
  guint8 plain[BUF_LEN], buf[BUF_LEN];
  GError *error = NULL;

  pair_init (&p, profile);
  for (guint16 seq = 1000; seq < 1010; seq++)
    {
      gsize plain_len = make_rtp (plain, seq);
      gsize len = plain_len;

      memcpy (buf, plain, BUF_LEN);
      g_assert_true (relay_srtp_session_protect_rtp (p.a, buf, &len, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (len, ==, plain_len + tag_len (profile));
      /* Header stays clear, payload must not. */
      g_assert_cmpmem (buf, 12, plain, 12);
      g_assert_true (memcmp (buf + 12, plain + 12, PAYLOAD_LEN) != 0);

      g_assert_true (relay_srtp_session_unprotect_rtp (p.b, buf, &len, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (buf, len, plain, plain_len);
    }

  /* And the other direction, with the other key. */
  {
    gsize plain_len = make_rtp (plain, 42);
    gsize len = plain_len;

    memcpy (buf, plain, BUF_LEN);
    g_assert_true (relay_srtp_session_protect_rtp (p.b, buf, &len, &error));
    g_assert_true (relay_srtp_session_unprotect_rtp (p.a, buf, &len, &error));
    g_assert_no_error (error);
    g_assert_cmpmem (buf, len, plain, plain_len);
  }
  pair_clear (&p);
}

static void
test_rtcp_round_trip (gconstpointer data)
{
  RelaySrtpProfile profile = GPOINTER_TO_UINT (data);
  Pair p = { 0 };
  guint8 plain[BUF_LEN], buf[BUF_LEN];
  GError *error = NULL;

  pair_init (&p, profile);
  for (guint i = 0; i < 5; i++)
    {
      gsize plain_len = make_rtcp_sr (plain);
      gsize len = plain_len;

      memcpy (buf, plain, BUF_LEN);
      g_assert_true (relay_srtp_session_protect_rtcp (p.a, buf, &len, &error));
      g_assert_no_error (error);
      /* Tag plus the E flag and SRTCP index word. */
      g_assert_cmpuint (len, ==, plain_len + tag_len (profile) + 4);
      g_assert_true (memcmp (buf + 8, plain + 8, plain_len - 8) != 0);

      g_assert_true (relay_srtp_session_unprotect_rtcp (p.b, buf, &len, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (buf, len, plain, plain_len);
    }
  pair_clear (&p);
}

static void
test_tampered (gconstpointer data)
{
  RelaySrtpProfile profile = GPOINTER_TO_UINT (data);
  Pair p = { 0 };
  guint8 buf[BUF_LEN];
  GError *error = NULL;
  gsize len;

  pair_init (&p, profile);

  len = make_rtp (buf, 7);
  g_assert_true (relay_srtp_session_protect_rtp (p.a, buf, &len, &error));
  buf[20] ^= 0x01;
  g_assert_false (relay_srtp_session_unprotect_rtp (p.b, buf, &len, &error));
  g_assert_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_AUTH);
  g_clear_error (&error);

  len = make_rtcp_sr (buf);
  g_assert_true (relay_srtp_session_protect_rtcp (p.a, buf, &len, &error));
  buf[10] ^= 0x80;
  g_assert_false (relay_srtp_session_unprotect_rtcp (p.b, buf, &len, &error));
  g_assert_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_AUTH);
  g_clear_error (&error);

  pair_clear (&p);
}

/* A session must not accept what it sent itself: inbound uses the remote
 * key, so a swapped key assignment would be caught here. */
static void
test_own_packet_rejected (gconstpointer data)
{
  RelaySrtpProfile profile = GPOINTER_TO_UINT (data);
  Pair p = { 0 };
  guint8 buf[BUF_LEN];
  GError *error = NULL;
  gsize len;

  pair_init (&p, profile);
  len = make_rtp (buf, 9);
  g_assert_true (relay_srtp_session_protect_rtp (p.a, buf, &len, &error));
  g_assert_false (relay_srtp_session_unprotect_rtp (p.a, buf, &len, &error));
  g_assert_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_AUTH);
  g_clear_error (&error);
  pair_clear (&p);
}

static void
test_replay (gconstpointer data)
{
  RelaySrtpProfile profile = GPOINTER_TO_UINT (data);
  Pair p = { 0 };
  guint8 buf[BUF_LEN], copy[BUF_LEN];
  GError *error = NULL;
  gsize len, copy_len;

  pair_init (&p, profile);

  len = make_rtp (buf, 500);
  g_assert_true (relay_srtp_session_protect_rtp (p.a, buf, &len, &error));
  memcpy (copy, buf, BUF_LEN);
  copy_len = len;
  g_assert_true (relay_srtp_session_unprotect_rtp (p.b, buf, &len, &error));
  g_assert_no_error (error);
  g_assert_false (relay_srtp_session_unprotect_rtp (p.b, copy, &copy_len, &error));
  g_assert_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_REPLAY);
  g_clear_error (&error);

  len = make_rtcp_sr (buf);
  g_assert_true (relay_srtp_session_protect_rtcp (p.a, buf, &len, &error));
  memcpy (copy, buf, BUF_LEN);
  copy_len = len;
  g_assert_true (relay_srtp_session_unprotect_rtcp (p.b, buf, &len, &error));
  g_assert_false (relay_srtp_session_unprotect_rtcp (p.b, copy, &copy_len, &error));
  g_assert_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_REPLAY);
  g_clear_error (&error);

  pair_clear (&p);
}

/* NACK retransmissions re-protect a packet with the same sequence number;
 * the result must be identical and still decrypt once. */
static void
test_repeat_tx (gconstpointer data)
{
  RelaySrtpProfile profile = GPOINTER_TO_UINT (data);
  Pair p = { 0 };
  guint8 first[BUF_LEN], again[BUF_LEN];
  GError *error = NULL;
  gsize len1, len2;

  pair_init (&p, profile);
  len1 = make_rtp (first, 77);
  g_assert_true (relay_srtp_session_protect_rtp (p.a, first, &len1, &error));
  len2 = make_rtp (again, 77);
  g_assert_true (relay_srtp_session_protect_rtp (p.a, again, &len2, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (first, len1, again, len2);
  g_assert_true (relay_srtp_session_unprotect_rtp (p.b, again, &len2, &error));
  g_assert_no_error (error);
  pair_clear (&p);
}

static gint64 test_now;

static gint64
test_clock (void)
{
  return test_now;
}

/* A packet of `ssrc` protected by b, unprotected by a. */
static gboolean
deliver (Pair *p, guint32 ssrc, guint16 seq, gboolean rtcp, GError **error)
{
  guint8 buf[BUF_LEN];
  gsize len = rtcp ? make_rtcp_sr (buf) : make_rtp (buf, seq);
  guint8 *at = buf + (rtcp ? 4 : 8);
  at[0] = ssrc >> 24, at[1] = ssrc >> 16, at[2] = ssrc >> 8, at[3] = ssrc;
  GError *local = NULL;
  g_assert_true (rtcp ? relay_srtp_session_protect_rtcp (p->b, buf, &len, &local)
                      : relay_srtp_session_protect_rtp (p->b, buf, &len, &local));
  g_assert_no_error (local);
  return rtcp ? relay_srtp_session_unprotect_rtcp (p->a, buf, &len, error)
              : relay_srtp_session_unprotect_rtp (p->a, buf, &len, error);
}

static void
test_ssrc_limit (gconstpointer data)
{
  RelaySrtpProfile profile = GPOINTER_TO_UINT (data);
  Pair p = { 0 };
  GError *error = NULL;

  pair_init (&p, profile);
  /* The default: as many SSRCs as the limit, then a refusal. */
  for (guint32 i = 0; i < RELAY_SRTP_MAX_INBOUND_SSRCS; i++)
    {
      g_assert_true (deliver (&p, 0x1000 + i, 1, FALSE, &error));
      g_assert_no_error (error);
    }
  g_assert_false (deliver (&p, 0x2000, 1, FALSE, &error));
  g_assert_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_SSRC_LIMIT);
  g_clear_error (&error);
  /* SRTCP from a new SSRC counts against the same places. */
  g_assert_false (deliver (&p, 0x2001, 0, TRUE, &error));
  g_assert_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_SSRC_LIMIT);
  g_clear_error (&error);
  /* Known SSRCs keep working, RTP and RTCP. */
  g_assert_true (deliver (&p, 0x1003, 2, FALSE, &error));
  g_assert_true (deliver (&p, 0x1003, 0, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (relay_srtp_session_get_inbound_ssrcs (p.a), ==, RELAY_SRTP_MAX_INBOUND_SSRCS);
  g_assert_cmpuint (relay_srtp_session_get_refused_ssrc_packets (p.a), ==, 2);
  pair_clear (&p);

  /* Ten thousand invented SSRCs: the session never holds more than its
   * limit... */
  pair_init (&p, profile);
  relay_srtp_session_set_inbound_limit (p.a, 3, G_MAXINT64);
  g_assert_true (deliver (&p, 0xa, 1, FALSE, &error));
  g_assert_true (deliver (&p, 0xb, 1, FALSE, &error));
  g_assert_true (deliver (&p, 0xc, 1, FALSE, &error));
  for (guint32 i = 0; i < 10000; i++)
    g_assert_false (deliver (&p, 0x100000 + i, 1, FALSE, NULL));
  g_assert_cmpuint (relay_srtp_session_get_inbound_ssrcs (p.a), ==, 3);
  g_assert_cmpuint (relay_srtp_session_get_refused_ssrc_packets (p.a), ==, 10000);
  pair_clear (&p);

  /* ... and a stream that went silent gives its place to a new one. */
  pair_init (&p, profile);
  relay_srtp_session_set_inbound_limit (p.a, 3, 10 * G_USEC_PER_SEC);
  relay_srtp_session_set_clock (p.a, test_clock);
  test_now = 1000 * G_USEC_PER_SEC;
  g_assert_true (deliver (&p, 0xa, 1, FALSE, &error));
  g_assert_true (deliver (&p, 0xb, 1, FALSE, &error));
  g_assert_true (deliver (&p, 0xc, 1, FALSE, &error));
  /* 0xa silent for 9.9 s while 0xb and 0xc send: no place yet. */
  test_now += 9900 * G_TIME_SPAN_MILLISECOND;
  g_assert_true (deliver (&p, 0xb, 2, FALSE, &error));
  g_assert_true (deliver (&p, 0xc, 2, FALSE, &error));
  g_assert_false (deliver (&p, 0xd, 1, FALSE, &error));
  g_assert_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_SSRC_LIMIT);
  g_clear_error (&error);
  /* At 10 s of silence its place goes to the new SSRC. */
  test_now += 100 * G_TIME_SPAN_MILLISECOND;
  g_assert_true (deliver (&p, 0xd, 1, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (relay_srtp_session_get_inbound_ssrcs (p.a), ==, 3);
  /* 0xa's stream is gone; it is now a new SSRC, and the session is full
   * of streams that are not idle. */
  g_assert_false (deliver (&p, 0xa, 5, FALSE, &error));
  g_assert_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_SSRC_LIMIT);
  g_clear_error (&error);
  pair_clear (&p);
}

static void
test_bad_keys (void)
{
  RelaySrtpKeys ka, kb;
  RelaySrtpSession *s;
  GError *error = NULL;

  make_keys (RELAY_SRTP_PROFILE_AEAD_AES_128_GCM, &ka, &kb);
  ka.key_salt_len = 30; /* GCM needs 28 */
  s = relay_srtp_session_new (&ka, &error);
  g_assert_null (s);
  g_assert_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_OTHER);
  g_clear_error (&error);

  ka.profile = RELAY_SRTP_PROFILE_NONE;
  s = relay_srtp_session_new (&ka, &error);
  g_assert_null (s);
  g_assert_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_OTHER);
  g_clear_error (&error);
}

static gpointer
thread_round_trip (gpointer data)
{
  for (guint i = 0; i < 20; i++)
    test_rtp_round_trip (GUINT_TO_POINTER (RELAY_SRTP_PROFILE_AEAD_AES_128_GCM));
  return NULL;
}

/* Peers are created on several workers. Registered first, so that when the
 * whole suite runs it is these threads that race into srtp_init(). */
static void
test_threads (void)
{
  GThread *threads[6];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("srtp", thread_round_trip, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

static void
add_both (const char *name, GTestDataFunc func)
{
  g_autofree char *cm = g_strdup_printf ("/srtp/%s/aes-cm", name);
  g_autofree char *gcm = g_strdup_printf ("/srtp/%s/aes-gcm", name);

  g_test_add_data_func (cm, GUINT_TO_POINTER (RELAY_SRTP_PROFILE_AES128_CM_SHA1_80), func);
  g_test_add_data_func (gcm, GUINT_TO_POINTER (RELAY_SRTP_PROFILE_AEAD_AES_128_GCM), func);
}

/* Whoever holds a copy of the keys wipes it: nothing of the key or salt,
 * nor the profile, is left. */
static void
test_keys_clear (void)
{
  RelaySrtpKeys keys;
  const guint8 *bytes = (const guint8 *) &keys;

  memset (&keys, 0xa5, sizeof keys);
  keys.profile = RELAY_SRTP_PROFILE_AEAD_AES_128_GCM;
  keys.key_salt_len = 28;
  relay_srtp_keys_clear (&keys);
  for (gsize i = 0; i < sizeof keys; i++)
    g_assert_cmpuint (bytes[i], ==, 0);
  g_assert_cmpint (keys.profile, ==, RELAY_SRTP_PROFILE_NONE);
  relay_srtp_keys_clear (NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/srtp/threads", test_threads);
  g_test_add_func ("/srtp/profile-names", test_profile_names);
  add_both ("rtp-round-trip", test_rtp_round_trip);
  add_both ("rtcp-round-trip", test_rtcp_round_trip);
  add_both ("tampered", test_tampered);
  add_both ("own-packet-rejected", test_own_packet_rejected);
  add_both ("replay", test_replay);
  add_both ("repeat-tx", test_repeat_tx);
  g_test_add_func ("/srtp/bad-keys", test_bad_keys);
  g_test_add_func ("/srtp/keys-clear", test_keys_clear);
  g_test_add_data_func ("/srtp/ssrc-limit", GUINT_TO_POINTER (RELAY_SRTP_PROFILE_AES128_CM_SHA1_80),
                        test_ssrc_limit);

  return g_test_run ();
}
