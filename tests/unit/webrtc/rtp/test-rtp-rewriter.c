/* Output continuity of the RTP rewriter across publisher switches, wrap of
 * sequence numbers and timestamps, gaps, reordering, keyframe waits, and
 * the rewritten header checked by two independent parsers. */
#include "webrtc/rtp/rtp-rewriter.h"

#include <gst/gst.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <string.h>

#define MS 1000
#define OUT_SSRC 0x5EED1234u

typedef struct {
  guint8 pt;
  gboolean marker;
  guint16 seq;
  guint32 ts;
  guint32 ssrc;
  guint n_csrc;
  gboolean ext;
  guint payload_len;
  guint8 pad;
} Spec;

/* Builds a packet by hand (not through the code under test): header,
 * CSRCs 0xC0000001.., a one-byte-profile extension with two elements,
 * payload bytes derived from seq, padding. */
static gsize
build (guint8 *buf, const Spec *s)
{
  gsize off = 12;

  buf[0] = (guint8) (0x80 | (s->pad ? 0x20 : 0) | (s->ext ? 0x10 : 0) | s->n_csrc);
  buf[1] = (guint8) ((s->marker ? 0x80 : 0) | s->pt);
  buf[2] = s->seq >> 8;
  buf[3] = s->seq & 0xff;
  for (int i = 0; i < 4; i++) {
    buf[4 + i] = (guint8) (s->ts >> (24 - 8 * i));
    buf[8 + i] = (guint8) (s->ssrc >> (24 - 8 * i));
  }
  for (guint c = 0; c < s->n_csrc; c++) {
    guint32 csrc = 0xC0000001u + c;
    for (int i = 0; i < 4; i++)
      buf[off + i] = (guint8) (csrc >> (24 - 8 * i));
    off += 4;
  }
  if (s->ext) {
    static const guint8 ext[] = { 0xBE, 0xDE, 0x00, 0x02, 0x10, 0xAA, 0x31, 0x01,
                                  0x02, 0x00, 0x00, 0x00 };
    memcpy (buf + off, ext, sizeof ext);
    off += sizeof ext;
  }
  for (guint i = 0; i < s->payload_len; i++)
    buf[off++] = (guint8) (s->seq * 7 + i);
  if (s->pad) {
    memset (buf + off, 0, s->pad - 1);
    off += s->pad;
    buf[off - 1] = s->pad;
  }
  return off;
}

typedef struct {
  RelayRewriteResult result;
  guint16 seq;
  guint32 ts;
  RelayRtpPacket pkt;
  guint8 buf[1600];
  gsize len;
} Out;

/* Rewrites one packet described by (ssrc, seq, ts) and parses the result. */
static RelayRewriteResult
push (RelayRtpRewriter *rw, guint32 ssrc, guint16 seq, guint32 ts, gboolean key, gint64 at,
      Out *o)
{
  Spec s = { .pt = 96, .seq = seq, .ts = ts, .ssrc = ssrc, .ext = TRUE, .payload_len = 20 };
  guint8 in[1600];
  RelayRtpPacket pkt;
  gsize len = build (in, &s);

  g_assert_true (relay_rtp_packet_parse (&pkt, in, len));
  memset (o, 0, sizeof *o);
  o->result = relay_rtp_rewriter_rewrite (rw, &pkt, key, at, o->buf, &o->len);
  if (o->result == RELAY_REWRITE_FORWARD) {
    g_assert_cmpuint (o->len, <=, len);
    g_assert_true (relay_rtp_packet_parse (&o->pkt, o->buf, o->len));
    g_assert_cmphex (o->pkt.ssrc, ==, OUT_SSRC);
    o->seq = o->pkt.seq;
    o->ts = o->pkt.timestamp;
  }
  return o->result;
}

