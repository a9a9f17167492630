/* What an office sends, judged without decoding it: the picture size of
 * VP8 keyframes and H.264 SPSes (checked against GStreamer's own H.264
 * parser on real and mangled SPSes), the frame rate from RTP timestamps,
 * and the policer's way from within the limits to asked down, refused
 * and back, with explicit times. */
#include <glib.h>
/* The reference parser's API is marked unstable; only this test uses it. */
#define GST_USE_UNSTABLE_API
#include <gst/codecparsers/gsth264parser.h>
#include <string.h>

#include "webrtc/rtp/h264-sps.h"
#include "webrtc/peer/ingest-policer.h"
#include "webrtc/rtp/rtp-codec-info.h"

#define MS 1000
#define SECOND (1000 * MS)

/* ---- H.264 SPS ---------------------------------------------------------- */

/* SPSes written by x264 (through GStreamer and FFmpeg), NAL header first:
 * the profiles a camera, OBS or a browser may use, frame cropping (360 and
 * 1080 are not multiples of 16), interlacing, 4:2:2 and 4:4:4, and
 * scaling matrices. */
static const struct {
  const char *hex;
  guint width, height;
} real_sps[] = {
  { "6742c01ed900a02ff97016a0c0c0d4a0000003002000000791e2c5c9", 640, 360 },
  { "6742c01ed900a02fea6c05a830303528000003000800000301e478b17240", 638, 358 },
  { "67640028acd940780227e5c05a808080a0000003002000000791e30632c0", 1920, 1080 },
  { "677a001fbcd9405005bb016a02020280000003008000001e478c18cb", 1280, 720 },
  { "6764001facd940b4126c05a830303528000003000800000301e478c18cb0", 720, 576 },
  { "6764001facd9405005bb0110000003001000000303c0f1831960", 1280, 720 },
  { "6764001facd940d43db0110000030001000003003c0f183196", 848, 480 },
  { "67f4001e90d9b281405ff1380b50606064000003000400000300f23c58b658", 640, 360 },
  { "67f4002890d9b280f0044fc4e02d40404050000003001000000303c8f1831960", 1920, 1080 },
  { "67f4001f90d9b280a00b7602d40404050000030001000003003c8f183196", 1280, 720 },
  { "67f4000d90d9b282833f1b80b506060640000003004000000f23c50a6580", 320, 180 },
  { "67f4002a919b280f0044fc4e0220000003002000000f01e30632c0", 1920, 1080 },
};

static GBytes *
from_hex (const char *hex)
{
  gsize n = strlen (hex) / 2;
  guint8 *out = g_malloc (n);
  for (gsize i = 0; i < n; i++)
    out[i] = (g_ascii_xdigit_value (hex[2 * i]) << 4) | g_ascii_xdigit_value (hex[2 * i + 1]);
  return g_bytes_new_take (out, n);
}

/* GStreamer's parser, as the reference: TRUE with the displayed size. */
static gboolean
reference_size (const guint8 *nal, gsize len, guint *width, guint *height)
{
  GstH264NalParser *parser = gst_h264_nal_parser_new ();
  GstH264NalUnit nalu;
  GstH264SPS sps;
  gboolean ok = FALSE;
  /* identify_nalu_avc reads a length prefix: give it one. */
  g_autofree guint8 *prefixed = g_malloc (len + 4);
  prefixed[0] = len >> 24;
  prefixed[1] = len >> 16;
  prefixed[2] = len >> 8;
  prefixed[3] = len;
  memcpy (prefixed + 4, nal, len);
  if (gst_h264_parser_identify_nalu_avc (parser, prefixed, 0, len + 4, 4, &nalu)
          == GST_H264_PARSER_OK
      && nalu.type == GST_H264_NAL_SPS
      && gst_h264_parser_parse_sps (parser, &nalu, &sps) == GST_H264_PARSER_OK)
    {
      ok = TRUE;
      *width = sps.frame_cropping_flag ? (guint) sps.crop_rect_width : (guint) sps.width;
      *height = sps.frame_cropping_flag ? (guint) sps.crop_rect_height : (guint) sps.height;
      gst_h264_sps_clear (&sps);
    }
  gst_h264_nal_parser_free (parser);
  return ok;
}

static void
test_sps_real (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (real_sps); i++)
    {
      g_autoptr (GBytes) b = from_hex (real_sps[i].hex);
      gsize len;
      const guint8 *nal = g_bytes_get_data (b, &len);
      guint w = 0, h = 0, rw = 0, rh = 0;
      g_assert_true (relay_h264_sps_parse_size (nal, len, &w, &h));
      g_assert_cmpuint (w, ==, real_sps[i].width);
      g_assert_cmpuint (h, ==, real_sps[i].height);
      g_assert_true (reference_size (nal, len, &rw, &rh));
      g_assert_cmpuint (rw, ==, w);
      g_assert_cmpuint (rh, ==, h);
    }
}

