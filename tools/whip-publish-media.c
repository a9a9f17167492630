/* Pre-encoded media: loaded once into memory, then replayed to every
 * publisher by a single pacing thread.  Nothing is encoded at run time, so a
 * 2-core machine can feed all 76 provinces. */
#include "whip-publish.h"

#include <gst/app/gstappsink.h>
#include <gst/audio/audio.h>
#include <math.h>
#include <string.h>

#define LOAD_TIMEOUT (30 * GST_SECOND)
/* Beyond this lag the pacer drops ticks instead of bursting a backlog into
 * every pipeline at once. */
#define PACER_MAX_LAG (500 * GST_MSECOND)

static GstCaps *
video_caps_from_file (GstCaps *file_caps, gboolean h264)
{
  GstStructure *in = gst_caps_get_structure (file_caps, 0);
  GstCaps *caps;
  int width = 0, height = 0;

  /* The IVF header's rate field is not trustworthy (ivfparse reports a
   * time base as a frame rate), and the pacer decides the rate anyway. */
  if (h264)
    caps = gst_caps_new_simple ("video/x-h264",
        "stream-format", G_TYPE_STRING, "byte-stream",
        "alignment", G_TYPE_STRING, "au", NULL);
  else
    caps = gst_caps_new_empty_simple ("video/x-vp8");

  gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION,
      WHIP_VIDEO_FPS, 1, NULL);
  if (gst_structure_get_int (in, "width", &width) &&
      gst_structure_get_int (in, "height", &height))
    gst_caps_set_simple (caps, "width", G_TYPE_INT, width,
        "height", G_TYPE_INT, height, NULL);
  /* rtph264pay maps the offered profile-level-id onto profile and level
   * ranges, and refuses input caps that lack either field. */
  for (const char *const *f = (const char *const[]) {"profile", "level", NULL};
      h264 && *f; f++)
    if (gst_structure_get_string (in, *f))
      gst_caps_set_simple (caps, *f, G_TYPE_STRING,
          gst_structure_get_string (in, *f), NULL);
  return caps;
}

/* ivfparse does not flag delta frames, so read the VP8 frame tag: bit 0 of
 * the first byte is 0 for a key frame (RFC 6386, section 9.1). */
static gboolean
vp8_is_keyframe (GstBuffer *buffer)
{
  guint8 first = 0;

  if (gst_buffer_extract (buffer, 0, &first, 1) != 1)
    return FALSE;
  return (first & 0x01) == 0;
}

typedef gboolean (*SampleFunc) (GstSample *sample, gpointer data,
    GError **error);

/* Runs @description (a "src" element reading @path, an appsink "sink") to
 * the end, handing each sample to @func. */
static gboolean
read_samples (const char *description, const char *path, SampleFunc func,
    gpointer data, GError **error)
{
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstElement) src = NULL;
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstBus) bus = NULL;
  GstClockTime waited = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
        "%s: no such file (run tools/make-test-media)", path);
    return FALSE;
  }

  pipeline = gst_parse_launch (description, error);
  if (!pipeline)
    return FALSE;
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (src, "location", path, NULL);
  g_object_set (sink, "sync", FALSE, "max-buffers", 0, NULL);
  bus = gst_element_get_bus (pipeline);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
        "%s: cannot start the reader pipeline", path);
    return FALSE;
  }

  for (;;) {
    g_autoptr (GstSample) sample = NULL;
    g_autoptr (GstMessage) msg = NULL;

    sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
        100 * GST_MSECOND);
    if (!sample) {
      if (gst_app_sink_is_eos (GST_APP_SINK (sink)))
        break;
      msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      if (msg) {
        g_autoptr (GError) gerr = NULL;

        gst_message_parse_error (msg, &gerr, NULL);
        g_set_error (error, gerr->domain, gerr->code, "%s: %s", path,
            gerr->message);
        gst_element_set_state (pipeline, GST_STATE_NULL);
        return FALSE;
      }
      waited += 100 * GST_MSECOND;
      if (waited > LOAD_TIMEOUT) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
            "%s: reading timed out", path);
        gst_element_set_state (pipeline, GST_STATE_NULL);
        return FALSE;
      }
      continue;
    }
    if (!func (sample, data, error)) {
      gst_element_set_state (pipeline, GST_STATE_NULL);
      return FALSE;
    }
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return TRUE;
}

typedef struct {
  WhipTrack *track;
  const char *path;
  gboolean vp8, opus;
} TrackReader;

