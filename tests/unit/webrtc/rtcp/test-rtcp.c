/* RTCP writers and parsers, cross-checked against GStreamer's independent
 * GstRTCPBuffer implementation in both directions, plus a fuzz loop. */
#include <string.h>
#include <gst/gst.h>
#include <gst/rtp/rtp.h>

#include "webrtc/rtcp/rtcp-packet.h"
#include "webrtc/rtcp/rtcp-sender-report.h"
#include "webrtc/rtcp/rtcp-receiver-report.h"
#include "webrtc/rtcp/rtcp-nack.h"
#include "webrtc/rtcp/rtcp-pli.h"
#include "webrtc/rtcp/rtcp-fir.h"
#include "webrtc/rtcp/rtcp-remb.h"
#include "webrtc/rtcp/rtcp-xr.h"

/* ---- helpers ------------------------------------------------------------ */

/* A GStreamer view of one RTCP buffer, for reading or for building. */
typedef struct {
  GstBuffer *buf;
  GstRTCPBuffer rtcp;
  GstRTCPPacket pkt;
} Gst;

/* Reads our bytes with GStreamer; `reduced` allows a feedback packet
 * first (RFC 5506), otherwise the full RFC 3550 compound check runs. */
static void
gst_read (Gst *g, const GByteArray *bytes, gboolean reduced)
{
  g->buf = gst_buffer_new_memdup (bytes->data, bytes->len);
  g_assert_true (reduced ? gst_rtcp_buffer_validate_reduced (g->buf) : gst_rtcp_buffer_validate (g->buf));
  memset (&g->rtcp, 0, sizeof g->rtcp);
  g_assert_true (gst_rtcp_buffer_map (g->buf, GST_MAP_READ, &g->rtcp));
  g_assert_true (gst_rtcp_buffer_get_first_packet (&g->rtcp, &g->pkt));
}

static void
gst_done (Gst *g)
{
  gst_rtcp_buffer_unmap (&g->rtcp);
  gst_buffer_unref (g->buf);
}

static void
gst_build (Gst *g, GstRTCPType type)
{
  g->buf = gst_rtcp_buffer_new (1400);
  memset (&g->rtcp, 0, sizeof g->rtcp);
  g_assert_true (gst_rtcp_buffer_map (g->buf, GST_MAP_READWRITE, &g->rtcp));
  g_assert_true (gst_rtcp_buffer_add_packet (&g->rtcp, type, &g->pkt));
}

/* Starts a GStreamer-built feedback packet and returns its FCI. */
static guint8 *
gst_build_fb (Gst *g, GstRTCPType type, GstRTCPFBType fmt, guint32 sender, guint32 media, guint16 words)
{
  gst_build (g, type);
  gst_rtcp_packet_fb_set_type (&g->pkt, fmt);
  gst_rtcp_packet_fb_set_sender_ssrc (&g->pkt, sender);
  gst_rtcp_packet_fb_set_media_ssrc (&g->pkt, media);
  g_assert_true (gst_rtcp_packet_fb_set_fci_length (&g->pkt, words));
  return gst_rtcp_packet_fb_get_fci (&g->pkt);
}

static void
first_header (const GByteArray *bytes, RelayRtcpHeader *h)
{
  RelayRtcpIter it;

  relay_rtcp_iter_init (&it, bytes->data, bytes->len);
  g_assert_true (relay_rtcp_iter_next (&it, h));
}

/* Finishes a built packet and hands our iterator its first header. */
static GByteArray *
gst_finish (Gst *g, RelayRtcpHeader *h)
{
  GByteArray *out = g_byte_array_new ();
  GstMapInfo map;

  gst_rtcp_buffer_unmap (&g->rtcp);
  g_assert_true (gst_buffer_map (g->buf, &map, GST_MAP_READ));
  g_byte_array_append (out, map.data, map.size);
  gst_buffer_unmap (g->buf, &map);
  gst_buffer_unref (g->buf);
  first_header (out, h);
  return out;
}

static const RelayRtcpReportBlock sample_blocks[2] = {
  { 0x11111111, 25, 1234, 0x0001ffff, 77, 0xaabbccdd, 0x00010000 },
  { 0x22222222, 0, -3, 0x00050002, 0, 0, 0 },
};

static void
assert_block_eq (const RelayRtcpReportBlock *a, const RelayRtcpReportBlock *b)
{
  g_assert_cmpuint (a->ssrc, ==, b->ssrc);
  g_assert_cmpuint (a->fraction_lost, ==, b->fraction_lost);
  g_assert_cmpint (a->cumulative_lost, ==, b->cumulative_lost);
  g_assert_cmpuint (a->extended_highest_seq, ==, b->extended_highest_seq);
  g_assert_cmpuint (a->jitter, ==, b->jitter);
  g_assert_cmpuint (a->last_sr, ==, b->last_sr);
  g_assert_cmpuint (a->delay_since_last_sr, ==, b->delay_since_last_sr);
}

