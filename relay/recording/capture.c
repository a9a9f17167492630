#include "relay/recording/capture.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "webrtc/base/log.h"
#include "webrtc/base/media.h"
#include "relay/recording/fmp4-writer.h"
#include "relay/recording/recording-index.h"
#include "relay/recording/rtp-frame-assembler.h"
#include "relay/recording/webm-writer.h"

/* A refused disk is tried again this long after a failure. */
#define RETRY_US (30 * G_USEC_PER_SEC)
/* Key frame requests while the assembler waits for one. */
#define KEYFRAME_INTERVAL_US (G_USEC_PER_SEC)
/* A capture whose video has not come by then records its sound alone. */
#define AUDIO_ONLY_AFTER_US (5 * G_USEC_PER_SEC)
/* One fdatasync a second at most: a crash of the machine, not only of the
 * relay, then loses about as much as a SIGKILL does. */
#define FSYNC_INTERVAL_MS 1000

typedef struct {
  gboolean webm;
  RelayFmp4Writer *mp4;
  RelayWebmWriter *webm_writer;
} Writer;

struct _RelayCapture {
  gint64 briefing_id;
  char *kind;
  char *office;
  gint64 turn_id;
  char *data_dir;
  guint segment_s;
  sqlite3 *db;
  RelayEventBus *events;
  RelayCaptureKeyframeFunc request_keyframe;
  gpointer user_data;

  gint64 t0_us;         /* monotonic: the capture's zero */
  gint64 t0_wall_ms;    /* the same moment on the wall clock */
  RelayRtpFrameAssembler *video;
  RelayRtpFrameAssembler *audio;
  RelayMediaCodec video_codec;
  gint64 last_keyframe_request_us;

  Writer writer;        /* open when writer.mp4 or writer.webm_writer */
  RelayRecordingRow *row;
  gint64 file_start_ts; /* video clock: the open file's first frame */
  guint next_segment;
  guint64 fragments_indexed;

  gboolean failed;
  gint64 retry_at_us;
  RelayCaptureStats stats;
  guint64 closed_bytes; /* bytes of the files already closed */
};

/* ---- the writer, whichever container ------------------------------------- */

static gboolean
writer_open (Writer *w) { return w->mp4 || w->webm_writer; }

static gboolean
writer_push (Writer *w, const RelayMediaFrame *frame, GError **error)
{
  return w->webm ? relay_webm_writer_push (w->webm_writer, frame, error)
                 : relay_fmp4_writer_push (w->mp4, frame, error);
}

static gboolean
writer_finish (Writer *w, GError **error)
{
  return w->webm ? relay_webm_writer_finish (w->webm_writer, error)
                 : relay_fmp4_writer_finish (w->mp4, error);
}

static void
writer_stats (Writer *w, RelayWriterStats *stats)
{
  if (w->webm)
    relay_webm_writer_get_stats (w->webm_writer, stats);
  else
    relay_fmp4_writer_get_stats (w->mp4, stats);
}

static void
writer_close (Writer *w)
{
  g_clear_pointer (&w->mp4, relay_fmp4_writer_free);
  g_clear_pointer (&w->webm_writer, relay_webm_writer_free);
}

/* ---- events and the index ------------------------------------------------- */

static void
publish (RelayCapture *self, const char *state, const char *reason)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "briefing");
  json_builder_add_int_value (b, self->briefing_id);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, self->kind);
  json_builder_set_member_name (b, "office");
  if (self->office)
    json_builder_add_string_value (b, self->office);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "recording_id");
  if (self->row)
    json_builder_add_int_value (b, self->row->id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, state);
  json_builder_set_member_name (b, "reason");
  if (reason)
    json_builder_add_string_value (b, reason);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  relay_event_bus_publish (self->events, "recording", json_builder_get_root (b));
}

