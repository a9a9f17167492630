/* NACK scheduling: gap detection, late arrivals, retry timing, give-up
 * rules and the keyframe fallback. */
#include "webrtc/rtp/nack-generator.h"

#define MS 1000

static guint
collect (RelayNackGenerator *gen, gint64 now, guint16 *out)
{
  return relay_nack_generator_collect (gen, now, out, 2000);
}

static void
feed_range (RelayNackGenerator *gen, guint from, guint to, gint64 now)
{
  for (guint s = from; s <= to; s++)
    g_assert_false (relay_nack_generator_on_packet (gen, (guint16) s, now));
}

static void
test_gap_and_retry (void)
{
  g_autoptr (RelayNackGenerator) gen = relay_nack_generator_new ();
  guint16 out[2000];

  feed_range (gen, 0, 2, 0);
  g_assert_false (relay_nack_generator_on_packet (gen, 5, 1 * MS));
  g_assert_cmpuint (relay_nack_generator_get_missing (gen), ==, 2);

  /* First request as soon as collect runs. */
  g_assert_cmpuint (collect (gen, 1 * MS, out), ==, 2);
  g_assert_cmpuint (out[0], ==, 3);
  g_assert_cmpuint (out[1], ==, 4);
  g_assert_cmpuint (collect (gen, 1 * MS, out), ==, 0);

  relay_nack_generator_set_rtt (gen, 50);
  g_assert_cmpuint (collect (gen, 50 * MS, out), ==, 0);
  g_assert_cmpuint (collect (gen, 51 * MS, out), ==, 2);

  /* 4 arrives (retransmitted): only 3 is retried. */
  g_assert_false (relay_nack_generator_on_packet (gen, 4, 60 * MS));
  g_assert_cmpuint (collect (gen, 101 * MS, out), ==, 1);
  g_assert_cmpuint (out[0], ==, 3);

  g_assert_cmpuint (relay_nack_generator_get_nacked (gen), ==, 2);
  g_assert_cmpuint (relay_nack_generator_get_requests (gen), ==, 5);
}

static void
test_min_interval (void)
{
  g_autoptr (RelayNackGenerator) gen = relay_nack_generator_new ();
  guint16 out[16];

  relay_nack_generator_set_rtt (gen, 5);
  feed_range (gen, 10, 10, 0);
  feed_range (gen, 12, 12, 0);
  g_assert_cmpuint (collect (gen, 0, out), ==, 1);
  g_assert_cmpuint (collect (gen, 10 * MS, out), ==, 0);
  g_assert_cmpuint (collect (gen, 19 * MS, out), ==, 0);
  g_assert_cmpuint (collect (gen, 20 * MS, out), ==, 1);
  g_assert_cmpuint (out[0], ==, 11);
}

static void
test_max_retries (void)
{
  g_autoptr (RelayNackGenerator) gen = relay_nack_generator_new ();
  guint16 out[16];
  guint sent = 0;

  relay_nack_generator_set_rtt (gen, 20);
  feed_range (gen, 0, 0, 0);
  feed_range (gen, 2, 2, 0);
  for (gint64 t = 0; t < 900 * MS; t += 20 * MS)
    sent += collect (gen, t, out);
  g_assert_cmpuint (sent, ==, 10);
  g_assert_cmpuint (relay_nack_generator_get_missing (gen), ==, 0);
  g_assert_cmpuint (relay_nack_generator_get_nacked (gen), ==, 1);
}

static void
test_max_age (void)
{
  g_autoptr (RelayNackGenerator) gen = relay_nack_generator_new ();
  guint16 out[16];
  guint sent = 0;

  relay_nack_generator_set_rtt (gen, 300);
  feed_range (gen, 0, 0, 0);
  feed_range (gen, 2, 2, 0);
  /* Requests at 0, 300, 600, 900 ms; at 1 s it is too late. */
  for (gint64 t = 0; t <= 1500 * MS; t += 10 * MS)
    sent += collect (gen, t, out);
  g_assert_cmpuint (sent, ==, 4);
  g_assert_cmpuint (relay_nack_generator_get_missing (gen), ==, 0);
}

