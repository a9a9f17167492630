/* The key-frame requests a publisher session writes: PLI when the offer
 * negotiated it, FIR otherwise, and each media sender's FIR sequence number
 * its own (RFC 5104 4.3.1.1), however many publishers ask at once. */
#include <glib.h>

#include "webrtc/peer/rtcp-feedback.h"
#include "webrtc/rtcp/rtcp-fir.h"
#include "webrtc/rtcp/rtcp-nack.h"
#include "webrtc/rtcp/rtcp-pli.h"

/* Writes one key-frame request and gives the FIR's sequence number, or -1
 * when a PLI went out instead. */
static int
keyframe_request_seq (const RelaySdpMedia *video, guint32 media_ssrc, guint8 *fir_seq)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  relay_rtcp_feedback_write_keyframe_request (out, video, 1, media_ssrc, fir_seq);
  RelayRtcpIter iter;
  RelayRtcpHeader h;
  relay_rtcp_iter_init (&iter, out->data, out->len);
  g_assert_true (relay_rtcp_iter_next (&iter, &h));
  guint32 sender, media;
  guint8 seq;
  if (relay_rtcp_pli_parse (&h, &sender, &media))
    {
      g_assert_cmpuint (media, ==, media_ssrc);
      return -1;
    }
  g_assert_true (relay_rtcp_fir_parse (&h, &sender, &media, &seq));
  g_assert_cmpuint (media, ==, media_ssrc);
  g_assert_false (relay_rtcp_iter_next (&iter, &h));
  return seq;
}

static void
test_pli_when_negotiated (void)
{
  RelaySdpMedia video = { 0 };
  video.fb_nack_pli = TRUE;
  video.fb_ccm_fir = TRUE;
  guint8 seq = 0;
  g_assert_cmpint (keyframe_request_seq (&video, 0xabc, &seq), ==, -1);
  g_assert_cmpuint (seq, ==, 0);
  /* Nothing negotiated: PLI anyway, the request every browser takes. */
  RelaySdpMedia bare = { 0 };
  g_assert_cmpint (keyframe_request_seq (&bare, 0xabc, &seq), ==, -1);
  g_assert_cmpint (keyframe_request_seq (NULL, 0xabc, &seq), ==, -1);
}

static void
test_fir_seq_per_sender (void)
{
  RelaySdpMedia video = { 0 };
  video.fb_ccm_fir = TRUE;
  guint8 a = 0, b = 0;
  /* Two publishers asked in turn: each counts its own requests, so a
   * sender never sees a number skipped or repeated (RFC 5104: a repeated
   * number is a retransmission and is ignored). */
  for (int i = 0; i < 5; i++)
    {
      g_assert_cmpint (keyframe_request_seq (&video, 0xa, &a), ==, i);
      g_assert_cmpint (keyframe_request_seq (&video, 0xb, &b), ==, i);
    }
  g_assert_cmpint (keyframe_request_seq (&video, 0xa, &a), ==, 5);
  /* The 8-bit number wraps. */
  guint8 c = 255;
  g_assert_cmpint (keyframe_request_seq (&video, 0xc, &c), ==, 255);
  g_assert_cmpint (keyframe_request_seq (&video, 0xc, &c), ==, 0);
}

typedef struct {
  GArray *sizes; /* gsize */
  gsize total;
} Datagrams;

static void
record_datagram (const guint8 *data, gsize len, gpointer user_data)
{
  Datagrams *d = user_data;
  g_array_append_val (d->sizes, len);
  d->total += len;
}

/* A compound of NACK packets of `pairs` PID/BLP pairs each (12 + 4 * pairs
 * bytes). */
static void
append_nack (GByteArray *out, guint pairs)
{
  g_autofree guint16 *seqs = g_new (guint16, pairs);
  for (guint i = 0; i < pairs; i++)
    seqs[i] = (guint16) (i * 100);
  relay_rtcp_nack_write (out, 1, 2, seqs, pairs);
}

static void
test_split_under_mtu (void)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  /* Three packets of 1,012 bytes: one datagram each, never two together. */
  for (guint i = 0; i < 3; i++)
    append_nack (out, 250);
  g_assert_cmpuint (out->len, ==, 3 * 1012);
  Datagrams d = { g_array_new (FALSE, FALSE, sizeof (gsize)), 0 };
  relay_rtcp_feedback_split (out->data, out->len, RELAY_RTCP_FEEDBACK_MAX_DATAGRAM,
                             record_datagram, &d);
  g_assert_cmpuint (d.sizes->len, ==, 3);
  for (guint i = 0; i < d.sizes->len; i++)
    g_assert_cmpuint (g_array_index (d.sizes, gsize, i), ==, 1012);
  g_assert_cmpuint (d.total, ==, out->len);

  /* Small ones travel together up to the limit: 28-byte packets, 42 of
   * them per 1,176-byte datagram. */
  g_byte_array_set_size (out, 0);
  g_array_set_size (d.sizes, 0);
  d.total = 0;
  for (guint i = 0; i < 100; i++)
    append_nack (out, 4);
  relay_rtcp_feedback_split (out->data, out->len, RELAY_RTCP_FEEDBACK_MAX_DATAGRAM,
                             record_datagram, &d);
  g_assert_cmpuint (d.total, ==, 100 * 28);
  for (guint i = 0; i < d.sizes->len; i++)
    g_assert_cmpuint (g_array_index (d.sizes, gsize, i), <=, RELAY_RTCP_FEEDBACK_MAX_DATAGRAM);
  g_assert_cmpuint (d.sizes->len, ==, 3);

  /* A packet over the limit goes alone, whole. */
  g_byte_array_set_size (out, 0);
  g_array_set_size (d.sizes, 0);
  d.total = 0;
  append_nack (out, 4);
  append_nack (out, 400);
  append_nack (out, 4);
  relay_rtcp_feedback_split (out->data, out->len, RELAY_RTCP_FEEDBACK_MAX_DATAGRAM,
                             record_datagram, &d);
  g_assert_cmpuint (d.sizes->len, ==, 3);
  g_assert_cmpuint (g_array_index (d.sizes, gsize, 1), ==, 12 + 4 * 400);
  g_array_unref (d.sizes);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rtcp-feedback/pli-when-negotiated", test_pli_when_negotiated);
  g_test_add_func ("/rtcp-feedback/fir-seq-per-sender", test_fir_seq_per_sender);
  g_test_add_func ("/rtcp-feedback/split-under-mtu", test_split_under_mtu);
  return g_test_run ();
}
