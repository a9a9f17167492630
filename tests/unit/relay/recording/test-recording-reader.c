/* The fragmented MP4 reader and the WebM scan on files our writers made of
 * real media: the fragment list matches what the writer reported, a file
 * cut anywhere reports the duration of its complete fragments, an export
 * across two segments starts on a key frame, covers the request within a
 * key-frame interval, and decodes (GStreamer, ffprobe); garbage and
 * damaged files are refused or read as far as they are whole, never crash. */
#include "recording-test-util.h"

#include "relay/recording/fmp4-reader.h"
#include "relay/recording/fmp4-writer.h"
#include "relay/recording/webm-reader.h"
#include "relay/recording/webm-writer.h"

#define KEY_INTERVAL_US (2 * G_USEC_PER_SEC) /* the test media's GOP */
#define MAX_FRAGMENT_US (1200 * 1000)

static char *dir;
static char *mp4_path, *webm_path;
static GArray *mp4_fragments, *webm_clusters;
static RelayWriterStats mp4_stats, webm_stats;

/* One MP4 (H.264 + Opus) and one WebM (VP8 + Opus) of the test media,
 * with what their writers said of them. */
static void
write_files (void)
{
  if (mp4_path)
    return;
  dir = make_temp_dir ();
  g_autoptr (GPtrArray) h264 = make_rtp (RELAY_MEDIA_H264, 1, 1, 1);
  g_autoptr (GPtrArray) vp8 = make_rtp (RELAY_MEDIA_VP8, 2, 2, 2);
  g_autoptr (GPtrArray) opus = make_rtp (RELAY_MEDIA_OPUS, 3, 3, 3);
  g_autoptr (GPtrArray) h264_frames = assemble (RELAY_MEDIA_H264, h264, NULL);
  g_autoptr (GPtrArray) vp8_frames = assemble (RELAY_MEDIA_VP8, vp8, NULL);
  g_autoptr (GPtrArray) opus_frames = assemble (RELAY_MEDIA_OPUS, opus, NULL);
  RelayWriterParams p = { .video = TRUE, .audio = TRUE, .fsync_interval_ms = -1 };
  g_autoptr (GError) error = NULL;

  mp4_path = g_build_filename (dir, "segment-1.mp4", NULL);
  g_autoptr (RelayFmp4Writer) mp4 = relay_fmp4_writer_new (mp4_path, &p, &error);
  g_assert_no_error (error);
  feed (mp4, (PushFunc) relay_fmp4_writer_push, h264_frames, opus_frames, G_MAXINT64);
  g_assert_true (relay_fmp4_writer_finish (mp4, &error));
  relay_fmp4_writer_get_stats (mp4, &mp4_stats);
  const GArray *f = relay_fmp4_writer_get_fragments (mp4);
  mp4_fragments = g_array_sized_new (FALSE, FALSE, sizeof (RelayFragmentInfo), f->len);
  g_array_append_vals (mp4_fragments, f->data, f->len);

  webm_path = g_build_filename (dir, "office.webm", NULL);
  g_autoptr (RelayWebmWriter) webm = relay_webm_writer_new (webm_path, &p, &error);
  g_assert_no_error (error);
  feed (webm, (PushFunc) relay_webm_writer_push, vp8_frames, opus_frames, G_MAXINT64);
  g_assert_true (relay_webm_writer_finish (webm, &error));
  relay_webm_writer_get_stats (webm, &webm_stats);
  f = relay_webm_writer_get_fragments (webm);
  webm_clusters = g_array_sized_new (FALSE, FALSE, sizeof (RelayFragmentInfo), f->len);
  g_array_append_vals (webm_clusters, f->data, f->len);
}

