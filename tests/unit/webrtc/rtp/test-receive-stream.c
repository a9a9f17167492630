/* The receive stream: statistics of in-order packets, NACKs for a gap
 * paced by the RTT, RTX restored and counted (and its gap no longer
 * NACKed), empty RTX probes ignored, an SSRC change starting over and
 * asking for a key frame, and key-frame detection for VP8 and H.264. */
#include <string.h>

#include "webrtc/rtp/receive-stream.h"

#define MS 1000
#define VIDEO_PT 96
#define RTX_PT 97
#define SSRC 0x11223344u
#define RTX_SSRC 0x55667788u

typedef struct {
  guint8 data[1500];
  RelayRtpPacket packet;
} Datagram;

/* A plain RTP packet (RFC 3550 fixed header, no CSRC, no extension), with
 * `padding` bytes of RFC 3550 padding after the payload. */
static const RelayRtpPacket *
build (Datagram *d, guint8 pt, guint16 seq, guint32 ts, guint32 ssrc, const guint8 *payload,
       gsize payload_len, guint8 padding)
{
  gsize len = 12 + payload_len + padding;
  g_assert_cmpuint (len, <=, sizeof d->data);
  memset (d->data, 0, len);
  d->data[0] = 0x80 | (padding ? 0x20 : 0);
  d->data[1] = pt;
  d->data[2] = seq >> 8;
  d->data[3] = seq & 0xff;
  d->data[4] = ts >> 24;
  d->data[5] = (ts >> 16) & 0xff;
  d->data[6] = (ts >> 8) & 0xff;
  d->data[7] = ts & 0xff;
  d->data[8] = ssrc >> 24;
  d->data[9] = (ssrc >> 16) & 0xff;
  d->data[10] = (ssrc >> 8) & 0xff;
  d->data[11] = ssrc & 0xff;
  if (payload_len)
    memcpy (d->data + 12, payload, payload_len);
  if (padding)
    d->data[len - 1] = padding;
  g_assert_true (relay_rtp_packet_parse (&d->packet, d->data, len));
  return &d->packet;
}

/* A VP8 interframe packet (S=1, P=1): no key frame. */
static const guint8 vp8_delta[] = { 0x10, 0x01, 0xaa, 0xbb, 0xcc };

static const RelayRtpPacket *
video (Datagram *d, guint16 seq, guint32 ssrc)
{
  return build (d, VIDEO_PT, seq, 3000u * seq, ssrc, vp8_delta, sizeof vp8_delta, 0);
}

/* RFC 4588: the original sequence number, then the original payload. */
static const RelayRtpPacket *
rtx (Datagram *d, guint16 rtx_seq, guint16 original_seq, const guint8 *payload, gsize len)
{
  guint8 body[64];
  g_assert_cmpuint (len + 2, <=, sizeof body);
  body[0] = original_seq >> 8;
  body[1] = original_seq & 0xff;
  if (len)
    memcpy (body + 2, payload, len);
  return build (d, RTX_PT, rtx_seq, 3000u * original_seq, RTX_SSRC, body, len + 2, 0);
}

static RelayReceiveStream *
new_video_stream (RelayCodec codec)
{
  RelayReceiveStreamConfig config = {
    .codec = codec,
    .clock_rate = 90000,
    .payload_type = VIDEO_PT,
    .rtx_payload_type = RTX_PT,
    .nack = TRUE,
  };
  return relay_receive_stream_new (&config);
}

static guint
collect (RelayReceiveStream *s, gint64 now, guint16 *seqs)
{
  return relay_receive_stream_collect_nacks (s, now, seqs, 64);
}

static RelayReceiveStreamFigures
figures (RelayReceiveStream *s)
{
  RelayReceiveStreamFigures f;
  relay_receive_stream_get_figures (s, &f);
  return f;
}

/* What the stream counted: packets and loss of the SSRC followed, RTX
 * packets restored over its life. */
static void
assert_counts (RelayReceiveStream *s, guint64 packets, guint64 lost, guint64 rtx_packets)
{
  RelayReceiveStreamFigures f = figures (s);
  g_assert_cmpuint (f.packets, ==, packets);
  g_assert_cmpuint (f.lost, ==, lost);
  g_assert_cmpuint (f.rtx_packets, ==, rtx_packets);
}

