/* Unit tests of relay/sdp offer parsing: offers from Chrome, Firefox and
 * GStreamer webrtcbin, codec choice by policy, error reasons, and a mutation
 * loop that must never crash. Answers: test-sdp-answer.c; RFC 8840
 * fragments: test-sdp-fragment.c. */
#include <string.h>
#include <glib.h>
#include <gst/sdp/sdp.h>

#include "webrtc/sdp/sdp-answer.h"
#include "webrtc/sdp/sdp-offer.h"

#include "tests/unit/webrtc/sdp/sdp-test-util.h"

static void
test_policy_default (void)
{
  RelaySdpPolicy p;

  memset (&p, 0xff, sizeof p);
  relay_sdp_policy_init_default (&p);
  g_assert_cmpint (p.video_codecs[0], ==, RELAY_CODEC_VP8);
  g_assert_cmpint (p.video_codecs[1], ==, RELAY_CODEC_H264);
  g_assert_cmpint (p.video_codecs[2], ==, RELAY_CODEC_NONE);
  g_assert_true (p.enable_twcc && p.enable_remb && p.need_send);
  g_assert_cmpstr (relay_codec_name (RELAY_CODEC_OPUS), ==, "opus");
  g_assert_cmpstr (relay_codec_name (RELAY_CODEC_VP8), ==, "VP8");
  g_assert_cmpstr (relay_codec_name (RELAY_CODEC_H264), ==, "H264");
}

static void
test_chrome_vp8 (void)
{
  g_autofree char *text = fixture ("chrome-whip.sdp");
  g_autoptr (RelaySdpOffer) o = parse_ok (text, NULL);
  RelaySdpMedia *a = o->audio, *v = o->video;

  g_assert_cmpstr (o->ice_ufrag, ==, "Rk7q");
  g_assert_cmpstr (o->ice_pwd, ==, "gD3nS9z+Lw2PqV8xYc1mTb/e");
  g_assert_cmpuint (g_strv_length (o->fingerprints), ==, 1);
  g_assert_true (g_str_has_prefix (o->fingerprints[0], "sha-256 5B:0E:7C"));
  g_assert_cmpstr (o->setup, ==, "actpass");
  g_assert_true (o->bundle && o->ice_trickle && !o->ice_lite);
  g_assert_false (o->end_of_candidates);
  /* Only the bundled (first) m-line's candidates, not mid 1's. */
  g_assert_cmpuint (o->candidates->len, ==, 3);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (o->candidates, 0),
                                   "candidate:3166271416 1 udp 2122260223 192.168.20.14 53190"));
  g_assert_cmpuint (o->media->len, ==, 2);

  g_assert_nonnull (a);
  g_assert_true (a->accepted);
  g_assert_null (a->reject_reason);
  g_assert_cmpstr (a->mid, ==, "0");
  g_assert_cmpint (a->direction, ==, RELAY_DIRECTION_SENDONLY);
  g_assert_cmpint (a->answer_direction, ==, RELAY_DIRECTION_RECVONLY);
  g_assert_cmpint (a->codec, ==, RELAY_CODEC_OPUS);
  g_assert_cmpuint (a->payload_type, ==, 111);
  g_assert_cmpuint (a->clock_rate, ==, 48000);
  g_assert_cmpuint (a->channels, ==, 2);
  g_assert_cmpstr (a->fmtp, ==, "minptime=10;useinbandfec=1");
  g_assert_cmpint (a->rtx_payload_type, ==, -1);
  g_assert_true (a->fb_transport_cc);
  g_assert_false (a->fb_nack || a->fb_nack_pli || a->fb_goog_remb);
  g_assert_cmpuint (a->ext_audio_level, ==, 1);
  g_assert_cmpuint (a->ext_twcc, ==, 3);
  g_assert_cmpuint (a->ext_mid, ==, 4);
  g_assert_cmpuint (a->ssrc, ==, 2854163071u);
  g_assert_cmpuint (a->rtx_ssrc, ==, 0);
  g_assert_true (a->rtcp_rsize);

  g_assert_nonnull (v);
  g_assert_cmpstr (v->mid, ==, "1");
  g_assert_cmpint (v->codec, ==, RELAY_CODEC_VP8);
  g_assert_cmpuint (v->payload_type, ==, 96);
  g_assert_cmpuint (v->clock_rate, ==, 90000);
  g_assert_cmpint (v->rtx_payload_type, ==, 97);
  g_assert_true (v->fb_nack && v->fb_nack_pli && v->fb_ccm_fir && v->fb_goog_remb &&
                 v->fb_transport_cc);
  g_assert_cmpuint (v->ext_mid, ==, 4);
  g_assert_cmpuint (v->ext_twcc, ==, 3);
  g_assert_cmpuint (v->ext_audio_level, ==, 0);
  g_assert_cmpuint (v->ssrc, ==, 1620453881u);
  g_assert_cmpuint (v->rtx_ssrc, ==, 3920176542u);
  g_assert_cmpstr (v->msid, ==,
                   "3d2c9f61-8b6e-4f7a-a1c5-0e9d8b7a6f51 0f8e2d4c-6a1b-4c3d-8e7f-9a0b1c2d3e4f");
}