static void
assert_gst_blocks (GstRTCPPacket *pkt, const RelayRtcpReportBlock *want, guint n)
{
  g_assert_cmpuint (gst_rtcp_packet_get_rb_count (pkt), ==, n);
  for (guint i = 0; i < n; i++) {
    RelayRtcpReportBlock b = { 0 };
    gst_rtcp_packet_get_rb (pkt, i, &b.ssrc, &b.fraction_lost, &b.cumulative_lost, &b.extended_highest_seq,
                            &b.jitter, &b.last_sr, &b.delay_since_last_sr);
    assert_block_eq (&b, &want[i]);
  }
}

/* ---- iteration ----------------------------------------------------------- */

static void
test_iter (void)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  RelayRtcpSenderInfo info = { 0xdeadbeef, 1, 2, 3, 4 };
  /* A PLI with 4 padding octets: the P bit, length 3 words. */
  guint8 padded[] = { 0xa1, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 4 };
  guint8 types[8];
  guint n = 0;
  RelayRtcpIter it;
  RelayRtcpHeader h;
  guint32 s, m;

  relay_rtcp_sender_report_write (out, &info, sample_blocks, 2);
  relay_rtcp_pli_write (out, 1, 2);
  relay_rtcp_xr_rrtr_write (out, 1, 0x0102030405060708);
  relay_rtcp_iter_init (&it, out->data, out->len);
  while (relay_rtcp_iter_next (&it, &h))
    types[n++] = h.packet_type;
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (types[0], ==, RELAY_RTCP_SR);
  g_assert_cmpuint (types[1], ==, RELAY_RTCP_PSFB);
  g_assert_cmpuint (types[2], ==, RELAY_RTCP_XR);

  /* A length running past the end stops iteration at that packet. */
  relay_rtcp_iter_init (&it, out->data, out->len - 1);
  g_assert_true (relay_rtcp_iter_next (&it, &h) && relay_rtcp_iter_next (&it, &h));
  g_assert_false (relay_rtcp_iter_next (&it, &h));
  out->data[0] = (out->data[0] & 0x3f) | 0x40; /* version 1 */
  relay_rtcp_iter_init (&it, out->data, out->len);
  g_assert_false (relay_rtcp_iter_next (&it, &h));
  relay_rtcp_iter_init (&it, NULL, 0);
  g_assert_false (relay_rtcp_iter_next (&it, &h));

  /* Padding is cut off before the parsers see the packet. */
  relay_rtcp_iter_init (&it, padded, sizeof padded);
  g_assert_true (relay_rtcp_iter_next (&it, &h));
  g_assert_cmpuint (h.len, ==, 12);
  g_assert_true (relay_rtcp_pli_parse (&h, &s, &m));
  g_assert_cmpuint (s, ==, 1);
  g_assert_cmpuint (m, ==, 2);
  /* A padding count of zero, or one eating into the header, is malformed. */
  for (guint i = 0; i < 2; i++) {
    padded[15] = i == 0 ? 0 : 13;
    relay_rtcp_iter_init (&it, padded, sizeof padded);
    g_assert_false (relay_rtcp_iter_next (&it, &h));
  }
}

/* ---- SR / RR ------------------------------------------------------------- */

static void
assert_info_eq (const RelayRtcpSenderInfo *a, const RelayRtcpSenderInfo *b)
{
  g_assert_cmpuint (a->ssrc, ==, b->ssrc);
  g_assert_cmpuint (a->ntp_timestamp, ==, b->ntp_timestamp);
  g_assert_cmpuint (a->rtp_timestamp, ==, b->rtp_timestamp);
  g_assert_cmpuint (a->packet_count, ==, b->packet_count);
  g_assert_cmpuint (a->octet_count, ==, b->octet_count);
}