static void
test_switch_continuity (gconstpointer data)
{
  gboolean video = GPOINTER_TO_INT (data);
  guint rate = video ? 90000 : 48000;
  guint32 step = video ? 3000 : 960; /* 33.3 ms / 20 ms */
  gint64 period = video ? 33333 : 20 * MS;

  for (int round = 0; round < 20; round++) {
    g_autoptr (RelayRtpRewriter) rw = relay_rtp_rewriter_new (OUT_SSRC, rate, 100, video);
    guint32 ssrc = g_test_rand_int ();
    guint16 seq = (guint16) g_test_rand_int_range (0, 0x10000);
    guint32 ts = g_test_rand_int ();
    gint64 now = g_test_rand_int_range (0, 1000000) * (gint64) 1000;
    gboolean have_last = FALSE;
    guint16 last_seq = 0;
    guint32 last_ts = 0;
    gint64 last_at = 0;

    for (int stream = 0; stream < 3; stream++) {
      for (int i = 0; i < 40; i++) {
        Out o;

        g_assert_cmpint (push (rw, ssrc, seq, ts, i == 0, now, &o), ==, RELAY_REWRITE_FORWARD);
        if (have_last && i == 0) {
          /* A switch: next seq, timestamp advanced by the wall clock. */
          guint32 expect = last_ts + (guint32) ((now - last_at) * rate / G_USEC_PER_SEC);
          g_assert_cmpuint (o.seq, ==, (guint16) (last_seq + 1));
          g_assert_cmpuint (o.ts, ==, expect);
        } else if (have_last) {
          g_assert_cmpuint (o.seq, ==, (guint16) (last_seq + 1));
          g_assert_cmpuint (o.ts, ==, last_ts + step);
        }
        have_last = TRUE;
        last_seq = o.seq;
        last_ts = o.ts;
        last_at = now;
        seq++;
        ts += step;
        now += period;
      }
      /* The publisher reconnects after a pause, with all-new bases. */
      ssrc = g_test_rand_int ();
      seq = (guint16) g_test_rand_int_range (0, 0x10000);
      ts = g_test_rand_int ();
      now += g_test_rand_int_range (1, 5000) * (gint64) MS;
    }
    g_assert_cmpuint (relay_rtp_rewriter_get_packets (rw), ==, 120);
    g_assert_cmpuint (relay_rtp_rewriter_get_octets (rw), ==, 120 * 20);
    g_assert_cmphex (relay_rtp_rewriter_get_ssrc (rw), ==, OUT_SSRC);
  }
}

static void
test_wraparound (void)
{
  g_autoptr (RelayRtpRewriter) rw = relay_rtp_rewriter_new (OUT_SSRC, 90000, 100, FALSE);
  Out o;
  guint16 in_seq = 65530;
  guint32 in_ts = 0xFFFFFFFFu - 5000;
  gint64 now = 0;
  guint16 last_seq;
  guint32 last_ts;
  gboolean ts_wrapped = FALSE;
  gint64 gap_us;
  guint32 target;

  /* Input wrap of both fields within one stream: offsets stay constant. */
  g_assert_cmpint (push (rw, 1, in_seq, in_ts, FALSE, now, &o), ==, RELAY_REWRITE_FORWARD);
  last_seq = o.seq;
  last_ts = o.ts;
  for (int i = 1; i < 20; i++) {
    in_seq++;
    in_ts += 3000;
    now += 33 * MS;
    push (rw, 1, in_seq, in_ts, FALSE, now, &o);
    g_assert_cmpint (o.result, ==, RELAY_REWRITE_FORWARD);
    g_assert_cmpuint ((guint16) (o.seq - last_seq), ==, 1);
    g_assert_cmpuint (o.ts - last_ts, ==, 3000);
    last_seq = o.seq;
    last_ts = o.ts;
  }

  /* Drive the output sequence to 65533, then switch: the new stream must
   * go on with 65534, 65535, 0, 1, ... */
  while (last_seq != 65533) {
    in_seq++;
    in_ts += 3000;
    now += 33 * MS;
    push (rw, 1, in_seq, in_ts, FALSE, now, &o);
    g_assert_cmpuint (o.seq, ==, (guint16) (last_seq + 1));
    last_seq = o.seq;
    last_ts = o.ts;
  }

  /* Choose the pause so the switched timestamp lands 4000 ticks before
   * 2^32, so that the new stream's timestamps wrap on output. */
  target = 0xFFFFFFFFu - 4000;
  gap_us = (gint64) (guint32) (target - last_ts) * G_USEC_PER_SEC / 90000 + 1;
  now += gap_us;
  in_seq = 40000;
  in_ts = 123;
  for (int i = 0; i < 8; i++) {
    push (rw, 2, in_seq, in_ts, FALSE, now, &o);
    g_assert_cmpint (o.result, ==, RELAY_REWRITE_FORWARD);
    g_assert_cmpuint (o.seq, ==, (guint16) (last_seq + 1));
    if (i == 0) {
      guint32 expect = last_ts + (guint32) MAX (gap_us * 90000 / G_USEC_PER_SEC, 1);
      g_assert_cmpuint (o.ts, ==, expect);
    } else {
      g_assert_cmpuint (o.ts - last_ts, ==, 3000);
      if (o.ts < last_ts)
        ts_wrapped = TRUE;
    }
    last_seq = o.seq;
    last_ts = o.ts;
    in_seq++;
    in_ts += 3000;
    now += 33 * MS;
  }
  g_assert_true (ts_wrapped);
  g_assert_cmpuint (last_seq, ==, 5); /* 65534, 65535, 0 .. 5 */
}