static void
test_chrome_h264 (void)
{
  g_autofree char *text = fixture ("chrome-whip.sdp");
  RelaySdpPolicy policy;

  relay_sdp_policy_init_default (&policy);
  policy.video_codecs[0] = RELAY_CODEC_H264;
  policy.video_codecs[1] = RELAY_CODEC_VP8;
  g_autoptr (RelaySdpOffer) o = parse_ok (text, &policy);
  /* Chrome lists 42001f (102) before 42e01f (106): constrained wins. */
  g_assert_cmpint (o->video->codec, ==, RELAY_CODEC_H264);
  g_assert_cmpuint (o->video->payload_type, ==, 106);
  g_assert_cmpint (o->video->rtx_payload_type, ==, 107);
  g_assert_nonnull (strstr (o->video->fmtp, "profile-level-id=42e01f"));
  g_assert_nonnull (strstr (o->video->fmtp, "packetization-mode=1"));
  g_assert_true (o->video->fb_nack && o->video->fb_nack_pli);

  g_autofree char *answer = build_answer (o, 0, 0, 0);
  g_assert_nonnull (strstr (answer, "a=rtpmap:106 H264/90000\r\n"));
  g_assert_nonnull (strstr (answer, "a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;"
                                    "profile-level-id=42e01f\r\n"));
  g_assert_nonnull (strstr (answer, "a=fmtp:107 apt=106\r\n"));
  g_assert_null (strstr (answer, "b=AS"));
  g_assert_null (strstr (answer, "VP8"));

  /* Without a constrained baseline entry, plain baseline 42001f with
   * packetization-mode=1 (102) is next; 104 has mode 0. */
  g_autofree char *no_cb = replace (text, "profile-level-id=42e01f", "profile-level-id=64e01f");
  g_autoptr (RelaySdpOffer) o2 = parse_ok (no_cb, &policy);
  g_assert_cmpuint (o2->video->payload_type, ==, 102);
  g_assert_cmpint (o2->video->rtx_payload_type, ==, 103);
}

static void
test_policy_feedback_off (void)
{
  g_autofree char *text = fixture ("chrome-whip.sdp");
  RelaySdpPolicy policy;

  relay_sdp_policy_init_default (&policy);
  policy.enable_remb = FALSE;
  policy.enable_twcc = FALSE;
  g_autoptr (RelaySdpOffer) o = parse_ok (text, &policy);
  g_assert_false (o->video->fb_goog_remb || o->video->fb_transport_cc);
  g_assert_true (o->video->fb_nack && o->video->fb_nack_pli && o->video->fb_ccm_fir);
  g_assert_cmpuint (o->video->ext_twcc, ==, 0);
  g_assert_cmpuint (o->audio->ext_twcc, ==, 0);
  g_assert_false (o->audio->fb_transport_cc);

  g_autofree char *answer = build_answer (o, 0, 0, 0);
  g_assert_null (strstr (answer, "goog-remb"));
  g_assert_null (strstr (answer, "transport-cc"));
  g_assert_null (strstr (answer, RELAY_EXT_TWCC));
  g_assert_nonnull (strstr (answer, "a=rtcp-fb:96 nack pli\r\n"));
}

