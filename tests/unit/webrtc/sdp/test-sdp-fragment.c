/* Unit tests of the RFC 8840 trickle-ice-sdpfrag bodies of WHIP/WHEP PATCH
 * requests: parsing, building, and rejecting garbage without crashing. */
#include <string.h>
#include <glib.h>

#include "webrtc/sdp/sdp-answer.h"

static const char PATCH[] =
  "a=ice-options:trickle ice2\r\n"
  "a=group:BUNDLE 0 1\r\n"
  "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
  "a=mid:0\r\n"
  "a=ice-ufrag:Rk7q\r\n"
  "a=ice-pwd:gD3nS9z+Lw2PqV8xYc1mTb/e\r\n"
  "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag Rk7q\r\n"
  "a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0 ufrag Rk7q\r\n"
  "a=candidate:473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active\r\n"
  "a=end-of-candidates\r\n";

static RelaySdpFragment *
frag_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  RelaySdpFragment *f = relay_sdp_fragment_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (f);
  return f;
}

static void
frag_fails (const char *text, gsize len)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelaySdpFragment) f = relay_sdp_fragment_parse (text, len, &error);

  g_assert_null (f);
  g_assert_error (error, RELAY_SDP_ERROR, RELAY_SDP_ERROR_MALFORMED);
  g_test_message ("fragment reason: %s", error->message);
}

static void
test_fragment (void)
{
  g_autoptr (RelaySdpFragment) f = frag_ok (PATCH);

  g_assert_cmpstr (f->ice_ufrag, ==, "Rk7q");
  g_assert_cmpstr (f->ice_pwd, ==, "gD3nS9z+Lw2PqV8xYc1mTb/e");
  g_assert_cmpuint (f->candidates->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (f->candidates, 0), ==,
                   "candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 "
                   "ufrag Rk7q");
  g_assert_true (f->end_of_candidates);

  /* Only candidates, LF line ends, no credentials. */
  g_autoptr (RelaySdpFragment) g =
    frag_ok ("a=candidate:1 1 udp 2130706431 192.0.2.7 5000 typ host\n");
  g_assert_null (g->ice_ufrag);
  g_assert_cmpuint (g->candidates->len, ==, 1);
  g_assert_false (g->end_of_candidates);

  /* Addresses no ICE check may be sent to are refused, names are not. */
  const char *refused[] = { "0.0.0.0", "::", "224.0.0.1", "239.255.255.250", "ff02::1",
                            "255.255.255.255" };
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *line = g_strdup_printf ("a=candidate:1 1 udp 2130706431 %s 5000 typ host\n",
                                               refused[i]);
      frag_fails (line, strlen (line));
    }
  g_autoptr (RelaySdpFragment) mdns =
    frag_ok ("a=candidate:1 1 udp 2130706431 4f2c1a.local 5000 typ host\n");
  g_assert_cmpuint (mdns->candidates->len, ==, 1);

  /* At most RELAY_SDP_MAX_CANDIDATES in one PATCH. */
  g_autoptr (GString) many = g_string_new (NULL);
  for (guint i = 0; i < RELAY_SDP_MAX_CANDIDATES; i++)
    g_string_append_printf (many, "a=candidate:%u 1 udp 2130706431 192.0.2.7 %u typ host\n", i,
                            5000 + i);
  g_autoptr (RelaySdpFragment) full = frag_ok (many->str);
  g_assert_cmpuint (full->candidates->len, ==, RELAY_SDP_MAX_CANDIDATES);
  g_string_append (many, "a=candidate:99 1 udp 2130706431 192.0.2.7 6000 typ host\n");
  frag_fails (many->str, many->len);
  g_autoptr (RelaySdpFragment) e = frag_ok ("a=end-of-candidates\r\n");
  g_assert_true (e->end_of_candidates);
  g_assert_cmpuint (e->candidates->len, ==, 0);
}

