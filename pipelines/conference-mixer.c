#include "pipelines/conference-mixer.h"

#include <string.h>

#include "pipelines/gst-util.h"
#include "pipelines/media-thread.h"
#include "pipelines/output-common.h"
#include "webrtc/base/log.h"
#include "webrtc/rtp/latency-histogram.h"

/* Frame and mix latencies run to hundreds of ms, past the histogram's
 * 100 ms of 50 µs buckets: they are recorded in units of 20 µs, so the
 * same buckets span 2 s at 1 ms. (A percentile of -1, empty, stays
 * negative.) */
#define FRAME_LATENCY_SCALE 20

#define MIX_RATE 48000
#define TICK_US 20000
#define FRAME_SAMPLES 960                    /* 20 ms at 48 kHz, mono */
#define PREBUFFER_SAMPLES (2 * FRAME_SAMPLES) /* 40 ms absorbs decoder-thread jitter */
#define FIFO_SAMPLES (10 * FRAME_SAMPLES)     /* 200 ms; beyond it a member runs ahead */
/* Audio that sat in a FIFO through a whole window (left by a burst, or by a
 * decoder that stalled and caught up) is latency for nothing: the FIFO is
 * cut back to a small spare rather than keeping that delay for good. */
#define TRIM_WINDOW_ROUNDS 50 /* 1 s */
#define TRIM_SPARE_SAMPLES FRAME_SAMPLES
#define STAMPS 32                            /* push times kept per member, >= 200 ms of 10 ms pushes */
/* Past this much lateness the tick gives up catching up: a stalled machine
 * should not answer with a burst of rounds that all underrun. */
#define MAX_TICK_LAG_US (5 * TICK_US)
#define RTP_PT_OPUS 111
#define RTP_MTU 1200

/* When a run of samples was pushed, so that a round can tell how fresh the
 * newest audio it mixed was. Positions count samples since the member was
 * added. */
typedef struct {
  guint64 start, end;
  gint64 pushed_us;
} PushStamp;

/* A participant in the mix and its jitter FIFO (mono, 48 kHz). Guarded by
 * the mixer lock: pushed from that participant's decoder thread, pulled by
 * the mixer thread. */
typedef struct {
  char *id;
  gint16 fifo[FIFO_SAMPLES];
  guint64 written, read;
  gboolean playing;  /* prebuffered and playing out */
  gboolean started;  /* has played out at least once: silence from now on is an underrun */
  PushStamp stamps[STAMPS];
  guint stamp_first, stamp_count;
  /* For input that is not S16 at 48 kHz: converts (and resamples) to the
   * mixer's mono, made for the format it last saw. */
  GstAudioConverter *converter;
  GstAudioInfo converter_in;
  gboolean warned_format;
  guint64 window_min_fill; /* least audio left after a pull in this window */
  guint window_rounds;
} Member;

typedef struct _MixChain MixChain;

/* One encoded output: our source pad ! opusenc ! rtpopuspay ! our sink pad.
 * Pushed from the mixer thread, so encoding and payloading run there too and
 * the chain has no thread of its own. */
struct _MixChain {
  RelayConferenceMixer *mixer;
  char *mix;
  guint32 ssrc;
  GstElement *bin;
  GstPad *src, *sink;
  guint64 frames;
  gint64 capture_us; /* of the frame being pushed, for the packets it yields */
  gboolean skipped; /* rounds were left out: the next buffer is a discontinuity */
};

/* A member as the mixer thread sees it for one round. */
typedef struct {
  char *id;
  MixChain *chain; /* its mix-minus */
  gint16 pcm[FRAME_SAMPLES];
  gboolean has_audio;
  gboolean listened; /* someone hears its mix-minus this round */
  gint64 pushed_us;
} Slot;

struct _RelayConferenceMixer {
  guint bitrate_kbps;
  RelayMixOutputFunc output;
  gpointer user_data;

  GMutex lock; /* guards everything up to the mixer-thread section */
  GCond wake;
  gboolean stopping;
  GHashTable *members; /* id → Member* */
  GHashTable *unheard; /* ids whose mix-minus nobody listens to (owned) */
  guint generation;    /* bumped on each membership change */
  guint64 ticks, underruns, dropped_samples;
  RelayLatencyHistogram latency;
  RelayMetricsHistogram *metrics_latency; /* lock-free; not under `lock` */