/* Candidates no check may go to are left out, and past
 * RELAY_SDP_MAX_CANDIDATES the rest: the offer itself is still taken. */
static void
test_candidate_limits (void)
{
  g_autofree char *text = fixture ("chrome-whip.sdp");
  const char *anchor = "a=candidate:3166271416";
  char *at = strstr (text, anchor);
  g_assert_nonnull (at);
  g_autoptr (GString) more = g_string_new_len (text, at - text);
  const char *refused[] = { "0.0.0.0", "::", "224.0.0.251", "ff02::1", "255.255.255.255" };
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    g_string_append_printf (more, "a=candidate:9%u 1 udp 2122260223 %s 5000 typ host\r\n", i,
                            refused[i]);
  for (guint i = 0; i < 100; i++)
    g_string_append_printf (more, "a=candidate:7%u 1 udp 2122260223 192.0.2.%u 5000 typ host\r\n",
                            i, i + 1);
  g_string_append (more, at);
  g_autoptr (RelaySdpOffer) o = parse_ok (more->str, NULL);
  g_assert_cmpuint (o->candidates->len, ==, RELAY_SDP_MAX_CANDIDATES);
  for (guint i = 0; i < o->candidates->len; i++)
    {
      const char *c = g_ptr_array_index (o->candidates, i);
      g_autofree char *first = g_strdup_printf ("candidate:7%u ", i);
      g_assert_true (g_str_has_prefix (c, first));
    }
}

static void
test_firefox (void)
{
  g_autofree char *text = fixture ("firefox.sdp");
  g_autoptr (RelaySdpOffer) o = parse_ok (text, NULL);

  g_assert_cmpstr (o->ice_ufrag, ==, "c81e0a4f");
  g_assert_true (g_str_has_prefix (o->fingerprints[0], "sha-256 A4:1C:9E")); /* session level */
  g_assert_true (o->end_of_candidates);
  g_assert_cmpuint (o->candidates->len, ==, 3);
  g_assert_cmpuint (o->audio->payload_type, ==, 109);
  g_assert_cmpuint (o->audio->ext_audio_level, ==, 1);
  g_assert_cmpuint (o->audio->ext_mid, ==, 3);
  g_assert_cmpuint (o->audio->ext_twcc, ==, 0);
  g_assert_false (o->audio->rtcp_rsize);
  g_assert_cmpuint (o->video->payload_type, ==, 120);
  g_assert_cmpint (o->video->rtx_payload_type, ==, 124);
  g_assert_cmpuint (o->video->ext_twcc, ==, 7);
  g_assert_true (o->video->fb_goog_remb && o->video->fb_transport_cc);
  g_assert_cmpuint (o->video->ssrc, ==, 1209845377u);
  g_assert_cmpuint (o->video->rtx_ssrc, ==, 2671039984u);

  RelaySdpPolicy policy;
  relay_sdp_policy_init_default (&policy);
  policy.video_codecs[0] = RELAY_CODEC_H264;
  policy.video_codecs[1] = RELAY_CODEC_NONE;
  g_autoptr (RelaySdpOffer) h = parse_ok (text, &policy);
  /* 97 has no packetization-mode (mode 0); 126 is the one. */
  g_assert_cmpuint (h->video->payload_type, ==, 126);
  g_assert_cmpint (h->video->rtx_payload_type, ==, 127);

  g_autofree char *answer = build_answer (o, 0, 0, 0);
  g_autoptr (GstSDPMessage) msg = reparse (answer);
  const GstSDPMedia *a = gst_sdp_message_get_media (msg, 0);
  g_assert_false (has_attr (a, "rtcp-rsize", NULL));
  g_assert_true (has_attr (a, "extmap", "3 " RELAY_EXT_MID));
  g_assert_null (strstr (answer, "csrc-audio-level"));
}