static void
test_sender_report (void)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (GByteArray) bytes = NULL;
  RelayRtcpSenderInfo info = { 0xdeadbeef, 0xe1234567890abcde, 90000, 1000, 123456 }, got = { 0 };
  const RelayRtcpSenderInfo from_gst = { 0x01020304, 0x1122334455667788, 4242, 10, 2000 };
  RelayRtcpReportBlock blocks[4], want = { 0xabcdef01, 12, -5, 70000, 33, 0x12345678, 65536 };
  guint n = 99;
  RelayRtcpHeader h;
  Gst g;

  relay_rtcp_sender_report_write (out, &info, sample_blocks, 2);
  g_assert_cmpuint (out->len, ==, 28 + 2 * 24);
  gst_read (&g, out, FALSE);
  g_assert_cmpint (gst_rtcp_packet_get_type (&g.pkt), ==, GST_RTCP_TYPE_SR);
  gst_rtcp_packet_sr_get_sender_info (&g.pkt, &got.ssrc, &got.ntp_timestamp, &got.rtp_timestamp,
                                      &got.packet_count, &got.octet_count);
  assert_info_eq (&got, &info);
  assert_gst_blocks (&g.pkt, sample_blocks, 2);
  g_assert_false (gst_rtcp_packet_move_to_next (&g.pkt));
  gst_done (&g);

  gst_build (&g, GST_RTCP_TYPE_SR);
  gst_rtcp_packet_sr_set_sender_info (&g.pkt, from_gst.ssrc, from_gst.ntp_timestamp, from_gst.rtp_timestamp,
                                      from_gst.packet_count, from_gst.octet_count);
  g_assert_true (gst_rtcp_packet_add_rb (&g.pkt, want.ssrc, want.fraction_lost, want.cumulative_lost,
                                         want.extended_highest_seq, want.jitter, want.last_sr,
                                         want.delay_since_last_sr));
  bytes = gst_finish (&g, &h);
  g_assert_true (relay_rtcp_sender_report_parse (&h, &got, blocks, G_N_ELEMENTS (blocks), &n));
  assert_info_eq (&got, &from_gst);
  g_assert_cmpuint (n, ==, 1);
  assert_block_eq (&blocks[0], &want);
  g_assert_false (relay_rtcp_receiver_report_parse (&h, NULL, NULL, 0, NULL));
}

static void
test_receiver_report (void)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (GByteArray) bytes = NULL;
  RelayRtcpReportBlock blocks[2], clamp = { .ssrc = 1, .cumulative_lost = 0x1000000 };
  RelayRtcpHeader h;
  guint32 ssrc;
  guint n;
  Gst g;

  relay_rtcp_receiver_report_write (out, 0x5555, sample_blocks, 2);
  gst_read (&g, out, FALSE);
  g_assert_cmpint (gst_rtcp_packet_get_type (&g.pkt), ==, GST_RTCP_TYPE_RR);
  g_assert_cmpuint (gst_rtcp_packet_rr_get_ssrc (&g.pkt), ==, 0x5555);
  assert_gst_blocks (&g.pkt, sample_blocks, 2);
  gst_done (&g);
  /* max_blocks limits the copy. */
  first_header (out, &h);
  g_assert_true (relay_rtcp_receiver_report_parse (&h, &ssrc, blocks, 1, &n));
  g_assert_cmpuint (n, ==, 1);
  assert_block_eq (&blocks[0], &sample_blocks[0]);

  gst_build (&g, GST_RTCP_TYPE_RR);
  gst_rtcp_packet_rr_set_ssrc (&g.pkt, 0x777);
  for (guint i = 0; i < 2; i++) {
    const RelayRtcpReportBlock *b = &sample_blocks[i];
    g_assert_true (gst_rtcp_packet_add_rb (&g.pkt, b->ssrc, b->fraction_lost, b->cumulative_lost,
                                           b->extended_highest_seq, b->jitter, b->last_sr,
                                           b->delay_since_last_sr));
  }
  bytes = gst_finish (&g, &h);
  g_assert_true (relay_rtcp_receiver_report_parse (&h, &ssrc, blocks, 2, &n));
  g_assert_cmpuint (ssrc, ==, 0x777);
  g_assert_cmpuint (n, ==, 2);
  assert_block_eq (&blocks[0], &sample_blocks[0]);
  assert_block_eq (&blocks[1], &sample_blocks[1]);
  /* RC claiming more blocks than the length holds is rejected. */
  bytes->data[0] = (bytes->data[0] & 0xe0) | 3;
  first_header (bytes, &h);
  g_assert_false (relay_rtcp_receiver_report_parse (&h, &ssrc, blocks, 2, &n));

  /* The 24-bit cumulative loss saturates both ways. */
  g_byte_array_set_size (out, 0);
  relay_rtcp_report_block_write (out, &clamp);
  clamp.cumulative_lost = -0x900000;
  relay_rtcp_report_block_write (out, &clamp);
  relay_rtcp_report_block_parse (out->data, &blocks[0]);
  relay_rtcp_report_block_parse (out->data + 24, &blocks[1]);
  g_assert_cmpint (blocks[0].cumulative_lost, ==, 0x7fffff);
  g_assert_cmpint (blocks[1].cumulative_lost, ==, -0x800000);
}

