/* What the viewer does with incoming streams: a decode branch per stream,
 * and the probes that count, hash and measure what arrives:
 *   webrtcbin.src ! rtpvp8depay|rtph264depay [! capsfilter] ! tee ! queue
 *       ! vp8dec|avdec_h264 ! fakesink
 *   webrtcbin.src ! rtpopusdepay ! queue ! opusdec ! fakesink
 * Probes run on streaming threads; they only touch atomics and the viewer's
 * lock, and hand anything else to the main context. */
#include "whep-view.h"

#include <gst/video/video.h>
#include <string.h>

/* --- probes --- */

/* What a depayloaded buffer holds, read from the bitstream rather than
 * from DELTA_UNIT flags, which depayloaders set by their own rules. */
typedef struct {
  gboolean starts_frame;        /* the first piece of a picture */
  gboolean keyframe;
} UnitInfo;

/* VP8: one buffer is one frame; bit 0 of the frame tag is clear on key
 * frames (RFC 6386 section 9.1).  H.264 (byte-stream, as our capsfilter
 * asks): a slice whose first_mb_in_slice is 0 (its ue(v) code is the
 * single bit 1) starts a picture, and an IDR slice (NAL type 5) makes it
 * a key frame.  rtph264depay can cut one picture in two when SPS/PPS sit
 * between its slices (rtph264pay config-interval=-1 on multi-slice frames,
 * which is what whip-publish sends from our test media): the second piece
 * starts with a slice of first_mb_in_slice > 0 and is not a new frame. */
static UnitInfo
inspect_unit (GstBuffer *buffer, gboolean vp8)
{
  UnitInfo info = { FALSE, FALSE };
  GstMapInfo map;

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return info;
  if (vp8) {
    info.starts_frame = TRUE;
    info.keyframe = map.size > 0 && (map.data[0] & 0x01) == 0;
  } else {
    for (gsize i = 0; i + 4 < map.size; i++) {
      guint type;

      if (map.data[i] != 0 || map.data[i + 1] != 0 || map.data[i + 2] != 1)
        continue;
      type = map.data[i + 3] & 0x1f;
      if (type != 1 && type != 5)
        continue;
      /* The first slice decides. */
      info.starts_frame = (map.data[i + 4] & 0x80) != 0;
      info.keyframe = info.starts_frame && type == 5;
      break;
    }
  }
  gst_buffer_unmap (buffer, &map);
  return info;
}

typedef struct {
  WhepViewer *viewer;
  gboolean vp8;
} DepayProbe;

/* One keyframe-received event per key frame, carrying what applies: how
 * long the relay took to deliver it after our request (the number a PLI
 * test cares about); with --log-keyframes every key frame is reported with
 * its place in the stream (@frame: 1 for the first frame received), so a
 * test can tell whether the first frame after some point was a key frame,
 * and with a reference match which reference frame it was and when it
 * arrived (@reference_index < 0: not a reference frame), which
 * bench/compare-janus pairs with whip-publish's keyframe-sent.  @first: the
 * stream's first frame, which webrtcbin's jitter buffer held for its whole
 * latency (200 ms) before letting anything through; later frames pass as
 * soon as they are in order, so a latency figure must leave it out. */
static void
note_keyframe (WhepViewer *v, gint frame, gint64 reference_index,
    gint64 wall_us, gboolean first)
{
  gboolean log = v->config->log_keyframes;
  gint64 asked;
  JsonBuilder *b;

  g_mutex_lock (&v->lock);
  asked = v->keyframe_asked_us;
  v->keyframe_asked_us = 0;
  g_mutex_unlock (&v->lock);
  if (!asked && !log)
    return;
  b = whep_event_begin (v->index, "keyframe-received");
  if (asked)
    tool_event_add_int (b, "ms_after_request",
        (g_get_monotonic_time () - asked) / 1000);
  if (log)
    tool_event_add_int (b, "frame", frame);
  if (log && reference_index >= 0) {
    tool_event_add_int (b, "index", reference_index);
    tool_event_add_int (b, "wall_us", wall_us);
    tool_event_add_bool (b, "first_frame", first);
  }
  tool_event_end (b);
}

