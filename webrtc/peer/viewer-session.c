#include "webrtc/peer/viewer-session.h"

#include <string.h>

#include "webrtc/base/session-refusals.h"
#include "webrtc/base/log.h"
#include "webrtc/base/random-id.h"
#include "webrtc/peer/peer-session.h"
#include "webrtc/peer/webrtc-transport.h"
#include "webrtc/rtcp/rtcp-nack.h"
#include "webrtc/rtcp/rtcp-pli.h"
#include "webrtc/rtcp/rtcp-sender-report.h"
#include "webrtc/rtp/latency-histogram.h"
#include "webrtc/rtp/nack-responder.h"
#include "webrtc/rtp/packet-cache.h"
#include "webrtc/rtp/rtp-rewriter.h"
#include "webrtc/srtp/srtp-session.h"

#define TICK_MS 1000
/* What a viewer's worker may have waiting from the publisher's: 1,024
 * packets, or 1.2 MB of RTP (RELAY_PACKET_CHANNEL_BYTES_FOR), about 10 s of
 * 720p video; past that the oldest are dropped (channel_dropped). */
#define CHANNEL_CAPACITY 1024
/* The retransmission cache keeps 1 s of packets: a NACK answered later
 * than that arrives after a browser's jitter buffer gave up on the frame
 * (Janus keeps 500 ms by default). It starts at 128 slots, ~1 s of a
 * keyframe-bursty 600 kbit/s province, and grows with the stream (a 1080p
 * mosaic needs several times that). */
#define CACHE_INITIAL_SLOTS 128
#define CACHE_MAX_SLOTS 2048
#define CACHE_MAX_AGE_MS 1000
#define KEYFRAME_ASK_EVERY_US (1 * G_USEC_PER_SEC)

struct _RelayViewerSession {
  RelayPeerSession peer; /* first: see peer-session.h */
  char *viewer;
  char *source;
  char *log_id;
  RelayViewerSettings settings;
  /* The owner's callbacks run under callbacks_lock, and close() clears them
   * under it: once close() has returned nothing calls the owner, which may
   * then go away (the WHEP endpoint does at shutdown, while a DTLS
   * handshake may still complete on the worker). */
  GMutex callbacks_lock;
  RelayViewerCallbacks callbacks;
  gpointer user_data;
  RelayPacketChannel *channel;

  /* Worker-thread state. */
  GSource *tick;
  gint64 created_us;
  gint64 last_rtcp_us;
  gint64 last_keyframe_ask_us;
  guint32 audio_ssrc, video_ssrc;
  RelayRtpRewriter *audio_rw, *video_rw;
  RelayPacketCache *cache;
  RelayNackResponder *resend; /* what the viewer's NACKs may make us resend */
  gint rtt_ms;
  guint64 bytes_sent, nacks_received, retransmitted, plis_received, dropped_waiting;
  guint64 codec_mismatch;
  RelayLatencyHistogram forward_latency;

  GMutex lock; /* snapshot */
  RelayViewerSnapshot snapshot;
};

G_STATIC_ASSERT (G_STRUCT_OFFSET (RelayViewerSession, peer) == 0);

RelayViewerSession *
relay_viewer_session_ref (RelayViewerSession *self)
{
  relay_peer_session_ref (&self->peer);
  return self;
}

void
relay_viewer_session_unref (RelayViewerSession *self)
{
  if (self)
    relay_peer_session_unref (&self->peer);
}

const char *
relay_viewer_session_get_id (RelayViewerSession *self)
{
  return self->peer.id;
}

const char *
relay_viewer_session_get_source (RelayViewerSession *self)
{
  return self->source;
}

const char *
relay_viewer_session_get_viewer (RelayViewerSession *self)
{
  return self->viewer;
}

RelayPacketChannel *
relay_viewer_session_get_channel (RelayViewerSession *self)
{
  return self->channel;
}

char *
relay_viewer_session_dup_etag (RelayViewerSession *self)
{
  return relay_peer_session_dup_etag (&self->peer);
}

void
relay_viewer_session_get_snapshot (RelayViewerSession *self, RelayViewerSnapshot *snapshot)
{
  g_mutex_lock (&self->lock);
  *snapshot = self->snapshot;
  g_mutex_unlock (&self->lock);
}

/* ---- media out ---------------------------------------------------------- */