static void
test_gstreamer (void)
{
  g_autofree char *text = fixture ("gstreamer-webrtcbin.sdp");
  g_autoptr (RelaySdpOffer) o = parse_ok (text, NULL);
  RelaySdpMedia *v = o->video;

  /* Default policy prefers VP8, which webrtcbin did not offer. */
  g_assert_cmpuint (o->media->len, ==, 2);
  g_assert_true (g_ptr_array_index (o->media, 0) == (gpointer) v);
  g_assert_cmpstr (v->mid, ==, "video0");
  g_assert_cmpint (v->direction, ==, RELAY_DIRECTION_SENDRECV);
  g_assert_cmpint (v->codec, ==, RELAY_CODEC_H264);
  g_assert_cmpuint (v->payload_type, ==, 96);
  g_assert_cmpint (v->rtx_payload_type, ==, 97);
  g_assert_false (v->fb_goog_remb);
  g_assert_true (v->fb_transport_cc);
  g_assert_cmpuint (v->ext_twcc, ==, 1);
  g_assert_cmpuint (v->ssrc, ==, 1471823460u);
  g_assert_cmpuint (v->rtx_ssrc, ==, 4049227651u);
  g_assert_cmpstr (o->audio->mid, ==, "audio1");
  g_assert_cmpint (o->audio->codec, ==, RELAY_CODEC_OPUS); /* "OPUS" */
  g_assert_cmpuint (o->audio->payload_type, ==, 98);
  g_assert_cmpuint (o->audio->ssrc, ==, 2380217709u);
  g_assert_cmpuint (strlen (o->ice_ufrag), ==, 32);
  g_assert_cmpuint (o->candidates->len, ==, 3);
  g_assert_true (o->end_of_candidates);

  g_autofree char *answer = build_answer (o, 1500, 0, 0);
  g_autoptr (GstSDPMessage) msg = reparse (answer);
  const GstSDPMedia *mv = gst_sdp_message_get_media (msg, 0);
  g_assert_cmpstr (gst_sdp_message_get_attribute_val (msg, "group"), ==, "BUNDLE video0 audio1");
  g_assert_cmpstr (gst_sdp_media_get_media (mv), ==, "video");
  g_assert_true (has_attr (mv, "recvonly", NULL));
  g_assert_cmpuint (count_attr (mv, "candidate"), ==, 2);
  g_assert_true (has_attr (mv, "fmtp",
                           "96 packetization-mode=1;profile-level-id=42c01f;"
                           "sprop-parameter-sets=Z0LAH9kAUAW7ARAAAAMAEAAAAwPI8YMkgA==,aM4PyA=="));
  g_assert_true (has_attr (gst_sdp_message_get_media (msg, 1), "rtpmap", "98 opus/48000/2"));
}

static void
test_extmap_variants (void)
{
  g_autofree char *chrome = fixture ("chrome-whip.sdp");
  g_autofree char *text = replace (chrome, "a=extmap:4 " RELAY_EXT_MID,
                                   "a=extmap:16/sendonly " RELAY_EXT_MID);
  g_autoptr (RelaySdpOffer) o = parse_ok (text, NULL);

  g_assert_cmpuint (o->audio->ext_mid, ==, 16);
  g_assert_cmpuint (o->video->ext_mid, ==, 16);
  g_autofree char *answer = build_answer (o, 0, 0, 0);
  g_assert_nonnull (strstr (answer, "a=extmap:16 " RELAY_EXT_MID "\r\n"));

  /* Out-of-range ids are ignored, not trusted. */
  g_autofree char *bad = replace (chrome, "a=extmap:4 " RELAY_EXT_MID, "a=extmap:300 " RELAY_EXT_MID);
  g_autoptr (RelaySdpOffer) o2 = parse_ok (bad, NULL);
  g_assert_cmpuint (o2->video->ext_mid, ==, 0);

  /* LF-only line ends are tolerated. */
  g_autofree char *lf = replace (chrome, "\r\n", "\n");
  g_autoptr (RelaySdpOffer) o3 = parse_ok (lf, NULL);
  g_assert_cmpuint (o3->video->payload_type, ==, 96);

  /* Media-level credentials win over broken session-level ones. */
  g_autofree char *ff = fixture ("firefox.sdp");
  g_autofree char *ff2 = replace (ff, "a=ice-options:trickle\r\n",
                                  "a=ice-options:trickle\r\na=ice-ufrag:x\r\n");
  g_autoptr (RelaySdpOffer) o4 = parse_ok (ff2, NULL);
  g_assert_cmpstr (o4->ice_ufrag, ==, "c81e0a4f");

  /* a=setup:active is as good as actpass. */
  g_autofree char *active = replace (chrome, "a=setup:actpass", "a=setup:active");
  g_autoptr (RelaySdpOffer) o5 = parse_ok (active, NULL);
  g_assert_cmpstr (o5->setup, ==, "active");
}