/* Every prefix, and random bit flips: never a read past the end (ASan),
 * and whenever GStreamer's parser reads a size, the same size. */
static void
test_sps_mangled (void)
{
  GRand *rand = g_rand_new_with_seed (7);
  guint compared = 0;
  for (guint i = 0; i < G_N_ELEMENTS (real_sps); i++)
    {
      g_autoptr (GBytes) b = from_hex (real_sps[i].hex);
      gsize len;
      const guint8 *nal = g_bytes_get_data (b, &len);
      guint w, h;
      for (gsize cut = 0; cut < len; cut++)
        relay_h264_sps_parse_size (nal, cut, &w, &h);
      for (guint round = 0; round < 3000; round++)
        {
          g_autofree guint8 *copy = g_memdup2 (nal, len);
          guint flips = g_rand_int_range (rand, 1, 4);
          for (guint f = 0; f < flips; f++)
            {
              /* The header byte stays an SPS's. */
              guint bit = g_rand_int_range (rand, 8, len * 8);
              copy[bit / 8] ^= 0x80 >> (bit % 8);
            }
          guint rw, rh;
          gboolean ours = relay_h264_sps_parse_size (copy, len, &w, &h);
          if (reference_size (copy, len, &rw, &rh) && rw > 0 && rh > 0 && rw <= 16384
              && rh <= 16384)
            {
              g_assert_true (ours);
              g_assert_cmpuint (w, ==, rw);
              g_assert_cmpuint (h, ==, rh);
              compared++;
            }
        }
    }
  g_rand_free (rand);
  /* Most flips land in the VUI, which leaves the size alone. */
  g_assert_cmpuint (compared, >, 1000);
}

static void
test_sps_refused (void)
{
  guint w, h;
  static const guint8 pps[] = { 0x68, 0xce, 0x3c, 0x80 };
  static const guint8 empty[] = { 0x67 };
  g_assert_false (relay_h264_sps_parse_size (pps, sizeof pps, &w, &h));
  g_assert_false (relay_h264_sps_parse_size (empty, sizeof empty, &w, &h));
  g_assert_false (relay_h264_sps_parse_size (NULL, 0, &w, &h));
  /* Profile, flags and level, and nothing after them. */
  static const guint8 cut[] = { 0x67, 0x42, 0xc0, 0x1e };
  g_assert_false (relay_h264_sps_parse_size (cut, sizeof cut, &w, &h));
  /* 40 leading zeros: no field is that large. */
  static const guint8 zeros[] = { 0x67, 0x42, 0xc0, 0x1e, 0, 0, 0, 0, 0, 0x80 };
  g_assert_false (relay_h264_sps_parse_size (zeros, sizeof zeros, &w, &h));
  /* A 20000-pixel-wide picture (1250 macroblocks). */
  static const guint8 huge[] = { 0x67, 0x42, 0xc0, 0x1e, 0xdc, 0x00, 0x4e, 0x2e, 0x80 };
  g_assert_false (relay_h264_sps_parse_size (huge, sizeof huge, &w, &h));
  /* The same with 40 macroblocks is read. */
  static const guint8 fine[] = { 0x67, 0x42, 0xc0, 0x1e, 0xdc, 0x0a, 0x3a };
  g_assert_true (relay_h264_sps_parse_size (fine, sizeof fine, &w, &h));
  g_assert_cmpuint (w, ==, 640);
  g_assert_cmpuint (h, ==, 16);
}

/* ---- sizes from RTP payloads -------------------------------------------- */

/* A VP8 RTP payload starting a keyframe of w x h: RFC 7741 descriptor with
 * a 15-bit picture id, then RFC 6386 frame tag, start code and size. */
static gsize
vp8_keyframe_payload (guint8 *out, guint w, guint h, gboolean key)
{
  guint8 p[] = { 0x90, 0x80, 0x81, 0x23, /* X S, I, M + picture id */
                 key ? 0x50 : 0x51, 0x2b, 0x01, 0x9d, 0x01, 0x2a,
                 w & 0xff, (w >> 8) & 0x3f, h & 0xff, (h >> 8) & 0x3f, 0x00, 0x00 };
  memcpy (out, p, sizeof p);
  return sizeof p;
}

