/* For the recording unit tests: RTP made from the pre-encoded test media by
 * GStreamer's own payloaders, ways to damage it (reorder, duplicate, drop,
 * change source), and independent readers of what our writers produce:
 * GStreamer demuxers and decoders, and ffprobe. */
#pragma once

#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <stdlib.h>
#include <string.h>

#include "relay/recording/media-frame.h"
#include "relay/recording/rtp-frame-assembler.h"
#include "relay/recording/write-util.h"

#define MEDIA_FRAMES 150   /* 10 s at 15 fps, a key frame every 30 */

static G_GNUC_UNUSED char *
media_path (const char *name)
{
  char *path = g_build_filename (TEST_MEDIA, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    g_error ("%s is missing: run tools/make-test-media var/test-media", path);
  return path;
}

/* h264parse stamps a raw stream's access units with DTS only, and the
 * payloader takes RTP timestamps from PTS: no B-frames here, so PTS = DTS. */
static GstPadProbeReturn
set_pts (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstBuffer *buf = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_BUFFER_PTS (buf) = GST_BUFFER_DTS (buf);
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  return GST_PAD_PROBE_OK;
}

/* The RTP packets a payloader makes of a test file (GBytes each). */
static G_GNUC_UNUSED GPtrArray *
make_rtp (RelayMediaCodec codec, guint32 ssrc, guint16 seq, guint32 ts)
{
  g_autofree char *path = NULL;
  const char *chain;
  switch (codec)
    {
    case RELAY_MEDIA_H264:
      path = media_path ("h264-640x360.h264");
      chain = "h264parse name=parse config-interval=-1 ! rtph264pay mtu=1200 pt=102";
      break;
    case RELAY_MEDIA_VP8:
      path = media_path ("vp8-640x360.ivf");
      chain = "ivfparse ! rtpvp8pay mtu=1200 pt=96 picture-id-mode=15-bit";
      break;
    default:
      path = media_path ("opus-48k.ogg");
      chain = "oggdemux ! opusparse ! rtpopuspay pt=111";
      break;
    }
  g_autofree char *desc = g_strdup_printf (
      "filesrc location=\"%s\" ! %s ssrc=%u seqnum-offset=%u timestamp-offset=%u "
      "! appsink name=sink sync=false",
      path, chain, ssrc, seq, ts);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (sink, "max-buffers", 0, NULL);
  g_autoptr (GstElement) parse = gst_bin_get_by_name (GST_BIN (pipeline), "parse");
  if (parse)
    {
      g_autoptr (GstPad) src = gst_element_get_static_pad (parse, "src");
      gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, set_pts, NULL, NULL);
    }
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GPtrArray *packets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GstSample *sample;
  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink))))
    {
      GstBuffer *buf = gst_sample_get_buffer (sample);
      GstMapInfo map;
      g_assert_true (gst_buffer_map (buf, &map, GST_MAP_READ));
      g_ptr_array_add (packets, g_bytes_new (map.data, map.size));
      gst_buffer_unmap (buf, &map);
      gst_sample_unref (sample);
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_assert_cmpuint (packets->len, >, 100);
  return packets;
}

static G_GNUC_UNUSED gpointer
bytes_copy (gconstpointer bytes, gpointer unused)
{
  return g_bytes_ref ((GBytes *) bytes);
}

static G_GNUC_UNUSED guint32
rtp_ts (GBytes *packet)
{
  const guint8 *d = g_bytes_get_data (packet, NULL);
  return ((guint32) d[4] << 24) | ((guint32) d[5] << 16) | ((guint32) d[6] << 8) | d[7];
}

/* Swaps neighbours here and there (no packet moves by more than 3). */
static G_GNUC_UNUSED void
shuffle_packets (GPtrArray *packets, guint every)
{
  for (guint i = 0; i + 3 < packets->len; i += every)
    {
      gpointer a = packets->pdata[i];
      packets->pdata[i] = packets->pdata[i + 2];
      packets->pdata[i + 2] = packets->pdata[i + 3];
      packets->pdata[i + 3] = a;
    }
}

/* Sends every `every`-th packet twice, the copy a few packets later. */
static G_GNUC_UNUSED void
duplicate_packets (GPtrArray *packets, guint every)
{
  for (guint i = 0; i + 4 < packets->len; i += every)
    g_ptr_array_insert (packets, (gint) (i + 4), g_bytes_ref (packets->pdata[i]));
}

