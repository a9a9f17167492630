/* Reception statistics (RFC 3550 A.1, A.3, A.8). */
#include <math.h>

#include "webrtc/rtp/receive-stats.h"

#define SSRC 0x12345678
#define RATE 90000

/* Feeds seq with a perfectly regular 20 ms / 1800-tick cadence. */
static void
feed (RelayReceiveStats *s, guint16 seq, guint index)
{
  relay_receive_stats_on_packet (s, seq, 1800 * index, 1000, 20000 * (gint64) index, FALSE);
}

static void
test_in_order (void)
{
  g_autoptr (RelayReceiveStats) s = relay_receive_stats_new (SSRC, RATE);
  RelayRtcpReportBlock b;

  relay_receive_stats_fill_report_block (s, 0, &b);
  g_assert_cmpuint (b.ssrc, ==, SSRC);
  g_assert_cmpuint (b.extended_highest_seq, ==, 0);
  g_assert_cmpint (b.cumulative_lost, ==, 0);

  for (guint i = 0; i < 100; i++)
    feed (s, 1000 + i, i);
  relay_receive_stats_fill_report_block (s, 0, &b);
  g_assert_cmpuint (b.extended_highest_seq, ==, 1099);
  g_assert_cmpint (b.cumulative_lost, ==, 0);
  g_assert_cmpuint (b.fraction_lost, ==, 0);
  g_assert_cmpuint (b.jitter, ==, 0);
  g_assert_cmpuint (relay_receive_stats_get_packets (s), ==, 100);
  g_assert_cmpuint (relay_receive_stats_get_bytes (s), ==, 100000);
  g_assert_cmpuint (relay_receive_stats_get_lost (s), ==, 0);
  g_assert_cmpuint (relay_receive_stats_get_ssrc (s), ==, SSRC);
}

static void
test_loss_and_interval (void)
{
  g_autoptr (RelayReceiveStats) s = relay_receive_stats_new (SSRC, RATE);
  RelayRtcpReportBlock b;

  /* 100 expected, every tenth missing. */
  for (guint i = 0; i < 100; i++)
    if (i % 10 != 5)
      feed (s, i, i);
  relay_receive_stats_fill_report_block (s, 0, &b);
  g_assert_cmpint (b.cumulative_lost, ==, 10);
  g_assert_cmpuint (b.fraction_lost, ==, (10 * 256) / 100);
  g_assert_cmpuint (relay_receive_stats_get_lost (s), ==, 10);

  /* A clean interval: fraction back to 0, the cumulative count stays. */
  for (guint i = 100; i < 150; i++)
    feed (s, i, i);
  relay_receive_stats_fill_report_block (s, 0, &b);
  g_assert_cmpuint (b.fraction_lost, ==, 0);
  g_assert_cmpint (b.cumulative_lost, ==, 10);

  /* Half of the next interval lost. */
  for (guint i = 150; i < 170; i += 2)
    feed (s, i, i);
  relay_receive_stats_fill_report_block (s, 0, &b);
  g_assert_cmpuint (b.extended_highest_seq, ==, 168);
  g_assert_cmpuint (b.fraction_lost, ==, (9 * 256) / 19);
  g_assert_cmpint (b.cumulative_lost, ==, 19);

  /* An empty interval reports no loss fraction. */
  relay_receive_stats_fill_report_block (s, 0, &b);
  g_assert_cmpuint (b.fraction_lost, ==, 0);
}