static void
test_gaps_and_reorder (void)
{
  g_autoptr (RelayRtpRewriter) rw = relay_rtp_rewriter_new (OUT_SSRC, 48000, 111, FALSE);
  Out o, first;
  guint16 base;
  gint64 now = 10 * G_USEC_PER_SEC;

#define IN(n) ((guint16) (65000 + (n)))
#define TS(n) (7777u + 960u * (n))
#define PUSH(n) push (rw, 0xAAAA, IN (n), TS (n), FALSE, now + (n) * 20 * MS, &o)

  g_assert_cmpint (PUSH (0), ==, RELAY_REWRITE_FORWARD);
  first = o;
  base = first.seq;
  g_assert_cmpint (PUSH (1), ==, RELAY_REWRITE_FORWARD);
  g_assert_cmpuint (o.seq, ==, (guint16) (base + 1));
  /* 2..4 lost: the output keeps the hole, so the viewer can NACK. */
  g_assert_cmpint (PUSH (5), ==, RELAY_REWRITE_FORWARD);
  g_assert_cmpuint (o.seq, ==, (guint16) (base + 5));
  g_assert_cmpuint (o.ts - first.ts, ==, 5 * 960);
  g_assert_cmpint (PUSH (7), ==, RELAY_REWRITE_FORWARD);
  /* Late arrivals fill their place. */
  g_assert_cmpint (PUSH (3), ==, RELAY_REWRITE_FORWARD);
  g_assert_cmpuint (o.seq, ==, (guint16) (base + 3));
  g_assert_cmpuint (o.ts - first.ts, ==, 3 * 960);
  g_assert_cmpint (PUSH (6), ==, RELAY_REWRITE_FORWARD);
  g_assert_cmpuint (o.seq, ==, (guint16) (base + 6));
  /* Duplicates, of a late one and of the newest. */
  g_assert_cmpint (PUSH (3), ==, RELAY_REWRITE_DROP_OLD);
  g_assert_cmpint (PUSH (7), ==, RELAY_REWRITE_DROP_OLD);
  /* Older than the first forwarded packet (the switch point). */
  g_assert_cmpint (PUSH (-1), ==, RELAY_REWRITE_DROP_OLD);

  /* Move far ahead, leaving 1500 and 1502 missing. */
  for (int n = 8; n <= 2501; n++)
    if (n != 1500 && n != 1502)
      PUSH (n);
  g_assert_cmpuint (o.seq, ==, (guint16) (base + 2501));
  g_assert_cmpint (PUSH (1500), ==, RELAY_REWRITE_DROP_OLD);   /* 1001 back */
  g_assert_cmpint (PUSH (1502), ==, RELAY_REWRITE_FORWARD);    /* 999 back */
  g_assert_cmpuint (o.seq, ==, (guint16) (base + 1502));
  g_assert_cmpint (PUSH (1502), ==, RELAY_REWRITE_DROP_OLD);
  g_assert_cmpint (PUSH (2400), ==, RELAY_REWRITE_DROP_OLD);

  /* The late packets did not move the continuation point back. */
  g_assert_cmpint (push (rw, 0xBBBB, 9, 9, FALSE, now + 2600 * 20 * MS, &o), ==,
                   RELAY_REWRITE_FORWARD);
  g_assert_cmpuint (o.seq, ==, (guint16) (base + 2502));
  /* A straggler of the old SSRC right after the switch is not a switch
   * back; the new stream goes on undisturbed. */
  g_assert_cmpint (PUSH (2502), ==, RELAY_REWRITE_DROP_OLD);
  g_assert_cmpint (push (rw, 0xBBBB, 10, 969, FALSE, now + 2601 * 20 * MS, &o), ==,
                   RELAY_REWRITE_FORWARD);
  g_assert_cmpuint (o.seq, ==, (guint16) (base + 2503));
  g_assert_cmpint (push (rw, 0xBBBB, 8, 969, FALSE, now + 2601 * 20 * MS, &o), ==,
                   RELAY_REWRITE_DROP_OLD);
#undef PUSH
#undef TS
#undef IN
}

