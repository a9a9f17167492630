/* The WebM writer, fed with frames the RTP frame assembler made of real
 * payloaded VP8 and Opus, checked by readers that are not ours: GStreamer
 * (matroskademux + vp8dec + opusdec decode every frame, and seek) and
 * ffprobe. Also: a file left unfinished (as a SIGKILL leaves it) still
 * plays and shows its duration; write errors come back as GErrors. */
#include "recording-test-util.h"

#include "relay/recording/webm-writer.h"

#define MEDIA_US (G_GINT64_CONSTANT (10) * G_USEC_PER_SEC)

static GPtrArray *vp8_frames, *opus_frames;

static void
load_frames (void)
{
  if (vp8_frames)
    return;
  g_autoptr (GPtrArray) v = make_rtp (RELAY_MEDIA_VP8, 0x1111, 100, 5000);
  g_autoptr (GPtrArray) a = make_rtp (RELAY_MEDIA_OPUS, 0x2222, 200, 7000);
  vp8_frames = assemble (RELAY_MEDIA_VP8, v, NULL);
  opus_frames = assemble (RELAY_MEDIA_OPUS, a, NULL);
  g_assert_cmpuint (vp8_frames->len, ==, MEDIA_FRAMES);
  g_assert_cmpuint (opus_frames->len, ==, a->len);
}

static RelayWriterParams
params (gboolean video, gboolean audio)
{
  RelayWriterParams p = { .video = video, .audio = audio, .fsync_interval_ms = 1000 };
  return p;
}

static GBytes *
read_all (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *data;
  gsize len;
  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static gboolean
contains (GBytes *bytes, gsize from, const guint8 *needle, gsize len)
{
  gsize size;
  const guint8 *d = g_bytes_get_data (bytes, &size);
  for (gsize i = from; i + len <= size; i++)
    if (memcmp (d + i, needle, len) == 0)
      return TRUE;
  return FALSE;
}

/* Seeks (key unit) to `seconds` and returns the first video PTS after. */
static GstClockTime
seek_and_peek (const char *path, double seconds)
{
  g_autofree char *desc = g_strdup_printf (
      "filesrc location=\"%s\" ! matroskademux ! video/x-vp8 ! appsink name=sink sync=false", path);
  g_autoptr (GstElement) pipeline = gst_parse_launch (desc, NULL);
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  g_assert_cmpint (gst_element_get_state (pipeline, NULL, NULL, 60 * GST_SECOND), ==,
                   GST_STATE_CHANGE_SUCCESS);
  g_assert_true (gst_element_seek_simple (pipeline, GST_FORMAT_TIME,
                                          GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT
                                            | GST_SEEK_FLAG_SNAP_BEFORE,
                                          (gint64) (seconds * GST_SECOND)));
  g_autoptr (GstSample) sample = gst_app_sink_try_pull_preroll (GST_APP_SINK (sink), 60 * GST_SECOND);
  g_assert_nonnull (sample);
  GstClockTime pts = GST_BUFFER_PTS (gst_sample_get_buffer (sample));
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return pts;
}

static void
test_finished (void)
{
  load_frames ();
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "office.webm", NULL);
  RelayWriterParams p = params (TRUE, TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayWebmWriter) w = relay_webm_writer_new (path, &p, &error);
  g_assert_no_error (error);
  feed (w, (PushFunc) relay_webm_writer_push, vp8_frames, opus_frames, G_MAXINT64);
  g_assert_true (relay_webm_writer_finish (w, &error));
  g_assert_no_error (error);
  RelayWriterStats stats;
  relay_webm_writer_get_stats (w, &stats);
  g_assert_cmpuint (stats.frames_written, ==, MEDIA_FRAMES + opus_frames->len);
  g_assert_cmpuint (stats.frames_dropped, ==, 0);
  g_assert_cmpint (ABS (stats.duration_us - MEDIA_US), <, 100 * 1000);

  const GArray *clusters = relay_webm_writer_get_fragments (w);
  g_assert_cmpuint (clusters->len, ==, stats.fragments);
  g_assert_cmpuint (clusters->len, >=, 8);
  guint keyed = 0;
  for (guint i = 0; i < clusters->len; i++)
    {
      const RelayFragmentInfo *c = &g_array_index (clusters, RelayFragmentInfo, i);
      g_assert_cmpint (c->duration_us, <=, 1300 * 1000);
      keyed += c->keyframe;
    }
  g_assert_cmpuint (keyed, >=, 4);

  /* Finished: the Segment has a size, and Cues follow the last cluster. */
  g_autoptr (GBytes) bytes = read_all (path);
  const RelayFragmentInfo *last = &g_array_index (clusters, RelayFragmentInfo, clusters->len - 1);
  static const guint8 cues_id[] = { 0x1c, 0x53, 0xbb, 0x6b };
  g_assert_true (contains (bytes, last->offset + last->size, cues_id, 4));
  static const guint8 unknown_size[] = { 0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff };
  g_assert_false (contains (bytes, 0, unknown_size, sizeof unknown_size));

  Decoded d = gst_decode (path, TRUE, TRUE);
  g_assert_false (d.error);
  g_assert_cmpuint (d.video_frames, ==, MEDIA_FRAMES);
  g_assert_cmpuint (d.audio_buffers, >=, opus_frames->len - 1);
  g_assert_cmpint (ABS (d.duration_ns - MEDIA_US * 1000), <, 200 * GST_MSECOND);
  g_assert_cmpfloat (ABS (ffprobe_duration (path) - 10.0), <, 0.2);
  g_assert_cmpuint (ffprobe_frames (path, "v:0"), ==, MEDIA_FRAMES);
  g_assert_cmpuint (container_keyframes (path), ==, MEDIA_FRAMES / 30);
  g_assert_cmpuint (ffprobe_frames (path, "a:0"), ==, opus_frames->len);
  /* Key frames every 2 s: a seek to 6.5 s lands on the one at 6 s. */
  GstClockTime pts = seek_and_peek (path, 6.5);
  g_assert_cmpuint (pts, >=, 5900 * GST_MSECOND);
  g_assert_cmpuint (pts, <=, 6100 * GST_MSECOND);
  remove_dir (dir);
}