/* Pushes all packets into a new assembler and pops all frames. */
static G_GNUC_UNUSED GPtrArray *
assemble (RelayMediaCodec codec, GPtrArray *packets, RelayRtpFrameAssemblerStats *stats)
{
  g_autoptr (RelayRtpFrameAssembler) a = relay_rtp_frame_assembler_new (codec, 0);
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) relay_media_frame_free);
  for (guint i = 0; i < packets->len; i++)
    {
      gsize len;
      const guint8 *d = g_bytes_get_data (packets->pdata[i], &len);
      relay_rtp_frame_assembler_push (a, d, len);
      RelayMediaFrame *f;
      while ((f = relay_rtp_frame_assembler_pop (a)))
        g_ptr_array_add (frames, f);
    }
  relay_rtp_frame_assembler_flush (a);
  RelayMediaFrame *f;
  while ((f = relay_rtp_frame_assembler_pop (a)))
    g_ptr_array_add (frames, f);
  if (stats)
    relay_rtp_frame_assembler_get_stats (a, stats);
  return frames;
}

static G_GNUC_UNUSED guint
count_keyframes (GPtrArray *frames)
{
  guint n = 0;
  for (guint i = 0; i < frames->len; i++)
    n += ((RelayMediaFrame *) frames->pdata[i])->keyframe;
  return n;
}

/* What GStreamer reads of a file: decoded video and audio buffers, the
 * duration it reports, and whether it hit an error. */
typedef struct {
  guint video_frames, audio_buffers;
  gint64 duration_ns;
  gboolean error;
} Decoded;

static G_GNUC_UNUSED void
on_handoff (GstElement *sink, GstBuffer *buf, GstPad *pad, gpointer count)
{
  (*(guint *) count)++;
}

static G_GNUC_UNUSED Decoded
gst_decode (const char *path, gboolean video, gboolean audio)
{
  gboolean mp4 = g_str_has_suffix (path, ".mp4");
  g_autofree char *desc = g_strdup_printf (
      "filesrc location=\"%s\" ! %s name=d %s %s", path, mp4 ? "qtdemux" : "matroskademux",
      video ? (mp4 ? "d.video_0 ! queue ! h264parse ! avdec_h264 ! fakesink name=v sync=false"
                   : "d.video_0 ! queue ! vp8dec ! fakesink name=v sync=false")
            : "",
      audio ? "d.audio_0 ! queue ! opusparse ! opusdec ! fakesink name=a sync=false" : "");
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  Decoded r = { 0, 0, -1, FALSE };
  const char *names[] = { "v", "a" };
  guint *counts[] = { &r.video_frames, &r.audio_buffers };
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), names[i]);
      if (!sink)
        continue;
      g_object_set (sink, "signal-handoffs", TRUE, NULL);
      g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), counts[i]);
    }
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  g_autoptr (GstMessage) m = gst_bus_timed_pop_filtered (
      bus, 60 * GST_SECOND, GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR);
  if (m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_ASYNC_DONE)
    {
      gst_element_query_duration (pipeline, GST_FORMAT_TIME, &r.duration_ns);
      gst_element_set_state (pipeline, GST_STATE_PLAYING);
      gst_clear_message (&m);
      m = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    }
  if (!m || GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR)
    {
      r.error = TRUE;
      if (m)
        {
          g_autoptr (GError) e = NULL;
          gst_message_parse_error (m, &e, NULL);
          g_test_message ("%s: %s", path, e->message);
        }
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return r;
}

/* ffprobe's answer to `entries` (e.g. "format=duration"), one value. */
static G_GNUC_UNUSED char *
ffprobe (const char *path, const char *select, const char *entries, gboolean count)
{
  const char *argv[16];
  guint n = 0;
  argv[n++] = "ffprobe";
  argv[n++] = "-v";
  argv[n++] = "warning";
  if (count)
    argv[n++] = "-count_frames";
  if (select)
    {
      argv[n++] = "-select_streams";
      argv[n++] = select;
    }
  argv[n++] = "-show_entries";
  argv[n++] = entries;
  argv[n++] = "-of";
  argv[n++] = "csv=p=0";
  argv[n++] = path;
  argv[n] = NULL;
  g_autofree char *out = NULL, *err = NULL;
  gint status = 0;
  g_autoptr (GError) error = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  /* Warnings too: a file it reads with complaints is not a good file. */
  if (!g_spawn_check_wait_status (status, NULL) || (err && *err))
    g_error ("ffprobe %s: %s", path, err);
  return g_strstrip (g_strdup (out));
}

static G_GNUC_UNUSED double
ffprobe_duration (const char *path)
{
  g_autofree char *s = ffprobe (path, NULL, "format=duration", FALSE);
  g_test_message ("ffprobe duration of %s: %s", path, s);
  return g_ascii_strtod (s, NULL);
}

static G_GNUC_UNUSED guint
ffprobe_frames (const char *path, const char *stream)
{
  g_autofree char *s = ffprobe (path, stream, "stream=nb_read_frames", TRUE);
  return (guint) g_ascii_strtoull (s, NULL, 10);
}

