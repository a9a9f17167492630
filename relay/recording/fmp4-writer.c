#include "relay/recording/fmp4-writer.h"

#include <string.h>
#include <unistd.h>

#include "relay/recording/fmp4-sidx.h"
#include "relay/recording/write-util.h"

#define OPUS_PRE_SKIP 312
#define MOVIE_TIMESCALE 1000
/* Seconds from 1904-01-01 (ISO BMFF's epoch) to 1970-01-01. */
#define EPOCH_1904 G_GINT64_CONSTANT (2082844800)

/* Sample flags (ISO/IEC 14496-12 §8.8.3.1): a sync sample depends on no
 * other (sample_depends_on = 2); others do (1) and are non-sync. */
#define FLAGS_SYNC 0x02000000u
#define FLAGS_NON_SYNC 0x01010000u
/* The index's room when the caller does not say how long the file will
 * be: an hour of one-second fragments, and some. */
#define DEFAULT_EXPECTED_MS (3600 * 1000)

struct _RelayFmp4Writer {
  char *path;
  int fd;
  RelayWriterParams params;
  RelayChunker chunker;
  gboolean started;      /* init segment written */
  gboolean finished;
  GError *failure;       /* sticky write error */
  gint64 origin_us;      /* frames' time of the file's 0 */
  guint audio_channels;
  guint32 track_id[RELAY_TRACK_COUNT];
  gint64 last_ts[RELAY_TRACK_COUNT];   /* last sample added, file clock; -1 none */
  gint64 track_end[RELAY_TRACK_COUNT]; /* end of the last sample written */
  guint64 offset;        /* file size */
  guint32 sequence;
  gint64 last_sync_us;
  /* Where the durations to keep up to date lie in the init segment. */
  guint64 mvhd_duration_at, mehd_duration_at;
  guint64 tkhd_duration_at[RELAY_TRACK_COUNT], mdhd_duration_at[RELAY_TRACK_COUNT];
  GArray *fragments;     /* RelayFragmentInfo */
  RelayWriterStats stats;
  /* The segment index (fmp4-sidx.h): where its region lies, how many
   * fragments it holds and lists, by which track's clock, and the end of
   * what it lists on that clock. */
  guint64 sidx_at;
  guint32 sidx_size;
  guint sidx_capacity, sidx_count;
  int sidx_track;
  gint64 sidx_end;
};

static guint
track_clock (int t)
{
  return t == RELAY_TRACK_VIDEO ? RELAY_VIDEO_CLOCK : RELAY_AUDIO_CLOCK;
}

RelayFmp4Writer *
relay_fmp4_writer_new (const char *path, const RelayWriterParams *params, GError **error)
{
  g_return_val_if_fail (params->video || params->audio, NULL);
  int fd = relay_rec_open (path, error);
  if (fd < 0)
    return NULL;
  RelayFmp4Writer *self = g_new0 (RelayFmp4Writer, 1);
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
  self->track_id[RELAY_TRACK_VIDEO] = params->video ? 1 : 0;
  self->track_id[RELAY_TRACK_AUDIO] = params->audio ? (params->video ? 2 : 1) : 0;
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    self->last_ts[t] = -1;
  self->fragments = g_array_new (FALSE, FALSE, sizeof (RelayFragmentInfo));
  /* A quarter more entries than fragments of the target length: fragments
   * end at key frames, so some are shorter. */
  guint64 expected_ms = params->expected_ms ? params->expected_ms : DEFAULT_EXPECTED_MS;
  self->sidx_capacity = (guint) MIN (expected_ms * 5 / 4 / self->params.fragment_ms + 16,
                                     G_MAXUINT16);
  self->sidx_track = params->video ? RELAY_TRACK_VIDEO : RELAY_TRACK_AUDIO;
  self->last_sync_us = g_get_monotonic_time ();
  return self;
}

static gboolean
fail (RelayFmp4Writer *self, GError **error)
{
  if (error)
    *error = g_error_copy (self->failure);
  return FALSE;
}

static gboolean
write_at (RelayFmp4Writer *self, const void *data, gsize len, guint64 offset, GError **error)
{
  if (self->failure)
    return fail (self, error);
  if (!relay_rec_pwrite (self->fd, data, len, offset, self->path, &self->failure))
    return fail (self, error);
  return TRUE;
}

