/* The fragmented MP4 writer, fed with frames the RTP frame assembler made
 * of real payloaded H.264 and Opus, checked by readers that are not ours:
 * GStreamer (qtdemux + avdec_h264 + opusdec decode every frame) and
 * ffprobe (duration, frame count). Also: a file left unfinished (as a
 * SIGKILL leaves it) still plays, and write errors come back as GErrors. */
#include "recording-test-util.h"

#include "relay/recording/fmp4-writer.h"

#define MEDIA_US (G_GINT64_CONSTANT (10) * G_USEC_PER_SEC)

static GPtrArray *h264_frames, *opus_frames;

static void
load_frames (void)
{
  if (h264_frames)
    return;
  g_autoptr (GPtrArray) v = make_rtp (RELAY_MEDIA_H264, 0x1111, 100, 5000);
  g_autoptr (GPtrArray) a = make_rtp (RELAY_MEDIA_OPUS, 0x2222, 200, 7000);
  h264_frames = assemble (RELAY_MEDIA_H264, v, NULL);
  opus_frames = assemble (RELAY_MEDIA_OPUS, a, NULL);
  g_assert_cmpuint (h264_frames->len, ==, MEDIA_FRAMES);
  g_assert_cmpuint (opus_frames->len, ==, a->len); /* one packet, one frame */
}

static RelayWriterParams
params (gboolean video, gboolean audio)
{
  RelayWriterParams p = { .video = video, .audio = audio, .fsync_interval_ms = 1000 };
  return p;
}

/* Fragments are contiguous, follow the init segment, are ~1 s, and most
 * start with a key frame (the media has one every 2 s). */
static void
check_fragments (RelayFmp4Writer *w, const char *path)
{
  const GArray *frags = relay_fmp4_writer_get_fragments (w);
  RelayWriterStats stats;
  relay_fmp4_writer_get_stats (w, &stats);
  g_assert_cmpuint (frags->len, ==, stats.fragments);
  g_assert_cmpuint (frags->len, >=, 8);
  guint keyed = 0;
  for (guint i = 0; i < frags->len; i++)
    {
      const RelayFragmentInfo *f = &g_array_index (frags, RelayFragmentInfo, i);
      if (i > 0)
        {
          const RelayFragmentInfo *prev = &g_array_index (frags, RelayFragmentInfo, i - 1);
          g_assert_cmpuint (f->offset, ==, prev->offset + prev->size);
          g_assert_cmpint (f->start_us, >=, prev->start_us);
        }
      g_assert_cmpint (f->duration_us, <=, 1300 * 1000);
      keyed += f->keyframe;
      g_test_message ("fragment %u: @%" G_GUINT64_FORMAT " +%" G_GUINT64_FORMAT " %" G_GINT64_FORMAT " us +%" G_GINT64_FORMAT " key %d", i, f->offset, f->size, f->start_us, f->duration_us, f->keyframe);
    }
  g_assert_true (g_array_index (frags, RelayFragmentInfo, 0).keyframe);
  g_assert_cmpuint (keyed, >=, 4);
  const RelayFragmentInfo *last = &g_array_index (frags, RelayFragmentInfo, frags->len - 1);
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint ((guint64) st.st_size, ==, last->offset + last->size);
  g_assert_cmpuint (stats.bytes_written, ==, (guint64) st.st_size);
}

static void
test_finished (void)
{
  load_frames ();
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "program.mp4", NULL);
  RelayWriterParams p = params (TRUE, TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayFmp4Writer) w = relay_fmp4_writer_new (path, &p, &error);
  g_assert_no_error (error);
  feed (w, (PushFunc) relay_fmp4_writer_push, h264_frames, opus_frames, G_MAXINT64);
  g_assert_true (relay_fmp4_writer_finish (w, &error));
  g_assert_no_error (error);
  RelayWriterStats stats;
  relay_fmp4_writer_get_stats (w, &stats);
  g_assert_cmpuint (stats.frames_written, ==, MEDIA_FRAMES + opus_frames->len);
  g_assert_cmpuint (stats.frames_dropped, ==, 0);
  g_assert_cmpint (ABS (stats.duration_us - MEDIA_US), <, 100 * 1000);
  check_fragments (w, path);

  Decoded d = gst_decode (path, TRUE, TRUE);
  g_assert_false (d.error);
  g_assert_cmpuint (d.video_frames, ==, MEDIA_FRAMES);
  g_assert_cmpuint (d.audio_buffers, >=, opus_frames->len - 1);
  g_assert_cmpint (ABS (d.duration_ns - MEDIA_US * 1000), <, 200 * GST_MSECOND);
  g_assert_cmpfloat (ABS (ffprobe_duration (path) - 10.0), <, 0.2);
  g_assert_cmpuint (ffprobe_frames (path, "v:0"), ==, MEDIA_FRAMES);
  g_assert_cmpuint (container_keyframes (path), ==, MEDIA_FRAMES / 30);
  g_assert_cmpuint (ffprobe_frames (path, "a:0"), ==, opus_frames->len);
  remove_dir (dir);
}

