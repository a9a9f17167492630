/* One WHIP publisher: non-trickle negotiation with webrtcbin and the
 * publisher's lifecycle.  The HTTP exchange is in whip-publish-http.c and
 * the GStreamer pipeline in whip-publish-pipeline.c.
 *
 * webrtcbin reports from its own threads; every report is bounced to the
 * main context so that publisher state is only ever touched there. */
#include "whip-publish-peer.h"

#include <string.h>

void
whip_peer_set_outcome (WhipPublisher *pub, WhipOutcome outcome)
{
  if (pub->outcome == outcome)
    return;
  pub->outcome = outcome;
  pub->on_outcome (pub, pub->user_data);
}

void
whip_peer_fail (WhipPublisher *pub, const char *stage, int status,
    const char *body, const char *format, ...)
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

  /* Shutting down: the pacer may already be gone. */
  if (g_cancellable_is_cancelled (pub->cancellable))
    return G_SOURCE_REMOVE;

  if (pub->outcome != WHIP_OUTCOME_PENDING)
    return G_SOURCE_REMOVE;
  if (error) {
    whip_peer_fail (pub, "offer", -1, NULL, "set-local-description: %s",
        error->message);
    whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
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

  /* Shutting down: the pacer may already be gone. */
  if (g_cancellable_is_cancelled (pub->cancellable))
    return G_SOURCE_REMOVE;

  if (pub->outcome != WHIP_OUTCOME_PENDING)
    return G_SOURCE_REMOVE;
  s = gst_promise_get_reply (reply->promise);
  if (!error && s)
    gst_structure_get (s, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
        &offer, NULL);
  if (!offer) {
    whip_peer_fail (pub, "offer", -1, NULL, "create-offer: %s",
        error ? error->message : "no offer in the reply");
    whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
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

static gboolean
on_remote_description_set (gpointer data)
{
  PromiseReply *reply = data;
  WhipPublisher *pub = reply->pub;
  g_autoptr (GError) error = promise_error (reply->promise);

  /* Shutting down: the pacer may already be gone. */
  if (g_cancellable_is_cancelled (pub->cancellable))
    return G_SOURCE_REMOVE;

  if (error) {
    g_clear_handle_id (&pub->connect_timeout, g_source_remove);
    whip_peer_fail (pub, "answer", -1, NULL, "set-remote-description: %s",
        error->message);
    whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
    return G_SOURCE_REMOVE;
  }
  if (pub->pipeline && !pub->feed)
    pub->feed = whip_pacer_attach (pub->pacer, pub->province,
        pub->pipeline, pub->video_src, pub->audio_src);
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
  if (pub->ice_connected || pub->outcome == WHIP_OUTCOME_FAILED)
    return G_SOURCE_REMOVE;
  whip_peer_fail (pub, "ice", -1, NULL,
      "ICE not connected %d s after the answer", WHIP_CONNECT_TIMEOUT_S);
  if (pub->config->expect_status < 0)
    whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
  return G_SOURCE_REMOVE;
}

void
whip_peer_apply_answer (WhipPublisher *pub, const char *text)
{
  g_autoptr (GstSDPMessage) sdp = NULL;
  GstWebRTCSessionDescription *answer;
  GstPromise *promise;

  if (gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK ||
      gst_sdp_message_medias_len (sdp) == 0) {
    whip_peer_fail (pub, "answer", pub->status, text,
        "the answer is not usable SDP");
    whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
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
send_offer (WhipPublisher *pub)
{
  GstWebRTCSessionDescription *desc = NULL;
  g_autofree char *sdp = NULL;
  JsonBuilder *b;

  if (pub->offer_taken || pub->outcome != WHIP_OUTCOME_PENDING)
    return;
  pub->offer_taken = TRUE;
  g_clear_handle_id (&pub->gather_timeout, g_source_remove);

  /* webrtcbin adds each gathered candidate to the local description. */
  g_object_get (pub->webrtc, "local-description", &desc, NULL);
  if (!desc) {
    whip_peer_fail (pub, "offer", -1, NULL, "no local description");
    whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
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
    whip_peer_set_outcome (pub, WHIP_OUTCOME_DONE_OK);
    return;
  }

  whip_peer_post_offer (pub, g_steal_pointer (&sdp));
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
      whip_peer_set_outcome (pub, WHIP_OUTCOME_STREAMING);
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
    whip_peer_fail (pub, "ice", -1, NULL, "ICE failed");
    whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
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
    /* ICE alone is the bar for success, but a session whose DTLS (or
     * consent) failed is not publishing, and a test must not pass on it.
     * Under --expect-status only the HTTP status counts. */
    if (pc == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED &&
        pub->config->expect_status < 0 &&
        pub->outcome != WHIP_OUTCOME_FAILED) {
      whip_peer_fail (pub, "connection", -1, NULL,
          "peer connection failed%s",
          pub->ice_connected ? " after ICE connected (DTLS?)" : "");
      whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
    }
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
  if (!whip_peer_build_pipeline (pub, &error)) {
    whip_peer_fail (pub, "pipeline", -1, NULL, "%s", error->message);
    whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
    return;
  }
  for (const char *const *p = (const char *const[]) {
          "notify::ice-gathering-state", "notify::ice-connection-state",
          "notify::connection-state", NULL}; *p; p++)
    g_signal_connect (pub->webrtc, *p, G_CALLBACK (webrtc_notify_cb), pub);
  if (gst_element_set_state (pub->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    whip_peer_fail (pub, "pipeline", -1, NULL, "cannot start the pipeline");
    whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
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