static void
index_progress (RelayCapture *self)
{
  RelayWriterStats ws;
  writer_stats (&self->writer, &ws);
  self->stats.bytes_written = self->closed_bytes + ws.bytes_written;
  if (ws.fragments == self->fragments_indexed)
    return;
  self->fragments_indexed = ws.fragments;
  g_autoptr (GError) error = NULL;
  if (!relay_recording_index_progress (self->db, self->row->id, ws.duration_us / 1000,
                                       (gint64) ws.bytes_written, self->row->width,
                                       self->row->height, &error))
    relay_warn (self->office, "recording index: %s", error->message);
}

/* Closes the open file: `complete`, or `failed` with why. */
static void
close_file (RelayCapture *self, const char *state, const char *why)
{
  if (!writer_open (&self->writer))
    return;
  g_autoptr (GError) error = NULL;
  const char *final_state = state;
  g_autofree char *reason = g_strdup (why);
  if (strcmp (state, "complete") == 0 && !writer_finish (&self->writer, &error))
    {
      final_state = "failed";
      reason = g_strdup (error->message);
    }
  RelayWriterStats ws;
  writer_stats (&self->writer, &ws);
  writer_close (&self->writer);
  self->closed_bytes += ws.bytes_written;
  self->stats.bytes_written = self->closed_bytes;
  self->stats.frames_written += ws.frames_written;
  self->stats.frames_dropped += ws.frames_dropped;
  g_clear_error (&error);
  if (!relay_recording_index_close (self->db, self->row->id, final_state, ws.duration_us / 1000,
                                    (gint64) ws.bytes_written, reason, &error))
    relay_warn (self->office, "recording index: %s", error->message);
  relay_info (self->office, "recording %s: %s (%" G_GINT64_FORMAT " ms, %" G_GUINT64_FORMAT
                            " bytes)",
              final_state, self->row->path, ws.duration_us / 1000, ws.bytes_written);
  if (strcmp (final_state, "failed") == 0)
    {
      self->failed = TRUE;
      self->retry_at_us = g_get_monotonic_time () + RETRY_US;
      self->stats.failures++;
      relay_warn (self->office, "recording of the %s stopped: %s", self->kind, reason);
      publish (self, "failed", reason);
    }
  else
    publish (self, "stopped", NULL);
  g_clear_pointer (&self->row, relay_recording_row_free);
  self->stats.recording = FALSE;
}

/* A new file, at a video key frame (or at an audio frame when the capture
 * has no video). FALSE when the disk refuses it. */
