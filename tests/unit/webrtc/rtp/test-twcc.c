/* Transport-cc feedback: everything built is decoded by a small decoder
 * written here from the draft (independent of the encoder) and compared
 * with the arrival times that were fed in. */
#include <string.h>
#include <gst/gst.h>
#include <gst/rtp/rtp.h>

#include "webrtc/rtp/twcc-recorder.h"

#define SENDER 0x0badcafe
#define MEDIA 0x01020304
#define T0 (G_GINT64_CONSTANT (5000000000) + 123) /* a monotonic clock far from 0 */

typedef struct {
  guint16 seq;
  gboolean received;
  gint64 time_us; /* reference time + deltas, 250 us resolution */
} Status;

typedef struct {
  guint16 base;
  guint16 count;
  gint32 ref; /* 64 ms units, sign-extended */
  guint8 fb_count;
  guint n_run, n_one_bit, n_two_bit;
  gsize len;
  GArray *statuses; /* Status */
} Feedback;

static guint16
rd16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

static void
push_symbol (Feedback *fb, guint sym)
{
  Status st = { .seq = (guint16) (fb->base + fb->statuses->len), .received = sym != 0 };

  g_assert_cmpuint (sym, !=, 3);
  g_array_append_val (fb->statuses, st);
  /* Stash the symbol in time_us until deltas are read. */
  g_array_index (fb->statuses, Status, fb->statuses->len - 1).time_us = sym;
}

/* Decodes one feedback packet at p; returns its length. */
static gsize
decode (const guint8 *p, gsize avail, Feedback *fb)
{
  gsize len, off;
  gint64 t;
  guint32 ref24;

  g_assert_cmpuint (avail, >=, 20);
  g_assert_cmpuint (p[0], ==, 0x80 | 15); /* V=2, no padding bit, FMT 15 */
  g_assert_cmpuint (p[1], ==, 205);
  len = ((gsize) rd16 (p + 2) + 1) * 4;
  g_assert_cmpuint (len, <=, avail);
  g_assert_cmpuint (len, <=, 1200);
  g_assert_cmpuint (rd16 (p + 4) << 16 | rd16 (p + 6), ==, SENDER);
  g_assert_cmpuint ((guint32) rd16 (p + 8) << 16 | rd16 (p + 10), ==, MEDIA);

  memset (fb, 0, sizeof *fb);
  fb->statuses = g_array_new (FALSE, FALSE, sizeof (Status));
  fb->len = len;
  fb->base = rd16 (p + 12);
  fb->count = rd16 (p + 14);
  g_assert_cmpuint (fb->count, >, 0);
  ref24 = (guint32) p[16] << 16 | p[17] << 8 | p[18];
  fb->ref = (ref24 & 0x800000) ? (gint32) ref24 - 0x1000000 : (gint32) ref24;
  fb->fb_count = p[19];

  off = 20;
  while (fb->statuses->len < fb->count) {
    guint remaining = fb->count - fb->statuses->len;
    guint16 c;

    g_assert_cmpuint (off + 2, <=, len);
    c = rd16 (p + off);
    off += 2;
    if (!(c & 0x8000)) {
      guint run = c & 0x1fff;
      g_assert_cmpuint (run, >, 0);
      g_assert_cmpuint (run, <=, remaining);
      for (guint i = 0; i < run; i++)
        push_symbol (fb, (c >> 13) & 3);
      fb->n_run++;
    } else if (!(c & 0x4000)) {
      for (guint i = 0; i < MIN (14, remaining); i++)
        push_symbol (fb, (c >> (13 - i)) & 1);
      fb->n_one_bit++;
    } else {
      for (guint i = 0; i < MIN (7, remaining); i++)
        push_symbol (fb, (c >> (12 - 2 * i)) & 3);
      fb->n_two_bit++;
    }
  }

  t = (gint64) fb->ref * 64000;
  for (guint i = 0; i < fb->statuses->len; i++) {
    Status *st = &g_array_index (fb->statuses, Status, i);
    gint64 sym = st->time_us;

    if (sym == 1) {
      g_assert_cmpuint (off + 1, <=, len);
      t += 250 * (gint64) p[off];
      off += 1;
    } else if (sym == 2) {
      g_assert_cmpuint (off + 2, <=, len);
      t += 250 * (gint64) (gint16) rd16 (p + off);
      off += 2;
    }
    st->time_us = t;
  }
  /* Only zero padding to the 32-bit boundary may follow. */
  g_assert_cmpuint (len - off, <, 4);
  for (; off < len; off++)
    g_assert_cmpuint (p[off], ==, 0);
  /* Feedback ends on a received packet. */
  g_assert_true (g_array_index (fb->statuses, Status, fb->statuses->len - 1).received);
  return len;
}

