/* The viewer's pipeline before any media arrives: a webrtcbin with two
 * recvonly transceivers (audio, then video) in one bundle.  Incoming
 * streams get their decode branches in whep-view-media.c. */
#include "whep-view.h"

#include <stdlib.h>

/* Fixed payload types so offers, relay logs and tests read the same every
 * run; they match what the WHIP publisher uses for VP8 and Opus. */
#define OPUS_PT 111
#define VP8_PT 96
#define H264_PT 102

/* --- audio NACK ---
 * webrtcbin 1.22 sets do-retransmission on each jitter buffer of a bundled
 * session from every transceiver in turn, so the last one (video, with
 * NACK) wins for audio too: the viewer would NACK Opus packets, which no
 * browser does and the answer never allowed.  Undone per jitter buffer,
 * after webrtcbin's own handler has run. */

/* Whether the remote description announces @ssrc on an audio m-line. */
static gboolean
remote_ssrc_is_audio (GstElement *webrtc, guint32 ssrc)
{
  GstWebRTCSessionDescription *desc = NULL;
  gboolean audio = FALSE;

  g_object_get (webrtc, "remote-description", &desc, NULL);
  if (!desc)
    return FALSE;
  for (guint i = 0; i < gst_sdp_message_medias_len (desc->sdp); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (desc->sdp, i);

    for (guint j = 0; j < gst_sdp_media_attributes_len (m); j++) {
      const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, j);

      if (g_strcmp0 (a->key, "ssrc") == 0 && a->value &&
          strtoul (a->value, NULL, 10) == ssrc)
        audio = g_strcmp0 (gst_sdp_media_get_media (m), "audio") == 0;
    }
  }
  gst_webrtc_session_description_free (desc);
  return audio;
}

/* --- the packet after a pause ---
 * With retransmission on, rtpjitterbuffer also schedules a request for the
 * packet it expects next, before any hole shows, and declares that packet
 * lost when a pause outlasts the retries; the packet itself, when it comes,
 * is then dropped as too late.  A publisher that reconnects makes exactly
 * such a pause on the relay's continuous output, and the packet after it is
 * the first of the new publisher's key frame: the viewer would lose every
 * switch's key frame.  Browsers only ask for holes behind the newest packet
 * (libwebrtc's NACK module), so the viewer does the same. */

static void
on_new_jitterbuffer (GstElement *rtpbin, GstElement *jitterbuffer,
    guint session, guint ssrc, gpointer data)
{
  WhepViewer *v = data;

  g_object_set (jitterbuffer, "rtx-next-seqnum", FALSE, NULL);
  if (remote_ssrc_is_audio (v->webrtc, ssrc))
    g_object_set (jitterbuffer, "do-retransmission", FALSE, NULL);
}

/* Walks upstream from @pad, through ghost pads and single-input elements,
 * to the nearest element made by @factory. */
static GstElement *
find_upstream_element (GstPad *pad, const char *factory)
{
  GstPad *cur = gst_object_ref (pad);

  for (int depth = 0; cur && depth < 16; depth++) {
    GstElement *parent;
    GstPad *next = NULL;

    if (GST_IS_GHOST_PAD (cur)) {
      next = gst_ghost_pad_get_target (GST_GHOST_PAD (cur));
    } else if ((parent = gst_pad_get_parent_element (cur))) {
      GstElementFactory *f = gst_element_get_factory (parent);
      g_autoptr (GstPad) sink = NULL;

      if (f && g_strcmp0 (GST_OBJECT_NAME (f), factory) == 0) {
        gst_object_unref (cur);
        return parent;
      }
      sink = gst_element_get_static_pad (parent, "sink");
      if (sink)
        next = gst_pad_get_peer (sink);
      gst_object_unref (parent);
    }
    gst_object_unref (cur);
    cur = next;
  }
  g_clear_object (&cur);
  return NULL;
}

void
whep_viewer_stop_audio_nack (WhepViewer *v, GstPad *pad)
{
  /* For answers without a=ssrc, which webrtcbin maps by payload type:
   * late (a first NACK may already be out), but better than never. */
  g_autoptr (GstElement) jitterbuffer = find_upstream_element (pad,
      "rtpjitterbuffer");

  if (jitterbuffer)
    g_object_set (jitterbuffer, "do-retransmission", FALSE, NULL);
}