static void
test_payload_sizes (void)
{
  guint8 p[64];
  guint w = 0, h = 0;
  gsize n = vp8_keyframe_payload (p, 640, 360, TRUE);
  g_assert_true (relay_rtp_payload_get_frame_size (RELAY_CODEC_VP8, p, n, &w, &h));
  g_assert_cmpuint (w, ==, 640);
  g_assert_cmpuint (h, ==, 360);
  g_assert_true (relay_rtp_payload_is_keyframe (RELAY_CODEC_VP8, p, n));
  /* A delta frame, a packet that does not start the frame, a truncated
   * one, a broken start code: no size. */
  n = vp8_keyframe_payload (p, 640, 360, FALSE);
  g_assert_false (relay_rtp_payload_get_frame_size (RELAY_CODEC_VP8, p, n, &w, &h));
  n = vp8_keyframe_payload (p, 640, 360, TRUE);
  p[0] &= ~0x10;
  g_assert_false (relay_rtp_payload_get_frame_size (RELAY_CODEC_VP8, p, n, &w, &h));
  n = vp8_keyframe_payload (p, 640, 360, TRUE);
  for (gsize cut = 0; cut < 14; cut++)
    g_assert_false (relay_rtp_payload_get_frame_size (RELAY_CODEC_VP8, p, cut, &w, &h));
  p[8] = 0;
  g_assert_false (relay_rtp_payload_get_frame_size (RELAY_CODEC_VP8, p, n, &w, &h));

  /* H.264: an SPS alone, and inside a STAP-A with its PPS. */
  g_autoptr (GBytes) b = from_hex (real_sps[2].hex);
  gsize len;
  const guint8 *sps = g_bytes_get_data (b, &len);
  g_assert_true (relay_rtp_payload_get_frame_size (RELAY_CODEC_H264, sps, len, &w, &h));
  g_assert_cmpuint (w, ==, 1920);
  g_assert_cmpuint (h, ==, 1080);
  guint8 stap[128];
  gsize off = 0;
  stap[off++] = 0x18;
  stap[off++] = 0;
  stap[off++] = 4;
  memcpy (stap + off, (const guint8[]){ 0x68, 0xce, 0x3c, 0x80 }, 4);
  off += 4;
  stap[off++] = len >> 8;
  stap[off++] = len & 0xff;
  memcpy (stap + off, sps, len);
  off += len;
  w = h = 0;
  g_assert_true (relay_rtp_payload_get_frame_size (RELAY_CODEC_H264, stap, off, &w, &h));
  g_assert_cmpuint (w, ==, 1920);
  /* A STAP-A whose SPS runs past the packet is not read. */
  g_assert_false (relay_rtp_payload_get_frame_size (RELAY_CODEC_H264, stap, off - 1, &w, &h));
  g_assert_false (relay_rtp_payload_get_frame_size (RELAY_CODEC_OPUS, stap, off, &w, &h));
}

/* ---- the policer ---------------------------------------------------------- */

typedef struct {
  RelayIngestPolicer *p;
  gint64 now;
  guint32 ts;
  guint width, height;
  double fps;
  guint64 frames;
  guint state_changes;
} Sender;

static void
sender_init (Sender *s, const RelayIngestLimits *limits, guint w, guint h, double fps)
{
  memset (s, 0, sizeof *s);
  s->p = relay_ingest_policer_new (limits, 600, "TH-50");
  s->now = 1000 * SECOND;
  s->ts = 0xfffe0000u; /* wraps during the test */
  s->width = w;
  s->height = h;
  s->fps = fps;
}

/* Sends `seconds` of video: a keyframe every second (its first packet
 * with the size), three packets per frame, the last frame's packet resent
 * now and then (same old timestamp), ticking every 500 ms. */
static void
run (Sender *s, double seconds)
{
  gint64 end = s->now + (gint64) (seconds * SECOND);
  gint64 frame_us = (gint64) (SECOND / s->fps);
  gint64 next_tick = s->now;
  while (s->now < end)
    {
      guint8 payload[64];
      gboolean key = s->frames % (guint64) (s->fps + 0.5) == 0;
      gsize n = vp8_keyframe_payload (payload, s->width, s->height, key);
      for (int packet = 0; packet < 3; packet++)
        {
          if (packet > 0)
            payload[0] &= ~0x10; /* not the frame's start */
          g_assert_true (relay_ingest_policer_admit (s->p, 1200, s->now));
          relay_ingest_policer_on_video (s->p, RELAY_CODEC_VP8, s->ts, payload, n, s->now);
        }
      if (s->frames % 7 == 3)
        relay_ingest_policer_on_video (s->p, RELAY_CODEC_VP8, s->ts - 6000, payload, n, s->now);
      s->frames++;
      s->ts += (guint32) (90000 / s->fps);
      s->now += frame_us;
      while (next_tick <= s->now)
        {
          if (relay_ingest_policer_tick (s->p, next_tick, 500))
            s->state_changes++;
          next_tick += 500 * MS;
        }
    }
}