static gboolean
connected (RelayViewerSession *self)
{
  return !self->peer.closed && self->peer.transport
         && relay_webrtc_transport_get_state (self->peer.transport) == RELAY_TRANSPORT_CONNECTED;
}

static void
send_plain_rtp (RelayViewerSession *self, const guint8 *data, gsize len)
{
  guint8 buf[RELAY_PACKET_CACHE_MTU + RELAY_SRTP_MAX_TRAILER];
  if (len > RELAY_PACKET_CACHE_MTU)
    return;
  memcpy (buf, data, len);
  if (relay_webrtc_transport_send_rtp (self->peer.transport, buf, len))
    self->bytes_sent += len;
}

static void
notify_keyframe_request (RelayViewerSession *self)
{
  g_mutex_lock (&self->callbacks_lock);
  if (self->callbacks.keyframe_request)
    self->callbacks.keyframe_request (self, self->user_data);
  g_mutex_unlock (&self->callbacks_lock);
}

static void
ask_for_keyframe (RelayViewerSession *self, gint64 now)
{
  if (now - self->last_keyframe_ask_us < KEYFRAME_ASK_EVERY_US)
    return;
  self->last_keyframe_ask_us = now;
  notify_keyframe_request (self);
}

static void
on_channel_packet (const RelayChannelPacket *pkt, gpointer data)
{
  RelayViewerSession *self = data;
  if (!connected (self))
    return;
  RelayRtpPacket in;
  if (!relay_rtp_packet_parse (&in, pkt->data, pkt->len))
    return;
  RelayRtpRewriter *rw;
  if (pkt->kind == RELAY_FORWARD_AUDIO)
    rw = self->audio_rw;
  else
    {
      RelayCodec wanted = pkt->kind == RELAY_FORWARD_H264 ? RELAY_CODEC_H264 : RELAY_CODEC_VP8;
      if (self->peer.offer->video && self->peer.offer->video->codec != wanted)
        {
          /* The publisher came back with another codec than this viewer
           * negotiated: nothing it could decode. */
          if (self->codec_mismatch++ == 0)
            relay_warn (self->log_id, "publisher now sends %s, viewer negotiated %s",
                        relay_codec_name (wanted),
                        relay_codec_name (self->peer.offer->video->codec));
          return;
        }
      rw = self->video_rw;
    }
  if (!rw)
    return;
  guint8 out[RELAY_PACKET_CACHE_MTU + RELAY_SRTP_MAX_TRAILER];
  gsize len = 0;
  if (pkt->len > RELAY_PACKET_CACHE_MTU)
    return;
  gint64 now = g_get_monotonic_time ();
  switch (relay_rtp_rewriter_rewrite (rw, &in, pkt->keyframe, pkt->arrival_us, out, &len))
    {
    case RELAY_REWRITE_FORWARD:
      if (rw == self->video_rw)
        relay_packet_cache_store (self->cache, (out[2] << 8) | out[3], out, len, now);
      if (relay_webrtc_transport_send_rtp (self->peer.transport, out, len))
        {
          self->bytes_sent += len;
          if (rw == self->video_rw)
            relay_nack_responder_on_forwarded (self->resend, len);
          gint64 latency_us = g_get_monotonic_time () - pkt->arrival_us;
          relay_latency_histogram_record (&self->forward_latency, latency_us);
          relay_metrics_histogram_observe_us (self->settings.forwarding_latency, latency_us);
        }
      break;
    case RELAY_REWRITE_DROP_WAITING:
      /* Joined mid-GOP or the publisher switched: a keyframe ends the wait. */
      self->dropped_waiting++;
      ask_for_keyframe (self, now);
      break;
    case RELAY_REWRITE_DROP_OLD:
      break;
    }
}

/* ---- RTCP --------------------------------------------------------------- */

static void
answer_nack (RelayViewerSession *self, const RelayRtcpHeader *header)
{
  g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (guint16));
  guint32 sender, media;
  guint left_out = 0;
  if (!self->resend
      || !relay_rtcp_nack_parse (header, &sender, &media, seqs,
                                 relay_nack_responder_get_max_seqs (self->resend), &left_out)
      || media != self->video_ssrc)
    return;
  self->nacks_received++;
  relay_nack_responder_on_excess (self->resend, left_out);
  if (self->rtt_ms >= 0)
    relay_nack_responder_set_rtt (self->resend, (guint) self->rtt_ms);
  gint64 now = g_get_monotonic_time ();
  for (guint i = 0; i < seqs->len; i++)
    {
      guint16 seq = g_array_index (seqs, guint16, i);
      gsize len;
      const guint8 *stored = relay_packet_cache_lookup (self->cache, seq, now, &len);
      if (!stored || relay_nack_responder_check (self->resend, seq, len, now) != RELAY_NACK_RESEND)
        continue;
      send_plain_rtp (self, stored, len);
      self->retransmitted++;
    }
}

