/* Decides which packets a viewer's NACKs (RFC 4585) get resent, so that no
 * viewer can make the relay send much more than it forwards: a NACK can
 * list one sequence number thousands of times, or every packet of the
 * retransmission cache, again and again. A packet is resent at most once
 * per max(RTT, 10 ms) (a second copy sooner cannot help: the first is
 * still on its way), at most `max_seqs_per_nack` sequence numbers of one
 * NACK are looked at, and resent bytes come out of a budget each forwarded
 * byte adds to (by default half of it; the budget saves up to 256 KiB, and
 * starts with 64 KiB so that the first losses of a session are answered).
 * Everything refused is counted, by reason.
 *
 * Runs on the viewer's worker thread only; the viewer session owns it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint max_seqs_per_nack;  /* sequence numbers looked at per NACK */
  guint budget_percent;     /* resend bytes earned per 100 forwarded bytes */
  gsize budget_max_bytes;   /* how much unspent budget is kept */
  gsize budget_start_bytes; /* budget of a new session */
  guint min_interval_ms;    /* floor of the once-per-RTT rule */
} RelayNackResponderLimits;

#define RELAY_NACK_RESPONDER_DEFAULT_LIMITS \
  { .max_seqs_per_nack = 256, .budget_percent = 50, .budget_max_bytes = 256 * 1024, \
    .budget_start_bytes = 64 * 1024, .min_interval_ms = 10 }

typedef enum {
  RELAY_NACK_RESEND,
  RELAY_NACK_REFUSED_REPEAT, /* resent less than an RTT ago */
  RELAY_NACK_REFUSED_BUDGET, /* the viewer's resend budget is spent */
} RelayNackVerdict;

typedef struct {
  guint64 resent;          /* packets allowed */
  guint64 refused_repeat;  /* asked again within an RTT (duplicates in one NACK too) */
  guint64 refused_budget;  /* over the byte budget */
  guint64 refused_excess;  /* sequence numbers past max_seqs_per_nack */
} RelayNackResponderCounts;

typedef struct _RelayNackResponder RelayNackResponder;

/* limits: NULL for the defaults. */
RelayNackResponder *relay_nack_responder_new (const RelayNackResponderLimits *limits);
void relay_nack_responder_free (RelayNackResponder *responder);

guint relay_nack_responder_get_max_seqs (RelayNackResponder *responder);
void relay_nack_responder_set_rtt (RelayNackResponder *responder, guint rtt_ms);
/* A packet forwarded to the viewer: earns resend budget. */
void relay_nack_responder_on_forwarded (RelayNackResponder *responder, gsize bytes);
/* Sequence numbers of a NACK left unread past max_seqs_per_nack. */
void relay_nack_responder_on_excess (RelayNackResponder *responder, guint count);
/* Whether to resend packet `seq` of `bytes` now; when RELAY_NACK_RESEND its
 * bytes are spent and its time remembered. */
RelayNackVerdict relay_nack_responder_check (RelayNackResponder *responder, guint16 seq,
                                             gsize bytes, gint64 now_us);
void relay_nack_responder_get_counts (RelayNackResponder *responder,
                                      RelayNackResponderCounts *counts);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayNackResponder, relay_nack_responder_free)

G_END_DECLS
