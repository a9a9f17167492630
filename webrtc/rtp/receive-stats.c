/* Per-SSRC reception statistics following RFC 3550 appendix A.1 (sequence
 * tracking), A.3 (loss) and A.8 (jitter). Unlike A.1 there is no
 * probation: WHIP media arrives over an authenticated DTLS-SRTP session,
 * so the first packet is trusted. */
#include "webrtc/rtp/receive-stats.h"

#include <string.h>

#define SEQ_MOD 65536
/* A jump of more than this many sequence numbers, either way, is not
 * reordering but a sender that restarted (e.g. a reconnecting encoder). */
#define MAX_JUMP 3000
/* Recent sequence numbers remembered to tell duplicates from late
 * packets; must be a multiple of 64. */
#define DUP_WINDOW 1024

struct _RelayReceiveStats {
  guint32 ssrc;
  guint clock_rate;

  gboolean started;
  guint16 max_seq;
  guint32 cycles; /* count of wraps, shifted left by 16 (A.1) */
  guint32 base_seq;
  guint32 bad_seq; /* SEQ_MOD + 1 when no restart candidate */
  guint64 received; /* distinct packets in this sequence space */
  guint64 expected_prior;
  guint64 received_prior;
  guint64 seen[DUP_WINDOW / 64];

  guint64 total_packets;
  guint64 total_bytes;

  gboolean have_transit;
  guint32 transit;
  guint32 jitter_q4; /* jitter scaled by 16, as in A.8 */

  gboolean have_sr;
  guint32 last_sr_mid;
  gint64 last_sr_arrival_us;
};

RelayReceiveStats *
relay_receive_stats_new (guint32 ssrc, guint clock_rate)
{
  RelayReceiveStats *stats = g_new0 (RelayReceiveStats, 1);

  stats->ssrc = ssrc;
  stats->clock_rate = clock_rate ? clock_rate : 90000;
  stats->bad_seq = SEQ_MOD + 1;
  return stats;
}

void
relay_receive_stats_free (RelayReceiveStats *stats)
{
  g_free (stats);
}

static guint64
extended_max (const RelayReceiveStats *stats)
{
  return (guint64) stats->cycles + stats->max_seq;
}

static gboolean
seen_test_and_set (RelayReceiveStats *stats, guint64 ext_seq)
{
  guint idx = (guint) (ext_seq % DUP_WINDOW);
  guint64 bit = G_GUINT64_CONSTANT (1) << (idx % 64);
  gboolean was = (stats->seen[idx / 64] & bit) != 0;

  stats->seen[idx / 64] |= bit;
  return was;
}

static void
seen_clear (RelayReceiveStats *stats, guint64 ext_seq)
{
  guint idx = (guint) (ext_seq % DUP_WINDOW);

  stats->seen[idx / 64] &= ~(G_GUINT64_CONSTANT (1) << (idx % 64));
}

static void
init_seq (RelayReceiveStats *stats, guint16 seq)
{
  stats->started = TRUE;
  stats->base_seq = seq;
  stats->max_seq = seq;
  stats->bad_seq = SEQ_MOD + 1;
  stats->cycles = 0;
  stats->received = 0;
  stats->expected_prior = 0;
  stats->received_prior = 0;
  stats->have_transit = FALSE;
  memset (stats->seen, 0, sizeof stats->seen);
}

/* Advances max_seq by `delta` (< MAX_JUMP), forgetting the window slots
 * the new sequence numbers reuse. */
static void
advance_max (RelayReceiveStats *stats, guint16 seq, guint16 delta)
{
  guint64 old_max = extended_max (stats);

  if (delta >= DUP_WINDOW)
    memset (stats->seen, 0, sizeof stats->seen);
  else
    for (guint64 s = old_max + 1; s <= old_max + delta; s++)
      seen_clear (stats, s);

  if (seq < stats->max_seq)
    stats->cycles += SEQ_MOD;
  stats->max_seq = seq;
}

/* Returns the extended sequence number the packet counts as, or -1 when
 * it is not counted (duplicate, or first packet of a suspected restart). */
static gint64
update_seq (RelayReceiveStats *stats, guint16 seq, gboolean is_retransmission)
{
  guint16 udelta = (guint16) (seq - stats->max_seq);
  gint64 ext;

  if (udelta == 0) {
    ext = (gint64) extended_max (stats);
  } else if (udelta < MAX_JUMP) {
    advance_max (stats, seq, udelta);
    ext = (gint64) extended_max (stats);
  } else if (udelta <= SEQ_MOD - MAX_JUMP) {
    /* A big jump. Retransmissions answer old NACKs and never signal a
     * restart. Otherwise two consecutive packets confirm the new sequence
     * space (A.1), so one stray packet cannot reset everything. */
    if (is_retransmission)
      return -1;
    if (seq == stats->bad_seq) {
      init_seq (stats, seq);
      ext = (gint64) extended_max (stats);
    } else {
      stats->bad_seq = (seq + 1) & (SEQ_MOD - 1);
      return -1;
    }
  } else {
    /* Late (reordered or retransmitted) packet behind max_seq. */
    ext = (gint64) extended_max (stats) - (SEQ_MOD - udelta);
    if (ext < (gint64) stats->base_seq)
      return -1; /* from before our first packet: nothing expected it */
  }

  stats->bad_seq = SEQ_MOD + 1;
  if ((guint64) ext + DUP_WINDOW > extended_max (stats) && seen_test_and_set (stats, (guint64) ext))
    return -1;
  return ext;
}

