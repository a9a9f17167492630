#include "relay/recording/webm-writer.h"

#include <string.h>
#include <unistd.h>

#include "relay/recording/write-util.h"

/* Element IDs (Matroska / EBML specifications). */
#define ID_EBML 0x1A45DFA3
#define ID_EBML_VERSION 0x4286
#define ID_EBML_READ_VERSION 0x42F7
#define ID_EBML_MAX_ID_LENGTH 0x42F2
#define ID_EBML_MAX_SIZE_LENGTH 0x42F3
#define ID_DOCTYPE 0x4282
#define ID_DOCTYPE_VERSION 0x4287
#define ID_DOCTYPE_READ_VERSION 0x4285
#define ID_SEGMENT 0x18538067
#define ID_SEEKHEAD 0x114D9B74
#define ID_SEEK 0x4DBB
#define ID_SEEK_ID 0x53AB
#define ID_SEEK_POSITION 0x53AC
#define ID_INFO 0x1549A966
#define ID_TIMESTAMP_SCALE 0x2AD7B1
#define ID_DURATION 0x4489
#define ID_MUXING_APP 0x4D80
#define ID_WRITING_APP 0x5741
#define ID_TRACKS 0x1654AE6B
#define ID_TRACK_ENTRY 0xAE
#define ID_TRACK_NUMBER 0xD7
#define ID_TRACK_UID 0x73C5
#define ID_TRACK_TYPE 0x83
#define ID_FLAG_LACING 0x9C
#define ID_CODEC_ID 0x86
#define ID_CODEC_PRIVATE 0x63A2
#define ID_CODEC_DELAY 0x56AA
#define ID_SEEK_PRE_ROLL 0x56BB
#define ID_VIDEO 0xE0
#define ID_PIXEL_WIDTH 0xB0
#define ID_PIXEL_HEIGHT 0xBA
#define ID_AUDIO 0xE1
#define ID_SAMPLING_FREQUENCY 0xB5
#define ID_CHANNELS 0x9F
#define ID_CLUSTER 0x1F43B675
#define ID_TIMESTAMP 0xE7
#define ID_SIMPLE_BLOCK 0xA3
#define ID_CUES 0x1C53BB6B
#define ID_CUE_POINT 0xBB
#define ID_CUE_TIME 0xB3
#define ID_CUE_TRACK_POSITIONS 0xB7
#define ID_CUE_TRACK 0xF7
#define ID_CUE_CLUSTER_POSITION 0xF1
#define ID_CUE_BLOCK_NUMBER 0x5378
#define ID_VOID 0xEC

#define OPUS_PRE_SKIP 312
/* Room kept for the SeekHead (3 entries need 68 bytes). */
#define SEEKHEAD_SPACE 128

typedef struct {
  gint64 time_ms;
  guint64 cluster_position; /* from the segment's data */
  guint block;              /* 1-based */
  guint track;
} Cue;

struct _RelayWebmWriter {
  char *path;
  int fd;
  RelayWriterParams params;
  RelayChunker chunker;
  gboolean started, finished;
  GError *failure;
  gint64 origin_us;
  guint audio_channels;
  guint width, height;
  guint track_number[RELAY_TRACK_COUNT];
  gint64 last_ts[RELAY_TRACK_COUNT];
  guint64 offset;
  guint64 segment_size_at, segment_data_at, duration_at, info_at, tracks_at;
  gint64 end_us;
  gint64 last_sync_us;
  GArray *cues;      /* Cue */
  GArray *fragments; /* RelayFragmentInfo */
  RelayWriterStats stats;
};

static guint
track_clock (int t)
{
  return t == RELAY_TRACK_VIDEO ? RELAY_VIDEO_CLOCK : RELAY_AUDIO_CLOCK;
}

static void
put_id (GByteArray *b, guint32 id)
{
  for (int shift = id > 0xffffff ? 24 : id > 0xffff ? 16 : id > 0xff ? 8 : 0; shift >= 0; shift -= 8)
    put_u8 (b, (guint8) (id >> shift));
}

/* An element data size as the shortest EBML variable-size integer (a
 * value of all ones is reserved for "unknown"). */
static void
put_size (GByteArray *b, guint64 size)
{
  guint len = 1;
  while (len < 8 && size >= (G_GUINT64_CONSTANT (1) << (7 * len)) - 1)
    len++;
  guint64 v = size | (G_GUINT64_CONSTANT (1) << (7 * len));
  for (int i = (int) len - 1; i >= 0; i--)
    put_u8 (b, (guint8) (v >> (8 * i)));
}