  /* Owned by the mixer thread (and by free once it has ended). */
  GThread *thread;
  GstElement *pipeline;
  guint seen_generation;
  GPtrArray *slots; /* Slot* */
  MixChain *all;
  guint32 ssrc_salt;
  gint32 sum[FRAME_SAMPLES];
  gint16 full[FRAME_SAMPLES], out[FRAME_SAMPLES];
};

static void
member_free (Member *m)
{
  g_clear_pointer (&m->converter, gst_audio_converter_free);
  g_free (m->id);
  g_free (m);
}

/* ---- encode chains ---------------------------------------------------- */

static GstFlowReturn
deliver (MixChain *chain, GstBuffer *buf)
{
  RelayConferenceMixer *self = chain->mixer;
  GstMapInfo map;
  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return GST_FLOW_OK;
  self->output (chain->mix, chain->capture_us, map.data, map.size, self->user_data);
  gst_buffer_unmap (buf, &map);
  if (chain->capture_us > 0)
    {
      gint64 latency = g_get_monotonic_time () - chain->capture_us;
      relay_metrics_histogram_observe_us (self->metrics_latency, latency);
      g_mutex_lock (&self->lock);
      relay_latency_histogram_record (&self->latency, latency / FRAME_LATENCY_SCALE);
      g_mutex_unlock (&self->lock);
    }
  return GST_FLOW_OK;
}

static GstFlowReturn
on_rtp (GstPad *pad, GstObject *parent, GstBuffer *buf)
{
  GstFlowReturn ret = deliver (gst_pad_get_element_private (pad), buf);
  gst_buffer_unref (buf);
  return ret;
}

static GstFlowReturn
on_rtp_list (GstPad *pad, GstObject *parent, GstBufferList *list)
{
  MixChain *chain = gst_pad_get_element_private (pad);
  guint n = gst_buffer_list_length (list);
  for (guint i = 0; i < n; i++)
    deliver (chain, gst_buffer_list_get (list, i));
  gst_buffer_list_unref (list);
  return GST_FLOW_OK;
}

static gboolean
on_rtp_query (GstPad *pad, GstObject *parent, GstQuery *query)
{
  switch (GST_QUERY_TYPE (query))
    {
    case GST_QUERY_ACCEPT_CAPS:
      gst_query_set_accept_caps_result (query, TRUE);
      return TRUE;
    case GST_QUERY_CAPS:
      {
        /* Leaves the payloader its defaults (opus/48000/2, sprop-stereo
         * from the encoder), which is what browsers negotiate. */
        g_autoptr (GstCaps) caps = gst_caps_new_empty_simple ("application/x-rtp");
        gst_query_set_caps_result (query, caps);
        return TRUE;
      }
    default:
      return FALSE;
    }
}

static guint32
pick_ssrc (RelayConferenceMixer *self, const char *mix)
{
  /* Stable for a mix name within this mixer, so that a member who leaves
   * and comes back keeps its stream's SSRC. */
  guint32 ssrc = (g_str_hash (mix) * 2654435761u) ^ self->ssrc_salt;
  for (gboolean clash = TRUE; clash;)
    {
      clash = ssrc == 0 || (self->all && self->all->ssrc == ssrc);
      for (guint i = 0; !clash && i < self->slots->len; i++)
        {
          Slot *s = g_ptr_array_index (self->slots, i);
          clash = s->chain && s->chain->ssrc == ssrc;
        }
      if (clash)
        ssrc++;
    }
  return ssrc;
}

static void
mix_chain_free (MixChain *chain)
{
  if (!chain)
    return;
  RelayConferenceMixer *self = chain->mixer;
  if (chain->bin)
    {
      gst_element_set_state (chain->bin, GST_STATE_NULL);
      gst_bin_remove (GST_BIN (self->pipeline), chain->bin);
    }
  if (chain->src)
    {
      gst_pad_set_active (chain->src, FALSE);
      g_clear_object (&chain->src);
    }
  if (chain->sink)
    {
      gst_pad_set_active (chain->sink, FALSE);
      g_clear_object (&chain->sink);
    }
  g_free (chain->mix);
  g_free (chain);
}