/* Each buffer leaving the depayloader is one access unit as the sender's
 * encoder produced it; the relay must forward those bytes unchanged. */
static GstPadProbeReturn
depay_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  DepayProbe *probe = data;
  WhepViewer *v = probe->viewer;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  /* Read first: the frame is complete now, and hashing it (a key frame is
   * tens of kB) is our cost, not the path's. */
  gint64 wall_us = g_get_real_time ();
  UnitInfo unit = inspect_unit (buffer, probe->vp8);
  gint64 reference_index = -1;
  gboolean first = FALSE;
  gint frame;

  /* Only this streaming thread writes the counter. */
  if (unit.starts_frame)
    first = g_atomic_int_add (&v->counters.received_frames, 1) == 0;
  frame = g_atomic_int_get (&v->counters.received_frames);
  if (v->config->reference) {
    g_autofree char *digest = whep_buffer_digest (buffer);
    guint index;

    if (whep_reference_lookup (v->config->reference, digest, &index)) {
      g_atomic_int_inc (&v->counters.matched);
      reference_index = index;
    } else {
      g_atomic_int_inc (&v->counters.unmatched);
    }
  }
  if (unit.keyframe) {
    g_atomic_int_inc (&v->counters.keyframes_received);
    note_keyframe (v, frame, reference_index, wall_us, first);
  }
  return GST_PAD_PROBE_OK;
}

/* Marks our own requests, so that the probe below can tell them apart. */
#define OWN_REQUEST_FIELD "whep-view-request"

/* rtpvp8depay asks for a key frame when a stream starts on a delta frame,
 * and decoders do after errors.  Let through, those would reach the relay
 * as PLIs/FIRs nobody asked for, and a test of "the relay gets a new viewer
 * a key frame" or "a viewer's PLI reaches the publisher" would pass on
 * them; only --request-keyframe-at sends any. */
static GstPadProbeReturn
suppress_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  WhepViewer *v = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (!gst_video_event_is_force_key_unit (event) ||
      gst_structure_has_field (gst_event_get_structure (event),
          OWN_REQUEST_FIELD))
    return GST_PAD_PROBE_OK;
  g_atomic_int_inc (&v->counters.suppressed_requests);
  return GST_PAD_PROBE_DROP;
}

typedef struct {
  WhepViewer *viewer;
  gboolean video;
} SinkProbe;

static gboolean
arm_keyframe_requests_cb (gpointer data)
{
  whep_viewer_arm_keyframe_requests (data);
  return G_SOURCE_REMOVE;
}

static void
note_first_frame (WhepViewer *v, gboolean video)
{
  gboolean *seen = video ? &v->first_video_seen : &v->first_audio_seen;
  gint64 ms;
  JsonBuilder *b;

  g_mutex_lock (&v->lock);
  if (*seen) {
    g_mutex_unlock (&v->lock);
    return;
  }
  *seen = TRUE;
  ms = (g_get_monotonic_time () - v->posted_us) / 1000;
  v->first_frame_ms[video ? 0 : 1] = ms;
  g_mutex_unlock (&v->lock);

  b = whep_event_begin (v->index, "first-frame");
  tool_event_add_string (b, "media", video ? "video" : "audio");
  tool_event_add_int (b, "ms", ms);
  if (video) {
    tool_event_add_int (b, "width", g_atomic_int_get (&v->counters.width));
    tool_event_add_int (b, "height", g_atomic_int_get (&v->counters.height));
  }
  tool_event_end (b);
  if (video)
    g_main_context_invoke (NULL, arm_keyframe_requests_cb, v);
}

