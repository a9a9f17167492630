#include "relay/peer/viewer-session.h"

#include <gio/gio.h>
#include <string.h>

#include "relay/log.h"
#include "relay/random-id.h"
#include "relay/peer/webrtc-transport.h"
#include "relay/rtcp/rtcp-nack.h"
#include "relay/rtcp/rtcp-pli.h"
#include "relay/rtcp/rtcp-sender-report.h"
#include "relay/rtp/latency-histogram.h"
#include "relay/rtp/packet-cache.h"
#include "relay/rtp/rtp-rewriter.h"
#include "relay/srtp/srtp-session.h"

#define TICK_MS 1000
#define CHANNEL_CAPACITY 1024
/* The retransmission cache starts at ~2 s of a 600 kbit/s province and
 * grows with the stream (a 1080p mosaic needs several times that). */
#define CACHE_INITIAL_SLOTS 128
#define CACHE_MAX_SLOTS 2048
#define CACHE_MAX_AGE_MS 2000
#define CONNECT_TIMEOUT_S 30
#define KEYFRAME_ASK_EVERY_US (1 * G_USEC_PER_SEC)

struct _RelayViewerSession {
  gint refcount;
  char *id;
  char *viewer;
  char *source;
  char *log_id;
  RelayViewerSettings settings;
  RelayDtlsCertificate *certificate;
  char **announced;
  char **interfaces;
  RelayViewerCallbacks callbacks;
  gpointer user_data;
  RelaySdpOffer *offer;
  RelayPacketChannel *channel;

  /* Worker-thread state. */
  RelayWebrtcTransport *transport;
  GSource *tick;
  gboolean closed;
  gint close_requested; /* atomic */
  gint64 created_us;
  gint64 last_rtcp_us;
  gint64 last_keyframe_ask_us;
  guint32 audio_ssrc, video_ssrc;
  RelayRtpRewriter *audio_rw, *video_rw;
  RelayPacketCache *cache;
  gint rtt_ms;
  guint64 bytes_sent, nacks_received, retransmitted, plis_received, dropped_waiting;
  guint64 codec_mismatch;
  RelayLatencyHistogram forward_latency;

  GMutex lock; /* etag and snapshot */
  char *etag;
  RelayViewerSnapshot snapshot;
};



RelayViewerSession *
relay_viewer_session_ref (RelayViewerSession *self)
{
  g_atomic_int_inc (&self->refcount);
  return self;
}

void
relay_viewer_session_unref (RelayViewerSession *self)
{
  if (!self || !g_atomic_int_dec_and_test (&self->refcount))
    return;
  g_assert (self->transport == NULL);
  relay_worker_release (self->settings.worker);
  g_clear_pointer (&self->channel, relay_packet_channel_unref);
  g_clear_pointer (&self->offer, relay_sdp_offer_free);
  g_clear_pointer (&self->certificate, relay_dtls_certificate_unref);
  g_strfreev (self->announced);
  g_strfreev (self->interfaces);
  g_mutex_clear (&self->lock);
  g_free (self->etag);
  g_free (self->id);
  g_free (self->viewer);
  g_free (self->source);
  g_free (self->log_id);
  g_free (self);
}

const char *
relay_viewer_session_get_id (RelayViewerSession *self)
{
  return self->id;
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
  g_mutex_lock (&self->lock);
  char *etag = g_strdup (self->etag);
  g_mutex_unlock (&self->lock);
  return etag;
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
  return !self->closed && self->transport
         && relay_webrtc_transport_get_state (self->transport) == RELAY_TRANSPORT_CONNECTED;
}

static void
send_plain_rtp (RelayViewerSession *self, const guint8 *data, gsize len)
{
  guint8 buf[RELAY_PACKET_CACHE_MTU + RELAY_SRTP_MAX_TRAILER];
  if (len > RELAY_PACKET_CACHE_MTU)
    return;
  memcpy (buf, data, len);
  if (relay_webrtc_transport_send_rtp (self->transport, buf, len))
    self->bytes_sent += len;
}

