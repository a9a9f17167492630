#include "webrtc/rtp/nack-responder.h"

/* The last resend of each sequence number, in a table indexed by its low
 * bits. A collision forgets an older entry, which can only let a packet be
 * resent once more: the byte budget still bounds it. 512 slots cover half a
 * second of a 6 Mbit/s stream's resends, far more than any RTT. */
#define SLOTS 512

typedef struct {
  gint64 at_us;
  guint16 seq;
  gboolean used;
} ResendSlot;

struct _RelayNackResponder {
  RelayNackResponderLimits limits;
  guint rtt_ms;
  gsize budget; /* bytes that may still be resent */
  RelayNackResponderCounts counts;
  ResendSlot slots[SLOTS];
};

RelayNackResponder *
relay_nack_responder_new (const RelayNackResponderLimits *limits)
{
  static const RelayNackResponderLimits defaults = RELAY_NACK_RESPONDER_DEFAULT_LIMITS;
  RelayNackResponder *r = g_new0 (RelayNackResponder, 1);
  r->limits = limits ? *limits : defaults;
  r->budget = MIN (r->limits.budget_start_bytes, r->limits.budget_max_bytes);
  return r;
}

void
relay_nack_responder_free (RelayNackResponder *responder)
{
  g_free (responder);
}

guint
relay_nack_responder_get_max_seqs (RelayNackResponder *responder)
{
  return responder->limits.max_seqs_per_nack;
}

void
relay_nack_responder_set_rtt (RelayNackResponder *responder, guint rtt_ms)
{
  responder->rtt_ms = rtt_ms;
}

void
relay_nack_responder_on_forwarded (RelayNackResponder *responder, gsize bytes)
{
  gsize earned = bytes * responder->limits.budget_percent / 100;
  responder->budget = MIN (responder->budget + earned, responder->limits.budget_max_bytes);
}

void
relay_nack_responder_on_excess (RelayNackResponder *responder, guint count)
{
  responder->counts.refused_excess += count;
}

RelayNackVerdict
relay_nack_responder_check (RelayNackResponder *responder, guint16 seq, gsize bytes,
                            gint64 now_us)
{
  ResendSlot *slot = &responder->slots[seq % SLOTS];
  gint64 interval_us = (gint64) MAX (responder->rtt_ms, responder->limits.min_interval_ms) * 1000;
  if (slot->used && slot->seq == seq && now_us - slot->at_us < interval_us)
    {
      responder->counts.refused_repeat++;
      return RELAY_NACK_REFUSED_REPEAT;
    }
  if (bytes > responder->budget)
    {
      responder->counts.refused_budget++;
      return RELAY_NACK_REFUSED_BUDGET;
    }
  responder->budget -= bytes;
  slot->seq = seq;
  slot->at_us = now_us;
  slot->used = TRUE;
  responder->counts.resent++;
  return RELAY_NACK_RESEND;
}

void
relay_nack_responder_get_counts (RelayNackResponder *responder, RelayNackResponderCounts *counts)
{
  *counts = responder->counts;
}
