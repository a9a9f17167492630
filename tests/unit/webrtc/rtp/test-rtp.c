/* RTP parsing checked against GStreamer's GstRTPBuffer on packets it
 * builds, extension edge cases, RFC 7983 classification, RFC 4588 RTX
 * restore, and a fuzz loop over every parser. */
#include <string.h>
#include <gst/gst.h>
#include <gst/rtp/rtp.h>

#include "webrtc/rtp/rtp-packet.h"

static GBytes *
gst_buffer_to_bytes (GstBuffer *buf)
{
  gsize size = gst_buffer_get_size (buf);
  guint8 *data = g_malloc (size);

  gst_buffer_extract (buf, 0, data, size);
  return g_bytes_new_take (data, size);
}

typedef struct {
  guint8 pt;
  gboolean marker;
  guint16 seq;
  guint32 ts, ssrc;
  guint8 csrc_count;
  guint8 pad_len;
  guint payload_len;
  gint ext_kind; /* 0 none, 1 one-byte, 2 two-byte */
  guint8 appbits;
} PacketSpec;

/* Builds a packet with GStreamer, extension elements with id i+1 holding
 * i+1 bytes of value 0x40+i for i < n_ext. */
static GstBuffer *
gst_build_rtp (const PacketSpec *spec, guint n_ext)
{
  GstBuffer *buf = gst_rtp_buffer_new_allocate (spec->payload_len, spec->pad_len, spec->csrc_count);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  guint8 *payload;

  g_assert_true (gst_rtp_buffer_map (buf, GST_MAP_READWRITE, &rtp));
  gst_rtp_buffer_set_payload_type (&rtp, spec->pt);
  gst_rtp_buffer_set_marker (&rtp, spec->marker);
  gst_rtp_buffer_set_seq (&rtp, spec->seq);
  gst_rtp_buffer_set_timestamp (&rtp, spec->ts);
  gst_rtp_buffer_set_ssrc (&rtp, spec->ssrc);
  for (guint i = 0; i < spec->csrc_count; i++)
    gst_rtp_buffer_set_csrc (&rtp, i, 0xc0000000 + i);
  payload = gst_rtp_buffer_get_payload (&rtp);
  for (guint i = 0; i < spec->payload_len; i++)
    payload[i] = (guint8) (i * 7 + 1);
  for (guint i = 0; i < n_ext; i++) {
    guint8 val[16];
    memset (val, 0x40 + i, sizeof val);
    if (spec->ext_kind == 1)
      g_assert_true (gst_rtp_buffer_add_extension_onebyte_header (&rtp, i + 1, val, MIN (i + 1, 16)));
    else if (spec->ext_kind == 2)
      g_assert_true (gst_rtp_buffer_add_extension_twobytes_header (&rtp, spec->appbits, i + 1, val, i));
  }
  gst_rtp_buffer_unmap (&rtp);
  /* GStreamer leaves padding octets before the count uninitialised. */
  if (spec->pad_len > 1)
    gst_buffer_memset (buf, gst_buffer_get_size (buf) - spec->pad_len, 0, spec->pad_len - 1);
  return buf;
}

/* Compares every field of our parse to GStreamer's reading of the same
 * bytes. */