static void
test_malformed (void)
{
  g_autofree char *chrome = fixture ("chrome-whip.sdp");
  g_autoptr (GRand) rand = g_rand_new_with_seed (8840);
  guint8 binary[512];

  parse_fails ("", 0, NULL, RELAY_SDP_ERROR_MALFORMED, "empty");
  parse_fails (NULL, 0, NULL, RELAY_SDP_ERROR_MALFORMED, "empty");
  parse_fails ("\r\n\r\n", 4, NULL, RELAY_SDP_ERROR_MALFORMED, "empty");
  parse_fails ("hello, this is not SDP\r\n", 24, NULL, RELAY_SDP_ERROR_MALFORMED, "line 1");
  parse_fails ("<html><body>oops</body></html>", 30, NULL, RELAY_SDP_ERROR_MALFORMED, NULL);
  for (guint i = 0; i < sizeof binary; i++)
    binary[i] = (guint8) g_rand_int_range (rand, 0, 256);
  parse_fails ((const char *) binary, sizeof binary, NULL, RELAY_SDP_ERROR_MALFORMED, NULL);

  g_autofree char *latin1 = replace (chrome, "s=-", "s=Khon Kaen \xe0\xb8");
  parse_fails (latin1, strlen (latin1), NULL, RELAY_SDP_ERROR_MALFORMED, "UTF-8");
  /* Truncated before the transport lines, and inside the first m-line. */
  parse_fails (chrome, strstr (chrome, "a=ice-ufrag") - chrome, NULL, RELAY_SDP_ERROR_MALFORMED,
               "ice-ufrag");
  parse_fails (chrome, strstr (chrome, "m=audio") - chrome + 13, NULL, RELAY_SDP_ERROR_MALFORMED,
               "m-line 0");
  parse_fails (chrome, strstr (chrome, "m=audio") - chrome, NULL, RELAY_SDP_ERROR_MALFORMED,
               "no m-lines");
  parse_fails (chrome + 5, strlen (chrome) - 5, NULL, RELAY_SDP_ERROR_MALFORMED, "v=0");
  g_autofree char *v1 = replace (chrome, "v=0", "v=1");
  parse_fails (v1, strlen (v1), NULL, RELAY_SDP_ERROR_MALFORMED, "v=0");
  g_autofree char *nul = g_strdup (chrome);
  nul[100] = '\0';
  parse_fails (nul, strlen (chrome), NULL, RELAY_SDP_ERROR_MALFORMED, "NUL");
  g_autofree char *bare_cr = replace (chrome, "a=mid:0\r\n", "a=mid:0\rjunk\r\n");
  parse_fails (bare_cr, strlen (bare_cr), NULL, RELAY_SDP_ERROR_MALFORMED, "control");
  g_autofree char *bad_m = replace (chrome, "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
                                    "m=audio 9");
  parse_fails (bad_m, strlen (bad_m), NULL, RELAY_SDP_ERROR_MALFORMED, "m-line 0");

  g_autofree char *no_fp = drop_lines (chrome, "a=fingerprint");
  parse_fails (no_fp, strlen (no_fp), NULL, RELAY_SDP_ERROR_MALFORMED, "fingerprint");
  g_autofree char *bad_fp = replace (chrome, ":BF:22", ":BF:2");
  parse_fails (bad_fp, strlen (bad_fp), NULL, RELAY_SDP_ERROR_MALFORMED, "fingerprint");
  g_autofree char *no_ufrag = drop_lines (chrome, "a=ice-ufrag");
  parse_fails (no_ufrag, strlen (no_ufrag), NULL, RELAY_SDP_ERROR_MALFORMED, "ice-ufrag");
  g_autofree char *no_pwd = drop_lines (chrome, "a=ice-pwd");
  parse_fails (no_pwd, strlen (no_pwd), NULL, RELAY_SDP_ERROR_MALFORMED, "ice-pwd");
  g_autofree char *short_ufrag = replace (chrome, "a=ice-ufrag:Rk7q", "a=ice-ufrag:Rk7");
  parse_fails (short_ufrag, strlen (short_ufrag), NULL, RELAY_SDP_ERROR_MALFORMED, "ice-ufrag");
  g_autofree char *bad_chars = replace (chrome, "a=ice-ufrag:Rk7q", "a=ice-ufrag:Rk7q;x=1");
  parse_fails (bad_chars, strlen (bad_chars), NULL, RELAY_SDP_ERROR_MALFORMED, "ice-ufrag");
  g_autofree char *short_pwd = replace (chrome, "gD3nS9z+Lw2PqV8xYc1mTb/e", "gD3nS9z+Lw2PqV8xYc1mT");
  parse_fails (short_pwd, strlen (short_pwd), NULL, RELAY_SDP_ERROR_MALFORMED, "ice-pwd");
  GString *long_pwd = g_string_new (NULL);
  for (guint i = 0; i < 257; i++)
    g_string_append_c (long_pwd, 'a');
  g_autofree char *lp = replace (chrome, "gD3nS9z+Lw2PqV8xYc1mTb/e", long_pwd->str);
  g_string_free (long_pwd, TRUE);
  parse_fails (lp, strlen (lp), NULL, RELAY_SDP_ERROR_MALFORMED, "ice-pwd");
}

