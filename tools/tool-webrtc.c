/* webrtcbin helpers for the test tools; see tool-webrtc.h. */
#include "tool-webrtc.h"

#include <gio/gio.h>

/* --- promises --- */

static void
reply_free (ToolPromiseReply *reply)
{
  gst_promise_unref (reply->promise);
  g_free (reply);
}

void
tool_promise_bounce (GstPromise *promise, gpointer peer, GSourceFunc func)
{
  ToolPromiseReply *reply = g_new0 (ToolPromiseReply, 1);

  reply->peer = peer;
  reply->promise = gst_promise_ref (promise);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, func, reply,
      (GDestroyNotify) reply_free);
}

GError *
tool_promise_error (GstPromise *promise)
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

GstWebRTCSessionDescription *
tool_promise_description (GstPromise *promise, const char *field,
    GError **error)
{
  g_autoptr (GError) promise_error = tool_promise_error (promise);
  GstWebRTCSessionDescription *desc = NULL;
  const GstStructure *s = gst_promise_get_reply (promise);

  if (!promise_error && s)
    gst_structure_get (s, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc,
        NULL);
  if (desc)
    return desc;
  if (promise_error)
    g_propagate_error (error, g_steal_pointer (&promise_error));
  else
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "no offer in the reply");
  return NULL;
}

/* --- descriptions --- */

void
tool_webrtc_create (GstElement *webrtc, const char *signal,
    GstPromiseChangeFunc done, gpointer data)
{
  GstPromise *promise = gst_promise_new_with_change_func (done, data, NULL);

  g_signal_emit_by_name (webrtc, signal, NULL, promise);
  gst_promise_unref (promise);
}

void
tool_webrtc_set_local (GstElement *webrtc,
    const GstWebRTCSessionDescription *desc, GstPromiseChangeFunc done,
    gpointer data)
{
  GstPromise *promise = gst_promise_new_with_change_func (done, data, NULL);

  g_signal_emit_by_name (webrtc, "set-local-description", desc, promise);
  gst_promise_unref (promise);
}

gboolean
tool_webrtc_set_remote (GstElement *webrtc, GstWebRTCSDPType type,
    const char *text, GstPromiseChangeFunc done, gpointer data)
{
  g_autoptr (GstSDPMessage) sdp = NULL;
  GstWebRTCSessionDescription *desc;
  GstPromise *promise;

  if (gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK ||
      gst_sdp_message_medias_len (sdp) == 0)
    return FALSE;
  desc = gst_webrtc_session_description_new (type, g_steal_pointer (&sdp));
  promise = gst_promise_new_with_change_func (done, data, NULL);
  g_signal_emit_by_name (webrtc, "set-remote-description", desc, promise);
  gst_promise_unref (promise);
  gst_webrtc_session_description_free (desc);
  return TRUE;
}

char *
tool_webrtc_local_sdp (GstElement *webrtc)
{
  GstWebRTCSessionDescription *desc = NULL;
  char *text;

  g_object_get (webrtc, "local-description", &desc, NULL);
  if (!desc)
    return NULL;
  text = gst_sdp_message_as_text (desc->sdp);
  gst_webrtc_session_description_free (desc);
  return text;
}

gboolean
tool_webrtc_gathering_complete (GstElement *webrtc)
{
  GstWebRTCICEGatheringState state;

  g_object_get (webrtc, "ice-gathering-state", &state, NULL);
  return state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE;
}

/* --- the local description --- */

static void
offer_hand_over (ToolOffer *o)
{
  char *sdp;

  if (o->taken)
    return;
  o->taken = TRUE;
  g_clear_handle_id (&o->gather_timeout, g_source_remove);
  if (!o->hooks->active (o->peer))
    return;
  sdp = tool_webrtc_local_sdp (o->webrtc);
  if (!sdp)
    o->hooks->fail (o->peer, "no local description");
  else
    o->hooks->ready (o->peer, sdp);
}

static gboolean
on_gather_timeout (gpointer data)
{
  ToolOffer *o = data;

  o->gather_timeout = 0;
  g_printerr ("%s: ICE gathering not complete after %d ms, sending the "
      "candidates found so far\n", o->label, TOOL_GATHER_TIMEOUT_MS);
  offer_hand_over (o);
  return G_SOURCE_REMOVE;
}

