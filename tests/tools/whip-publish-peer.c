/* One WHIP publisher: appsrc ! payloader ! webrtcbin for audio and video,
 * non-trickle negotiation, and the HTTP exchange with the relay.
 *
 * webrtcbin reports from its own threads; every report is bounced to the
 * main context so that publisher state is only ever touched there. */
#include "whip-publish.h"

#define GST_USE_UNSTABLE_API
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <string.h>

#define OPUS_PT 111
#define VP8_PT 96
#define H264_PT 96
/* Leaves room for SRTP, a TURN relay and IPv6 headers within a 1280-byte
 * path MTU, which is what browsers assume too. */
#define RTP_MTU 1200
#define KEYFRAME_REQUEST_REPORT_US (2 * G_USEC_PER_SEC)

struct _WhipPublisher {
  const WhipConfig *config;
  char *province;
  char *token;
  const WhipMedia *media;
  WhipPacer *pacer;
  SoupSession *session;
  WhipOutcomeFunc on_outcome;
  gpointer user_data;

  GstElement *pipeline;
  GstElement *webrtc;
  GstAppSrc *video_src;
  GstAppSrc *audio_src;
  guint bus_watch;
  WhipFeed *feed;

  gint64 started_us;
  gint64 answered_us;
  gboolean local_set;
  gboolean offer_taken;
  guint gather_timeout;
  guint connect_timeout;
  GCancellable *cancellable;

  char *post_url;
  SoupMessage *post_msg;
  char *location;
  char *etag;
  int status;
  WhipOutcome outcome;
  gboolean ice_connected;
  GstWebRTCICEConnectionState ice_state;
  GstWebRTCPeerConnectionState pc_state;

  /* Touched from streaming threads. */
  GMutex keyframe_lock;
  int keyframe_requests;
  gint64 keyframe_reported_us;
};

static void
set_outcome (WhipPublisher *pub, WhipOutcome outcome)
{
  if (pub->outcome == outcome)
    return;
  pub->outcome = outcome;
  pub->on_outcome (pub, pub->user_data);
}

static void
fail (WhipPublisher *pub, const char *stage, int status, const char *body,
    const char *format, ...) G_GNUC_PRINTF (5, 6);

static void
fail (WhipPublisher *pub, const char *stage, int status, const char *body,
    const char *format, ...)
{
  JsonBuilder *b = whip_event_begin (pub->province, "error");

  json_builder_set_member_name (b, "stage");
  json_builder_add_string_value (b, stage);
  if (status >= 0) {
    json_builder_set_member_name (b, "status");
    json_builder_add_int_value (b, status);
  }
  if (body) {
    json_builder_set_member_name (b, "body");
    json_builder_add_string_value (b, body);
  }
  if (format) {
    va_list args;
    g_autofree char *message = NULL;

    va_start (args, format);
    message = g_strdup_vprintf (format, args);
    va_end (args);
    json_builder_set_member_name (b, "message");
    json_builder_add_string_value (b, message);
  }
  whip_event_end (b);
}

/* --- marshalling webrtcbin callbacks to the main context --- */

typedef struct {
  WhipPublisher *pub;
  GstPromise *promise;
} PromiseReply;

static void
promise_reply_free (PromiseReply *reply)
{
  gst_promise_unref (reply->promise);
  g_free (reply);
}

/* Hands a resolved promise to @func on the main context. */
static void
bounce_promise (GstPromise *promise, WhipPublisher *pub, GSourceFunc func)
{
  PromiseReply *reply = g_new0 (PromiseReply, 1);

  reply->pub = pub;
  reply->promise = gst_promise_ref (promise);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, func, reply,
      (GDestroyNotify) promise_reply_free);
}

