/* The GStreamer plumbing every pipeline shares (pipelines/gst-util.c):
 * element creation that names a missing factory and its Debian package,
 * the bus handler (errors and warnings logged under the pipeline's label,
 * streaming threads lowered as they start, nothing left queued), and the
 * live source pads' answers to queries and upstream events. */
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gst/gst.h>

#include "pipelines/gst-util.h"

/* ---- log capture -------------------------------------------------------- */

/* relay_warn lines, as "PROVINCE|MESSAGE". */
static GMutex logged_lock;
static GPtrArray *logged;

static GLogWriterOutput
capture_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  const char *province = "", *message = "";
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "PROVINCE"))
        province = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
  if (level & G_LOG_LEVEL_WARNING)
    {
      g_mutex_lock (&logged_lock);
      g_ptr_array_add (logged, g_strdup_printf ("%s|%s", province, message));
      g_mutex_unlock (&logged_lock);
    }
  return G_LOG_WRITER_HANDLED;
}

static gboolean
was_logged (const char *line)
{
  g_mutex_lock (&logged_lock);
  gboolean found = FALSE;
  for (guint i = 0; !found && i < logged->len; i++)
    found = g_str_equal (logged->pdata[i], line);
  g_mutex_unlock (&logged_lock);
  return found;
}

/* ---- elements ----------------------------------------------------------- */

static void
test_missing_factory_named (void)
{
  g_autoptr (GError) error = NULL;
  GstElement *e = relay_gst_element_new ("relaynosuchelement", "x", &error);
  g_assert_null (e);
  g_assert_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN);
  g_assert_nonnull (strstr (error->message, "relaynosuchelement"));

  g_clear_error (&error);
  e = relay_gst_element_new_with ("relaynosuchelement", &error, "name", "x", NULL);
  g_assert_null (e);
  g_assert_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN);
  g_assert_nonnull (strstr (error->message, "relaynosuchelement"));
}

/* A factory the relay uses whose plugin is not installed: the error names
 * the Debian package that brings it. The factory is taken out of this
 * process's registry, as if its package were not installed. */
static void
test_missing_plugin_names_package (void)
{
  g_assert_cmpstr (relay_gst_debian_package ("x264enc"), ==, "gstreamer1.0-plugins-ugly");
  g_assert_cmpstr (relay_gst_debian_package ("avdec_h264"), ==, "gstreamer1.0-libav");
  g_assert_cmpstr (relay_gst_debian_package ("rtpjitterbuffer"), ==, "gstreamer1.0-plugins-good");
  g_assert_cmpstr (relay_gst_debian_package ("opusenc"), ==, "gstreamer1.0-plugins-base");
  g_assert_null (relay_gst_debian_package ("relaynosuchelement"));

  GstRegistry *registry = gst_registry_get ();
  GstPluginFeature *feature = gst_registry_lookup_feature (registry, "opusenc");
  if (feature)
    {
      gst_registry_remove_feature (registry, feature);
      gst_object_unref (feature);
    }
  g_autoptr (GError) error = NULL;
  GstElement *e = relay_gst_element_new ("opusenc", NULL, &error);
  g_assert_null (e);
  g_assert_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN);
  g_assert_nonnull (strstr (error->message, "opusenc"));
  g_assert_nonnull (strstr (error->message, "gstreamer1.0-plugins-base"));
}

static void
test_construct_properties (void)
{
  g_autoptr (GError) error = NULL;
  GstElement *e = relay_gst_element_new_with ("fakesink", &error, "name", "out", "sync", FALSE,
                                              NULL);
  g_assert_no_error (error);
  g_assert_nonnull (e);
  gst_object_ref_sink (e);
  g_assert_cmpstr (GST_OBJECT_NAME (e), ==, "out");
  gboolean sync = TRUE;
  g_object_get (e, "sync", &sync, NULL);
  g_assert_false (sync);
  gst_object_unref (e);

  e = relay_gst_element_new ("fakesink", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (e);
  gst_object_unref (gst_object_ref_sink (e));
}

/* ---- the bus ------------------------------------------------------------ */

static void
test_bus_logs_errors_and_warnings (void)
{
  GstElement *pipeline = relay_gst_pipeline_new ("ingest-TH-50", "TH-50", "media pipeline");
  GstElement *sink = relay_gst_element_new ("fakesink", "video_out", NULL);
  gst_bin_add (GST_BIN (pipeline), sink);

  GError err = { GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE, (char *) "bad frame" };
  gst_element_post_message (sink, gst_message_new_error (GST_OBJECT (sink), &err, "details"));
  GError warn = { GST_CORE_ERROR, GST_CORE_ERROR_CLOCK, (char *) "late" };
  gst_element_post_message (sink, gst_message_new_warning (GST_OBJECT (sink), &warn, NULL));
  gst_element_post_message (sink, gst_message_new_eos (GST_OBJECT (sink)));

  g_assert_true (was_logged ("TH-50|media pipeline error from video_out: bad frame"));
  g_assert_true (was_logged ("TH-50|media pipeline warning from video_out: late"));
  /* Handled on the posting thread and dropped: nothing waits on the bus. */
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  g_assert_false (gst_bus_have_pending (bus));
  relay_gst_pipeline_free (pipeline);

  /* Without a province the line has none ("-"). */
  pipeline = relay_gst_pipeline_new ("conference-mixer", NULL, "conference mixer");
  gst_element_post_message (pipeline,
                            gst_message_new_error (GST_OBJECT (pipeline), &err, NULL));
  g_assert_true (was_logged ("-|conference mixer error from conference-mixer: bad frame"));
  relay_gst_pipeline_free (pipeline);
  relay_gst_pipeline_free (NULL);
}

typedef struct {
  GstElement *pipeline;
  int nice_before, nice_after;
} EnterData;

/* Posts ENTER as a new streaming thread does, from the thread itself. */
static gpointer
streaming_thread (gpointer data)
{
  EnterData *d = data;
  d->nice_before = getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid));
  gst_element_post_message (d->pipeline,
                            gst_message_new_stream_status (GST_OBJECT (d->pipeline),
                                                           GST_STREAM_STATUS_TYPE_ENTER,
                                                           d->pipeline));
  d->nice_after = getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid));
  return NULL;
}