static gboolean
is_rtpbin (const GValue *value, const GValue *unused)
{
  GstElement *e = g_value_get_object (value);
  GstElementFactory *f = gst_element_get_factory (e);

  return f && g_strcmp0 (GST_OBJECT_NAME (f), "rtpbin") == 0 ? 0 : 1;
}

/* webrtcbin does not expose its rtpbin; find it by factory, not by the
 * internal element name. */
static void
watch_jitterbuffers (WhepViewer *v)
{
  g_autoptr (GstIterator) it = gst_bin_iterate_recurse (GST_BIN (v->webrtc));
  GValue found = G_VALUE_INIT;

  if (!gst_iterator_find_custom (it, (GCompareFunc) is_rtpbin, &found, NULL))
    return;
  g_signal_connect (g_value_get_object (&found), "new-jitterbuffer",
      G_CALLBACK (on_new_jitterbuffer), v);
  whep_viewer_arm_nack_flood (v, g_value_get_object (&found));
  g_value_unset (&found);
}

/* --- pipeline --- */

static void
on_bus_error (gpointer viewer, const char *source, const GError *error)
{
  WhepViewer *v = viewer;

  whep_viewer_fail (v, "pipeline", -1, NULL, "%s: %s", source,
      error->message);
  whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
}

/* What each m-line offers.  webrtcbin turns rtcp-fb-* fields into
 * a=rtcp-fb lines and the rest into a=fmtp; explicit payload types keep
 * them stable.  H.264 is constrained baseline, packetization-mode 1, as
 * browsers offer it. */
static const char *const audio_prefs =
    "application/x-rtp, media=audio, encoding-name=OPUS, clock-rate=48000, "
    "payload=" G_STRINGIFY (OPUS_PT) ", encoding-params=(string)2, "
    "minptime=(string)10, useinbandfec=(string)1";
static const char *const video_prefs =
    "application/x-rtp, media=video, encoding-name=VP8, clock-rate=90000, "
    "payload=" G_STRINGIFY (VP8_PT) ", rtcp-fb-nack=(boolean)true, "
    "rtcp-fb-nack-pli=(boolean)true, rtcp-fb-ccm-fir=(boolean)true; "
    "application/x-rtp, media=video, encoding-name=H264, clock-rate=90000, "
    "payload=" G_STRINGIFY (H264_PT) ", packetization-mode=(string)1, "
    "profile-level-id=(string)42e01f, level-asymmetry-allowed=(string)1, "
    "rtcp-fb-nack=(boolean)true, rtcp-fb-nack-pli=(boolean)true, "
    "rtcp-fb-ccm-fir=(boolean)true";

static gboolean
add_transceiver (GstElement *webrtc, const char *prefs, gboolean nack,
    GError **error)
{
  g_autoptr (GstCaps) caps = gst_caps_from_string (prefs);
  GstWebRTCRTPTransceiver *trans = NULL;

  g_signal_emit_by_name (webrtc, "add-transceiver",
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &trans);
  if (!trans) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "webrtcbin refused a transceiver for %s", prefs);
    return FALSE;
  }
  /* On video, NACK lets the jitter buffer ask the relay for lost packets
   * (and offers RTX), as browsers do; audio just conceals. */
  g_object_set (trans, "do-nack", nack, NULL);
  gst_object_unref (trans);
  return TRUE;
}

gboolean
whep_viewer_build_pipeline (WhepViewer *v, GError **error)
{
  g_autofree char *name = g_strdup_printf ("viewer-%d", v->index);

  v->pipeline = gst_pipeline_new (name);
  v->webrtc = gst_element_factory_make ("webrtcbin", NULL);
  if (!v->webrtc) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "GStreamer element 'webrtcbin' is not installed");
    return FALSE;
  }
  gst_bin_add (GST_BIN (v->pipeline), v->webrtc);
  gst_util_set_object_arg (G_OBJECT (v->webrtc), "bundle-policy",
      "max-bundle");
  tool_webrtc_quiet_ice_agent (v->webrtc);
  watch_jitterbuffers (v);

  /* Audio first, so mid 0 is audio, as in the WHIP publisher's offers. */
  if (!add_transceiver (v->webrtc, audio_prefs, FALSE, error) ||
      !add_transceiver (v->webrtc, video_prefs, TRUE, error))
    return FALSE;
  g_signal_connect (v->webrtc, "pad-added",
      G_CALLBACK (whep_viewer_on_pad_added), v);

  v->bus_watch = tool_bus_watch (v->pipeline, v->label, on_bus_error, v);
  return TRUE;
}