static void
put_matrix (GByteArray *b)
{
  static const guint32 unity[9] = { 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000 };
  for (guint i = 0; i < 9; i++)
    put_u32 (b, unity[i]);
}

static void
put_avc1 (GByteArray *b, GBytes *sps_bytes, GBytes *pps_bytes)
{
  gsize sps_len, pps_len;
  const guint8 *sps = g_bytes_get_data (sps_bytes, &sps_len);
  const guint8 *pps = g_bytes_get_data (pps_bytes, &pps_len);
  RelayH264Sps info;
  if (!relay_h264_parse_sps (sps, sps_len, &info))
    {
      /* Decoders take the size from the stream; the container's is a hint. */
      memset (&info, 0, sizeof info);
      info.chroma_format_idc = 1;
      info.bit_depth_luma = info.bit_depth_chroma = 8;
    }
  guint entry = box_open (b, "avc1");
  put_bytes (b, "\0\0\0\0\0\0", 6);
  put_u16 (b, 1);           /* data_reference_index */
  put_u16 (b, 0);
  put_u16 (b, 0);
  put_bytes (b, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
  put_u16 (b, (guint16) info.width);
  put_u16 (b, (guint16) info.height);
  put_u32 (b, 0x00480000);  /* 72 dpi */
  put_u32 (b, 0x00480000);
  put_u32 (b, 0);
  put_u16 (b, 1);           /* frame_count */
  guint8 compressor[32] = { 0 };
  put_bytes (b, compressor, 32);
  put_u16 (b, 0x0018);      /* depth */
  put_u16 (b, 0xffff);      /* pre_defined = -1 */

  /* AVCDecoderConfigurationRecord, ISO/IEC 14496-15 §5.3.3.1. */
  guint avcc = box_open (b, "avcC");
  put_u8 (b, 1);
  put_u8 (b, sps[1]);       /* profile, compatibility, level: from the SPS */
  put_u8 (b, sps[2]);
  put_u8 (b, sps[3]);
  put_u8 (b, 0xfc | 3);     /* 4-byte NAL unit lengths */
  put_u8 (b, 0xe0 | 1);
  put_u16 (b, (guint16) sps_len);
  put_bytes (b, sps, sps_len);
  put_u8 (b, 1);
  put_u16 (b, (guint16) pps_len);
  put_bytes (b, pps, pps_len);
  if (sps[1] == 100 || sps[1] == 110 || sps[1] == 122 || sps[1] == 144)
    {
      put_u8 (b, 0xfc | (info.chroma_format_idc & 3));
      put_u8 (b, 0xf8 | ((info.bit_depth_luma - 8) & 7));
      put_u8 (b, 0xf8 | ((info.bit_depth_chroma - 8) & 7));
      put_u8 (b, 0);
    }
  box_close (b, avcc);
  box_close (b, entry);
}

static void
put_opus (GByteArray *b, guint channels)
{
  guint entry = box_open (b, "Opus");
  put_bytes (b, "\0\0\0\0\0\0", 6);
  put_u16 (b, 1);           /* data_reference_index */
  put_u32 (b, 0);
  put_u32 (b, 0);
  put_u16 (b, (guint16) channels);
  put_u16 (b, 16);          /* samplesize */
  put_u16 (b, 0);
  put_u16 (b, 0);
  put_u32 (b, (guint32) RELAY_AUDIO_CLOCK << 16);
  guint dops = box_open (b, "dOps");
  put_u8 (b, 0);            /* Version */
  put_u8 (b, (guint8) channels);
  put_u16 (b, OPUS_PRE_SKIP);
  put_u32 (b, RELAY_AUDIO_CLOCK); /* InputSampleRate */
  put_u16 (b, 0);           /* OutputGain */
  put_u8 (b, 0);            /* ChannelMappingFamily: mono or stereo */
  box_close (b, dops);
  box_close (b, entry);
}

static void
put_trak (RelayFmp4Writer *self, GByteArray *b, int t, guint64 now,
          const RelayMediaFrame *key)
{
  gboolean video = t == RELAY_TRACK_VIDEO;
  guint trak = box_open (b, "trak");
  guint tkhd = full_box_open (b, "tkhd", 1, 0x000003); /* enabled, in movie */
  put_u64 (b, now);
  put_u64 (b, now);
  put_u32 (b, self->track_id[t]);
  put_u32 (b, 0);
  self->tkhd_duration_at[t] = b->len;
  put_u64 (b, 0);
  put_u64 (b, 0);           /* reserved */
  put_u16 (b, 0);           /* layer */
  put_u16 (b, 0);           /* alternate_group */
  put_u16 (b, video ? 0 : 0x0100);
  put_u16 (b, 0);
  put_matrix (b);
  RelayH264Sps sps = { 0 };
  if (video)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (key->sps, &len);
      if (!relay_h264_parse_sps (data, len, &sps))
        sps.width = sps.height = 0;
    }
  put_u32 (b, sps.width << 16);
  put_u32 (b, sps.height << 16);
  box_close (b, tkhd);

  guint mdia = box_open (b, "mdia");
  guint mdhd = full_box_open (b, "mdhd", 1, 0);
  put_u64 (b, now);
  put_u64 (b, now);
  put_u32 (b, track_clock (t));
  self->mdhd_duration_at[t] = b->len;
  put_u64 (b, 0);
  put_u16 (b, 0x55c4);      /* language "und" */
  put_u16 (b, 0);
  box_close (b, mdhd);
  guint hdlr = full_box_open (b, "hdlr", 0, 0);
  put_u32 (b, 0);
  put_bytes (b, video ? "vide" : "soun", 4);
  put_u32 (b, 0);
  put_u32 (b, 0);
  put_u32 (b, 0);
  const char *name = video ? "Video" : "Audio";
  put_bytes (b, name, strlen (name) + 1);
  box_close (b, hdlr);

  guint minf = box_open (b, "minf");
  if (video)
    {
      guint vmhd = full_box_open (b, "vmhd", 0, 1);
      put_u16 (b, 0);
      put_u16 (b, 0);
      put_u16 (b, 0);
      put_u16 (b, 0);
      box_close (b, vmhd);
    }
  else
    {
      guint smhd = full_box_open (b, "smhd", 0, 0);
      put_u32 (b, 0);
      box_close (b, smhd);
    }
  guint dinf = box_open (b, "dinf");
  guint dref = full_box_open (b, "dref", 0, 0);
  put_u32 (b, 1);
  box_close (b, full_box_open (b, "url ", 0, 1)); /* media in this file */
  box_close (b, dref);
  box_close (b, dinf);
  guint stbl = box_open (b, "stbl");
  guint stsd = full_box_open (b, "stsd", 0, 0);
  put_u32 (b, 1);
  if (video)
    put_avc1 (b, key->sps, key->pps);
  else
    put_opus (b, self->audio_channels);
  box_close (b, stsd);
  /* Empty tables: the samples are in the fragments. */
  const char *empty[] = { "stts", "stsc", "stco" };
  for (guint i = 0; i < G_N_ELEMENTS (empty); i++)
    {
      guint box = full_box_open (b, empty[i], 0, 0);
      put_u32 (b, 0);
      box_close (b, box);
    }
  guint stsz = full_box_open (b, "stsz", 0, 0);
  put_u32 (b, 0);
  put_u32 (b, 0);
  box_close (b, stsz);
  box_close (b, stbl);
  box_close (b, minf);
  box_close (b, mdia);
  box_close (b, trak);
}