static void
test_fragment_roundtrip (void)
{
  const char *cands[] = { "candidate:1 1 udp 2130706431 203.0.113.10 40000 typ host",
                          "candidate:2 1 udp 1694498815 198.51.100.77 40000 typ srflx raddr "
                          "203.0.113.10 rport 40000", NULL };
  g_autofree char *text = relay_sdp_fragment_build ("N3wU", "n3wPasswordForRestart+/x", cands, "0");

  g_assert_true (g_str_has_prefix (text, "a=ice-ufrag:N3wU\r\na=ice-pwd:n3wPasswordForRestart+/x\r\n"
                                         "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n"));
  g_assert_true (g_str_has_suffix (text, "a=end-of-candidates\r\n"));
  g_autoptr (RelaySdpFragment) f = frag_ok (text);
  g_assert_cmpstr (f->ice_ufrag, ==, "N3wU");
  g_assert_cmpstr (f->ice_pwd, ==, "n3wPasswordForRestart+/x");
  g_assert_cmpuint (f->candidates->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f->candidates, 0), ==, cands[0]);
  g_assert_cmpstr (g_ptr_array_index (f->candidates, 1), ==, cands[1]);
  g_assert_true (f->end_of_candidates);

  g_autofree char *no_mid = relay_sdp_fragment_build ("N3wU", "n3wPasswordForRestart+/x", NULL, NULL);
  g_assert_null (strstr (no_mid, "m="));
  g_assert_cmpstr (no_mid, ==,
                   "a=ice-ufrag:N3wU\r\na=ice-pwd:n3wPasswordForRestart+/x\r\na=end-of-candidates\r\n");
}

static void
test_fragment_garbage (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (1);
  guint8 binary[300];

  frag_fails ("", 0);
  frag_fails ("hello world\r\n", 13);
  frag_fails ("{\"candidate\":\"x\"}", 17);
  for (guint i = 0; i < sizeof binary; i++)
    binary[i] = (guint8) g_rand_int_range (rand, 0, 256);
  frag_fails ((const char *) binary, sizeof binary);
  frag_fails ("a=ice-ufrag:ab\xff\xfe\r\n", 18);
  frag_fails ("a=candidate:garbage\r\n", 21);
  frag_fails ("a=ice-ufrag:ab\r\n", 16);
  frag_fails ("a=ice-pwd:tooshort\r\n", 20);
  frag_fails ("a=ice-ufrag:Rk7q\r\na=ice-ufrag:Zz9z\r\n", 36);
  frag_fails ("a=mid:0\0a=ice-ufrag:Rk7q\r\n", 26);

  GString *longline = g_string_new ("a=candidate:1 1 udp 1 192.0.2.1 1 typ host ");
  while (longline->len <= 4096)
    g_string_append (longline, "x");
  frag_fails (longline->str, longline->len);
  g_string_free (longline, TRUE);

  /* Mutations of a valid PATCH body never crash. */
  guint ok = 0;
  for (guint iter = 0; iter < 2000; iter++) {
    GString *s = g_string_new (PATCH);
    if (iter % 2 == 0)
      g_string_truncate (s, g_rand_int_range (rand, 0, (gint32) s->len));
    else
      for (guint k = 0; k < 3; k++)
        s->str[g_rand_int_range (rand, 0, (gint32) s->len)] = (char) g_rand_int_range (rand, 0, 256);
    g_autoptr (GError) error = NULL;
    g_autoptr (RelaySdpFragment) f = relay_sdp_fragment_parse (s->str, s->len, &error);
    g_assert_true ((f != NULL) != (error != NULL));
    ok += f != NULL;
    g_string_free (s, TRUE);
  }
  g_assert_cmpuint (ok, >, 0);
}


int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sdp/fragment/parse", test_fragment);
  g_test_add_func ("/sdp/fragment/roundtrip", test_fragment_roundtrip);
  g_test_add_func ("/sdp/fragment/garbage", test_fragment_garbage);
  return g_test_run ();
}