/* Builds feedback and decodes every packet; also has GStreamer check
 * the RTCP framing. */
static GArray *
build_and_decode (RelayTwccRecorder *rec, guint *n_out)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  GArray *fbs = g_array_new (FALSE, FALSE, sizeof (Feedback));
  guint n = relay_twcc_recorder_build_feedback (rec, SENDER, MEDIA, out);
  gsize off = 0;

  if (out->len > 0)
    g_assert_true (gst_rtcp_buffer_validate_data_reduced (out->data, out->len));
  while (off < out->len) {
    Feedback fb;
    off += decode (out->data + off, out->len - off, &fb);
    g_array_append_val (fbs, fb);
  }
  g_assert_cmpuint (fbs->len, ==, n);
  if (n_out)
    *n_out = n;
  return fbs;
}

static void
free_fbs (GArray *fbs)
{
  for (guint i = 0; i < fbs->len; i++)
    g_array_free (g_array_index (fbs, Feedback, i).statuses, TRUE);
  g_array_free (fbs, TRUE);
}

/* Expected arrival per 16-bit seq; 0 = not received. */
typedef struct {
  gint64 arrival[65536];
} Truth;

static void
assert_status (const Truth *truth, const Status *st)
{
  gint64 want = truth->arrival[st->seq];

  if (!st->received) {
    g_assert_cmpint (want, ==, 0);
    return;
  }
  g_assert_cmpint (want, !=, 0);
  /* Floor to 250 us: decoded <= actual < decoded + 250. */
  g_assert_cmpint (st->time_us, <=, want);
  g_assert_cmpint (want - st->time_us, <, 250);
}

static void
assert_fbs_match (const Truth *truth, GArray *fbs)
{
  for (guint i = 0; i < fbs->len; i++) {
    Feedback *fb = &g_array_index (fbs, Feedback, i);
    for (guint k = 0; k < fb->statuses->len; k++)
      assert_status (truth, &g_array_index (fb->statuses, Status, k));
  }
}

static void
record (RelayTwccRecorder *rec, Truth *truth, guint16 seq, gint64 t)
{
  relay_twcc_recorder_on_packet (rec, seq, t);
  truth->arrival[seq] = t;
}

static void
test_in_order (void)
{
  g_autoptr (RelayTwccRecorder) rec = relay_twcc_recorder_new ();
  g_autofree Truth *truth = g_new0 (Truth, 1);
  GArray *fbs;
  Feedback *fb;
  guint n;

  for (guint i = 0; i < 100; i++)
    record (rec, truth, 1000 + i, T0 + 1000 * i + (i % 3) * 37);
  fbs = build_and_decode (rec, &n);
  g_assert_cmpuint (n, ==, 1);
  fb = &g_array_index (fbs, Feedback, 0);
  g_assert_cmpuint (fb->base, ==, 1000);
  g_assert_cmpuint (fb->count, ==, 100);
  g_assert_cmpint (fb->ref, ==, (gint32) ((T0 / 64000) & 0xffffff));
  /* 100 received with small deltas: a single run-length chunk. */
  g_assert_cmpuint (fb->n_run, ==, 1);
  g_assert_cmpuint (fb->n_one_bit + fb->n_two_bit, ==, 0);
  g_assert_cmpuint (fb->len, ==, 20 + 2 + 100 + 2); /* padded to 32 bits */
  assert_fbs_match (truth, fbs);
  free_fbs (fbs);

  /* Nothing new: nothing built. */
  fbs = build_and_decode (rec, &n);
  g_assert_cmpuint (n, ==, 0);
  free_fbs (fbs);
}

static void
test_gaps_and_chunks (void)
{
  g_autoptr (RelayTwccRecorder) rec = relay_twcc_recorder_new ();
  g_autofree Truth *truth = g_new0 (Truth, 1);
  GArray *fbs;
  Feedback *fb;
  guint n;

  /* Alternating loss (1-bit vectors), then 5000 lost (a run), then
   * received packets with some >64 ms gaps (2-bit vectors). */
  for (guint i = 0; i < 56; i += 2)
    record (rec, truth, i, T0 + 500 * i);
  for (guint i = 0; i < 14; i++)
    record (rec, truth, 5056 + i, T0 + 30000 + (i % 2 ? 70000 : 1000) * i);
  fbs = build_and_decode (rec, &n);
  g_assert_cmpuint (n, ==, 1);
  fb = &g_array_index (fbs, Feedback, 0);
  g_assert_cmpuint (fb->base, ==, 0);
  g_assert_cmpuint (fb->count, ==, 5070);
  g_assert_cmpuint (fb->n_one_bit, ==, 4); /* 0..55, 14 per chunk */
  /* 56..5055 as one run; 5056..5069 in two chunks, a 2-bit vector for
   * the mix then a run for the trailing large deltas. */
  g_assert_cmpuint (fb->n_run, ==, 2);
  g_assert_cmpuint (fb->n_two_bit, ==, 1);
  assert_fbs_match (truth, fbs);
  free_fbs (fbs);
}