static void
ask_for_keyframe (RelayViewerSession *self, gint64 now)
{
  if (now - self->last_keyframe_ask_us < KEYFRAME_ASK_EVERY_US)
    return;
  self->last_keyframe_ask_us = now;
  if (self->callbacks.keyframe_request)
    self->callbacks.keyframe_request (self, self->user_data);
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
      if (self->offer->video && self->offer->video->codec != wanted)
        {
          /* The publisher came back with another codec than this viewer
           * negotiated: nothing it could decode. */
          if (self->codec_mismatch++ == 0)
            relay_warn (self->log_id, "publisher now sends %s, viewer negotiated %s",
                        relay_codec_name (wanted), relay_codec_name (self->offer->video->codec));
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
      if (relay_webrtc_transport_send_rtp (self->transport, out, len))
        {
          self->bytes_sent += len;
          relay_latency_histogram_record (&self->forward_latency,
                                          g_get_monotonic_time () - pkt->arrival_us);
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
  if (!relay_rtcp_nack_parse (header, &sender, &media, seqs) || media != self->video_ssrc)
    return;
  self->nacks_received++;
  gint64 now = g_get_monotonic_time ();
  for (guint i = 0; i < seqs->len; i++)
    {
      gsize len;
      const guint8 *stored
          = relay_packet_cache_lookup (self->cache, g_array_index (seqs, guint16, i), now, &len);
      if (!stored)
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
          if (self->callbacks.keyframe_request)
            self->callbacks.keyframe_request (self, self->user_data);
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
  relay_webrtc_transport_send_rtcp (self->transport, out->data, len);
}

/* ---- lifecycle ---------------------------------------------------------- */

static void viewer_end (RelayViewerSession *self, const char *reason);

static void
update_snapshot (RelayViewerSession *self)
{
  RelayTransportStats ts;
  relay_webrtc_transport_get_stats (self->transport, &ts);
  g_mutex_lock (&self->lock);
  RelayViewerSnapshot *s = &self->snapshot;
  g_strlcpy (s->remote_address, ts.remote_address, sizeof s->remote_address);
  s->rtt_ms = self->rtt_ms;
  s->video_packets = self->video_rw ? relay_rtp_rewriter_get_packets (self->video_rw) : 0;
  s->audio_packets = self->audio_rw ? relay_rtp_rewriter_get_packets (self->audio_rw) : 0;
  s->bytes_sent = self->bytes_sent;
  s->nacks_received = self->nacks_received;
  s->retransmitted = self->retransmitted;
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
  if (self->closed)
    return G_SOURCE_REMOVE;
  gint64 now = g_get_monotonic_time ();
  update_snapshot (self);
  if (connected (self))
    {
      send_sender_reports (self, now);
      if (now - self->last_rtcp_us > (gint64) self->settings.media_timeout_ms * 1000)
        viewer_end (self, "no RTCP from the viewer");
    }
  else if (now - self->created_us > CONNECT_TIMEOUT_S * G_USEC_PER_SEC)
    viewer_end (self, "never connected");
  return self->closed ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void
on_transport_state (RelayTransportState state, const char *reason, gpointer data)
{
  RelayViewerSession *self = data;
  if (state == RELAY_TRANSPORT_CONNECTED)
    {
      self->last_rtcp_us = g_get_monotonic_time ();
      relay_info (self->log_id, "viewer %s connected", self->viewer);
      /* Start on a keyframe rather than wait for the next one. */
      ask_for_keyframe (self, self->last_rtcp_us);
    }
  else if (state == RELAY_TRANSPORT_FAILED || state == RELAY_TRANSPORT_CLOSED)
    viewer_end (self, reason ? reason : "transport closed");
}

static void
viewer_end (RelayViewerSession *self, const char *reason)
{
  if (self->closed)
    return;
  /* The owner unsubscribes and closes; closed() is the last callback. */
  if (self->callbacks.closed)
    self->callbacks.closed (self, reason, self->user_data);
  self->callbacks.closed = NULL;
  self->callbacks.keyframe_request = NULL;
}

static void
teardown_on_worker (RelayViewerSession *self)
{
  self->closed = TRUE;
  if (self->channel)
    relay_packet_channel_close (self->channel);
  if (self->tick)
    {
      g_source_destroy (self->tick);
      g_clear_pointer (&self->tick, g_source_unref);
    }
  g_clear_pointer (&self->transport, relay_webrtc_transport_free);
  g_clear_pointer (&self->video_rw, relay_rtp_rewriter_free);
  g_clear_pointer (&self->audio_rw, relay_rtp_rewriter_free);
  g_clear_pointer (&self->cache, relay_packet_cache_free);
}

static gboolean
build_session (RelayViewerSession *self, char **answer, GError **error)
{
  static const RelayTransportCallbacks callbacks = {
    .rtcp = on_rtcp,
    .state_changed = on_transport_state,
  };
  RelaySdpOffer *offer = self->offer;
  self->transport = relay_webrtc_transport_new (self->settings.worker, &self->settings.ice,
                                                self->certificate, offer->fingerprint,
                                                self->log_id, &callbacks, self, error);
  if (!self->transport
      || !relay_webrtc_transport_set_remote (self->transport, offer->ice_ufrag, offer->ice_pwd,
                                             offer->candidates, error))
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
    }
  RelayIceAgent *ice = relay_webrtc_transport_get_ice (self->transport);
  g_auto (GStrv) candidates = relay_ice_agent_get_local_candidates (ice);
  g_autofree char *cname = g_strdup_printf ("briefing-relay-%s", self->source);
  RelaySdpAnswerParams params = {
    .ice_ufrag = relay_ice_agent_get_ufrag (ice),
    .ice_pwd = relay_ice_agent_get_pwd (ice),
    .fingerprint = relay_dtls_certificate_get_fingerprint (self->certificate),
    .candidates = (const char *const *) candidates,
    .audio_ssrc = self->audio_ssrc,
    .video_ssrc = self->video_ssrc,
    .cname = cname,
  };
  *answer = relay_sdp_answer_build (offer, &params);
  self->channel = relay_packet_channel_new (relay_worker_get_context (self->settings.worker),
                                            CHANNEL_CAPACITY, on_channel_packet, self);
  self->tick = relay_worker_add_timeout (self->settings.worker, TICK_MS, on_tick, self, NULL);
  return TRUE;
}

typedef struct {
  RelayViewerSession *session;
  RelayViewerReadyFunc ready;
  gpointer ready_data;
  char *answer;
  GError *error;
} CreateTask;

static void
create_on_worker (gpointer data)
{
  CreateTask *task = data;
  RelayViewerSession *self = task->session;
  if (!build_session (self, &task->answer, &task->error))
    {
      g_atomic_int_set (&self->close_requested, 1);
      teardown_on_worker (self);
      relay_viewer_session_unref (self); /* the worker's reference */
    }
}

static void
create_reply (gpointer data)
{
  CreateTask *task = data;
  task->ready (task->error ? NULL : task->session, task->answer, task->error, task->ready_data);
}

static void
create_task_free (gpointer data)
{
  CreateTask *task = data;
  relay_viewer_session_unref (task->session);
  g_free (task->answer);
  g_clear_error (&task->error);
  g_free (task);
}

void
relay_viewer_session_create_async (const char *viewer_name, const char *source,
                                   RelaySdpOffer *offer, const RelayViewerSettings *settings,
                                   const RelayViewerCallbacks *callbacks, gpointer user_data,
                                   GMainContext *reply_context, RelayViewerReadyFunc ready,
                                   gpointer ready_data)
{
  RelayViewerSession *self = g_new0 (RelayViewerSession, 1);
  self->refcount = 1; /* the worker side's, dropped by close() */
  g_mutex_init (&self->lock);
  self->id = relay_random_hex (16);
  self->viewer = g_strdup (viewer_name);
  self->source = g_strdup (source);
  self->log_id = g_strdup_printf ("%s>%s", source, viewer_name);
  self->etag = g_strdup_printf ("\"%s\"", self->id);
  self->settings = *settings;
  self->certificate = relay_dtls_certificate_ref (settings->certificate);
  self->announced = g_strdupv ((char **) settings->ice.announced_addresses);
  self->interfaces = g_strdupv ((char **) settings->ice.interfaces);
  self->settings.ice.announced_addresses = (const char *const *) self->announced;
  self->settings.ice.interfaces = (const char *const *) self->interfaces;
  self->callbacks = *callbacks;
  self->user_data = user_data;
  self->offer = offer;
  self->created_us = g_get_monotonic_time ();
  self->rtt_ms = -1;
  self->snapshot.started_unix_us = g_get_real_time ();
  self->snapshot.rtt_ms = -1;
  self->snapshot.forward_p50_us = self->snapshot.forward_p99_us = -1;
  self->snapshot.forward_max_us = -1;

  CreateTask *task = g_new0 (CreateTask, 1);
  task->session = relay_viewer_session_ref (self);
  task->ready = ready;
  task->ready_data = ready_data;
  relay_worker_call (settings->worker, create_on_worker, reply_context, create_reply, task,
                     create_task_free);
}

static gboolean
close_on_worker (gpointer data)
{
  RelayViewerSession *self = data;
  if (!self->closed)
    teardown_on_worker (self);
  relay_viewer_session_unref (self);
  return G_SOURCE_REMOVE;
}

void
relay_viewer_session_close (RelayViewerSession *self)
{
  if (!g_atomic_int_compare_and_exchange (&self->close_requested, 0, 1))
    return;
  relay_worker_invoke (self->settings.worker, close_on_worker, self, NULL);
}

typedef struct {
  RelayViewerSession *session;
  RelaySdpFragment *fragment;
  RelayViewerPatchFunc done;
  gpointer user_data;
  gboolean restarted;
  char *answer;
  GError *error;
} PatchTask;

static void
patch_on_worker (gpointer data)
{
  PatchTask *task = data;
  RelayViewerSession *self = task->session;
  if (self->closed || !self->transport)
    {
      g_set_error (&task->error, G_IO_ERROR, G_IO_ERROR_CLOSED, "session is closed");
      return;
    }
  RelaySdpMedia *first = self->offer->media->len ? self->offer->media->pdata[0] : NULL;
  if (!relay_webrtc_transport_apply_fragment (self->transport, task->fragment,
                                              first ? first->mid : NULL, &task->restarted,
                                              &task->answer, &task->error))
    return;
  if (task->restarted)
    {
      g_autofree char *tag = relay_random_hex (8);
      g_mutex_lock (&self->lock);
      g_free (self->etag);
      self->etag = g_strdup_printf ("\"%s-%s\"", self->id, tag);
      g_mutex_unlock (&self->lock);
    }
}

static void
patch_reply (gpointer data)
{
  PatchTask *task = data;
  task->done (task->session, task->restarted, task->answer, task->error, task->user_data);
}

static void
patch_task_free (gpointer data)
{
  PatchTask *task = data;
  relay_viewer_session_unref (task->session);
  relay_sdp_fragment_free (task->fragment);
  g_free (task->answer);
  g_clear_error (&task->error);
  g_free (task);
}

void
relay_viewer_session_patch_async (RelayViewerSession *self, RelaySdpFragment *fragment,
                                  GMainContext *reply_context, RelayViewerPatchFunc done,
                                  gpointer user_data)
{
  PatchTask *task = g_new0 (PatchTask, 1);
  task->session = relay_viewer_session_ref (self);
  task->fragment = fragment;
  task->done = done;
  task->user_data = user_data;
  relay_worker_call (self->settings.worker, patch_on_worker, reply_context, patch_reply, task,
                     patch_task_free);
}