/* Returns the error a webrtcbin promise carries, if any. */
static GError *
promise_error (GstPromise *promise)
{
  const GstStructure *reply;
  GError *error = NULL;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
        "promise interrupted");
  reply = gst_promise_get_reply (promise);
  if (reply && gst_structure_has_field_typed (reply, "error", G_TYPE_ERROR))
    gst_structure_get (reply, "error", G_TYPE_ERROR, &error, NULL);
  return error;
}

/* --- offer --- */

static void send_offer (WhipPublisher *pub);

/* A syntactically valid sha-256 fingerprint that cannot match our
 * certificate, for tests that the relay really checks DTLS. */
static char *
fake_fingerprint (const char *real)
{
  GString *fp = g_string_new (NULL);

  do {
    g_string_truncate (fp, 0);
    for (int i = 0; i < 32; i++)
      g_string_append_printf (fp, "%s%02X", i ? ":" : "",
          g_random_int_range (0, 256));
  } while (real && g_ascii_strcasecmp (fp->str, real) == 0);
  return g_string_free (fp, FALSE);
}

static char *
replace_fingerprints (const char *sdp)
{
  g_auto (GStrv) lines = g_strsplit (sdp, "\r\n", -1);
  g_autofree char *fake = NULL;

  for (char **l = lines; *l; l++) {
    const char *prefix = "a=fingerprint:sha-256 ";

    if (!g_str_has_prefix (*l, prefix))
      continue;
    if (!fake)
      fake = fake_fingerprint (*l + strlen (prefix));
    g_free (*l);
    *l = g_strconcat (prefix, fake, NULL);
  }
  return g_strjoinv ("\r\n", lines);
}

static gboolean
on_gather_timeout (gpointer data)
{
  WhipPublisher *pub = data;

  pub->gather_timeout = 0;
  g_printerr ("whip-publish: %s: ICE gathering not complete after %d ms, "
      "sending the candidates found so far\n", pub->province,
      WHIP_GATHER_TIMEOUT_MS);
  send_offer (pub);
  return G_SOURCE_REMOVE;
}

static gboolean
gathering_complete (WhipPublisher *pub)
{
  GstWebRTCICEGatheringState state;

  g_object_get (pub->webrtc, "ice-gathering-state", &state, NULL);
  return state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE;
}

static gboolean
on_local_description_set (gpointer data)
{
  PromiseReply *reply = data;
  WhipPublisher *pub = reply->pub;
  g_autoptr (GError) error = promise_error (reply->promise);

  if (pub->outcome != WHIP_OUTCOME_PENDING)
    return G_SOURCE_REMOVE;
  if (error) {
    fail (pub, "offer", -1, NULL, "set-local-description: %s",
        error->message);
    set_outcome (pub, WHIP_OUTCOME_FAILED);
    return G_SOURCE_REMOVE;
  }
  pub->local_set = TRUE;
  /* Non-trickle WHIP: the offer must carry every candidate, so wait for
   * gathering, but not forever on hosts with odd interfaces. */
  if (gathering_complete (pub))
    send_offer (pub);
  else
    pub->gather_timeout = g_timeout_add (WHIP_GATHER_TIMEOUT_MS,
        on_gather_timeout, pub);
  return G_SOURCE_REMOVE;
}

static void
local_description_set_cb (GstPromise *promise, gpointer data)
{
  bounce_promise (promise, data, on_local_description_set);
}

static gboolean
on_offer_created (gpointer data)
{
  PromiseReply *reply = data;
  WhipPublisher *pub = reply->pub;
  g_autoptr (GError) error = promise_error (reply->promise);
  GstWebRTCSessionDescription *offer = NULL;
  const GstStructure *s;
  GstPromise *promise;

  if (pub->outcome != WHIP_OUTCOME_PENDING)
    return G_SOURCE_REMOVE;
  s = gst_promise_get_reply (reply->promise);
  if (!error && s)
    gst_structure_get (s, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
        &offer, NULL);
  if (!offer) {
    fail (pub, "offer", -1, NULL, "create-offer: %s",
        error ? error->message : "no offer in the reply");
    set_outcome (pub, WHIP_OUTCOME_FAILED);
    return G_SOURCE_REMOVE;
  }
  promise = gst_promise_new_with_change_func (local_description_set_cb, pub,
      NULL);
  g_signal_emit_by_name (pub->webrtc, "set-local-description", offer,
      promise);
  gst_promise_unref (promise);
  gst_webrtc_session_description_free (offer);
  return G_SOURCE_REMOVE;
}

