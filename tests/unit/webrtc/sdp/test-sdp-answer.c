/* Unit tests of the relay's SDP answer: what a browser or GStreamer client
 * gets back, re-parsed with GstSDPMessage, including rejected m-lines and
 * the WHEP (relay sends) direction. */
#include "tests/unit/webrtc/sdp/sdp-test-util.h"

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
  RelaySdpPolicy no_dc;
  relay_sdp_policy_init_default (&no_dc);
  no_dc.accept_data_channel = FALSE;
  g_autoptr (RelaySdpOffer) o = parse_ok (text, &no_dc);

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

/* Chromium's offer with a data channel created before createOffer: the
 * m=application line is answered on the bundled transport. */
static void
test_datachannel (void)
{
  g_autofree char *text = fixture ("chrome-datachannel.sdp");
  g_autoptr (RelaySdpOffer) o = parse_ok (text, NULL);

  g_assert_nonnull (o->application);
  g_assert_true (o->application->accepted);
  g_assert_cmpstr (o->application->mid, ==, "2");
  g_assert_cmpuint (o->application->sctp_port, ==, 5000);
  g_assert_cmpuint (o->application->max_message_size, ==, 262144);
  g_assert_nonnull (o->audio);
  g_assert_nonnull (o->video);

  g_autofree char *answer = build_answer (o, 0, 0, 0);
  g_autoptr (GstSDPMessage) msg = reparse (answer);
  g_test_message ("%s", answer);
  g_assert_cmpstr (gst_sdp_message_get_attribute_val (msg, "group"), ==, "BUNDLE 0 1 2");
  g_assert_cmpuint (gst_sdp_message_medias_len (msg), ==, 3);
  g_assert_nonnull (strstr (answer, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
  const GstSDPMedia *m = gst_sdp_message_get_media (msg, 2);
  g_assert_true (has_attr (m, "mid", "2"));
  g_assert_true (has_attr (m, "sctp-port", "5000"));
  g_assert_true (has_attr (m, "max-message-size", "262144"));
  g_assert_true (has_attr (m, "setup", "passive"));
  g_assert_true (has_attr (m, "fingerprint", "sha-256 " OUR_FP));
  g_assert_true (has_attr (m, "ice-ufrag", OUR_UFRAG));
  g_assert_true (has_attr (m, "ice-pwd", OUR_PWD));
  g_assert_false (has_attr (m, "candidate", NULL)); /* on the first m-line */
  g_assert_false (has_attr (m, "rtcp-mux", NULL));
  g_assert_false (has_attr (m, "rtpmap", NULL));
  g_assert_false (has_attr (m, "recvonly", NULL));

  /* Defaults when the offer omits the attributes; a bad port is refused
   * for the data channel only. */
  g_autofree char *no_port = replace (text, "a=sctp-port:5000\r\n", "");
  g_autofree char *no_attrs = replace (no_port, "a=max-message-size:262144\r\n", "");
  g_autoptr (RelaySdpOffer) d = parse_ok (no_attrs, NULL);
  g_assert_cmpuint (d->application->sctp_port, ==, 5000);
  g_assert_cmpuint (d->application->max_message_size, ==, 65536);
  g_autofree char *bad = replace (text, "a=sctp-port:5000", "a=sctp-port:70000");
  g_autoptr (RelaySdpOffer) b = parse_ok (bad, NULL);
  g_assert_null (b->application);
  g_assert_nonnull (b->video);

  /* The old DTLS/SCTP form, and WHEP (the relay sends): rejected, port 0. */
  g_autofree char *old = replace (text, "UDP/DTLS/SCTP webrtc-datachannel", "DTLS/SCTP 5000");
  g_autoptr (RelaySdpOffer) od = parse_ok (old, NULL);
  g_assert_null (od->application);
  g_autofree char *old_answer = build_answer (od, 0, 0, 0);
  g_assert_nonnull (strstr (old_answer, "m=application 0 DTLS/SCTP 5000\r\n"));
  g_assert_nonnull (strstr (old_answer, "a=group:BUNDLE 0 1\r\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sdp/answer/chrome", test_chrome_answer);
  g_test_add_func ("/sdp/answer/whep", test_whep);
  g_test_add_func ("/sdp/answer/extra-mlines", test_extra_mlines);
  g_test_add_func ("/sdp/answer/datachannel", test_datachannel);
  return g_test_run ();
}
