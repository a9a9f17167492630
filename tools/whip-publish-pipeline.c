/* The per-publisher GStreamer pipeline:
 *   appsrc ! rtpopuspay ! webrtcbin.sink_0 (audio)
 *   appsrc ! rtpvp8pay|rtph264pay ! webrtcbin.sink_1 (video)
 * fed by the pacer with pre-encoded access units; nothing encodes here. */
#include "whip-publish-peer.h"

#include <gst/rtp/rtp.h>
#include <string.h>

/* Fixed payload types, whatever the codec, so that tests and relay logs
 * read the same every run; webrtcbin then picks 97 for video RTX. */
#define OPUS_PT 111
#define VIDEO_PT 96
/* Leaves room for SRTP, a TURN relay and IPv6 headers within a 1280-byte
 * path MTU, which is what browsers assume too. */
#define RTP_MTU 1200
#define KEYFRAME_REQUEST_REPORT_US (200 * 1000)
/* RFC 6464 client-to-mixer audio level, as browsers number it. */
#define AUDIO_LEVEL_URI "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
#define AUDIO_LEVEL_EXT_ID 1

static void
report_keyframe_requests (WhipPublisher *pub, int count)
{
  JsonBuilder *b = whip_event_begin (pub->province, "keyframe-request");

  tool_event_add_int (b, "count", count);
  tool_event_add_bool (b, "honoured", FALSE);
  tool_event_end (b);
}

/* Main context: the requests that came while reports were held back. */
static gboolean
report_held_keyframe_requests (gpointer data)
{
  WhipPublisher *pub = data;
  int count;

  g_mutex_lock (&pub->keyframe_lock);
  pub->keyframe_report_source = 0;
  pub->keyframe_reported_us = g_get_monotonic_time ();
  count = pub->keyframe_requests;
  g_mutex_unlock (&pub->keyframe_lock);
  report_keyframe_requests (pub, count);
  return G_SOURCE_REMOVE;
}

/* RTCP PLI/FIR arrive at the payloader as an upstream force-key-unit event.
 * Without an encoder the next key frame is whatever the file has next (at
 * most 2 s away), so the request is only reported. */
static GstPadProbeReturn
keyframe_request_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  WhipPublisher *pub = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  gint64 now = g_get_monotonic_time ();
  gint64 since;
  gboolean report;
  int count;

  if (!gst_event_has_name (event, "GstForceKeyUnit"))
    return GST_PAD_PROBE_OK;
  /* Rate-limited: a receiver that keeps asking would flood stdout. A
   * request held back is reported when the interval is over, so that the
   * latest count always shows: a test waiting for "one more request than
   * before" must not wait forever because its request came too soon after
   * another. */
  g_mutex_lock (&pub->keyframe_lock);
  count = ++pub->keyframe_requests;
  since = now - pub->keyframe_reported_us;
  report = since >= KEYFRAME_REQUEST_REPORT_US && !pub->keyframe_report_source;
  if (report)
    pub->keyframe_reported_us = now;
  else if (!pub->keyframe_report_source)
    pub->keyframe_report_source = g_timeout_add (
        (KEYFRAME_REQUEST_REPORT_US - since) / 1000 + 1,
        report_held_keyframe_requests, pub);
  g_mutex_unlock (&pub->keyframe_lock);

  if (report)
    report_keyframe_requests (pub, count);
  return GST_PAD_PROBE_OK;
}

static void
on_bus_error (gpointer publisher, const char *source, const GError *error)
{
  WhipPublisher *pub = publisher;

  whip_peer_fail (pub, "pipeline", -1, NULL, "%s: %s", source,
      error->message);
  whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
}

static GstElement *
add_element (GstElement *pipeline, const char *factory, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (!element) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "GStreamer element '%s' is not installed", factory);
    return NULL;
  }
  gst_bin_add (GST_BIN (pipeline), element);
  return element;
}

static GstAppSrc *
add_source (GstElement *pipeline, GstCaps *caps, GError **error)
{
  GstElement *src = add_element (pipeline, "appsrc", error);

  if (!src)
    return NULL;
  /* Live and leaky: if a pipeline stalls, old frames are dropped instead of
   * growing memory across 76 publishers. */
  g_object_set (src, "caps", caps, "is-live", TRUE, "format", GST_FORMAT_TIME,
      "max-buffers", (guint64) 30, NULL);
  gst_util_set_object_arg (G_OBJECT (src), "leaky-type", "downstream");
  return GST_APP_SRC (src);
}

static gboolean
link_to_webrtc (GstElement *payloader, GstElement *webrtc, GError **error)
{
  g_autoptr (GstPad) src = gst_element_get_static_pad (payloader, "src");
  g_autoptr (GstPad) sink = gst_element_request_pad_simple (webrtc,
      "sink_%u");

  if (!sink || gst_pad_link (src, sink) != GST_PAD_LINK_OK) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "cannot link %s to webrtcbin", GST_OBJECT_NAME (payloader));
    return FALSE;
  }
  return TRUE;
}