/* On the fakesink: every buffer is a decoded frame, and the caps give the
 * picture size the decoder found in the bitstream.  (An H.264 picture cut
 * in two by the depayloader, see inspect_unit, decodes as two.) */
static GstPadProbeReturn
decoded_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  SinkProbe *probe = data;
  WhepViewer *v = probe->viewer;

  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
    GstCaps *caps;
    int width, height, fps_n, fps_d;

    if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
      return GST_PAD_PROBE_OK;
    gst_event_parse_caps (event, &caps);
    if (!probe->video) {
      whep_measure_audio_caps (v->measure, caps);
      return GST_PAD_PROBE_OK;
    }
    whep_measure_video_caps (v->measure, caps);
    /* The rate the stream announces (e.g. H.264 VUI timing), as the
     * decoder read it: not a measurement of arrivals. */
    if (gst_structure_get_fraction (gst_caps_get_structure (caps, 0),
            "framerate", &fps_n, &fps_d)) {
      g_atomic_int_set (&v->counters.fps_n, fps_n);
      g_atomic_int_set (&v->counters.fps_d, fps_d);
    }
    if (gst_structure_get_int (gst_caps_get_structure (caps, 0), "width",
            &width) &&
        gst_structure_get_int (gst_caps_get_structure (caps, 0), "height",
            &height)) {
      g_atomic_int_set (&v->counters.width, width);
      g_atomic_int_set (&v->counters.height, height);
    }
    return GST_PAD_PROBE_OK;
  }
  if (probe->video)
    whep_measure_video_frame (v->measure, GST_PAD_PROBE_INFO_BUFFER (info));
  else
    whep_measure_audio (v->measure, GST_PAD_PROBE_INFO_BUFFER (info));
  g_atomic_int_inc (probe->video ? &v->counters.video_frames :
      &v->counters.audio_frames);
  note_first_frame (v, probe->video);
  return GST_PAD_PROBE_OK;
}

/* --- decode branches --- */

static GstElement *
make (const char *factory, GError **error)
{
  GstElement *e = gst_element_factory_make (factory, NULL);

  if (!e)
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "GStreamer element '%s' is not installed", factory);
  return e;
}

static void
add_probe_on (GstElement *element, const char *pad_name, GstPadProbeType type,
    GstPadProbeCallback callback, gpointer data, GDestroyNotify notify)
{
  g_autoptr (GstPad) pad = gst_element_get_static_pad (element, pad_name);

  gst_pad_add_probe (pad, type, callback, data, notify);
}

static void
count_rtp (WhepViewer *v, GstBuffer *buf)
{
  int size = (int) MIN (gst_buffer_get_size (buf), (gsize) G_MAXINT);
  int largest;

  g_atomic_int_inc (&v->counters.rtp_packets);
  do
    largest = g_atomic_int_get (&v->counters.largest_rtp);
  while (size > largest &&
      !g_atomic_int_compare_and_exchange (&v->counters.largest_rtp, largest,
          size));
}

/* Every RTP packet as webrtcbin hands it over (decrypted, before the
 * depayloader): how many, and the largest, so that a test can tell what
 * the relay let through. */
static GstPadProbeReturn
rtp_size_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  WhepViewer *v = data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    count_rtp (v, GST_PAD_PROBE_INFO_BUFFER (info));
  else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);

    for (guint i = 0; i < gst_buffer_list_length (list); i++)
      count_rtp (v, gst_buffer_list_get (list, i));
  }
  return GST_PAD_PROBE_OK;
}

/* Builds depay [! capsfilter] [! tee] ! queue ! decoder ! fakesink in the
 * pipeline and links @src to it.  Elements are added and started before the
 * link so that data never reaches an element that is not yet playing. */