static MixChain *
mix_chain_new (RelayConferenceMixer *self, const char *mix, GError **error)
{
  MixChain *chain = g_new0 (MixChain, 1);
  chain->mixer = self;
  chain->mix = g_strdup (mix);
  chain->ssrc = pick_ssrc (self, mix);
  g_autofree char *bin_name = g_strdup_printf ("mix-%s", *mix ? mix : "all");
  GstElement *enc = relay_gst_element_new ("opusenc", NULL, error);
  GstElement *pay = enc ? relay_gst_element_new ("rtpopuspay", NULL, error) : NULL;
  if (!pay)
    {
      g_clear_object (&enc);
      mix_chain_free (chain);
      return NULL;
    }
  g_object_set (enc, "bitrate", (gint) (self->bitrate_kbps * 1000), NULL);
  /* One 20 ms frame in, one packet out, within the push: no encoder
   * queueing beyond Opus's own lookahead. */
  gst_util_set_object_arg (G_OBJECT (enc), "frame-size", "20");
  gst_util_set_object_arg (G_OBJECT (enc), "audio-type", "voice");
  /* Complexity stays at the default 10: measured with four 20 ms encodes
   * it cost no more CPU than 5 (about 0.6 % of a core per mix). */
  g_object_set (pay, "pt", RTP_PT_OPUS, "mtu", RTP_MTU, "ssrc", chain->ssrc, NULL);

  chain->bin = gst_bin_new (bin_name);
  gst_bin_add_many (GST_BIN (chain->bin), enc, pay, NULL);
  gst_bin_add (GST_BIN (self->pipeline), chain->bin);
  if (!gst_element_link (enc, pay))
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "cannot link %s", bin_name);
      mix_chain_free (chain);
      return NULL;
    }

  /* No caps of ours to offer: opusenc proposes, the caps event fixes. */
  chain->src = relay_gst_live_src_pad_new ("pcm", NULL);
  chain->sink = gst_pad_new ("rtp", GST_PAD_SINK);
  gst_pad_set_element_private (chain->sink, chain);
  gst_pad_set_chain_function (chain->sink, on_rtp);
  gst_pad_set_chain_list_function (chain->sink, on_rtp_list);
  /* The relay's fan-out is the real sink; caps, segments and EOS end here. */
  gst_pad_set_event_function (chain->sink, relay_gst_pad_drop_event);
  gst_pad_set_query_function (chain->sink, on_rtp_query);
  gst_pad_set_active (chain->sink, TRUE);
  g_autoptr (GstPad) enc_sink = gst_element_get_static_pad (enc, "sink");
  g_autoptr (GstPad) pay_src = gst_element_get_static_pad (pay, "src");
  if (gst_pad_link (chain->src, enc_sink) != GST_PAD_LINK_OK
      || gst_pad_link (pay_src, chain->sink) != GST_PAD_LINK_OK
      || !gst_element_sync_state_with_parent (chain->bin))
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "cannot start %s", bin_name);
      mix_chain_free (chain);
      return NULL;
    }

  g_autofree char *stream_id = g_strdup_printf ("conference/%s", bin_name);
  GstEvent *start = gst_event_new_stream_start (stream_id);
  gst_event_set_group_id (start, gst_util_group_id_next ());
  gst_pad_push_event (chain->src, start);
  g_autoptr (GstCaps) caps = gst_caps_new_simple (
      "audio/x-raw", "format", G_TYPE_STRING, "S16LE", "layout", G_TYPE_STRING, "interleaved",
      "rate", G_TYPE_INT, MIX_RATE, "channels", G_TYPE_INT, 1, NULL);
  gst_pad_push_event (chain->src, gst_event_new_caps (caps));
  GstSegment segment;
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (chain->src, gst_event_new_segment (&segment));
  return chain;
}

