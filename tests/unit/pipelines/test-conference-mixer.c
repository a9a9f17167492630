/* The conference mixer end to end: sines pushed in real time as opusdec
 * would push them, the Opus RTP it sends decoded again and checked by
 * spectrum, so a mix-minus that still carries its member's own voice (or
 * lost the others') fails. Every wait is for packets (counted in the order
 * the mixer sent them), never for a time: a loaded machine mixes later,
 * not differently. */
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>

#include "pipelines/conference-mixer.h"

#define RATE 48000
#define FRAME 960

/* A voice in a mix: the sines are 8000/32768 of full scale, about -12 dB;
 * the codec's start and the gaps a starved machine leaves (underruns,
 * skipped rounds) lower the level measured over the window (-25.6 dB seen
 * under ASan beside heavy load), so present means well above what a voice
 * that is not in the mix measures. */
#define PRESENT_DB (-35)
#define ABSENT_DB (-45)

/* ---- what the mixer sends ---- */

typedef struct {
  GBytes *rtp;
  gint64 arrival_us;
  guint64 seq; /* order of arrival across all mixes, from 1 */
} Packet;

static void
packet_free (Packet *p)
{
  g_bytes_unref (p->rtp);
  g_free (p);
}

typedef struct {
  GMutex lock;
  GHashTable *mixes; /* mix name → GPtrArray of Packet* */
  guint64 seq;       /* packets so far, all mixes */
  gboolean bad_capture;
} Capture;

static void
on_output (const char *mix, gint64 capture_us, const guint8 *rtp, gsize len, gpointer data)
{
  Capture *c = data;
  Packet *p = g_new0 (Packet, 1);
  p->rtp = g_bytes_new (rtp, len);
  p->arrival_us = g_get_monotonic_time ();
  g_mutex_lock (&c->lock);
  GPtrArray *list = g_hash_table_lookup (c->mixes, mix);
  if (!list)
    {
      list = g_ptr_array_new_with_free_func ((GDestroyNotify) packet_free);
      g_hash_table_insert (c->mixes, g_strdup (mix), list);
    }
  p->seq = ++c->seq;
  g_ptr_array_add (list, p);
  if (capture_us > p->arrival_us)
    c->bad_capture = TRUE;
  g_mutex_unlock (&c->lock);
}

static Capture *
capture_new (void)
{
  Capture *c = g_new0 (Capture, 1);
  g_mutex_init (&c->lock);
  c->mixes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) g_ptr_array_unref);
  return c;
}

static void
capture_free (Capture *c)
{
  g_hash_table_unref (c->mixes);
  g_mutex_clear (&c->lock);
  g_free (c);
}

/* The sequence number of the last packet so far (0 before any). */
static guint64
capture_seq (Capture *c)
{
  g_mutex_lock (&c->lock);
  guint64 seq = c->seq;
  g_mutex_unlock (&c->lock);
  return seq;
}

/* Packets of a mix sent after packet `after` (a capture_seq). */
static GPtrArray *
packets_after (Capture *c, const char *mix, guint64 after)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_mutex_lock (&c->lock);
  GPtrArray *list = g_hash_table_lookup (c->mixes, mix);
  for (guint i = 0; list && i < list->len; i++)
    {
      Packet *p = g_ptr_array_index (list, i);
      if (p->seq > after)
        g_ptr_array_add (out, g_bytes_ref (p->rtp));
    }
  g_mutex_unlock (&c->lock);
  return out;
}

static guint
count_packets (Capture *c, const char *mix, guint64 after)
{
  g_autoptr (GPtrArray) p = packets_after (c, mix, after);
  return p->len;
}

/* The capture_seq of the n-th packet of a mix after packet `after`; 0
 * when there are fewer. */
static guint64
nth_packet_after (Capture *c, const char *mix, guint64 after, guint n)
{
  guint64 seq = 0;
  g_mutex_lock (&c->lock);
  GPtrArray *list = g_hash_table_lookup (c->mixes, mix);
  for (guint i = 0, k = 0; list && i < list->len && !seq; i++)
    {
      Packet *p = g_ptr_array_index (list, i);
      if (p->seq > after && ++k == n)
        seq = p->seq;
    }
  g_mutex_unlock (&c->lock);
  return seq;
}

/* Generous: a mixer that sends nothing fails here, a slow one only waits. */
#define WAIT_US (60 * G_USEC_PER_SEC)

