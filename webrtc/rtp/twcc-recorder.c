/* Transport-wide congestion control feedback, receiver side
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1).
 *
 * Arrivals are kept in a GArray sorted by unwrapped transport sequence
 * number. Building feedback walks that array once per feedback packet:
 * a dry run with the chunk encoder finds how many packets fit in the size
 * budget, then a second run writes them. */
#include "webrtc/rtp/twcc-recorder.h"
#include "webrtc/rtcp/rtcp-packet.h"

#include <string.h>

#define TWCC_FMT 15
#define TWCC_HEADER_LEN 20
#define MAX_FEEDBACK_BYTES 1200
#define MAX_STATUS_COUNT 0xffff
#define MAX_RUN_LENGTH 0x1fff
#define DELTA_TICK_US 250
#define REF_TIME_TICK_US 64000
/* Bound on remembered arrivals if feedback is never built. */
#define MAX_PENDING 16384

enum { SYM_NOT_RECEIVED = 0, SYM_SMALL_DELTA = 1, SYM_LARGE_DELTA = 2 };

typedef struct {
  gint64 ext_seq;
  gint64 arrival_us;
} Arrival;

struct _RelayTwccRecorder {
  GArray *arrivals; /* Arrival, ascending ext_seq, no duplicates */
  gboolean started;
  gint64 highest;
  gboolean have_feedback;
  gint64 last_base; /* first seq of the last round; older is ignored */
  gint64 next_base; /* first seq not yet reported */
  gboolean dirty;
  guint8 fb_count;
  GByteArray *deltas; /* scratch, reused across builds */
};

/* ---- packet chunk encoder ------------------------------------------------
 * Symbols are buffered until they can no longer share one chunk: a run of
 * one symbol becomes a run-length chunk (up to 8191), otherwise 14 one-bit
 * symbols when no large delta is involved, otherwise 7 two-bit symbols. */

typedef struct {
  guint8 syms[14];
  guint n; /* buffered symbols; beyond 14 only as a run of syms[0] */
  gboolean all_same;
  gboolean has_large;
  guint emitted;
  GByteArray *out; /* NULL for a dry run */
} ChunkEncoder;

static void
enc_init (ChunkEncoder *enc, GByteArray *out)
{
  *enc = (ChunkEncoder) { .out = out };
}

static gboolean
enc_can_add (const ChunkEncoder *enc, guint8 sym)
{
  if (enc->n < 7)
    return TRUE;
  if (enc->n < 14 && !enc->has_large && sym != SYM_LARGE_DELTA)
    return TRUE;
  return enc->all_same && sym == enc->syms[0] && enc->n < MAX_RUN_LENGTH;
}

static void
enc_write (ChunkEncoder *enc, guint16 chunk)
{
  enc->emitted++;
  if (enc->out)
    relay_append_be16 (enc->out, chunk);
}

static void
enc_recompute (ChunkEncoder *enc)
{
  enc->all_same = TRUE;
  enc->has_large = FALSE;
  for (guint i = 0; i < enc->n; i++) {
    enc->all_same &= enc->syms[i] == enc->syms[0];
    enc->has_large |= enc->syms[i] == SYM_LARGE_DELTA;
  }
}

static void
enc_emit_two_bit (ChunkEncoder *enc)
{
  guint take = MIN (enc->n, 7);
  guint16 chunk = 0xc000;

  for (guint i = 0; i < take; i++)
    chunk |= (guint16) (enc->syms[i] << (12 - 2 * i));
  enc_write (enc, chunk);

  enc->n -= take;
  memmove (enc->syms, enc->syms + take, enc->n);
  enc_recompute (enc);
}

static void
enc_emit_one_bit (ChunkEncoder *enc)
{
  guint16 chunk = 0x8000;

  for (guint i = 0; i < enc->n; i++)
    chunk |= (guint16) (enc->syms[i] << (13 - i));
  enc_write (enc, chunk);
  enc->n = 0;
}

static void
enc_emit_run (ChunkEncoder *enc)
{
  enc_write (enc, (guint16) ((enc->syms[0] << 13) | enc->n));
  enc->n = 0;
}

/* Emits as much of the buffer as must go before another symbol fits. */
static void
enc_emit (ChunkEncoder *enc)
{
  if (enc->all_same)
    enc_emit_run (enc);
  else if (!enc->has_large && enc->n == 14)
    enc_emit_one_bit (enc);
  else
    enc_emit_two_bit (enc); /* leaves the rest buffered */
}

/* Chunk bytes the next symbol adds: a chunk is counted as soon as it has
 * a buffered symbol, so only starting a new one costs. */
static guint
enc_cost (const ChunkEncoder *enc, guint8 sym)
{
  return (enc->n == 0 || !enc_can_add (enc, sym)) ? 2 : 0;
}

