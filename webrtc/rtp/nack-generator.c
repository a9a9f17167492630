/* NACK scheduling for one received video stream (RFC 4585 generic NACK).
 * The missing list is a GArray sorted by extended sequence number: gaps are
 * appended in order as the stream advances, late arrivals are found by
 * binary search, and collect() compacts it in one pass, so every operation
 * is O(missing) with no per-packet allocation. */
#include "webrtc/rtp/nack-generator.h"

#define MAX_MISSING 1000
#define MAX_RETRIES 10
#define MAX_AGE_US (1 * G_USEC_PER_SEC)
#define MIN_RETRY_INTERVAL_MS 20
/* Before the first RTT estimate arrives; 100 ms is a typical WAN RTT and
 * keeps early retries from flooding a sender on a slow path. */
#define DEFAULT_RTT_MS 100
/* A jump this large is a new stream (encoder restart), not loss. */
#define MAX_JUMP 3000

typedef struct {
  gint64 ext_seq;
  gint64 first_seen_us;
  gint64 last_sent_us;
  guint retries;
} MissingEntry;

struct _RelayNackGenerator {
  gboolean started;
  gint64 highest; /* extended sequence number of the newest packet */
  GArray *missing; /* MissingEntry, ascending ext_seq */
  guint rtt_ms;
  guint64 nacked;
  guint64 requests;
};

RelayNackGenerator *
relay_nack_generator_new (void)
{
  RelayNackGenerator *gen = g_new0 (RelayNackGenerator, 1);

  gen->missing = g_array_sized_new (FALSE, FALSE, sizeof (MissingEntry), 64);
  gen->rtt_ms = DEFAULT_RTT_MS;
  return gen;
}

void
relay_nack_generator_free (RelayNackGenerator *gen)
{
  if (gen == NULL)
    return;
  g_array_free (gen->missing, TRUE);
  g_free (gen);
}

void
relay_nack_generator_reset (RelayNackGenerator *gen)
{
  g_return_if_fail (gen != NULL);
  gen->started = FALSE;
  g_array_set_size (gen->missing, 0);
}

void
relay_nack_generator_set_rtt (RelayNackGenerator *gen, guint rtt_ms)
{
  g_return_if_fail (gen != NULL);
  gen->rtt_ms = rtt_ms;
}

static void
start_at (RelayNackGenerator *gen, guint16 seq)
{
  g_array_set_size (gen->missing, 0);
  gen->started = TRUE;
  gen->highest = seq;
}

/* Index of ext_seq in the missing list, or -1. */
static gint
find_missing (RelayNackGenerator *gen, gint64 ext_seq)
{
  const MissingEntry *e = (const MissingEntry *) gen->missing->data;
  guint lo = 0, hi = gen->missing->len;

  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    if (e[mid].ext_seq < ext_seq)
      lo = mid + 1;
    else
      hi = mid;
  }
  return (lo < gen->missing->len && e[lo].ext_seq == ext_seq) ? (gint) lo : -1;
}

gboolean
relay_nack_generator_on_packet (RelayNackGenerator *gen, guint16 seq, gint64 now_us)
{
  gint32 diff;
  gint64 ext;

  g_return_val_if_fail (gen != NULL, FALSE);

  if (!gen->started) {
    start_at (gen, seq);
    return FALSE;
  }

  diff = (gint16) (guint16) (seq - (guint16) gen->highest);
  ext = gen->highest + diff;

  if (ABS (diff) > MAX_JUMP) {
    start_at (gen, seq);
    return FALSE;
  }

  if (diff < 0) {
    /* Reordered or retransmitted: no longer missing. */
    gint idx = find_missing (gen, ext);
    if (idx >= 0)
      g_array_remove_index (gen->missing, (guint) idx);
    return FALSE;
  }
  if (diff == 0)
    return FALSE;

  if (gen->missing->len + (guint) (diff - 1) > MAX_MISSING) {
    /* Retransmitting this much would only add to the congestion that
     * caused it; a keyframe repairs the picture faster. */
    g_array_set_size (gen->missing, 0);
    gen->highest = ext;
    return TRUE;
  }

  for (gint64 s = gen->highest + 1; s < ext; s++) {
    MissingEntry e = { .ext_seq = s, .first_seen_us = now_us, .last_sent_us = 0, .retries = 0 };
    g_array_append_val (gen->missing, e);
  }
  gen->highest = ext;
  return FALSE;
}

guint
relay_nack_generator_collect (RelayNackGenerator *gen, gint64 now_us, guint16 *seqs, guint max)
{
  MissingEntry *e;
  gint64 interval_us;
  guint kept = 0, n = 0;

  g_return_val_if_fail (gen != NULL, 0);
  g_return_val_if_fail (max == 0 || seqs != NULL, 0);

  interval_us = (gint64) MAX (gen->rtt_ms, MIN_RETRY_INTERVAL_MS) * 1000;
  e = (MissingEntry *) gen->missing->data;

  for (guint i = 0; i < gen->missing->len; i++) {
    MissingEntry cur = e[i];

    /* Past this point a retransmission would arrive too late to be
     * decoded; the keyframe logic downstream takes over. */
    if (cur.retries >= MAX_RETRIES || now_us - cur.first_seen_us >= MAX_AGE_US)
      continue;

    if (n < max && (cur.retries == 0 || now_us - cur.last_sent_us >= interval_us)) {
      seqs[n++] = (guint16) cur.ext_seq;
      if (cur.retries == 0)
        gen->nacked++;
      cur.retries++;
      cur.last_sent_us = now_us;
      gen->requests++;
    }
    e[kept++] = cur;
  }
  g_array_set_size (gen->missing, kept);
  return n;
}

guint64
relay_nack_generator_get_nacked (RelayNackGenerator *gen)
{
  return gen->nacked;
}

guint64
relay_nack_generator_get_requests (RelayNackGenerator *gen)
{
  return gen->requests;
}

guint
relay_nack_generator_get_missing (RelayNackGenerator *gen)
{
  return gen->missing->len;
}