/* Stops at an arbitrary point without finishing, as a crash would: what is
 * on disk plays, and shows a duration within a second of what was pushed. */
static void
test_crash (void)
{
  load_frames ();
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "crashed.mp4", NULL);
  RelayWriterParams p = params (TRUE, TRUE);
  g_autoptr (GError) error = NULL;
  RelayFmp4Writer *w = relay_fmp4_writer_new (path, &p, &error);
  g_assert_no_error (error);
  gint64 pushed = feed (w, (PushFunc) relay_fmp4_writer_push, h264_frames, opus_frames,
                        7300 * 1000);
  RelayWriterStats stats;
  relay_fmp4_writer_get_stats (w, &stats);
  relay_fmp4_writer_free (w); /* closes the fd, nothing more */
  g_test_message ("pushed up to %" G_GINT64_FORMAT " us, %" G_GINT64_FORMAT " us on disk", pushed,
                  stats.duration_us);
  g_assert_cmpint (pushed - stats.duration_us, <, 1300 * 1000);

  double probed = ffprobe_duration (path);
  g_assert_cmpfloat (ABS (probed - pushed / 1e6), <, 1.3);
  g_assert_cmpfloat (ABS (probed - stats.duration_us / 1e6), <, 0.1);
  Decoded d = gst_decode (path, TRUE, TRUE);
  g_assert_false (d.error);
  g_assert_cmpint (ABS (d.duration_ns - stats.duration_us * 1000), <, 100 * GST_MSECOND);
  /* Every frame on disk decodes: 15 fps over the duration written. */
  g_assert_cmpuint (d.video_frames, ==, ffprobe_frames (path, "v:0"));
  g_assert_cmpint (ABS ((gint64) d.video_frames - stats.duration_us * 15 / G_USEC_PER_SEC), <=, 1);
  remove_dir (dir);
}

/* The segment index lists every fragment as written (its size, whether it
 * starts with a key frame; the durations add up to the video's), so that
 * FFmpeg, Chromium's demuxer for these files, opens the file without
 * reading every fragment. A file left unfinished lists what is on disk. */
static void
test_segment_index (void)
{
  load_frames ();
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "indexed.mp4", NULL);
  RelayWriterParams p = params (TRUE, TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayFmp4Writer) w = relay_fmp4_writer_new (path, &p, &error);
  g_assert_no_error (error);
  feed (w, (PushFunc) relay_fmp4_writer_push, h264_frames, opus_frames, G_MAXINT64);
  g_assert_true (relay_fmp4_writer_finish (w, &error));
  const GArray *frags = relay_fmp4_writer_get_fragments (w);
  guint32 timescale = 0;
  g_autoptr (GArray) index = read_segment_index (path, &timescale);
  g_assert_cmpuint (timescale, ==, 90000);
  g_assert_cmpuint (index->len, ==, frags->len);
  guint64 total = 0;
  for (guint i = 0; i < index->len; i++)
    {
      const IndexEntry *e = &g_array_index (index, IndexEntry, i);
      const RelayFragmentInfo *f = &g_array_index (frags, RelayFragmentInfo, i);
      g_assert_cmpuint (e->size, ==, f->size);
      g_assert_cmpint (e->keyframe, ==, f->keyframe);
      total += e->duration;
    }
  g_assert_cmpint (ABS ((gint64) (total * G_USEC_PER_SEC / timescale) - MEDIA_US), <, 200 * 1000);
  g_assert_cmpuint (ffprobe_moofs_read (path), <=, frags->len / 3);
  g_assert_cmpfloat (ABS (ffprobe_duration (path) - 10.0), <, 0.2);

  g_autofree char *cut = g_build_filename (dir, "unfinished.mp4", NULL);
  RelayFmp4Writer *u = relay_fmp4_writer_new (cut, &p, &error);
  g_assert_no_error (error);
  feed (u, (PushFunc) relay_fmp4_writer_push, h264_frames, opus_frames, 5300 * 1000);
  RelayWriterStats stats;
  relay_fmp4_writer_get_stats (u, &stats);
  relay_fmp4_writer_free (u);
  g_autoptr (GArray) partial = read_segment_index (cut, &timescale);
  g_assert_cmpuint (partial->len, ==, stats.fragments);
  g_assert_cmpuint (partial->len, >=, 3);
  g_assert_cmpfloat (ABS (ffprobe_duration (cut) - stats.duration_us / 1e6), <, 0.1);
  remove_dir (dir);
}

/* The source goes through reordering, duplicates, a loss and a change of
 * SSRC (an encoder restart): the file holds what survived, and all of it
 * decodes. */
