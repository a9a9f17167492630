/* relay/metrics/metrics-text.c and webrtc/base/metrics-histogram.c: the Prometheus text
 * format GET /metrics answers in (escaping, numbers, histograms with
 * cumulative buckets, +Inf, _sum and _count), and a histogram that threads
 * observe into at once. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "webrtc/base/metrics-histogram.h"
#include "relay/metrics/metrics-text.h"

#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void
assert_text (RelayMetricsText *t, const char *expected)
{
  g_assert_cmpstr (relay_metrics_text_get (t, NULL), ==, expected);
}

static void
test_family_and_samples (void)
{
  g_autoptr (RelayMetricsText) t = relay_metrics_text_new ();
  relay_metrics_text_family (t, "briefing_relay_offices", RELAY_METRIC_GAUGE, "Offices by state.");
  relay_metrics_text_sample_uint (t, L ("state", "live"), 3);
  relay_metrics_text_sample_uint (t, L ("state", "lost"), 0);
  relay_metrics_text_family (t, "briefing_relay_things_total", RELAY_METRIC_COUNTER, "Things.");
  relay_metrics_text_sample_uint (t, NULL, 12);
  assert_text (t, "# HELP briefing_relay_offices Offices by state.\n"
                  "# TYPE briefing_relay_offices gauge\n"
                  "briefing_relay_offices{state=\"live\"} 3\n"
                  "briefing_relay_offices{state=\"lost\"} 0\n"
                  "# HELP briefing_relay_things_total Things.\n"
                  "# TYPE briefing_relay_things_total counter\n"
                  "briefing_relay_things_total 12\n");
}

/* A label value may hold anything a configured name holds: backslash,
 * double quote and newline are escaped, the rest (UTF-8 included) is
 * written as it is. HELP escapes backslash and newline only. */
static void
test_escaping (void)
{
  g_autoptr (RelayMetricsText) t = relay_metrics_text_new ();
  relay_metrics_text_family (t, "x_pending", RELAY_METRIC_GAUGE,
                             "Two lines\nand a back\\slash, \"quoted\".");
  relay_metrics_text_sample_uint (t, L ("webhook", "a\\b\"c\nd", "kind", "ศูนย์"), 1);
  assert_text (t, "# HELP x_pending Two lines\\nand a back\\\\slash, \"quoted\".\n"
                  "# TYPE x_pending gauge\n"
                  "x_pending{webhook=\"a\\\\b\\\"c\\nd\",kind=\"ศูนย์\"} 1\n");
}

static void
test_numbers (void)
{
  char buf[RELAY_METRICS_NUMBER_LEN];
  g_assert_cmpstr (relay_metrics_format_number (0.1, buf), ==, "0.1");
  g_assert_cmpstr (relay_metrics_format_number (10, buf), ==, "10");
  g_assert_cmpstr (relay_metrics_format_number (60, buf), ==, "60");
  g_assert_cmpstr (relay_metrics_format_number (0.00025, buf), ==, "0.00025");
  g_assert_cmpstr (relay_metrics_format_number (1.5, buf), ==, "1.5");
  g_assert_cmpstr (relay_metrics_format_number (-2.25, buf), ==, "-2.25");
  g_assert_cmpstr (relay_metrics_format_number (1796669843.806675, buf), ==, "1796669843.806675");
  g_assert_cmpstr (relay_metrics_format_number (NAN, buf), ==, "NaN");
  g_assert_cmpstr (relay_metrics_format_number (INFINITY, buf), ==, "+Inf");
  g_assert_cmpstr (relay_metrics_format_number (-INFINITY, buf), ==, "-Inf");
  /* Every value reads back as itself. */
  const double values[] = { 1.0 / 3, 2.0 / 3, 1e-9, 123456.789, 1e20, 5e-324 };
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_assert_cmpfloat (g_ascii_strtod (relay_metrics_format_number (values[i], buf), NULL), ==,
                       values[i]);
  /* A count past 2^53 is written whole, not through a double. */
  g_autoptr (RelayMetricsText) t = relay_metrics_text_new ();
  relay_metrics_text_family (t, "big_total", RELAY_METRIC_COUNTER, "Big.");
  relay_metrics_text_sample_uint (t, NULL, G_MAXUINT64);
  relay_metrics_text_sample (t, L ("a", "b"), 0.5);
  assert_text (t, "# HELP big_total Big.\n# TYPE big_total counter\n"
                  "big_total 18446744073709551615\nbig_total{a=\"b\"} 0.5\n");
}