static gboolean
build_branch (WhepViewer *v, GstPad *src, gboolean video,
    const char *encoding, GError **error)
{
  gboolean vp8 = g_ascii_strcasecmp (encoding, "VP8") == 0;
  gboolean h264 = g_ascii_strcasecmp (encoding, "H264") == 0;
  GstElement *chain[8] = { NULL };
  GstElement *units;
  guint n = 0;
  g_autoptr (GstPad) depay_sink = NULL;
  DepayProbe *dprobe;
  SinkProbe *sprobe;

  if (video && !vp8 && !h264) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_CODEC_NOT_FOUND,
        "unexpected video encoding %s", encoding);
    return FALSE;
  }
  if (!video && g_ascii_strcasecmp (encoding, "OPUS") != 0) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_CODEC_NOT_FOUND,
        "unexpected audio encoding %s", encoding);
    return FALSE;
  }

  if (!(chain[n++] = make (!video ? "rtpopusdepay" : vp8 ? "rtpvp8depay" :
              "rtph264depay", error)))
    goto fail;
  if (h264) {
    /* Whole access units in byte-stream form, so that one buffer is one
     * frame for the counters, whatever avdec_h264 would prefer. */
    g_autoptr (GstCaps) caps = gst_caps_from_string ("video/x-h264, "
        "stream-format=byte-stream, alignment=au");

    if (!(chain[n++] = make ("capsfilter", error)))
      goto fail;
    g_object_set (chain[n - 1], "caps", caps, NULL);
  }
  /* Where whole encoded frames leave: hashed and counted there. */
  units = chain[n - 1];
  /* The tee is where a second consumer of the undecoded stream (a file
   * dump while debugging the relay) attaches without touching decoding. */
  if (video && !(chain[n++] = make ("tee", error)))
    goto fail;
  /* The queue moves decoding off webrtcbin's receive thread, so a slow
   * decoder under --count load delays no RTCP or NACK handling. */
  /* --no-decode (load generation): the sink counts whole encoded frames. */
  if (!(chain[n++] = make ("queue", error)) ||
      (!v->config->no_decode && !(chain[n++] = make (!video ? "opusdec" :
              vp8 ? "vp8dec" : "avdec_h264", error))) ||
      !(chain[n++] = make ("fakesink", error)))
    goto fail;
  g_object_set (chain[n - 1], "sync", FALSE, "async", FALSE,
      "enable-last-sample", FALSE, NULL);
  /* With frame threading, avdec_h264 fed straight from the depayloader
   * hands out all-zero (green) pictures after the first: fine for counting,
   * useless for --sample-rects. */
  if (h264 && v->config->sample_rects && !v->config->no_decode)
    g_object_set (chain[n - 2], "max-threads", 1, NULL);

  for (guint i = 0; i < n; i++)
    gst_bin_add (GST_BIN (v->pipeline), chain[i]);
  for (guint i = 0; i + 1 < n; i++) {
    if (!gst_element_link (chain[i], chain[i + 1])) {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
          "cannot link %s to %s", GST_OBJECT_NAME (chain[i]),
          GST_OBJECT_NAME (chain[i + 1]));
      return FALSE;
    }
  }

  if (video) {
    dprobe = g_new0 (DepayProbe, 1);
    dprobe->viewer = v;
    dprobe->vp8 = vp8;
    add_probe_on (units, "src", GST_PAD_PROBE_TYPE_BUFFER, depay_probe,
        dprobe, g_free);
    add_probe_on (chain[0], "sink", GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
        suppress_probe, v, NULL);
  }
  add_probe_on (chain[0], "sink", GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST, rtp_size_probe, v, NULL);
  sprobe = g_new0 (SinkProbe, 1);
  sprobe->viewer = v;
  sprobe->video = video;
  add_probe_on (chain[n - 1], "sink", GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, decoded_probe, sprobe, g_free);

  for (guint i = n; i-- > 0;)
    gst_element_sync_state_with_parent (chain[i]);
  depay_sink = gst_element_get_static_pad (chain[0], "sink");
  if (gst_pad_link (src, depay_sink) != GST_PAD_LINK_OK) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "cannot link %s to %s", GST_OBJECT_NAME (src),
        GST_OBJECT_NAME (chain[0]));
    return FALSE;
  }
  if (video) {
    g_mutex_lock (&v->lock);
    gst_object_replace ((GstObject **) &v->video_depay_sink,
        GST_OBJECT (depay_sink));
    g_mutex_unlock (&v->lock);
  }
  return TRUE;

