/* One WHEP viewer: non-trickle negotiation with webrtcbin and the viewer's
 * lifecycle.  HTTP is in whep-view-http.c, the pipeline and media probes in
 * whep-view-media.c.
 *
 * webrtcbin resolves promises and notifies properties on its own threads;
 * each of those is bounced to the main context, so viewer state outside
 * the counters is only touched there. */
#include "whep-view.h"

#include <stdarg.h>

void
whep_viewer_set_outcome (WhepViewer *v, WhepOutcome outcome)
{
  /* A failure is final: later good news (a late frame) does not undo it. */
  if (v->outcome == outcome || v->outcome == WHEP_OUTCOME_FAILED)
    return;
  v->outcome = outcome;
  v->on_outcome (v, v->user_data);
}

void
whep_viewer_fail (WhepViewer *v, const char *stage, int status,
    const char *body, const char *format, ...)
{
  JsonBuilder *b = whep_event_begin (v->index, "error");

  whep_event_add_string (b, "stage", stage);
  if (status >= 0)
    whep_event_add_int (b, "status", status);
  if (body)
    whep_event_add_string (b, "body", body);
  if (format) {
    va_list args;
    g_autofree char *message = NULL;

    va_start (args, format);
    message = g_strdup_vprintf (format, args);
    va_end (args);
    whep_event_add_string (b, "message", message);
  }
  whep_event_end (b);
}

/* --- promises, bounced to the main context --- */

typedef struct {
  WhepViewer *viewer;
  GstPromise *promise;
} Reply;

static void
reply_free (Reply *reply)
{
  gst_promise_unref (reply->promise);
  g_free (reply);
}

static void
bounce (GstPromise *promise, WhepViewer *v, GSourceFunc func)
{
  Reply *reply = g_new0 (Reply, 1);

  reply->viewer = v;
  reply->promise = gst_promise_ref (promise);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, func, reply,
      (GDestroyNotify) reply_free);
}

static GError *
reply_error (GstPromise *promise)
{
  const GstStructure *s;
  GError *error = NULL;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
        "promise interrupted");
  s = gst_promise_get_reply (promise);
  if (s && gst_structure_has_field_typed (s, "error", G_TYPE_ERROR))
    gst_structure_get (s, "error", G_TYPE_ERROR, &error, NULL);
  return error;
}

/* --- offer --- */

static gboolean on_connect_timeout (gpointer data);

static gboolean
gathering_complete (WhepViewer *v)
{
  GstWebRTCICEGatheringState state;

  g_object_get (v->webrtc, "ice-gathering-state", &state, NULL);
  return state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE;
}

static void
send_offer (WhepViewer *v)
{
  GstWebRTCSessionDescription *desc = NULL;

  if (v->offer_taken || v->outcome != WHEP_OUTCOME_PENDING)
    return;
  v->offer_taken = TRUE;
  g_clear_handle_id (&v->gather_timeout, g_source_remove);

  /* The local description has gained every candidate gathered so far. */
  g_object_get (v->webrtc, "local-description", &desc, NULL);
  if (!desc) {
    whep_viewer_fail (v, "offer", -1, NULL, "no local description");
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
    return;
  }
  if (v->config->server_offer) {
    /* The local description is our answer: send it, then wait for media. */
    whep_viewer_patch_answer (v, gst_sdp_message_as_text (desc->sdp));
    v->answered_us = g_get_monotonic_time ();
    v->connect_timeout = g_timeout_add_seconds (WHEP_CONNECT_TIMEOUT_S,
        on_connect_timeout, v);
  } else {
    v->posted_us = g_get_monotonic_time ();
    whep_viewer_post_offer (v, gst_sdp_message_as_text (desc->sdp));
  }
  gst_webrtc_session_description_free (desc);
}

static gboolean
on_gather_timeout (gpointer data)
{
  WhepViewer *v = data;

  v->gather_timeout = 0;
  g_printerr ("whep-view: viewer %d: ICE gathering not complete after %d ms, "
      "sending the candidates found so far\n", v->index,
      WHEP_GATHER_TIMEOUT_MS);
  send_offer (v);
  return G_SOURCE_REMOVE;
}