/* The segment index at the head of one of our MP4 files (fmp4-sidx.h), as
 * read from its bytes: each listed fragment's size, duration (in the
 * index's timescale) and whether it starts with a key frame. Empty when
 * the file's index lists nothing (or it has none). */
typedef struct {
  guint32 size, duration;
  gboolean keyframe;
} IndexEntry;

static G_GNUC_UNUSED GArray *
read_segment_index (const char *path, guint32 *timescale)
{
  g_autofree guint8 *data = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_get_contents (path, (char **) &data, &len, &error));
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (IndexEntry));
  gsize off = 0;
  while (off + 8 <= len)
    {
      guint32 size = get_u32 (data + off);
      g_assert_cmpuint (size, >=, 8);
      g_assert_cmpuint (off + size, <=, len);
      if (memcmp (data + off + 4, "moof", 4) == 0)
        break;
      if (memcmp (data + off + 4, "sidx", 4) == 0)
        {
          const guint8 *b = data + off;
          g_assert_cmpuint (b[8], ==, 1);           /* version 1 */
          *timescale = get_u32 (b + 16);
          g_assert_cmpuint (get_u64 (b + 20), ==, 0); /* earliest presentation time */
          g_assert_cmpuint (get_u64 (b + 28), ==, 0); /* the first fragment follows */
          guint count = ((guint) b[38] << 8) | b[39];
          g_assert_cmpuint (40 + 12 * count, <=, size);
          for (guint i = 0; i < count; i++)
            {
              const guint8 *e = b + 40 + 12 * i;
              IndexEntry entry = { get_u32 (e) & 0x7fffffff, get_u32 (e + 4), e[8] >> 7 };
              g_array_append_val (entries, entry);
            }
        }
      off += size;
    }
  return entries;
}

/* The fragment headers (moof) FFmpeg reads to open a file and tell its
 * duration, from its trace log: all of them when the file has no usable
 * index, the first few (what stream probing reads) when it has one. */
static G_GNUC_UNUSED guint
ffprobe_moofs_read (const char *path)
{
  const char *argv[] = { "ffprobe", "-v", "trace", "-show_entries", "format=duration", "-of",
                         "csv=p=0", path, NULL };
  g_autofree char *out = NULL, *err = NULL;
  gint status = 0;
  g_autoptr (GError) error = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  guint n = 0;
  for (const char *p = err; (p = strstr (p, "type:'moof'")); p++)
    n++;
  g_test_message ("ffprobe read %u moof of %s", n, path);
  return n;
}

/* Video samples the container flags as key frames, as its demuxer hands
 * them out (ffprobe would parse the bitstream and find them anyway). */
static G_GNUC_UNUSED guint
container_keyframes (const char *path)
{
  g_autofree char *desc = g_strdup_printf (
      "filesrc location=\"%s\" ! %s name=d d.video_0 ! appsink name=sink sync=false", path,
      g_str_has_suffix (path, ".mp4") ? "qtdemux" : "matroskademux");
  g_autoptr (GstElement) pipeline = gst_parse_launch (desc, NULL);
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (sink, "max-buffers", 0, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  guint keys = 0;
  GstSample *sample;
  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink))))
    {
      keys += !GST_BUFFER_FLAG_IS_SET (gst_sample_get_buffer (sample), GST_BUFFER_FLAG_DELTA_UNIT);
      gst_sample_unref (sample);
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return keys;
}

static G_GNUC_UNUSED char *
make_temp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("recording-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static G_GNUC_UNUSED void
remove_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

typedef gboolean (*PushFunc) (gpointer writer, const RelayMediaFrame *frame, GError **error);

static G_GNUC_UNUSED gint64
frame_us (const RelayMediaFrame *f)
{
  guint clock = f->codec == RELAY_MEDIA_OPUS ? RELAY_AUDIO_CLOCK : RELAY_VIDEO_CLOCK;
  return f->timestamp * G_USEC_PER_SEC / clock;
}

/* Pushes the frames of both tracks in time order (as they would arrive),
 * those before `limit_us`; returns the time of the last one pushed. */
static G_GNUC_UNUSED gint64
feed (gpointer writer, PushFunc push, GPtrArray *video, GPtrArray *audio, gint64 limit_us)
{
  guint v = 0, a = 0;
  gint64 last = 0;
  for (;;)
    {
      RelayMediaFrame *fv = video && v < video->len ? video->pdata[v] : NULL;
      RelayMediaFrame *fa = audio && a < audio->len ? audio->pdata[a] : NULL;
      RelayMediaFrame *f = fv && (!fa || frame_us (fv) <= frame_us (fa)) ? fv : fa;
      if (!f || frame_us (f) >= limit_us)
        return last;
      if (f == fv)
        v++;
      else
        a++;
      g_autoptr (GError) error = NULL;
      g_assert_true (push (writer, f, &error));
      g_assert_no_error (error);
      last = frame_us (f);
    }
}
