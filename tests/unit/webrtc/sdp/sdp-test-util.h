/* Helpers shared by the relay/sdp unit tests: fixtures, text edits that
 * must hit, and checks on a re-parsed answer. Static so that each test
 * program stays a single translation unit. */
#pragma once

#include <string.h>
#include <glib.h>
#include <gst/sdp/sdp.h>

#include "webrtc/sdp/sdp-answer.h"
#include "webrtc/sdp/sdp-offer.h"

#define OUR_FP "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"
#define OUR_UFRAG "r3Lx"
#define OUR_PWD "t7Yq2Vn8Kp4Wm1Zs6Hd9Bf3c"

G_GNUC_UNUSED static char *
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
G_GNUC_UNUSED static char *
replace (const char *text, const char *from, const char *to)
{
  GString *s = g_string_new (text);
  guint n = g_string_replace (s, from, to, 0);

  g_assert_cmpuint (n, >, 0);
  return g_string_free (s, FALSE);
}

/* Drops every line starting with prefix (there must be one). */
G_GNUC_UNUSED static char *
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

G_GNUC_UNUSED static RelaySdpOffer *
parse_ok (const char *text, const RelaySdpPolicy *policy)
{
  g_autoptr (GError) error = NULL;
  RelaySdpOffer *offer = relay_sdp_offer_parse (text, strlen (text), policy, &error);

  g_assert_no_error (error);
  g_assert_nonnull (offer);
  return offer;
}

G_GNUC_UNUSED static void
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

G_GNUC_UNUSED static char *
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

G_GNUC_UNUSED static GstSDPMessage *
reparse (const char *text)
{
  GstSDPMessage *msg = NULL;

  gst_sdp_message_new (&msg);
  g_assert_cmpint (gst_sdp_message_parse_buffer ((const guint8 *) text, strlen (text), msg), ==,
                   GST_SDP_OK);
  return msg;
}

G_GNUC_UNUSED static guint
count_attr (const GstSDPMedia *m, const char *key)
{
  guint n = 0;

  while (gst_sdp_media_get_attribute_val_n (m, key, n) != NULL)
    n++;
  return n;
}

G_GNUC_UNUSED static gboolean
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