static void
on_rtcp (guint8 *buf, gsize len, gint64 now, gpointer data)
{
  RelayViewerSession *self = data;
  self->last_rtcp_us = now;
  RelayRtcpIter iter;
  RelayRtcpHeader header;
  relay_rtcp_iter_init (&iter, buf, len);
  while (relay_rtcp_iter_next (&iter, &header))
    {
      if (header.packet_type == RELAY_RTCP_RTPFB && header.count == 1)
        answer_nack (self, &header);
      else if (header.packet_type == RELAY_RTCP_PSFB && (header.count == 1 || header.count == 4))
        {
          self->plis_received++;
          /* Every request is passed on; the publisher side rate-limits. */
          self->last_keyframe_ask_us = now;
          notify_keyframe_request (self);
        }
      else if (header.packet_type == RELAY_RTCP_RR || header.packet_type == RELAY_RTCP_SR)
        {
          RelayRtcpReportBlock blocks[4];
          guint n = 0;
          guint32 sender;
          RelayRtcpSenderInfo info;
          gboolean ok = header.packet_type == RELAY_RTCP_RR
                            ? relay_rtcp_receiver_report_parse (&header, &sender, blocks, 4, &n)
                            : relay_rtcp_sender_report_parse (&header, &info, blocks, 4, &n);
          for (guint i = 0; ok && i < n; i++)
            {
              gint rtt = relay_rtcp_report_block_rtt_ms (&blocks[i], relay_ntp_now ());
              if (rtt >= 0 && (blocks[i].ssrc == self->video_ssrc || blocks[i].ssrc == self->audio_ssrc))
                self->rtt_ms = rtt;
            }
        }
    }
}

static void
send_sender_reports (RelayViewerSession *self, gint64 now)
{
  g_autoptr (GByteArray) out = g_byte_array_sized_new (128);
  RelayRtpRewriter *rws[] = { self->video_rw, self->audio_rw };
  for (guint i = 0; i < G_N_ELEMENTS (rws); i++)
    {
      RelayRtcpSenderInfo info = { 0 };
      if (!rws[i] || !relay_rtp_rewriter_timestamp_at (rws[i], now, &info.rtp_timestamp))
        continue;
      info.ssrc = relay_rtp_rewriter_get_ssrc (rws[i]);
      info.ntp_timestamp = relay_ntp_now ();
      info.packet_count = (guint32) relay_rtp_rewriter_get_packets (rws[i]);
      info.octet_count = (guint32) relay_rtp_rewriter_get_octets (rws[i]);
      relay_rtcp_sender_report_write (out, &info, NULL, 0);
    }
  if (out->len == 0)
    return;
  guint len = out->len;
  g_byte_array_set_size (out, len + RELAY_SRTP_MAX_TRAILER);
  relay_webrtc_transport_send_rtcp (self->peer.transport, out->data, len);
}

/* ---- lifecycle ---------------------------------------------------------- */

static void viewer_end (RelayViewerSession *self, const char *reason);