static void
compare_with_gst (GstBuffer *buf, guint n_ext, gint ext_kind)
{
  g_autoptr (GBytes) bytes = gst_buffer_to_bytes (buf);
  GstBuffer *flat = gst_buffer_new_wrapped_bytes (bytes);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  RelayRtpPacket p;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  g_assert_true (relay_rtp_packet_parse (&p, data, len));
  g_assert_true (gst_rtp_buffer_map (flat, GST_MAP_READ, &rtp));
  g_assert_cmpuint (p.payload_type, ==, gst_rtp_buffer_get_payload_type (&rtp));
  g_assert_cmpint (p.marker, ==, gst_rtp_buffer_get_marker (&rtp));
  g_assert_cmpuint (p.seq, ==, gst_rtp_buffer_get_seq (&rtp));
  g_assert_cmpuint (p.timestamp, ==, gst_rtp_buffer_get_timestamp (&rtp));
  g_assert_cmpuint (p.ssrc, ==, gst_rtp_buffer_get_ssrc (&rtp));
  g_assert_cmpuint (p.csrc_count, ==, gst_rtp_buffer_get_csrc_count (&rtp));
  g_assert_cmpuint (p.payload_len, ==, gst_rtp_buffer_get_payload_len (&rtp));
  g_assert_cmpmem (p.payload, p.payload_len, gst_rtp_buffer_get_payload (&rtp),
                   gst_rtp_buffer_get_payload_len (&rtp));
  g_assert_cmpuint (p.payload - data, ==, gst_rtp_buffer_get_header_len (&rtp));
  g_assert_cmpint (p.padding_len > 0, ==, gst_rtp_buffer_get_padding (&rtp));

  if (gst_rtp_buffer_get_extension (&rtp)) {
    guint16 bits;
    gpointer ext;
    guint words;
    g_assert_true (gst_rtp_buffer_get_extension_data (&rtp, &bits, &ext, &words));
    g_assert_cmpuint (p.ext_profile, ==, bits);
    g_assert_cmpuint (p.ext_len, ==, words * 4);
    g_assert_true (p.ext_data == (const guint8 *) ext);
  } else {
    g_assert_null (p.ext_data);
  }

  for (guint id = 1; id <= 16; id++) {
    gpointer gdata = NULL;
    guint gsize_ = 0;
    guint8 appbits;
    const guint8 *ours = NULL;
    gsize ours_len = 0;
    gboolean gfound = FALSE, found;

    if (ext_kind == 1 && id <= 14)
      gfound = gst_rtp_buffer_get_extension_onebyte_header (&rtp, id, 0, &gdata, &gsize_);
    else if (ext_kind == 2)
      gfound = gst_rtp_buffer_get_extension_twobytes_header (&rtp, &appbits, id, 0, &gdata, &gsize_);
    found = relay_rtp_packet_get_extension (&p, id, &ours, &ours_len);
    g_assert_cmpint (found, ==, gfound);
    g_assert_cmpint (found, ==, id <= n_ext && (ext_kind == 2 || id <= 14));
    if (found) {
      g_assert_cmpmem (ours, ours_len, gdata, gsize_);
    }
  }
  gst_rtp_buffer_unmap (&rtp);
  gst_buffer_unref (flat);
}

static void
test_parse_vs_gst (void)
{
  PacketSpec fixed = { 96, TRUE, 65535, 0xdeadbeef, 0x12345678, 2, 0, 100, 1, 0 };
  GstBuffer *buf = gst_build_rtp (&fixed, 3);

  compare_with_gst (buf, 3, 1);
  gst_buffer_unref (buf);

  for (guint round = 0; round < 300; round++) {
    PacketSpec s = {
      .pt = g_test_rand_int_range (0, 128),
      .marker = g_test_rand_bit (),
      .seq = g_test_rand_int_range (0, 65536),
      .ts = g_test_rand_int (),
      .ssrc = g_test_rand_int (),
      .csrc_count = g_test_rand_int_range (0, 16),
      .pad_len = g_test_rand_bit () ? g_test_rand_int_range (1, 40) : 0,
      .payload_len = g_test_rand_int_range (0, 300),
      .ext_kind = g_test_rand_int_range (0, 3),
      .appbits = g_test_rand_int_range (0, 16),
    };
    guint n_ext = s.ext_kind ? g_test_rand_int_range (1, 15) : 0;

    /* GStreamer refuses what would look like RTCP SR..APP (PT 72..76
     * with the marker), as RFC 5761 reserves them. */
    if (s.marker && s.pt >= 72 && s.pt <= 76)
      s.pt = 96;

    buf = gst_build_rtp (&s, n_ext);
    compare_with_gst (buf, n_ext, s.ext_kind);
    gst_buffer_unref (buf);
  }
}

static void
test_parse_rejects (void)
{
  guint8 pkt[40] = { 0x80, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3 };
  RelayRtpPacket p;

  g_assert_true (relay_rtp_packet_parse (&p, pkt, 12));
  g_assert_cmpuint (p.payload_len, ==, 0);
  g_assert_false (relay_rtp_packet_parse (&p, pkt, 11));
  g_assert_false (relay_rtp_packet_parse (&p, NULL, 0));

  pkt[0] = 0x40; /* version 1 */
  g_assert_false (relay_rtp_packet_parse (&p, pkt, 20));
  pkt[0] = 0x82; /* two CSRCs need 20 bytes */
  g_assert_false (relay_rtp_packet_parse (&p, pkt, 19));
  g_assert_true (relay_rtp_packet_parse (&p, pkt, 20));

  /* Extension header truncated, then its length past the end. */
  pkt[0] = 0x90;
  g_assert_false (relay_rtp_packet_parse (&p, pkt, 15));
  pkt[12] = 0xbe, pkt[13] = 0xde, pkt[14] = 0, pkt[15] = 2;
  g_assert_false (relay_rtp_packet_parse (&p, pkt, 23));
  g_assert_true (relay_rtp_packet_parse (&p, pkt, 24));
  g_assert_cmpuint (p.ext_len, ==, 8);

  /* Padding: count 0, count past the payload, count exactly the payload. */
  pkt[0] = 0xa0;
  pkt[19] = 0;
  g_assert_false (relay_rtp_packet_parse (&p, pkt, 20));
  pkt[19] = 9;
  g_assert_false (relay_rtp_packet_parse (&p, pkt, 20));
  pkt[19] = 8;
  g_assert_true (relay_rtp_packet_parse (&p, pkt, 20));
  g_assert_cmpuint (p.payload_len, ==, 0);
  g_assert_cmpuint (p.padding_len, ==, 8);
  g_assert_false (relay_rtp_packet_parse (&p, pkt, 12)); /* P set, no room */
}