fail:
  for (guint i = 0; i < n; i++)
    if (chain[i])
      gst_object_unref (gst_object_ref_sink (chain[i]));
  return FALSE;
}

/* Drains a stream we cannot decode, so webrtcbin's not-linked pad does not
 * stop the shared receive path of the bundle. */
static void
drain (WhepViewer *v, GstPad *src)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr (GstPad) sink_pad = NULL;

  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (v->pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  sink_pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_link (src, sink_pad);
}

typedef struct {
  WhepViewer *viewer;
  char *message;
} StreamError;

static gboolean
report_stream_error (gpointer data)
{
  StreamError *e = data;

  whep_viewer_fail (e->viewer, "stream", -1, NULL, "%s", e->message);
  whep_viewer_set_outcome (e->viewer, WHEP_OUTCOME_FAILED);
  g_free (e->message);
  g_free (e);
  return G_SOURCE_REMOVE;
}

static void
report_stream (WhepViewer *v, GstPad *pad, const GstStructure *s)
{
  int payload = -1, clock_rate = -1;
  guint ssrc = 0;
  JsonBuilder *b = whep_event_begin (v->index, "stream");

  gst_structure_get_int (s, "payload", &payload);
  gst_structure_get_int (s, "clock-rate", &clock_rate);
  tool_event_add_string (b, "media", gst_structure_get_string (s, "media"));
  tool_event_add_string (b, "encoding-name",
      gst_structure_get_string (s, "encoding-name"));
  tool_event_add_int (b, "payload", payload);
  tool_event_add_int (b, "clock-rate", clock_rate);
  if (gst_structure_get_uint (s, "ssrc", &ssrc))
    tool_event_add_int (b, "ssrc", ssrc);
  /* The feedback the answer allowed for this payload type, as webrtcbin
   * understood it: what decides whether a key frame request is a PLI, a
   * FIR or nothing. */
  json_builder_set_member_name (b, "rtcp-fb");
  json_builder_begin_array (b);
  for (int i = 0; i < gst_structure_n_fields (s); i++) {
    const char *field = gst_structure_nth_field_name (s, i);

    if (g_str_has_prefix (field, "rtcp-fb-"))
      json_builder_add_string_value (b, field + strlen ("rtcp-fb-"));
  }
  json_builder_end_array (b);
  tool_event_end (b);
}

/* webrtcbin adds a src pad per remote SSRC it could tie to a transceiver;
 * this runs on its receive thread. */
void
whep_viewer_on_pad_added (GstElement *webrtc, GstPad *pad, gpointer data)
{
  WhepViewer *v = data;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GError) error = NULL;
  const GstStructure *s;
  const char *media, *encoding;
  gboolean video;
  StreamError *e;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  caps = gst_pad_get_current_caps (pad);
  if (!caps)
    caps = gst_pad_query_caps (pad, NULL);
  if (gst_caps_is_empty (caps) || gst_caps_is_any (caps)) {
    g_set_error (&error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "no caps");
    goto fail;
  }
  s = gst_caps_get_structure (caps, 0);
  media = gst_structure_get_string (s, "media");
  encoding = gst_structure_get_string (s, "encoding-name");
  video = g_strcmp0 (media, "video") == 0;
  report_stream (v, pad, s);

  if (video) {
    g_mutex_lock (&v->lock);
    v->video_fb_pli = gst_structure_has_field (s, "rtcp-fb-nack-pli");
    v->video_fb_fir = gst_structure_has_field (s, "rtcp-fb-ccm-fir");
    g_mutex_unlock (&v->lock);
    whep_viewer_watch_newest_video_packet (v, pad);
  } else {
    whep_viewer_stop_audio_nack (v, pad);
  }

  if (media && encoding && build_branch (v, pad, video, encoding, &error))
    return;