static void
test_reorder_and_wrap (void)
{
  g_autoptr (RelayTwccRecorder) rec = relay_twcc_recorder_new ();
  g_autofree Truth *truth = g_new0 (Truth, 1);
  const guint16 order[] = { 65530, 65532, 65531, 65535, 1, 0, 65534, 3, 2, 5 };
  GArray *fbs;
  Feedback *fb;
  gint64 t = T0;

  for (guint i = 0; i < G_N_ELEMENTS (order); i++, t += 3100)
    record (rec, truth, order[i], t);
  fbs = build_and_decode (rec, NULL);
  g_assert_cmpuint (fbs->len, ==, 1);
  fb = &g_array_index (fbs, Feedback, 0);
  g_assert_cmpuint (fb->base, ==, 65530);
  g_assert_cmpuint (fb->count, ==, 12); /* 65530 .. 5 */
  g_assert_false (g_array_index (fb->statuses, Status, 3).received); /* 65533 */
  g_assert_false (g_array_index (fb->statuses, Status, 10).received); /* 4 */
  assert_fbs_match (truth, fbs);
  free_fbs (fbs);
}

static void
test_large_deltas_split (void)
{
  g_autoptr (RelayTwccRecorder) rec = relay_twcc_recorder_new ();
  g_autofree Truth *truth = g_new0 (Truth, 1);
  GArray *fbs;
  guint n;

  /* Gaps of 2 s fit a signed 16-bit delta; 9 s does not and forces a new
   * feedback packet with its own reference time. A packet that arrived
   * before its predecessor gives a negative delta. */
  record (rec, truth, 10, T0);
  record (rec, truth, 11, T0 + 2000000);
  record (rec, truth, 12, T0 + 11000000);
  record (rec, truth, 14, T0 + 11100000);
  record (rec, truth, 13, T0 + 11200000);
  fbs = build_and_decode (rec, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (g_array_index (fbs, Feedback, 0).base, ==, 10);
  g_assert_cmpuint (g_array_index (fbs, Feedback, 0).count, ==, 2);
  g_assert_cmpuint (g_array_index (fbs, Feedback, 1).base, ==, 12);
  g_assert_cmpuint (g_array_index (fbs, Feedback, 1).count, ==, 3);
  g_assert_cmpuint ((guint8) (g_array_index (fbs, Feedback, 1).fb_count
                              - g_array_index (fbs, Feedback, 0).fb_count), ==, 1);
  g_assert_cmpuint (g_array_index (fbs, Feedback, 1).n_two_bit, ==, 1);
  assert_fbs_match (truth, fbs);
  free_fbs (fbs);
}

static void
test_size_split (void)
{
  g_autoptr (RelayTwccRecorder) rec = relay_twcc_recorder_new ();
  g_autofree Truth *truth = g_new0 (Truth, 1);
  GArray *fbs;
  gint64 t = T0;
  guint16 expect_base = 40000;
  guint covered = 0;

  /* 6000 packets with mixed small and large deltas and some loss. */
  for (guint i = 0; i < 6000; i++) {
    t += g_test_rand_int_range (0, 10) == 0 ? 80000 : g_test_rand_int_range (0, 3000);
    if (g_test_rand_int_range (0, 20) != 0 || i == 0 || i == 5999)
      record (rec, truth, 40000 + i, t);
  }
  fbs = build_and_decode (rec, NULL);
  g_assert_cmpuint (fbs->len, >, 3);
  for (guint i = 0; i < fbs->len; i++) {
    Feedback *fb = &g_array_index (fbs, Feedback, i);
    g_assert_cmpuint (fb->base, ==, expect_base);
    g_assert_cmpuint (fb->len, <=, 1200);
    g_assert_cmpuint (fb->fb_count, ==, (guint8) (g_array_index (fbs, Feedback, 0).fb_count + i));
    expect_base = fb->base + fb->count;
    covered += fb->count;
  }
  g_assert_cmpuint (covered, ==, 6000);
  assert_fbs_match (truth, fbs);
  free_fbs (fbs);
}

static void
test_late_packets (void)
{
  g_autoptr (RelayTwccRecorder) rec = relay_twcc_recorder_new ();
  g_autofree Truth *truth = g_new0 (Truth, 1);
  GArray *fbs;
  Feedback *fb;

  for (guint i = 0; i < 10; i++)
    if (i != 4)
      record (rec, truth, 100 + i, T0 + 1000 * i);
  fbs = build_and_decode (rec, NULL);
  g_assert_false (g_array_index (g_array_index (fbs, Feedback, 0).statuses, Status, 4).received);
  free_fbs (fbs);

  /* 104 turns up after being reported lost: reported again from there
   * together with what follows. 99, before the last feedback's base, is
   * ignored. */
  record (rec, truth, 104, T0 + 20000);
  relay_twcc_recorder_on_packet (rec, 99, T0 + 20500);
  record (rec, truth, 110, T0 + 21000);
  fbs = build_and_decode (rec, NULL);
  g_assert_cmpuint (fbs->len, ==, 1);
  fb = &g_array_index (fbs, Feedback, 0);
  g_assert_cmpuint (fb->base, ==, 104);
  g_assert_cmpuint (fb->count, ==, 7);
  assert_fbs_match (truth, fbs);
  free_fbs (fbs);

  /* Only stale packets since: no feedback. */
  relay_twcc_recorder_on_packet (rec, 50, T0 + 30000);
  relay_twcc_recorder_on_packet (rec, 110, T0 + 30000); /* duplicate */
  fbs = build_and_decode (rec, NULL);
  g_assert_cmpuint (fbs->len, ==, 0);
  free_fbs (fbs);

  /* The next round starts right after the last reported packet. */
  record (rec, truth, 112, T0 + 40000);
  fbs = build_and_decode (rec, NULL);
  fb = &g_array_index (fbs, Feedback, 0);
  g_assert_cmpuint (fb->base, ==, 111);
  g_assert_cmpuint (fb->count, ==, 2);
  assert_fbs_match (truth, fbs);
  free_fbs (fbs);
}

static void
test_random_rounds (void)
{
  g_autoptr (RelayTwccRecorder) rec = relay_twcc_recorder_new ();
  g_autofree Truth *truth = g_new0 (Truth, 1);
  guint16 seq = 65000;
  gint64 t = T0;
  guint16 next_base = 0;
  gboolean have_base = FALSE;

  /* Rounds of ~100 packets across the 16-bit wrap, with loss, local
   * reordering and jittery arrival; each round's feedback must continue
   * where the previous one stopped, unless a late packet reopens it. */
  for (guint round = 0; round < 60; round++) {
    guint16 batch[128];
    guint n = 0;
    GArray *fbs;

    for (guint i = 0; i < 100; i++, seq++)
      if (g_test_rand_int_range (0, 10) != 0)
        batch[n++] = seq;
    for (guint i = 0; i + 1 < n; i++)
      if (g_test_rand_int_range (0, 8) == 0) {
        guint16 tmp = batch[i];
        batch[i] = batch[i + 1];
        batch[i + 1] = tmp;
      }
    for (guint i = 0; i < n; i++) {
      t += g_test_rand_int_range (0, 4000);
      record (rec, truth, batch[i], t);
    }

    fbs = build_and_decode (rec, NULL);
    if (fbs->len > 0) {
      Feedback *first = &g_array_index (fbs, Feedback, 0);
      if (have_base)
        g_assert_cmpint ((gint16) (first->base - next_base), <=, 0);
      Feedback *last = &g_array_index (fbs, Feedback, fbs->len - 1);
      next_base = last->base + last->count;
      have_base = TRUE;
    }
    assert_fbs_match (truth, fbs);
    free_fbs (fbs);
  }
}

int
main (int argc, char **argv)
{
  int ret;

  gst_init (NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/twcc/in-order", test_in_order);
  g_test_add_func ("/twcc/gaps-and-chunks", test_gaps_and_chunks);
  g_test_add_func ("/twcc/reorder-and-wrap", test_reorder_and_wrap);
  g_test_add_func ("/twcc/large-deltas-split", test_large_deltas_split);
  g_test_add_func ("/twcc/size-split", test_size_split);
  g_test_add_func ("/twcc/late-packets", test_late_packets);
  g_test_add_func ("/twcc/random-rounds", test_random_rounds);
  ret = g_test_run ();
  gst_deinit ();
  return ret;
}