static void
test_keyframe_wait (void)
{
  g_autoptr (RelayRtpRewriter) video = relay_rtp_rewriter_new (OUT_SSRC, 90000, 102, TRUE);
  g_autoptr (RelayRtpRewriter) audio = relay_rtp_rewriter_new (OUT_SSRC, 48000, 111, FALSE);
  Out o;
  guint16 last;
  guint32 ts;

  g_assert_true (relay_rtp_rewriter_is_waiting_keyframe (video));
  g_assert_false (relay_rtp_rewriter_timestamp_at (video, 0, &ts));
  g_assert_cmpint (push (video, 1, 100, 0, FALSE, 0, &o), ==, RELAY_REWRITE_DROP_WAITING);
  g_assert_cmpint (push (video, 1, 101, 0, FALSE, 0, &o), ==, RELAY_REWRITE_DROP_WAITING);
  g_assert_cmpint (push (video, 1, 102, 3000, TRUE, 33 * MS, &o), ==, RELAY_REWRITE_FORWARD);
  g_assert_false (relay_rtp_rewriter_is_waiting_keyframe (video));
  last = o.seq;
  g_assert_cmpint (push (video, 1, 103, 3000, FALSE, 34 * MS, &o), ==, RELAY_REWRITE_FORWARD);
  g_assert_cmpuint (o.seq, ==, (guint16) (last + 1));
  last = o.seq;
  /* Part of the dropped frame arriving late stays dropped. */
  g_assert_cmpint (push (video, 1, 101, 0, FALSE, 35 * MS, &o), ==, RELAY_REWRITE_DROP_OLD);

  /* Switch: delta frames are held back until the new keyframe, and the
   * keyframe continues the numbering without a hole. */
  g_assert_cmpint (push (video, 2, 5000, 0, FALSE, 2 * G_USEC_PER_SEC, &o), ==,
                   RELAY_REWRITE_DROP_WAITING);
  g_assert_true (relay_rtp_rewriter_is_waiting_keyframe (video));
  g_assert_cmpint (push (video, 2, 5001, 0, FALSE, 2 * G_USEC_PER_SEC, &o), ==,
                   RELAY_REWRITE_DROP_WAITING);
  g_assert_cmpint (push (video, 2, 5002, 3000, TRUE, 2 * G_USEC_PER_SEC, &o), ==,
                   RELAY_REWRITE_FORWARD);
  g_assert_cmpuint (o.seq, ==, (guint16) (last + 1));
  g_assert_cmpuint (relay_rtp_rewriter_get_packets (video), ==, 3);

  /* Audio never waits, neither at start nor after a switch. */
  g_assert_false (relay_rtp_rewriter_is_waiting_keyframe (audio));
  g_assert_cmpint (push (audio, 1, 7, 0, FALSE, 0, &o), ==, RELAY_REWRITE_FORWARD);
  last = o.seq;
  g_assert_cmpint (push (audio, 2, 9000, 0, FALSE, 3 * G_USEC_PER_SEC, &o), ==,
                   RELAY_REWRITE_FORWARD);
  g_assert_cmpuint (o.seq, ==, (guint16) (last + 1));
  g_assert_false (relay_rtp_rewriter_is_waiting_keyframe (audio));
}