static void
test_reorder_and_duplicates (void)
{
  g_autoptr (RelayReceiveStats) s = relay_receive_stats_new (SSRC, RATE);
  const guint16 seqs[] = { 10, 11, 13, 12, 12, 14, 11, 15, 15, 15 };
  RelayRtcpReportBlock b;

  for (guint i = 0; i < G_N_ELEMENTS (seqs); i++)
    feed (s, seqs[i], i);
  relay_receive_stats_fill_report_block (s, 0, &b);
  g_assert_cmpuint (b.extended_highest_seq, ==, 15);
  /* Duplicates neither hide loss nor make it negative. */
  g_assert_cmpint (b.cumulative_lost, ==, 0);
  g_assert_cmpuint (b.fraction_lost, ==, 0);
  g_assert_cmpuint (relay_receive_stats_get_packets (s), ==, G_N_ELEMENTS (seqs));

  /* A gap filled by a duplicate of something else is still a loss. */
  feed (s, 17, 20);
  feed (s, 17, 21);
  relay_receive_stats_fill_report_block (s, 0, &b);
  g_assert_cmpint (b.cumulative_lost, ==, 1);
  g_assert_cmpuint (relay_receive_stats_get_lost (s), ==, 1);

  /* A packet from before the first one was never expected. */
  feed (s, 5, 22);
  g_assert_cmpuint (relay_receive_stats_get_lost (s), ==, 1);
}

static void
test_wraparound (void)
{
  g_autoptr (RelayReceiveStats) s = relay_receive_stats_new (SSRC, RATE);
  RelayRtcpReportBlock b;
  guint16 seq = 65500;

  for (guint i = 0; i < 100; i++, seq++)
    if (seq != 65535 && seq != 0)
      feed (s, seq, i);
  /* A late packet from before the wrap arrives after it. */
  feed (s, 65535, 101);
  relay_receive_stats_fill_report_block (s, 0, &b);
  g_assert_cmpuint (b.extended_highest_seq, ==, 65536 + 63);
  g_assert_cmpint (b.cumulative_lost, ==, 1);
}

static void
test_restart (void)
{
  g_autoptr (RelayReceiveStats) s = relay_receive_stats_new (SSRC, RATE);
  RelayRtcpReportBlock b;

  for (guint i = 0; i < 100; i++)
    feed (s, i, i);
  /* One stray far-away packet alone does not restart anything. */
  feed (s, 30000, 100);
  feed (s, 100, 101);
  relay_receive_stats_fill_report_block (s, 0, &b);
  g_assert_cmpuint (b.extended_highest_seq, ==, 100);
  g_assert_cmpint (b.cumulative_lost, ==, 0);

  /* A sender that reconnected: a new sequence space from here on. */
  for (guint i = 0; i < 50; i++)
    feed (s, 10000 + i, 200 + i);
  relay_receive_stats_fill_report_block (s, 0, &b);
  g_assert_cmpuint (b.extended_highest_seq, ==, 10049);
  g_assert_cmpint (b.cumulative_lost, ==, 0);
  g_assert_cmpuint (b.fraction_lost, ==, 0);
  g_assert_cmpuint (relay_receive_stats_get_packets (s), ==, 152);

  /* Backwards by more than 3000 is a restart too. */
  for (guint i = 0; i < 10; i++)
    feed (s, 2000 + i, 300 + i);
  relay_receive_stats_fill_report_block (s, 0, &b);
  g_assert_cmpuint (b.extended_highest_seq, ==, 2009);
  g_assert_cmpint (b.cumulative_lost, ==, 0);
}

static void
test_retransmission (void)
{
  g_autoptr (RelayReceiveStats) s = relay_receive_stats_new (SSRC, RATE);

  for (guint i = 0; i < 20; i++)
    if (i != 7)
      feed (s, i, i);
  g_assert_cmpuint (relay_receive_stats_get_lost (s), ==, 1);
  /* Recovered much later: counted, but its delay is not jitter. */
  relay_receive_stats_on_packet (s, 7, 1800 * 7, 1000, 20000 * 7 + 300000, TRUE);
  g_assert_cmpuint (relay_receive_stats_get_lost (s), ==, 0);
  g_assert_cmpuint (relay_receive_stats_get_jitter (s), ==, 0);
  /* A spurious second retransmission is a duplicate. */
  relay_receive_stats_on_packet (s, 7, 1800 * 7, 1000, 20000 * 30, TRUE);
  g_assert_cmpuint (relay_receive_stats_get_lost (s), ==, 0);
  /* A retransmission from far away never restarts the stream. */
  relay_receive_stats_on_packet (s, 40000, 0, 1000, 20000 * 31, TRUE);
  relay_receive_stats_on_packet (s, 40001, 0, 1000, 20000 * 32, TRUE);
  feed (s, 20, 20);
  g_assert_cmpuint (relay_receive_stats_get_lost (s), ==, 0);
  g_assert_cmpuint (relay_receive_stats_get_packets (s), ==, 19 + 2 + 2 + 1);
}