fail:
  e = g_new0 (StreamError, 1);
  e->viewer = v;
  e->message = g_strdup_printf ("%s: %s", GST_OBJECT_NAME (pad),
      error ? error->message : "caps without media or encoding-name");
  g_main_context_invoke (NULL, report_stream_error, e);
  if (!gst_pad_is_linked (pad))
    drain (v, pad);
}

/* --- keyframe requests --- */

typedef struct {
  WhepViewer *viewer;
  guint at_ms;
  guint source;
} KeyframeTimer;

static gboolean
on_keyframe_timer (gpointer data)
{
  KeyframeTimer *t = data;
  WhepViewer *v = t->viewer;
  g_autoptr (GstPad) depay_sink = NULL;
  gboolean fir = v->config->keyframe_fir, handled = FALSE;
  const char *feedback;
  int count;
  JsonBuilder *b;

  t->source = 0;
  g_mutex_lock (&v->lock);
  if (v->video_depay_sink)
    depay_sink = gst_object_ref (v->video_depay_sink);
  /* rtpsession's rule: FIR when all-headers is set and "ccm fir" was
   * negotiated for the payload type, else PLI when "nack pli" was. */
  feedback = fir && v->video_fb_fir ? "fir" : v->video_fb_pli ? "pli" :
      "none";
  /* An earlier unanswered request keeps its time: the answer to the first
   * is what is late. */
  if (!v->keyframe_asked_us)
    v->keyframe_asked_us = g_get_monotonic_time ();
  g_mutex_unlock (&v->lock);

  count = g_atomic_int_add (&v->counters.keyframes_requested, 1) + 1;
  /* Pushed upstream from the depayloader's sink pad into webrtcbin, where
   * rtpptdemux and rtpssrcdemux stamp it with payload type and SSRC and
   * rtpsession turns it into RTCP feedback to the relay. */
  if (depay_sink) {
    GstEvent *event = gst_video_event_new_upstream_force_key_unit (
        GST_CLOCK_TIME_NONE, fir, count);

    gst_structure_set (gst_event_writable_structure (event),
        OWN_REQUEST_FIELD, G_TYPE_BOOLEAN, TRUE, NULL);
    handled = gst_pad_push_event (depay_sink, event);
  }

  b = whep_event_begin (v->index, "keyframe-requested");
  tool_event_add_int (b, "at_ms", t->at_ms);
  tool_event_add_int (b, "count", count);
  tool_event_add_string (b, "feedback", feedback);
  tool_event_add_bool (b, "handled", handled);
  tool_event_end (b);
  return G_SOURCE_REMOVE;
}

static void
keyframe_timer_free (gpointer data)
{
  KeyframeTimer *t = data;

  g_clear_handle_id (&t->source, g_source_remove);
  g_free (t);
}

void
whep_viewer_arm_keyframe_requests (WhepViewer *v)
{
  const GArray *times = v->config->keyframe_at_ms;

  if (g_cancellable_is_cancelled (v->cancellable) || v->keyframe_timers ||
      !times)
    return;
  v->keyframe_timers = g_ptr_array_new_with_free_func (keyframe_timer_free);
  for (guint i = 0; i < times->len; i++) {
    KeyframeTimer *t = g_new0 (KeyframeTimer, 1);

    t->viewer = v;
    t->at_ms = g_array_index (times, guint, i);
    t->source = g_timeout_add (t->at_ms, on_keyframe_timer, t);
    g_ptr_array_add (v->keyframe_timers, t);
  }
}