static void
test_ntp_and_rtt (void)
{
  gint64 t = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  guint64 half = relay_ntp_from_unix_us (1500000), now = relay_ntp_now ();
  gint64 back_us = (gint64) ((now >> 32) - 2208988800u) * G_USEC_PER_SEC
                   + (gint64) (((now & 0xffffffffu) * G_USEC_PER_SEC) >> 32);
  RelayRtcpReportBlock b = { 0 };

  g_assert_cmpuint (relay_ntp_from_unix_us (0), ==, G_GUINT64_CONSTANT (2208988800) << 32);
  g_assert_cmpuint (half >> 32, ==, 2208988801u);
  g_assert_cmpuint ((guint32) half, ==, 0x80000000u);
  /* Before 1970 the fraction stays positive. */
  g_assert_cmpuint (relay_ntp_from_unix_us (-500000), ==, (G_GUINT64_CONSTANT (2208988799) << 32) | 0x80000000u);
  g_assert_cmpint (ABS (back_us - g_get_real_time ()), <, 1000000);

  g_assert_cmpint (relay_rtcp_report_block_rtt_ms (&b, relay_ntp_from_unix_us (t)), ==, -1);
  /* SR sent at t-250 ms, held 200 ms by the receiver: 50 ms on the wire. */
  b.last_sr = (guint32) (relay_ntp_from_unix_us (t - 250000) >> 16);
  b.delay_since_last_sr = (200 * 65536) / 1000;
  g_assert_cmpint (ABS (relay_rtcp_report_block_rtt_ms (&b, relay_ntp_from_unix_us (t)) - 50), <=, 1);
  /* Clock disagreement never yields a huge RTT. */
  b.delay_since_last_sr = 400 * 65536 / 1000;
  g_assert_cmpint (relay_rtcp_report_block_rtt_ms (&b, relay_ntp_from_unix_us (t)), ==, 0);
}

/* ---- NACK ---------------------------------------------------------------- */

/* Marks the seqs a NACK FCI names; returns how many entries it held,
 * counting a seq twice if two pairs name it. */
static guint
mark_fci (const guint8 *fci, guint pairs, guint8 *marks)
{
  guint named = 0;

  for (guint i = 0; i < pairs; i++) {
    guint16 pid = GST_READ_UINT16_BE (fci + 4 * i), blp = GST_READ_UINT16_BE (fci + 4 * i + 2);
    marks[pid] = 1, named++;
    for (guint b = 0; b < 16; b++)
      if (blp & (1 << b))
        marks[(guint16) (pid + b + 1)] = 1, named++;
  }
  return named;
}

static void
check_nack (const guint16 *seqs, guint n, guint expect_pairs)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (GArray) ours = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_autofree guint8 *want = g_malloc0 (65536), *got = g_malloc0 (65536), *back = g_malloc0 (65536);
  guint32 sender, media;
  guint pairs, distinct = 0, named;
  RelayRtcpHeader h;
  Gst g;

  for (guint i = 0; i < n; i++)
    distinct += !want[seqs[i]], want[seqs[i]] = 1;
  relay_rtcp_nack_write (out, 0xaaaa, 0xbbbb, seqs, n);
  gst_read (&g, out, TRUE);
  g_assert_cmpint (gst_rtcp_packet_fb_get_type (&g.pkt), ==, GST_RTCP_RTPFB_TYPE_NACK);
  g_assert_cmpuint (gst_rtcp_packet_fb_get_sender_ssrc (&g.pkt), ==, 0xaaaa);
  g_assert_cmpuint (gst_rtcp_packet_fb_get_media_ssrc (&g.pkt), ==, 0xbbbb);
  pairs = gst_rtcp_packet_fb_get_fci_length (&g.pkt);
  named = mark_fci (gst_rtcp_packet_fb_get_fci (&g.pkt), pairs, got);
  gst_done (&g);
  if (expect_pairs)
    g_assert_cmpuint (pairs, ==, expect_pairs);
  /* Every seq requested, nothing else, and none twice. */
  g_assert_cmpmem (got, 65536, want, 65536);
  g_assert_cmpuint (named, ==, distinct);

  first_header (out, &h);
  g_assert_true (relay_rtcp_nack_parse (&h, &sender, &media, ours, G_MAXUINT, NULL));
  g_assert_cmpuint (ours->len, ==, distinct);
  for (guint i = 0; i < ours->len; i++)
    back[g_array_index (ours, guint16, i)] = 1;
  g_assert_cmpmem (back, 65536, want, 65536);
}