static gboolean
add_unit (GstSample *sample, gpointer data, GError **error)
{
  TrackReader *r = data;
  WhipTrack *track = r->track;
  GstBuffer *in = gst_sample_get_buffer (sample);
  GstBuffer *unit;
  GstClockTime duration;

  /* Ogg carries OpusHead/OpusTags as HEADER packets; h264parse uses the
   * same flag for access units that carry SPS/PPS, which we need.  A VP8
   * frame is never empty (its tag alone is 3 bytes), so VP8 units are
   * the IVF file's frames one for one: keyframe-sent's index relies on
   * it, as whep-view --reference-ivf numbers the same file's frames. */
  if (!in || gst_buffer_get_size (in) == 0 ||
      (r->opus && GST_BUFFER_FLAG_IS_SET (in, GST_BUFFER_FLAG_HEADER)))
    return TRUE;
  if (!track->caps) {
    GstCaps *file_caps = gst_sample_get_caps (sample);

    if (!file_caps) {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
          "%s: reader produced no caps", r->path);
      return FALSE;
    }
    track->caps = r->opus ? gst_caps_copy (file_caps) :
        video_caps_from_file (file_caps, !r->vp8);
  }

  /* A shallow copy: the payload memory is shared, but timestamps are
   * ours to rewrite on every push. */
  unit = gst_buffer_copy (in);
  duration = GST_BUFFER_DURATION (in);
  GST_BUFFER_PTS (unit) = GST_BUFFER_DTS (unit) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_OFFSET (unit) = GST_BUFFER_OFFSET_END (unit) =
      GST_BUFFER_OFFSET_NONE;
  if (!GST_CLOCK_TIME_IS_VALID (duration) ||
      duration < track->interval / 2 || duration > track->interval * 2)
    duration = track->interval;
  GST_BUFFER_DURATION (unit) = duration;
  GST_BUFFER_FLAG_UNSET (unit, GST_BUFFER_FLAG_DISCONT);
  if (r->opus || (r->vp8 && vp8_is_keyframe (unit)))
    GST_BUFFER_FLAG_UNSET (unit, GST_BUFFER_FLAG_DELTA_UNIT);
  else if (r->vp8)
    GST_BUFFER_FLAG_SET (unit, GST_BUFFER_FLAG_DELTA_UNIT);
  g_ptr_array_add (track->units, unit);
  return TRUE;
}

static gboolean
load_track (WhipTrack *track, const char *description, const char *path,
    const char *kind, GError **error)
{
  TrackReader reader = { track, path, g_str_equal (kind, "vp8"),
    g_str_equal (kind, "opus") };

  track->units = g_ptr_array_new_with_free_func (
      (GDestroyNotify) gst_buffer_unref);
  if (!read_samples (description, path, add_unit, &reader, error))
    return FALSE;

  if (track->units->len == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "%s: no %s access units found", path, kind);
    return FALSE;
  }
  /* Publishers start at unit 0, and a receiver can only start decoding at
   * a key frame. */
  if (GST_BUFFER_FLAG_IS_SET (g_ptr_array_index (track->units, 0),
          GST_BUFFER_FLAG_DELTA_UNIT)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "%s: the first access unit is not a key frame", path);
    return FALSE;
  }
  return TRUE;
}

/* RFC 6464 levels: the RMS of each packet's decoded samples in -dBov (0
 * loudest, 127 silence).  The tool has no voice detector, so the V flag
 * says "louder than -50 dBov", the level at which the relay counts a
 * participant as speaking.  opusdec gives one buffer per packet, in order,
 * so the n-th decoded buffer belongs to the n-th unit. */
#define VOICE_LEVEL 50

typedef struct {
  WhipTrack *track;
  guint next;
} LevelReader;

static gboolean
add_level (GstSample *sample, gpointer data, GError **error)
{
  LevelReader *r = data;
  GstBuffer *in = gst_sample_get_buffer (sample);
  GstMapInfo map;
  double sum = 0;
  gsize n;
  guint level = 127;

  if (!in || r->next >= r->track->units->len ||
      !gst_buffer_map (in, &map, GST_MAP_READ))
    return TRUE;
  n = map.size / sizeof (gint16);
  for (gsize i = 0; i < n; i++) {
    double v = ((const gint16 *) map.data)[i] / 32768.0;

    sum += v * v;
  }
  gst_buffer_unmap (in, &map);
  if (n > 0 && sum > 0) {
    double dbov = 10.0 * log10 (sum / n);

    level = (guint) CLAMP (lround (-dbov), 0, 127);
  }
  gst_buffer_add_audio_level_meta (g_ptr_array_index (r->track->units,
          r->next++), (guint8) level, level <= VOICE_LEVEL);
  return TRUE;
}

/* rtpopuspay hands each buffer's GstAudioLevelMeta to the audio level
 * header extension; buffers the pacer pushes are copies, metas included. */
