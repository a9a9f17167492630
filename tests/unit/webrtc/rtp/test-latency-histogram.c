/* Percentiles from the fixed-bucket latency histogram. */
#include <glib.h>

#include "webrtc/rtp/latency-histogram.h"

static void
test_percentiles (void)
{
  RelayLatencyHistogram h = { 0 };
  g_assert_cmpint (relay_latency_histogram_percentile (&h, 50), ==, -1);
  /* 0..999 µs, once each: the 500th sample (499 µs) is in the bucket
   * ending at 500 µs. */
  for (gint64 us = 0; us < 1000; us++)
    relay_latency_histogram_record (&h, us);
  g_assert_cmpint (relay_latency_histogram_percentile (&h, 50), ==, 500);
  g_assert_cmpint (relay_latency_histogram_percentile (&h, 99), ==, 1000);
  g_assert_cmpint (relay_latency_histogram_percentile (&h, 0), ==, 50);
  g_assert_cmpint (h.max_us, ==, 999);
}

static void
test_overflow_and_negative (void)
{
  RelayLatencyHistogram h = { 0 };
  relay_latency_histogram_record (&h, -5); /* clock step: counted as 0 */
  for (int i = 0; i < 99; i++)
    relay_latency_histogram_record (&h, 10);
  relay_latency_histogram_record (&h, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (h.total, ==, 101);
  g_assert_cmpint (relay_latency_histogram_percentile (&h, 50), ==, 50);
  /* The overflow bucket reports the largest sample seen. */
  g_assert_cmpint (relay_latency_histogram_percentile (&h, 100), ==, 5 * G_USEC_PER_SEC);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/latency/percentiles", test_percentiles);
  g_test_add_func ("/latency/overflow-and-negative", test_overflow_and_negative);
  return g_test_run ();
}
