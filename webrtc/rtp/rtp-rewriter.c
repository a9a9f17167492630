/* One continuous output stream (RFC 3550 5.1) out of a publisher whose
 * SSRC, sequence base and timestamp base change whenever it reconnects.
 * Within one input SSRC the mapping is a constant offset, so gaps and
 * reordering survive as they are and the viewer's NACKs and jitter buffer
 * keep working; only a switch moves the offsets. */
#include "webrtc/rtp/rtp-rewriter.h"

#include <string.h>

#define RTP_HEADER_LEN 12
/* Older packets than this behind the newest are late enough to be useless
 * to a viewer, and allowing more would blur the line with a seq jump. */
#define REORDER_WINDOW 1000
/* Duplicate detection needs one bit per sequence number in the window. */
#define HISTORY_BITS 1024
/* A straggler of the previous SSRC arriving just after a switch must not
 * count as switching back (that would restart the keyframe wait for a
 * stream that has ended). Past this delay a return of the old SSRC is
 * believed. */
#define STALE_SSRC_US (1 * G_USEC_PER_SEC)

G_STATIC_ASSERT (HISTORY_BITS > REORDER_WINDOW);
G_STATIC_ASSERT ((HISTORY_BITS & (HISTORY_BITS - 1)) == 0);

struct _RelayRtpRewriter {
  guint32 out_ssrc;
  guint clock_rate;
  guint8 out_pt;
  gboolean is_video;

  gboolean have_input;
  guint32 in_ssrc;
  gboolean have_prev;
  guint32 prev_ssrc;
  gint64 switched_us;

  /* FALSE until the first packet of in_ssrc is let through (for video: a
   * keyframe); offsets are only meaningful when TRUE. */
  gboolean synced;
  guint16 seq_offset;
  guint32 ts_offset;
  guint16 highest_in_seq;
  /* How far highest_in_seq has moved past the switch point, capped just
   * above the window: older packets are accepted only back to the switch
   * point, since before it they belonged to the dropped part. */
  guint advanced;
  guint64 seen[HISTORY_BITS / 64];

  gboolean have_output;
  guint16 last_out_seq;
  guint32 last_out_ts;
  /* Arrival of the first packet carrying last_out_ts: the best estimate of
   * when that media instant was captured, for later timestamp arithmetic. */
  gint64 last_ts_arrival_us;

  guint64 packets;
  guint64 octets;
};

RelayRtpRewriter *
relay_rtp_rewriter_new (guint32 out_ssrc, guint clock_rate, guint8 out_payload_type,
                        gboolean is_video)
{
  RelayRtpRewriter *rw;

  g_return_val_if_fail (clock_rate > 0, NULL);
  g_return_val_if_fail (out_payload_type < 128, NULL);

  rw = g_new0 (RelayRtpRewriter, 1);
  rw->out_ssrc = out_ssrc;
  rw->clock_rate = clock_rate;
  rw->out_pt = out_payload_type;
  rw->is_video = is_video;
  return rw;
}

void
relay_rtp_rewriter_free (RelayRtpRewriter *rw)
{
  g_free (rw);
}

/* Media clock ticks in `us` microseconds, split so that the product cannot
 * overflow for any realistic interval. Rounds toward zero. */
static gint64
ticks_for (guint clock_rate, gint64 us)
{
  gint64 whole = us / G_USEC_PER_SEC;
  gint64 frac = us % G_USEC_PER_SEC;

  return whole * (gint64) clock_rate + frac * (gint64) clock_rate / G_USEC_PER_SEC;
}

static inline gboolean
seen_get (const RelayRtpRewriter *rw, guint16 seq)
{
  guint bit = seq & (HISTORY_BITS - 1);
  return (rw->seen[bit / 64] >> (bit % 64)) & 1;
}

static inline void
seen_set (RelayRtpRewriter *rw, guint16 seq, gboolean value)
{
  guint bit = seq & (HISTORY_BITS - 1);
  guint64 mask = G_GUINT64_CONSTANT (1) << (bit % 64);

  if (value)
    rw->seen[bit / 64] |= mask;
  else
    rw->seen[bit / 64] &= ~mask;
}

