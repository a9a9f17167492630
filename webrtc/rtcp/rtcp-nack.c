/* Generic NACK (RFC 4585 6.2.1): FCI entries of a packet ID plus a bitmask
 * of the 16 following sequence numbers. */
#include "webrtc/rtcp/rtcp-nack.h"

#include <stdlib.h>

#define NACK_FMT 1
#define FB_HEADER_LEN 12

static int
compare_u16 (const void *a, const void *b)
{
  return (int) *(const guint16 *) a - (int) *(const guint16 *) b;
}

/* Sorts and deduplicates in place; returns the number of distinct seqs. */
static guint
sort_unique (guint16 *seqs, guint n)
{
  guint out = 0;

  qsort (seqs, n, sizeof *seqs, compare_u16);
  for (guint i = 0; i < n; i++)
    if (out == 0 || seqs[out - 1] != seqs[i])
      seqs[out++] = seqs[i];
  return out;
}

/* Sequence numbers live on a circle, so the numeric order is only right
 * when the set does not straddle 65535 -> 0. Starting right after the
 * widest hole on the circle makes the set contiguous-ish again (e.g.
 * {65534, 65535, 0, 1} starts at 65534) and lets one PID/BLP cover it. */
static guint
circular_start (const guint16 *sorted, guint n)
{
  guint start = 0;
  guint best_gap = (guint) sorted[0] + 65536 - sorted[n - 1];

  for (guint i = 1; i < n; i++) {
    guint gap = (guint) sorted[i] - sorted[i - 1];
    if (gap > best_gap) {
      best_gap = gap;
      start = i;
    }
  }
  return start;
}

void
relay_rtcp_nack_write (GByteArray *out, guint32 sender_ssrc, guint32 media_ssrc,
                       const guint16 *seqs, guint n_seqs)
{
  g_autofree guint16 *sorted = NULL;
  GArray *fci;
  guint n, start;

  g_return_if_fail (n_seqs == 0 || seqs != NULL);
  if (n_seqs == 0)
    return;

  sorted = g_memdup2 (seqs, sizeof *seqs * n_seqs);
  n = sort_unique (sorted, n_seqs);
  start = circular_start (sorted, n);

  fci = g_array_sized_new (FALSE, FALSE, sizeof (guint32), n);
  for (guint k = 0; k < n;) {
    guint16 pid = sorted[(start + k) % n];
    guint16 blp = 0;

    /* Greedy covering in circular order is optimal for fixed windows:
     * every later seq within 16 of the PID rides in its bitmask. */
    for (k++; k < n; k++) {
      guint16 diff = (guint16) (sorted[(start + k) % n] - pid);
      if (diff > 16)
        break;
      blp |= (guint16) (1u << (diff - 1));
    }
    guint32 entry = ((guint32) pid << 16) | blp;
    g_array_append_val (fci, entry);
  }

  relay_rtcp_write_header (out, NACK_FMT, RELAY_RTCP_RTPFB, FB_HEADER_LEN + 4 * fci->len);
  relay_append_be32 (out, sender_ssrc);
  relay_append_be32 (out, media_ssrc);
  for (guint i = 0; i < fci->len; i++)
    relay_append_be32 (out, g_array_index (fci, guint32, i));
  g_array_free (fci, TRUE);
}

gboolean
relay_rtcp_nack_parse (const RelayRtcpHeader *header, guint32 *sender_ssrc,
                       guint32 *media_ssrc, GArray *seqs, guint max_seqs, guint *left_out)
{
  const guint8 *p = header->data;

  if (header->packet_type != RELAY_RTCP_RTPFB || header->count != NACK_FMT)
    return FALSE;
  if (header->len < FB_HEADER_LEN)
    return FALSE;

  if (sender_ssrc)
    *sender_ssrc = relay_read_be32 (p + 4);
  if (media_ssrc)
    *media_ssrc = relay_read_be32 (p + 8);
  if (!seqs)
    return TRUE;

  guint taken = 0, past = 0;
  for (gsize off = FB_HEADER_LEN; off + 4 <= header->len; off += 4) {
    guint16 pid = relay_read_be16 (p + off);
    guint16 blp = relay_read_be16 (p + off + 2);

    if (taken >= max_seqs) {
      /* Only counted: the rest of the packet costs no memory. */
      past += 1 + (guint) __builtin_popcount (blp);
      continue;
    }
    g_array_append_val (seqs, pid);
    taken++;
    for (guint bit = 0; bit < 16; bit++) {
      if (blp & (1u << bit)) {
        if (taken >= max_seqs) {
          past++;
          continue;
        }
        guint16 seq = (guint16) (pid + bit + 1);
        g_array_append_val (seqs, seq);
        taken++;
      }
    }
  }
  if (left_out)
    *left_out = past;
  return TRUE;
}
