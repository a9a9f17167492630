#include "webrtc/rtp/latency-histogram.h"

void
relay_latency_histogram_record (RelayLatencyHistogram *h, gint64 us)
{
  if (us < 0)
    us = 0;
  gint64 bucket = us / RELAY_LATENCY_BUCKET_US;
  h->counts[MIN (bucket, RELAY_LATENCY_BUCKETS)]++;
  h->total++;
  h->max_us = MAX (h->max_us, us);
}

gint64
relay_latency_histogram_percentile (const RelayLatencyHistogram *h, double p)
{
  if (h->total == 0)
    return -1;
  /* The smallest bucket at which the cumulative count reaches p % of all. */
  guint64 rank = (guint64) ((p / 100.0) * (double) h->total + 0.5);
  if (rank == 0)
    rank = 1;
  guint64 seen = 0;
  for (guint i = 0; i <= RELAY_LATENCY_BUCKETS; i++)
    {
      seen += h->counts[i];
      if (seen >= rank)
        return i == RELAY_LATENCY_BUCKETS ? h->max_us : (gint64) (i + 1) * RELAY_LATENCY_BUCKET_US;
    }
  return h->max_us;
}