/* Chooses offsets for the first packet let through after creation or a
 * switch, so the viewer sees seq last+1 and a timestamp advanced by the
 * wall-clock time in between (at least one tick, so it never repeats). */
static void
sync_to (RelayRtpRewriter *rw, const RelayRtpPacket *in, gint64 arrival_us)
{
  guint16 out_seq;
  guint32 out_ts;

  if (rw->have_output) {
    gint64 ticks = ticks_for (rw->clock_rate, arrival_us - rw->last_ts_arrival_us);

    out_seq = (guint16) (rw->last_out_seq + 1);
    out_ts = rw->last_out_ts + (guint32) MAX (ticks, 1);
  } else {
    /* Random bases, as RFC 3550 5.1 asks of any new stream. */
    out_seq = (guint16) g_random_int_range (0, 0x10000);
    out_ts = g_random_int ();
  }

  rw->seq_offset = (guint16) (out_seq - in->seq);
  rw->ts_offset = out_ts - in->timestamp;
  rw->highest_in_seq = in->seq;
  rw->advanced = 0;
  memset (rw->seen, 0, sizeof rw->seen);
  seen_set (rw, in->seq, TRUE);
  rw->synced = TRUE;
}

/* Moves the window's head to `seq`, forgetting what was seen in the bits
 * the head passes over (they now stand for newer sequence numbers). */
static void
advance_to (RelayRtpRewriter *rw, guint16 seq)
{
  guint16 delta = (guint16) (seq - rw->highest_in_seq);

  if (delta >= HISTORY_BITS) {
    memset (rw->seen, 0, sizeof rw->seen);
  } else {
    for (guint16 i = 1; i <= delta; i++)
      seen_set (rw, (guint16) (rw->highest_in_seq + i), FALSE);
  }
  seen_set (rw, seq, TRUE);
  rw->highest_in_seq = seq;
  rw->advanced = MIN (rw->advanced + delta, (guint) REORDER_WINDOW + 1);
}

/* Decides whether an in-sync packet goes out; *in_order is TRUE when it is
 * the new head of the input. */
static RelayRewriteResult
classify (RelayRtpRewriter *rw, guint16 seq, gboolean *in_order)
{
  guint16 back;

  if (relay_seq_newer (seq, rw->highest_in_seq)) {
    advance_to (rw, seq);
    *in_order = TRUE;
    return RELAY_REWRITE_FORWARD;
  }

  *in_order = FALSE;
  back = (guint16) (rw->highest_in_seq - seq);
  if (back == 0 || back > REORDER_WINDOW || back > rw->advanced || seen_get (rw, seq))
    return RELAY_REWRITE_DROP_OLD;
  seen_set (rw, seq, TRUE);
  return RELAY_REWRITE_FORWARD;
}

static inline void
put_be16 (guint8 *p, guint16 v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) v;
}

static inline void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

/* Writes the rewritten packet. Body first, header last and memmove
 * throughout, so `out` may be in->data itself (rewriting in place): the
 * output never starts later than the input, as it only loses bytes. */
static gsize
write_packet (const RelayRtpRewriter *rw, const RelayRtpPacket *in, guint16 seq, guint32 ts,
              guint8 *out)
{
  gsize csrc_len = 4 * (gsize) in->csrc_count;
  gsize header_len = RTP_HEADER_LEN + csrc_len;
  gsize body_len = in->payload_len + in->padding_len;

  memmove (out + RTP_HEADER_LEN, in->data + RTP_HEADER_LEN, csrc_len);
  memmove (out + header_len, in->payload, body_len);

  out[0] = (guint8) (0x80 | (in->padding_len ? 0x20 : 0) | in->csrc_count);
  out[1] = (guint8) ((in->marker ? 0x80 : 0) | rw->out_pt);
  put_be16 (out + 2, seq);
  put_be32 (out + 4, ts);
  put_be32 (out + 8, rw->out_ssrc);
  return header_len + body_len;
}