static void
update_snapshot (RelayViewerSession *self)
{
  RelayTransportStats ts;
  relay_webrtc_transport_get_stats (self->peer.transport, &ts);
  g_mutex_lock (&self->lock);
  RelayViewerSnapshot *s = &self->snapshot;
  g_strlcpy (s->remote_address, ts.remote_address, sizeof s->remote_address);
  s->rtt_ms = self->rtt_ms;
  s->video_packets = self->video_rw ? relay_rtp_rewriter_get_packets (self->video_rw) : 0;
  s->audio_packets = self->audio_rw ? relay_rtp_rewriter_get_packets (self->audio_rw) : 0;
  s->bytes_sent = self->bytes_sent;
  s->nacks_received = self->nacks_received;
  s->retransmitted = self->retransmitted;
  if (self->resend)
    {
      RelayNackResponderCounts c;
      relay_nack_responder_get_counts (self->resend, &c);
      s->resend_refused_repeat = c.refused_repeat;
      s->resend_refused_budget = c.refused_budget;
      s->resend_refused_excess = c.refused_excess;
    }
  s->plis_received = self->plis_received;
  s->dropped_waiting_keyframe = self->dropped_waiting;
  s->channel_dropped = relay_packet_channel_get_dropped (self->channel);
  s->retransmission_cache_slots = self->cache ? relay_packet_cache_get_capacity (self->cache) : 0;
  s->forward_p50_us = relay_latency_histogram_percentile (&self->forward_latency, 50);
  s->forward_p99_us = relay_latency_histogram_percentile (&self->forward_latency, 99);
  s->forward_max_us = self->forward_latency.total ? self->forward_latency.max_us : -1;
  g_mutex_unlock (&self->lock);
}

static gboolean
on_tick (gpointer data)
{
  RelayViewerSession *self = data;
  if (self->peer.closed)
    return G_SOURCE_REMOVE;
  gint64 now = g_get_monotonic_time ();
  update_snapshot (self);
  if (connected (self))
    send_sender_reports (self, now);
  /* Once connected, RTCP is the viewer's sign of life, also while ICE
   * checks again (consent lost, an ICE restart): a viewer that neither
   * reports nor comes back within the timeout is gone. */
  if (self->last_rtcp_us)
    {
      if (now - self->last_rtcp_us > (gint64) self->settings.media_timeout_ms * 1000)
        viewer_end (self, "no RTCP from the viewer");
    }
  else if (now - self->created_us > (gint64) self->settings.connect_timeout_s * G_USEC_PER_SEC)
    {
      if (!self->peer.closed)
        relay_session_refusals_note (RELAY_SESSION_REFUSAL_CONNECT_TIMEOUT);
      viewer_end (self, "never connected");
    }
  return self->peer.closed ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void
on_transport_state (RelayTransportState state, const char *reason, gpointer data)
{
  RelayViewerSession *self = data;
  if (state == RELAY_TRANSPORT_CONNECTED)
    {
      self->last_rtcp_us = g_get_monotonic_time ();
      relay_info (self->log_id, "viewer %s connected", self->viewer);
      g_mutex_lock (&self->callbacks_lock);
      if (self->callbacks.connected)
        self->callbacks.connected (self, self->user_data);
      g_mutex_unlock (&self->callbacks_lock);
      /* Start on a keyframe rather than wait for the next one. */
      ask_for_keyframe (self, self->last_rtcp_us);
    }
  else if (state == RELAY_TRANSPORT_FAILED || state == RELAY_TRANSPORT_CLOSED)
    viewer_end (self, reason ? reason : "transport closed");
}

static void
viewer_end (RelayViewerSession *self, const char *reason)
{
  if (self->peer.closed)
    return;
  /* The owner unsubscribes and closes; closed() is the last callback. */
  g_mutex_lock (&self->callbacks_lock);
  if (self->callbacks.closed)
    self->callbacks.closed (self, reason, self->user_data);
  self->callbacks.closed = NULL;
  self->callbacks.keyframe_request = NULL;
  self->callbacks.connected = NULL;
  g_mutex_unlock (&self->callbacks_lock);
}

static void
teardown_on_worker (RelayPeerSession *peer)
{
  RelayViewerSession *self = (RelayViewerSession *) peer;
  if (self->channel)
    relay_packet_channel_close (self->channel);
  if (self->tick)
    {
      g_source_destroy (self->tick);
      g_clear_pointer (&self->tick, g_source_unref);
    }
  g_clear_pointer (&self->peer.transport, relay_webrtc_transport_free);
  g_clear_pointer (&self->video_rw, relay_rtp_rewriter_free);
  g_clear_pointer (&self->audio_rw, relay_rtp_rewriter_free);
  g_clear_pointer (&self->cache, relay_packet_cache_free);
  g_clear_pointer (&self->resend, relay_nack_responder_free);
}

static gboolean
build_session (RelayPeerSession *peer, char **answer, GError **error)
{
  RelayViewerSession *self = (RelayViewerSession *) peer;
  static const RelayTransportCallbacks callbacks = {
    .rtcp = on_rtcp,
    .state_changed = on_transport_state,
  };
  RelaySdpOffer *offer = self->peer.offer;
  if (!relay_peer_session_open_transport (&self->peer, self->log_id, &callbacks, self, error))
    return FALSE;
  if (offer->audio)
    {
      self->audio_ssrc = relay_random_ssrc ();
      self->audio_rw = relay_rtp_rewriter_new (self->audio_ssrc, 48000, offer->audio->payload_type,
                                               FALSE);
    }
  if (offer->video)
    {
      self->video_ssrc = relay_random_ssrc ();
      self->video_rw = relay_rtp_rewriter_new (self->video_ssrc, 90000, offer->video->payload_type,
                                               TRUE);
      self->cache = relay_packet_cache_new_growing (CACHE_INITIAL_SLOTS, CACHE_MAX_SLOTS,
                                                    CACHE_MAX_AGE_MS);
      self->resend = relay_nack_responder_new (NULL);
    }
  g_autofree char *cname = g_strdup_printf ("briefing-relay-%s", self->source);
  RelaySdpAnswerParams params = {
    .audio_ssrc = self->audio_ssrc,
    .video_ssrc = self->video_ssrc,
    .cname = cname,
  };
  *answer = relay_peer_session_build_answer (&self->peer, &params);
  self->channel = relay_packet_channel_new (relay_worker_get_context (self->settings.worker),
                                            CHANNEL_CAPACITY,
                                            RELAY_PACKET_CHANNEL_BYTES_FOR (CHANNEL_CAPACITY),
                                            on_channel_packet, self);
  self->tick = relay_worker_add_timeout (self->settings.worker, TICK_MS, on_tick, self, NULL);
  return TRUE;
}

static void
finalize (RelayPeerSession *peer)
{
  RelayViewerSession *self = (RelayViewerSession *) peer;
  g_clear_pointer (&self->channel, relay_packet_channel_unref);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->callbacks_lock);
  g_free (self->viewer);
  g_free (self->source);
  g_free (self->log_id);
}