#define CHROME_FP "sha-256 5B:0E:7C:3F:AA:91:D4:62:18:C7:4E:B0:3D:96:F2:8A:11:6F:C3:5D:E8:74:29:B6:0A:93:4C:D1:7E:58:BF:22"
#define SHA1_FP "sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB"
#define SHA512_FP "SHA-512 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:" \
  "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:" \
  "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"

/* Every a=fingerprint line with a hash the relay accepts is kept, in
 * order, for the DTLS layer to match against; others are left out. */
static void
test_fingerprints (void)
{
  g_autofree char *chrome = fixture ("chrome-whip.sdp");
  g_autoptr (RelaySdpOffer) several = NULL;
  g_autoptr (RelaySdpOffer) sha1_too = NULL;

  /* sha-1 and an unknown hash ignored, sha-512 (any case) kept after the
   * sha-256 line. */
  g_autofree char *three = replace (chrome, "a=fingerprint:" CHROME_FP "\r\n",
                                    "a=fingerprint:" SHA1_FP "\r\n"
                                    "a=fingerprint:" CHROME_FP "\r\n"
                                    "a=fingerprint:x-hash-9 00:11\r\n"
                                    "a=fingerprint:" SHA512_FP "\r\n");
  several = parse_ok (three, NULL);
  g_assert_cmpuint (g_strv_length (several->fingerprints), ==, 2);
  g_assert_cmpstr (several->fingerprints[0], ==, CHROME_FP);
  g_assert_cmpstr (several->fingerprints[1], ==, SHA512_FP);

  /* Only sha-1 (weak) or unknown hashes: 400, naming what is accepted. */
  g_autofree char *sha1 = replace (chrome, "a=fingerprint:sha-256", "a=fingerprint:sha-1");
  parse_fails (sha1, strlen (sha1), NULL, RELAY_SDP_ERROR_MALFORMED,
               "no a=fingerprint with a hash function the relay accepts (sha-256");
  g_autofree char *unknown = replace (chrome, "a=fingerprint:sha-256", "a=fingerprint:sha3-256");
  parse_fails (unknown, strlen (unknown), NULL, RELAY_SDP_ERROR_MALFORMED, "sha3-256");

  /* A value of the wrong length for its (accepted) hash. */
  g_autofree char *short512 = replace (chrome, "a=fingerprint:" CHROME_FP "\r\n",
                                       "a=fingerprint:" CHROME_FP "\r\n"
                                       "a=fingerprint:sha-384 AB:CD\r\n");
  parse_fails (short512, strlen (short512), NULL, RELAY_SDP_ERROR_MALFORMED,
               "a=fingerprint:sha-384 value is not 48");

  /* Bounded: each line costs a comparison in every handshake. */
  GString *many = g_string_new (NULL);
  for (guint i = 0; i <= RELAY_SDP_MAX_FINGERPRINTS; i++)
    g_string_append (many, "a=fingerprint:" CHROME_FP "\r\n");
  g_autofree char *too_many = replace (chrome, "a=fingerprint:" CHROME_FP "\r\n", many->str);
  g_string_free (many, TRUE);
  parse_fails (too_many, strlen (too_many), NULL, RELAY_SDP_ERROR_MALFORMED,
               "more than 16 a=fingerprint");
}