/* 8-byte size field, for elements whose size is patched later. */
static void
set_size8 (guint8 *at, guint64 size)
{
  set_u64 (at, size | (G_GUINT64_CONSTANT (1) << 56));
}

static void
el_uint (GByteArray *b, guint32 id, guint64 v)
{
  guint len = 1;
  while (len < 8 && (v >> (8 * len)) != 0)
    len++;
  put_id (b, id);
  put_size (b, len);
  for (int i = (int) len - 1; i >= 0; i--)
    put_u8 (b, (guint8) (v >> (8 * i)));
}

static void
el_float (GByteArray *b, guint32 id, double v)
{
  guint64 bits;
  memcpy (&bits, &v, 8);
  put_id (b, id);
  put_size (b, 8);
  put_u64 (b, bits);
}

static void
el_bytes (GByteArray *b, guint32 id, const void *data, gsize len)
{
  put_id (b, id);
  put_size (b, len);
  put_bytes (b, data, len);
}

static void
el_string (GByteArray *b, guint32 id, const char *s)
{
  el_bytes (b, id, s, strlen (s));
}

/* A master element with an 8-byte size to fill in by master_close. */
static guint
master_open (GByteArray *b, guint32 id)
{
  put_id (b, id);
  guint at = b->len;
  put_u64 (b, 0);
  return at;
}

static void
master_close (GByteArray *b, guint at)
{
  set_size8 (b->data + at, b->len - at - 8);
}

RelayWebmWriter *
relay_webm_writer_new (const char *path, const RelayWriterParams *params, GError **error)
{
  g_return_val_if_fail (params->video || params->audio, NULL);
  int fd = relay_rec_open (path, error);
  if (fd < 0)
    return NULL;
  RelayWebmWriter *self = g_new0 (RelayWebmWriter, 1);
  self->path = g_strdup (path);
  self->fd = fd;
  self->params = *params;
  if (!self->params.fragment_ms)
    self->params.fragment_ms = 1000;
  if (!self->params.max_fragment_ms)
    self->params.max_fragment_ms = 1200;
  relay_chunker_init (&self->chunker, params->video, params->audio, self->params.fragment_ms,
                      self->params.max_fragment_ms);
  self->audio_channels = 2;
  self->track_number[RELAY_TRACK_VIDEO] = params->video ? 1 : 0;
  self->track_number[RELAY_TRACK_AUDIO] = params->audio ? (params->video ? 2 : 1) : 0;
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    self->last_ts[t] = -1;
  self->cues = g_array_new (FALSE, FALSE, sizeof (Cue));
  self->fragments = g_array_new (FALSE, FALSE, sizeof (RelayFragmentInfo));
  self->last_sync_us = g_get_monotonic_time ();
  return self;
}

static gboolean
fail (RelayWebmWriter *self, GError **error)
{
  if (error)
    *error = g_error_copy (self->failure);
  return FALSE;
}

static gboolean
write_at (RelayWebmWriter *self, const void *data, gsize len, guint64 offset, GError **error)
{
  if (self->failure)
    return fail (self, error);
  if (!relay_rec_pwrite (self->fd, data, len, offset, self->path, &self->failure))
    return fail (self, error);
  return TRUE;
}

static gboolean
append (RelayWebmWriter *self, GByteArray *b, GError **error)
{
  if (!write_at (self, b->data, b->len, self->offset, error))
    return FALSE;
  self->offset += b->len;
  self->stats.bytes_written = self->offset;
  return TRUE;
}

static void
put_void (GByteArray *b, guint total)
{
  /* 1-byte ID, 1-byte size: up to 128 bytes in all. */
  g_assert (total >= 2 && total <= 128);
  put_u8 (b, ID_VOID);
  put_size (b, total - 2);
  for (guint i = 2; i < total; i++)
    put_u8 (b, 0);
}