/* What each m-line offers.  Explicit preferences keep the payload types
 * fixed and let the offer exist before any media has flowed.  The SSRCs are
 * fixed here too: otherwise an m-line has an a=ssrc only if the payloader's
 * caps reached webrtcbin before the offer was made, which a loaded machine
 * sometimes loses, and a server that demuxes the BUNDLE by the offered SSRCs
 * (Janus 1.1 without the mid extension) then drops that stream entirely. */
static GstCaps *
codec_preferences (gboolean audio, gboolean h264,
    GstRTPHeaderExtension *audio_level, guint32 ssrc)
{
  GstCaps *caps;

  if (audio)
    caps = gst_caps_from_string ("application/x-rtp, media=audio, "
        "encoding-name=OPUS, clock-rate=48000, payload=" G_STRINGIFY (OPUS_PT)
        ", encoding-params=(string)2, sprop-stereo=(string)1");
  else if (h264)
    caps = gst_caps_from_string ("application/x-rtp, media=video, "
        "encoding-name=H264, clock-rate=90000, payload=" G_STRINGIFY (VIDEO_PT)
        ", packetization-mode=(string)1, profile-level-id=(string)42e01f, "
        "level-asymmetry-allowed=(string)1, rtcp-fb-nack-pli=(boolean)true, "
        "rtcp-fb-ccm-fir=(boolean)true");
  else
    caps = gst_caps_from_string ("application/x-rtp, media=video, "
        "encoding-name=VP8, clock-rate=90000, payload=" G_STRINGIFY (VIDEO_PT)
        ", rtcp-fb-nack-pli=(boolean)true, rtcp-fb-ccm-fir=(boolean)true");
  gst_caps_set_simple (caps, "ssrc", G_TYPE_UINT, ssrc, NULL);
  /* The offer's a=extmap, written by the extension itself so that it reads
   * exactly as the payloader's caps will (with "vad=on"): otherwise the two
   * do not intersect and the audio is not negotiated. */
  if (audio && audio_level)
    gst_rtp_header_extension_set_caps_from_attributes (audio_level, caps);
  return caps;
}

/* rtpopuspay writes each buffer's GstAudioLevelMeta (see whip_media_load)
 * into this header extension. */
static GstRTPHeaderExtension *
audio_level_extension (GError **error)
{
  GstRTPHeaderExtension *ext =
      gst_rtp_header_extension_create_from_uri (AUDIO_LEVEL_URI);

  if (!ext) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "no GStreamer RTP header extension for %s", AUDIO_LEVEL_URI);
    return NULL;
  }
  gst_rtp_header_extension_set_id (ext, AUDIO_LEVEL_EXT_ID);
  return ext;
}

/* Packet loss on the wire, after webrtcbin's retransmission history: only
 * original video packets (PT 96) are dropped, so every loss is repairable
 * by NACK + RTX. The RTP header is in clear text under SRTP. */
static GstPadProbeReturn
drop_video_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  WhipPublisher *pub = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  guint8 head[2];
  if (gst_buffer_extract (buf, 0, head, 2) == 2 && head[0] >= 128
      && head[0] <= 191 && (head[1] & 0x7f) == VIDEO_PT
      && g_random_double_range (0, 100) < pub->config->drop_percent)
    return GST_PAD_PROBE_DROP;
  return GST_PAD_PROBE_OK;
}

/* --oversized-every: zeros appended to the RTP packet, before webrtcbin
 * keeps it for retransmission and encrypts it. */
static GstBuffer *
grow_packet (GstBuffer *buf, gsize size)
{
  gsize len = gst_buffer_get_size (buf);
  GstMemory *zeros;
  GstMapInfo map;

  if (len >= size)
    return buf;
  buf = gst_buffer_make_writable (buf);
  zeros = gst_allocator_alloc (NULL, size - len, NULL);
  gst_memory_map (zeros, &map, GST_MAP_WRITE);
  memset (map.data, 0, map.size);
  gst_memory_unmap (zeros, &map);
  gst_buffer_append_memory (buf, zeros);
  return buf;
}

static gboolean
next_is_oversized (WhipPublisher *pub)
{
  return ++pub->video_packets % pub->config->oversized_every == 0;
}

static GstPadProbeReturn
oversize_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  WhipPublisher *pub = data;
  gsize size = pub->config->oversized_bytes;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    if (next_is_oversized (pub))
      info->data = grow_packet (GST_PAD_PROBE_INFO_BUFFER (info), size);
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = gst_buffer_list_make_writable (
        GST_PAD_PROBE_INFO_BUFFER_LIST (info));

    /* The list's own writable copy of the packet is grown in place. */
    for (guint i = 0; i < gst_buffer_list_length (list); i++)
      if (next_is_oversized (pub))
        grow_packet (gst_buffer_list_get_writable (list, i), size);
    info->data = list;
  }
  return GST_PAD_PROBE_OK;
}

static void
on_deep_element_added (GstBin *bin, GstBin *sub_bin, GstElement *element,
    gpointer data)
{
  GstElementFactory *f = gst_element_get_factory (element);
  if (f && g_strcmp0 (GST_OBJECT_NAME (f), "nicesink") == 0) {
    g_autoptr (GstPad) sink = gst_element_get_static_pad (element, "sink");
    gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER, drop_video_probe,
        data, NULL);
  }
}