static void
test_nack (void)
{
  const guint16 simple[] = { 100 }, unsorted[] = { 5, 1, 3, 1, 20, 18, 17, 100, 5 };
  const guint16 wrap[] = { 1, 65535, 10, 65534, 0 };
  const guint16 full[] = { 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27 };
  const guint16 want[] = { 65535, 0, 15, 300 };
  g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_autoptr (GByteArray) bytes = NULL;
  guint16 random_seqs[300];
  guint32 sender, media;
  RelayRtcpHeader h;
  guint8 *fci;
  Gst g;

  check_nack (simple, 1, 1);
  check_nack (unsorted, G_N_ELEMENTS (unsorted), 3); /* 1 covers 3, 5, 17; 18 covers 20; 100 */
  check_nack (wrap, G_N_ELEMENTS (wrap), 1); /* 65534 reaches through 0 to 10 */
  check_nack (full, G_N_ELEMENTS (full), 2);
  for (guint round = 0; round < 50; round++) {
    guint16 base = g_test_rand_int_range (0, 65536);
    guint n = g_test_rand_int_range (1, G_N_ELEMENTS (random_seqs)), span = g_test_rand_int_range (1, 2000);
    for (guint i = 0; i < n; i++)
      random_seqs[i] = base + g_test_rand_int_range (0, span);
    check_nack (random_seqs, n, 0);
  }

  fci = gst_build_fb (&g, GST_RTCP_TYPE_RTPFB, GST_RTCP_RTPFB_TYPE_NACK, 0x1234, 0x5678, 2);
  GST_WRITE_UINT16_BE (fci, 65535);
  GST_WRITE_UINT16_BE (fci + 2, (1 << 0) | (1 << 15)); /* 0 and 15 */
  GST_WRITE_UINT16_BE (fci + 4, 300);
  GST_WRITE_UINT16_BE (fci + 6, 0);
  bytes = gst_finish (&g, &h);
  guint left_out = 99;
  g_assert_true (relay_rtcp_nack_parse (&h, &sender, &media, seqs, G_MAXUINT, &left_out));
  g_assert_cmpuint (sender, ==, 0x1234);
  g_assert_cmpuint (media, ==, 0x5678);
  g_assert_cmpmem (seqs->data, seqs->len * 2, want, sizeof want);
  g_assert_cmpuint (left_out, ==, 0);
  g_assert_false (relay_rtcp_pli_parse (&h, NULL, NULL));

  /* A limit: the first sequence numbers in order, the rest only counted,
   * including those past the limit inside one PID/BLP pair. */
  for (guint limit = 0; limit <= G_N_ELEMENTS (want); limit++) {
    g_array_set_size (seqs, 0);
    g_assert_true (relay_rtcp_nack_parse (&h, NULL, NULL, seqs, limit, &left_out));
    g_assert_cmpuint (seqs->len, ==, limit);
    g_assert_cmpmem (seqs->data, seqs->len * 2, want, limit * 2);
    g_assert_cmpuint (left_out, ==, G_N_ELEMENTS (want) - limit);
  }
  g_clear_pointer (&bytes, g_byte_array_unref);

  /* One packet listing one packet 10,000 times (the amplification a viewer
   * could ask for): the parse keeps only the limit. */
  bytes = g_byte_array_sized_new (12 + 4 * 10000);
  g_byte_array_set_size (bytes, 12 + 4 * 10000);
  bytes->data[0] = 0x80 | 1; /* V=2, FMT 1: generic NACK */
  bytes->data[1] = 205;      /* RTPFB */
  GST_WRITE_UINT16_BE (bytes->data + 2, (12 + 4 * 10000) / 4 - 1);
  GST_WRITE_UINT32_BE (bytes->data + 4, 1);
  GST_WRITE_UINT32_BE (bytes->data + 8, 2);
  for (guint i = 0; i < 10000; i++) {
    GST_WRITE_UINT16_BE (bytes->data + 12 + 4 * i, 700);
    GST_WRITE_UINT16_BE (bytes->data + 12 + 4 * i + 2, 0xffff);
  }
  first_header (bytes, &h);
  g_array_set_size (seqs, 0);
  g_assert_true (relay_rtcp_nack_parse (&h, NULL, NULL, seqs, 256, &left_out));
  g_assert_cmpuint (seqs->len, ==, 256);
  g_assert_cmpuint (left_out, ==, 10000 * 17 - 256);
}

/* ---- PLI / FIR / REMB ---------------------------------------------------- */