static const RelayPeerSessionClass viewer_class = {
  .build = build_session,
  .teardown = teardown_on_worker,
  .finalize = finalize,
};

void
relay_viewer_session_create_async (const char *viewer_name, const char *source,
                                   RelaySdpOffer *offer, const RelayViewerSettings *settings,
                                   const RelayViewerCallbacks *callbacks, gpointer user_data,
                                   GMainContext *reply_context, RelayViewerReadyFunc ready,
                                   gpointer ready_data)
{
  RelayViewerSession *self = g_new0 (RelayViewerSession, 1);
  self->settings = *settings;
  if (!self->settings.connect_timeout_s)
    self->settings.connect_timeout_s = 10;
  relay_peer_session_init (&self->peer, &viewer_class, settings->worker, settings->certificate,
                           &self->settings.ice, offer);
  g_mutex_init (&self->lock);
  g_mutex_init (&self->callbacks_lock);
  self->viewer = g_strdup (viewer_name);
  self->source = g_strdup (source);
  self->log_id = g_strdup_printf ("%s>%s", source, viewer_name);
  self->callbacks = *callbacks;
  self->user_data = user_data;
  self->created_us = g_get_monotonic_time ();
  self->rtt_ms = -1;
  self->snapshot.started_unix_us = g_get_real_time ();
  self->snapshot.rtt_ms = -1;
  self->snapshot.forward_p50_us = self->snapshot.forward_p99_us = -1;
  self->snapshot.forward_max_us = -1;

  relay_peer_session_create_async (&self->peer, reply_context, (RelayPeerSessionReadyFunc) ready,
                                   ready_data);
}

void
relay_viewer_session_close (RelayViewerSession *self)
{
  /* Waits for a callback running on the worker, if any, to return. */
  g_mutex_lock (&self->callbacks_lock);
  self->callbacks.closed = NULL;
  self->callbacks.keyframe_request = NULL;
  self->callbacks.connected = NULL;
  g_mutex_unlock (&self->callbacks_lock);
  relay_peer_session_close (&self->peer);
}

void
relay_viewer_session_patch_async (RelayViewerSession *self, RelaySdpFragment *fragment,
                                  GMainContext *reply_context, RelayViewerPatchFunc done,
                                  gpointer user_data)
{
  relay_peer_session_patch_async (&self->peer, fragment, reply_context,
                                  (RelayPeerSessionPatchFunc) done, user_data);
}
