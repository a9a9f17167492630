#include "webrtc/rtp/receive-stream.h"

#include "webrtc/rtp/nack-generator.h"
#include "webrtc/rtp/rtp-codec-info.h"

struct _RelayReceiveStream {
  RelayReceiveStreamConfig config;
  /* NULL until the first packet: the stream follows no SSRC yet. */
  RelayReceiveStats *stats;
  RelayNackGenerator *nack; /* NULL unless config.nack */
  guint64 rtx_packets;
  /* Where an RTX packet's original is rebuilt; the RelayReceivedPacket
   * handed out points here. */
  guint8 restored[RELAY_PACKET_CACHE_MTU];
};

RelayReceiveStream *
relay_receive_stream_new (const RelayReceiveStreamConfig *config)
{
  g_return_val_if_fail (config != NULL && config->clock_rate > 0, NULL);
  RelayReceiveStream *stream = g_new0 (RelayReceiveStream, 1);
  stream->config = *config;
  if (config->nack)
    stream->nack = relay_nack_generator_new ();
  return stream;
}

void
relay_receive_stream_free (RelayReceiveStream *stream)
{
  if (stream == NULL)
    return;
  g_clear_pointer (&stream->stats, relay_receive_stats_free);
  g_clear_pointer (&stream->nack, relay_nack_generator_free);
  g_free (stream);
}

/* A media packet, as received or restored. */
static void
on_media (RelayReceiveStream *stream, const RelayRtpPacket *packet, gint64 now_us,
          gboolean retransmission, RelayReceivedPacket *received)
{
  *received = (RelayReceivedPacket) { .packet = *packet, .retransmission = retransmission };
  /* A restored packet carries the SSRC followed, so only an original can
   * start a new stream. */
  if (stream->stats == NULL || packet->ssrc != relay_receive_stats_get_ssrc (stream->stats))
    {
      g_clear_pointer (&stream->stats, relay_receive_stats_free);
      stream->stats = relay_receive_stats_new (packet->ssrc, stream->config.clock_rate);
      if (stream->nack)
        relay_nack_generator_reset (stream->nack);
      received->new_ssrc = TRUE;
    }
  relay_receive_stats_on_packet (stream->stats, packet->seq, packet->timestamp, packet->len, now_us,
                                 retransmission);
  if (stream->nack && relay_nack_generator_on_packet (stream->nack, packet->seq, now_us))
    received->keyframe_needed = TRUE;
  received->keyframe
      = relay_rtp_payload_is_keyframe (stream->config.codec, packet->payload, packet->payload_len);
}

gboolean
relay_receive_stream_receive (RelayReceiveStream *stream, const RelayRtpPacket *packet,
                              gint64 now_us, RelayReceivedPacket *received)
{
  g_return_val_if_fail (stream != NULL && packet != NULL && received != NULL, FALSE);
  if (packet->payload_type == stream->config.payload_type)
    {
      on_media (stream, packet, now_us, FALSE, received);
      return TRUE;
    }
  if (stream->config.rtx_payload_type < 0 || packet->payload_type != stream->config.rtx_payload_type)
    return FALSE;
  /* A retransmission means nothing before we know which stream it
   * repairs. */
  if (stream->stats == NULL || packet->len > sizeof stream->restored)
    return FALSE;
  gsize n = relay_rtx_restore (packet, stream->config.payload_type,
                               relay_receive_stats_get_ssrc (stream->stats), stream->restored);
  RelayRtpPacket original;
  /* Empty RTX packets are bandwidth probes, not retransmissions. */
  if (n == 0 || !relay_rtp_packet_parse (&original, stream->restored, n)
      || original.payload_len == 0)
    return FALSE;
  stream->rtx_packets++;
  on_media (stream, &original, now_us, TRUE, received);
  return TRUE;
}

void
relay_receive_stream_set_rtt (RelayReceiveStream *stream, guint rtt_ms)
{
  g_return_if_fail (stream != NULL);
  if (stream->nack)
    relay_nack_generator_set_rtt (stream->nack, rtt_ms);
}

guint
relay_receive_stream_collect_nacks (RelayReceiveStream *stream, gint64 now_us, guint16 *seqs,
                                    guint max)
{
  g_return_val_if_fail (stream != NULL, 0);
  if (stream->nack == NULL || stream->stats == NULL)
    return 0;
  return relay_nack_generator_collect (stream->nack, now_us, seqs, max);
}

guint32
relay_receive_stream_get_ssrc (RelayReceiveStream *stream)
{
  return stream && stream->stats ? relay_receive_stats_get_ssrc (stream->stats) : 0;
}

RelayReceiveStats *
relay_receive_stream_get_stats (RelayReceiveStream *stream)
{
  return stream ? stream->stats : NULL;
}

void
relay_receive_stream_get_figures (RelayReceiveStream *stream, RelayReceiveStreamFigures *figures)
{
  g_return_if_fail (figures != NULL);
  *figures = (RelayReceiveStreamFigures) { .jitter_ms = -1 };
  if (stream == NULL)
    return;
  figures->rtx_packets = stream->rtx_packets;
  figures->nacked_seqs = stream->nack ? relay_nack_generator_get_nacked (stream->nack) : 0;
  if (stream->stats == NULL)
    return;
  figures->packets = relay_receive_stats_get_packets (stream->stats);
  figures->bytes = relay_receive_stats_get_bytes (stream->stats);
  figures->lost = relay_receive_stats_get_lost (stream->stats);
  /* Jitter is kept in RTP clock units (90 kHz video, 48 kHz Opus). */
  figures->jitter_ms = relay_receive_stats_get_jitter (stream->stats)
                       / (stream->config.clock_rate / 1000.0);
}