static void
offer_created_cb (GstPromise *promise, gpointer data)
{
  bounce_promise (promise, data, on_offer_created);
}

/* --- HTTP --- */

static gboolean
accept_any_certificate (SoupMessage *msg, GTlsCertificate *cert,
    GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

static SoupMessage *
new_request (WhipPublisher *pub, const char *method, const char *url)
{
  SoupMessage *msg = soup_message_new (method, url);

  if (!msg)
    return NULL;
  if (pub->token) {
    g_autofree char *auth = g_strconcat ("Bearer ", pub->token, NULL);

    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "Authorization", auth);
  }
  if (pub->config->insecure)
    g_signal_connect (msg, "accept-certificate",
        G_CALLBACK (accept_any_certificate), NULL);
  return msg;
}

static char *
body_text (GBytes *body)
{
  gsize size = 0;
  const char *data = body ? g_bytes_get_data (body, &size) : NULL;

  return g_utf8_make_valid (data ? data : "", size);
}

static gboolean
on_remote_description_set (gpointer data)
{
  PromiseReply *reply = data;
  WhipPublisher *pub = reply->pub;
  g_autoptr (GError) error = promise_error (reply->promise);

  if (error) {
    fail (pub, "answer", -1, NULL, "set-remote-description: %s",
        error->message);
    set_outcome (pub, WHIP_OUTCOME_FAILED);
    return G_SOURCE_REMOVE;
  }
  if (pub->pipeline && !pub->feed)
    pub->feed = whip_pacer_attach (pub->pacer, pub->pipeline,
        pub->video_src, pub->audio_src);
  return G_SOURCE_REMOVE;
}

static void
remote_description_set_cb (GstPromise *promise, gpointer data)
{
  bounce_promise (promise, data, on_remote_description_set);
}

static gboolean
on_connect_timeout (gpointer data)
{
  WhipPublisher *pub = data;

  pub->connect_timeout = 0;
  if (pub->ice_connected)
    return G_SOURCE_REMOVE;
  fail (pub, "ice", -1, NULL, "ICE not connected %d s after the answer",
      WHIP_CONNECT_TIMEOUT_S);
  if (pub->config->expect_status < 0)
    set_outcome (pub, WHIP_OUTCOME_FAILED);
  return G_SOURCE_REMOVE;
}

static void
apply_answer (WhipPublisher *pub, const char *text)
{
  g_autoptr (GstSDPMessage) sdp = NULL;
  GstWebRTCSessionDescription *answer;
  GstPromise *promise;

  if (gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK ||
      gst_sdp_message_medias_len (sdp) == 0) {
    fail (pub, "answer", pub->status, text, "the answer is not usable SDP");
    set_outcome (pub, WHIP_OUTCOME_FAILED);
    return;
  }
  answer = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER,
      g_steal_pointer (&sdp));
  promise = gst_promise_new_with_change_func (remote_description_set_cb,
      pub, NULL);
  g_signal_emit_by_name (pub->webrtc, "set-remote-description", answer,
      promise);
  gst_promise_unref (promise);
  gst_webrtc_session_description_free (answer);

  pub->answered_us = g_get_monotonic_time ();
  pub->connect_timeout = g_timeout_add_seconds (WHIP_CONNECT_TIMEOUT_S,
      on_connect_timeout, pub);
}