static void
test_in_order (void)
{
  g_autoptr (RelayReceiveStream) s = new_video_stream (RELAY_CODEC_VP8);
  RelayReceivedPacket r;
  Datagram d;
  guint16 seqs[64];

  g_assert_cmpuint (relay_receive_stream_get_ssrc (s), ==, 0);
  g_assert_null (relay_receive_stream_get_stats (s));
  g_assert_cmpfloat (figures (s).jitter_ms, ==, -1);

  for (guint16 seq = 100; seq < 110; seq++)
    {
      g_assert_true (relay_receive_stream_receive (s, video (&d, seq, SSRC), seq * 33 * MS, &r));
      /* The first packet starts following the SSRC; the rest continue. */
      g_assert_cmpint (r.new_ssrc, ==, seq == 100);
      g_assert_false (r.retransmission);
      g_assert_false (r.keyframe);
      g_assert_false (r.keyframe_needed);
      g_assert_cmpuint (r.packet.seq, ==, seq);
      g_assert_true (r.packet.data == d.data);
    }
  RelayReceiveStreamFigures f = figures (s);
  g_assert_cmpuint (f.packets, ==, 10);
  g_assert_cmpuint (f.bytes, ==, 10 * (12 + sizeof vp8_delta));
  g_assert_cmpuint (f.lost, ==, 0);
  g_assert_cmpfloat (f.jitter_ms, >=, 0);
  g_assert_cmpuint (f.rtx_packets, ==, 0);
  g_assert_cmpuint (f.nacked_seqs, ==, 0);
  g_assert_cmpuint (relay_receive_stream_get_ssrc (s), ==, SSRC);
  g_assert_nonnull (relay_receive_stream_get_stats (s));
  g_assert_cmpuint (relay_receive_stats_get_ssrc (relay_receive_stream_get_stats (s)), ==, SSRC);
  g_assert_cmpuint (collect (s, 400 * MS, seqs), ==, 0);

  /* Not this stream's payload type: not its media, not counted. */
  g_assert_false (relay_receive_stream_receive (
      s, build (&d, 111, 7, 0, SSRC, vp8_delta, sizeof vp8_delta, 0), 400 * MS, &r));
  g_assert_cmpuint (figures (s).packets, ==, 10);
}

static void
test_gap_nacked_after_rtt (void)
{
  g_autoptr (RelayReceiveStream) s = new_video_stream (RELAY_CODEC_VP8);
  RelayReceivedPacket r;
  Datagram d;
  guint16 seqs[64];

  g_assert_true (relay_receive_stream_receive (s, video (&d, 10, SSRC), 0, &r));
  g_assert_true (relay_receive_stream_receive (s, video (&d, 11, SSRC), 1 * MS, &r));
  /* 12 and 13 lost. */
  g_assert_true (relay_receive_stream_receive (s, video (&d, 14, SSRC), 2 * MS, &r));
  g_assert_false (r.keyframe_needed);

  /* Asked for at once, then not again within the RTT (100 ms before any
   * estimate). */
  g_assert_cmpuint (collect (s, 2 * MS, seqs), ==, 2);
  g_assert_cmpuint (seqs[0], ==, 12);
  g_assert_cmpuint (seqs[1], ==, 13);
  g_assert_cmpuint (collect (s, 50 * MS, seqs), ==, 0);
  g_assert_cmpuint (collect (s, 101 * MS, seqs), ==, 0);
  g_assert_cmpuint (collect (s, 102 * MS, seqs), ==, 2);

  /* A measured RTT paces the retries from then on. */
  relay_receive_stream_set_rtt (s, 40);
  g_assert_cmpuint (collect (s, 141 * MS, seqs), ==, 0);
  g_assert_cmpuint (collect (s, 142 * MS, seqs), ==, 2);
  g_assert_cmpuint (figures (s).nacked_seqs, ==, 2);
  g_assert_cmpuint (figures (s).lost, ==, 2);

  /* 13 arrives late: only 12 is asked for again. */
  g_assert_true (relay_receive_stream_receive (s, video (&d, 13, SSRC), 150 * MS, &r));
  g_assert_cmpuint (collect (s, 182 * MS, seqs), ==, 1);
  g_assert_cmpuint (seqs[0], ==, 12);
  g_assert_cmpuint (figures (s).lost, ==, 1);
}

