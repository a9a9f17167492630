/* Unit tests of relay/sdp: offers from Chrome, Firefox and GStreamer
 * webrtcbin, the answer built for them, error reasons, trickle fragments,
 * and a mutation loop that must never crash. */
#include <string.h>
#include <glib.h>
#include <gst/sdp/sdp.h>

#include "relay/sdp/sdp-answer.h"
#include "relay/sdp/sdp-offer.h"

#define OUR_FP "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"
#define OUR_UFRAG "r3Lx"
#define OUR_PWD "t7Yq2Vn8Kp4Wm1Zs6Hd9Bf3c"

static char *
fixture (const char *name)
{
  g_autofree char *path = g_build_filename (SDP_FIXTURES, name, NULL);
  g_autoptr (GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* Replaces every occurrence, and insists there was one, so that a fixture
 * edit cannot silently turn a test into a no-op. */
static char *
replace (const char *text, const char *from, const char *to)
{
  GString *s = g_string_new (text);
  guint n = g_string_replace (s, from, to, 0);

  g_assert_cmpuint (n, >, 0);
  return g_string_free (s, FALSE);
}

/* Drops every line starting with prefix (there must be one). */
static char *
drop_lines (const char *text, const char *prefix)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GString *s = g_string_new (NULL);
  guint dropped = 0;

  for (guint i = 0; lines[i] != NULL; i++) {
    if (g_str_has_prefix (lines[i], prefix)) {
      dropped++;
      continue;
    }
    g_string_append (s, lines[i]);
    if (lines[i + 1] != NULL)
      g_string_append_c (s, '\n');
  }
  g_assert_cmpuint (dropped, >, 0);
  return g_string_free (s, FALSE);
}

static RelaySdpOffer *
parse_ok (const char *text, const RelaySdpPolicy *policy)
{
  g_autoptr (GError) error = NULL;
  RelaySdpOffer *offer = relay_sdp_offer_parse (text, strlen (text), policy, &error);

  g_assert_no_error (error);
  g_assert_nonnull (offer);
  return offer;
}

static void
parse_fails (const char *text, gsize len, const RelaySdpPolicy *policy, RelaySdpError code,
             const char *reason_part)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelaySdpOffer) offer = relay_sdp_offer_parse (text, len, policy, &error);

  g_assert_null (offer);
  g_assert_error (error, RELAY_SDP_ERROR, (gint) code);
  g_test_message ("reason: %s", error->message);
  if (reason_part != NULL && strstr (error->message, reason_part) == NULL)
    g_error ("reason \"%s\" does not mention \"%s\"", error->message, reason_part);
}

static char *
build_answer (const RelaySdpOffer *offer, guint kbps, guint32 audio_ssrc, guint32 video_ssrc)
{
  const char *cands[] = { "candidate:1 1 udp 2130706431 203.0.113.10 40000 typ host",
                          "candidate:2 1 udp 2130706175 2001:db8::10 40000 typ host", NULL };
  RelaySdpAnswerParams p = {
    .ice_ufrag = OUR_UFRAG, .ice_pwd = OUR_PWD, .fingerprint = OUR_FP, .candidates = cands,
    .video_bitrate_kbps = kbps, .audio_ssrc = audio_ssrc, .video_ssrc = video_ssrc,
    .cname = "relay-bkk",
  };
  char *answer = relay_sdp_answer_build (offer, &p);

  g_assert_nonnull (answer);
  return answer;
}

static GstSDPMessage *
reparse (const char *text)
{
  GstSDPMessage *msg = NULL;

  gst_sdp_message_new (&msg);
  g_assert_cmpint (gst_sdp_message_parse_buffer ((const guint8 *) text, strlen (text), msg), ==,
                   GST_SDP_OK);
  return msg;
}

static guint
count_attr (const GstSDPMedia *m, const char *key)
{
  guint n = 0;

  while (gst_sdp_media_get_attribute_val_n (m, key, n) != NULL)
    n++;
  return n;
}