static gboolean
lookup (const guint8 *ext, gsize ext_len, guint16 profile, guint8 id, const guint8 **d, gsize *l)
{
  RelayRtpPacket p = { .ext_profile = profile, .ext_data = ext, .ext_len = ext_len };
  return relay_rtp_packet_get_extension (&p, id, d, l);
}

static void
test_extension_edges (void)
{
  /* padding, id 1 (2 bytes), padding x2, id 2 (1 byte), id 15, then id 3 */
  const guint8 one[] = { 0x00, 0x11, 0xaa, 0xbb, 0x00, 0x00, 0x20, 0xcc, 0xf0, 0x30, 0xdd, 0 };
  /* id 1 len 0, padding, id 200 len 3, then an element running past */
  const guint8 two[] = { 0x01, 0x00, 0x00, 200, 3, 1, 2, 3, 7, 9, 0, 0 };
  const guint8 *d;
  gsize l;

  g_assert_true (lookup (one, sizeof one, 0xbede, 1, &d, &l));
  g_assert_cmpuint (l, ==, 2);
  g_assert_cmpuint (d[0], ==, 0xaa);
  g_assert_true (lookup (one, sizeof one, 0xbede, 2, &d, &l));
  g_assert_cmpuint (l, ==, 1);
  g_assert_cmpuint (d[0], ==, 0xcc);
  g_assert_false (lookup (one, sizeof one, 0xbede, 3, &d, &l)); /* after id 15 */
  g_assert_false (lookup (one, sizeof one, 0xbede, 15, &d, &l));
  g_assert_false (lookup (one, sizeof one, 0xbede, 0, &d, &l));
  g_assert_false (lookup (one, 3, 0xbede, 1, &d, &l)); /* element past the end */
  g_assert_false (lookup (one, sizeof one, 0x1234, 1, &d, &l)); /* unknown profile */

  g_assert_true (lookup (two, sizeof two, 0x1000, 1, &d, &l));
  g_assert_cmpuint (l, ==, 0);
  g_assert_true (lookup (two, sizeof two, 0x100f, 200, &d, &l));
  g_assert_cmpuint (l, ==, 3);
  g_assert_cmpuint (d[2], ==, 3);
  g_assert_false (lookup (two, sizeof two, 0x1000, 7, &d, &l));
  g_assert_false (lookup (two, sizeof two, 0x1000, 8, &d, &l));
}

static void
test_audio_level_transport_seq (void)
{
  const guint8 ext[] = { 0x10, 0x85, 0x31, 0x12, 0x34, 0x00, 0x50, 0x7f };
  RelayRtpPacket p = { .ext_profile = 0xbede, .ext_data = ext, .ext_len = sizeof ext };
  guint8 level;
  gboolean voice;
  guint16 seq;

  g_assert_true (relay_rtp_packet_get_audio_level (&p, 1, &level, &voice));
  g_assert_cmpuint (level, ==, 5);
  g_assert_true (voice);
  g_assert_true (relay_rtp_packet_get_audio_level (&p, 5, &level, &voice));
  g_assert_cmpuint (level, ==, 127);
  g_assert_false (voice);
  g_assert_true (relay_rtp_packet_get_transport_seq (&p, 3, &seq));
  g_assert_cmpuint (seq, ==, 0x1234);
  g_assert_false (relay_rtp_packet_get_transport_seq (&p, 1, &seq)); /* one byte only */
  g_assert_false (relay_rtp_packet_get_transport_seq (&p, 4, &seq));
}

