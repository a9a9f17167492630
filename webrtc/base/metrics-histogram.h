/* A histogram for the metrics endpoint (GET /metrics): how many
 * observations fell at or below each of a fixed set of upper bounds, their
 * count and their sum, as Prometheus reads a histogram. Durations are
 * observed in microseconds and exposed in seconds.
 *
 * Threads: observing is lock-free (C11 atomics) and may happen on any
 * thread at once (transport workers, GStreamer streaming threads); reading
 * may happen on any other. A read taken while observations land may see
 * one in its bucket and not yet in the sum, never a bucket count going
 * down. Whoever creates one owns it and frees it after the last thread
 * that observes into it has stopped. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RelayMetricsHistogram RelayMetricsHistogram;

/* `bounds_s`: the buckets' upper bounds in seconds, strictly ascending
 * (else a critical and NULL), copied. The +Inf bucket is implied. */
RelayMetricsHistogram *relay_metrics_histogram_new (const double *bounds_s, guint n_bounds);
void relay_metrics_histogram_free (RelayMetricsHistogram *histogram);

/* One observation of `us` microseconds (negative counts as 0). A NULL
 * histogram ignores it, so that units may observe into an optional one. */
void relay_metrics_histogram_observe_us (RelayMetricsHistogram *histogram, gint64 us);

guint relay_metrics_histogram_get_n_bounds (const RelayMetricsHistogram *histogram);
const double *relay_metrics_histogram_get_bounds (const RelayMetricsHistogram *histogram);

/* A copy of the counts: `buckets` gets n_bounds + 1 counts, each of its own
 * bucket only (the last one past every bound), not cumulative; `sum_us` the
 * sum of the observations. */
void relay_metrics_histogram_read (const RelayMetricsHistogram *histogram, guint64 *buckets,
                                   guint64 *sum_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayMetricsHistogram, relay_metrics_histogram_free)

G_END_DECLS