static void
test_large_loss_wants_keyframe (void)
{
  g_autoptr (RelayReceiveStream) s = new_video_stream (RELAY_CODEC_VP8);
  RelayReceivedPacket r;
  Datagram d;
  guint16 seqs[64];

  g_assert_true (relay_receive_stream_receive (s, video (&d, 0, SSRC), 0, &r));
  /* More missing than retransmission can repair: a key frame instead. */
  g_assert_true (relay_receive_stream_receive (s, video (&d, 2000, SSRC), 1 * MS, &r));
  g_assert_true (r.keyframe_needed);
  g_assert_false (r.new_ssrc);
  g_assert_cmpuint (collect (s, 1 * MS, seqs), ==, 0);
}

static void
test_rtx_restored (void)
{
  g_autoptr (RelayReceiveStream) s = new_video_stream (RELAY_CODEC_VP8);
  RelayReceivedPacket r;
  Datagram d;
  guint16 seqs[64];
  static const guint8 lost_payload[] = { 0x10, 0x01, 0x42, 0x43 };

  /* Before any media nothing says which SSRC a retransmission repairs. */
  g_assert_false (relay_receive_stream_receive (
      s, rtx (&d, 1, 20, lost_payload, sizeof lost_payload), 0, &r));
  g_assert_cmpuint (figures (s).rtx_packets, ==, 0);
  g_assert_cmpuint (relay_receive_stream_get_ssrc (s), ==, 0);

  g_assert_true (relay_receive_stream_receive (s, video (&d, 20, SSRC), 0, &r));
  /* 21 and 22 lost. */
  g_assert_true (relay_receive_stream_receive (s, video (&d, 23, SSRC), 1 * MS, &r));
  g_assert_cmpuint (collect (s, 1 * MS, seqs), ==, 2);

  g_assert_true (relay_receive_stream_receive (
      s, rtx (&d, 500, 21, lost_payload, sizeof lost_payload), 30 * MS, &r));
  g_assert_true (r.retransmission);
  g_assert_false (r.new_ssrc);
  /* The original as it was sent: its payload type, SSRC, sequence number
   * and payload. */
  g_assert_cmpuint (r.packet.payload_type, ==, VIDEO_PT);
  g_assert_cmpuint (r.packet.ssrc, ==, SSRC);
  g_assert_cmpuint (r.packet.seq, ==, 21);
  g_assert_cmpuint (r.packet.timestamp, ==, 3000u * 21);
  g_assert_cmpmem (r.packet.payload, r.packet.payload_len, lost_payload, sizeof lost_payload);
  g_assert_cmpuint (r.packet.len, ==, 12 + sizeof lost_payload);
  g_assert_false (r.packet.data == d.data);

  assert_counts (s, 3, 1, 1);

  /* The gap it filled is no longer asked for; 22 still is. */
  g_assert_cmpuint (collect (s, 200 * MS, seqs), ==, 1);
  g_assert_cmpuint (seqs[0], ==, 22);
}

static void
test_rtx_probe_ignored (void)
{
  g_autoptr (RelayReceiveStream) s = new_video_stream (RELAY_CODEC_VP8);
  RelayReceivedPacket r;
  Datagram d;
  guint16 seqs[64];

  g_assert_true (relay_receive_stream_receive (s, video (&d, 1, SSRC), 0, &r));
  g_assert_true (relay_receive_stream_receive (s, video (&d, 3, SSRC), 1 * MS, &r));

  /* Padding only, as senders probe bandwidth with. */
  g_assert_false (relay_receive_stream_receive (
      s, build (&d, RTX_PT, 600, 0, RTX_SSRC, NULL, 0, 200), 2 * MS, &r));
  /* An original sequence number and nothing else: nothing to repair. */
  g_assert_false (relay_receive_stream_receive (s, rtx (&d, 601, 2, NULL, 0), 3 * MS, &r));
  /* Too short to hold even the original sequence number. */
  static const guint8 one_byte[] = { 0x00 };
  g_assert_false (relay_receive_stream_receive (
      s, build (&d, RTX_PT, 602, 0, RTX_SSRC, one_byte, sizeof one_byte, 0), 4 * MS, &r));

  assert_counts (s, 2, 1, 0);
  /* The probe named 2 but repaired nothing: still missing. */
  g_assert_cmpuint (collect (s, 5 * MS, seqs), ==, 1);
  g_assert_cmpuint (seqs[0], ==, 2);
}