static gboolean
attach_levels (WhipTrack *track, const char *path, GError **error)
{
  LevelReader reader = { track, 0 };

  if (!read_samples ("filesrc name=src ! oggdemux ! opusdec "
          "! audio/x-raw,format=S16LE,layout=interleaved "
          "! appsink name=sink", path, add_level, &reader, error))
    return FALSE;
  if (reader.next == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "%s: no audio decoded for the levels", path);
    return FALSE;
  }
  /* Should a decoder ever merge packets, the rest repeat the last level. */
  for (guint i = reader.next; i < track->units->len; i++) {
    GstAudioLevelMeta *last = gst_buffer_get_audio_level_meta (
        g_ptr_array_index (track->units, reader.next - 1));

    gst_buffer_add_audio_level_meta (g_ptr_array_index (track->units, i),
        last->level, last->voice_activity);
  }
  return TRUE;
}

gboolean
whip_media_load (WhipMedia *media, const char *video_path, gboolean h264,
    const char *audio_path, gboolean audio_levels, GError **error)
{
  memset (media, 0, sizeof *media);
  media->video.interval = gst_util_uint64_scale_int (GST_SECOND, 1,
      WHIP_VIDEO_FPS);
  media->audio.interval = WHIP_AUDIO_FRAME_MS * GST_MSECOND;

  /* config-interval=-1 repeats SPS/PPS in every IDR access unit, so each
   * loop restart and each late joiner gets a self-contained key frame. */
  if (!load_track (&media->video, h264 ?
          "filesrc name=src ! h264parse config-interval=-1 "
          "! video/x-h264,stream-format=byte-stream,alignment=au "
          "! appsink name=sink" :
          "filesrc name=src ! ivfparse ! video/x-vp8 ! appsink name=sink",
          video_path, h264 ? "h264" : "vp8", error))
    return FALSE;
  if (!load_track (&media->audio,
          "filesrc name=src ! oggdemux ! opusparse ! audio/x-opus "
          "! appsink name=sink", audio_path, "opus", error))
    return FALSE;
  return !audio_levels || attach_levels (&media->audio, audio_path, error);
}

static void
track_clear (WhipTrack *track)
{
  gst_clear_caps (&track->caps);
  g_clear_pointer (&track->units, g_ptr_array_unref);
}

void
whip_media_clear (WhipMedia *media)
{
  track_clear (&media->video);
  track_clear (&media->audio);
}

/* --- pacer --- */

struct _WhipFeed {
  char *province;
  GstAppSrc *video;
  GstAppSrc *audio;
  GstClockTime base_time;
  guint video_pos;
  guint audio_pos;
};

struct _WhipPacer {
  const WhipMedia *media;
  GstClock *clock;
  GMutex lock;
  GPtrArray *feeds;   /* WhipFeed*, under lock */
  GThread *thread;
  gint stop;          /* atomic */
  gboolean log_keyframes;
  guint video_start;  /* where each feed's video begins in the file */
};

/* A key frame pushed under the pacer's lock, reported after it is released:
 * printing (and a stdout pipe that may be full) must not hold up the other
 * feeds, and the feed itself may be detached by then, hence the copy of its
 * province. */
typedef struct {
  char *province;
  guint index;
  gint64 wall_us;
} SentKeyframe;

static void
sent_keyframe_clear (gpointer data)
{
  g_free (((SentKeyframe *) data)->province);
}

static void
feed_free (WhipFeed *feed)
{
  g_free (feed->province);
  gst_object_unref (feed->video);
  gst_object_unref (feed->audio);
  g_free (feed);
}

static void
push_unit (GstAppSrc *src, const WhipTrack *track, guint *pos,
    GstClockTime running_time)
{
  GstBuffer *unit = g_ptr_array_index (track->units, *pos);
  GstBuffer *out = gst_buffer_copy (unit);

  GST_BUFFER_PTS (out) = GST_BUFFER_DTS (out) = running_time;
  /* Ignoring the flow return: a stopped or leaky appsrc simply drops. */
  gst_app_src_push_buffer (src, out);
  *pos = (*pos + 1) % track->units->len;
}

