/* What a viewer's NACKs can make the relay resend: each packet once per
 * RTT however often it is listed, never more bytes than the budget the
 * forwarded stream earns, and every refusal counted by reason. */
#include <glib.h>

#include "webrtc/rtp/nack-responder.h"

#define MS 1000

static void
test_once_per_rtt (void)
{
  g_autoptr (RelayNackResponder) r = relay_nack_responder_new (NULL);
  relay_nack_responder_set_rtt (r, 50);
  gint64 now = 1000 * MS;
  /* One sequence number listed 10,000 times in one NACK: one resend. */
  guint resent = 0;
  for (guint i = 0; i < 10000; i++)
    resent += relay_nack_responder_check (r, 700, 1200, now) == RELAY_NACK_RESEND;
  g_assert_cmpuint (resent, ==, 1);
  /* Still within the RTT: refused; after it, resent again. */
  g_assert_cmpint (relay_nack_responder_check (r, 700, 1200, now + 49 * MS), ==,
                   RELAY_NACK_REFUSED_REPEAT);
  g_assert_cmpint (relay_nack_responder_check (r, 700, 1200, now + 50 * MS), ==,
                   RELAY_NACK_RESEND);
  /* Other packets are not held up by it. */
  g_assert_cmpint (relay_nack_responder_check (r, 701, 1200, now + 50 * MS), ==,
                   RELAY_NACK_RESEND);
  RelayNackResponderCounts c;
  relay_nack_responder_get_counts (r, &c);
  g_assert_cmpuint (c.resent, ==, 3);
  g_assert_cmpuint (c.refused_repeat, ==, 10000);
  g_assert_cmpuint (c.refused_budget, ==, 0);
}

static void
test_min_interval_without_rtt (void)
{
  g_autoptr (RelayNackResponder) r = relay_nack_responder_new (NULL);
  gint64 now = 5 * MS;
  g_assert_cmpint (relay_nack_responder_check (r, 1, 100, now), ==, RELAY_NACK_RESEND);
  g_assert_cmpint (relay_nack_responder_check (r, 1, 100, now + 9 * MS), ==,
                   RELAY_NACK_REFUSED_REPEAT);
  g_assert_cmpint (relay_nack_responder_check (r, 1, 100, now + 10 * MS), ==, RELAY_NACK_RESEND);
  /* A sequence number sharing a slot of the table with another is not
   * refused for the other's resend (the table forgets the older one, which
   * can only let that one be resent once more). */
  g_assert_cmpint (relay_nack_responder_check (r, 1 + 512, 100, now + 10 * MS), ==,
                   RELAY_NACK_RESEND);
  g_assert_cmpint (relay_nack_responder_check (r, 1, 100, now + 11 * MS), ==, RELAY_NACK_RESEND);
}

static void
test_budget (void)
{
  RelayNackResponderLimits limits = RELAY_NACK_RESPONDER_DEFAULT_LIMITS;
  limits.budget_start_bytes = 3000;
  limits.budget_max_bytes = 10000;
  limits.budget_percent = 50;
  g_autoptr (RelayNackResponder) r = relay_nack_responder_new (&limits);
  gint64 now = 1000 * MS;
  /* The start budget: two packets of 1200, not a third. */
  g_assert_cmpint (relay_nack_responder_check (r, 1, 1200, now), ==, RELAY_NACK_RESEND);
  g_assert_cmpint (relay_nack_responder_check (r, 2, 1200, now), ==, RELAY_NACK_RESEND);
  g_assert_cmpint (relay_nack_responder_check (r, 3, 1200, now), ==, RELAY_NACK_REFUSED_BUDGET);
  /* Forwarding 2000 bytes earns 1000: 1600 now, one more packet. */
  relay_nack_responder_on_forwarded (r, 2000);
  g_assert_cmpint (relay_nack_responder_check (r, 3, 1200, now), ==, RELAY_NACK_RESEND);
  g_assert_cmpint (relay_nack_responder_check (r, 4, 1200, now), ==, RELAY_NACK_REFUSED_BUDGET);
  /* The budget saves up to its cap only, however long the stream ran. */
  for (guint i = 0; i < 1000; i++)
    relay_nack_responder_on_forwarded (r, 1200);
  guint resent = 0;
  for (guint16 seq = 100; seq < 200; seq++)
    resent += relay_nack_responder_check (r, seq, 1000, now) == RELAY_NACK_RESEND;
  g_assert_cmpuint (resent, ==, 10);
  RelayNackResponderCounts c;
  relay_nack_responder_get_counts (r, &c);
  g_assert_cmpuint (c.resent, ==, 3 + 10);
  g_assert_cmpuint (c.refused_budget, ==, 2 + 90);
}

static void
test_resent_bytes_bounded_by_forwarded (void)
{
  /* A viewer asking for every packet of the stream again and again, each
   * RTT: over a minute of a 1 Mbit/s stream, what the relay resends stays
   * within half of what it forwarded plus the start budget. */
  g_autoptr (RelayNackResponder) r = relay_nack_responder_new (NULL);
  relay_nack_responder_set_rtt (r, 20);
  guint64 forwarded = 0, resent = 0;
  guint16 seq = 0;
  for (gint64 t = 1000 * MS; t < 61000 * MS; t += 10 * MS)
    {
      /* 1 Mbit/s: a 1250-byte packet every 10 ms. */
      relay_nack_responder_on_forwarded (r, 1250);
      forwarded += 1250;
      seq++;
      for (guint back = 0; back < 100; back++)
        if (relay_nack_responder_check (r, (guint16) (seq - back), 1250, t) == RELAY_NACK_RESEND)
          resent += 1250;
    }
  g_assert_cmpuint (resent, <=, forwarded / 2 + 64 * 1024);
  g_assert_cmpuint (resent, >, forwarded / 4);
}

static void
test_excess_counted (void)
{
  g_autoptr (RelayNackResponder) r = relay_nack_responder_new (NULL);
  g_assert_cmpuint (relay_nack_responder_get_max_seqs (r), ==, 256);
  relay_nack_responder_on_excess (r, 9744);
  RelayNackResponderCounts c;
  relay_nack_responder_get_counts (r, &c);
  g_assert_cmpuint (c.refused_excess, ==, 9744);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nack-responder/once-per-rtt", test_once_per_rtt);
  g_test_add_func ("/nack-responder/min-interval-without-rtt", test_min_interval_without_rtt);
  g_test_add_func ("/nack-responder/budget", test_budget);
  g_test_add_func ("/nack-responder/resent-bytes-bounded-by-forwarded",
                   test_resent_bytes_bounded_by_forwarded);
  g_test_add_func ("/nack-responder/excess-counted", test_excess_counted);
  return g_test_run ();
}