static void
mix_chain_push (MixChain *chain, const gint16 *pcm, gint64 capture_us)
{
  GstBuffer *buf = gst_buffer_new_memdup (pcm, FRAME_SAMPLES * sizeof (gint16));
  /* Each chain keeps its own gapless timeline: RTP timestamps advance by
   * exactly one frame per packet whatever the tick's wake-up jitter. */
  GST_BUFFER_PTS (buf) = chain->frames * 20 * GST_MSECOND;
  GST_BUFFER_DURATION (buf) = 20 * GST_MSECOND;
  if (chain->frames == 0 || chain->skipped)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  chain->skipped = FALSE;
  chain->frames++;
  chain->capture_us = capture_us;
  GstFlowReturn ret = gst_pad_push (chain->src, buf);
  if (ret != GST_FLOW_OK && chain->frames < 3)
    relay_warn (NULL, "conference mix '%s': encoder refused audio (%s)", chain->mix,
                gst_flow_get_name (ret));
}

/* ---- FIFOs (under the lock) --------------------------------------------- */

static void
member_write (RelayConferenceMixer *self, Member *m, const gint16 *pcm, guint frames,
              guint channels, gint64 now)
{
  guint64 start = m->written;
  for (guint i = 0; i < frames; i++)
    {
      gint32 v = 0;
      for (guint c = 0; c < channels; c++)
        v += pcm[i * channels + c];
      m->fifo[m->written++ % FIFO_SAMPLES] = (gint16) (v / (gint32) channels);
    }
  if (m->written - m->read > FIFO_SAMPLES)
    {
      guint64 excess = m->written - m->read - FIFO_SAMPLES;
      m->read += excess;
      self->dropped_samples += excess;
    }
  if (m->stamp_count == STAMPS)
    {
      m->stamp_first = (m->stamp_first + 1) % STAMPS;
      m->stamp_count--;
    }
  m->stamps[(m->stamp_first + m->stamp_count++) % STAMPS]
      = (PushStamp) { .start = start, .end = m->written, .pushed_us = now };
}

/* One round of a member's audio into pcm; FALSE (and pcm untouched) when it
 * has none to play. */
static gboolean
member_pull (RelayConferenceMixer *self, Member *m, gint16 *pcm, gint64 *pushed_us)
{
  guint64 avail = m->written - m->read;
  if (!m->playing && avail >= PREBUFFER_SAMPLES)
    m->playing = m->started = TRUE;
  if (m->playing && avail < FRAME_SAMPLES)
    {
      m->playing = FALSE; /* ran dry: build up the prebuffer again */
      m->window_rounds = 0;
    }
  if (!m->playing)
    {
      if (m->started)
        self->underruns++;
      return FALSE;
    }
  for (guint i = 0; i < FRAME_SAMPLES; i++)
    pcm[i] = m->fifo[(m->read + i) % FIFO_SAMPLES];
  m->read += FRAME_SAMPLES;

  gint64 newest = 0;
  while (m->stamp_count > 0 && m->stamps[m->stamp_first].end <= m->read)
    {
      newest = m->stamps[m->stamp_first].pushed_us;
      m->stamp_first = (m->stamp_first + 1) % STAMPS;
      m->stamp_count--;
    }
  if (m->stamp_count > 0 && m->stamps[m->stamp_first].start < m->read)
    newest = m->stamps[m->stamp_first].pushed_us;
  *pushed_us = newest;

  guint64 fill = m->written - m->read;
  if (m->window_rounds++ == 0 || fill < m->window_min_fill)
    m->window_min_fill = fill;
  if (m->window_rounds == TRIM_WINDOW_ROUNDS)
    {
      if (m->window_min_fill >= TRIM_SPARE_SAMPLES + FRAME_SAMPLES)
        {
          guint64 excess = m->window_min_fill - TRIM_SPARE_SAMPLES;
          m->read += excess;
          self->dropped_samples += excess;
        }
      m->window_rounds = 0;
    }
  return TRUE;
}

/* ---- the mixer thread --------------------------------------------------- */

static void
slot_free (Slot *slot)
{
  mix_chain_free (slot->chain);
  g_free (slot->id);
  g_free (slot);
}

/* Brings the slots and their encoders in line with the member list. Chains
 * are built and torn down here, on the thread that pushes into them, so no
 * push can race a teardown. */