static gboolean
write_header (RelayWebmWriter *self, GError **error)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  guint ebml = master_open (b, ID_EBML);
  el_uint (b, ID_EBML_VERSION, 1);
  el_uint (b, ID_EBML_READ_VERSION, 1);
  el_uint (b, ID_EBML_MAX_ID_LENGTH, 4);
  el_uint (b, ID_EBML_MAX_SIZE_LENGTH, 8);
  el_string (b, ID_DOCTYPE, "webm");
  el_uint (b, ID_DOCTYPE_VERSION, 4);
  el_uint (b, ID_DOCTYPE_READ_VERSION, 2);
  master_close (b, ebml);

  put_id (b, ID_SEGMENT);
  self->segment_size_at = b->len;
  put_u64 (b, G_GUINT64_CONSTANT (0x01ffffffffffffff)); /* unknown size */
  self->segment_data_at = b->len;
  put_void (b, SEEKHEAD_SPACE);

  self->info_at = b->len;
  guint info = master_open (b, ID_INFO);
  el_uint (b, ID_TIMESTAMP_SCALE, 1000000); /* 1 ms */
  el_string (b, ID_MUXING_APP, "briefing-relay");
  el_string (b, ID_WRITING_APP, "briefing-relay");
  put_id (b, ID_DURATION);
  put_size (b, 8);
  self->duration_at = b->len;
  put_u64 (b, 0);
  master_close (b, info);

  self->tracks_at = b->len;
  guint tracks = master_open (b, ID_TRACKS);
  if (self->track_number[RELAY_TRACK_VIDEO])
    {
      guint entry = master_open (b, ID_TRACK_ENTRY);
      el_uint (b, ID_TRACK_NUMBER, self->track_number[RELAY_TRACK_VIDEO]);
      el_uint (b, ID_TRACK_UID, self->track_number[RELAY_TRACK_VIDEO]);
      el_uint (b, ID_TRACK_TYPE, 1);
      el_uint (b, ID_FLAG_LACING, 0);
      el_string (b, ID_CODEC_ID, "V_VP8");
      guint video = master_open (b, ID_VIDEO);
      el_uint (b, ID_PIXEL_WIDTH, self->width);
      el_uint (b, ID_PIXEL_HEIGHT, self->height);
      master_close (b, video);
      master_close (b, entry);
    }
  if (self->track_number[RELAY_TRACK_AUDIO])
    {
      guint entry = master_open (b, ID_TRACK_ENTRY);
      el_uint (b, ID_TRACK_NUMBER, self->track_number[RELAY_TRACK_AUDIO]);
      el_uint (b, ID_TRACK_UID, self->track_number[RELAY_TRACK_AUDIO]);
      el_uint (b, ID_TRACK_TYPE, 2);
      el_uint (b, ID_FLAG_LACING, 0);
      el_string (b, ID_CODEC_ID, "A_OPUS");
      /* OpusHead, RFC 7845 §5.1: little-endian fields. */
      guint8 head[19] = { 'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, (guint8) self->audio_channels,
                          OPUS_PRE_SKIP & 0xff, OPUS_PRE_SKIP >> 8, 0x80, 0xbb, 0, 0, 0, 0, 0 };
      el_bytes (b, ID_CODEC_PRIVATE, head, sizeof head);
      el_uint (b, ID_CODEC_DELAY, (guint64) OPUS_PRE_SKIP * 1000000000 / RELAY_AUDIO_CLOCK);
      el_uint (b, ID_SEEK_PRE_ROLL, 80000000);
      guint audio = master_open (b, ID_AUDIO);
      el_float (b, ID_SAMPLING_FREQUENCY, RELAY_AUDIO_CLOCK);
      el_uint (b, ID_CHANNELS, self->audio_channels);
      master_close (b, audio);
      master_close (b, entry);
    }
  master_close (b, tracks);
  if (!append (self, b, error))
    return FALSE;
  self->started = TRUE;
  return TRUE;
}

static gboolean
patch_duration (RelayWebmWriter *self, GError **error)
{
  double ms = (double) self->end_us / 1000.0;
  guint64 bits;
  memcpy (&bits, &ms, 8);
  guint8 d[8];
  set_u64 (d, bits);
  self->stats.duration_us = self->end_us;
  return write_at (self, d, 8, self->duration_at, error);
}

typedef struct {
  gint64 ms;
  int track;
  RelayChunkSample *sample;
} Block;

static gint
block_compare (gconstpointer a, gconstpointer b)
{
  const Block *x = a, *y = b;
  if (x->ms != y->ms)
    return x->ms < y->ms ? -1 : 1;
  return x->track - y->track; /* video first */
}