gboolean
whip_peer_build_pipeline (WhipPublisher *pub, GError **error)
{
  gboolean h264 = pub->config->h264;
  GstElement *audio_pay, *video_pay;
  g_autoptr (GArray) transceivers = NULL;
  g_autoptr (GstClock) clock = NULL;
  g_autoptr (GstPad) video_pad = NULL;
  g_autoptr (GstRTPHeaderExtension) audio_level = NULL;
  guint32 audio_ssrc = g_random_int ();
  guint32 video_ssrc;

  do
    video_ssrc = g_random_int ();
  while (video_ssrc == audio_ssrc);

  pub->pipeline = gst_pipeline_new (pub->province);
  /* The pacer converts system-clock due times into running times. */
  clock = gst_system_clock_obtain ();
  gst_pipeline_use_clock (GST_PIPELINE (pub->pipeline), clock);

  if (!(pub->webrtc = add_element (pub->pipeline, "webrtcbin", error)) ||
      !(pub->audio_src = add_source (pub->pipeline, pub->media->audio.caps,
              error)) ||
      !(audio_pay = add_element (pub->pipeline, "rtpopuspay", error)) ||
      !(pub->video_src = add_source (pub->pipeline, pub->media->video.caps,
              error)) ||
      !(video_pay = add_element (pub->pipeline,
              h264 ? "rtph264pay" : "rtpvp8pay", error)))
    return FALSE;

  gst_util_set_object_arg (G_OBJECT (pub->webrtc), "bundle-policy",
      "max-bundle");
  tool_webrtc_quiet_ice_agent (pub->webrtc);
  g_object_set (audio_pay, "pt", OPUS_PT, "mtu", RTP_MTU, "ssrc", audio_ssrc,
      NULL);
  g_object_set (video_pay, "pt", VIDEO_PT, "mtu", RTP_MTU, "ssrc", video_ssrc,
      NULL);
  if (pub->config->audio_level) {
    if (!(audio_level = audio_level_extension (error)))
      return FALSE;
    g_signal_emit_by_name (audio_pay, "add-extension", audio_level);
  }
  if (h264) {
    /* SPS/PPS before every IDR: the relay may start forwarding at any key
     * frame, and the offer carries no sprop-parameter-sets. */
    g_object_set (video_pay, "config-interval", -1, NULL);
    gst_util_set_object_arg (G_OBJECT (video_pay), "aggregate-mode",
        "zero-latency");
  } else {
    /* Browsers send 15-bit picture IDs; relays key layer logic on them. */
    gst_util_set_object_arg (G_OBJECT (video_pay), "picture-id-mode",
        "15-bit");
  }

  /* Audio first, like browsers and OBS, so mid 0 is audio. */
  if (!gst_element_link (GST_ELEMENT (pub->audio_src), audio_pay) ||
      !gst_element_link (GST_ELEMENT (pub->video_src), video_pay)) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "cannot link the sources to the payloaders");
    return FALSE;
  }
  if (!link_to_webrtc (audio_pay, pub->webrtc, error) ||
      !link_to_webrtc (video_pay, pub->webrtc, error))
    return FALSE;

  g_signal_emit_by_name (pub->webrtc, "get-transceivers", &transceivers);
  if (!transceivers || transceivers->len != 2) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "expected 2 transceivers, webrtcbin has %u",
        transceivers ? transceivers->len : 0);
    return FALSE;
  }
  for (guint i = 0; i < transceivers->len; i++) {
    GstWebRTCRTPTransceiver *trans =
        g_array_index (transceivers, GstWebRTCRTPTransceiver *, i);
    gboolean audio = i == 0;
    g_autoptr (GstCaps) prefs = codec_preferences (audio, h264,
        audio_level, audio ? audio_ssrc : video_ssrc);

    /* do-nack on video makes webrtcbin offer nack and an rtx payload, and
     * keep a retransmission history for the relay's NACKs. */
    g_object_set (trans, "direction",
        GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
        "codec-preferences", prefs, "do-nack", !audio, NULL);
  }

  if (pub->config->drop_percent > 0)
    g_signal_connect (pub->webrtc, "deep-element-added",
        G_CALLBACK (on_deep_element_added), pub);

  pub->bus_watch = tool_bus_watch (pub->pipeline, pub->label, on_bus_error,
      pub);

  if (pub->config->oversized_every > 0) {
    g_autoptr (GstPad) pay_src = gst_element_get_static_pad (video_pay, "src");

    gst_pad_add_probe (pay_src, GST_PAD_PROBE_TYPE_BUFFER |
        GST_PAD_PROBE_TYPE_BUFFER_LIST, oversize_probe, pub, NULL);
  }

  video_pad = gst_element_get_static_pad (GST_ELEMENT (pub->video_src),
      "src");
  gst_pad_add_probe (video_pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      keyframe_request_probe, pub, NULL);

  return TRUE;
}