static void
sync_slots (RelayConferenceMixer *self, char **ids)
{
  for (guint i = self->slots->len; i-- > 0;)
    {
      Slot *s = g_ptr_array_index (self->slots, i);
      if (!g_strv_contains ((const char *const *) ids, s->id))
        {
          relay_info (s->id, "conference: left the mix");
          g_ptr_array_remove_index (self->slots, i);
        }
    }
  for (char **id = ids; *id; id++)
    {
      gboolean known = FALSE;
      for (guint i = 0; !known && i < self->slots->len; i++)
        known = g_str_equal (((Slot *) g_ptr_array_index (self->slots, i))->id, *id);
      if (known)
        continue;
      g_autoptr (GError) error = NULL;
      MixChain *chain = mix_chain_new (self, *id, &error);
      if (!chain)
        {
          relay_warn (*id, "conference: no mix-minus for this member: %s", error->message);
          continue;
        }
      Slot *s = g_new0 (Slot, 1);
      s->id = g_strdup (*id);
      s->chain = chain;
      g_ptr_array_add (self->slots, s);
      relay_info (s->id, "conference: joined the mix");
    }
}

static gint16
clamp16 (gint32 v)
{
  return (gint16) CLAMP (v, G_MININT16, G_MAXINT16);
}

static void
run_round (RelayConferenceMixer *self)
{
  g_auto (GStrv) ids = NULL;
  g_mutex_lock (&self->lock);
  if (self->generation != self->seen_generation)
    {
      self->seen_generation = self->generation;
      ids = (GStrv) g_hash_table_get_keys_as_array (self->members, NULL);
      for (char **id = ids; *id; id++)
        *id = g_strdup (*id);
    }
  g_mutex_unlock (&self->lock);
  if (ids)
    sync_slots (self, ids);

  gint64 newest_us = 0;
  g_mutex_lock (&self->lock);
  self->ticks++;
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *s = g_ptr_array_index (self->slots, i);
      Member *m = g_hash_table_lookup (self->members, s->id);
      s->has_audio = m && member_pull (self, m, s->pcm, &s->pushed_us);
      s->listened = !g_hash_table_contains (self->unheard, s->id);
      if (s->has_audio)
        newest_us = MAX (newest_us, s->pushed_us);
    }
  g_mutex_unlock (&self->lock);

  memset (self->sum, 0, sizeof self->sum);
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *s = g_ptr_array_index (self->slots, i);
      if (s->has_audio)
        for (guint j = 0; j < FRAME_SAMPLES; j++)
          self->sum[j] += s->pcm[j];
    }
  for (guint j = 0; j < FRAME_SAMPLES; j++)
    self->full[j] = clamp16 (self->sum[j]);
  mix_chain_push (self->all, self->full, newest_us);

  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *s = g_ptr_array_index (self->slots, i);
      if (!s->listened)
        {
          /* Nobody hears it: no encode. Its timeline still advances, so
           * its RTP timestamps keep pace with the clock when it resumes. */
          s->chain->frames++;
          s->chain->skipped = TRUE;
          continue;
        }
      /* The newest audio in a mix-minus is the newest among the others. */
      gint64 capture_us = 0;
      for (guint k = 0; k < self->slots->len; k++)
        {
          Slot *o = g_ptr_array_index (self->slots, k);
          if (o != s && o->has_audio)
            capture_us = MAX (capture_us, o->pushed_us);
        }
      if (!s->has_audio)
        {
          mix_chain_push (s->chain, self->full, capture_us);
          continue;
        }
      for (guint j = 0; j < FRAME_SAMPLES; j++)
        self->out[j] = clamp16 (self->sum[j] - s->pcm[j]);
      mix_chain_push (s->chain, self->out, capture_us);
    }
}

static gpointer
mixer_thread (gpointer data)
{
  RelayConferenceMixer *self = data;
  /* Same standing as the decoders that feed it: behind the transport. */
  relay_media_thread_lower_priority ();
  gint64 next = g_get_monotonic_time () + TICK_US;
  for (;;)
    {
      g_mutex_lock (&self->lock);
      while (!self->stopping && g_get_monotonic_time () < next)
        g_cond_wait_until (&self->wake, &self->lock, next);
      gboolean stopping = self->stopping;
      g_mutex_unlock (&self->lock);
      if (stopping)
        break;
      run_round (self);
      next += TICK_US;
      gint64 now = g_get_monotonic_time ();
      if (now - next > MAX_TICK_LAG_US)
        {
          relay_warn (NULL, "conference mixer fell %" G_GINT64_FORMAT " ms behind; skipping ahead",
                      (now - next) / 1000);
          next = now + TICK_US;
        }
    }
  return NULL;
}