static GBytes *
read_all (const char *path)
{
  char *data;
  gsize len;
  g_autoptr (GError) error = NULL;
  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static void
test_index (void)
{
  write_files ();
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayFmp4Index) index = relay_fmp4_index_read (mp4_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (index->n_tracks, ==, 2);
  g_assert_cmpuint (index->tracks[0].codec, ==, GUINT32_FROM_BE (*(guint32 *) "avc1"));
  g_assert_cmpuint (index->tracks[1].codec, ==, GUINT32_FROM_BE (*(guint32 *) "Opus"));
  g_assert_false (index->truncated);
  g_assert_cmpuint (index->fragments->len, ==, mp4_fragments->len);
  for (guint i = 0; i < mp4_fragments->len; i++)
    {
      RelayFragmentInfo *w = &g_array_index (mp4_fragments, RelayFragmentInfo, i);
      RelayFmp4Fragment *r = &g_array_index (index->fragments, RelayFmp4Fragment, i);
      g_assert_cmpuint (r->offset, ==, w->offset);
      g_assert_cmpuint (r->size, ==, w->size);
      g_assert_cmpint (r->keyframe, ==, w->keyframe);
      g_assert_cmpint (ABS (r->start_us - w->start_us), <, 1000);
      g_assert_cmpint (ABS (r->duration_us - w->duration_us), <, 1000);
      g_assert_cmpuint (r->sequence, ==, i + 1);
      g_assert_true (r->copyable);
    }
  g_assert_cmpint (ABS (index->duration_us - mp4_stats.duration_us), <, 1000);
  /* The same from memory. */
  g_autoptr (GBytes) bytes = read_all (mp4_path);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autoptr (RelayFmp4Index) again = relay_fmp4_index_parse (data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->fragments->len, ==, index->fragments->len);
}

/* A file cut anywhere (a crash mid-write) reads to its last whole fragment. */
static void
test_cut (void)
{
  write_files ();
  g_autoptr (GBytes) bytes = read_all (mp4_path);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  for (guint i = 1; i < mp4_fragments->len; i += 2)
    {
      RelayFragmentInfo *f = &g_array_index (mp4_fragments, RelayFragmentInfo, i);
      RelayFragmentInfo *prev = &g_array_index (mp4_fragments, RelayFragmentInfo, i - 1);
      gsize cut = (gsize) (f->offset + g_test_rand_int_range (1, (gint32) f->size));
      g_autoptr (GError) error = NULL;
      g_autoptr (RelayFmp4Index) index = relay_fmp4_index_parse (data, cut, &error);
      g_assert_no_error (error);
      g_assert_true (index->truncated);
      g_assert_cmpuint (index->fragments->len, ==, i);
      g_assert_cmpint (ABS (index->duration_us - (prev->start_us + prev->duration_us)), <, 1000);
    }
  /* Cut at a fragment's end: whole, nothing truncated. */
  RelayFragmentInfo *third = &g_array_index (mp4_fragments, RelayFragmentInfo, 2);
  g_autoptr (RelayFmp4Index) index = relay_fmp4_index_parse (data, third->offset + third->size, NULL);
  g_assert_false (index->truncated);
  g_assert_cmpuint (index->fragments->len, ==, 3);
}

/* [3.5 s, 12.5 s) of a recording of two 10 s segments. */
static void
test_export (void)
{
  write_files ();
  g_autofree char *second = g_build_filename (dir, "segment-2.mp4", NULL);
  g_autoptr (GBytes) bytes = read_all (mp4_path);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (second, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  gint64 seg2_start = mp4_stats.duration_us;
  RelayFmp4Segment segments[] = { { mp4_path, 0 }, { second, seg2_start } };
  g_autofree char *out = g_build_filename (dir, "export.mp4", NULL);
  gint64 start = 3500 * 1000, duration = 9000 * 1000, out_start = -1, out_duration = -1;
  g_assert_true (relay_fmp4_export (segments, 2, start, duration, out, &out_start, &out_duration,
                                    &error));
  g_assert_no_error (error);
  g_test_message ("exported %" G_GINT64_FORMAT " us from %" G_GINT64_FORMAT " us", out_duration,
                  out_start);
  g_assert_cmpint (out_start, <=, start);
  g_assert_cmpint (start - out_start, <, KEY_INTERVAL_US);
  g_assert_cmpint (out_start + out_duration, >=, start + duration);
  g_assert_cmpint (out_start + out_duration, <, start + duration + MAX_FRAGMENT_US + 100000);

  g_autoptr (RelayFmp4Index) index = relay_fmp4_index_read (out, &error);
  g_assert_no_error (error);
  g_assert_false (index->truncated);
  RelayFmp4Fragment *first = &g_array_index (index->fragments, RelayFmp4Fragment, 0);
  g_assert_true (first->keyframe);
  g_assert_cmpint (first->start_us, ==, 0);
  for (guint i = 0; i < index->fragments->len; i++)
    g_assert_cmpuint (g_array_index (index->fragments, RelayFmp4Fragment, i).sequence, ==, i + 1);
  g_assert_cmpint (ABS (index->duration_us - out_duration), <, 1000);

  double probed = ffprobe_duration (out);
  g_assert_cmpfloat (ABS (probed - out_duration / 1e6), <, 0.05);
  g_assert_cmpfloat (ABS (probed - duration / 1e6), <, (KEY_INTERVAL_US + MAX_FRAGMENT_US) / 1e6);
  Decoded d = gst_decode (out, TRUE, TRUE);
  g_assert_false (d.error);
  guint frames = ffprobe_frames (out, "v:0");
  g_assert_cmpuint (d.video_frames, ==, frames);
  g_assert_cmpint (ABS ((gint64) frames - out_duration * 15 / G_USEC_PER_SEC), <=, 1);
  g_assert_cmpint (ABS (d.duration_ns - out_duration * 1000), <, 50 * GST_MSECOND);

  /* Out of range; an unreadable segment. */
  g_assert_false (relay_fmp4_export (segments, 2, 60 * G_USEC_PER_SEC, duration, out, NULL, NULL,
                                     &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  RelayFmp4Segment bad[] = { { mp4_path, 0 }, { webm_path, seg2_start } };
  g_assert_false (relay_fmp4_export (bad, 2, start, duration, out, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_unlink (second);
}

static void
test_webm_scan (void)
{
  write_files ();
  RelayWebmScan scan;
  g_autoptr (GError) error = NULL;
  g_assert_true (relay_webm_scan_file (webm_path, &scan, &error));
  g_assert_no_error (error);
  g_assert_true (scan.finished);
  g_assert_false (scan.truncated);
  g_assert_cmpuint (scan.clusters, ==, webm_clusters->len);
  g_assert_cmpint (ABS (scan.duration_us - webm_stats.duration_us), <, 30 * 1000);

  g_autoptr (GBytes) bytes = read_all (webm_path);
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  for (guint i = 1; i < webm_clusters->len; i += 2)
    {
      RelayFragmentInfo *c = &g_array_index (webm_clusters, RelayFragmentInfo, i);
      RelayFragmentInfo *prev = &g_array_index (webm_clusters, RelayFragmentInfo, i - 1);
      gsize cut = (gsize) (c->offset + g_test_rand_int_range (1, (gint32) c->size));
      g_assert_true (relay_webm_scan_data (data, cut, &scan, &error));
      g_assert_false (scan.finished);
      g_assert_true (scan.truncated);
      g_assert_cmpuint (scan.clusters, ==, i);
      g_assert_cmpint (ABS (scan.duration_us - (prev->start_us + prev->duration_us)), <, 30 * 1000);
    }
}

/* A copy of `path` cut in the middle of its `n`-th fragment/cluster, as
 * a crash in the middle of a write would leave it. */
static char *
cut_copy (const char *path, GArray *fragments, guint n, const char *name)
{
  RelayFragmentInfo *f = &g_array_index (fragments, RelayFragmentInfo, n);
  g_autoptr (GBytes) bytes = read_all (path);
  char *copy = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (copy, g_bytes_get_data (bytes, NULL), (gssize) (f->offset + f->size / 2),
                       &error);
  g_assert_no_error (error);
  return copy;
}

/* Repair after a crash: the tail that is no whole fragment goes, the
 * durations say what remains, and readers that are not ours find nothing
 * to complain about (ffprobe warnings fail the test). */
static void
test_repair (void)
{
  write_files ();
  g_autofree char *mp4 = cut_copy (mp4_path, mp4_fragments, 5, "cut.mp4");
  RelayFragmentInfo *kept = &g_array_index (mp4_fragments, RelayFragmentInfo, 4);
  gint64 duration = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (relay_fmp4_repair (mp4, &duration, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ABS (duration - (kept->start_us + kept->duration_us)), <, 1000);
  GStatBuf st;
  g_assert_cmpint (g_stat (mp4, &st), ==, 0);
  g_assert_cmpuint ((guint64) st.st_size, ==, kept->offset + kept->size);
  /* The index listed every fragment of the finished file: now the five
   * that are left, so no reader jumps past the end. */
  guint32 timescale = 0;
  g_autoptr (GArray) index = read_segment_index (mp4, &timescale);
  g_assert_cmpuint (index->len, ==, 5);
  for (guint i = 0; i < index->len; i++)
    g_assert_cmpuint (g_array_index (index, IndexEntry, i).size, ==,
                      g_array_index (mp4_fragments, RelayFragmentInfo, i).size);
  g_assert_cmpfloat (ABS (ffprobe_duration (mp4) - duration / 1e6), <, 0.05);
  Decoded d = gst_decode (mp4, TRUE, TRUE);
  g_assert_false (d.error);
  g_assert_cmpint (ABS (d.duration_ns - duration * 1000), <, 50 * GST_MSECOND);
  g_assert_cmpuint (d.video_frames, ==, ffprobe_frames (mp4, "v:0"));

  g_autofree char *webm = cut_copy (webm_path, webm_clusters, 5, "cut.webm");
  kept = &g_array_index (webm_clusters, RelayFragmentInfo, 4);
  g_assert_true (relay_webm_repair (webm, &duration, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ABS (duration - (kept->start_us + kept->duration_us)), <, 30 * 1000);
  g_assert_cmpint (g_stat (webm, &st), ==, 0);
  g_assert_cmpuint ((guint64) st.st_size, ==, kept->offset + kept->size);
  g_assert_cmpfloat (ABS (ffprobe_duration (webm) - duration / 1e6), <, 0.05);
  d = gst_decode (webm, TRUE, TRUE);
  g_assert_false (d.error);
  g_assert_cmpuint (d.video_frames, ==, ffprobe_frames (webm, "v:0"));
  g_unlink (mp4);
  g_unlink (webm);
}

/* Damaged copies of real files and plain garbage: an error or a partial
 * index, never a crash (ASan and UBSan watch in the ASan build). */
static void
test_garbage (void)
{
  write_files ();
  const char *paths[] = { mp4_path, webm_path };
  for (guint f = 0; f < 2; f++)
    {
      g_autoptr (GBytes) bytes = read_all (paths[f]);
      gsize len;
      const guint8 *orig = g_bytes_get_data (bytes, &len);
      /* The header part, where sizes and counts are, gets most damage. */
      gsize head = MIN (len, 4096);
      for (guint round = 0; round < 400; round++)
        {
          g_autofree guint8 *data = g_memdup2 (orig, len);
          gsize n = round % 3 == 0 ? len : (gsize) g_test_rand_int_range (1, (gint32) head);
          guint flips = (guint) g_test_rand_int_range (1, 16);
          for (guint i = 0; i < flips; i++)
            {
              gsize at = (gsize) g_test_rand_int_range (0, (gint32) MIN (n, round % 2 ? head : n));
              data[at] = (guint8) g_test_rand_int_range (0, 256);
            }
          RelayWebmScan scan;
          g_autoptr (GError) error = NULL;
          g_autoptr (RelayFmp4Index) index = relay_fmp4_index_parse (data, n, &error);
          g_clear_error (&error);
          relay_webm_scan_data (data, n, &scan, &error);
        }
    }
  for (guint round = 0; round < 200; round++)
    {
      gsize n = (gsize) g_test_rand_int_range (0, 512);
      g_autofree guint8 *data = g_malloc (n + 1);
      for (gsize i = 0; i < n; i++)
        data[i] = (guint8) g_test_rand_int_range (0, 256);
      /* Plausible box headers now and then. */
      if (n >= 8 && round % 2)
        memcpy (data + 4, round % 4 == 1 ? "moov" : "moof", 4);
      RelayWebmScan scan;
      g_autoptr (GError) error = NULL;
      g_autoptr (RelayFmp4Index) index = relay_fmp4_index_parse (data, n, &error);
      g_assert_true (index != NULL || error != NULL);
      g_clear_error (&error);
      relay_webm_scan_data (data, n, &scan, &error);
    }
  /* A moov-less file is refused with a reason. */
  static const guint8 ftyp_only[] = { 0, 0, 0, 16, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 0, 0 };
  g_autoptr (GError) error = NULL;
  g_assert_null (relay_fmp4_index_parse (ftyp_only, sizeof ftyp_only, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/recording/reader/index", test_index);
  g_test_add_func ("/recording/reader/cut", test_cut);
  g_test_add_func ("/recording/reader/export", test_export);
  g_test_add_func ("/recording/reader/webm-scan", test_webm_scan);
  g_test_add_func ("/recording/reader/repair", test_repair);
  g_test_add_func ("/recording/reader/garbage", test_garbage);
  int ret = g_test_run ();
  if (dir)
    remove_dir (dir);
  return ret;
}