static void
post_done (GObject *source, GAsyncResult *result, gpointer data)
{
  WhipPublisher *pub = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = g_steal_pointer (&pub->post_msg);
  g_autofree char *text = NULL;
  int expected = pub->config->expect_status >= 0 ?
      pub->config->expect_status : SOUP_STATUS_CREATED;
  SoupMessageHeaders *headers;
  const char *location;
  JsonBuilder *b;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error) {
    /* No HTTP status at all: the relay is unreachable or TLS failed. */
    pub->status = 0;
    fail (pub, "post", 0, NULL, "POST %s: %s", pub->post_url,
        error->message);
    set_outcome (pub, expected == 0 ? WHIP_OUTCOME_DONE_OK :
        WHIP_OUTCOME_FAILED);
    return;
  }

  pub->status = soup_message_get_status (msg);
  text = body_text (body);
  if (pub->status != SOUP_STATUS_CREATED) {
    fail (pub, "post", pub->status, text, "POST %s: %d %s", pub->post_url,
        pub->status, soup_message_get_reason_phrase (msg));
    set_outcome (pub, pub->status == expected ? WHIP_OUTCOME_DONE_OK :
        WHIP_OUTCOME_FAILED);
    return;
  }

  headers = soup_message_get_response_headers (msg);
  location = soup_message_headers_get_one (headers, "Location");
  if (location) {
    g_autoptr (GError) uri_error = NULL;
    g_autofree char *base = g_uri_to_string (soup_message_get_uri (msg));

    /* Location may be relative (RFC 9725 section 4.2); it resolves against
     * the URL that was finally POSTed to, after any redirect. */
    pub->location = g_uri_resolve_relative (base, location,
        G_URI_FLAGS_NONE, &uri_error);
    if (!pub->location)
      g_printerr ("whip-publish: %s: bad Location '%s': %s\n",
          pub->province, location, uri_error->message);
  }
  g_free (pub->etag);
  pub->etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));

  b = whip_event_begin (pub->province, "answered");
  json_builder_set_member_name (b, "status");
  json_builder_add_int_value (b, pub->status);
  json_builder_set_member_name (b, "location");
  if (pub->location)
    json_builder_add_string_value (b, pub->location);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "etag");
  if (pub->etag)
    json_builder_add_string_value (b, pub->etag);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "ms");
  json_builder_add_int_value (b,
      (g_get_monotonic_time () - pub->started_us) / 1000);
  whip_event_end (b);

  if (!pub->location)
    fail (pub, "post", pub->status, NULL,
        "201 without a usable Location header");

  if (pub->status != expected) {
    set_outcome (pub, WHIP_OUTCOME_FAILED);
    return;
  }
  if (pub->config->expect_status >= 0) {
    /* The status was all that was asked for; keep streaming anyway so
     * tests can watch what the relay does next. */
    set_outcome (pub, WHIP_OUTCOME_STREAMING);
  }
  apply_answer (pub, text);
}

static void
send_offer (WhipPublisher *pub)
{
  GstWebRTCSessionDescription *desc = NULL;
  g_autofree char *sdp = NULL;
  g_autoptr (GBytes) body = NULL;
  JsonBuilder *b;
  gsize len;

  if (pub->offer_taken || pub->outcome != WHIP_OUTCOME_PENDING)
    return;
  pub->offer_taken = TRUE;
  g_clear_handle_id (&pub->gather_timeout, g_source_remove);

  /* webrtcbin adds each gathered candidate to the local description. */
  g_object_get (pub->webrtc, "local-description", &desc, NULL);
  if (!desc) {
    fail (pub, "offer", -1, NULL, "no local description");
    set_outcome (pub, WHIP_OUTCOME_FAILED);
    return;
  }
  sdp = gst_sdp_message_as_text (desc->sdp);
  gst_webrtc_session_description_free (desc);
  if (pub->config->wrong_fingerprint) {
    char *changed = replace_fingerprints (sdp);

    g_free (sdp);
    sdp = changed;
  }

  if (pub->config->dry_run) {
    b = whip_event_begin (pub->province, "offer");
    json_builder_set_member_name (b, "offer");
    json_builder_add_string_value (b, sdp);
    whip_event_end (b);
    set_outcome (pub, WHIP_OUTCOME_DONE_OK);
    return;
  }

  pub->post_msg = new_request (pub, SOUP_METHOD_POST, pub->post_url);
  if (!pub->post_msg) {
    fail (pub, "post", -1, NULL, "invalid URL %s", pub->post_url);
    set_outcome (pub, WHIP_OUTCOME_FAILED);
    return;
  }
  len = strlen (sdp);
  body = g_bytes_new_take (g_steal_pointer (&sdp), len);
  soup_message_set_request_body_from_bytes (pub->post_msg, "application/sdp",
      body);
  soup_session_send_and_read_async (pub->session, pub->post_msg,
      G_PRIORITY_DEFAULT, pub->cancellable, post_done, pub);
}