static void
update_jitter (RelayReceiveStats *stats, guint32 rtp_timestamp, gint64 arrival_us)
{
  /* Arrival in clock-rate units; only differences matter, so wrapping to
   * 32 bits is harmless. Seconds and microseconds are scaled separately
   * because wall-clock microseconds times 90 kHz overflows 64 bits. */
  gint64 secs = arrival_us / G_USEC_PER_SEC, us = arrival_us % G_USEC_PER_SEC;
  guint32 arrival = (guint32) (secs * (gint64) stats->clock_rate
                               + us * (gint64) stats->clock_rate / G_USEC_PER_SEC);
  guint32 transit = arrival - rtp_timestamp;

  if (stats->have_transit) {
    gint32 d = (gint32) (transit - stats->transit);
    guint32 abs_d = d < 0 ? (guint32) -(gint64) d : (guint32) d;

    /* J += (|D| - J) / 16, kept scaled by 16 to stay in integers (A.8). */
    stats->jitter_q4 += abs_d - ((stats->jitter_q4 + 8) >> 4);
  }
  stats->transit = transit;
  stats->have_transit = TRUE;
}

void
relay_receive_stats_on_packet (RelayReceiveStats *stats, guint16 seq, guint32 rtp_timestamp,
                               gsize bytes, gint64 arrival_us, gboolean is_retransmission)
{
  gint64 ext;

  g_return_if_fail (stats != NULL);

  stats->total_packets++;
  stats->total_bytes += bytes;

  if (!stats->started) {
    if (is_retransmission)
      return; /* a retransmission cannot define where the stream starts */
    init_seq (stats, seq);
    ext = seq;
    seen_test_and_set (stats, (guint64) ext);
  } else {
    ext = update_seq (stats, seq, is_retransmission);
    if (ext < 0)
      return;
  }

  stats->received++;
  /* A retransmission's arrival time says nothing about network jitter. */
  if (!is_retransmission)
    update_jitter (stats, rtp_timestamp, arrival_us);
}

void
relay_receive_stats_on_sender_report (RelayReceiveStats *stats, guint64 ntp_timestamp,
                                      gint64 arrival_us)
{
  g_return_if_fail (stats != NULL);

  stats->have_sr = TRUE;
  stats->last_sr_mid = (guint32) (ntp_timestamp >> 16);
  stats->last_sr_arrival_us = arrival_us;
}

static guint64
expected (const RelayReceiveStats *stats)
{
  return stats->started ? extended_max (stats) - stats->base_seq + 1 : 0;
}

void
relay_receive_stats_fill_report_block (RelayReceiveStats *stats, gint64 now_us,
                                       RelayRtcpReportBlock *block)
{
  guint64 exp, exp_interval, recv_interval;
  gint64 lost, lost_interval;

  g_return_if_fail (stats != NULL && block != NULL);

  memset (block, 0, sizeof *block);
  block->ssrc = stats->ssrc;

  exp = expected (stats);
  lost = (gint64) exp - (gint64) stats->received;
  block->cumulative_lost = (gint32) CLAMP (lost, -0x800000, 0x7fffff);

  /* A.3: fraction of the packets expected since the last report that did
   * not arrive, as a fixed-point number with the binary point at the left
   * edge of the octet. */
  exp_interval = exp - stats->expected_prior;
  recv_interval = stats->received - stats->received_prior;
  stats->expected_prior = exp;
  stats->received_prior = stats->received;
  lost_interval = (gint64) exp_interval - (gint64) recv_interval;
  if (exp_interval > 0 && lost_interval > 0)
    block->fraction_lost = (guint8) MIN (((guint64) lost_interval << 8) / exp_interval, 255);

  block->extended_highest_seq = stats->started ? (guint32) extended_max (stats) : 0;
  block->jitter = stats->jitter_q4 >> 4;

  if (stats->have_sr) {
    gint64 since = CLAMP (now_us - stats->last_sr_arrival_us, 0, G_GINT64_CONSTANT (1) << 40);
    guint64 dlsr = ((guint64) since << 16) / G_USEC_PER_SEC;

    block->last_sr = stats->last_sr_mid;
    block->delay_since_last_sr = (guint32) MIN (dlsr, G_MAXUINT32);
  }
}

guint64
relay_receive_stats_get_packets (RelayReceiveStats *stats)
{
  return stats->total_packets;
}

guint64
relay_receive_stats_get_bytes (RelayReceiveStats *stats)
{
  return stats->total_bytes;
}

guint64
relay_receive_stats_get_lost (RelayReceiveStats *stats)
{
  guint64 exp = expected (stats);

  return exp > stats->received ? exp - stats->received : 0;
}

guint32
relay_receive_stats_get_jitter (RelayReceiveStats *stats)
{
  return stats->jitter_q4 >> 4;
}

guint32
relay_receive_stats_get_ssrc (RelayReceiveStats *stats)
{
  return stats->ssrc;
}