/* One Cluster of the samples in out[], in time order. */
static gboolean
write_cluster (RelayWebmWriter *self, GArray *out[RELAY_TRACK_COUNT], GError **error)
{
  g_autoptr (GArray) blocks = g_array_new (FALSE, FALSE, sizeof (Block));
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    for (guint i = 0; i < out[t]->len; i++)
      {
        RelayChunkSample *s = &g_array_index (out[t], RelayChunkSample, i);
        Block block = { relay_rec_to_us (s->ts, track_clock (t)) / 1000, t, s };
        g_array_append_val (blocks, block);
      }
  if (blocks->len == 0)
    return TRUE;
  g_array_sort (blocks, block_compare);
  gint64 cluster_ms = g_array_index (blocks, Block, 0).ms;

  g_autoptr (GByteArray) b = g_byte_array_new ();
  guint cluster = master_open (b, ID_CLUSTER);
  el_uint (b, ID_TIMESTAMP, (guint64) cluster_ms);
  RelayFragmentInfo info = { .offset = self->offset, .start_us = cluster_ms * 1000 };
  info.keyframe = !self->params.video;
  gboolean seen_video = FALSE;
  guint n = 0;
  for (guint i = 0; i < blocks->len; i++)
    {
      Block *block = &g_array_index (blocks, Block, i);
      gint64 rel = block->ms - cluster_ms;
      if (rel > G_MAXINT16)
        {
          self->stats.frames_dropped++; /* timelines far apart: no room in a cluster */
          continue;
        }
      gsize len;
      const guint8 *data = g_bytes_get_data (block->sample->data, &len);
      put_id (b, ID_SIMPLE_BLOCK);
      put_size (b, 4 + len);
      put_u8 (b, 0x80 | (guint8) self->track_number[block->track]);
      put_u16 (b, (guint16) rel);
      put_u8 (b, block->sample->key ? 0x80 : 0x00);
      put_bytes (b, data, len);
      n++;
      self->stats.frames_written++;
      gint64 end = relay_rec_to_us (block->sample->ts + block->sample->duration,
                                    track_clock (block->track));
      self->end_us = MAX (self->end_us, end);
      gboolean video = block->track == RELAY_TRACK_VIDEO;
      if ((video && !seen_video && block->sample->key) || (!self->params.video && n == 1))
        {
          Cue cue = { block->ms, self->offset - self->segment_data_at, n,
                      self->track_number[block->track] };
          g_array_append_val (self->cues, cue);
          info.keyframe = TRUE;
        }
      seen_video |= video;
    }
  master_close (b, cluster);
  if (!append (self, b, error))
    return FALSE;
  info.size = b->len;
  info.duration_us = self->end_us - info.start_us;
  g_array_append_val (self->fragments, info);
  self->stats.fragments++;
  if (!patch_duration (self, error))
    return FALSE;
  gint64 now = g_get_monotonic_time ();
  gint interval = self->params.fsync_interval_ms;
  if (interval >= 0 && now - self->last_sync_us >= (gint64) interval * 1000)
    {
      self->last_sync_us = now;
      fdatasync (self->fd); /* a failure here loses nothing yet; writes tell */
    }
  return TRUE;
}

static gboolean
cut (RelayWebmWriter *self, gint64 cut_us, int next_track, gint64 next_ts, GError **error)
{
  GArray *out[RELAY_TRACK_COUNT];
  relay_chunker_take (&self->chunker, cut_us, next_track, next_ts, out);
  gboolean ok = write_cluster (self, out, error);
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    g_array_unref (out[t]);
  return ok;
}

gboolean
relay_webm_writer_push (RelayWebmWriter *self, const RelayMediaFrame *frame, GError **error)
{
  if (self->failure)
    return fail (self, error);
  g_return_val_if_fail (!self->finished, FALSE);
  int t = frame->codec == RELAY_MEDIA_VP8 ? RELAY_TRACK_VIDEO
          : frame->codec == RELAY_MEDIA_OPUS ? RELAY_TRACK_AUDIO : -1;
  if (t < 0 || !self->track_number[t] || !frame->data)
    {
      self->stats.frames_dropped++;
      return TRUE;
    }
  gsize len;
  const guint8 *data = g_bytes_get_data (frame->data, &len);
  if (!self->started)
    {
      if (t == RELAY_TRACK_AUDIO)
        self->audio_channels = relay_opus_packet_channels (data, len);
      if (self->params.video
          && !(t == RELAY_TRACK_VIDEO && frame->keyframe
               && relay_vp8_keyframe_size (data, len, &self->width, &self->height)))
        {
          self->stats.frames_dropped++;
          return TRUE;
        }
      self->origin_us = relay_rec_to_us (frame->timestamp, track_clock (t));
      if (!write_header (self, error))
        return FALSE;
    }
  gint64 ts = frame->timestamp - relay_rec_from_us (self->origin_us, track_clock (t));
  if (ts < 0 || ts <= self->last_ts[t])
    {
      self->stats.frames_dropped++;
      return TRUE;
    }
  self->last_ts[t] = ts;
  gint64 cut_us = relay_chunker_cut_point (&self->chunker, t, ts, frame->keyframe);
  if (cut_us >= 0 && !cut (self, cut_us, t, ts, error))
    return FALSE;
  relay_chunker_add (&self->chunker, t, ts, frame->keyframe, g_bytes_ref (frame->data));
  return TRUE;
}