static void
test_damaged_source (void)
{
  g_autoptr (GPtrArray) first = make_rtp (RELAY_MEDIA_H264, 0x1111, 65000, 0xfffff000);
  g_autoptr (GPtrArray) second = make_rtp (RELAY_MEDIA_H264, 0x3333, 10, 123456);
  g_ptr_array_remove_index (first, first->len / 3); /* a loss in the third GOP or so */
  shuffle_packets (first, 7);
  duplicate_packets (second, 11);
  g_ptr_array_extend_and_steal (first, g_steal_pointer (&second));
  RelayRtpFrameAssemblerStats as;
  g_autoptr (GPtrArray) video = assemble (RELAY_MEDIA_H264, first, &as);
  g_assert_cmpuint (as.source_changes, ==, 1);
  g_assert_cmpuint (as.packets_lost, ==, 1);
  g_assert_cmpuint (as.frames_dropped, >, 0);
  g_assert_cmpuint (video->len + as.frames_dropped, ==, 2 * MEDIA_FRAMES);

  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "damaged.mp4", NULL);
  RelayWriterParams p = params (TRUE, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayFmp4Writer) w = relay_fmp4_writer_new (path, &p, &error);
  g_assert_no_error (error);
  feed (w, (PushFunc) relay_fmp4_writer_push, video, NULL, G_MAXINT64);
  g_assert_true (relay_fmp4_writer_finish (w, &error));
  RelayWriterStats stats;
  relay_fmp4_writer_get_stats (w, &stats);
  g_assert_cmpuint (stats.frames_written, ==, video->len);
  /* Two runs of 10 s, one after the other. */
  g_assert_cmpint (ABS (stats.duration_us - 2 * MEDIA_US), <, 200 * 1000);
  Decoded d = gst_decode (path, TRUE, FALSE);
  g_assert_false (d.error);
  g_assert_cmpuint (d.video_frames, ==, video->len);
  g_assert_cmpuint (ffprobe_frames (path, "v:0"), ==, video->len);
  g_assert_cmpfloat (ABS (ffprobe_duration (path) - 20.0), <, 0.3);
  remove_dir (dir);
}

static void
test_audio_only (void)
{
  load_frames ();
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "audio.mp4", NULL);
  RelayWriterParams p = params (FALSE, TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayFmp4Writer) w = relay_fmp4_writer_new (path, &p, &error);
  g_assert_no_error (error);
  /* Video offered to an audio-only file is left out. */
  feed (w, (PushFunc) relay_fmp4_writer_push, h264_frames, opus_frames, G_MAXINT64);
  g_assert_true (relay_fmp4_writer_finish (w, &error));
  RelayWriterStats stats;
  relay_fmp4_writer_get_stats (w, &stats);
  g_assert_cmpuint (stats.frames_written, ==, opus_frames->len);
  g_assert_cmpuint (stats.frames_dropped, ==, MEDIA_FRAMES);
  const GArray *frags = relay_fmp4_writer_get_fragments (w);
  g_assert_cmpuint (frags->len, >=, 9);
  g_assert_cmpuint (frags->len, <=, 11);
  Decoded d = gst_decode (path, FALSE, TRUE);
  g_assert_false (d.error);
  g_assert_cmpuint (d.audio_buffers, >=, opus_frames->len - 1);
  g_assert_cmpfloat (ABS (ffprobe_duration (path) - 10.0), <, 0.1);
  remove_dir (dir);
}

/* Errors name the file and say errno's reason; a failed writer stays failed. */
static void
test_write_errors (void)
{
  load_frames ();
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "x.mp4", NULL);
  RelayWriterParams p = params (TRUE, TRUE);
  g_autoptr (GError) error = NULL;
  g_assert_null (relay_fmp4_writer_new (missing, &p, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "no-such-dir"));
  g_clear_error (&error);

  /* A full disk: /dev/full fails every write with ENOSPC. */
  g_autoptr (RelayFmp4Writer) w = relay_fmp4_writer_new ("/dev/full", &p, &error);
  g_assert_no_error (error);
  gboolean ok = TRUE;
  for (guint i = 0; i < h264_frames->len && ok; i++)
    ok = relay_fmp4_writer_push (w, h264_frames->pdata[i], &error);
  g_assert_false (ok);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_false (relay_fmp4_writer_push (w, h264_frames->pdata[0], &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
  g_clear_error (&error);
  g_assert_false (relay_fmp4_writer_finish (w, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
  remove_dir (dir);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/recording/mp4/finished", test_finished);
  g_test_add_func ("/recording/mp4/crash", test_crash);
  g_test_add_func ("/recording/mp4/segment-index", test_segment_index);
  g_test_add_func ("/recording/mp4/damaged-source", test_damaged_source);
  g_test_add_func ("/recording/mp4/audio-only", test_audio_only);
  g_test_add_func ("/recording/mp4/write-errors", test_write_errors);
  return g_test_run ();
}