static RelayIngestStatus
status_of (Sender *s)
{
  RelayIngestStatus st;
  relay_ingest_policer_get_status (s->p, &st);
  return st;
}

static void
test_within (void)
{
  RelayIngestLimits limits;
  relay_ingest_limits_init_default (&limits);
  Sender s;
  sender_init (&s, &limits, 640, 360, 15);
  run (&s, 20);
  RelayIngestStatus st = status_of (&s);
  g_assert_cmpint (st.state, ==, RELAY_INGEST_WITHIN);
  g_assert_cmpuint (st.width, ==, 640);
  g_assert_cmpuint (st.height, ==, 360);
  g_assert_cmpfloat_with_epsilon (st.fps, 15.0, 0.2);
  g_assert_cmpuint (st.remb_kbps, ==, 600);
  g_assert_cmpstr (st.reason, ==, "");
  g_assert_cmpuint (s.state_changes, ==, 0);
  g_assert_true (relay_ingest_policer_decoding (s.p));

  /* A phone held upright: 1080x1920 fits 1920x1080; so does 30 fps. */
  relay_ingest_policer_new_stream (s.p);
  s.width = 1080;
  s.height = 1920;
  s.fps = 30;
  run (&s, 10);
  st = status_of (&s);
  g_assert_cmpint (st.state, ==, RELAY_INGEST_WITHIN);
  g_assert_cmpuint (st.width, ==, 1080);
  g_assert_cmpfloat_with_epsilon (st.fps, 30.0, 0.5);
  relay_ingest_policer_free (s.p);
}

static void
test_oversized_packets (void)
{
  RelayIngestLimits limits;
  relay_ingest_limits_init_default (&limits);
  RelayIngestPolicer *p = relay_ingest_policer_new (&limits, 600, "TH-50");
  g_assert_true (relay_ingest_policer_admit (p, 1500, 0));
  g_assert_false (relay_ingest_policer_admit (p, 1501, 0));
  g_assert_false (relay_ingest_policer_admit (p, 9000, SECOND));
  g_assert_true (relay_ingest_policer_admit (p, 12, SECOND));
  RelayIngestStatus st;
  relay_ingest_policer_get_status (p, &st);
  g_assert_cmpuint (st.oversized_packets, ==, 2);
  g_assert_cmpuint (st.oversized_bytes, ==, 1501 + 9000);
  g_assert_cmpuint (st.largest_oversized, ==, 9000);
  /* Packets are not video: the state does not move. */
  g_assert_cmpint (st.state, ==, RELAY_INGEST_WITHIN);
  relay_ingest_policer_free (p);
}

/* 640x360 against a 320x180 limit: asked down at once (to a quarter: half
 * the width and height), lower every second, refused after the grace
 * period, decoded again once its keyframes fit. */
static void
test_too_large_then_refused_then_back (void)
{
  RelayIngestLimits limits;
  relay_ingest_limits_init_default (&limits);
  limits.max_width = 320;
  limits.max_height = 180;
  limits.grace_s = 5;
  Sender s;
  sender_init (&s, &limits, 640, 360, 15);
  /* Judged at the first tick after its first keyframe. */
  run (&s, 0.1);
  RelayIngestStatus st = status_of (&s);
  g_assert_cmpint (st.state, ==, RELAY_INGEST_OVER);
  g_assert_true (relay_ingest_policer_decoding (s.p));
  /* Its 500 kbit/s cut to the quarter of its pixels it may keep. */
  g_assert_cmpuint (st.remb_kbps, ==, 125);
  g_assert_cmpstr (st.reason, ==, "640x360 is over the 320x180 limit");
  guint asked = st.remb_kbps;

  run (&s, 3.9);
  st = status_of (&s);
  g_assert_cmpint (st.state, ==, RELAY_INGEST_OVER);
  g_assert_cmpuint (st.remb_kbps, <, asked);
  run (&s, 3);
  st = status_of (&s);
  g_assert_cmpint (st.state, ==, RELAY_INGEST_REFUSED);
  g_assert_false (relay_ingest_policer_decoding (s.p));
  g_assert_cmpuint (st.refusals, ==, 1);
  g_assert_cmpstr (st.reason, ==, "640x360 is over the 320x180 limit");
  run (&s, 20);
  st = status_of (&s);
  g_assert_cmpint (st.state, ==, RELAY_INGEST_REFUSED);
  g_assert_cmpuint (st.remb_kbps, ==, 50);
  g_assert_cmpuint (s.state_changes, ==, 2);

  /* The encoder gave in: its next keyframe is 320x180. */
  s.width = 320;
  s.height = 180;
  run (&s, 1.5);
  st = status_of (&s);
  g_assert_cmpint (st.state, ==, RELAY_INGEST_WITHIN);
  g_assert_true (relay_ingest_policer_decoding (s.p));
  g_assert_cmpstr (st.reason, ==, "");
  /* The REMB climbs back by a tenth of the target each second. */
  guint back = st.remb_kbps;
  g_assert_cmpuint (back, <, 200);
  run (&s, 3);
  g_assert_cmpuint (status_of (&s).remb_kbps, >, back);
  run (&s, 10);
  g_assert_cmpuint (status_of (&s).remb_kbps, ==, 600);
  relay_ingest_policer_free (s.p);
}