/* Buckets are cumulative, the last is +Inf, _count equals it and _sum is
 * in seconds; the labels come first, le last. A value on a bound counts in
 * that bound's bucket (le: less or equal). */
static void
test_histogram (void)
{
  const double bounds[] = { 0.001, 0.01, 0.1 };
  g_autoptr (RelayMetricsHistogram) h = relay_metrics_histogram_new (bounds, 3);
  relay_metrics_histogram_observe_us (h, 500);    /* 0.0005 */
  relay_metrics_histogram_observe_us (h, 1000);   /* on the first bound */
  relay_metrics_histogram_observe_us (h, 20000);  /* 0.02 */
  relay_metrics_histogram_observe_us (h, 250000); /* past every bound */
  relay_metrics_histogram_observe_us (h, -5);     /* counts as 0 */
  relay_metrics_histogram_observe_us (NULL, 5);   /* ignored */
  g_autoptr (RelayMetricsText) t = relay_metrics_text_new ();
  relay_metrics_text_family (t, "x_latency_seconds", RELAY_METRIC_HISTOGRAM, "Latency.");
  relay_metrics_text_histogram (t, L ("output", "mosaic"), h);
  assert_text (t, "# HELP x_latency_seconds Latency.\n"
                  "# TYPE x_latency_seconds histogram\n"
                  "x_latency_seconds_bucket{output=\"mosaic\",le=\"0.001\"} 3\n"
                  "x_latency_seconds_bucket{output=\"mosaic\",le=\"0.01\"} 3\n"
                  "x_latency_seconds_bucket{output=\"mosaic\",le=\"0.1\"} 4\n"
                  "x_latency_seconds_bucket{output=\"mosaic\",le=\"+Inf\"} 5\n"
                  "x_latency_seconds_sum{output=\"mosaic\"} 0.2715\n"
                  "x_latency_seconds_count{output=\"mosaic\"} 5\n");
}

static void
test_histogram_without_labels (void)
{
  const double bounds[] = { 1, 2.5 };
  guint64 buckets[] = { 2, 0, 1 };
  g_autoptr (RelayMetricsText) t = relay_metrics_text_new ();
  relay_metrics_text_family (t, "join_seconds", RELAY_METRIC_HISTOGRAM, "Joins.");
  relay_metrics_text_histogram_counts (t, NULL, bounds, 2, buckets, 9.5);
  assert_text (t, "# HELP join_seconds Joins.\n# TYPE join_seconds histogram\n"
                  "join_seconds_bucket{le=\"1\"} 2\n"
                  "join_seconds_bucket{le=\"2.5\"} 2\n"
                  "join_seconds_bucket{le=\"+Inf\"} 3\n"
                  "join_seconds_sum 9.5\n"
                  "join_seconds_count 3\n");
}

typedef struct {
  RelayMetricsHistogram *h;
  guint n;
} Observer;

static gpointer
observe_many (gpointer data)
{
  Observer *o = data;
  for (guint i = 0; i < o->n; i++)
    relay_metrics_histogram_observe_us (o->h, i % 3 == 0 ? 100 : 2000);
  return NULL;
}