/* --- state reports --- */

static const char *
enum_nick (GType type, int value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);
  const char *nick = v ? v->value_nick : "unknown";

  /* Enum classes of registered types are never finalized, so the nick
   * outlives this reference. */
  g_type_class_unref (klass);
  return nick;
}

static void
report_state (WhipPublisher *pub, const char *event, GType type, int value)
{
  JsonBuilder *b = whip_event_begin (pub->province, event);

  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, enum_nick (type, value));
  whip_event_end (b);
}

static void
on_ice_state (WhipPublisher *pub, GstWebRTCICEConnectionState state)
{
  gint64 now = g_get_monotonic_time ();
  JsonBuilder *b;

  if ((state == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED ||
          state == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED) &&
      !pub->ice_connected) {
    pub->ice_connected = TRUE;
    g_clear_handle_id (&pub->connect_timeout, g_source_remove);
    b = whip_event_begin (pub->province, "connected");
    json_builder_set_member_name (b, "ms");
    json_builder_add_int_value (b, (now - pub->started_us) / 1000);
    json_builder_set_member_name (b, "ms_after_answer");
    json_builder_add_int_value (b, pub->answered_us ?
        (now - pub->answered_us) / 1000 : -1);
    whip_event_end (b);
    if (pub->outcome == WHIP_OUTCOME_PENDING)
      set_outcome (pub, WHIP_OUTCOME_STREAMING);
    return;
  }
  /* checking and new are the normal way up; completed after connected is
   * just libnice finishing its checks. */
  if (state == GST_WEBRTC_ICE_CONNECTION_STATE_NEW ||
      state == GST_WEBRTC_ICE_CONNECTION_STATE_CHECKING ||
      (state == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED &&
          pub->ice_connected))
    return;
  report_state (pub, "ice-state", GST_TYPE_WEBRTC_ICE_CONNECTION_STATE,
      state);
  if (state == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED && !pub->ice_connected
      && pub->config->expect_status < 0) {
    fail (pub, "ice", -1, NULL, "ICE failed");
    set_outcome (pub, WHIP_OUTCOME_FAILED);
  }
}

static gboolean
on_webrtc_changed (gpointer data)
{
  WhipPublisher *pub = data;
  GstWebRTCICEConnectionState ice;
  GstWebRTCPeerConnectionState pc;

  if (!pub->webrtc || g_cancellable_is_cancelled (pub->cancellable))
    return G_SOURCE_REMOVE;
  g_object_get (pub->webrtc, "ice-connection-state", &ice,
      "connection-state", &pc, NULL);
  if (ice != pub->ice_state) {
    pub->ice_state = ice;
    on_ice_state (pub, ice);
  }
  /* The peer connection state folds in DTLS: this is where a relay that
   * refuses the handshake (e.g. --wrong-fingerprint) becomes visible. */
  if (pc != pub->pc_state) {
    pub->pc_state = pc;
    if (pc != GST_WEBRTC_PEER_CONNECTION_STATE_NEW)
      report_state (pub, "state", GST_TYPE_WEBRTC_PEER_CONNECTION_STATE, pc);
  }
  if (pub->local_set && !pub->offer_taken && gathering_complete (pub))
    send_offer (pub);
  return G_SOURCE_REMOVE;
}

