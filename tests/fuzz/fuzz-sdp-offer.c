/* libFuzzer harness: a WHIP or WHEP offer body (webrtc/sdp/sdp-offer.c:
 * GStreamer's gst_sdp_message_parse_buffer, then the relay's checks and
 * codec choice), parsed with the WHIP policy (the peer sends, data channel
 * allowed) and the WHEP one (the peer receives, one codec). An accepted
 * offer is answered (webrtc/sdp/sdp-answer.c) and the answer must be SDP
 * GStreamer reads back, every line "<letter>=<value>": nothing a client
 * put in its offer may break a line of ours. A refusal's reason must be
 * UTF-8: it is sent as JSON. */
#include "tests/fuzz/fuzz-common.h"

#include <gst/sdp/sdp.h>
#include <string.h>

#include "webrtc/sdp/sdp-answer.h"
#include "webrtc/sdp/sdp-offer.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

static void
check_answer (const char *answer)
{
  FUZZ_CHECK (answer != NULL);
  g_auto (GStrv) lines = g_strsplit (answer, "\r\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      if (lines[i][0] == '\0')
        {
          FUZZ_CHECK (lines[i + 1] == NULL); /* only after the last CRLF */
          continue;
        }
      FUZZ_CHECK (g_ascii_islower (lines[i][0]) && lines[i][1] == '=');
      FUZZ_CHECK (strchr (lines[i], '\n') == NULL && strchr (lines[i], '\r') == NULL);
    }
  GstSDPMessage *msg = NULL;
  gst_sdp_message_new (&msg);
  FUZZ_CHECK (gst_sdp_message_parse_buffer ((const guint8 *) answer, (guint) strlen (answer), msg)
              == GST_SDP_OK);
  gst_sdp_message_free (msg);
}

static void
offer_and_answer (const char *text, gsize len, const RelaySdpPolicy *policy, guint32 ssrc)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelaySdpOffer) offer = relay_sdp_offer_parse (text, len, policy, &error);
  if (!offer)
    {
      FUZZ_CHECK (error != NULL && error->domain == RELAY_SDP_ERROR);
      /* The reason goes into the JSON of the 400/406 reply. */
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
      return;
    }
  FUZZ_CHECK (offer->candidates->len <= RELAY_SDP_MAX_CANDIDATES);
  const char *candidates[] = { "candidate:1 1 UDP 2130706431 127.0.0.1 40000 typ host", NULL };
  RelaySdpAnswerParams params = {
    .ice_ufrag = "fuzz",
    .ice_pwd = "fuzzfuzzfuzzfuzzfuzzfuzz",
    .fingerprint = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                   "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
    .candidates = candidates,
    .video_bitrate_kbps = 1500,
    .audio_ssrc = ssrc,
    .video_ssrc = ssrc ? ssrc + 1 : 0,
    .cname = ssrc ? "relay" : NULL,
  };
  g_autofree char *answer = relay_sdp_answer_build (offer, &params);
  check_answer (answer);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  RelaySdpPolicy whip;
  relay_sdp_policy_init_default (&whip);
  offer_and_answer ((const char *) data, size, &whip, 0);

  RelaySdpPolicy whep = whip;
  whep.need_send = FALSE;
  whep.accept_data_channel = FALSE;
  memset (whep.video_codecs, 0, sizeof whep.video_codecs);
  whep.video_codecs[0] = RELAY_CODEC_H264;
  offer_and_answer ((const char *) data, size, &whep, 0x11223344);
  return 0;
}