static gpointer
pacer_thread (gpointer data)
{
  WhipPacer *pacer = data;
  const WhipMedia *media = pacer->media;
  GstClockTime start = gst_clock_get_time (pacer->clock);
  guint64 video_tick = 0, audio_tick = 0;
  GstClockTime last_report = 0;
  g_autoptr (GArray) sent = g_array_new (FALSE, FALSE, sizeof (SentKeyframe));

  g_array_set_clear_func (sent, sent_keyframe_clear);
  while (!g_atomic_int_get (&pacer->stop)) {
    /* Ticks are computed from the start time rather than accumulated, so
     * rounding never makes the stream drift from 15 and 50 per second. */
    GstClockTime video_due = start + gst_util_uint64_scale_int (video_tick,
        GST_SECOND, WHIP_VIDEO_FPS);
    GstClockTime audio_due = start + audio_tick * media->audio.interval;
    GstClockTime due = MIN (video_due, audio_due);
    GstClockID id = gst_clock_new_single_shot_id (pacer->clock, due);
    GstClockTime now;

    gst_clock_id_wait (id, NULL);
    gst_clock_id_unref (id);
    if (g_atomic_int_get (&pacer->stop))
      break;

    g_mutex_lock (&pacer->lock);
    for (guint i = 0; i < pacer->feeds->len; i++) {
      WhipFeed *feed = g_ptr_array_index (pacer->feeds, i);

      if (due < feed->base_time)
        continue;
      if (due == video_due) {
        guint index = feed->video_pos;

        if (pacer->log_keyframes &&
            !GST_BUFFER_FLAG_IS_SET (g_ptr_array_index (media->video.units,
                    index), GST_BUFFER_FLAG_DELTA_UNIT)) {
          /* The real-time clock, not the pipeline's: the receiver is
           * another process and compares against g_get_real_time () too. */
          SentKeyframe k = { g_strdup (feed->province), index,
            g_get_real_time () };

          g_array_append_val (sent, k);
        }
        push_unit (feed->video, &media->video, &feed->video_pos,
            due - feed->base_time);
      }
      if (due == audio_due)
        push_unit (feed->audio, &media->audio, &feed->audio_pos,
            due - feed->base_time);
    }
    g_mutex_unlock (&pacer->lock);

    for (guint i = 0; i < sent->len; i++) {
      SentKeyframe *k = &g_array_index (sent, SentKeyframe, i);
      JsonBuilder *b = whip_event_begin (k->province, "keyframe-sent");

      tool_event_add_int (b, "index", k->index);
      tool_event_add_int (b, "wall_us", k->wall_us);
      tool_event_end (b);
    }
    g_array_set_size (sent, 0);

    if (due == video_due)
      video_tick++;
    if (due == audio_due)
      audio_tick++;

    now = gst_clock_get_time (pacer->clock);
    if (now > due + PACER_MAX_LAG) {
      /* Benchmarks must know when the publisher, not the relay, was the
       * bottleneck; once a second at most. */
      if (now >= last_report + GST_SECOND) {
        JsonBuilder *b = whip_event_begin (NULL, "pacer-lag");

        tool_event_add_int (b, "ms", (now - due) / GST_MSECOND);
        tool_event_end (b);
        last_report = now;
      }
      while (start + gst_util_uint64_scale_int (video_tick, GST_SECOND,
              WHIP_VIDEO_FPS) < now)
        video_tick++;
      while (start + audio_tick * media->audio.interval < now)
        audio_tick++;
    }
  }
  return NULL;
}

WhipPacer *
whip_pacer_new (const WhipMedia *media, gboolean log_keyframes,
    guint video_start)
{
  WhipPacer *pacer = g_new0 (WhipPacer, 1);

  pacer->media = media;
  pacer->log_keyframes = log_keyframes;
  pacer->video_start = video_start % media->video.units->len;
  /* The same clock the pipelines run on, so due times convert to running
   * times with nothing but the base time. */
  pacer->clock = gst_system_clock_obtain ();
  g_mutex_init (&pacer->lock);
  pacer->feeds = g_ptr_array_new_with_free_func ((GDestroyNotify) feed_free);
  pacer->thread = g_thread_new ("whip-pacer", pacer_thread, pacer);
  return pacer;
}

void
whip_pacer_free (WhipPacer *pacer)
{
  if (!pacer)
    return;
  g_atomic_int_set (&pacer->stop, 1);
  g_thread_join (pacer->thread);
  g_ptr_array_unref (pacer->feeds);
  g_mutex_clear (&pacer->lock);
  gst_object_unref (pacer->clock);
  g_free (pacer);
}

WhipFeed *
whip_pacer_attach (WhipPacer *pacer, const char *province,
    GstElement *pipeline, GstAppSrc *video, GstAppSrc *audio)
{
  WhipFeed *feed = g_new0 (WhipFeed, 1);

  feed->province = g_strdup (province);
  feed->video = gst_object_ref (video);
  feed->audio = gst_object_ref (audio);
  feed->base_time = gst_element_get_base_time (pipeline);
  feed->video_pos = pacer->video_start;
  g_mutex_lock (&pacer->lock);
  g_ptr_array_add (pacer->feeds, feed);
  g_mutex_unlock (&pacer->lock);
  return feed;
}

void
whip_pacer_detach (WhipPacer *pacer, WhipFeed *feed)
{
  g_mutex_lock (&pacer->lock);
  g_ptr_array_remove_fast (pacer->feeds, feed);
  g_mutex_unlock (&pacer->lock);
}