/* Four threads at once lose no observation. */
static void
test_histogram_threads (void)
{
  const double bounds[] = { 0.001 };
  g_autoptr (RelayMetricsHistogram) h = relay_metrics_histogram_new (bounds, 1);
  Observer o = { h, 30000 };
  GThread *threads[4];
  for (guint i = 0; i < 4; i++)
    threads[i] = g_thread_new ("observer", observe_many, &o);
  for (guint i = 0; i < 4; i++)
    g_thread_join (threads[i]);
  guint64 buckets[2], sum_us;
  relay_metrics_histogram_read (h, buckets, &sum_us);
  g_assert_cmpuint (buckets[0], ==, 4 * 10000);
  g_assert_cmpuint (buckets[1], ==, 4 * 20000);
  g_assert_cmpuint (sum_us, ==, 4 * (10000 * 100 + 20000 * 2000));
}

static void
test_names (void)
{
  g_assert_true (relay_metrics_valid_metric_name ("briefing_relay_offices"));
  g_assert_true (relay_metrics_valid_metric_name ("a:b_c1"));
  g_assert_false (relay_metrics_valid_metric_name ("1abc"));
  g_assert_false (relay_metrics_valid_metric_name ("a-b"));
  g_assert_false (relay_metrics_valid_metric_name (""));
  g_assert_true (relay_metrics_valid_label_name ("province"));
  g_assert_false (relay_metrics_valid_label_name ("a:b"));
  g_assert_false (relay_metrics_valid_label_name ("__name__"));
}

/* Breaking a rule of the format is a programming error: a critical, and
 * nothing written that would make the scraper refuse the whole page. */
static void
test_refused_calls (void)
{
  static const char *const cases[] = { "counter-name", "twice", "bad-label", "le-label",
                                       "no-family", "duplicate-label" };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/metrics-text/refused/subprocess/%s", cases[i]);
      g_test_trap_subprocess (path, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_failed ();
      g_test_trap_assert_stderr ("*CRITICAL*");
    }
}

static void
refused_case (gconstpointer data)
{
  const char *which = data;
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_autoptr (RelayMetricsText) t = relay_metrics_text_new ();
  if (strcmp (which, "counter-name") == 0)
    relay_metrics_text_family (t, "things", RELAY_METRIC_COUNTER, "No _total.");
  relay_metrics_text_family (t, "x", RELAY_METRIC_GAUGE, "X.");
  if (strcmp (which, "twice") == 0)
    relay_metrics_text_family (t, "x", RELAY_METRIC_GAUGE, "X again.");
  if (strcmp (which, "bad-label") == 0)
    relay_metrics_text_sample (t, L ("pro-vince", "TH-50"), 1);
  if (strcmp (which, "duplicate-label") == 0)
    relay_metrics_text_sample (t, L ("a", "1", "a", "2"), 1);
  if (strcmp (which, "le-label") == 0)
    {
      relay_metrics_text_family (t, "h", RELAY_METRIC_HISTOGRAM, "H.");
      relay_metrics_text_histogram_counts (t, L ("le", "1"), NULL, 0, (guint64[]){ 0 }, 0);
    }
  if (strcmp (which, "no-family") == 0)
    {
      g_autoptr (RelayMetricsText) fresh = relay_metrics_text_new ();
      relay_metrics_text_sample (fresh, NULL, 1);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics-text/family-and-samples", test_family_and_samples);
  g_test_add_func ("/metrics-text/escaping", test_escaping);
  g_test_add_func ("/metrics-text/numbers", test_numbers);
  g_test_add_func ("/metrics-text/histogram", test_histogram);
  g_test_add_func ("/metrics-text/histogram-without-labels", test_histogram_without_labels);
  g_test_add_func ("/metrics-text/histogram-threads", test_histogram_threads);
  g_test_add_func ("/metrics-text/names", test_names);
  g_test_add_func ("/metrics-text/refused", test_refused_calls);
  static const char *const cases[] = { "counter-name", "twice", "bad-label", "le-label",
                                       "no-family", "duplicate-label" };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/metrics-text/refused/subprocess/%s", cases[i]);
      g_test_add_data_func (path, cases[i], refused_case);
    }
  return g_test_run ();
}