static void
test_unsupported (void)
{
  g_autofree char *chrome = fixture ("chrome-whip.sdp");

  g_autofree char *passive = replace (chrome, "a=setup:actpass", "a=setup:passive");
  parse_fails (passive, strlen (passive), NULL, RELAY_SDP_ERROR_UNSUPPORTED, "passive");
  g_autofree char *no_mux = drop_lines (chrome, "a=rtcp-mux");
  parse_fails (no_mux, strlen (no_mux), NULL, RELAY_SDP_ERROR_UNSUPPORTED, "rtcp-mux");
  g_autofree char *no_bundle = drop_lines (chrome, "a=group:BUNDLE");
  parse_fails (no_bundle, strlen (no_bundle), NULL, RELAY_SDP_ERROR_UNSUPPORTED, "BUNDLE");
  g_autofree char *half_bundle = replace (chrome, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0");
  parse_fails (half_bundle, strlen (half_bundle), NULL, RELAY_SDP_ERROR_UNSUPPORTED, "BUNDLE");
  g_autofree char *recvonly = replace (chrome, "a=sendonly", "a=recvonly");
  parse_fails (recvonly, strlen (recvonly), NULL, RELAY_SDP_ERROR_UNSUPPORTED, "recvonly");
  g_autofree char *avp = replace (chrome, "UDP/TLS/RTP/SAVPF", "RTP/AVP");
  parse_fails (avp, strlen (avp), NULL, RELAY_SDP_ERROR_UNSUPPORTED, "RTP/AVP");

  /* Video offering only VP9 (and its RTX), no audio. */
  g_autofree char *vp9 = fixture ("vp9-only.sdp");
  parse_fails (vp9, strlen (vp9), NULL, RELAY_SDP_ERROR_UNSUPPORTED, "VP9");
  parse_fails (vp9, strlen (vp9), NULL, RELAY_SDP_ERROR_UNSUPPORTED, "no supported video codec");

  /* H264 only in packetization-mode 0 does not fit either. */
  g_autofree char *h264 = replace (vp9, "VP9/90000", "H264/90000");
  g_autofree char *mode0 = replace (h264, "profile-id=0",
                                    "profile-level-id=42e01f;packetization-mode=0");
  parse_fails (mode0, strlen (mode0), NULL, RELAY_SDP_ERROR_UNSUPPORTED, "H264");
  g_autofree char *mode1 = replace (mode0, "packetization-mode=0", "packetization-mode=1");
  g_autoptr (RelaySdpOffer) ok = parse_ok (mode1, NULL);
  g_assert_null (ok->audio);
  g_assert_cmpuint (ok->video->payload_type, ==, 98);
  g_autofree char *main_profile = replace (mode1, "42e01f", "4d001f");
  parse_fails (main_profile, strlen (main_profile), NULL, RELAY_SDP_ERROR_UNSUPPORTED, "H264");

  /* Audio in a codec the relay does not take, video none. */
  g_autofree char *pcmu = replace (chrome, "opus/48000/2", "L16/48000/2");
  g_autofree char *pcmu_vp9 = replace (pcmu, "m=video 9", "m=video 0");
  parse_fails (pcmu_vp9, strlen (pcmu_vp9), NULL, RELAY_SDP_ERROR_UNSUPPORTED, "opus");
}

/* Truncations, byte flips, dropped/duplicated lines and junk: every outcome
 * must be an offer or a RELAY_SDP_ERROR, never a crash or a GLib critical. */
static void
test_fuzz (void)
{
  g_autofree char *chrome = fixture ("chrome-whip.sdp");
  g_autofree char *gst = fixture ("gstreamer-webrtcbin.sdp");
  g_autoptr (GRand) rand = g_rand_new_with_seed (g_test_rand_int ()); /* --seed replays */
  gsize base_len = strlen (chrome);
  guint ok = 0, failed = 0;

  for (guint iter = 0; iter < 4000; iter++) {
    const char *base = iter % 4 == 3 ? gst : chrome;
    GString *s = g_string_new (base);
    guint kind = g_rand_int_range (rand, 0, 5);

    base_len = s->len;
    if (kind == 0) {
      g_string_truncate (s, g_rand_int_range (rand, 0, (gint32) base_len));
    } else if (kind == 1) {
      guint flips = g_rand_int_range (rand, 1, 9);
      for (guint f = 0; f < flips; f++)
        s->str[g_rand_int_range (rand, 0, (gint32) s->len)] = (char) g_rand_int_range (rand, 0, 256);
    } else if (kind == 2) {
      /* Flip printable characters only, so that the text passes the
       * UTF-8 gate and reaches the SDP checks. */
      guint flips = g_rand_int_range (rand, 1, 5);
      for (guint f = 0; f < flips; f++)
        s->str[g_rand_int_range (rand, 0, (gint32) s->len)] = (char) g_rand_int_range (rand, 32, 127);
    } else if (kind == 3) {
      g_auto (GStrv) lines = g_strsplit (base, "\r\n", -1);
      guint n = g_strv_length (lines);
      guint victim = g_rand_int_range (rand, 0, (gint32) n);
      gboolean dup = g_rand_boolean (rand);
      g_string_truncate (s, 0);
      for (guint i = 0; i < n; i++) {
        if (i == victim && !dup)
          continue;
        g_string_append_printf (s, "%s\r\n", lines[i]);
        if (i == victim)
          g_string_append_printf (s, "%s\r\n", lines[i]);
      }
    } else {
      static const char *junk[] = { "a=", "m=", "a=rtpmap:", "a=fmtp:96 apt=", "a=extmap:",
                                    "a=ssrc-group:FID", "a=group:BUNDLE", " ", "/", ":",
                                    "a=candidate:", "a=fingerprint:sha-256 ", "m=video 0 x" };
      guint at = g_rand_int_range (rand, 0, (gint32) s->len);
      g_string_insert (s, at, junk[g_rand_int_range (rand, 0, G_N_ELEMENTS (junk))]);
    }

    g_autoptr (GError) error = NULL;
    g_autoptr (RelaySdpOffer) o = relay_sdp_offer_parse (s->str, s->len, NULL, &error);
    if (o != NULL) {
      g_assert_no_error (error);
      g_assert_true (o->audio != NULL || o->video != NULL);
      g_autofree char *answer = build_answer (o, 800, 1, 2);
      g_autoptr (GstSDPMessage) msg = reparse (answer);
      g_assert_cmpuint (gst_sdp_message_medias_len (msg), ==, o->media->len);
      ok++;
    } else {
      g_assert_nonnull (error);
      g_assert_true (error->domain == RELAY_SDP_ERROR);
      g_assert_cmpuint (strlen (error->message), >, 0);
      failed++;
    }
    g_string_free (s, TRUE);
  }
  g_test_message ("fuzz: %u accepted, %u rejected", ok, failed);
  g_assert_cmpuint (ok, >, 100);
  g_assert_cmpuint (failed, >, 100);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sdp/policy/default", test_policy_default);
  g_test_add_func ("/sdp/offer/chrome-vp8", test_chrome_vp8);
  g_test_add_func ("/sdp/offer/chrome-h264", test_chrome_h264);
  g_test_add_func ("/sdp/offer/feedback-off", test_policy_feedback_off);
  g_test_add_func ("/sdp/offer/firefox", test_firefox);
  g_test_add_func ("/sdp/offer/candidate-limits", test_candidate_limits);
  g_test_add_func ("/sdp/offer/gstreamer", test_gstreamer);
  g_test_add_func ("/sdp/offer/extmap-variants", test_extmap_variants);
  g_test_add_func ("/sdp/offer/malformed", test_malformed);
  g_test_add_func ("/sdp/offer/fingerprints", test_fingerprints);
  g_test_add_func ("/sdp/offer/unsupported", test_unsupported);
  g_test_add_func ("/sdp/offer/fuzz", test_fuzz);
  return g_test_run ();
}