static void
webrtc_notify_cb (GObject *object, GParamSpec *pspec, gpointer data)
{
  g_main_context_invoke (NULL, on_webrtc_changed, data);
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
  gboolean report;
  int count;

  if (!gst_event_has_name (event, "GstForceKeyUnit"))
    return GST_PAD_PROBE_OK;
  /* Rate-limited: a receiver that keeps asking would flood stdout. */
  g_mutex_lock (&pub->keyframe_lock);
  count = ++pub->keyframe_requests;
  report = now - pub->keyframe_reported_us >= KEYFRAME_REQUEST_REPORT_US;
  if (report)
    pub->keyframe_reported_us = now;
  g_mutex_unlock (&pub->keyframe_lock);

  if (report) {
    JsonBuilder *b = whip_event_begin (pub->province, "keyframe-request");

    json_builder_set_member_name (b, "count");
    json_builder_add_int_value (b, count);
    json_builder_set_member_name (b, "honoured");
    json_builder_add_boolean_value (b, FALSE);
    whip_event_end (b);
  }
  return GST_PAD_PROBE_OK;
}

/* --- pipeline --- */

static gboolean
bus_cb (GstBus *bus, GstMessage *msg, gpointer data)
{
  WhipPublisher *pub = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (msg, &error, &debug);
      fail (pub, "pipeline", -1, NULL, "%s: %s",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), error->message);
      if (debug)
        g_printerr ("whip-publish: %s: %s\n", pub->province, debug);
      set_outcome (pub, WHIP_OUTCOME_FAILED);
      break;
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (msg, &error, &debug);
      g_printerr ("whip-publish: %s: warning from %s: %s\n", pub->province,
          GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), error->message);
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
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
 * fixed and let the offer exist before any media has flowed.  The audio SSRC
 * is fixed here too: without it the offer has no a=ssrc for audio (video gets
 * one from webrtcbin because of its RTX group), and a relay demuxing the
 * BUNDLE by SSRC would have to guess. */
static GstCaps *
codec_preferences (gboolean audio, gboolean h264, guint32 ssrc)
{
  GstCaps *caps;

  if (audio) {
    caps = gst_caps_from_string ("application/x-rtp, media=audio, "
        "encoding-name=OPUS, clock-rate=48000, payload=" G_STRINGIFY (OPUS_PT)
        ", encoding-params=(string)2, sprop-stereo=(string)1");
    gst_caps_set_simple (caps, "ssrc", G_TYPE_UINT, ssrc, NULL);
    return caps;
  }
  if (h264)
    return gst_caps_from_string ("application/x-rtp, media=video, "
        "encoding-name=H264, clock-rate=90000, payload=" G_STRINGIFY (H264_PT)
        ", packetization-mode=(string)1, profile-level-id=(string)42e01f, "
        "level-asymmetry-allowed=(string)1, rtcp-fb-nack-pli=(boolean)true, "
        "rtcp-fb-ccm-fir=(boolean)true");
  return gst_caps_from_string ("application/x-rtp, media=video, "
      "encoding-name=VP8, clock-rate=90000, payload=" G_STRINGIFY (VP8_PT)
      ", rtcp-fb-nack-pli=(boolean)true, rtcp-fb-ccm-fir=(boolean)true");
}

/* libnice's UPnP port mapping makes every agent start an SSDP search and an
 * HTTP listener; with dozens of agents in one process they collide on ports
 * and delay gathering past our cap, and a relay needs none of it.  ICE-TCP
 * candidates are dropped too: the relay is reached over UDP, and they cost
 * listening sockets and offer size.  Properties are set by name so that we
 * need not link libnice. */