static void
test_ssrc_change (void)
{
  g_autoptr (RelayReceiveStream) s = new_video_stream (RELAY_CODEC_VP8);
  RelayReceivedPacket r;
  Datagram d;
  guint16 seqs[64];
  static const guint8 payload[] = { 0x10, 0x01, 0x01 };

  g_assert_true (relay_receive_stream_receive (s, video (&d, 1, SSRC), 0, &r));
  g_assert_true (r.new_ssrc);
  g_assert_true (relay_receive_stream_receive (s, video (&d, 5, SSRC), 1 * MS, &r));
  g_assert_true (relay_receive_stream_receive (s, rtx (&d, 1, 2, payload, sizeof payload),
                                              2 * MS, &r));
  g_assert_cmpuint (figures (s).lost, ==, 2);
  g_assert_cmpuint (collect (s, 2 * MS, seqs), ==, 2);

  /* The encoder restarted: a new SSRC, whose sequence happens to start
   * near the old one (so only the SSRC says it is a new stream). */
  g_assert_true (relay_receive_stream_receive (s, video (&d, 10, SSRC + 1), 10 * MS, &r));
  g_assert_true (r.new_ssrc);
  g_assert_false (r.retransmission);
  g_assert_cmpuint (relay_receive_stream_get_ssrc (s), ==, SSRC + 1);
  g_assert_cmpuint (relay_receive_stats_get_ssrc (relay_receive_stream_get_stats (s)), ==,
                    SSRC + 1);
  RelayReceiveStreamFigures f = figures (s);
  g_assert_cmpuint (f.packets, ==, 1);
  g_assert_cmpuint (f.bytes, ==, 12 + sizeof vp8_delta);
  g_assert_cmpuint (f.lost, ==, 0);
  /* Counted over the stream's life, not per SSRC. */
  g_assert_cmpuint (f.rtx_packets, ==, 1);
  g_assert_cmpuint (f.nacked_seqs, ==, 2);
  /* The old SSRC's gaps are forgotten, not retried against the new one. */
  g_assert_cmpuint (collect (s, 500 * MS, seqs), ==, 0);

  g_assert_true (relay_receive_stream_receive (s, video (&d, 11, SSRC + 1), 11 * MS, &r));
  g_assert_false (r.new_ssrc);
  /* RTX now repairs the new SSRC. */
  g_assert_true (relay_receive_stream_receive (s, rtx (&d, 2, 9, payload, sizeof payload),
                                              12 * MS, &r));
  g_assert_cmpuint (r.packet.ssrc, ==, SSRC + 1);
  g_assert_false (r.new_ssrc);
}

typedef struct {
  const char *name;
  guint8 bytes[16];
  gsize len;
  gboolean keyframe;
} PayloadCase;

static void
check_keyframes (RelayCodec codec, const PayloadCase *cases, guint n)
{
  g_autoptr (RelayReceiveStream) s = new_video_stream (codec);
  RelayReceivedPacket r;
  Datagram d;

  for (guint i = 0; i < n; i++)
    {
      g_test_message ("%s", cases[i].name);
      g_assert_true (relay_receive_stream_receive (
          s, build (&d, VIDEO_PT, (guint16) i, 0, SSRC, cases[i].bytes, cases[i].len, 0),
          i * MS, &r));
      g_assert_cmpint (r.keyframe, ==, cases[i].keyframe);
    }
  /* A key frame's first packet repaired over RTX still counts as one. */
  g_assert_true (relay_receive_stream_receive (
      s, rtx (&d, 1, (guint16) n, cases[0].bytes, cases[0].len), n * MS, &r));
  g_assert_true (r.retransmission);
  g_assert_cmpint (r.keyframe, ==, cases[0].keyframe);
}