static void
test_wraparound (void)
{
  g_autoptr (RelayNackGenerator) gen = relay_nack_generator_new ();
  guint16 out[16];

  feed_range (gen, 65533, 65535, 0);
  g_assert_false (relay_nack_generator_on_packet (gen, 2, 0));
  g_assert_cmpuint (collect (gen, 0, out), ==, 2);
  g_assert_cmpuint (out[0], ==, 0);
  g_assert_cmpuint (out[1], ==, 1);

  /* 1 arrives late: only 0 stays outstanding. */
  g_assert_false (relay_nack_generator_on_packet (gen, 1, 0));
  g_assert_cmpuint (relay_nack_generator_get_missing (gen), ==, 1);
  relay_nack_generator_set_rtt (gen, 20);
  g_assert_cmpuint (collect (gen, 100 * MS, out), ==, 1);
  g_assert_cmpuint (out[0], ==, 0);
}

static void
test_wrap_gap (void)
{
  g_autoptr (RelayNackGenerator) gen = relay_nack_generator_new ();
  guint16 out[16];

  feed_range (gen, 65530, 65532, 0);
  g_assert_false (relay_nack_generator_on_packet (gen, 3, 0));
  g_assert_cmpuint (collect (gen, 0, out), ==, 6);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpuint (out[i], ==, (guint16) (65533 + i));
  g_assert_false (relay_nack_generator_on_packet (gen, 65535, 0));
  g_assert_false (relay_nack_generator_on_packet (gen, 0, 0));
  g_assert_cmpuint (relay_nack_generator_get_missing (gen), ==, 4);
}

static void
test_reorder_before_collect (void)
{
  g_autoptr (RelayNackGenerator) gen = relay_nack_generator_new ();
  guint16 out[16];

  feed_range (gen, 0, 0, 0);
  feed_range (gen, 2, 2, 0);
  feed_range (gen, 1, 1, 0);
  feed_range (gen, 2, 2, 0); /* duplicate */
  g_assert_cmpuint (collect (gen, 0, out), ==, 0);
  g_assert_cmpuint (relay_nack_generator_get_nacked (gen), ==, 0);
}

static void
test_overflow_keyframe (void)
{
  g_autoptr (RelayNackGenerator) gen = relay_nack_generator_new ();
  guint16 out[2000];

  feed_range (gen, 0, 0, 0);
  /* Exactly 1000 missing is still repairable. */
  g_assert_false (relay_nack_generator_on_packet (gen, 1001, 0));
  g_assert_cmpuint (relay_nack_generator_get_missing (gen), ==, 1000);
  /* One more and it asks for a keyframe and forgets the backlog. */
  g_assert_true (relay_nack_generator_on_packet (gen, 1003, 0));
  g_assert_cmpuint (relay_nack_generator_get_missing (gen), ==, 0);
  g_assert_cmpuint (collect (gen, 0, out), ==, 0);
  /* Tracking continues from the new position. */
  g_assert_false (relay_nack_generator_on_packet (gen, 1005, 0));
  g_assert_cmpuint (collect (gen, 0, out), ==, 1);
  g_assert_cmpuint (out[0], ==, 1004);

  /* Accumulated gaps overflow as well. */
  relay_nack_generator_reset (gen);
  feed_range (gen, 0, 0, 0);
  g_assert_false (relay_nack_generator_on_packet (gen, 601, 0));
  g_assert_true (relay_nack_generator_on_packet (gen, 1102, 0));
}

static void
test_jump_resets (void)
{
  g_autoptr (RelayNackGenerator) gen = relay_nack_generator_new ();
  guint16 out[16];

  feed_range (gen, 0, 0, 0);
  feed_range (gen, 2, 2, 0);
  g_assert_false (relay_nack_generator_on_packet (gen, 5000, 0));
  g_assert_cmpuint (relay_nack_generator_get_missing (gen), ==, 0);
  g_assert_false (relay_nack_generator_on_packet (gen, 5002, 0));
  g_assert_cmpuint (collect (gen, 0, out), ==, 1);
  g_assert_cmpuint (out[0], ==, 5001);

  /* Backwards far away: a new stream as well. */
  g_assert_false (relay_nack_generator_on_packet (gen, 100, 0));
  g_assert_cmpuint (relay_nack_generator_get_missing (gen), ==, 0);
  g_assert_false (relay_nack_generator_on_packet (gen, 101, 0));
  g_assert_cmpuint (relay_nack_generator_get_missing (gen), ==, 0);
}