static void
test_bus_lowers_streaming_threads (void)
{
  EnterData d = { .pipeline = relay_gst_pipeline_new ("mosaic", NULL, "mosaic pipeline") };
  g_thread_join (g_thread_new ("streaming", streaming_thread, &d));
  relay_gst_pipeline_free (d.pipeline);
  /* Run under nice 5 or more (nice meson test), a thread cannot be seen
   * to go lower: nothing to tell. */
  if (d.nice_before >= 5)
    {
      g_test_skip ("the test already runs at nice 5 or more");
      return;
    }
  /* media-thread.c: nice 5, behind the transport workers. */
  g_assert_cmpint (d.nice_after, ==, 5);
}

/* ---- live source pads --------------------------------------------------- */

static void
test_live_src_pad_queries (void)
{
  g_autoptr (GstCaps) given = gst_caps_from_string ("video/x-raw,format=I420");
  GstPad *pad = relay_gst_live_src_pad_new ("in", given);
  g_assert_true (GST_PAD_IS_SRC (pad));
  g_assert_true (GST_PAD_IS_ACTIVE (pad));

  g_autoptr (GstQuery) latency = gst_query_new_latency ();
  g_assert_true (gst_pad_query (pad, latency));
  gboolean live = FALSE;
  GstClockTime min = 1, max = 1;
  gst_query_parse_latency (latency, &live, &min, &max);
  g_assert_true (live);
  g_assert_cmpuint (min, ==, 0);
  g_assert_cmpuint (max, ==, GST_CLOCK_TIME_NONE);

  /* Before any caps event: the caps it was made with. */
  g_autoptr (GstQuery) caps_query = gst_query_new_caps (NULL);
  g_assert_true (gst_pad_query (pad, caps_query));
  GstCaps *answer = NULL;
  gst_query_parse_caps_result (caps_query, &answer);
  g_assert_true (gst_caps_is_equal (answer, given));

  g_autoptr (GstCaps) sized = gst_caps_from_string ("video/x-raw,format=I420,width=64,height=48");
  g_autoptr (GstQuery) accept = gst_query_new_accept_caps (sized);
  g_assert_true (gst_pad_query (pad, accept));
  gboolean accepted = FALSE;
  gst_query_parse_accept_caps_result (accept, &accepted);
  g_assert_true (accepted);

  /* Once it has caps: those. */
  gst_pad_push_event (pad, gst_event_new_stream_start ("test"));
  gst_pad_push_event (pad, gst_event_new_caps (sized));
  g_autoptr (GstQuery) caps_after = gst_query_new_caps (NULL);
  g_assert_true (gst_pad_query (pad, caps_after));
  gst_query_parse_caps_result (caps_after, &answer);
  g_assert_true (gst_caps_is_equal (answer, sized));

  /* Upstream events end at the pad, accepted. */
  g_assert_true (gst_pad_send_event (pad, gst_event_new_reconfigure ()));

  g_autoptr (GstQuery) other = gst_query_new_duration (GST_FORMAT_TIME);
  g_assert_false (gst_pad_query (pad, other));
  gst_pad_set_active (pad, FALSE);
  gst_object_unref (pad);
}

static void
test_live_src_pad_without_caps (void)
{
  GstPad *pad = relay_gst_live_src_pad_new ("pcm", NULL);
  g_autoptr (GstQuery) latency = gst_query_new_latency ();
  g_assert_true (gst_pad_query (pad, latency));
  /* The peer decides the caps. */
  g_autoptr (GstQuery) caps_query = gst_query_new_caps (NULL);
  g_assert_false (gst_pad_query (pad, caps_query));
  gst_pad_set_active (pad, FALSE);
  gst_object_unref (pad);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  logged = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_test_add_func ("/gst-util/missing-factory-named", test_missing_factory_named);
  g_test_add_func ("/gst-util/missing-plugin-names-package", test_missing_plugin_names_package);
  g_test_add_func ("/gst-util/construct-properties", test_construct_properties);
  g_test_add_func ("/gst-util/bus-logs-errors-and-warnings", test_bus_logs_errors_and_warnings);
  g_test_add_func ("/gst-util/bus-lowers-streaming-threads", test_bus_lowers_streaming_threads);
  g_test_add_func ("/gst-util/live-src-pad-queries", test_live_src_pad_queries);
  g_test_add_func ("/gst-util/live-src-pad-without-caps", test_live_src_pad_without_caps);
  int ret = g_test_run ();
  g_ptr_array_unref (logged);
  return ret;
}