static void
test_timestamp_at (void)
{
  g_autoptr (RelayRtpRewriter) rw = relay_rtp_rewriter_new (OUT_SSRC, 90000, 96, FALSE);
  Out o;
  guint32 ts;

  push (rw, 1, 10, 1000, FALSE, 5 * G_USEC_PER_SEC, &o);
  /* A second packet of the same frame arrives later; the frame's start
   * is still the reference. */
  push (rw, 1, 11, 1000, FALSE, 5 * G_USEC_PER_SEC + 10 * MS, &o);
  g_assert_true (relay_rtp_rewriter_timestamp_at (rw, 6 * G_USEC_PER_SEC, &ts));
  g_assert_cmpuint (ts - o.ts, ==, 90000);
  g_assert_true (relay_rtp_rewriter_timestamp_at (rw, 5 * G_USEC_PER_SEC - 100 * MS, &ts));
  g_assert_cmpuint (o.ts - ts, ==, 9000);
}

/* Extension removed, PT replaced, CSRCs, marker, padding and payload kept,
 * checked with our parser and with GStreamer's; also rewritten in place. */
static void
test_format (void)
{
  g_autoptr (RelayRtpRewriter) rw = relay_rtp_rewriter_new (OUT_SSRC, 90000, 102, FALSE);
  Spec s = { .pt = 96, .marker = TRUE, .seq = 4242, .ts = 0xDEADBEEF, .ssrc = 0x1111,
             .n_csrc = 2, .ext = TRUE, .payload_len = 333, .pad = 4 };
  guint8 in[1600], out[1600], inplace[1600], body[1600];
  gsize len = build (in, &s), out_len = 0, inplace_len = 0, body_len;
  RelayRtpPacket pkt, rp;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  g_autoptr (GstBuffer) gbuf = NULL;
  gpointer ext_data;
  guint ext_size;
  guint16 ext_bits;

  g_assert_true (relay_rtp_packet_parse (&pkt, in, len));
  g_assert_cmpuint (pkt.ext_len, ==, 8);
  g_assert_cmpint (relay_rtp_rewriter_rewrite (rw, &pkt, FALSE, 0, out, &out_len), ==,
                   RELAY_REWRITE_FORWARD);
  g_assert_cmpuint (out_len, ==, len - 12);
  g_assert_cmpuint (out[0] & 0x10, ==, 0);

  g_assert_true (relay_rtp_packet_parse (&rp, out, out_len));
  g_assert_cmpuint (rp.ext_profile, ==, 0);
  g_assert_null (rp.ext_data);
  g_assert_cmpuint (rp.payload_type, ==, 102);
  g_assert_true (rp.marker);
  g_assert_cmpuint (rp.csrc_count, ==, 2);
  g_assert_cmpmem (out + 12, 8, in + 12, 8);
  g_assert_cmpuint (rp.padding_len, ==, 4);
  g_assert_cmpmem (rp.payload, rp.payload_len, pkt.payload, pkt.payload_len);
  g_assert_cmpuint (relay_rtp_rewriter_get_octets (rw), ==, 333);

  gbuf = gst_buffer_new_memdup (out, out_len);
  g_assert_true (gst_rtp_buffer_map (gbuf, GST_MAP_READ, &rtp));
  g_assert_false (gst_rtp_buffer_get_extension (&rtp));
  g_assert_false (gst_rtp_buffer_get_extension_data (&rtp, &ext_bits, &ext_data, &ext_size));
  g_assert_cmpuint (gst_rtp_buffer_get_payload_type (&rtp), ==, 102);
  g_assert_true (gst_rtp_buffer_get_marker (&rtp));
  g_assert_cmphex (gst_rtp_buffer_get_ssrc (&rtp), ==, OUT_SSRC);
  g_assert_cmpuint (gst_rtp_buffer_get_seq (&rtp), ==, rp.seq);
  g_assert_cmpuint (gst_rtp_buffer_get_timestamp (&rtp), ==, rp.timestamp);
  g_assert_cmpuint (gst_rtp_buffer_get_csrc_count (&rtp), ==, 2);
  g_assert_cmphex (gst_rtp_buffer_get_csrc (&rtp, 0), ==, 0xC0000001u);
  g_assert_cmphex (gst_rtp_buffer_get_csrc (&rtp, 1), ==, 0xC0000002u);
  g_assert_true (gst_rtp_buffer_get_padding (&rtp));
  g_assert_cmpmem (gst_rtp_buffer_get_payload (&rtp), gst_rtp_buffer_get_payload_len (&rtp),
                   pkt.payload, pkt.payload_len);
  gst_rtp_buffer_unmap (&rtp);

  /* The next packet rewritten in place (out is the input's own buffer):
   * same header apart from the sequence number, same body. */
  s.seq++;
  len = build (inplace, &s);
  g_assert_true (relay_rtp_packet_parse (&pkt, inplace, len));
  memcpy (body, pkt.payload, pkt.payload_len + pkt.padding_len);
  body_len = pkt.payload_len + pkt.padding_len;
  g_assert_cmpint (relay_rtp_rewriter_rewrite (rw, &pkt, FALSE, 0, inplace, &inplace_len), ==,
                   RELAY_REWRITE_FORWARD);
  g_assert_cmpuint (inplace_len, ==, out_len);
  g_assert_cmpmem (inplace, 2, out, 2);
  g_assert_cmpuint (((inplace[2] << 8) | inplace[3]), ==, (guint16) (rp.seq + 1));
  g_assert_cmpmem (inplace + 4, 16, out + 4, 16);
  g_assert_cmpmem (inplace + 20, inplace_len - 20, body, body_len);

  /* No extension, no padding, no CSRC: only SSRC/PT/seq/ts change. */
  s = (Spec) { .pt = 96, .seq = 4244, .ts = 0xDEADBEEF, .ssrc = 0x1111, .payload_len = 50 };
  len = build (in, &s);
  g_assert_true (relay_rtp_packet_parse (&pkt, in, len));
  relay_rtp_rewriter_rewrite (rw, &pkt, FALSE, 0, out, &out_len);
  g_assert_cmpuint (out_len, ==, len);
  g_assert_cmpuint (out[0], ==, 0x80);
  g_assert_cmpmem (out + 12, out_len - 12, in + 12, len - 12);
}