static void
test_pli_fir (void)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (GByteArray) pli = NULL;
  g_autoptr (GByteArray) fir = NULL;
  RelayRtcpHeader h;
  guint32 s, m;
  guint8 nr, *fci;
  Gst g;

  relay_rtcp_pli_write (out, 0x01010101, 0x02020202);
  relay_rtcp_fir_write (out, 0x0a0a0a0a, 0x0b0b0b0b, 42);
  g_assert_cmpuint (out->len, ==, 12 + 20);
  gst_read (&g, out, TRUE);
  g_assert_cmpint (gst_rtcp_packet_get_type (&g.pkt), ==, GST_RTCP_TYPE_PSFB);
  g_assert_cmpint (gst_rtcp_packet_fb_get_type (&g.pkt), ==, GST_RTCP_PSFB_TYPE_PLI);
  g_assert_cmpuint (gst_rtcp_packet_fb_get_sender_ssrc (&g.pkt), ==, 0x01010101);
  g_assert_cmpuint (gst_rtcp_packet_fb_get_media_ssrc (&g.pkt), ==, 0x02020202);
  g_assert_cmpuint (gst_rtcp_packet_fb_get_fci_length (&g.pkt), ==, 0);
  g_assert_true (gst_rtcp_packet_move_to_next (&g.pkt));
  g_assert_cmpint (gst_rtcp_packet_fb_get_type (&g.pkt), ==, GST_RTCP_PSFB_TYPE_FIR);
  g_assert_cmpuint (gst_rtcp_packet_fb_get_sender_ssrc (&g.pkt), ==, 0x0a0a0a0a);
  g_assert_cmpuint (gst_rtcp_packet_fb_get_media_ssrc (&g.pkt), ==, 0);
  g_assert_cmpuint (gst_rtcp_packet_fb_get_fci_length (&g.pkt), ==, 2);
  fci = gst_rtcp_packet_fb_get_fci (&g.pkt);
  g_assert_cmpuint (GST_READ_UINT32_BE (fci), ==, 0x0b0b0b0b);
  g_assert_cmpuint (fci[4], ==, 42);
  g_assert_cmpuint (fci[5] | fci[6] | fci[7], ==, 0);
  gst_done (&g);

  gst_build_fb (&g, GST_RTCP_TYPE_PSFB, GST_RTCP_PSFB_TYPE_PLI, 9, 10, 0);
  pli = gst_finish (&g, &h);
  g_assert_true (relay_rtcp_pli_parse (&h, &s, &m));
  g_assert_cmpuint (s, ==, 9);
  g_assert_cmpuint (m, ==, 10);
  g_assert_false (relay_rtcp_fir_parse (&h, NULL, NULL, NULL));

  fci = gst_build_fb (&g, GST_RTCP_TYPE_PSFB, GST_RTCP_PSFB_TYPE_FIR, 3, 0, 2);
  GST_WRITE_UINT32_BE (fci, 0xcafe);
  fci[4] = 7;
  fir = gst_finish (&g, &h);
  g_assert_true (relay_rtcp_fir_parse (&h, &s, &m, &nr));
  g_assert_cmpuint (s, ==, 3);
  g_assert_cmpuint (m, ==, 0xcafe);
  g_assert_cmpuint (nr, ==, 7);
  g_assert_false (relay_rtcp_pli_parse (&h, NULL, NULL));
}

static void
check_remb (guint64 bitrate, guint64 expect_exact)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  const guint32 ssrcs[] = { 0x1111, 0x2222, 0x3333 };
  guint32 back[2];
  guint64 got;
  guint n, exp, mantissa;
  RelayRtcpHeader h;
  guint8 *fci;
  Gst g;

  relay_rtcp_remb_write (out, 0x99, bitrate, ssrcs, 3);
  gst_read (&g, out, TRUE);
  g_assert_cmpint (gst_rtcp_packet_fb_get_type (&g.pkt), ==, GST_RTCP_PSFB_TYPE_AFB);
  g_assert_cmpuint (gst_rtcp_packet_fb_get_sender_ssrc (&g.pkt), ==, 0x99);
  g_assert_cmpuint (gst_rtcp_packet_fb_get_fci_length (&g.pkt), ==, 2 + 3);
  fci = gst_rtcp_packet_fb_get_fci (&g.pkt);
  g_assert_cmpmem (fci, 4, "REMB", 4);
  g_assert_cmpuint (fci[4], ==, 3);
  exp = fci[5] >> 2;
  mantissa = ((fci[5] & 3) << 16) | (fci[6] << 8) | fci[7];
  g_assert_cmpuint (GST_READ_UINT32_BE (fci + 16), ==, 0x3333);
  /* Smallest exponent: one less would overflow the mantissa. */
  if (exp > 0)
    g_assert_cmpuint (bitrate >> (exp - 1), >, 0x3ffff);
  g_assert_cmpuint ((guint64) mantissa << exp, ==, expect_exact);
  gst_done (&g);

  first_header (out, &h);
  g_assert_true (relay_rtcp_remb_parse (&h, &got, back, G_N_ELEMENTS (back), &n));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (back[0], ==, 0x1111);
  g_assert_cmpuint (back[1], ==, 0x2222);
  g_assert_cmpuint (got, ==, expect_exact);
}

