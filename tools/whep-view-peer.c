/* One WHEP viewer: non-trickle negotiation with webrtcbin and the viewer's
 * lifecycle.  HTTP is in whep-view-http.c, the pipeline and media probes in
 * whep-view-media.c.
 *
 * webrtcbin resolves promises and notifies properties on its own threads;
 * each of those is bounced to the main context, so viewer state outside
 * the counters is only touched there. */
#include "whep-view.h"

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
  va_list args;

  va_start (args, format);
  tool_event_end_error (whep_event_begin (v->index, "error"), stage, status,
      body, format, args);
  va_end (args);
}

/* --- offer --- */

static gboolean on_connect_timeout (gpointer data);

static gboolean
offer_active (gpointer viewer)
{
  WhepViewer *v = viewer;

  return !g_cancellable_is_cancelled (v->cancellable) &&
      v->outcome == WHEP_OUTCOME_PENDING;
}

static void
offer_fail (gpointer viewer, const char *message)
{
  whep_viewer_fail (viewer, "offer", -1, NULL, "%s", message);
  whep_viewer_set_outcome (viewer, WHEP_OUTCOME_FAILED);
}

static void
offer_ready (gpointer viewer, char *sdp)
{
  WhepViewer *v = viewer;

  if (v->config->server_offer) {
    /* The local description is our answer: send it, then wait for media. */
    whep_viewer_patch_answer (v, sdp);
    v->answered_us = g_get_monotonic_time ();
    v->connect_timeout = g_timeout_add_seconds (WHEP_CONNECT_TIMEOUT_S,
        on_connect_timeout, v);
  } else {
    v->posted_us = g_get_monotonic_time ();
    whep_viewer_post_offer (v, sdp);
  }
}

static const ToolOfferHooks offer_hooks = {
  offer_active, offer_fail, offer_ready,
};

/* --- answer --- */

static gboolean
on_remote_set (gpointer data)
{
  ToolPromiseReply *reply = data;
  WhepViewer *v = reply->peer;
  g_autoptr (GError) error = tool_promise_error (reply->promise);

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
    tool_offer_create (&v->offer, &offer_hooks, v, v->webrtc, v->label,
        "answer");
    return G_SOURCE_REMOVE;
  }
  if (v->config->expect_status < 0)
    whep_viewer_set_outcome (v, WHEP_OUTCOME_RECEIVING);
  return G_SOURCE_REMOVE;
}

static void
remote_set_cb (GstPromise *promise, gpointer data)
{
  tool_promise_bounce (promise, data, on_remote_set);
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
  if (!tool_webrtc_set_remote (v->webrtc, GST_WEBRTC_SDP_TYPE_ANSWER, text,
          remote_set_cb, v)) {
    whep_viewer_fail (v, "answer", v->status, text,
        "the answer is not usable SDP");
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
    return;
  }
  v->answered_us = g_get_monotonic_time ();
  v->connect_timeout = g_timeout_add_seconds (WHEP_CONNECT_TIMEOUT_S,
      on_connect_timeout, v);
}

void
whep_viewer_apply_offer (WhepViewer *v, const char *text)
{
  if (!tool_webrtc_set_remote (v->webrtc, GST_WEBRTC_SDP_TYPE_OFFER, text,
          remote_set_cb, v)) {
    whep_viewer_fail (v, "offer", v->status, text,
        "the server's offer is not usable SDP");
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
  }
}

/* --- connection state --- */

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
      tool_event_add_int (b, "ms", (now - v->started_us) / 1000);
      tool_event_add_int (b, "ms_after_answer", v->answered_us ?
          (now - v->answered_us) / 1000 : -1);
      tool_event_end (b);
      return;
    default:
      break;
  }
  b = whep_event_begin (v->index, "state");
  tool_event_add_string (b, "state",
      tool_enum_nick (GST_TYPE_WEBRTC_PEER_CONNECTION_STATE, state));
  tool_event_end (b);
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
  tool_offer_check (&v->offer);
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
  v->label = g_strdup_printf ("whep-view: viewer %d", index);
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
  tool_offer_create (&v->offer, &offer_hooks, v, v->webrtc, v->label,
      "offer");
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

  tool_event_add_int (b, "video_frames", g_atomic_int_get (&c->video_frames));
  tool_event_add_int (b, "audio_frames", g_atomic_int_get (&c->audio_frames));
  tool_event_add_int (b, "width", g_atomic_int_get (&c->width));
  tool_event_add_int (b, "height", g_atomic_int_get (&c->height));
  if (g_atomic_int_get (&c->fps_d) > 0) {
    g_autofree char *rate = g_strdup_printf ("%d/%d",
        g_atomic_int_get (&c->fps_n), g_atomic_int_get (&c->fps_d));

    tool_event_add_string (b, "framerate", rate);
  }
  tool_event_add_int (b, "received_frames",
      g_atomic_int_get (&c->received_frames));
  tool_event_add_int (b, "keyframes_received",
      g_atomic_int_get (&c->keyframes_received));
  tool_event_add_int (b, "matched_reference_frames",
      g_atomic_int_get (&c->matched));
  tool_event_add_int (b, "unmatched_frames", g_atomic_int_get (&c->unmatched));
  tool_event_add_int (b, "keyframes_requested",
      g_atomic_int_get (&c->keyframes_requested));
  tool_event_add_int (b, "suppressed_keyframe_requests",
      g_atomic_int_get (&c->suppressed_requests));
  tool_event_add_int (b, "rtp_packets", g_atomic_int_get (&c->rtp_packets));
  tool_event_add_int (b, "largest_rtp", g_atomic_int_get (&c->largest_rtp));
  if (v->config->nack_flood > 0) {
    tool_event_add_int (b, "flood_nacks", g_atomic_int_get (&c->flood_nacks));
    tool_event_add_int (b, "flood_entries",
        g_atomic_int_get (&c->flood_entries));
  }
}

void
whep_viewer_halt (WhepViewer *v)
{
  g_cancellable_cancel (v->cancellable);
  tool_offer_clear (&v->offer);
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
  g_free (v->label);
  g_free (v);
}