RelayRewriteResult
relay_rtp_rewriter_rewrite (RelayRtpRewriter *rw, const RelayRtpPacket *in,
                            gboolean is_keyframe, gint64 arrival_us, guint8 *out, gsize *out_len)
{
  RelayRewriteResult result;
  gboolean in_order = TRUE;
  guint16 out_seq;
  guint32 out_ts;

  g_return_val_if_fail (rw != NULL, RELAY_REWRITE_DROP_OLD);
  g_return_val_if_fail (in != NULL && in->data != NULL && in->payload != NULL,
                        RELAY_REWRITE_DROP_OLD);
  g_return_val_if_fail (out != NULL && out_len != NULL, RELAY_REWRITE_DROP_OLD);

  if (!rw->have_input || in->ssrc != rw->in_ssrc) {
    if (rw->have_prev && in->ssrc == rw->prev_ssrc &&
        arrival_us - rw->switched_us < STALE_SSRC_US)
      return RELAY_REWRITE_DROP_OLD;
    rw->have_prev = rw->have_input;
    rw->prev_ssrc = rw->in_ssrc;
    rw->have_input = TRUE;
    rw->in_ssrc = in->ssrc;
    rw->switched_us = arrival_us;
    rw->synced = FALSE;
  }

  if (!rw->synced) {
    /* Without its keyframe a video decoder would show garbage until the
     * next one; audio frames decode on their own. */
    if (rw->is_video && !is_keyframe)
      return RELAY_REWRITE_DROP_WAITING;
    sync_to (rw, in, arrival_us);
  } else {
    result = classify (rw, in->seq, &in_order);
    if (result != RELAY_REWRITE_FORWARD)
      return result;
  }

  out_seq = (guint16) (in->seq + rw->seq_offset);
  out_ts = in->timestamp + rw->ts_offset;
  *out_len = write_packet (rw, in, out_seq, out_ts, out);

  /* A reordered packet fills a hole; it must not pull the continuation
   * point (used at the next switch and for sender reports) backwards. */
  if (in_order) {
    rw->last_out_seq = out_seq;
    if (!rw->have_output || out_ts != rw->last_out_ts) {
      rw->last_out_ts = out_ts;
      rw->last_ts_arrival_us = arrival_us;
    }
    rw->have_output = TRUE;
  }
  rw->packets++;
  rw->octets += in->payload_len;
  return RELAY_REWRITE_FORWARD;
}

gboolean
relay_rtp_rewriter_timestamp_at (RelayRtpRewriter *rw, gint64 now_us, guint32 *rtp_ts)
{
  gint64 ticks;

  g_return_val_if_fail (rw != NULL, FALSE);

  if (!rw->have_output)
    return FALSE;
  /* Signed on purpose: a `now` slightly before the last arrival (clocks
   * read in a different order) gives a slightly earlier timestamp, and the
   * cast wraps it correctly. */
  ticks = ticks_for (rw->clock_rate, now_us - rw->last_ts_arrival_us);
  if (rtp_ts)
    *rtp_ts = rw->last_out_ts + (guint32) ticks;
  return TRUE;
}

gboolean
relay_rtp_rewriter_is_waiting_keyframe (RelayRtpRewriter *rw)
{
  g_return_val_if_fail (rw != NULL, FALSE);
  return rw->is_video && !rw->synced;
}

guint64
relay_rtp_rewriter_get_packets (RelayRtpRewriter *rw)
{
  g_return_val_if_fail (rw != NULL, 0);
  return rw->packets;
}

guint64
relay_rtp_rewriter_get_octets (RelayRtpRewriter *rw)
{
  g_return_val_if_fail (rw != NULL, 0);
  return rw->octets;
}

guint32
relay_rtp_rewriter_get_ssrc (RelayRtpRewriter *rw)
{
  g_return_val_if_fail (rw != NULL, 0);
  return rw->out_ssrc;
}
