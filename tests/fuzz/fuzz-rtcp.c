/* libFuzzer harness: one compound RTCP datagram after SRTCP decryption,
 * walked as the relay walks it (webrtc/rtcp/rtcp-packet.c's iterator), each
 * packet given to every parser of relay/rtcp (SR, RR with report blocks
 * and round trip, NACK with the viewer's limit, PLI, FIR, REMB, XR DLRR),
 * then the whole datagram to the publisher's reader
 * (webrtc/peer/rtcp-feedback.c) with receive statistics that match its
 * first sender. Checks that each packet the iterator yields lies in the
 * datagram and that no parser reports more than it was given room for. */
#include "tests/fuzz/fuzz-common.h"

#include "webrtc/peer/rtcp-feedback.h"
#include "webrtc/rtcp/rtcp-fir.h"
#include "webrtc/rtcp/rtcp-nack.h"
#include "webrtc/rtcp/rtcp-packet.h"
#include "webrtc/rtcp/rtcp-pli.h"
#include "webrtc/rtcp/rtcp-receiver-report.h"
#include "webrtc/rtcp/rtcp-remb.h"
#include "webrtc/rtcp/rtcp-sender-report.h"
#include "webrtc/rtcp/rtcp-xr.h"
#include "webrtc/rtp/receive-stats.h"

/* What a viewer's NACK responder reads of one NACK (webrtc/rtp/nack-responder). */
#define MAX_NACK_SEQS 256

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

static void
parse_one (const RelayRtcpHeader *h, guint64 now_ntp)
{
  guint32 sender, media;
  RelayRtcpReportBlock blocks[4];
  guint n = G_MAXUINT;

  if (relay_rtcp_receiver_report_parse (h, &sender, blocks, G_N_ELEMENTS (blocks), &n))
    {
      FUZZ_CHECK (n <= G_N_ELEMENTS (blocks));
      for (guint i = 0; i < n; i++)
        relay_rtcp_report_block_rtt_ms (&blocks[i], now_ntp);
    }
  RelayRtcpSenderInfo info;
  n = G_MAXUINT;
  if (relay_rtcp_sender_report_parse (h, &info, blocks, G_N_ELEMENTS (blocks), &n))
    FUZZ_CHECK (n <= G_N_ELEMENTS (blocks));
  relay_rtcp_sender_report_parse (h, &info, NULL, 0, &n);

  g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (guint16));
  guint left_out = 0;
  if (relay_rtcp_nack_parse (h, &sender, &media, seqs, MAX_NACK_SEQS, &left_out))
    FUZZ_CHECK (seqs->len <= MAX_NACK_SEQS);

  relay_rtcp_pli_parse (h, &sender, &media);
  guint8 fir_seq;
  relay_rtcp_fir_parse (h, &sender, &media, &fir_seq);

  guint64 bitrate;
  guint32 ssrcs[8];
  n = G_MAXUINT;
  if (relay_rtcp_remb_parse (h, &bitrate, ssrcs, G_N_ELEMENTS (ssrcs), &n))
    FUZZ_CHECK (n <= G_N_ELEMENTS (ssrcs));

  /* The DLRR sub-block must name our SSRC: take the first one's. */
  guint rtt;
  guint32 ours = h->len >= 16 ? relay_read_be32 (h->data + 12) : 0;
  relay_rtcp_xr_dlrr_rtt (h, ours, now_ntp, &rtt);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  guint64 now_ntp = relay_ntp_now ();
  guint32 first_sender = 0;
  RelayRtcpIter iter;
  RelayRtcpHeader h;

  relay_rtcp_iter_init (&iter, data, size);
  while (relay_rtcp_iter_next (&iter, &h))
    {
      FUZZ_CHECK (h.data >= data && h.len >= 4 && h.len <= size);
      FUZZ_CHECK ((gsize) (h.data - data) <= size - h.len);
      fuzz_touch (h.data, h.len);
      if (first_sender == 0 && h.len >= 8)
        first_sender = relay_read_be32 (h.data + 4);
      parse_one (&h, now_ntp);
    }

  g_autoptr (RelayReceiveStats) video = relay_receive_stats_new (first_sender, 90000);
  g_autoptr (RelayReceiveStats) audio = relay_receive_stats_new (first_sender ^ 1, 48000);
  guint rtt_ms;
  relay_rtcp_feedback_read (data, size, g_get_monotonic_time (), first_sender, video, audio,
                            &rtt_ms);
  return 0;
}