/* Any other rate or sample format (an opusdec asked for less than 48 kHz,
 * a test source) goes through a GstAudioConverter to mono S16 at 48 kHz.
 * Rare, so it runs under the lock like the plain path. */
static void
convert_and_write (RelayConferenceMixer *self, Member *m, const GstAudioInfo *info,
                   gpointer data, gsize size, gint64 now)
{
  if (GST_AUDIO_INFO_LAYOUT (info) != GST_AUDIO_LAYOUT_INTERLEAVED)
    {
      if (!m->warned_format)
        relay_warn (m->id, "conference: ignoring planar audio; opusdec gives interleaved");
      m->warned_format = TRUE;
      return;
    }
  if (!m->converter || !gst_audio_info_is_equal (&m->converter_in, info))
    {
      g_clear_pointer (&m->converter, gst_audio_converter_free);
      GstAudioInfo out;
      gst_audio_info_set_format (&out, GST_AUDIO_FORMAT_S16, MIX_RATE, 1, NULL);
      m->converter = gst_audio_converter_new (GST_AUDIO_CONVERTER_FLAG_NONE, (GstAudioInfo *) info,
                                              &out, NULL);
      m->converter_in = *info;
      if (!m->converter)
        {
          if (!m->warned_format)
            relay_warn (m->id, "conference: cannot convert %s audio at %d Hz (%d channels); "
                        "ignoring it",
                        gst_audio_format_to_string (GST_AUDIO_INFO_FORMAT (info)),
                        GST_AUDIO_INFO_RATE (info), GST_AUDIO_INFO_CHANNELS (info));
          m->warned_format = TRUE;
          return;
        }
      relay_info (m->id, "conference: converting %s audio at %d Hz to the mix's 48 kHz",
                  gst_audio_format_to_string (GST_AUDIO_INFO_FORMAT (info)),
                  GST_AUDIO_INFO_RATE (info));
    }
  if (!m->converter || GST_AUDIO_INFO_BPF (info) == 0)
    return;
  gsize in_frames = size / GST_AUDIO_INFO_BPF (info);
  gsize out_frames = gst_audio_converter_get_out_frames (m->converter, in_frames);
  if (out_frames == 0)
    return; /* the resampler is still filling its history */
  g_autofree gint16 *mono = g_new (gint16, out_frames);
  gpointer in[1] = { data };
  gpointer outp[1] = { mono };
  if (gst_audio_converter_samples (m->converter, GST_AUDIO_CONVERTER_FLAG_NONE, in, in_frames, outp,
                                   out_frames))
    member_write (self, m, mono, (guint) out_frames, 1, now);
}

/* ---- API ---------------------------------------------------------------- */

RelayConferenceMixer *
relay_conference_mixer_new (guint bitrate_kbps, RelayMixOutputFunc output, gpointer user_data,
                            GError **error)
{
  g_return_val_if_fail (output != NULL, NULL);
  RelayConferenceMixer *self = g_new0 (RelayConferenceMixer, 1);
  self->bitrate_kbps = CLAMP (bitrate_kbps ? bitrate_kbps : 32, 6, 510);
  self->output = output;
  self->user_data = user_data;
  g_mutex_init (&self->lock);
  g_cond_init (&self->wake);
  self->metrics_latency = relay_output_latency_histogram_new ();
  self->members = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) member_free);
  self->unheard = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->slots = g_ptr_array_new_with_free_func ((GDestroyNotify) slot_free);
  self->ssrc_salt = g_random_int ();

  /* One pipeline for all mixes, only for state and error reporting: no
   * element in it starts a thread. */
  self->pipeline = relay_gst_pipeline_new ("conference-mixer", NULL, "conference mixer");
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
                   "conference mixer pipeline refused to start");
      relay_conference_mixer_free (self);
      return NULL;
    }
  self->all = mix_chain_new (self, RELAY_MIX_ALL, error);
  if (!self->all)
    {
      relay_conference_mixer_free (self);
      return NULL;
    }
  self->thread = g_thread_try_new ("conference-mix", mixer_thread, self, error);
  if (!self->thread)
    {
      relay_conference_mixer_free (self);
      return NULL;
    }
  return self;
}