static gboolean
write_init (RelayFmp4Writer *self, const RelayMediaFrame *key, GError **error)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  guint ftyp = box_open (b, "ftyp");
  put_bytes (b, "isom", 4);
  put_u32 (b, 0x200);
  put_bytes (b, "isomiso2iso6avc1mp41", 20);
  box_close (b, ftyp);

  guint64 now = (guint64) (g_get_real_time () / G_USEC_PER_SEC + EPOCH_1904);
  guint moov = box_open (b, "moov");
  guint mvhd = full_box_open (b, "mvhd", 1, 0);
  put_u64 (b, now);
  put_u64 (b, now);
  put_u32 (b, MOVIE_TIMESCALE);
  self->mvhd_duration_at = b->len;
  put_u64 (b, 0);
  put_u32 (b, 0x00010000);  /* rate 1.0 */
  put_u16 (b, 0x0100);      /* volume 1.0 */
  put_u16 (b, 0);
  put_u64 (b, 0);
  put_matrix (b);
  for (guint i = 0; i < 6; i++)
    put_u32 (b, 0);
  put_u32 (b, (self->params.video && self->params.audio) ? 3 : 2); /* next_track_ID */
  box_close (b, mvhd);
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    if (self->track_id[t])
      put_trak (self, b, t, now, key);
  guint mvex = box_open (b, "mvex");
  guint mehd = full_box_open (b, "mehd", 1, 0);
  self->mehd_duration_at = b->len;
  put_u64 (b, 0);
  box_close (b, mehd);
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    if (self->track_id[t])
      {
        guint trex = full_box_open (b, "trex", 0, 0);
        put_u32 (b, self->track_id[t]);
        put_u32 (b, 1);     /* default_sample_description_index */
        put_u32 (b, 0);
        put_u32 (b, 0);
        put_u32 (b, 0);
        box_close (b, trex);
      }
  box_close (b, mvex);
  box_close (b, moov);
  self->sidx_at = b->len;
  self->sidx_size = relay_fmp4_sidx_region_size (self->sidx_capacity);
  relay_fmp4_sidx_put_empty (b, self->sidx_size);
  if (!write_at (self, b->data, b->len, 0, error))
    return FALSE;
  self->offset = b->len;
  self->stats.bytes_written = self->offset;
  self->started = TRUE;
  return TRUE;
}