gboolean
relay_webm_writer_flush (RelayWebmWriter *self, GError **error)
{
  if (self->failure)
    return fail (self, error);
  if (self->finished || relay_chunker_is_empty (&self->chunker))
    return TRUE;
  return cut (self, G_MAXINT64, -1, 0, error);
}

/* Cues after the clusters; the SeekHead into the space kept for it. */
static gboolean
write_index (RelayWebmWriter *self, GError **error)
{
  guint64 cues_position = self->offset - self->segment_data_at;
  g_autoptr (GByteArray) b = g_byte_array_new ();
  guint cues = master_open (b, ID_CUES);
  for (guint i = 0; i < self->cues->len; i++)
    {
      Cue *cue = &g_array_index (self->cues, Cue, i);
      guint point = master_open (b, ID_CUE_POINT);
      el_uint (b, ID_CUE_TIME, (guint64) cue->time_ms);
      guint positions = master_open (b, ID_CUE_TRACK_POSITIONS);
      el_uint (b, ID_CUE_TRACK, cue->track);
      el_uint (b, ID_CUE_CLUSTER_POSITION, cue->cluster_position);
      el_uint (b, ID_CUE_BLOCK_NUMBER, cue->block);
      master_close (b, positions);
      master_close (b, point);
    }
  master_close (b, cues);
  if (self->cues->len > 0 && !append (self, b, error))
    return FALSE;

  g_autoptr (GByteArray) head = g_byte_array_new ();
  struct {
    guint32 id;
    guint64 position;
  } entries[] = { { ID_INFO, self->info_at - self->segment_data_at },
                  { ID_TRACKS, self->tracks_at - self->segment_data_at },
                  { ID_CUES, cues_position } };
  put_id (head, ID_SEEKHEAD);
  put_size (head, 0); /* 1 byte, patched below */
  guint content = head->len;
  for (guint i = 0; i < (self->cues->len > 0 ? 3u : 2u); i++)
    {
      put_id (head, ID_SEEK);
      put_size (head, 18);
      guint8 id[4];
      set_u32 (id, entries[i].id);
      el_bytes (head, ID_SEEK_ID, id, 4);
      put_id (head, ID_SEEK_POSITION);
      put_size (head, 8);
      put_u64 (head, entries[i].position);
    }
  head->data[content - 1] = 0x80 | (guint8) (head->len - content);
  put_void (head, SEEKHEAD_SPACE - head->len);
  return write_at (self, head->data, head->len, self->segment_data_at, error);
}

gboolean
relay_webm_writer_finish (RelayWebmWriter *self, GError **error)
{
  if (self->finished)
    return TRUE;
  gboolean ok = relay_webm_writer_flush (self, error);
  self->finished = TRUE;
  if (ok && self->started)
    {
      guint8 size[8];
      ok = write_index (self, error);
      set_size8 (size, self->offset - self->segment_data_at);
      ok = ok && write_at (self, size, 8, self->segment_size_at, error)
           && patch_duration (self, error);
    }
  if (ok && fdatasync (self->fd) != 0)
    {
      self->failure = g_error_new (G_FILE_ERROR, G_FILE_ERROR_IO, "cannot sync %s", self->path);
      ok = fail (self, error);
    }
  if (close (self->fd) != 0 && ok)
    {
      self->failure = g_error_new (G_FILE_ERROR, G_FILE_ERROR_IO, "cannot close %s", self->path);
      ok = fail (self, error);
    }
  self->fd = -1;
  return ok;
}

void
relay_webm_writer_get_stats (RelayWebmWriter *self, RelayWriterStats *stats)
{
  *stats = self->stats;
}

const GArray *
relay_webm_writer_get_fragments (RelayWebmWriter *self)
{
  return self->fragments;
}

void
relay_webm_writer_free (RelayWebmWriter *self)
{
  if (!self)
    return;
  if (self->fd >= 0)
    close (self->fd);
  relay_chunker_clear (&self->chunker);
  g_array_unref (self->cues);
  g_array_unref (self->fragments);
  g_clear_error (&self->failure);
  g_free (self->path);
  g_free (self);
}