static gboolean
on_local_set (gpointer data)
{
  Reply *reply = data;
  WhepViewer *v = reply->viewer;
  g_autoptr (GError) error = reply_error (reply->promise);

  if (g_cancellable_is_cancelled (v->cancellable) ||
      v->outcome != WHEP_OUTCOME_PENDING)
    return G_SOURCE_REMOVE;
  if (error) {
    whep_viewer_fail (v, "offer", -1, NULL, "set-local-description: %s",
        error->message);
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
    return G_SOURCE_REMOVE;
  }
  v->local_set = TRUE;
  /* WHEP without trickle: the one offer must carry every candidate, but a
   * host with a dead interface must not hold the test up for long. */
  if (gathering_complete (v))
    send_offer (v);
  else
    v->gather_timeout = g_timeout_add (WHEP_GATHER_TIMEOUT_MS,
        on_gather_timeout, v);
  return G_SOURCE_REMOVE;
}

static void
local_set_cb (GstPromise *promise, gpointer data)
{
  bounce (promise, data, on_local_set);
}

static gboolean
on_offer_created (gpointer data)
{
  Reply *reply = data;
  WhepViewer *v = reply->viewer;
  g_autoptr (GError) error = reply_error (reply->promise);
  GstWebRTCSessionDescription *offer = NULL;
  const GstStructure *s;
  GstPromise *promise;

  if (g_cancellable_is_cancelled (v->cancellable) ||
      v->outcome != WHEP_OUTCOME_PENDING)
    return G_SOURCE_REMOVE;
  s = gst_promise_get_reply (reply->promise);
  if (!error && s)
    gst_structure_get (s, v->config->server_offer ? "answer" : "offer",
        GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, NULL);
  if (!offer) {
    whep_viewer_fail (v, "offer", -1, NULL, "create-%s: %s",
        v->config->server_offer ? "answer" : "offer",
        error ? error->message : "no offer in the reply");
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
    return G_SOURCE_REMOVE;
  }
  promise = gst_promise_new_with_change_func (local_set_cb, v, NULL);
  g_signal_emit_by_name (v->webrtc, "set-local-description", offer, promise);
  gst_promise_unref (promise);
  gst_webrtc_session_description_free (offer);
  return G_SOURCE_REMOVE;
}

static void
offer_created_cb (GstPromise *promise, gpointer data)
{
  bounce (promise, data, on_offer_created);
}

/* --- answer --- */

static gboolean
on_remote_set (gpointer data)
{
  Reply *reply = data;
  WhepViewer *v = reply->viewer;
  g_autoptr (GError) error = reply_error (reply->promise);

  if (g_cancellable_is_cancelled (v->cancellable))
    return G_SOURCE_REMOVE;
  if (error) {
    g_clear_handle_id (&v->connect_timeout, g_source_remove);
    whep_viewer_fail (v, "answer", -1, NULL, "set-remote-description: %s",
        error->message);
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
    return G_SOURCE_REMOVE;
  }
  if (v->config->server_offer) {
    /* The server's offer is in: answer it (sent once gathering is done). */
    GstPromise *promise =
        gst_promise_new_with_change_func (offer_created_cb, v, NULL);

    g_signal_emit_by_name (v->webrtc, "create-answer", NULL, promise);
    gst_promise_unref (promise);
    return G_SOURCE_REMOVE;
  }
  if (v->config->expect_status < 0)
    whep_viewer_set_outcome (v, WHEP_OUTCOME_RECEIVING);
  return G_SOURCE_REMOVE;
}

static void
remote_set_cb (GstPromise *promise, gpointer data)
{
  bounce (promise, data, on_remote_set);
}

static gboolean
on_connect_timeout (gpointer data)
{
  WhepViewer *v = data;

  v->connect_timeout = 0;
  if (v->connected)
    return G_SOURCE_REMOVE;
  whep_viewer_fail (v, "connection", -1, NULL,
      "not connected (ICE+DTLS) %d s after the answer",
      WHEP_CONNECT_TIMEOUT_S);
  if (v->config->expect_status < 0)
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
  return G_SOURCE_REMOVE;
}