static void
test_crash (void)
{
  load_frames ();
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "crashed.webm", NULL);
  RelayWriterParams p = params (TRUE, TRUE);
  g_autoptr (GError) error = NULL;
  RelayWebmWriter *w = relay_webm_writer_new (path, &p, &error);
  g_assert_no_error (error);
  gint64 pushed = feed (w, (PushFunc) relay_webm_writer_push, vp8_frames, opus_frames,
                        6700 * 1000);
  RelayWriterStats stats;
  relay_webm_writer_get_stats (w, &stats);
  relay_webm_writer_free (w);
  g_test_message ("pushed up to %" G_GINT64_FORMAT " us, %" G_GINT64_FORMAT " us on disk", pushed,
                  stats.duration_us);
  g_assert_cmpint (pushed - stats.duration_us, <, 1300 * 1000);
  double probed = ffprobe_duration (path);
  g_assert_cmpfloat (ABS (probed - pushed / 1e6), <, 1.3);
  Decoded d = gst_decode (path, TRUE, TRUE);
  g_assert_false (d.error);
  g_assert_cmpuint (d.video_frames, ==, ffprobe_frames (path, "v:0"));
  g_assert_cmpint (ABS ((gint64) d.video_frames - stats.duration_us * 15 / G_USEC_PER_SEC), <=, 1);
  remove_dir (dir);
}

/* VP8 through reordering, duplicates, a loss and a change of source. */
static void
test_damaged_source (void)
{
  g_autoptr (GPtrArray) first = make_rtp (RELAY_MEDIA_VP8, 0x1111, 65500, 0xffff0000);
  g_autoptr (GPtrArray) second = make_rtp (RELAY_MEDIA_VP8, 0x4444, 1, 99);
  g_ptr_array_remove_index (first, first->len / 2);
  shuffle_packets (first, 5);
  duplicate_packets (second, 9);
  shuffle_packets (second, 13);
  g_ptr_array_extend_and_steal (first, g_steal_pointer (&second));
  RelayRtpFrameAssemblerStats as;
  g_autoptr (GPtrArray) video = assemble (RELAY_MEDIA_VP8, first, &as);
  g_assert_cmpuint (as.source_changes, ==, 1);
  g_assert_cmpuint (as.packets_lost, ==, 1);
  g_assert_cmpuint (as.frames_dropped, >, 0);
  g_assert_cmpuint (video->len + as.frames_dropped, ==, 2 * MEDIA_FRAMES);

  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "damaged.webm", NULL);
  RelayWriterParams p = params (TRUE, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayWebmWriter) w = relay_webm_writer_new (path, &p, &error);
  g_assert_no_error (error);
  feed (w, (PushFunc) relay_webm_writer_push, video, NULL, G_MAXINT64);
  g_assert_true (relay_webm_writer_finish (w, &error));
  Decoded d = gst_decode (path, TRUE, FALSE);
  g_assert_false (d.error);
  g_assert_cmpuint (d.video_frames, ==, video->len);
  g_assert_cmpuint (ffprobe_frames (path, "v:0"), ==, video->len);
  g_assert_cmpfloat (ABS (ffprobe_duration (path) - 20.0), <, 0.3);
  remove_dir (dir);
}

static void
test_write_errors (void)
{
  load_frames ();
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *missing = g_build_filename (dir, "gone", "x.webm", NULL);
  RelayWriterParams p = params (TRUE, TRUE);
  g_autoptr (GError) error = NULL;
  g_assert_null (relay_webm_writer_new (missing, &p, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);
  g_autoptr (RelayWebmWriter) w = relay_webm_writer_new ("/dev/full", &p, &error);
  g_assert_no_error (error);
  gboolean ok = TRUE;
  for (guint i = 0; i < vp8_frames->len && ok; i++)
    ok = relay_webm_writer_push (w, vp8_frames->pdata[i], &error);
  g_assert_false (ok);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
  g_clear_error (&error);
  g_assert_false (relay_webm_writer_finish (w, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
  remove_dir (dir);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/recording/webm/finished", test_finished);
  g_test_add_func ("/recording/webm/crash", test_crash);
  g_test_add_func ("/recording/webm/damaged-source", test_damaged_source);
  g_test_add_func ("/recording/webm/write-errors", test_write_errors);
  return g_test_run ();
}