/* The durations a player reads, brought up to what is on disk. */
static gboolean
patch_durations (RelayFmp4Writer *self, GError **error)
{
  gint64 movie_us = 0;
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    if (self->track_id[t])
      {
        gint64 us = relay_rec_to_us (self->track_end[t], track_clock (t));
        movie_us = MAX (movie_us, us);
        guint8 d[8];
        set_u64 (d, (guint64) (us / (G_USEC_PER_SEC / MOVIE_TIMESCALE)));
        if (!write_at (self, d, 8, self->tkhd_duration_at[t], error))
          return FALSE;
        set_u64 (d, (guint64) self->track_end[t]);
        if (!write_at (self, d, 8, self->mdhd_duration_at[t], error))
          return FALSE;
      }
  guint8 d[8];
  set_u64 (d, (guint64) (movie_us / (G_USEC_PER_SEC / MOVIE_TIMESCALE)));
  if (!write_at (self, d, 8, self->mvhd_duration_at, error)
      || !write_at (self, d, 8, self->mehd_duration_at, error))
    return FALSE;
  self->stats.duration_us = movie_us;
  return TRUE;
}

/* Lists the fragment just written in the index: its entry first, then the
 * count that includes it (fmp4-sidx.h). */
static gboolean
index_fragment (RelayFmp4Writer *self, const RelayFragmentInfo *info, GError **error)
{
  if (info->size > G_MAXINT32)
    self->sidx_capacity = self->sidx_count; /* entries must stay contiguous */
  if (self->sidx_count >= self->sidx_capacity)
    return TRUE; /* the index keeps the file's first fragments */
  gint64 end = self->track_end[self->sidx_track];
  guint8 entry[RELAY_FMP4_SIDX_ENTRY_SIZE];
  relay_fmp4_sidx_set_entry (entry, (guint32) info->size,
                             (guint32) CLAMP (end - self->sidx_end, 0, G_MAXUINT32),
                             info->keyframe);
  guint8 header[RELAY_FMP4_SIDX_HEADER_SIZE];
  relay_fmp4_sidx_set_header (header, self->sidx_size, self->track_id[self->sidx_track],
                              track_clock (self->sidx_track), (guint16) (self->sidx_count + 1));
  if (!write_at (self, entry, sizeof entry,
                 self->sidx_at + RELAY_FMP4_SIDX_HEADER_SIZE
                     + (guint64) self->sidx_count * RELAY_FMP4_SIDX_ENTRY_SIZE, error)
      || !write_at (self, header, sizeof header, self->sidx_at, error))
    return FALSE;
  self->sidx_count++;
  self->sidx_end = MAX (self->sidx_end, end);
  return TRUE;
}

