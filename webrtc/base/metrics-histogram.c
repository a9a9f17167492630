#include "webrtc/base/metrics-histogram.h"

#include <math.h>
#include <stdatomic.h>

struct _RelayMetricsHistogram {
  guint n_bounds;
  double *bounds_s;
  gint64 *bounds_us; /* compared against, so that a bound is exact in µs */
  /* Per bucket, not cumulative: an observation touches one counter, and
   * the reader adds them up. */
  _Atomic guint64 *counts; /* n_bounds + 1 */
  _Atomic guint64 sum_us;
};

RelayMetricsHistogram *
relay_metrics_histogram_new (const double *bounds_s, guint n_bounds)
{
  for (guint i = 1; i < n_bounds; i++)
    g_return_val_if_fail (bounds_s[i] > bounds_s[i - 1], NULL);
  RelayMetricsHistogram *h = g_new0 (RelayMetricsHistogram, 1);
  h->n_bounds = n_bounds;
  h->bounds_s = g_memdup2 (bounds_s, n_bounds * sizeof (double));
  h->bounds_us = g_new (gint64, n_bounds);
  for (guint i = 0; i < n_bounds; i++)
    h->bounds_us[i] = (gint64) llround (bounds_s[i] * G_USEC_PER_SEC);
  h->counts = g_new (_Atomic guint64, n_bounds + 1);
  for (guint i = 0; i <= n_bounds; i++)
    atomic_init (&h->counts[i], 0);
  atomic_init (&h->sum_us, 0);
  return h;
}

void
relay_metrics_histogram_free (RelayMetricsHistogram *h)
{
  if (!h)
    return;
  g_free (h->bounds_s);
  g_free (h->bounds_us);
  g_free ((gpointer) h->counts);
  g_free (h);
}

void
relay_metrics_histogram_observe_us (RelayMetricsHistogram *h, gint64 us)
{
  if (!h)
    return;
  if (us < 0)
    us = 0;
  /* A dozen bounds: a linear search costs less than thinking about it. */
  guint i = 0;
  while (i < h->n_bounds && us > h->bounds_us[i])
    i++;
  atomic_fetch_add_explicit (&h->counts[i], 1, memory_order_relaxed);
  atomic_fetch_add_explicit (&h->sum_us, (guint64) us, memory_order_relaxed);
}

guint
relay_metrics_histogram_get_n_bounds (const RelayMetricsHistogram *h)
{
  return h->n_bounds;
}

const double *
relay_metrics_histogram_get_bounds (const RelayMetricsHistogram *h)
{
  return h->bounds_s;
}

void
relay_metrics_histogram_read (const RelayMetricsHistogram *h, guint64 *buckets, guint64 *sum_us)
{
  for (guint i = 0; i <= h->n_bounds; i++)
    buckets[i] = atomic_load_explicit (&h->counts[i], memory_order_relaxed);
  *sum_us = atomic_load_explicit (&h->sum_us, memory_order_relaxed);
}