static gboolean
open_file (RelayCapture *self, const RelayMediaFrame *first, gboolean has_video)
{
  gboolean webm = has_video && self->video_codec == RELAY_MEDIA_VP8;
  const char *container = webm ? "webm" : "mp4";
  g_autofree char *dir_rel = g_strdup_printf ("recordings/%" G_GINT64_FORMAT, self->briefing_id);
  g_autofree char *name
      = self->office ? g_strdup_printf ("%s-%s-turn%" G_GINT64_FORMAT "-%03u.%s", self->kind,
                                        self->office, self->turn_id, self->next_segment, container)
                     : g_strdup_printf ("%s-%03u.%s", self->kind, self->next_segment, container);
  g_autofree char *rel = g_build_filename (dir_rel, name, NULL);
  g_autofree char *dir = g_build_filename (self->data_dir, dir_rel, NULL);
  g_autofree char *path = g_build_filename (self->data_dir, rel, NULL);
  g_autoptr (GError) error = NULL;
  RelayWriterParams params = { .video = has_video, .audio = TRUE,
                               .fsync_interval_ms = FSYNC_INTERVAL_MS,
                               .expected_ms = (guint64) self->segment_s * 1000 };
  if (g_mkdir_with_parents (dir, 0700) != 0)
    g_set_error (&error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", dir,
                 g_strerror (errno));
  else if (webm)
    self->writer.webm_writer = relay_webm_writer_new (path, &params, &error);
  else
    self->writer.mp4 = relay_fmp4_writer_new (path, &params, &error);
  self->writer.webm = webm;
  if (!writer_open (&self->writer))
    {
      self->failed = TRUE;
      self->retry_at_us = g_get_monotonic_time () + RETRY_US;
      self->stats.failures++;
      relay_warn (self->office, "recording of the %s not possible: %s", self->kind,
                  error->message);
      publish (self, "failed", error->message);
      return FALSE;
    }

  RelayRecordingRow *row = g_new0 (RelayRecordingRow, 1);
  row->briefing_id = self->briefing_id;
  row->kind = g_strdup (self->kind);
  row->office = g_strdup (self->office);
  row->turn_id = self->turn_id;
  row->segment = self->next_segment++;
  row->path = g_steal_pointer (&rel);
  row->container = g_strdup (container);
  row->video_codec = has_video ? g_strdup (webm ? "vp8" : "h264") : NULL;
  row->audio_codec = g_strdup ("opus");
  guint clock = has_video ? RELAY_VIDEO_CLOCK : RELAY_AUDIO_CLOCK;
  row->started_ms = self->t0_wall_ms + first->timestamp * 1000 / clock;
  if (has_video && first->codec == RELAY_MEDIA_VP8 && first->data)
    {
      gsize len;
      const guint8 *p = g_bytes_get_data (first->data, &len);
      relay_vp8_keyframe_size (p, len, &row->width, &row->height);
    }
  else if (has_video && first->sps)
    {
      RelayH264Sps sps;
      gsize len;
      const guint8 *p = g_bytes_get_data (first->sps, &len);
      if (relay_h264_parse_sps (p, len, &sps))
        {
          row->width = sps.width;
          row->height = sps.height;
        }
    }
  self->row = row;
  self->fragments_indexed = 0;
  self->file_start_ts = first->timestamp;
  if (!relay_recording_index_insert (self->db, row, &error))
    relay_warn (self->office, "recording index: %s", error->message);
  if (self->failed)
    publish (self, "resumed", NULL);
  else
    publish (self, "started", NULL);
  self->failed = FALSE;
  self->stats.files++;
  self->stats.recording = TRUE;
  relay_info (self->office, "recording the %s: %s", self->kind, row->path);
  return TRUE;
}

/* ---- frames ----------------------------------------------------------------- */

static void
write_frame (RelayCapture *self, RelayMediaFrame *frame)
{
  gboolean video = frame->codec != RELAY_MEDIA_OPUS;
  gboolean has_video = self->video != NULL;
  if (video && frame->keyframe)
    {
      gboolean segment_over
          = writer_open (&self->writer)
            && frame->timestamp - self->file_start_ts
                   >= (gint64) self->segment_s * RELAY_VIDEO_CLOCK;
      if (segment_over)
        close_file (self, "complete", NULL);
      if (!writer_open (&self->writer)
          && (!self->failed || g_get_monotonic_time () >= self->retry_at_us))
        open_file (self, frame, TRUE);
    }
  else if (!has_video && !writer_open (&self->writer)
           && g_get_monotonic_time () - self->t0_us >= AUDIO_ONLY_AFTER_US
           && (!self->failed || g_get_monotonic_time () >= self->retry_at_us))
    open_file (self, frame, FALSE);
  if (!writer_open (&self->writer))
    {
      self->stats.frames_dropped++;
      return;
    }
  g_autoptr (GError) error = NULL;
  if (!writer_push (&self->writer, frame, &error))
    {
      close_file (self, "failed", error->message);
      return;
    }
  index_progress (self);
}

static void
drain (RelayCapture *self, RelayRtpFrameAssembler *assembler)
{
  RelayMediaFrame *frame;
  while ((frame = relay_rtp_frame_assembler_pop (assembler)))
    {
      write_frame (self, frame);
      relay_media_frame_free (frame);
    }
}