static gboolean
maybe_sync (RelayFmp4Writer *self, gboolean force)
{
  gint64 now = g_get_monotonic_time ();
  gint interval = self->params.fsync_interval_ms;
  if (!force && (interval < 0 || now - self->last_sync_us < (gint64) interval * 1000))
    return TRUE;
  self->last_sync_us = now;
  /* A failed sync loses nothing written yet; the next write will tell. */
  return fdatasync (self->fd) == 0;
}

/* One moof + mdat of the samples in out[]. */
static gboolean
write_fragment (RelayFmp4Writer *self, GArray *out[RELAY_TRACK_COUNT], GError **error)
{
  if (out[RELAY_TRACK_VIDEO]->len == 0 && out[RELAY_TRACK_AUDIO]->len == 0)
    return TRUE;
  g_autoptr (GByteArray) b = g_byte_array_new ();
  guint data_offset_at[RELAY_TRACK_COUNT] = { 0, 0 };
  guint64 data_size[RELAY_TRACK_COUNT] = { 0, 0 };
  RelayFragmentInfo info = { .offset = self->offset, .start_us = G_MAXINT64 };
  gint64 end_us = 0;
  info.keyframe = !self->params.video;

  guint moof = box_open (b, "moof");
  guint mfhd = full_box_open (b, "mfhd", 0, 0);
  put_u32 (b, ++self->sequence);
  box_close (b, mfhd);
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    {
      GArray *samples = out[t];
      if (samples->len == 0)
        continue;
      RelayChunkSample *first = &g_array_index (samples, RelayChunkSample, 0);
      if (t == RELAY_TRACK_VIDEO)
        info.keyframe = first->key;
      info.start_us = MIN (info.start_us, relay_rec_to_us (first->ts, track_clock (t)));
      guint traf = box_open (b, "traf");
      guint tfhd = full_box_open (b, "tfhd", 0, 0x020000); /* default-base-is-moof */
      put_u32 (b, self->track_id[t]);
      box_close (b, tfhd);
      guint tfdt = full_box_open (b, "tfdt", 1, 0);
      put_u64 (b, (guint64) first->ts);
      box_close (b, tfdt);
      /* data-offset, and per sample: duration, size, flags. */
      guint trun = full_box_open (b, "trun", 0, 0x000001 | 0x000100 | 0x000200 | 0x000400);
      put_u32 (b, samples->len);
      data_offset_at[t] = b->len;
      put_u32 (b, 0);
      for (guint i = 0; i < samples->len; i++)
        {
          RelayChunkSample *s = &g_array_index (samples, RelayChunkSample, i);
          put_u32 (b, (guint32) s->duration);
          put_u32 (b, (guint32) g_bytes_get_size (s->data));
          put_u32 (b, s->key ? FLAGS_SYNC : FLAGS_NON_SYNC);
          data_size[t] += g_bytes_get_size (s->data);
          self->track_end[t] = s->ts + s->duration;
          self->stats.frames_written++;
        }
      end_us = MAX (end_us, relay_rec_to_us (self->track_end[t], track_clock (t)));
      box_close (b, trun);
      box_close (b, traf);
    }
  box_close (b, moof);
  guint64 mdat_size = 8 + data_size[0] + data_size[1];
  if (mdat_size > G_MAXUINT32 || b->len + mdat_size > G_MAXINT32)
    {
      self->failure = g_error_new (G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: fragment too large",
                                   self->path);
      return fail (self, error);
    }
  guint64 at = b->len + 8;
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    {
      if (data_offset_at[t])
        set_u32 (b->data + data_offset_at[t], (guint32) at);
      at += data_size[t];
    }
  put_u32 (b, (guint32) mdat_size);
  put_bytes (b, "mdat", 4);
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    for (guint i = 0; i < out[t]->len; i++)
      {
        gsize len;
        const guint8 *p = g_bytes_get_data (g_array_index (out[t], RelayChunkSample, i).data, &len);
        put_bytes (b, p, len);
      }
  if (!write_at (self, b->data, b->len, self->offset, error))
    return FALSE;
  info.size = b->len;
  info.duration_us = end_us - info.start_us;
  self->offset += b->len;
  self->stats.bytes_written = self->offset;
  self->stats.fragments++;
  g_array_append_val (self->fragments, info);
  if (!index_fragment (self, &info, error) || !patch_durations (self, error))
    return FALSE;
  maybe_sync (self, FALSE);
  return TRUE;
}