static gboolean
on_local_set (gpointer data)
{
  ToolPromiseReply *reply = data;
  ToolOffer *o = reply->peer;
  g_autoptr (GError) error = tool_promise_error (reply->promise);

  if (!o->hooks->active (o->peer))
    return G_SOURCE_REMOVE;
  if (error) {
    g_autofree char *message = g_strdup_printf ("set-local-description: %s",
        error->message);

    o->hooks->fail (o->peer, message);
    return G_SOURCE_REMOVE;
  }
  o->local_set = TRUE;
  if (tool_webrtc_gathering_complete (o->webrtc))
    offer_hand_over (o);
  else
    o->gather_timeout = g_timeout_add (TOOL_GATHER_TIMEOUT_MS,
        on_gather_timeout, o);
  return G_SOURCE_REMOVE;
}

static void
local_set_cb (GstPromise *promise, gpointer data)
{
  tool_promise_bounce (promise, data, on_local_set);
}

static gboolean
on_created (gpointer data)
{
  ToolPromiseReply *reply = data;
  ToolOffer *o = reply->peer;
  g_autoptr (GError) error = NULL;
  GstWebRTCSessionDescription *desc;

  if (!o->hooks->active (o->peer))
    return G_SOURCE_REMOVE;
  desc = tool_promise_description (reply->promise, o->kind, &error);
  if (!desc) {
    g_autofree char *message = g_strdup_printf ("create-%s: %s", o->kind,
        error->message);

    o->hooks->fail (o->peer, message);
    return G_SOURCE_REMOVE;
  }
  tool_webrtc_set_local (o->webrtc, desc, local_set_cb, o);
  gst_webrtc_session_description_free (desc);
  return G_SOURCE_REMOVE;
}

static void
created_cb (GstPromise *promise, gpointer data)
{
  tool_promise_bounce (promise, data, on_created);
}

void
tool_offer_create (ToolOffer *o, const ToolOfferHooks *hooks, gpointer peer,
    GstElement *webrtc, const char *label, const char *kind)
{
  g_autofree char *signal = g_strconcat ("create-", kind, NULL);

  o->hooks = hooks;
  o->peer = peer;
  o->webrtc = webrtc;
  o->label = label;
  o->kind = kind;
  tool_webrtc_create (webrtc, signal, created_cb, o);
}

void
tool_offer_check (ToolOffer *o)
{
  if (o->local_set && !o->taken &&
      tool_webrtc_gathering_complete (o->webrtc))
    offer_hand_over (o);
}

void
tool_offer_clear (ToolOffer *o)
{
  o->taken = TRUE;
  g_clear_handle_id (&o->gather_timeout, g_source_remove);
}

/* --- setup --- */

/* libnice's UPnP port mapping makes every agent start an SSDP search and an
 * HTTP listener; with dozens of agents in one process they collide on ports
 * and delay gathering past our cap, and a relay needs none of it.  ICE-TCP
 * candidates are dropped too: the relay is reached over UDP, and they cost
 * listening sockets and offer size.  Properties are set by name so that we
 * need not link libnice. */
void
tool_webrtc_quiet_ice_agent (GstElement *webrtc)
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

const char *
tool_enum_nick (GType type, int value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *ev = g_enum_get_value (klass, value);
  const char *nick = ev ? ev->value_nick : "unknown";

  /* Enum classes of registered types are never finalized, so the nick
   * outlives this reference. */
  g_type_class_unref (klass);
  return nick;
}

typedef struct {
  char *label;
  ToolBusErrorFunc on_error;
  gpointer peer;
} BusWatch;

static void
bus_watch_free (BusWatch *watch)
{
  g_free (watch->label);
  g_free (watch);
}

static gboolean
bus_cb (GstBus *bus, GstMessage *msg, gpointer data)
{
  BusWatch *watch = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (msg, &error, &debug);
      watch->on_error (watch->peer, GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)),
          error);
      if (debug)
        g_printerr ("%s: %s\n", watch->label, debug);
      break;
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (msg, &error, &debug);
      g_printerr ("%s: warning from %s: %s\n", watch->label,
          GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), error->message);
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

guint
tool_bus_watch (GstElement *pipeline, const char *label,
    ToolBusErrorFunc on_error, gpointer peer)
{
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  BusWatch *watch = g_new0 (BusWatch, 1);

  watch->label = g_strdup (label);
  watch->on_error = on_error;
  watch->peer = peer;
  return gst_bus_add_watch_full (bus, G_PRIORITY_DEFAULT, bus_cb, watch,
      (GDestroyNotify) bus_watch_free);
}
