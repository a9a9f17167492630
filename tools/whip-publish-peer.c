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
  va_list args;

  va_start (args, format);
  tool_event_end_error (whip_event_begin (pub->province, "error"), stage,
      status, body, format, args);
  va_end (args);
}

/* --- offer --- */

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

/* Before each of our sha-256 lines: a stranger's sha-256 fingerprint and a
 * sha-1 line (a weak hash the relay must skip), so ours comes third. */
static char *
add_decoy_fingerprints (const char *sdp)
{
  g_auto (GStrv) lines = g_strsplit (sdp, "\r\n", -1);
  GString *out = g_string_new (NULL);
  const char *prefix = "a=fingerprint:sha-256 ";

  for (char **l = lines; *l; l++) {
    if (g_str_has_prefix (*l, prefix)) {
      g_autofree char *fake = fake_fingerprint (*l + strlen (prefix));

      g_string_append_printf (out, "%s%s\r\n", prefix, fake);
      /* 20 octets: the first 59 characters of a sha-256 value. */
      g_string_append_printf (out, "a=fingerprint:sha-1 %.59s\r\n", fake);
    }
    g_string_append (out, *l);
    if (l[1] != NULL)
      g_string_append (out, "\r\n");
  }
  return g_string_free (out, FALSE);
}

static gboolean
on_remote_description_set (gpointer data)
{
  ToolPromiseReply *reply = data;
  WhipPublisher *pub = reply->peer;
  g_autoptr (GError) error = tool_promise_error (reply->promise);

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
  tool_promise_bounce (promise, data, on_remote_description_set);
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
  if (!tool_webrtc_set_remote (pub->webrtc, GST_WEBRTC_SDP_TYPE_ANSWER, text,
          remote_description_set_cb, pub)) {
    whip_peer_fail (pub, "answer", pub->status, text,
        "the answer is not usable SDP");
    whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
    return;
  }
  pub->answered_us = g_get_monotonic_time ();
  pub->connect_timeout = g_timeout_add_seconds (WHIP_CONNECT_TIMEOUT_S,
      on_connect_timeout, pub);
}

static gboolean
offer_active (gpointer publisher)
{
  WhipPublisher *pub = publisher;

  /* Shutting down: the pacer may already be gone. */
  return !g_cancellable_is_cancelled (pub->cancellable) &&
      pub->outcome == WHIP_OUTCOME_PENDING;
}

static void
offer_fail (gpointer publisher, const char *message)
{
  whip_peer_fail (publisher, "offer", -1, NULL, "%s", message);
  whip_peer_set_outcome (publisher, WHIP_OUTCOME_FAILED);
}

static void
offer_ready (gpointer publisher, char *text)
{
  WhipPublisher *pub = publisher;
  g_autofree char *sdp = text;
  JsonBuilder *b;

  if (pub->config->wrong_fingerprint) {
    char *changed = replace_fingerprints (sdp);

    g_free (sdp);
    sdp = changed;
  }
  if (pub->config->decoy_fingerprints) {
    char *changed = add_decoy_fingerprints (sdp);

    g_free (sdp);
    sdp = changed;
  }

  if (pub->config->dry_run) {
    b = whip_event_begin (pub->province, "offer");
    tool_event_add_string (b, "offer", sdp);
    tool_event_end (b);
    whip_peer_set_outcome (pub, WHIP_OUTCOME_DONE_OK);
    return;
  }

  whip_peer_post_offer (pub, g_steal_pointer (&sdp));
}

static const ToolOfferHooks offer_hooks = {
  offer_active, offer_fail, offer_ready,
};

/* --- state reports --- */

static void
report_state (WhipPublisher *pub, const char *event, GType type, int value)
{
  JsonBuilder *b = whip_event_begin (pub->province, event);

  tool_event_add_string (b, "state", tool_enum_nick (type, value));
  tool_event_end (b);
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
    tool_event_add_int (b, "ms", (now - pub->started_us) / 1000);
    tool_event_add_int (b, "ms_after_answer", pub->answered_us ?
        (now - pub->answered_us) / 1000 : -1);
    tool_event_end (b);
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
  tool_offer_check (&pub->offer);
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
  pub->label = g_strdup_printf ("whip-publish: %s", province);
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
  tool_offer_create (&pub->offer, &offer_hooks, pub, pub->webrtc,
      pub->label, "offer");
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
  tool_offer_clear (&pub->offer);
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
  /* The pipeline is stopped: no probe can add another. */
  g_clear_handle_id (&pub->keyframe_report_source, g_source_remove);
  g_mutex_clear (&pub->keyframe_lock);
  g_free (pub->province);
  g_free (pub->label);
  g_free (pub->token);
  g_free (pub->post_url);
  g_free (pub->location);
  g_free (pub->etag);
  g_free (pub);
}