/* Arbitrary well-formed packets from a few SSRCs: outputs always parse,
 * are never longer than the input, and never carry an extension. */
static void
test_random_streams (void)
{
  g_autoptr (RelayRtpRewriter) rw = relay_rtp_rewriter_new (OUT_SSRC, 90000, 97, TRUE);
  guint8 in[1600], out[1600];
  gint64 now = 0;

  for (int i = 0; i < 20000; i++) {
    Spec s = { .pt = g_test_rand_int_range (0, 128), .marker = g_test_rand_bit (),
               .seq = g_test_rand_int_range (0, 0x10000), .ts = g_test_rand_int (),
               .ssrc = g_test_rand_int_range (1, 4), .n_csrc = g_test_rand_int_range (0, 16),
               .ext = g_test_rand_bit (), .payload_len = g_test_rand_int_range (0, 1200),
               .pad = g_test_rand_int_range (0, 4) };
    gsize len = build (in, &s), out_len = 0;
    RelayRtpPacket pkt, rp;

    now += g_test_rand_int_range (-1000, 50000);
    g_assert_true (relay_rtp_packet_parse (&pkt, in, len));
    if (relay_rtp_rewriter_rewrite (rw, &pkt, g_test_rand_int_range (0, 10) == 0, now, out,
                                    &out_len) != RELAY_REWRITE_FORWARD)
      continue;
    g_assert_cmpuint (out_len, <=, len);
    g_assert_true (relay_rtp_packet_parse (&rp, out, out_len));
    g_assert_null (rp.ext_data);
    g_assert_cmpuint (rp.csrc_count, ==, s.n_csrc);
    g_assert_cmpuint (rp.padding_len, ==, s.pad);
    g_assert_cmpmem (rp.payload, rp.payload_len, pkt.payload, pkt.payload_len);
  }
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/rtp-rewriter/switch-continuity/audio", GINT_TO_POINTER (FALSE),
                        test_switch_continuity);
  g_test_add_data_func ("/rtp-rewriter/switch-continuity/video", GINT_TO_POINTER (TRUE),
                        test_switch_continuity);
  g_test_add_func ("/rtp-rewriter/wraparound", test_wraparound);
  g_test_add_func ("/rtp-rewriter/gaps-and-reorder", test_gaps_and_reorder);
  g_test_add_func ("/rtp-rewriter/keyframe-wait", test_keyframe_wait);
  g_test_add_func ("/rtp-rewriter/timestamp-at", test_timestamp_at);
  g_test_add_func ("/rtp-rewriter/format", test_format);
  g_test_add_func ("/rtp-rewriter/random-streams", test_random_streams);
  return g_test_run ();
}