/* 60 fps against 30: over by its timestamps; back to 30 within the grace
 * period, it is never refused. */
static void
test_frame_rate (void)
{
  RelayIngestLimits limits;
  relay_ingest_limits_init_default (&limits);
  Sender s;
  sender_init (&s, &limits, 1280, 720, 60);
  run (&s, 3);
  RelayIngestStatus st = status_of (&s);
  g_assert_cmpint (st.state, ==, RELAY_INGEST_OVER);
  g_assert_cmpfloat_with_epsilon (st.fps, 60.0, 0.5);
  g_assert_cmpstr (st.reason, ==, "60.0 fps is over the 30 fps limit");
  g_assert_cmpuint (st.remb_kbps, <=, 250);
  s.fps = 30;
  run (&s, 3);
  st = status_of (&s);
  g_assert_cmpint (st.state, ==, RELAY_INGEST_WITHIN);
  g_assert_cmpuint (st.refusals, ==, 0);
  g_assert_true (relay_ingest_policer_decoding (s.p));
  relay_ingest_policer_free (s.p);
}

/* Refused video is only decoded again on evidence: a new stream whose
 * size and rate are not known yet stays refused until they are, and
 * fit. */
static void
test_refused_needs_evidence (void)
{
  RelayIngestLimits limits;
  relay_ingest_limits_init_default (&limits);
  limits.max_width = limits.max_height = 320;
  limits.grace_s = 2;
  Sender s;
  sender_init (&s, &limits, 640, 360, 15);
  run (&s, 4);
  g_assert_cmpint (status_of (&s).state, ==, RELAY_INGEST_REFUSED);
  relay_ingest_policer_new_stream (s.p);
  for (int i = 1; i <= 10; i++)
    relay_ingest_policer_tick (s.p, s.now + i * 500 * MS, 0);
  g_assert_cmpint (status_of (&s).state, ==, RELAY_INGEST_REFUSED);
  g_assert_cmpstr (status_of (&s).reason, ==, "640x360 is over the 320x320 limit");
  /* The decoder's size is not evidence once decoding stopped, and the
   * keyframes' size wins over it. */
  relay_ingest_policer_set_decoded_size (s.p, 160, 120);
  relay_ingest_policer_tick (s.p, s.now + 6 * SECOND, 0);
  g_assert_cmpint (status_of (&s).state, ==, RELAY_INGEST_REFUSED);
  s.now += 6 * SECOND;
  s.width = 320;
  s.height = 240;
  run (&s, 3);
  g_assert_cmpint (status_of (&s).state, ==, RELAY_INGEST_WITHIN);
  g_assert_cmpuint (status_of (&s).width, ==, 320);
  relay_ingest_policer_free (s.p);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* The policer warns about what it refuses, on purpose. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_test_add_func ("/ingest-policer/sps-real", test_sps_real);
  g_test_add_func ("/ingest-policer/sps-mangled", test_sps_mangled);
  g_test_add_func ("/ingest-policer/sps-refused", test_sps_refused);
  g_test_add_func ("/ingest-policer/payload-sizes", test_payload_sizes);
  g_test_add_func ("/ingest-policer/within", test_within);
  g_test_add_func ("/ingest-policer/oversized-packets", test_oversized_packets);
  g_test_add_func ("/ingest-policer/too-large-refused-back", test_too_large_then_refused_then_back);
  g_test_add_func ("/ingest-policer/frame-rate", test_frame_rate);
  g_test_add_func ("/ingest-policer/refused-needs-evidence", test_refused_needs_evidence);
  return g_test_run ();
}