static void
enc_add (ChunkEncoder *enc, guint8 sym)
{
  if (!enc_can_add (enc, sym))
    enc_emit (enc);
  if (enc->n < 14)
    enc->syms[enc->n] = sym;
  enc->n++;
  enc->all_same = enc->n == 1 || (enc->all_same && sym == enc->syms[0]);
  enc->has_large |= sym == SYM_LARGE_DELTA;
}

static void
enc_flush (ChunkEncoder *enc)
{
  /* The status count tells the decoder where to stop, so a final vector
   * chunk may carry unused trailing symbols. */
  if (enc->n == 0)
    return;
  if (enc->all_same)
    enc_emit_run (enc);
  else if (!enc->has_large)
    enc_emit_one_bit (enc);
  else
    enc_emit_two_bit (enc);
}

/* ---- recorder ------------------------------------------------------------ */

RelayTwccRecorder *
relay_twcc_recorder_new (void)
{
  RelayTwccRecorder *rec = g_new0 (RelayTwccRecorder, 1);

  rec->arrivals = g_array_sized_new (FALSE, FALSE, sizeof (Arrival), 256);
  rec->deltas = g_byte_array_sized_new (MAX_FEEDBACK_BYTES);
  return rec;
}

void
relay_twcc_recorder_free (RelayTwccRecorder *rec)
{
  if (rec == NULL)
    return;
  g_array_free (rec->arrivals, TRUE);
  g_byte_array_free (rec->deltas, TRUE);
  g_free (rec);
}