static void
tune_ice_agent (GstElement *webrtc)
{
  g_autoptr (GObject) ice = NULL;
  g_autoptr (GObject) agent = NULL;

  g_object_get (webrtc, "ice-agent", &ice, NULL);
  if (!ice)
    return;
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "ice-tcp"))
    g_object_set (ice, "ice-tcp", FALSE, NULL);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent"))
    g_object_get (ice, "agent", &agent, NULL);
  if (agent && g_object_class_find_property (G_OBJECT_GET_CLASS (agent),
          "upnp"))
    g_object_set (agent, "upnp", FALSE, NULL);
}

static gboolean
build_pipeline (WhipPublisher *pub, GError **error)
{
  gboolean h264 = pub->config->h264;
  GstElement *audio_pay, *video_pay;
  g_autoptr (GArray) transceivers = NULL;
  g_autoptr (GstClock) clock = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstPad) video_pad = NULL;
  guint32 audio_ssrc = g_random_int ();

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
  tune_ice_agent (pub->webrtc);
  g_object_set (audio_pay, "pt", OPUS_PT, "mtu", RTP_MTU, "ssrc", audio_ssrc,
      NULL);
  g_object_set (video_pay, "pt", h264 ? H264_PT : VP8_PT, "mtu", RTP_MTU,
      NULL);
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
    g_autoptr (GstCaps) prefs = codec_preferences (audio, h264, audio_ssrc);

    /* do-nack on video makes webrtcbin offer nack and an rtx payload, and
     * keep a retransmission history for the relay's NACKs. */
    g_object_set (trans, "direction",
        GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
        "codec-preferences", prefs, "do-nack", !audio, NULL);
  }

  bus = gst_pipeline_get_bus (GST_PIPELINE (pub->pipeline));
  pub->bus_watch = gst_bus_add_watch (bus, bus_cb, pub);

  video_pad = gst_element_get_static_pad (GST_ELEMENT (pub->video_src),
      "src");
  gst_pad_add_probe (video_pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      keyframe_request_probe, pub, NULL);

  g_signal_connect (pub->webrtc, "notify::ice-gathering-state",
      G_CALLBACK (webrtc_notify_cb), pub);
  g_signal_connect (pub->webrtc, "notify::ice-connection-state",
      G_CALLBACK (webrtc_notify_cb), pub);
  g_signal_connect (pub->webrtc, "notify::connection-state",
      G_CALLBACK (webrtc_notify_cb), pub);
  return TRUE;
}

/* --- public API --- */

WhipPublisher *
whip_publisher_new (const WhipConfig *config, const char *province,
    const char *token, const WhipMedia *media, WhipPacer *pacer,
    SoupSession *session, WhipOutcomeFunc on_outcome, gpointer user_data)
{
  WhipPublisher *pub = g_new0 (WhipPublisher, 1);

  pub->config = config;
  pub->province = g_strdup (province);
  pub->token = g_strdup (token);
  pub->media = media;
  pub->pacer = pacer;
  pub->session = session;
  pub->on_outcome = on_outcome;
  pub->user_data = user_data;
  pub->cancellable = g_cancellable_new ();
  pub->status = -1;
  pub->outcome = WHIP_OUTCOME_PENDING;
  g_mutex_init (&pub->keyframe_lock);
  if (config->base_url) {
    g_autofree char *code = g_uri_escape_string (province, NULL, FALSE);

    pub->post_url = g_strconcat (config->base_url, "/whip/", code, NULL);
  }
  return pub;
}

