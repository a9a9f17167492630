#include "relay/recording/fragmenter.h"

#include "relay/recording/media-frame.h"
#include "relay/recording/write-util.h"

static void
sample_clear (gpointer p)
{
  RelayChunkSample *s = p;
  g_clear_pointer (&s->data, g_bytes_unref);
}

void
relay_chunker_init (RelayChunker *c, gboolean video, gboolean audio, guint target_ms, guint max_ms)
{
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    {
      RelayChunkTrack *track = &c->track[t];
      track->present = t == RELAY_TRACK_VIDEO ? video : audio;
      track->clock = t == RELAY_TRACK_VIDEO ? RELAY_VIDEO_CLOCK : RELAY_AUDIO_CLOCK;
      track->opus = t == RELAY_TRACK_AUDIO;
      track->pending = g_array_new (FALSE, FALSE, sizeof (RelayChunkSample));
      g_array_set_clear_func (track->pending, sample_clear);
      /* Until a real one is known: 30 fps, 20 ms. */
      track->last_duration = track->clock / (t == RELAY_TRACK_VIDEO ? 30 : 50);
    }
  c->target_ms = target_ms;
  c->max_ms = MAX (max_ms, target_ms);
}

void
relay_chunker_clear (RelayChunker *c)
{
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    g_clear_pointer (&c->track[t].pending, g_array_unref);
}

gboolean
relay_chunker_is_empty (RelayChunker *c)
{
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    if (c->track[t].pending && c->track[t].pending->len > 0)
      return FALSE;
  return TRUE;
}

static gint64
sample_us (RelayChunkTrack *track, guint i)
{
  return relay_rec_to_us (g_array_index (track->pending, RelayChunkSample, i).ts, track->clock);
}

gint64
relay_chunker_cut_point (RelayChunker *c, int track, gint64 ts, gboolean key)
{
  gint64 start = G_MAXINT64;
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    if (c->track[t].pending->len > 0)
      start = MIN (start, sample_us (&c->track[t], 0));
  if (start == G_MAXINT64)
    return -1;
  gint64 now = relay_rec_to_us (ts, c->track[track].clock);
  gint64 span = now - start;
  gint64 target = (gint64) c->target_ms * 1000, max = (gint64) c->max_ms * 1000;
  RelayChunkTrack *video = &c->track[RELAY_TRACK_VIDEO];
  if (!video->present)
    return span >= target ? now : -1;
  if (track == RELAY_TRACK_VIDEO && key && span >= target)
    return now;
  if (span < max)
    return -1;
  for (guint i = video->pending->len; i-- > 1;)
    {
      gint64 at = sample_us (video, i);
      if (!g_array_index (video->pending, RelayChunkSample, i).key)
        continue;
      if (at - start >= target * 2 / 5)
        return at;
      break;
    }
  return now;
}

void
relay_chunker_take (RelayChunker *c, gint64 cut_us, int next_track, gint64 next_ts,
                    GArray *out[RELAY_TRACK_COUNT])
{
  for (int t = 0; t < RELAY_TRACK_COUNT; t++)
    {
      RelayChunkTrack *track = &c->track[t];
      out[t] = g_array_new (FALSE, FALSE, sizeof (RelayChunkSample));
      g_array_set_clear_func (out[t], sample_clear);
      guint n = 0;
      while (n < track->pending->len && (cut_us == G_MAXINT64 || sample_us (track, n) < cut_us))
        n++;
      for (guint i = 0; i < n; i++)
        {
          RelayChunkSample *s = &g_array_index (track->pending, RelayChunkSample, i);
          gint64 d;
          if (i + 1 < track->pending->len)
            d = g_array_index (track->pending, RelayChunkSample, i + 1).ts - s->ts;
          else if (next_track == t)
            d = next_ts - s->ts;
          else
            {
              gsize len = 0;
              const guint8 *p = g_bytes_get_data (s->data, &len);
              guint samples = track->opus ? relay_opus_packet_samples (p, len) : 0;
              d = samples ? samples : track->last_duration;
            }
          d = CLAMP (d, 1, (gint64) G_MAXUINT32);
          if (d <= track->clock && (i + 1 < track->pending->len || next_track == t))
            track->last_duration = d;
          s->duration = d;
          g_array_append_val (out[t], *s);
          s->data = NULL; /* moved */
        }
      g_array_remove_range (track->pending, 0, n);
    }
}

void
relay_chunker_add (RelayChunker *c, int track, gint64 ts, gboolean key, GBytes *data)
{
  RelayChunkSample s = { ts, 0, key, data };
  g_array_append_val (c->track[track].pending, s);
}