static gint64
floor_div (gint64 a, gint64 b)
{
  gint64 q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static Arrival *
arrival_at (RelayTwccRecorder *rec, guint i)
{
  return &g_array_index (rec->arrivals, Arrival, i);
}

static void
drop_oldest (RelayTwccRecorder *rec, guint count)
{
  g_array_remove_range (rec->arrivals, 0, count);
  if (rec->have_feedback && rec->arrivals->len > 0) {
    rec->last_base = MAX (rec->last_base, arrival_at (rec, 0)->ext_seq);
    rec->next_base = MAX (rec->next_base, rec->last_base);
  }
}

void
relay_twcc_recorder_on_packet (RelayTwccRecorder *rec, guint16 transport_seq, gint64 arrival_us)
{
  Arrival a;
  guint pos;

  g_return_if_fail (rec != NULL);

  if (!rec->started) {
    rec->started = TRUE;
    rec->highest = transport_seq;
  }
  a.ext_seq = rec->highest + (gint16) (guint16) (transport_seq - (guint16) rec->highest);
  a.arrival_us = arrival_us;

  if (rec->have_feedback && a.ext_seq < rec->last_base)
    return;

  /* Arrivals are nearly in order: search from the end. */
  pos = rec->arrivals->len;
  while (pos > 0 && arrival_at (rec, pos - 1)->ext_seq > a.ext_seq)
    pos--;
  if (pos > 0 && arrival_at (rec, pos - 1)->ext_seq == a.ext_seq)
    return; /* duplicate: the first arrival is the one that counts */
  g_array_insert_val (rec->arrivals, pos, a);

  rec->highest = MAX (rec->highest, a.ext_seq);
  /* Reported as lost already: report again from here so the sender's
   * estimator learns that it did arrive. */
  if (rec->have_feedback && a.ext_seq < rec->next_base)
    rec->next_base = a.ext_seq;
  rec->dirty = TRUE;

  if (rec->arrivals->len > MAX_PENDING)
    drop_oldest (rec, rec->arrivals->len - MAX_PENDING);
}

static gboolean
delta_fits (gint64 delta)
{
  return delta >= G_MININT16 && delta <= G_MAXINT16;
}

/* Adds the statuses of everything from `*seq` through arrival `a`; returns
 * the feedback size afterwards, or 0 when it would exceed the budget. */
static gsize
plan_add (ChunkEncoder *enc, gsize size, gint64 *seq, const Arrival *a, guint8 sym, guint dbytes)
{
  for (; *seq < a->ext_seq; (*seq)++) {
    size += enc_cost (enc, SYM_NOT_RECEIVED);
    enc_add (enc, SYM_NOT_RECEIVED);
  }
  size += enc_cost (enc, sym) + dbytes;
  enc_add (enc, sym);
  (*seq)++;
  /* Padding to 32 bits counts against the budget too. */
  return ((size + 3) & ~(gsize) 3) <= MAX_FEEDBACK_BYTES ? size : 0;
}

/* How many arrivals from `first` go into a feedback packet starting at
 * base: bounded by the byte budget, the 16-bit status count and deltas
 * that fit in 16 bits. At least one, since the first delta is < 256. */
static guint
plan_feedback (RelayTwccRecorder *rec, gint64 base, guint first)
{
  ChunkEncoder enc;
  gint64 seq = base;
  gint64 prev_ticks = floor_div (arrival_at (rec, first)->arrival_us, REF_TIME_TICK_US) * 256;
  gsize size = TWCC_HEADER_LEN;
  guint count = 0;

  enc_init (&enc, NULL);
  for (guint i = first; i < rec->arrivals->len; i++) {
    const Arrival *a = arrival_at (rec, i);
    gint64 ticks = floor_div (a->arrival_us, DELTA_TICK_US);
    gint64 delta = ticks - prev_ticks;

    if (!delta_fits (delta) || a->ext_seq - base + 1 > MAX_STATUS_COUNT)
      break;
    size = plan_add (&enc, size, &seq, a, delta >= 0 && delta <= 255 ? SYM_SMALL_DELTA : SYM_LARGE_DELTA,
                     delta >= 0 && delta <= 255 ? 1 : 2);
    if (size == 0)
      break;
    prev_ticks = ticks;
    count++;
  }
  return count;
}

static void
write_feedback (RelayTwccRecorder *rec, guint32 sender_ssrc, guint32 media_ssrc, gint64 base,
                guint first, guint count, GByteArray *out)
{
  ChunkEncoder enc;
  const Arrival *last = arrival_at (rec, first + count - 1);
  gint64 ref = floor_div (arrival_at (rec, first)->arrival_us, REF_TIME_TICK_US);
  gint64 prev_ticks = ref * 256;
  gint64 seq = base;
  guint start = out->len;
  gsize len;

  relay_rtcp_write_header (out, TWCC_FMT, RELAY_RTCP_RTPFB, TWCC_HEADER_LEN); /* length patched below */
  relay_append_be32 (out, sender_ssrc);
  relay_append_be32 (out, media_ssrc);
  relay_append_be16 (out, (guint16) base);
  relay_append_be16 (out, (guint16) (last->ext_seq - base + 1));
  /* 24-bit two's complement; the sender unwraps it. */
  relay_append_be24 (out, (guint32) ref & 0xffffff);
  relay_append_u8 (out, rec->fb_count++);

  g_byte_array_set_size (rec->deltas, 0);
  enc_init (&enc, out);
  for (guint i = first; i < first + count; i++) {
    const Arrival *a = arrival_at (rec, i);
    gint64 ticks = floor_div (a->arrival_us, DELTA_TICK_US);
    gint64 delta = ticks - prev_ticks;

    for (; seq < a->ext_seq; seq++)
      enc_add (&enc, SYM_NOT_RECEIVED);
    if (delta >= 0 && delta <= 255) {
      enc_add (&enc, SYM_SMALL_DELTA);
      relay_append_u8 (rec->deltas, (guint8) delta);
    } else {
      enc_add (&enc, SYM_LARGE_DELTA);
      relay_append_be16 (rec->deltas, (guint16) (gint16) delta);
    }
    seq++;
    prev_ticks = ticks;
  }
  enc_flush (&enc);
  g_byte_array_append (out, rec->deltas->data, rec->deltas->len);

  /* Zero padding as drawn in the draft, without the RTCP P bit: the
   * status count already bounds the deltas, and P is only valid on the
   * last packet of a compound (RFC 3550 6.4.1), which these may not be. */
  while ((out->len - start) % 4 != 0)
    relay_append_u8 (out, 0);
  len = out->len - start;
  out->data[start + 2] = (guint8) ((len / 4 - 1) >> 8);
  out->data[start + 3] = (guint8) (len / 4 - 1);
}

guint
relay_twcc_recorder_build_feedback (RelayTwccRecorder *rec, guint32 sender_ssrc,
                                    guint32 media_ssrc, GByteArray *out)
{
  gint64 base, round_base;
  guint i = 0, built = 0, drop = 0;

  g_return_val_if_fail (rec != NULL && out != NULL, 0);

  if (!rec->dirty || rec->arrivals->len == 0)
    return 0;
  rec->dirty = FALSE;

  base = rec->have_feedback ? rec->next_base : arrival_at (rec, 0)->ext_seq;
  while (i < rec->arrivals->len && arrival_at (rec, i)->ext_seq < base)
    i++;
  if (i == rec->arrivals->len)
    return 0;
  round_base = base;

  while (i < rec->arrivals->len) {
    guint count = plan_feedback (rec, base, i);

    if (count == 0) {
      /* Only a leading run of losses too long for one packet can do
       * this: start at the first arrival instead. */
      base = arrival_at (rec, i)->ext_seq;
      continue;
    }
    write_feedback (rec, sender_ssrc, media_ssrc, base, i, count, out);
    built++;
    i += count;
    base = arrival_at (rec, i - 1)->ext_seq + 1;
  }

  rec->have_feedback = TRUE;
  rec->last_base = round_base;
  rec->next_base = base;
  /* Keep this round's arrivals: a late packet inside it is reported again
   * together with its neighbours. */
  while (drop < rec->arrivals->len && arrival_at (rec, drop)->ext_seq < round_base)
    drop++;
  if (drop > 0)
    g_array_remove_range (rec->arrivals, 0, drop);
  return built;
}