static void
test_classify (void)
{
  static const struct {
    guint8 b0, b1;
    RelayDatagramKind kind;
  } cases[] = {
    { 0, 1, RELAY_DATAGRAM_STUN },   { 3, 0, RELAY_DATAGRAM_STUN },
    { 4, 0, RELAY_DATAGRAM_UNKNOWN }, { 19, 0, RELAY_DATAGRAM_UNKNOWN },
    { 20, 0, RELAY_DATAGRAM_DTLS },  { 22, 254, RELAY_DATAGRAM_DTLS },
    { 63, 0, RELAY_DATAGRAM_DTLS },  { 64, 0, RELAY_DATAGRAM_UNKNOWN },
    { 127, 0, RELAY_DATAGRAM_UNKNOWN }, { 128, 96, RELAY_DATAGRAM_RTP },
    { 0x90, 0xe0, RELAY_DATAGRAM_RTP }, /* PT 96 with marker */
    { 0x80, 191, RELAY_DATAGRAM_RTP }, { 0x80, 192, RELAY_DATAGRAM_RTCP },
    { 0x80, 200, RELAY_DATAGRAM_RTCP }, { 0x81, 201, RELAY_DATAGRAM_RTCP },
    { 0x8f, 206, RELAY_DATAGRAM_RTCP }, { 0x80, 207, RELAY_DATAGRAM_RTCP },
    { 0x80, 223, RELAY_DATAGRAM_RTCP }, { 0x80, 224, RELAY_DATAGRAM_RTP },
    { 191, 200, RELAY_DATAGRAM_RTCP }, { 192, 200, RELAY_DATAGRAM_UNKNOWN },
    { 255, 0, RELAY_DATAGRAM_UNKNOWN },
  };
  guint8 one = 0x80;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    guint8 d[2] = { cases[i].b0, cases[i].b1 };
    g_assert_cmpint (relay_datagram_classify (d, 2), ==, cases[i].kind);
  }
  g_assert_cmpint (relay_datagram_classify (NULL, 0), ==, RELAY_DATAGRAM_UNKNOWN);
  g_assert_cmpint (relay_datagram_classify (&one, 1), ==, RELAY_DATAGRAM_UNKNOWN);
}

static void
test_rtx_restore (void)
{
  PacketSpec orig_spec = { 96, TRUE, 4000, 123456, 0xaaaa0001, 2, 0, 50, 1, 0 };
  PacketSpec rtx_spec = orig_spec;
  GstBuffer *orig = gst_build_rtp (&orig_spec, 2), *rtx;
  g_autoptr (GBytes) orig_bytes = gst_buffer_to_bytes (orig);
  g_autoptr (GBytes) rtx_bytes = NULL;
  GstRTPBuffer r = GST_RTP_BUFFER_INIT;
  RelayRtpPacket p, back;
  guint8 *payload, *out;
  gsize rtx_len, orig_len, n;
  const guint8 *orig_data = g_bytes_get_data (orig_bytes, &orig_len);

  /* The RTX packet: same header fields except pt/ssrc/seq, the OSN then
   * the original payload, and padding of its own. */
  rtx_spec.pt = 97;
  rtx_spec.ssrc = 0xbbbb0002;
  rtx_spec.seq = 17;
  rtx_spec.payload_len = 52;
  rtx_spec.pad_len = 3;
  rtx = gst_build_rtp (&rtx_spec, 2);
  g_assert_true (gst_rtp_buffer_map (rtx, GST_MAP_READWRITE, &r));
  payload = gst_rtp_buffer_get_payload (&r);
  payload[0] = 4000 >> 8;
  payload[1] = 4000 & 0xff;
  for (guint i = 0; i < 50; i++)
    payload[2 + i] = (guint8) (i * 7 + 1);
  gst_rtp_buffer_unmap (&r);
  rtx_bytes = gst_buffer_to_bytes (rtx);

  g_assert_true (relay_rtp_packet_parse (&p, g_bytes_get_data (rtx_bytes, &rtx_len), g_bytes_get_size (rtx_bytes)));
  g_assert_cmpuint (p.padding_len, ==, 3);
  out = g_malloc (p.len);
  n = relay_rtx_restore (&p, 96, 0xaaaa0001, out);
  g_assert_cmpmem (out, n, orig_data, orig_len);
  g_assert_true (relay_rtp_packet_parse (&back, out, n));
  g_assert_cmpuint (back.seq, ==, 4000);
  g_assert_true (back.marker);
  g_assert_true (relay_rtp_packet_get_extension (&back, 2, NULL, NULL));

  /* In place works too: out may be the RTX packet's own buffer. */
  g_free (out);
  out = g_memdup2 (p.data, p.len);
  g_assert_true (relay_rtp_packet_parse (&p, out, rtx_len));
  n = relay_rtx_restore (&p, 96, 0xaaaa0001, out);
  g_assert_cmpmem (out, n, orig_data, orig_len);

  /* One payload byte is not an OSN. */
  g_assert_true (relay_rtp_packet_parse (&p, out, 12 + 8 + 12 + 1));
  p.payload_len = 1;
  g_assert_cmpuint (relay_rtx_restore (&p, 96, 1, out), ==, 0);

  g_free (out);
  gst_buffer_unref (orig);
  gst_buffer_unref (rtx);
}