static gboolean
has_attr (const GstSDPMedia *m, const char *key, const char *value)
{
  for (guint n = 0;; n++) {
    const char *v = gst_sdp_media_get_attribute_val_n (m, key, n);
    if (v == NULL)
      return FALSE;
    if (value == NULL || strcmp (v, value) == 0)
      return TRUE;
  }
}

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
  g_assert_true (g_str_has_prefix (o->fingerprint, "5B:0E:7C"));
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
test_chrome_answer (void)
{
  g_autofree char *text = fixture ("chrome-whip.sdp");
  g_autoptr (RelaySdpOffer) o = parse_ok (text, NULL);
  g_autofree char *answer = build_answer (o, 2500, 0, 0);
  g_autoptr (GstSDPMessage) msg = reparse (answer);
  const GstSDPMedia *a, *v;

  g_test_message ("%s", answer);
  /* Every line ends with CRLF. */
  for (const char *p = answer; (p = strchr (p, '\n')) != NULL; p++)
    g_assert_true (p > answer && p[-1] == '\r');
  g_assert_true (g_str_has_suffix (answer, "\r\n"));
  g_assert_true (g_str_has_prefix (answer, "v=0\r\no=- "));
  g_assert_nonnull (strstr (answer, " 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"));

  g_assert_cmpstr (gst_sdp_message_get_attribute_val (msg, "group"), ==, "BUNDLE 0 1");
  g_assert_null (gst_sdp_message_get_attribute_val (msg, "ice-lite"));
  g_assert_cmpuint (gst_sdp_message_medias_len (msg), ==, 2);
  a = gst_sdp_message_get_media (msg, 0);
  v = gst_sdp_message_get_media (msg, 1);

  for (guint i = 0; i < 2; i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (msg, i);
    g_assert_cmpuint (gst_sdp_media_get_port (m), ==, 9);
    g_assert_cmpstr (gst_sdp_media_get_proto (m), ==, "UDP/TLS/RTP/SAVPF");
    g_assert_cmpstr (gst_sdp_media_get_connection (m, 0)->address, ==, "0.0.0.0");
    g_assert_true (has_attr (m, "setup", "passive"));
    g_assert_true (has_attr (m, "recvonly", NULL));
    g_assert_false (has_attr (m, "sendonly", NULL) || has_attr (m, "sendrecv", NULL));
    g_assert_true (has_attr (m, "rtcp-mux", NULL));
    g_assert_true (has_attr (m, "rtcp-rsize", NULL));
    g_assert_true (has_attr (m, "fingerprint", "sha-256 " OUR_FP));
    g_assert_true (has_attr (m, "ice-ufrag", OUR_UFRAG));
    g_assert_true (has_attr (m, "ice-pwd", OUR_PWD));
    g_assert_true (has_attr (m, "ice-options", "trickle"));
    g_assert_true (has_attr (m, "end-of-candidates", NULL));
    g_assert_false (has_attr (m, "ssrc", NULL));
    g_assert_true (has_attr (m, "extmap", "4 " RELAY_EXT_MID));
    g_assert_true (has_attr (m, "extmap", "3 " RELAY_EXT_TWCC));
  }
  /* Bundled: candidates only on the first m-line. */
  g_assert_cmpuint (count_attr (a, "candidate"), ==, 2);
  g_assert_true (has_attr (a, "candidate", "1 1 udp 2130706431 203.0.113.10 40000 typ host"));
  g_assert_cmpuint (count_attr (v, "candidate"), ==, 0);

  g_assert_cmpstr (gst_sdp_media_get_media (a), ==, "audio");
  g_assert_cmpstr (gst_sdp_media_get_attribute_val (a, "mid"), ==, "0");
  g_assert_cmpuint (gst_sdp_media_formats_len (a), ==, 1);
  g_assert_cmpstr (gst_sdp_media_get_format (a, 0), ==, "111");
  g_assert_true (has_attr (a, "rtpmap", "111 opus/48000/2"));
  g_assert_true (has_attr (a, "fmtp", "111 minptime=10;useinbandfec=1"));
  g_assert_true (has_attr (a, "rtcp-fb", "111 transport-cc"));
  g_assert_true (has_attr (a, "extmap", "1 " RELAY_EXT_AUDIO_LEVEL));
  g_assert_cmpuint (count_attr (a, "extmap"), ==, 3);
  g_assert_cmpuint (gst_sdp_media_bandwidths_len (a), ==, 0);

  g_assert_cmpstr (gst_sdp_media_get_attribute_val (v, "mid"), ==, "1");
  g_assert_cmpuint (gst_sdp_media_formats_len (v), ==, 2);
  g_assert_cmpstr (gst_sdp_media_get_format (v, 0), ==, "96");
  g_assert_cmpstr (gst_sdp_media_get_format (v, 1), ==, "97");
  g_assert_true (has_attr (v, "rtpmap", "96 VP8/90000"));
  g_assert_true (has_attr (v, "rtpmap", "97 rtx/90000"));
  g_assert_true (has_attr (v, "fmtp", "97 apt=96"));
  g_assert_cmpuint (count_attr (v, "rtpmap"), ==, 2);
  g_assert_cmpuint (count_attr (v, "rtcp-fb"), ==, 5);
  g_assert_true (has_attr (v, "rtcp-fb", "96 nack"));
  g_assert_true (has_attr (v, "rtcp-fb", "96 nack pli"));
  g_assert_true (has_attr (v, "rtcp-fb", "96 ccm fir"));
  g_assert_true (has_attr (v, "rtcp-fb", "96 goog-remb"));
  g_assert_true (has_attr (v, "rtcp-fb", "96 transport-cc"));
  g_assert_cmpuint (count_attr (v, "extmap"), ==, 2); /* no abs-send-time, toffset, ... */
  g_assert_cmpuint (gst_sdp_media_bandwidths_len (v), ==, 2);
  g_assert_cmpstr (gst_sdp_media_get_bandwidth (v, 0)->bwtype, ==, "AS");
  g_assert_cmpuint (gst_sdp_media_get_bandwidth (v, 0)->bandwidth, ==, 2500);
  g_assert_cmpstr (gst_sdp_media_get_bandwidth (v, 1)->bwtype, ==, "TIAS");
  g_assert_cmpuint (gst_sdp_media_get_bandwidth (v, 1)->bandwidth, ==, 2500000);

  /* A fresh random session id each time. */
  g_autofree char *again = build_answer (o, 2500, 0, 0);
  g_autoptr (GstSDPMessage) msg2 = reparse (again);
  g_assert_cmpstr (gst_sdp_message_get_origin (msg)->sess_version, ==, "2");
  g_assert_cmpstr (gst_sdp_message_get_origin (msg)->sess_id, !=,
                   gst_sdp_message_get_origin (msg2)->sess_id);
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

static void
test_firefox (void)
{
  g_autofree char *text = fixture ("firefox.sdp");
  g_autoptr (RelaySdpOffer) o = parse_ok (text, NULL);

  g_assert_cmpstr (o->ice_ufrag, ==, "c81e0a4f");
  g_assert_true (g_str_has_prefix (o->fingerprint, "A4:1C:9E")); /* session level */
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
test_whep (void)
{
  g_autofree char *chrome = fixture ("chrome-whip.sdp");
  g_autofree char *text = replace (chrome, "a=sendonly", "a=recvonly");
  RelaySdpPolicy policy;

  relay_sdp_policy_init_default (&policy);
  policy.need_send = FALSE;
  g_autoptr (RelaySdpOffer) o = parse_ok (text, &policy);
  g_assert_cmpint (o->video->answer_direction, ==, RELAY_DIRECTION_SENDONLY);

  g_autofree char *answer = build_answer (o, 0, 11111111, 22222222);
  g_autoptr (GstSDPMessage) msg = reparse (answer);
  const GstSDPMedia *a = gst_sdp_message_get_media (msg, 0);
  const GstSDPMedia *v = gst_sdp_message_get_media (msg, 1);
  g_assert_true (has_attr (a, "sendonly", NULL));
  g_assert_true (has_attr (v, "sendonly", NULL));
  g_assert_true (has_attr (a, "ssrc", "11111111 cname:relay-bkk"));
  g_assert_true (has_attr (v, "ssrc", "22222222 cname:relay-bkk"));
  g_assert_true (has_attr (v, "msid", NULL));
  g_assert_nonnull (gst_sdp_message_get_attribute_val (msg, "msid-semantic"));

  /* A WHEP client that only sends is of no use. */
  parse_fails (chrome, strlen (chrome), &policy, RELAY_SDP_ERROR_UNSUPPORTED, "sendonly");
}

static const char DATACHANNEL[] =
  "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
  "c=IN IP4 0.0.0.0\r\n"
  "a=ice-ufrag:Rk7q\r\n"
  "a=ice-pwd:gD3nS9z+Lw2PqV8xYc1mTb/e\r\n"
  "a=ice-options:trickle\r\n"
  "a=fingerprint:sha-256 5B:0E:7C:3F:AA:91:D4:62:18:C7:4E:B0:3D:96:F2:8A:11:6F:C3:5D:E8:74:29:"
  "B6:0A:93:4C:D1:7E:58:BF:22\r\n"
  "a=setup:actpass\r\n"
  "a=mid:2\r\n"
  "a=sctp-port:5000\r\n"
  "a=max-message-size:262144\r\n";

static void
test_extra_mlines (void)
{
  g_autofree char *chrome = fixture ("chrome-whip.sdp");
  g_autofree char *grouped = replace (chrome, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2 3");
  const char *second_video =
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:3\r\na=sendonly\r\n"
    "a=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n";
  g_autofree char *text = g_strconcat (grouped, DATACHANNEL, second_video, NULL);
  g_autoptr (RelaySdpOffer) o = parse_ok (text, NULL);

  g_assert_cmpuint (o->media->len, ==, 4);
  RelaySdpMedia *dc = g_ptr_array_index (o->media, 2);
  RelaySdpMedia *v2 = g_ptr_array_index (o->media, 3);
  g_assert_false (dc->accepted);
  g_assert_cmpint (dc->kind, ==, RELAY_MEDIA_APPLICATION);
  g_assert_nonnull (dc->reject_reason);
  g_assert_false (v2->accepted);
  g_assert_nonnull (strstr (v2->reject_reason, "only one video"));
  g_assert_true (o->video == g_ptr_array_index (o->media, 1));

  g_autofree char *answer = build_answer (o, 0, 0, 0);
  g_autoptr (GstSDPMessage) msg = reparse (answer);
  g_assert_cmpuint (gst_sdp_message_medias_len (msg), ==, 4);
  g_assert_cmpstr (gst_sdp_message_get_attribute_val (msg, "group"), ==, "BUNDLE 0 1");
  g_assert_nonnull (strstr (answer, "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
  const GstSDPMedia *m = gst_sdp_message_get_media (msg, 2);
  g_assert_cmpuint (gst_sdp_media_get_port (m), ==, 0);
  g_assert_true (has_attr (m, "mid", "2"));
  g_assert_true (has_attr (m, "inactive", NULL));
  g_assert_false (has_attr (m, "candidate", NULL));
  m = gst_sdp_message_get_media (msg, 3);
  g_assert_cmpuint (gst_sdp_media_get_port (m), ==, 0);
  g_assert_cmpstr (gst_sdp_media_get_format (m, 0), ==, "96");

  /* An offer whose only video is unusable still goes ahead with audio. */
  g_autofree char *vp9 = replace (chrome, "a=rtpmap:96 VP8/90000", "a=rtpmap:96 VP9/90000");
  g_autofree char *vp9_only = replace (vp9, "H264/90000", "H265/90000");
  g_autoptr (RelaySdpOffer) audio_only = parse_ok (vp9_only, NULL);
  g_assert_null (audio_only->video);
  g_assert_nonnull (strstr (((RelaySdpMedia *) g_ptr_array_index (audio_only->media, 1))
                              ->reject_reason, "VP9"));
  g_autofree char *answer2 = build_answer (audio_only, 0, 0, 0);
  g_assert_nonnull (strstr (answer2, "a=group:BUNDLE 0\r\n"));
  g_assert_nonnull (strstr (answer2, "m=video 0 UDP/TLS/RTP/SAVPF 96\r\n"));
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

static void
test_unsupported (void)
{
  g_autofree char *chrome = fixture ("chrome-whip.sdp");

  g_autofree char *sha1 = replace (chrome, "a=fingerprint:sha-256", "a=fingerprint:sha-1");
  parse_fails (sha1, strlen (sha1), NULL, RELAY_SDP_ERROR_UNSUPPORTED, "sha-1");
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
  const char *vp9 =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 98 99\r\nc=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:Rk7q\r\na=ice-pwd:gD3nS9z+Lw2PqV8xYc1mTb/e\r\n"
    "a=fingerprint:sha-256 5B:0E:7C:3F:AA:91:D4:62:18:C7:4E:B0:3D:96:F2:8A:11:6F:C3:5D:E8:74:29:"
    "B6:0A:93:4C:D1:7E:58:BF:22\r\n"
    "a=setup:actpass\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\n"
    "a=rtpmap:98 VP9/90000\r\na=fmtp:98 profile-id=0\r\na=rtpmap:99 rtx/90000\r\n"
    "a=fmtp:99 apt=98\r\n";
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
  g_test_add_func ("/sdp/policy/default", test_policy_default);
  g_test_add_func ("/sdp/offer/chrome-vp8", test_chrome_vp8);
  g_test_add_func ("/sdp/offer/chrome-h264", test_chrome_h264);
  g_test_add_func ("/sdp/offer/feedback-off", test_policy_feedback_off);
  g_test_add_func ("/sdp/offer/firefox", test_firefox);
  g_test_add_func ("/sdp/offer/gstreamer", test_gstreamer);
  g_test_add_func ("/sdp/offer/extra-mlines", test_extra_mlines);
  g_test_add_func ("/sdp/offer/extmap-variants", test_extmap_variants);
  g_test_add_func ("/sdp/offer/malformed", test_malformed);
  g_test_add_func ("/sdp/offer/unsupported", test_unsupported);
  g_test_add_func ("/sdp/offer/fuzz", test_fuzz);
  g_test_add_func ("/sdp/answer/chrome", test_chrome_answer);
  g_test_add_func ("/sdp/answer/whep", test_whep);
  g_test_add_func ("/sdp/fragment/parse", test_fragment);
  g_test_add_func ("/sdp/fragment/roundtrip", test_fragment_roundtrip);
  g_test_add_func ("/sdp/fragment/garbage", test_fragment_garbage);
  return g_test_run ();
}