void
whep_viewer_apply_answer (WhepViewer *v, const char *text)
{
  g_autoptr (GstSDPMessage) sdp = NULL;
  GstWebRTCSessionDescription *answer;
  GstPromise *promise;

  if (gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK ||
      gst_sdp_message_medias_len (sdp) == 0) {
    whep_viewer_fail (v, "answer", v->status, text,
        "the answer is not usable SDP");
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
    return;
  }
  answer = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER,
      g_steal_pointer (&sdp));
  promise = gst_promise_new_with_change_func (remote_set_cb, v, NULL);
  g_signal_emit_by_name (v->webrtc, "set-remote-description", answer,
      promise);
  gst_promise_unref (promise);
  gst_webrtc_session_description_free (answer);

  v->answered_us = g_get_monotonic_time ();
  v->connect_timeout = g_timeout_add_seconds (WHEP_CONNECT_TIMEOUT_S,
      on_connect_timeout, v);
}

void
whep_viewer_apply_offer (WhepViewer *v, const char *text)
{
  g_autoptr (GstSDPMessage) sdp = NULL;
  GstWebRTCSessionDescription *offer;
  GstPromise *promise;

  if (gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK ||
      gst_sdp_message_medias_len (sdp) == 0) {
    whep_viewer_fail (v, "offer", v->status, text,
        "the server's offer is not usable SDP");
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
    return;
  }
  offer = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER,
      g_steal_pointer (&sdp));
  promise = gst_promise_new_with_change_func (remote_set_cb, v, NULL);
  g_signal_emit_by_name (v->webrtc, "set-remote-description", offer,
      promise);
  gst_promise_unref (promise);
  gst_webrtc_session_description_free (offer);
}

/* --- connection state --- */

static const char *
enum_nick (GType type, int value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *ev = g_enum_get_value (klass, value);
  const char *nick = ev ? ev->value_nick : "unknown";

  /* Registered enum classes stay alive; the nick outlives the ref. */
  g_type_class_unref (klass);
  return nick;
}

static void
on_connection_state (WhepViewer *v, GstWebRTCPeerConnectionState state)
{
  gint64 now = g_get_monotonic_time ();
  JsonBuilder *b;

  switch (state) {
    case GST_WEBRTC_PEER_CONNECTION_STATE_NEW:
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTING:
      return;
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED:
      if (v->connected)
        return;
      /* The peer connection state folds ICE and DTLS together: connected
       * means SRTP keys exist and media can flow. */
      v->connected = TRUE;
      g_clear_handle_id (&v->connect_timeout, g_source_remove);
      b = whep_event_begin (v->index, "connected");
      whep_event_add_int (b, "ms", (now - v->started_us) / 1000);
      whep_event_add_int (b, "ms_after_answer", v->answered_us ?
          (now - v->answered_us) / 1000 : -1);
      whep_event_end (b);
      return;
    default:
      break;
  }
  b = whep_event_begin (v->index, "state");
  whep_event_add_string (b, "state",
      enum_nick (GST_TYPE_WEBRTC_PEER_CONNECTION_STATE, state));
  whep_event_end (b);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED &&
      v->config->expect_status < 0) {
    whep_viewer_fail (v, "connection", -1, NULL, "peer connection failed%s",
        v->connected ? " after connecting" : "");
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
  }
}

static gboolean
on_webrtc_changed (gpointer data)
{
  WhepViewer *v = data;
  GstWebRTCPeerConnectionState pc;

  if (!v->webrtc || g_cancellable_is_cancelled (v->cancellable))
    return G_SOURCE_REMOVE;
  g_object_get (v->webrtc, "connection-state", &pc, NULL);
  if (pc != v->pc_state) {
    v->pc_state = pc;
    on_connection_state (v, pc);
  }
  if (v->local_set && !v->offer_taken && gathering_complete (v))
    send_offer (v);
  return G_SOURCE_REMOVE;
}

static void
webrtc_notify_cb (GObject *object, GParamSpec *pspec, gpointer data)
{
  g_main_context_invoke (NULL, on_webrtc_changed, data);
}

/* --- lifecycle --- */

WhepViewer *
whep_viewer_new (int index, const WhepConfig *config, SoupSession *session,
    WhepOutcomeFunc on_outcome, gpointer user_data)
{
  WhepViewer *v = g_new0 (WhepViewer, 1);

  v->index = index;
  v->config = config;
  v->session = session;
  v->on_outcome = on_outcome;
  v->user_data = user_data;
  v->cancellable = g_cancellable_new ();
  v->status = -1;
  v->outcome = WHEP_OUTCOME_PENDING;
  v->first_frame_ms[0] = v->first_frame_ms[1] = -1;
  g_mutex_init (&v->lock);
  v->measure = whep_measure_new (config);
  return v;
}

