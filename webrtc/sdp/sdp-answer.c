/* The relay's SDP answer, built on GstSDPMessage so that the text is always
 * well-formed SDP with CRLF line ends. */
#include "webrtc/sdp/sdp-answer.h"

#include <string.h>
#include <gst/sdp/sdp.h>

#define PROTO_SAVPF "UDP/TLS/RTP/SAVPF"
#define PROTO_SCTP "UDP/DTLS/SCTP"

/* Callers may hand over candidates with or without the attribute name. */
static const char *
candidate_value (const char *c)
{
  if (g_str_has_prefix (c, "a="))
    c += 2;
  if (g_str_has_prefix (c, "candidate:"))
    c += strlen ("candidate:");
  return c;
}

static void
add_printf (GstSDPMedia *m, const char *key, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static void
add_printf (GstSDPMedia *m, const char *key, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  g_autofree char *value = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  gst_sdp_media_add_attribute (m, key, value);
}

static void
add_codec (GstSDPMedia *m, const RelaySdpMedia *rm)
{
  guint pt = rm->payload_type;
  const char *fb[5] = { NULL };
  guint n_fb = 0;

  if (rm->channels > 1)
    add_printf (m, "rtpmap", "%u %s/%u/%u", pt, relay_codec_name (rm->codec), rm->clock_rate,
                rm->channels);
  else
    add_printf (m, "rtpmap", "%u %s/%u", pt, relay_codec_name (rm->codec), rm->clock_rate);

  /* Opus: what the relay's decoder handles well; H264: the client's own
   * parameters, since the relay only forwards what it is sent. */
  if (rm->codec == RELAY_CODEC_OPUS)
    add_printf (m, "fmtp", "%u minptime=10;useinbandfec=1", pt);
  else if (rm->codec == RELAY_CODEC_H264 && rm->fmtp != NULL && *rm->fmtp != '\0')
    add_printf (m, "fmtp", "%u %s", pt, rm->fmtp);

  if (rm->fb_goog_remb)
    fb[n_fb++] = "goog-remb";
  if (rm->fb_transport_cc)
    fb[n_fb++] = "transport-cc";
  if (rm->fb_ccm_fir)
    fb[n_fb++] = "ccm fir";
  if (rm->fb_nack)
    fb[n_fb++] = "nack";
  if (rm->fb_nack_pli)
    fb[n_fb++] = "nack pli";
  for (guint i = 0; i < n_fb; i++)
    add_printf (m, "rtcp-fb", "%u %s", pt, fb[i]);

  if (rm->rtx_payload_type >= 0) {
    add_printf (m, "rtpmap", "%d rtx/%u", rm->rtx_payload_type, rm->clock_rate);
    add_printf (m, "fmtp", "%d apt=%u", rm->rtx_payload_type, pt);
  }
}

static void
add_extmaps (GstSDPMedia *m, const RelaySdpMedia *rm)
{
  if (rm->ext_mid != 0)
    add_printf (m, "extmap", "%u " RELAY_EXT_MID, rm->ext_mid);
  if (rm->kind == RELAY_MEDIA_AUDIO && rm->ext_audio_level != 0)
    add_printf (m, "extmap", "%u " RELAY_EXT_AUDIO_LEVEL, rm->ext_audio_level);
  if (rm->ext_twcc != 0)
    add_printf (m, "extmap", "%u " RELAY_EXT_TWCC, rm->ext_twcc);
}

/* Only when the relay sends (WHEP): lets the player tie our stream to a
 * track before the first packet. */
static void
add_ssrc (GstSDPMedia *m, const RelaySdpMedia *rm, const RelaySdpAnswerParams *p)
{
  guint32 ssrc = rm->kind == RELAY_MEDIA_AUDIO ? p->audio_ssrc : p->video_ssrc;
  const char *cname = p->cname != NULL && *p->cname != '\0' ? p->cname : "relay";

  if (ssrc == 0)
    return;
  add_printf (m, "msid", "%s %s-%s", cname, cname, rm->kind_name);
  add_printf (m, "ssrc", "%u cname:%s", ssrc, cname);
}

static void
add_accepted (GstSDPMessage *msg, const RelaySdpMedia *rm, const RelaySdpAnswerParams *p,
              gboolean carries_candidates)
{
  GstSDPMedia m = { 0 }; /* media_init frees what it finds */
  g_autofree char *pt = g_strdup_printf ("%u", rm->payload_type);
  const char *fp = p->fingerprint;
  gboolean is_data = rm->kind == RELAY_MEDIA_APPLICATION;
  static const char *const dirs[] = { "sendrecv", "sendonly", "recvonly", "inactive" };

  gst_sdp_media_init (&m);
  gst_sdp_media_set_media (&m, rm->kind_name);
  gst_sdp_media_set_port_info (&m, 9, 0);
  if (is_data) {
    gst_sdp_media_set_proto (&m, PROTO_SCTP);
    gst_sdp_media_add_format (&m, "webrtc-datachannel");
  } else {
    gst_sdp_media_set_proto (&m, PROTO_SAVPF);
    gst_sdp_media_add_format (&m, pt);
  }
  if (rm->rtx_payload_type >= 0) {
    g_autofree char *rtx = g_strdup_printf ("%d", rm->rtx_payload_type);
    gst_sdp_media_add_format (&m, rtx);
  }
  gst_sdp_media_add_connection (&m, "IN", "IP4", "0.0.0.0", 0, 0);
  if (rm->kind == RELAY_MEDIA_VIDEO && p->video_bitrate_kbps > 0) {
    guint64 bps = (guint64) p->video_bitrate_kbps * 1000;
    gst_sdp_media_add_bandwidth (&m, "AS", p->video_bitrate_kbps);
    gst_sdp_media_add_bandwidth (&m, "TIAS", (guint) MIN (bps, G_MAXUINT));
  }

  if (rm->mid != NULL)
    gst_sdp_media_add_attribute (&m, "mid", rm->mid);
  gst_sdp_media_add_attribute (&m, "ice-ufrag", p->ice_ufrag);
  gst_sdp_media_add_attribute (&m, "ice-pwd", p->ice_pwd);
  gst_sdp_media_add_attribute (&m, "ice-options", "trickle");
  if (g_str_has_prefix (fp, "sha-256 "))
    fp += strlen ("sha-256 ");
  add_printf (&m, "fingerprint", "sha-256 %s", fp);
  /* The relay is always the DTLS server (RFC 8842: answerer picks). */
  gst_sdp_media_add_attribute (&m, "setup", "passive");
  if (is_data) {
    /* Our SCTP port mirrors the offer's (RFC 8841 allows any; keeping 5000
     * avoids surprising older peers); the size is what we reassemble. */
    add_printf (&m, "sctp-port", "%u", rm->sctp_port != 0 ? rm->sctp_port : 5000u);
    add_printf (&m, "max-message-size", "%u", (guint) RELAY_SDP_MAX_MESSAGE_SIZE);
  } else {
    gst_sdp_media_add_attribute (&m, "rtcp-mux", NULL);
    if (rm->rtcp_rsize)
      gst_sdp_media_add_attribute (&m, "rtcp-rsize", NULL);
    gst_sdp_media_add_attribute (&m, dirs[MIN ((guint) rm->answer_direction, 3u)], NULL);
    add_codec (&m, rm);
    add_extmaps (&m, rm);
    add_ssrc (&m, rm, p);
  }

  /* One bundled transport: its candidates go on the first m-line only. */
  if (carries_candidates && p->candidates != NULL)
    for (guint i = 0; p->candidates[i] != NULL; i++)
      gst_sdp_media_add_attribute (&m, "candidate", candidate_value (p->candidates[i]));
  gst_sdp_media_add_attribute (&m, "end-of-candidates", NULL);

  gst_sdp_message_add_media (msg, &m); /* takes the contents of m */
}

/* RFC 3264: a rejected stream keeps its place, kind and protocol, port 0. */
static void
add_rejected (GstSDPMessage *msg, const RelaySdpMedia *rm)
{
  GstSDPMedia m = { 0 }; /* media_init frees what it finds */

  gst_sdp_media_init (&m);
  gst_sdp_media_set_media (&m, rm->kind_name);
  gst_sdp_media_set_port_info (&m, 0, 0);
  gst_sdp_media_set_proto (&m, rm->proto != NULL ? rm->proto : PROTO_SAVPF);
  gst_sdp_media_add_format (&m, rm->first_format != NULL ? rm->first_format : "0");
  if (rm->mid != NULL)
    gst_sdp_media_add_attribute (&m, "mid", rm->mid);
  gst_sdp_media_add_attribute (&m, "inactive", NULL);
  gst_sdp_message_add_media (msg, &m);
}

char *
relay_sdp_answer_build (const RelaySdpOffer *offer, const RelaySdpAnswerParams *params)
{
  g_autoptr (GstSDPMessage) msg = NULL;
  g_autoptr (GString) bundle = g_string_new ("BUNDLE");
  gboolean first = TRUE;

  g_return_val_if_fail (offer != NULL && offer->media != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (params->ice_ufrag != NULL && params->ice_pwd != NULL, NULL);
  g_return_val_if_fail (params->fingerprint != NULL, NULL);

  /* JSEP (RFC 8829 5.2.1): a 64-bit session id with the top bit clear. */
  guint64 sess = (((guint64) g_random_int () << 32) | g_random_int ()) & G_MAXINT64;
  g_autofree char *sess_id = g_strdup_printf ("%" G_GUINT64_FORMAT, sess);

  gst_sdp_message_new (&msg);
  gst_sdp_message_set_version (msg, "0");
  gst_sdp_message_set_origin (msg, "-", sess_id, "2", "IN", "IP4", "127.0.0.1");
  gst_sdp_message_set_session_name (msg, "-");
  gst_sdp_message_add_time (msg, "0", "0", NULL);

  for (guint i = 0; i < offer->media->len; i++) {
    const RelaySdpMedia *rm = g_ptr_array_index (offer->media, i);
    if (rm->accepted && rm->mid != NULL)
      g_string_append_printf (bundle, " %s", rm->mid);
  }
  if (bundle->len > strlen ("BUNDLE"))
    gst_sdp_message_add_attribute (msg, "group", bundle->str);
  if (params->audio_ssrc != 0 || params->video_ssrc != 0)
    gst_sdp_message_add_attribute (msg, "msid-semantic", " WMS *");

  for (guint i = 0; i < offer->media->len; i++) {
    const RelaySdpMedia *rm = g_ptr_array_index (offer->media, i);
    if (rm->accepted) {
      add_accepted (msg, rm, params, first);
      first = FALSE;
    } else {
      add_rejected (msg, rm);
    }
  }
  return gst_sdp_message_as_text (msg);
}