static void
test_jitter (void)
{
  g_autoptr (RelayReceiveStats) s = relay_receive_stats_new (SSRC, RATE);
  double j = 0, prev_transit = 0;
  gint64 offset = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC; /* wall-clock scale */

  /* Alternating 0 / 7 ms extra delay: |D| = 630 ticks every packet.
   * Reference: the floating-point recursion straight from A.8. */
  for (guint i = 0; i < 300; i++) {
    gint64 arrival = offset + 20000 * (gint64) i + (i % 2 ? 7000 : 0);
    double transit = (double) arrival * RATE / 1e6 - 1800.0 * i;

    relay_receive_stats_on_packet (s, i, 1800 * i, 100, arrival, FALSE);
    if (i > 0)
      j += (fabs (transit - prev_transit) - j) / 16;
    prev_transit = transit;
  }
  g_assert_cmpfloat (fabs ((double) relay_receive_stats_get_jitter (s) - j), <=, 2);
  g_assert_cmpuint (relay_receive_stats_get_jitter (s), >=, 620);
  g_assert_cmpuint (relay_receive_stats_get_jitter (s), <=, 630);

  /* Audio clock and RTP timestamp wrap-around. */
  {
    g_autoptr (RelayReceiveStats) a = relay_receive_stats_new (SSRC, 48000);
    for (guint i = 0; i < 200; i++)
      relay_receive_stats_on_packet (a, i, (guint32) (0xffff0000u + 960 * i), 100,
                                     offset + 20000 * (gint64) i, FALSE);
    g_assert_cmpuint (relay_receive_stats_get_jitter (a), <=, 1);
  }
}

static void
test_lsr_dlsr (void)
{
  g_autoptr (RelayReceiveStats) s = relay_receive_stats_new (SSRC, RATE);
  RelayRtcpReportBlock b;

  feed (s, 1, 1);
  relay_receive_stats_fill_report_block (s, 5000000, &b);
  g_assert_cmpuint (b.last_sr, ==, 0);
  g_assert_cmpuint (b.delay_since_last_sr, ==, 0);

  relay_receive_stats_on_sender_report (s, G_GUINT64_CONSTANT (0x0123456789abcdef), 1000000);
  relay_receive_stats_fill_report_block (s, 1500000, &b);
  g_assert_cmpuint (b.last_sr, ==, 0x456789ab);
  g_assert_cmpuint (b.delay_since_last_sr, ==, 32768);
  relay_receive_stats_fill_report_block (s, 3250000, &b);
  g_assert_cmpuint (b.delay_since_last_sr, ==, (guint32) (2.25 * 65536));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/receive-stats/in-order", test_in_order);
  g_test_add_func ("/receive-stats/loss-interval", test_loss_and_interval);
  g_test_add_func ("/receive-stats/reorder-duplicates", test_reorder_and_duplicates);
  g_test_add_func ("/receive-stats/wraparound", test_wraparound);
  g_test_add_func ("/receive-stats/restart", test_restart);
  g_test_add_func ("/receive-stats/retransmission", test_retransmission);
  g_test_add_func ("/receive-stats/jitter", test_jitter);
  g_test_add_func ("/receive-stats/lsr-dlsr", test_lsr_dlsr);
  return g_test_run ();
}
