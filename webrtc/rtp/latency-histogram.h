/* Fixed-memory histogram of small durations (50 µs buckets up to 100 ms,
 * then one overflow bucket) for per-packet latency percentiles without
 * storing samples. Single-threaded. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAY_LATENCY_BUCKET_US 50
#define RELAY_LATENCY_BUCKETS 2000 /* 100 ms */

typedef struct {
  guint32 counts[RELAY_LATENCY_BUCKETS + 1];
  guint64 total;
  gint64 max_us;
} RelayLatencyHistogram;

void relay_latency_histogram_record (RelayLatencyHistogram *h, gint64 us);
/* The upper bound of the bucket holding the p-th percentile (0..100), in
 * µs; -1 when empty. */
gint64 relay_latency_histogram_percentile (const RelayLatencyHistogram *h, double p);

G_END_DECLS