static void
test_remb (void)
{
  guint8 bad[] = { 0x8f, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 'R', 'E', 'M', 'X', 0, 0, 0, 1 };
  guint8 huge[] = { 0x8f, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 'R', 'E', 'M', 'B', 0, 0xff, 0xff, 0xff };
  RelayRtcpHeader h = { 206, 15, bad, sizeof bad };
  guint64 bitrate;

  check_remb (0, 0);
  check_remb (0x3ffff, 0x3ffff);
  check_remb (0x40000, 0x40000);
  check_remb (1000000, 1000000);
  check_remb (2500000000u, (2500000000u >> 14) << 14);
  check_remb (G_MAXUINT64, G_GUINT64_CONSTANT (0x3ffff) << 46);

  g_assert_false (relay_rtcp_remb_parse (&h, &bitrate, NULL, 0, NULL));
  /* Exponent 63 with a full mantissa saturates instead of wrapping. */
  h = (RelayRtcpHeader) { 206, 15, huge, sizeof huge };
  g_assert_true (relay_rtcp_remb_parse (&h, &bitrate, NULL, 0, NULL));
  g_assert_cmpuint (bitrate, ==, G_MAXUINT64);
  huge[16] = 1; /* num SSRC past the packet */
  g_assert_false (relay_rtcp_remb_parse (&h, &bitrate, NULL, 0, NULL));
}

/* ---- XR ------------------------------------------------------------------ */

static void
put32 (GByteArray *a, guint32 v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };
  g_byte_array_append (a, b, 4);
}

static void
test_xr (void)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (GByteArray) xr = g_byte_array_new ();
  gint64 t = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  guint64 now = relay_ntp_from_unix_us (t), ts = 0;
  guint32 lrr = (guint32) (relay_ntp_from_unix_us (t - 180000) >> 16), ssrc, last_rr, delay;
  const guint8 head[] = { 0x80, 207, 0, 0, 0, 0, 0x51, 0x51, 4, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8, 5, 0, 0, 6 };
  RelayRtcpHeader h;
  guint rtt = 0;
  Gst g;

  relay_rtcp_xr_rrtr_write (out, 0x4242, 0xe0000001deadbeef);
  g_assert_cmpuint (out->len, ==, 20);
  gst_read (&g, out, TRUE);
  g_assert_cmpint (gst_rtcp_packet_get_type (&g.pkt), ==, GST_RTCP_TYPE_XR);
  g_assert_cmpuint (gst_rtcp_packet_xr_get_ssrc (&g.pkt), ==, 0x4242);
  g_assert_true (gst_rtcp_packet_xr_first_rb (&g.pkt));
  g_assert_cmpint (gst_rtcp_packet_xr_get_block_type (&g.pkt), ==, GST_RTCP_XR_TYPE_RRT);
  g_assert_true (gst_rtcp_packet_xr_get_rrt (&g.pkt, &ts));
  g_assert_cmpuint (ts, ==, 0xe0000001deadbeef);
  g_assert_false (gst_rtcp_packet_xr_next_rb (&g.pkt));
  gst_done (&g);

  /* Hand-built: an RRTR block, then a DLRR with two sub-blocks (GStreamer
   * 1.22 has no XR writers). 100 ms held, sent 180 ms ago: 80 ms RTT. */
  g_byte_array_append (xr, head, sizeof head);
  put32 (xr, 0x1000), put32 (xr, 0x1), put32 (xr, 0x2);
  put32 (xr, 0x2000), put32 (xr, lrr), put32 (xr, (100 * 65536) / 1000);
  xr->data[3] = xr->len / 4 - 1;
  gst_read (&g, xr, TRUE);
  g_assert_true (gst_rtcp_packet_xr_first_rb (&g.pkt) && gst_rtcp_packet_xr_next_rb (&g.pkt));
  g_assert_cmpint (gst_rtcp_packet_xr_get_block_type (&g.pkt), ==, GST_RTCP_XR_TYPE_DLRR);
  g_assert_true (gst_rtcp_packet_xr_get_dlrr_block (&g.pkt, 1, &ssrc, &last_rr, &delay));
  g_assert_cmpuint (ssrc, ==, 0x2000);
  g_assert_cmpuint (last_rr, ==, lrr);
  gst_done (&g);

  first_header (xr, &h);
  g_assert_true (relay_rtcp_xr_dlrr_rtt (&h, 0x2000, now, &rtt));
  g_assert_cmpint (ABS ((gint) rtt - 80), <=, 1);
  g_assert_true (relay_rtcp_xr_dlrr_rtt (&h, 0x1000, now, &rtt));
  g_assert_false (relay_rtcp_xr_dlrr_rtt (&h, 0x3000, now, &rtt));
  memset (xr->data + xr->len - 8, 0, 4); /* LRR 0: no RRTR seen yet */
  g_assert_false (relay_rtcp_xr_dlrr_rtt (&h, 0x2000, now, &rtt));
  xr->data[8 + 12 + 3] = 9; /* DLRR block length past the packet */
  g_assert_false (relay_rtcp_xr_dlrr_rtt (&h, 0x1000, now, &rtt));
}

