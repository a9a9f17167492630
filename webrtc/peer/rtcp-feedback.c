#include "webrtc/peer/rtcp-feedback.h"

#include "webrtc/rtcp/rtcp-fir.h"
#include "webrtc/rtcp/rtcp-nack.h"
#include "webrtc/rtcp/rtcp-pli.h"
#include "webrtc/rtcp/rtcp-remb.h"
#include "webrtc/rtcp/rtcp-sender-report.h"
#include "webrtc/rtcp/rtcp-xr.h"

void
relay_rtcp_feedback_write_reports (GByteArray *out, guint32 local_ssrc, RelayReceiveStats *video,
                                   RelayReceiveStats *audio, gint64 now_us)
{
  RelayRtcpReportBlock blocks[2];
  guint n = 0;
  if (video)
    relay_receive_stats_fill_report_block (video, now_us, &blocks[n++]);
  if (audio)
    relay_receive_stats_fill_report_block (audio, now_us, &blocks[n++]);
  /* RFC 3550: a compound packet starts with SR or RR, even an empty one. */
  relay_rtcp_receiver_report_write (out, local_ssrc, blocks, n);
  /* A receive-only peer learns its RTT only through RRTR/DLRR. */
  relay_rtcp_xr_rrtr_write (out, local_ssrc, relay_ntp_now ());
}

void
relay_rtcp_feedback_split (const guint8 *data, gsize len, gsize max_datagram,
                           RelayRtcpDatagramFunc send, gpointer user_data)
{
  RelayRtcpIter iter;
  RelayRtcpHeader header;
  const guint8 *start = data;
  gsize taken = 0;
  relay_rtcp_iter_init (&iter, data, len);
  while (relay_rtcp_iter_next (&iter, &header))
    {
      /* The packet with its padding: up to where the next one starts. */
      gsize packet_len = (gsize) (iter.cursor - header.data);
      if (taken > 0 && taken + packet_len > max_datagram)
        {
          send (start, taken, user_data);
          start = header.data;
          taken = 0;
        }
      taken += packet_len;
    }
  if (taken > 0)
    send (start, taken, user_data);
}

void
relay_rtcp_feedback_write_remb (GByteArray *out, guint32 local_ssrc, guint64 bitrate_bps,
                                guint32 video_ssrc, guint32 audio_ssrc)
{
  guint32 ssrcs[2];
  guint n = 0;
  if (video_ssrc)
    ssrcs[n++] = video_ssrc;
  if (audio_ssrc)
    ssrcs[n++] = audio_ssrc;
  if (out->len == 0)
    relay_rtcp_receiver_report_write (out, local_ssrc, NULL, 0);
  relay_rtcp_remb_write (out, local_ssrc, bitrate_bps, ssrcs, n);
}

void
relay_rtcp_feedback_write_nack (GByteArray *out, guint32 local_ssrc, guint32 media_ssrc,
                                const guint16 *seqs, guint n)
{
  /* Reduced-size RTCP (RFC 5506) is what browsers negotiate; feedback goes
   * out alone without a leading RR to keep it small and immediate. */
  relay_rtcp_nack_write (out, local_ssrc, media_ssrc, seqs, n);
}

void
relay_rtcp_feedback_write_keyframe_request (GByteArray *out, const RelaySdpMedia *video,
                                            guint32 local_ssrc, guint32 media_ssrc,
                                            guint8 *fir_seq)
{
  if (video && !video->fb_nack_pli && video->fb_ccm_fir)
    relay_rtcp_fir_write (out, local_ssrc, media_ssrc, (*fir_seq)++);
  else
    relay_rtcp_pli_write (out, local_ssrc, media_ssrc);
}

gboolean
relay_rtcp_feedback_read (const guint8 *data, gsize len, gint64 now_us, guint32 local_ssrc,
                          RelayReceiveStats *video, RelayReceiveStats *audio, guint *rtt_ms)
{
  RelayRtcpIter iter;
  RelayRtcpHeader header;
  gboolean have_rtt = FALSE;
  relay_rtcp_iter_init (&iter, data, len);
  while (relay_rtcp_iter_next (&iter, &header))
    {
      if (header.packet_type == RELAY_RTCP_SR)
        {
          RelayRtcpSenderInfo info;
          guint n_blocks;
          if (!relay_rtcp_sender_report_parse (&header, &info, NULL, 0, &n_blocks))
            continue;
          if (video && relay_receive_stats_get_ssrc (video) == info.ssrc)
            relay_receive_stats_on_sender_report (video, info.ntp_timestamp, now_us);
          else if (audio && relay_receive_stats_get_ssrc (audio) == info.ssrc)
            relay_receive_stats_on_sender_report (audio, info.ntp_timestamp, now_us);
        }
      else if (header.packet_type == RELAY_RTCP_XR)
        {
          guint rtt;
          if (relay_rtcp_xr_dlrr_rtt (&header, local_ssrc, relay_ntp_now (), &rtt))
            {
              *rtt_ms = rtt;
              have_rtt = TRUE;
            }
        }
    }
  return have_rtt;
}