static void
test_keyframe_vp8 (void)
{
  static const PayloadCase cases[] = {
    { "start, P=0", { 0x10, 0x00, 0x9d, 0x01, 0x2a }, 5, TRUE },
    { "15-bit picture id, P=0", { 0x90, 0x80, 0x81, 0x23, 0x00, 0x9d }, 6, TRUE },
    { "start, P=1", { 0x10, 0x01, 0x00 }, 3, FALSE },
    { "not a start", { 0x00, 0x00, 0x00 }, 3, FALSE },
    { "start of partition 1", { 0x11, 0x00, 0x00 }, 3, FALSE },
    { "descriptor only", { 0x90, 0x80, 0x81 }, 3, FALSE },
  };
  check_keyframes (RELAY_CODEC_VP8, cases, G_N_ELEMENTS (cases));
}

static void
test_keyframe_h264 (void)
{
  static const PayloadCase cases[] = {
    { "IDR", { 0x65, 0x88, 0x80 }, 3, TRUE },
    { "SPS", { 0x67, 0x42, 0xc0, 0x1f }, 4, TRUE },
    { "STAP-A with SPS", { 0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce }, 9, TRUE },
    { "FU-A start of IDR", { 0x7c, 0x85, 0x88 }, 3, TRUE },
    { "non-IDR slice", { 0x41, 0x9a, 0x00 }, 3, FALSE },
    { "FU-A middle of IDR", { 0x7c, 0x05, 0x88 }, 3, FALSE },
    { "FU-A start of non-IDR", { 0x7c, 0x81, 0x9a }, 3, FALSE },
    { "STAP-A with PPS only", { 0x78, 0x00, 0x02, 0x68, 0xce }, 5, FALSE },
  };
  check_keyframes (RELAY_CODEC_H264, cases, G_N_ELEMENTS (cases));
}

/* Audio: no key frames whatever the payload, no RTX, no NACK. */
static void
test_audio (void)
{
  RelayReceiveStreamConfig config = {
    .codec = RELAY_CODEC_OPUS,
    .clock_rate = 48000,
    .payload_type = 111,
    .rtx_payload_type = -1,
  };
  g_autoptr (RelayReceiveStream) s = relay_receive_stream_new (&config);
  RelayReceivedPacket r;
  Datagram d;
  guint16 seqs[64];
  static const guint8 opus[] = { 0x65, 0x10, 0x00 };

  g_assert_true (relay_receive_stream_receive (s, build (&d, 111, 1, 0, SSRC, opus, 3, 0), 0, &r));
  g_assert_true (r.new_ssrc);
  g_assert_false (r.keyframe);
  g_assert_true (relay_receive_stream_receive (s, build (&d, 111, 9, 960, SSRC, opus, 3, 0),
                                              20 * MS, &r));
  g_assert_false (r.keyframe_needed);
  g_assert_cmpuint (collect (s, 20 * MS, seqs), ==, 0);
  g_assert_false (relay_receive_stream_receive (s, rtx (&d, 1, 2, opus, 3), 30 * MS, &r));
  assert_counts (s, 2, 7, 0);
  g_assert_cmpuint (figures (s).nacked_seqs, ==, 0);
}

/* Without an m-line there is no stream: the readers say nothing
 * received. */
static void
test_no_stream (void)
{
  RelayReceiveStreamFigures f;
  relay_receive_stream_get_figures (NULL, &f);
  g_assert_cmpuint (f.packets, ==, 0);
  g_assert_cmpuint (f.bytes, ==, 0);
  g_assert_cmpfloat (f.jitter_ms, ==, -1);
  g_assert_cmpuint (relay_receive_stream_get_ssrc (NULL), ==, 0);
  g_assert_null (relay_receive_stream_get_stats (NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/receive-stream/in-order", test_in_order);
  g_test_add_func ("/receive-stream/gap-nacked-after-rtt", test_gap_nacked_after_rtt);
  g_test_add_func ("/receive-stream/large-loss-wants-keyframe", test_large_loss_wants_keyframe);
  g_test_add_func ("/receive-stream/rtx-restored", test_rtx_restored);
  g_test_add_func ("/receive-stream/rtx-probe-ignored", test_rtx_probe_ignored);
  g_test_add_func ("/receive-stream/ssrc-change", test_ssrc_change);
  g_test_add_func ("/receive-stream/keyframe-vp8", test_keyframe_vp8);
  g_test_add_func ("/receive-stream/keyframe-h264", test_keyframe_h264);
  g_test_add_func ("/receive-stream/audio", test_audio);
  g_test_add_func ("/receive-stream/no-stream", test_no_stream);
  return g_test_run ();
}