static void
test_max_per_collect (void)
{
  g_autoptr (RelayNackGenerator) gen = relay_nack_generator_new ();
  guint16 out[16];

  feed_range (gen, 0, 0, 0);
  feed_range (gen, 6, 6, 0);
  g_assert_cmpuint (relay_nack_generator_collect (gen, 0, out, 2), ==, 2);
  g_assert_cmpuint (out[0], ==, 1);
  g_assert_cmpuint (out[1], ==, 2);
  /* The rest were never sent, so they are due now. */
  g_assert_cmpuint (relay_nack_generator_collect (gen, 0, out, 16), ==, 3);
  g_assert_cmpuint (out[0], ==, 3);
  g_assert_cmpuint (out[2], ==, 5);
  g_assert_cmpuint (relay_nack_generator_collect (gen, 0, NULL, 0), ==, 0);
}

static void
test_reset (void)
{
  g_autoptr (RelayNackGenerator) gen = relay_nack_generator_new ();
  guint16 out[16];

  feed_range (gen, 0, 0, 0);
  feed_range (gen, 3, 3, 0);
  relay_nack_generator_reset (gen);
  g_assert_cmpuint (collect (gen, 0, out), ==, 0);
  /* The first packet after a reset is a fresh start, not a gap. */
  feed_range (gen, 40000, 40000, 0);
  g_assert_cmpuint (collect (gen, 0, out), ==, 0);
}

static void
test_random_stream (void)
{
  g_autoptr (RelayNackGenerator) gen = relay_nack_generator_new ();
  g_autoptr (GHashTable) lost = g_hash_table_new (NULL, NULL);
  guint16 out[2000];
  guint16 seq = g_test_rand_int_range (0, 65536);
  gint64 now = 0;

  /* Random 5% loss over several wraps: every NACK names a lost packet,
   * and every lost packet is NACKed at least once. */
  relay_nack_generator_set_rtt (gen, 40);
  g_assert_false (relay_nack_generator_on_packet (gen, seq, now));
  for (guint i = 0; i < 200000; i++) {
    seq++;
    now += 1 * MS;
    if (g_test_rand_int_range (0, 100) < 5) {
      g_hash_table_add (lost, GUINT_TO_POINTER ((guint) seq + 1));
      continue;
    }
    g_assert_false (relay_nack_generator_on_packet (gen, seq, now));
    if (i % 10 == 0) {
      guint n = collect (gen, now, out);
      for (guint k = 0; k < n; k++)
        g_assert_true (g_hash_table_contains (lost, GUINT_TO_POINTER ((guint) out[k] + 1)));
    }
  }
  g_assert_cmpuint (relay_nack_generator_get_missing (gen), <=, 1000);
  g_assert_cmpuint (relay_nack_generator_get_nacked (gen), >, 200000 * 4 / 100);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nack-generator/gap-and-retry", test_gap_and_retry);
  g_test_add_func ("/nack-generator/min-interval", test_min_interval);
  g_test_add_func ("/nack-generator/max-retries", test_max_retries);
  g_test_add_func ("/nack-generator/max-age", test_max_age);
  g_test_add_func ("/nack-generator/wraparound", test_wraparound);
  g_test_add_func ("/nack-generator/wrap-gap", test_wrap_gap);
  g_test_add_func ("/nack-generator/reorder-before-collect", test_reorder_before_collect);
  g_test_add_func ("/nack-generator/overflow-keyframe", test_overflow_keyframe);
  g_test_add_func ("/nack-generator/jump-resets", test_jump_resets);
  g_test_add_func ("/nack-generator/max-per-collect", test_max_per_collect);
  g_test_add_func ("/nack-generator/reset", test_reset);
  g_test_add_func ("/nack-generator/random-stream", test_random_stream);
  return g_test_run ();
}