static gboolean
cut (RelayFmp4Writer *self, gint64 cut_us, int next_track, gint64 next_ts, GError **error)
{
  GArray *out[RELAY_TRACK_COUNT];
  relay_chunker_take (&self->chunker, cut_us, next_track, next_ts, out);
  gboolean ok = write_fragment (self, out, error);
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    g_array_unref (out[t]);
  return ok;
}

/* The sample of an H.264 frame: 4-byte lengths, parameter sets in-band
 * before a key frame's pictures. */
static GBytes *
h264_sample (const RelayMediaFrame *frame)
{
  GByteArray *b = g_byte_array_new ();
  GBytes *params[2] = { frame->sps, frame->pps };
  for (guint i = 0; i < 2 && frame->keyframe; i++)
    {
      put_u32 (b, (guint32) g_bytes_get_size (params[i]));
      put_bytes (b, g_bytes_get_data (params[i], NULL), g_bytes_get_size (params[i]));
    }
  for (guint i = 0; i < frame->nals->len; i++)
    {
      GBytes *nal = g_ptr_array_index (frame->nals, i);
      put_u32 (b, (guint32) g_bytes_get_size (nal));
      put_bytes (b, g_bytes_get_data (nal, NULL), g_bytes_get_size (nal));
    }
  return g_byte_array_free_to_bytes (b);
}

gboolean
relay_fmp4_writer_push (RelayFmp4Writer *self, const RelayMediaFrame *frame, GError **error)
{
  if (self->failure)
    return fail (self, error);
  g_return_val_if_fail (!self->finished, FALSE);
  int t = frame->codec == RELAY_MEDIA_H264 ? RELAY_TRACK_VIDEO
          : frame->codec == RELAY_MEDIA_OPUS ? RELAY_TRACK_AUDIO : -1;
  gboolean valid = t >= 0 && self->track_id[t]
                   && (t == RELAY_TRACK_AUDIO ? frame->data != NULL
                       : frame->nals != NULL && (!frame->keyframe || (frame->sps && frame->pps
                                                 && g_bytes_get_size (frame->sps) >= 4)));
  if (!valid)
    {
      self->stats.frames_dropped++;
      return TRUE;
    }
  if (t == RELAY_TRACK_AUDIO && !self->started)
    {
      gsize len;
      const guint8 *p = g_bytes_get_data (frame->data, &len);
      self->audio_channels = relay_opus_packet_channels (p, len);
    }
  if (!self->started)
    {
      if (self->params.video && !(t == RELAY_TRACK_VIDEO && frame->keyframe))
        {
          self->stats.frames_dropped++;
          return TRUE;
        }
      self->origin_us = relay_rec_to_us (frame->timestamp, track_clock (t));
      if (!write_init (self, frame, error))
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
  GBytes *data = t == RELAY_TRACK_VIDEO ? h264_sample (frame) : g_bytes_ref (frame->data);
  relay_chunker_add (&self->chunker, t, ts, frame->keyframe, data);
  return TRUE;
}

gboolean
relay_fmp4_writer_flush (RelayFmp4Writer *self, GError **error)
{
  if (self->failure)
    return fail (self, error);
  if (self->finished || relay_chunker_is_empty (&self->chunker))
    return TRUE;
  return cut (self, G_MAXINT64, -1, 0, error);
}

gboolean
relay_fmp4_writer_finish (RelayFmp4Writer *self, GError **error)
{
  if (self->finished)
    return TRUE;
  gboolean ok = relay_fmp4_writer_flush (self, error);
  self->finished = TRUE;
  if (ok && !maybe_sync (self, TRUE))
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
relay_fmp4_writer_get_stats (RelayFmp4Writer *self, RelayWriterStats *stats)
{
  *stats = self->stats;
}

const GArray *
relay_fmp4_writer_get_fragments (RelayFmp4Writer *self)
{
  return self->fragments;
}

void
relay_fmp4_writer_free (RelayFmp4Writer *self)
{
  if (!self)
    return;
  if (self->fd >= 0)
    close (self->fd);
  relay_chunker_clear (&self->chunker);
  g_array_unref (self->fragments);
  g_clear_error (&self->failure);
  g_free (self->path);
  g_free (self);
}