void
whip_publisher_start (WhipPublisher *pub)
{
  g_autoptr (GError) error = NULL;
  GstPromise *promise;

  pub->started_us = g_get_monotonic_time ();
  if (!build_pipeline (pub, &error)) {
    fail (pub, "pipeline", -1, NULL, "%s", error->message);
    set_outcome (pub, WHIP_OUTCOME_FAILED);
    return;
  }
  if (gst_element_set_state (pub->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    fail (pub, "pipeline", -1, NULL, "cannot start the pipeline");
    set_outcome (pub, WHIP_OUTCOME_FAILED);
    return;
  }
  promise = gst_promise_new_with_change_func (offer_created_cb, pub, NULL);
  g_signal_emit_by_name (pub->webrtc, "create-offer", NULL, promise);
  gst_promise_unref (promise);
}

WhipOutcome
whip_publisher_get_outcome (WhipPublisher *pub)
{
  return pub->outcome;
}

const char *
whip_publisher_get_province (WhipPublisher *pub)
{
  return pub->province;
}

void
whip_publisher_halt (WhipPublisher *pub)
{
  g_cancellable_cancel (pub->cancellable);
  g_clear_handle_id (&pub->gather_timeout, g_source_remove);
  g_clear_handle_id (&pub->connect_timeout, g_source_remove);
  if (pub->feed) {
    whip_pacer_detach (pub->pacer, pub->feed);
    pub->feed = NULL;
  }
}

typedef struct {
  WhipPublisher *pub;
  SoupMessage *msg;
} DeleteRequest;

static void
delete_request_free (DeleteRequest *req)
{
  g_object_unref (req->msg);
  g_free (req);
}

static void
delete_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  DeleteRequest *req = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  JsonBuilder *b;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &error);
  if (error) {
    fail (req->pub, "delete", 0, NULL, "DELETE %s: %s", req->pub->location,
        error->message);
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  status = soup_message_get_status (req->msg);
  if (SOUP_STATUS_IS_SUCCESSFUL (status)) {
    b = whip_event_begin (req->pub->province, "deleted");
    json_builder_set_member_name (b, "status");
    json_builder_add_int_value (b, status);
    whip_event_end (b);
  } else {
    g_autofree char *text = body_text (body);

    fail (req->pub, "delete", status, text, "DELETE %s: %u %s",
        req->pub->location, status,
        soup_message_get_reason_phrase (req->msg));
  }
  g_task_return_boolean (task, TRUE);
}

gboolean
whip_publisher_delete_async (WhipPublisher *pub, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  DeleteRequest *req;
  GTask *task;
  SoupMessage *msg;

  if (!pub->location || !pub->session)
    return FALSE;
  msg = new_request (pub, SOUP_METHOD_DELETE, pub->location);
  if (!msg)
    return FALSE;
  req = g_new0 (DeleteRequest, 1);
  req->pub = pub;
  req->msg = msg;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_task_data (task, req, (GDestroyNotify) delete_request_free);
  soup_session_send_and_read_async (pub->session, msg, G_PRIORITY_DEFAULT,
      cancellable, delete_done, task);
  return TRUE;
}

void
whip_publisher_delete_finish (GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;

  /* Failures were already reported as events. */
  g_task_propagate_boolean (G_TASK (result), &error);
}

void
whip_publisher_free (WhipPublisher *pub)
{
  if (!pub)
    return;
  whip_publisher_halt (pub);
  if (pub->webrtc)
    g_signal_handlers_disconnect_by_data (pub->webrtc, pub);
  g_clear_handle_id (&pub->bus_watch, g_source_remove);
  if (pub->pipeline) {
    gst_element_set_state (pub->pipeline, GST_STATE_NULL);
    gst_clear_object (&pub->pipeline);
  }
  pub->webrtc = NULL;
  g_clear_object (&pub->post_msg);
  g_clear_object (&pub->cancellable);
  g_mutex_clear (&pub->keyframe_lock);
  g_free (pub->province);
  g_free (pub->token);
  g_free (pub->post_url);
  g_free (pub->location);
  g_free (pub->etag);
  g_free (pub);
}