/* Until a mix has sent n packets after packet `after`. */
static void
wait_packets (Capture *c, const char *mix, guint64 after, guint n)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;
  guint got;
  while ((got = count_packets (c, mix, after)) < n)
    {
      if (g_get_monotonic_time () > end)
        g_error ("mix \"%s\": %u packets, expected %u", mix, got, n);
      g_usleep (10 * 1000);
    }
}

/* Decodes Opus RTP the way a receiver would, to mono S16 at 48 kHz. */
static GArray *
decode (GPtrArray *packets)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (
      "appsrc name=in format=time caps=application/x-rtp,media=audio,clock-rate=48000,"
      "encoding-name=OPUS,payload=111 ! rtpopusdepay ! opusdec ! audioconvert ! audioresample"
      " ! audio/x-raw,format=S16LE,rate=48000,channels=1 ! appsink name=out sync=false",
      &error);
  g_assert_no_error (error);
  g_autoptr (GstElement) src = gst_bin_get_by_name (GST_BIN (pipeline), "in");
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "out");
  g_object_set (src, "max-bytes", (guint64) 0, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (guint i = 0; i < packets->len; i++)
    {
      GstBuffer *buf = gst_buffer_new_wrapped_bytes (g_ptr_array_index (packets, i));
      GST_BUFFER_PTS (buf) = i * 20 * GST_MSECOND;
      gst_app_src_push_buffer (GST_APP_SRC (src), buf);
    }
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  GArray *pcm = g_array_new (FALSE, FALSE, sizeof (gint16));
  for (;;)
    {
      g_autoptr (GstSample) sample = gst_app_sink_pull_sample (GST_APP_SINK (sink));
      if (!sample)
        break;
      GstMapInfo map;
      GstBuffer *buf = gst_sample_get_buffer (sample);
      gst_buffer_map (buf, &map, GST_MAP_READ);
      g_array_append_vals (pcm, map.data, map.size / sizeof (gint16));
      gst_buffer_unmap (buf, &map);
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return pcm;
}

/* Power of one frequency in pcm (after skipping the decoder's start),
 * relative to a full-scale sine, in dB. */
static double
tone_db (GArray *pcm, double freq)
{
  const guint skip = RATE / 10;
  g_assert_cmpuint (pcm->len, >, skip + RATE / 4);
  guint n = pcm->len - skip;
  const gint16 *x = &g_array_index (pcm, gint16, skip);
  double w = 2 * G_PI * freq / RATE, coeff = 2 * cos (w), s1 = 0, s2 = 0;
  for (guint i = 0; i < n; i++)
    {
      double s0 = x[i] / 32768.0 + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
  double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  /* A full-scale sine gives (n/2)^2. */
  return 10 * log10 (MAX (power, 1e-12) / ((n / 2.0) * (n / 2.0)));
}

/* What a listener of the mix hears after packet `after`. */
static GArray *
decode_mix (Capture *c, const char *mix, guint64 after)
{
  g_autoptr (GPtrArray) packets = packets_after (c, mix, after);
  g_assert_cmpuint (packets->len, >, 20);
  return decode (packets);
}

/* ---- what the provinces push ---- */

typedef struct {
  const char *id;
  double freq;
  guint channels;
  gint active;
  double phase;
  int rate; /* 0: 48 kHz */
} Source;

typedef struct {
  RelayConferenceMixer *mixer;
  Source sources[3];
  guint n_sources;
  gint stop;
  GThread *thread;
} Feeder;

static void
push_frame (RelayConferenceMixer *mixer, Source *s)
{
  int rate = s->rate ? s->rate : RATE;
  guint frames = (guint) rate / 50;
  GstAudioInfo info;
  gst_audio_info_set_format (&info, GST_AUDIO_FORMAT_S16, rate, s->channels, NULL);
  GstBuffer *buf = gst_buffer_new_allocate (NULL, frames * s->channels * sizeof (gint16), NULL);
  GstMapInfo map;
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  gint16 *pcm = (gint16 *) map.data;
  for (guint i = 0; i < frames; i++)
    {
      gint16 v = (gint16) (8000 * sin (s->phase));
      s->phase += 2 * G_PI * s->freq / rate;
      for (guint c = 0; c < s->channels; c++)
        pcm[i * s->channels + c] = v;
    }
  gst_buffer_unmap (buf, &map);
  relay_conference_mixer_push (mixer, s->id, buf, &info);
  gst_buffer_unref (buf);
}

/* 20 ms buffers in real time, as a province's decoder delivers them. */
static gpointer
feed (gpointer data)
{
  Feeder *f = data;
  gint64 next = g_get_monotonic_time ();
  while (!g_atomic_int_get (&f->stop))
    {
      for (guint i = 0; i < f->n_sources; i++)
        if (g_atomic_int_get (&f->sources[i].active))
          push_frame (f->mixer, &f->sources[i]);
      next += 20000;
      gint64 wait = next - g_get_monotonic_time ();
      if (wait > 0)
        g_usleep (wait);
    }
  return NULL;
}

static void
feeder_start (Feeder *f, RelayConferenceMixer *mixer)
{
  f->mixer = mixer;
  f->thread = g_thread_new ("feeder", feed, f);
}

static void
feeder_stop (Feeder *f)
{
  g_atomic_int_set (&f->stop, 1);
  g_thread_join (f->thread);
}

static RelayConferenceMixer *
mixer_new (Capture *c)
{
  g_autoptr (GError) error = NULL;
  RelayConferenceMixer *m = relay_conference_mixer_new (32, on_output, c, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

/* Until the mixer's counters satisfy `done`. */
static void
wait_stats (RelayConferenceMixer *mixer, gboolean (*done) (const RelayConferenceMixerStats *st,
                                                           gpointer data),
            gpointer data, RelayConferenceMixerStats *st)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;
  for (;;)
    {
      relay_conference_mixer_get_stats (mixer, st);
      if (done (st, data))
        return;
      if (g_get_monotonic_time () > end)
        g_error ("mixer: %" G_GUINT64_FORMAT " rounds, %" G_GUINT64_FORMAT " underruns",
                 st->ticks, st->underruns);
      g_usleep (10 * 1000);
    }
}

/* ---- tests ---- */

static void
test_mix_minus (void)
{
  Capture *c = capture_new ();
  RelayConferenceMixer *mixer = mixer_new (c);
  const char *members[] = { "A", "B", NULL };
  relay_conference_mixer_set_members (mixer, members);
  /* B sends stereo, C is not in the mix. */
  Feeder f = { .n_sources = 3,
               .sources = { { "A", 440, 1, 1 }, { "B", 880, 2, 1 }, { "C", 660, 1, 1 } } };
  feeder_start (&f, mixer);
  /* 1.5 s of audio in each output. */
  wait_packets (c, RELAY_MIX_ALL, 0, 75);
  wait_packets (c, "A", 0, 75);
  wait_packets (c, "B", 0, 75);
  feeder_stop (&f);

  RelayConferenceMixerStats st;
  relay_conference_mixer_get_stats (mixer, &st);
  relay_conference_mixer_free (mixer);

  g_assert_cmpuint (st.members, ==, 2);
  g_assert_cmpuint (st.ticks, >=, 75); /* a round per packet of a mix */
  g_assert_cmpint (st.latency_p50_us, >, 0);
  g_assert_false (c->bad_capture);
  g_assert_null (g_hash_table_lookup (c->mixes, "C"));
  g_assert_cmpuint (g_hash_table_size (c->mixes), ==, 3);

  g_autoptr (GArray) all = decode_mix (c, RELAY_MIX_ALL, 0);
  g_autoptr (GArray) minus_a = decode_mix (c, "A", 0);
  g_autoptr (GArray) minus_b = decode_mix (c, "B", 0);
  double all440 = tone_db (all, 440), all880 = tone_db (all, 880), all660 = tone_db (all, 660);
  double a440 = tone_db (minus_a, 440), a880 = tone_db (minus_a, 880);
  double b440 = tone_db (minus_b, 440), b880 = tone_db (minus_b, 880);
  g_test_message ("full 440 %.1f 880 %.1f 660 %.1f; minus A 440 %.1f 880 %.1f; minus B 440 %.1f "
                  "880 %.1f dB; latency p50 %" G_GINT64_FORMAT " p99 %" G_GINT64_FORMAT " us",
                  all440, all880, all660, a440, a880, b440, b880, st.latency_p50_us,
                  st.latency_p99_us);
  g_assert_cmpfloat (all440, >, PRESENT_DB);
  g_assert_cmpfloat (all880, >, PRESENT_DB);
  g_assert_cmpfloat (all440 - all660, >, 20);
  g_assert_cmpfloat (all880 - all660, >, 20);
  g_assert_cmpfloat (a880, >, PRESENT_DB);
  g_assert_cmpfloat (a880 - a440, >, 20);
  g_assert_cmpfloat (b440, >, PRESENT_DB);
  g_assert_cmpfloat (b440 - b880, >, 20);
  capture_free (c);
}

static void
test_membership_change (void)
{
  Capture *c = capture_new ();
  RelayConferenceMixer *mixer = mixer_new (c);
  const char *both[] = { "A", "B", NULL };
  const char *only_a[] = { "A", NULL };
  relay_conference_mixer_set_members (mixer, both);
  Feeder f = { .n_sources = 2, .sources = { { "A", 440, 1, 1 }, { "B", 880, 1, 1 } } };
  feeder_start (&f, mixer);
  wait_packets (c, "B", 0, 11);

  /* While the feeder keeps pushing from its own thread. */
  relay_conference_mixer_set_members (mixer, only_a);
  guint64 changed = capture_seq (c);
  RelayConferenceMixerStats st;
  relay_conference_mixer_get_stats (mixer, &st);
  g_assert_cmpuint (st.members, ==, 1);
  /* Each round sends the full mix first, then the mix-minuses. The round
   * under way when the change came may still send B's; the round of the
   * second full-mix packet after it began after the change. From there on,
   * 1 s of rounds without B. */
  wait_packets (c, RELAY_MIX_ALL, changed, 2);
  guint64 settled = nth_packet_after (c, RELAY_MIX_ALL, changed, 2);
  wait_packets (c, RELAY_MIX_ALL, settled, 50);
  wait_packets (c, "A", settled, 50);
  g_assert_cmpuint (count_packets (c, "B", settled), ==, 0);
  g_autoptr (GArray) all = decode_mix (c, RELAY_MIX_ALL, settled);
  double all440 = tone_db (all, 440), all880 = tone_db (all, 880);
  g_test_message ("after B left: full 440 %.1f 880 %.1f dB", all440, all880);
  g_assert_cmpfloat (all440, >, PRESENT_DB);
  g_assert_cmpfloat (all440 - all880, >, 20);
  /* A alone hears nobody. */
  g_autoptr (GArray) minus_a = decode_mix (c, "A", settled);
  g_assert_cmpfloat (tone_db (minus_a, 440), <, ABSENT_DB);

  /* Back in: its mix-minus comes back, with A's voice. */
  relay_conference_mixer_set_members (mixer, both);
  guint64 rejoined = capture_seq (c);
  wait_packets (c, "B", rejoined, 40);
  feeder_stop (&f);
  relay_conference_mixer_free (mixer);
  g_autoptr (GArray) minus_b = decode_mix (c, "B", rejoined);
  double b440 = tone_db (minus_b, 440), b880 = tone_db (minus_b, 880);
  g_test_message ("after B rejoined: minus B 440 %.1f 880 %.1f dB", b440, b880);
  g_assert_cmpfloat (b440 - b880, >, 20);
  capture_free (c);
}

/* A mix-minus nobody hears is not encoded; the others go on; it comes
 * back, carrying the others' voices, when someone listens again. */
static void
test_unheard_mix_minus (void)
{
  Capture *c = capture_new ();
  RelayConferenceMixer *mixer = mixer_new (c);
  const char *both[] = { "A", "B", NULL };
  relay_conference_mixer_set_members (mixer, both);
  relay_conference_mixer_set_listened (mixer, "B", FALSE);
  Feeder f = { .n_sources = 2, .sources = { { "A", 440, 1, 1 }, { "B", 880, 1, 1 } } };
  feeder_start (&f, mixer);
  /* 40 rounds with both members: A's mix-minus and the full mix, never B's. */
  wait_packets (c, "A", 0, 40);
  wait_packets (c, RELAY_MIX_ALL, 0, 40);
  g_assert_cmpuint (count_packets (c, "B", 0), ==, 0);

  relay_conference_mixer_set_listened (mixer, "B", TRUE);
  guint64 heard = capture_seq (c);
  wait_packets (c, "B", heard, 40);
  feeder_stop (&f);
  relay_conference_mixer_free (mixer);
  g_autoptr (GArray) minus_b = decode_mix (c, "B", heard);
  g_assert_cmpfloat (tone_db (minus_b, 440) - tone_db (minus_b, 880), >, 20);
  capture_free (c);
}

static gboolean
underruns_over (const RelayConferenceMixerStats *st, gpointer data)
{
  return st->underruns > *(const guint64 *) data;
}

static void
test_underrun_and_overflow (void)
{
  Capture *c = capture_new ();
  RelayConferenceMixer *mixer = mixer_new (c);
  const char *members[] = { "A", NULL };
  relay_conference_mixer_set_members (mixer, members);

  /* A member running 400 ms ahead: all beyond the 200 ms FIFO is dropped.
   * The mixer's rounds go on meanwhile, each reading 20 ms out of the FIFO:
   * what is dropped is the 200 ms excess less what the rounds during the
   * burst made room for, however fast the burst was pushed. */
  Source burst = { "A", 440, 1, 1 };
  RelayConferenceMixerStats st;
  relay_conference_mixer_get_stats (mixer, &st);
  guint64 rounds_before = st.ticks;
  for (guint i = 0; i < 20; i++)
    push_frame (mixer, &burst);
  relay_conference_mixer_get_stats (mixer, &st);
  guint64 burst_rounds = st.ticks - rounds_before;
  g_assert_cmpuint (st.dropped_ms, <=, 200);
  g_assert_cmpuint (st.dropped_ms + 20 * (burst_rounds + 1), >=, 200);
  /* The FIFO drains, then runs dry. */
  guint64 none = 0;
  wait_stats (mixer, underruns_over, &none, &st);

  Feeder f = { .n_sources = 1, .sources = { { "A", 440, 1, 1 } } };
  feeder_start (&f, mixer);
  wait_packets (c, RELAY_MIX_ALL, capture_seq (c), 25);
  /* A falls silent: no push after this. */
  feeder_stop (&f);
  RelayConferenceMixerStats before;
  relay_conference_mixer_get_stats (mixer, &before);
  guint64 silent_from = capture_seq (c);
  guint64 enough = before.underruns + 14;
  wait_stats (mixer, underruns_over, &enough, &st);
  guint64 underruns = st.underruns - before.underruns, rounds = st.ticks - before.ticks;
  g_test_message ("%" G_GUINT64_FORMAT " underruns in %" G_GUINT64_FORMAT " rounds of silence",
                  underruns, rounds);
  /* One underrun per silent round of its one member; the rounds that still
   * played are what the FIFO held (at most its 200 ms, 10 rounds). */
  g_assert_cmpuint (underruns, <=, rounds);
  g_assert_cmpuint (rounds - underruns, <=, 10);
  /* The mix keeps going through silence: a full-mix packet every round. */
  wait_packets (c, RELAY_MIX_ALL, silent_from, (guint) underruns);
  relay_conference_mixer_free (mixer);
  capture_free (c);
}

/* An opusdec negotiated down to 24 kHz stereo still lands in the mix. */
static void
test_resampled_input (void)
{
  Capture *c = capture_new ();
  RelayConferenceMixer *mixer = mixer_new (c);
  const char *members[] = { "A", "B", NULL };
  relay_conference_mixer_set_members (mixer, members);
  Feeder f = { .n_sources = 2,
               .sources = { { "A", 440, 2, 1, 0, 24000 }, { "B", 880, 1, 1 } } };
  feeder_start (&f, mixer);
  wait_packets (c, "B", 0, 60);
  feeder_stop (&f);
  RelayConferenceMixerStats st;
  relay_conference_mixer_get_stats (mixer, &st);
  relay_conference_mixer_free (mixer);
  g_autoptr (GArray) minus_b = decode_mix (c, "B", 0);
  double b440 = tone_db (minus_b, 440), b880 = tone_db (minus_b, 880);
  g_test_message ("24 kHz A in minus B: 440 %.1f 880 %.1f dB; underruns %" G_GUINT64_FORMAT,
                  b440, b880, st.underruns);
  g_assert_cmpfloat (b440, >, PRESENT_DB);
  g_assert_cmpfloat (b440 - b880, >, 20);
  capture_free (c);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  /* The mixer warns when a loaded machine makes it skip rounds ("fell
   * behind"): what it should do then, not a failure. Criticals stay fatal. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_test_add_func ("/conference-mixer/mix-minus", test_mix_minus);
  g_test_add_func ("/conference-mixer/membership-change", test_membership_change);
  g_test_add_func ("/conference-mixer/unheard-mix-minus", test_unheard_mix_minus);
  g_test_add_func ("/conference-mixer/underrun-and-overflow", test_underrun_and_overflow);
  g_test_add_func ("/conference-mixer/resampled-input", test_resampled_input);
  return g_test_run ();
}