/* ---- fuzz ---------------------------------------------------------------- */

static void
parse_everything (const guint8 *data, gsize len)
{
  g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (guint16));
  RelayRtcpReportBlock blocks[31];
  RelayRtcpSenderInfo info;
  guint32 a, b, ssrcs[4];
  guint64 bitrate;
  guint n, rtt;
  guint8 nr;
  RelayRtcpIter it;
  RelayRtcpHeader h;

  relay_rtcp_iter_init (&it, data, len);
  while (relay_rtcp_iter_next (&it, &h)) {
    g_assert_true (h.data >= data && h.data + h.len <= data + len);
    relay_rtcp_sender_report_parse (&h, &info, blocks, G_N_ELEMENTS (blocks), &n);
    relay_rtcp_receiver_report_parse (&h, &a, blocks, G_N_ELEMENTS (blocks), &n);
    relay_rtcp_nack_parse (&h, &a, &b, seqs, 4096, NULL);
    relay_rtcp_pli_parse (&h, &a, &b);
    relay_rtcp_fir_parse (&h, &a, &b, &nr);
    relay_rtcp_remb_parse (&h, &bitrate, ssrcs, G_N_ELEMENTS (ssrcs), &n);
    relay_rtcp_xr_dlrr_rtt (&h, 0x2000, relay_ntp_now (), &rtt);
    g_array_set_size (seqs, 0);
  }
}

static void
test_fuzz (void)
{
  g_autoptr (GByteArray) seed = g_byte_array_new ();
  RelayRtcpSenderInfo info = { 1, 2, 3, 4, 5 };
  const guint16 nacks[] = { 1, 2, 40, 65535 };
  const guint32 ssrcs[] = { 7, 8 };
  const guint8 dlrr[] = { 0x80, 207, 0, 4, 0, 0, 0, 1, 5, 0, 0, 3, 0, 0, 0x20, 0, 0, 0, 1, 0, 0, 0, 0, 1 };

  relay_rtcp_sender_report_write (seed, &info, sample_blocks, 2);
  relay_rtcp_receiver_report_write (seed, 1, sample_blocks, 1);
  relay_rtcp_nack_write (seed, 1, 2, nacks, G_N_ELEMENTS (nacks));
  relay_rtcp_pli_write (seed, 1, 2);
  relay_rtcp_fir_write (seed, 1, 2, 3);
  relay_rtcp_remb_write (seed, 1, 123456, ssrcs, 2);
  relay_rtcp_xr_rrtr_write (seed, 1, 99);
  g_byte_array_append (seed, dlrr, sizeof dlrr);

  for (guint round = 0; round < 4000; round++) {
    gsize len;
    guint8 *buf;

    if (round % 2 == 0) {
      /* Mutate the valid compound: byte flips and a random truncation. */
      len = g_test_rand_int_range (0, seed->len + 1);
      buf = g_memdup2 (seed->data, MAX (len, 1));
      for (guint k = g_test_rand_int_range (0, 8); k > 0 && len > 0; k--)
        buf[g_test_rand_int_range (0, len)] = g_test_rand_int_range (0, 256);
    } else {
      len = g_test_rand_int_range (0, 200);
      buf = g_malloc (MAX (len, 1));
      for (gsize i = 0; i < len; i++)
        buf[i] = g_test_rand_int_range (0, 256);
      /* Plausible headers get random bytes past the header checks. */
      for (gsize off = 0; off + 4 <= len; off += 4 * (1 + g_test_rand_int_range (0, 6))) {
        buf[off] = (buf[off] & 0x3f) | 0x80;
        buf[off + 1] = 200 + g_test_rand_int_range (0, 8);
        buf[off + 2] = 0;
        buf[off + 3] = g_test_rand_int_range (0, 8);
      }
    }
    /* Exact-size heap blocks, so valgrind sees any overread. */
    parse_everything (buf, len);
    g_free (buf);
  }
}

int
main (int argc, char **argv)
{
  int ret;

  gst_init (NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rtcp/iter", test_iter);
  g_test_add_func ("/rtcp/sender-report", test_sender_report);
  g_test_add_func ("/rtcp/receiver-report", test_receiver_report);
  g_test_add_func ("/rtcp/ntp-and-rtt", test_ntp_and_rtt);
  g_test_add_func ("/rtcp/nack", test_nack);
  g_test_add_func ("/rtcp/pli-fir", test_pli_fir);
  g_test_add_func ("/rtcp/remb", test_remb);
  g_test_add_func ("/rtcp/xr", test_xr);
  g_test_add_func ("/rtcp/fuzz", test_fuzz);
  ret = g_test_run ();
  gst_deinit ();
  return ret;
}