static RelayRtpFrameAssembler *
assembler_for (RelayCapture *self, RelayMediaCodec codec, gint64 arrival_us)
{
  gboolean audio = codec == RELAY_MEDIA_OPUS;
  RelayRtpFrameAssembler **slot = audio ? &self->audio : &self->video;
  if (*slot)
    return *slot;
  /* The track's first packet sits at its arrival time on the capture's
   * timeline: both tracks then start from one zero. */
  guint clock = audio ? RELAY_AUDIO_CLOCK : RELAY_VIDEO_CLOCK;
  gint64 since = MAX (0, arrival_us - self->t0_us);
  *slot = relay_rtp_frame_assembler_new (codec, since * clock / G_USEC_PER_SEC);
  if (!audio)
    self->video_codec = codec;
  return *slot;
}

void
relay_capture_on_packet (const RelayChannelPacket *packet, gpointer user_data)
{
  RelayCapture *self = user_data;
  RelayMediaCodec codec;
  switch (packet->kind)
    {
    case RELAY_FORWARD_AUDIO:
      codec = RELAY_MEDIA_OPUS;
      break;
    case RELAY_FORWARD_VP8:
      codec = RELAY_MEDIA_VP8;
      break;
    case RELAY_FORWARD_H264:
      codec = RELAY_MEDIA_H264;
      break;
    default:
      return;
    }
  /* A video codec change (a publisher came back with another) would need
   * another container: the rest of the turn stays in the first one. */
  if (codec != RELAY_MEDIA_OPUS && self->video && codec != self->video_codec)
    return;
  RelayRtpFrameAssembler *a = assembler_for (self, codec, packet->arrival_us);
  relay_rtp_frame_assembler_push (a, packet->data, packet->len);
  drain (self, a);
  if (a == self->video && relay_rtp_frame_assembler_needs_keyframe (a))
    {
      gint64 now = g_get_monotonic_time ();
      if (now - self->last_keyframe_request_us >= KEYFRAME_INTERVAL_US)
        {
          self->last_keyframe_request_us = now;
          self->request_keyframe (self, self->user_data);
        }
    }
}

/* ---- life ------------------------------------------------------------------- */

RelayCapture *
relay_capture_new (const RelayCaptureSettings *s)
{
  RelayCapture *self = g_new0 (RelayCapture, 1);
  self->briefing_id = s->briefing_id;
  self->kind = g_strdup (s->kind);
  self->office = g_strdup (s->office);
  self->turn_id = s->turn_id;
  self->data_dir = g_strdup (s->data_dir);
  self->segment_s = MAX (s->segment_s, 1);
  self->db = s->db;
  self->events = s->events;
  self->request_keyframe = s->request_keyframe;
  self->user_data = s->user_data;
  self->t0_us = g_get_monotonic_time ();
  self->t0_wall_ms = g_get_real_time () / 1000;
  return self;
}

void
relay_capture_finish (RelayCapture *self)
{
  /* What the reordering windows hold is the end of the stream. */
  if (self->video)
    {
      relay_rtp_frame_assembler_flush (self->video);
      drain (self, self->video);
    }
  if (self->audio)
    {
      relay_rtp_frame_assembler_flush (self->audio);
      drain (self, self->audio);
    }
  close_file (self, "complete", NULL);
}

void
relay_capture_free (RelayCapture *self)
{
  if (!self)
    return;
  if (writer_open (&self->writer))
    relay_capture_finish (self);
  g_clear_pointer (&self->video, relay_rtp_frame_assembler_free);
  g_clear_pointer (&self->audio, relay_rtp_frame_assembler_free);
  g_free (self->kind);
  g_free (self->office);
  g_free (self->data_dir);
  g_free (self);
}

void
relay_capture_get_stats (RelayCapture *self, RelayCaptureStats *stats)
{
  *stats = self->stats;
  RelayRtpFrameAssemblerStats as;
  if (self->video)
    {
      relay_rtp_frame_assembler_get_stats (self->video, &as);
      stats->frames_dropped += as.frames_dropped;
    }
  if (self->audio)
    {
      relay_rtp_frame_assembler_get_stats (self->audio, &as);
      stats->frames_dropped += as.frames_dropped;
    }
}

const char *
relay_capture_get_kind (RelayCapture *self)
{
  return self->kind;
}

gint64
relay_capture_get_turn (RelayCapture *self)
{
  return self->turn_id;
}