void
whep_viewer_start (WhepViewer *v)
{
  g_autoptr (GError) error = NULL;
  GstPromise *promise;

  v->started_us = g_get_monotonic_time ();
  if (!whep_viewer_build_pipeline (v, &error)) {
    whep_viewer_fail (v, "pipeline", -1, NULL, "%s", error->message);
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
    return;
  }
  g_signal_connect (v->webrtc, "notify::ice-gathering-state",
      G_CALLBACK (webrtc_notify_cb), v);
  g_signal_connect (v->webrtc, "notify::connection-state",
      G_CALLBACK (webrtc_notify_cb), v);
  if (gst_element_set_state (v->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    whep_viewer_fail (v, "pipeline", -1, NULL, "cannot start the pipeline");
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
    return;
  }
  if (v->config->server_offer) {
    /* Join time counts from this request, as in the usual mode. */
    v->posted_us = g_get_monotonic_time ();
    whep_viewer_post_offer (v, g_strdup (""));
    return;
  }
  promise = gst_promise_new_with_change_func (offer_created_cb, v, NULL);
  g_signal_emit_by_name (v->webrtc, "create-offer", NULL, promise);
  gst_promise_unref (promise);
}

gboolean
whep_viewer_succeeded (WhepViewer *v)
{
  /* Under --expect-status the HTTP status is the whole test: what the
   * media does afterwards is only reported. */
  if (v->config->expect_status >= 0)
    return v->status == v->config->expect_status;
  return v->outcome == WHEP_OUTCOME_RECEIVING &&
      (guint) g_atomic_int_get (&v->counters.video_frames) >=
      v->config->min_frames;
}

void
whep_viewer_add_counters (WhepViewer *v, JsonBuilder *b)
{
  WhepCounters *c = &v->counters;

  whep_event_add_int (b, "video_frames", g_atomic_int_get (&c->video_frames));
  whep_event_add_int (b, "audio_frames", g_atomic_int_get (&c->audio_frames));
  whep_event_add_int (b, "width", g_atomic_int_get (&c->width));
  whep_event_add_int (b, "height", g_atomic_int_get (&c->height));
  whep_event_add_int (b, "received_frames",
      g_atomic_int_get (&c->received_frames));
  whep_event_add_int (b, "keyframes_received",
      g_atomic_int_get (&c->keyframes_received));
  whep_event_add_int (b, "matched_reference_frames",
      g_atomic_int_get (&c->matched));
  whep_event_add_int (b, "unmatched_frames", g_atomic_int_get (&c->unmatched));
  whep_event_add_int (b, "keyframes_requested",
      g_atomic_int_get (&c->keyframes_requested));
  whep_event_add_int (b, "suppressed_keyframe_requests",
      g_atomic_int_get (&c->suppressed_requests));
}

void
whep_viewer_halt (WhepViewer *v)
{
  g_cancellable_cancel (v->cancellable);
  g_clear_handle_id (&v->gather_timeout, g_source_remove);
  g_clear_handle_id (&v->connect_timeout, g_source_remove);
  g_clear_pointer (&v->keyframe_timers, g_ptr_array_unref);
  /* Media stops now; DELETE still needs the main loop, not the pipeline. */
  if (v->pipeline)
    gst_element_set_state (v->pipeline, GST_STATE_NULL);
}

void
whep_viewer_free (WhepViewer *v)
{
  if (!v)
    return;
  whep_viewer_halt (v);
  if (v->webrtc)
    g_signal_handlers_disconnect_by_data (v->webrtc, v);
  g_clear_handle_id (&v->bus_watch, g_source_remove);
  gst_clear_object (&v->video_depay_sink);
  gst_clear_object (&v->pipeline);
  v->webrtc = NULL;
  g_clear_object (&v->post_msg);
  g_clear_object (&v->cancellable);
  g_mutex_clear (&v->lock);
  whep_measure_free (v->measure);
  g_free (v->location);
  g_free (v);
}