void
relay_conference_mixer_free (RelayConferenceMixer *self)
{
  if (!self)
    return;
  if (self->thread)
    {
      g_mutex_lock (&self->lock);
      self->stopping = TRUE;
      g_cond_signal (&self->wake);
      g_mutex_unlock (&self->lock);
      g_thread_join (self->thread);
    }
  g_clear_pointer (&self->slots, g_ptr_array_unref);
  g_clear_pointer (&self->all, mix_chain_free);
  relay_gst_pipeline_free (self->pipeline);
  g_hash_table_unref (self->members);
  g_hash_table_unref (self->unheard);
  g_cond_clear (&self->wake);
  g_mutex_clear (&self->lock);
  relay_metrics_histogram_free (self->metrics_latency);
  g_free (self);
}

void
relay_conference_mixer_set_members (RelayConferenceMixer *self, const char *const *members)
{
  g_mutex_lock (&self->lock);
  GHashTable *next = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify) member_free);
  for (const char *const *id = members; id && *id; id++)
    {
      if (!**id || g_hash_table_contains (next, *id))
        continue; /* "" names the full mix; duplicates add nothing */
      char *old_key = NULL;
      Member *m = NULL;
      /* A member who stays keeps its FIFO and playout state. */
      if (g_hash_table_steal_extended (self->members, *id, (gpointer *) &old_key, (gpointer *) &m))
        g_hash_table_insert (next, m->id, m);
      else
        {
          m = g_new0 (Member, 1);
          m->id = g_strdup (*id);
          g_hash_table_insert (next, m->id, m);
        }
    }
  g_hash_table_unref (self->members);
  self->members = next;
  self->generation++;
  g_mutex_unlock (&self->lock);
}

void
relay_conference_mixer_set_listened (RelayConferenceMixer *self, const char *member,
                                     gboolean listened)
{
  g_mutex_lock (&self->lock);
  if (listened)
    g_hash_table_remove (self->unheard, member);
  else
    g_hash_table_add (self->unheard, g_strdup (member));
  g_mutex_unlock (&self->lock);
}

void
relay_conference_mixer_push (RelayConferenceMixer *self, const char *participant, GstBuffer *pcm,
                             const GstAudioInfo *info)
{
  gint64 now = g_get_monotonic_time ();
  g_mutex_lock (&self->lock);
  Member *m = g_hash_table_lookup (self->members, participant);
  if (!m)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  guint channels = GST_AUDIO_INFO_CHANNELS (info);
  GstMapInfo map;
  if (channels > 0 && GST_AUDIO_INFO_FORMAT (info) == GST_AUDIO_FORMAT_S16
      && GST_AUDIO_INFO_RATE (info) == MIX_RATE
      && GST_AUDIO_INFO_LAYOUT (info) == GST_AUDIO_LAYOUT_INTERLEAVED)
    {
      /* What opusdec gives by default: downmixed inline, no converter. */
      if (gst_buffer_map (pcm, &map, GST_MAP_READ))
        {
          member_write (self, m, (const gint16 *) map.data,
                        (guint) (map.size / (sizeof (gint16) * channels)), channels, now);
          gst_buffer_unmap (pcm, &map);
        }
    }
  else if (gst_buffer_map (pcm, &map, GST_MAP_READ))
    {
      convert_and_write (self, m, info, map.data, map.size, now);
      gst_buffer_unmap (pcm, &map);
    }
  g_mutex_unlock (&self->lock);
}

void
relay_conference_mixer_get_stats (RelayConferenceMixer *self, RelayConferenceMixerStats *stats)
{
  g_mutex_lock (&self->lock);
  *stats = (RelayConferenceMixerStats) {
    .ticks = self->ticks,
    .members = g_hash_table_size (self->members),
    .underruns = self->underruns,
    .dropped_ms = self->dropped_samples * 1000 / MIX_RATE,
    .latency_p50_us = relay_latency_histogram_percentile (&self->latency, 50) * FRAME_LATENCY_SCALE,
    .latency_p99_us = relay_latency_histogram_percentile (&self->latency, 99) * FRAME_LATENCY_SCALE,
    .latency = self->metrics_latency,
  };
  g_mutex_unlock (&self->lock);
}
