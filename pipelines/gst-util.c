#include "pipelines/gst-util.h"

#include <stdarg.h>

#include "pipelines/media-thread.h"
#include "webrtc/base/log.h"

/* ---- elements ----------------------------------------------------------- */

/* The factories the relay's pipelines use, with the Debian 12 package of
 * the plugin that registers each (dpkg -S on the plugin gst-inspect-1.0
 * names). */
static const struct {
  const char *factory, *package;
} debian_packages[] = {
  { "capsfilter", "libgstreamer1.0-0" },
  { "fakesink", "libgstreamer1.0-0" },
  { "queue", "libgstreamer1.0-0" },
  { "compositor", "gstreamer1.0-plugins-base" },
  { "opusdec", "gstreamer1.0-plugins-base" },
  { "opusenc", "gstreamer1.0-plugins-base" },
  { "rtpjitterbuffer", "gstreamer1.0-plugins-good" },
  { "rtph264depay", "gstreamer1.0-plugins-good" },
  { "rtph264pay", "gstreamer1.0-plugins-good" },
  { "rtpopusdepay", "gstreamer1.0-plugins-good" },
  { "rtpopuspay", "gstreamer1.0-plugins-good" },
  { "rtpvp8depay", "gstreamer1.0-plugins-good" },
  { "rtpvp8pay", "gstreamer1.0-plugins-good" },
  { "vp8dec", "gstreamer1.0-plugins-good" },
  { "vp8enc", "gstreamer1.0-plugins-good" },
  { "x264enc", "gstreamer1.0-plugins-ugly" },
  { "avdec_h264", "gstreamer1.0-libav" },
};

const char *
relay_gst_debian_package (const char *factory)
{
  for (guint i = 0; factory && i < G_N_ELEMENTS (debian_packages); i++)
    if (g_str_equal (debian_packages[i].factory, factory))
      return debian_packages[i].package;
  return NULL;
}

/* Why `factory` gave no element: not installed (the usual case, a plugin
 * package left out), or installed and failing. */
static void
set_element_error (GError **error, const char *factory)
{
  g_autoptr (GstElementFactory) found = gst_element_factory_find (factory);
  const char *package = relay_gst_debian_package (factory);
  if (found)
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED,
                 "GStreamer element %s is installed but could not be created", factory);
  else if (package)
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                 "GStreamer element %s is missing (install the Debian package %s)", factory,
                 package);
  else
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                 "GStreamer element %s is missing (no GStreamer plugin installed provides it)",
                 factory);
}

GstElement *
relay_gst_element_new (const char *factory, const char *name, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, name);
  if (!element)
    set_element_error (error, factory);
  return element;
}

GstElement *
relay_gst_element_new_with (const char *factory, GError **error, const char *first_property,
                            ...)
{
  va_list properties;
  va_start (properties, first_property);
  GstElement *element = gst_element_factory_make_valist (factory, first_property, properties);
  va_end (properties);
  if (!element)
    set_element_error (error, factory);
  return element;
}

/* ---- pipelines and their bus -------------------------------------------- */

/* What the bus handler logs with; freed with the handler. */
typedef struct {
  char *province;
  char *what;
} BusLabel;

static void
bus_label_free (gpointer data)
{
  BusLabel *label = data;
  g_free (label->province);
  g_free (label->what);
  g_free (label);
}

static GstBusSyncReply
on_bus_message (GstBus *bus, GstMessage *msg, gpointer data)
{
  const BusLabel *label = data;
  switch (GST_MESSAGE_TYPE (msg))
    {
    case GST_MESSAGE_STREAM_STATUS:
      {
        GstStreamStatusType type;
        gst_message_parse_stream_status (msg, &type, NULL);
        /* ENTER is posted from the new streaming thread itself. */
        if (type == GST_STREAM_STATUS_TYPE_ENTER)
          relay_media_thread_lower_priority ();
        break;
      }
    case GST_MESSAGE_ERROR:
    case GST_MESSAGE_WARNING:
      {
        gboolean is_error = GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR;
        g_autoptr (GError) err = NULL;
        g_autofree char *debug = NULL;
        if (is_error)
          gst_message_parse_error (msg, &err, &debug);
        else
          gst_message_parse_warning (msg, &err, &debug);
        relay_warn (label->province, "%s %s from %s: %s", label->what,
                    is_error ? "error" : "warning", GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)),
                    err->message);
        break;
      }
    default:
      break;
    }
  return GST_BUS_DROP;
}

GstElement *
relay_gst_pipeline_new (const char *name, const char *province, const char *what)
{
  GstElement *pipeline = gst_pipeline_new (name);
  BusLabel *label = g_new0 (BusLabel, 1);
  label->province = g_strdup (province);
  label->what = g_strdup (what);
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  gst_bus_set_sync_handler (bus, on_bus_message, label, bus_label_free);
  return pipeline;
}

void
relay_gst_pipeline_free (GstElement *pipeline)
{
  if (!pipeline)
    return;
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_object_unref (pipeline);
}

/* ---- live source pads ----------------------------------------------------- */

/* The caps a live source pad was made with, kept on the pad:
 * given_caps_quark (). */
static G_DEFINE_QUARK (relay-gst-live-src-caps, given_caps)

gboolean
relay_gst_pad_drop_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  gst_event_unref (event);
  return TRUE;
}

static gboolean
on_live_src_query (GstPad *pad, GstObject *parent, GstQuery *query)
{
  GstCaps *given = g_object_get_qdata (G_OBJECT (pad), given_caps_quark ());
  switch (GST_QUERY_TYPE (query))
    {
    case GST_QUERY_LATENCY:
      gst_query_set_latency (query, TRUE, 0, GST_CLOCK_TIME_NONE);
      return TRUE;
    case GST_QUERY_CAPS:
      {
        if (!given)
          return FALSE;
        g_autoptr (GstCaps) current = gst_pad_get_current_caps (pad);
        gst_query_set_caps_result (query, current ? current : given);
        return TRUE;
      }
    case GST_QUERY_ACCEPT_CAPS:
      if (!given)
        return FALSE;
      gst_query_set_accept_caps_result (query, TRUE);
      return TRUE;
    default:
      return FALSE;
    }
}

GstPad *
relay_gst_live_src_pad_new (const char *name, GstCaps *caps)
{
  GstPad *pad = gst_pad_new (name, GST_PAD_SRC);
  if (caps)
    g_object_set_qdata_full (G_OBJECT (pad), given_caps_quark (), gst_caps_ref (caps),
                             (GDestroyNotify) gst_caps_unref);
  gst_pad_set_query_function (pad, on_live_src_query);
  gst_pad_set_event_function (pad, relay_gst_pad_drop_event);
  gst_pad_set_active (pad, TRUE);
  return pad;
}