static void
test_seq_newer (void)
{
  g_assert_true (relay_seq_newer (1, 0));
  g_assert_true (relay_seq_newer (0, 65535));
  g_assert_true (relay_seq_newer (100, 65000));
  g_assert_false (relay_seq_newer (65535, 0));
  g_assert_false (relay_seq_newer (5, 5));
  g_assert_false (relay_seq_newer (0, 0x8000));
}

static void
parse_everything (const guint8 *data, gsize len)
{
  RelayRtpPacket p;
  const guint8 *d;
  gsize l;
  guint8 level;
  gboolean voice;
  guint16 seq;

  relay_datagram_classify (data, len);
  if (!relay_rtp_packet_parse (&p, data, len))
    return;
  g_assert_true (p.payload >= data && p.payload + p.payload_len + p.padding_len == data + len);
  if (p.ext_data)
    g_assert_true (p.ext_data >= data && p.ext_data + p.ext_len <= p.payload);
  for (guint id = 0; id < 256; id++) {
    if (relay_rtp_packet_get_extension (&p, id, &d, &l))
      g_assert_true (d >= p.ext_data && d + l <= p.ext_data + p.ext_len);
  }
  relay_rtp_packet_get_audio_level (&p, 1, &level, &voice);
  relay_rtp_packet_get_transport_seq (&p, 3, &seq);
  if (p.payload_len >= 2) {
    guint8 *out = g_malloc (len);
    gsize n = relay_rtx_restore (&p, 96, 1, out);
    g_assert_cmpuint (n, ==, len - p.padding_len - 2);
    g_free (out);
  }
}

static void
test_fuzz (void)
{
  PacketSpec s = { 96, TRUE, 1, 2, 3, 1, 4, 20, 1, 0 };
  GstBuffer *b1 = gst_build_rtp (&s, 5), *b2;
  g_autoptr (GBytes) seed1 = gst_buffer_to_bytes (b1);
  g_autoptr (GBytes) seed2 = NULL;

  s.ext_kind = 2;
  b2 = gst_build_rtp (&s, 5);
  seed2 = gst_buffer_to_bytes (b2);

  for (guint round = 0; round < 5000; round++) {
    gsize len;
    guint8 *buf;

    if (round % 3 != 2) {
      GBytes *seed = round % 3 == 0 ? seed1 : seed2;
      gsize seed_len;
      const guint8 *seed_data = g_bytes_get_data (seed, &seed_len);

      len = g_test_rand_int_range (0, seed_len + 1);
      buf = g_memdup2 (seed_data, MAX (len, 1));
      for (guint k = g_test_rand_int_range (0, 6); k > 0 && len > 0; k--)
        buf[g_test_rand_int_range (0, len)] = g_test_rand_int_range (0, 256);
    } else {
      len = g_test_rand_int_range (0, 120);
      buf = g_malloc (MAX (len, 1));
      for (gsize i = 0; i < len; i++)
        buf[i] = g_test_rand_int_range (0, 256);
      if (len > 0)
        buf[0] = (buf[0] & 0x3f) | 0x80;
    }
    parse_everything (buf, len);
    g_free (buf);
  }
  gst_buffer_unref (b1);
  gst_buffer_unref (b2);
}

int
main (int argc, char **argv)
{
  int ret;

  gst_init (NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rtp/parse/vs-gst", test_parse_vs_gst);
  g_test_add_func ("/rtp/parse/rejects", test_parse_rejects);
  g_test_add_func ("/rtp/extension/edges", test_extension_edges);
  g_test_add_func ("/rtp/extension/audio-level-transport-seq", test_audio_level_transport_seq);
  g_test_add_func ("/rtp/classify", test_classify);
  g_test_add_func ("/rtp/rtx-restore", test_rtx_restore);
  g_test_add_func ("/rtp/seq-newer", test_seq_newer);
  g_test_add_func ("/rtp/fuzz", test_fuzz);
  ret = g_test_run ();
  gst_deinit ();
  return ret;
}
