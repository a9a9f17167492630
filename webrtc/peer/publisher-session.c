#include "webrtc/peer/publisher-session.h"

#include <string.h>

#include "webrtc/rtp/audio-level.h"
#include "webrtc/base/session-refusals.h"
#include "webrtc/base/log.h"
#include "webrtc/base/random-id.h"
#include "webrtc/peer/keyframe-request-manager.h"
#include "webrtc/peer/peer-session.h"
#include "webrtc/peer/peer-data-channels.h"
#include "webrtc/peer/rtcp-feedback.h"
#include "webrtc/peer/webrtc-transport.h"
#include "webrtc/rtcp/rtcp-sender-report.h"
#include "webrtc/rtcp/rtcp-xr.h"
#include "webrtc/rtp/receive-stream.h"
#include "webrtc/rtp/rtp-packet.h"
#include "webrtc/rtp/twcc-recorder.h"
#include "webrtc/srtp/srtp-session.h"

#define TICK_MS 20
#define TWCC_EVERY_TICKS 5    /* 100 ms */
#define REPORT_EVERY_TICKS 50 /* 1 s */

struct _RelayPublisherSession {
  RelayPeerSession peer; /* first: see peer-session.h */
  char *code;
  RelayPublisherSettings settings;
  RelayPublisherStateFunc on_state;
  gpointer state_data;

  /* Worker-thread state. */
  RelayPeerDataChannels *channels; /* NULL without a data channel m-line */
  RelayIngestPolicer *policer;
  GSource *tick;
  guint tick_count;
  RelayPublisherState state;
  gint64 created_us;
  gint64 last_media_us;
  gboolean ever_connected; /* ICE + DTLS came up at least once */
  guint32 local_ssrc;
  /* One per m-line (NULL without it): what each received stream is. */
  RelayReceiveStream *video, *audio;
  RelayTwccRecorder *twcc;
  RelayKeyframeRequestManager keyframes;
  guint8 fir_seq; /* this publisher's FIR sequence number (RFC 5104) */
  gint decoder_wants_keyframe; /* atomic, set from GStreamer threads */
  gint viewer_wants_keyframe;  /* atomic, set from viewers' workers */
  guint64 nacks_sent, plis_sent;
  guint64 last_video_bytes;
  gint64 last_bitrate_us;
  /* The RFC 6464 levels: the loudest of 300 ms (speech dips between
   * syllables, and the watchers look every 100-200 ms). */
  RelayLevelHold held;
  gint rtt_ms;
  gboolean decoder_closed;

  /* Read live by the active speaker and voice activity watchers (any
   * thread): they compare packet counts between looks, which a copy taken
   * twice a second would alias. */
  guint audio_packet_count; /* atomic */
  guint level_packet_count; /* atomic: those of them that carried a level */
  gint audio_activity;      /* atomic: held.level | (held.voice << 8) */

  GMutex lock; /* snapshot */
  RelayPublisherSnapshot snapshot;
};

G_STATIC_ASSERT (G_STRUCT_OFFSET (RelayPublisherSession, peer) == 0);

static void publisher_set_state (RelayPublisherSession *self, RelayPublisherState state,
                                 const char *reason);


RelayPublisherSession *
relay_publisher_session_ref (RelayPublisherSession *self)
{
  relay_peer_session_ref (&self->peer);
  return self;
}

void
relay_publisher_session_unref (RelayPublisherSession *self)
{
  if (self)
    relay_peer_session_unref (&self->peer);
}

const char *
relay_publisher_session_get_id (RelayPublisherSession *self)
{
  return self->peer.id;
}

const char *
relay_publisher_session_get_province (RelayPublisherSession *self)
{
  return self->code;
}

char *
relay_publisher_session_dup_etag (RelayPublisherSession *self)
{
  return relay_peer_session_dup_etag (&self->peer);
}

void
relay_publisher_session_get_snapshot (RelayPublisherSession *self, RelayPublisherSnapshot *snap)
{
  g_mutex_lock (&self->lock);
  *snap = self->snapshot;
  g_mutex_unlock (&self->lock);
}

gpointer
relay_publisher_session_get_decoder (RelayPublisherSession *self)
{
  return self->settings.decoder;
}

void
relay_publisher_session_get_audio_activity (RelayPublisherSession *self, guint *packets,
                                            guint *level_packets, gint *level_dbov,
                                            gboolean *voice)
{
  gint activity = g_atomic_int_get (&self->audio_activity);
  *packets = (guint) g_atomic_int_get ((gint *) &self->audio_packet_count);
  *level_packets = (guint) g_atomic_int_get ((gint *) &self->level_packet_count);
  *level_dbov = -(activity & 0x7f);
  *voice = (activity & 0x100) != 0;
}

const char *
relay_publisher_state_name (RelayPublisherState state)
{
  switch (state)
    {
    case RELAY_PUBLISHER_CONNECTING:
      return "connecting";
    case RELAY_PUBLISHER_LIVE:
      return "live";
    case RELAY_PUBLISHER_LOST:
      return "lost";
    case RELAY_PUBLISHER_CLOSED:
      return "closed";
    }
  return "unknown";
}

/* ---- RTCP out ---------------------------------------------------------- */

static void
send_rtcp (RelayPublisherSession *self, GByteArray *packet)
{
  if (packet->len == 0)
    return;
  guint len = packet->len;
  g_byte_array_set_size (packet, len + RELAY_SRTP_MAX_TRAILER);
  relay_webrtc_transport_send_rtcp (self->peer.transport, packet->data, len);
  g_byte_array_set_size (packet, 0);
}

static void
send_nacks_and_keyframe_requests (RelayPublisherSession *self, gint64 now)
{
  g_autoptr (GByteArray) out = g_byte_array_sized_new (256);
  RelaySdpMedia *video = self->peer.offer->video;
  guint32 video_ssrc = relay_receive_stream_get_ssrc (self->video);

  if (self->video && video->fb_nack)
    {
      guint16 seqs[256];
      guint n = relay_receive_stream_collect_nacks (self->video, now, seqs, G_N_ELEMENTS (seqs));
      if (n > 0)
        {
          relay_rtcp_feedback_write_nack (out, self->local_ssrc, video_ssrc, seqs, n);
          self->nacks_sent++;
        }
    }
  if (g_atomic_int_compare_and_exchange (&self->decoder_wants_keyframe, 1, 0))
    relay_keyframe_request_manager_request (&self->keyframes);
  /* A viewer's PLI is relayed even if a keyframe happens to arrive first:
   * it may have been lost on the viewer's side of the relay. */
  if (g_atomic_int_compare_and_exchange (&self->viewer_wants_keyframe, 1, 0))
    relay_keyframe_request_manager_force (&self->keyframes);
  if (video_ssrc && relay_keyframe_request_manager_poll (&self->keyframes, now))
    {
      relay_rtcp_feedback_write_keyframe_request (out, video, self->local_ssrc, video_ssrc,
                                                  &self->fir_seq);
      self->plis_sent++;
      relay_debug (self->code, "asked for a keyframe");
    }
  send_rtcp (self, out);
}

static void
send_reports (RelayPublisherSession *self, gint64 now)
{
  g_autoptr (GByteArray) out = g_byte_array_sized_new (256);
  guint32 video_ssrc = relay_receive_stream_get_ssrc (self->video);
  relay_rtcp_feedback_write_reports (out, self->local_ssrc,
                                     relay_receive_stream_get_stats (self->video),
                                     relay_receive_stream_get_stats (self->audio), now);
  if (self->peer.offer->video && self->peer.offer->video->fb_goog_remb && video_ssrc)
    relay_rtcp_feedback_write_remb (out, self->local_ssrc,
                                    (guint64) relay_ingest_policer_get_remb_kbps (self->policer)
                                        * 1000,
                                    video_ssrc, relay_receive_stream_get_ssrc (self->audio));
  send_rtcp (self, out);
}

static void
send_rtcp_datagram (const guint8 *data, gsize len, gpointer user_data)
{
  RelayPublisherSession *self = user_data;
  g_autoptr (GByteArray) packet = g_byte_array_sized_new (len + RELAY_SRTP_MAX_TRAILER);
  g_byte_array_append (packet, data, len);
  send_rtcp (self, packet);
}

static void
send_twcc (RelayPublisherSession *self)
{
  if (!self->twcc)
    return;
  g_autoptr (GByteArray) out = g_byte_array_sized_new (256);
  guint32 media = relay_receive_stream_get_ssrc (self->video);
  if (!media)
    media = relay_receive_stream_get_ssrc (self->audio);
  /* A second of a lossy link makes several feedback packets: each
   * datagram keeps under the MTU. */
  if (relay_twcc_recorder_build_feedback (self->twcc, self->local_ssrc, media, out) > 0)
    relay_rtcp_feedback_split (out->data, out->len, RELAY_RTCP_FEEDBACK_MAX_DATAGRAM,
                               send_rtcp_datagram, self);
}

static void
update_snapshot (RelayPublisherSession *self, gint64 now)
{
  RelayTransportStats ts;
  relay_webrtc_transport_get_stats (self->peer.transport, &ts);
  RelayPublisherSnapshot *s = &self->snapshot;
  RelayReceiveStreamFigures video, audio;
  relay_receive_stream_get_figures (self->video, &video);
  relay_receive_stream_get_figures (self->audio, &audio);
  guint64 video_bytes = video.bytes;
  double kbps = s->video_bitrate_kbps;
  if (self->last_bitrate_us && now > self->last_bitrate_us)
    kbps = (video_bytes - self->last_video_bytes) * 8.0 * 1000.0 / (double) (now - self->last_bitrate_us);
  self->last_bitrate_us = now;
  self->last_video_bytes = video_bytes;

  g_mutex_lock (&self->lock);
  g_strlcpy (s->remote_address, ts.remote_address, sizeof s->remote_address);
  s->srtp_profile = ts.srtp_profile;
  s->srtp_errors = ts.srtp_errors;
  s->rtt_ms = self->rtt_ms;
  s->video_bytes = video_bytes;
  s->video_packets = video.packets;
  s->video_lost = video.lost;
  s->video_rtx_packets = video.rtx_packets;
  s->nacks_sent = self->nacks_sent;
  s->nacked_seqs = video.nacked_seqs;
  s->plis_sent = self->plis_sent;
  s->video_bitrate_kbps = kbps;
  s->audio_bytes = audio.bytes;
  s->audio_packets = audio.packets;
  s->audio_lost = audio.lost;
  s->audio_level_dbov = -(gint) self->held.level;
  s->voice_activity = self->held.voice;
  s->video_jitter_ms = video.jitter_ms;
  s->audio_jitter_ms = audio.jitter_ms;
  g_mutex_unlock (&self->lock);
}

/* The ingest limits, judged twice a second on what the transport and the
 * decoder measured. */
static void
police (RelayPublisherSession *self, gint64 now)
{
  RelayIngestLimitState previous = self->snapshot.limits.state; /* worker-written */
  /* The decoder's size stands in only while the keyframes said none, and
   * only while it decodes: once refused, its figures are old. */
  if (self->settings.decoder)
    {
      guint width = 0, height = 0;
      self->settings.decoder_class->decoded_size (self->settings.decoder, &width, &height);
      if (relay_ingest_policer_decoding (self->policer))
        relay_ingest_policer_set_decoded_size (self->policer, width, height);
    }
  gboolean changed
      = relay_ingest_policer_tick (self->policer, now, self->snapshot.video_bitrate_kbps);
  RelayIngestStatus status;
  relay_ingest_policer_get_status (self->policer, &status);
  g_mutex_lock (&self->lock);
  self->snapshot.limits = status;
  if (changed)
    self->snapshot.limit_since_unix_us = g_get_real_time ();
  g_mutex_unlock (&self->lock);
  if (!changed)
    return;
  if (status.state == RELAY_INGEST_OVER && previous == RELAY_INGEST_WITHIN
      && relay_webrtc_transport_get_state (self->peer.transport) == RELAY_TRANSPORT_CONNECTED)
    send_reports (self, now); /* the REMB at once, not within the second */
  if (previous == RELAY_INGEST_REFUSED)
    relay_keyframe_request_manager_request (&self->keyframes); /* the decoder starts again */
  if (self->settings.on_limit)
    self->settings.on_limit (self, previous, &status, self->settings.limit_data);
}

static void
check_media_timeout (RelayPublisherSession *self, gint64 now)
{
  gint64 since = self->last_media_us ? self->last_media_us : self->created_us;
  gint64 silent = now - since;
  if (!self->ever_connected
      && now - self->created_us > (gint64) self->settings.connect_timeout_s * G_USEC_PER_SEC)
    {
      if (self->state != RELAY_PUBLISHER_CLOSED)
        relay_session_refusals_note (RELAY_SESSION_REFUSAL_CONNECT_TIMEOUT);
      publisher_set_state (self, RELAY_PUBLISHER_CLOSED, "never connected");
    }
  else if (self->state == RELAY_PUBLISHER_LIVE && silent > (gint64) self->settings.media_timeout_ms * 1000)
    publisher_set_state (self, RELAY_PUBLISHER_LOST, "no media");
  else if (self->state != RELAY_PUBLISHER_LIVE
           && silent > (gint64) self->settings.offline_grace_s * G_USEC_PER_SEC)
    publisher_set_state (self, RELAY_PUBLISHER_CLOSED, "no media within the grace period");
}

static gboolean
on_tick (gpointer data)
{
  RelayPublisherSession *self = data;
  if (self->peer.closed)
    return G_SOURCE_REMOVE;
  gint64 now = g_get_monotonic_time ();
  self->tick_count++;
  if (relay_webrtc_transport_get_state (self->peer.transport) == RELAY_TRANSPORT_CONNECTED)
    {
      send_nacks_and_keyframe_requests (self, now);
      if (self->tick_count % TWCC_EVERY_TICKS == 0)
        send_twcc (self);
      if (self->tick_count % REPORT_EVERY_TICKS == 0)
        send_reports (self, now);
    }
  if (self->tick_count % (REPORT_EVERY_TICKS / 2) == 0)
    {
      update_snapshot (self, now);
      police (self, now);
      check_media_timeout (self, now);
    }
  return self->peer.closed ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* ---- RTP in ------------------------------------------------------------ */

/* A video packet, as received or restored from RTX, that the video
 * stream has counted. */
static void
handle_video (RelayPublisherSession *self, const RelayReceivedPacket *received, gint64 now)
{
  RelaySdpMedia *video = self->peer.offer->video;
  const RelayRtpPacket *pkt = &received->packet;
  if (received->new_ssrc)
    {
      relay_debug (self->code, "video SSRC %08x", pkt->ssrc);
      relay_keyframe_request_manager_force (&self->keyframes);
      relay_ingest_policer_new_stream (self->policer);
    }
  if (received->keyframe_needed)
    relay_keyframe_request_manager_request (&self->keyframes);
  gboolean keyframe = received->keyframe;
  if (keyframe)
    relay_keyframe_request_manager_keyframe_received (&self->keyframes);
  relay_ingest_policer_on_video (self->policer, video->codec, pkt->timestamp, pkt->payload,
                                 pkt->payload_len, now);
  /* Viewers first: their copy is latency-critical, the decoder's is not.
   * They get it even while the video is refused: forwarding decodes
   * nothing. */
  if (self->settings.on_media)
    self->settings.on_media (self, video->codec, keyframe, now, pkt->data, pkt->len,
                             self->settings.media_data);
  if (self->settings.decoder && !self->decoder_closed
      && relay_ingest_policer_decoding (self->policer))
    self->settings.decoder_class->video (self->settings.decoder, pkt->data, pkt->len);
}

/* An audio packet the audio stream has counted. */
static void
handle_audio (RelayPublisherSession *self, const RelayReceivedPacket *received, gint64 now)
{
  const RelayRtpPacket *pkt = &received->packet;
  guint8 level;
  gboolean voice;
  if (self->peer.offer->audio->ext_audio_level
      && relay_rtp_packet_get_audio_level (pkt, self->peer.offer->audio->ext_audio_level, &level,
                                           &voice))
    {
      relay_level_hold_update (&self->held, level, voice, now);
      g_atomic_int_set (&self->audio_activity, self->held.level | (self->held.voice ? 0x100 : 0));
      g_atomic_int_inc ((gint *) &self->level_packet_count);
    }
  g_atomic_int_inc ((gint *) &self->audio_packet_count);
  if (self->settings.on_media)
    self->settings.on_media (self, RELAY_CODEC_OPUS, FALSE, now, pkt->data, pkt->len,
                             self->settings.media_data);
  if (self->settings.decoder && !self->decoder_closed)
    self->settings.decoder_class->audio (self->settings.decoder, pkt->data, pkt->len);
}

static void
on_rtp (guint8 *buf, gsize len, gint64 now, gpointer data)
{
  RelayPublisherSession *self = data;
  RelayRtpPacket pkt;
  /* Before anything reads, queues or forwards it. */
  if (!relay_ingest_policer_admit (self->policer, len, now))
    return;
  if (!relay_rtp_packet_parse (&pkt, buf, len))
    return;
  RelaySdpMedia *video = self->peer.offer->video, *audio = self->peer.offer->audio;
  guint8 twcc_id = video && video->ext_twcc ? video->ext_twcc : audio && audio->ext_twcc ? audio->ext_twcc : 0;
  guint16 transport_seq;
  if (self->twcc && twcc_id && relay_rtp_packet_get_transport_seq (&pkt, twcc_id, &transport_seq))
    relay_twcc_recorder_on_packet (self->twcc, transport_seq, now);

  /* Each stream takes its payload types (video: its RTX too) and says
   * whether the packet is media; RTX probes are not. */
  RelayReceivedPacket received;
  gboolean media = TRUE;
  if (self->video && relay_receive_stream_receive (self->video, &pkt, now, &received))
    handle_video (self, &received, now);
  else if (self->audio && relay_receive_stream_receive (self->audio, &pkt, now, &received))
    handle_audio (self, &received, now);
  else
    media = FALSE;

  if (media)
    {
      self->last_media_us = now;
      if (self->state != RELAY_PUBLISHER_LIVE)
        publisher_set_state (self, RELAY_PUBLISHER_LIVE, NULL);
    }
}

static void
on_rtcp (guint8 *buf, gsize len, gint64 now, gpointer data)
{
  RelayPublisherSession *self = data;
  guint rtt;
  if (relay_rtcp_feedback_read (buf, len, now, self->local_ssrc,
                                relay_receive_stream_get_stats (self->video),
                                relay_receive_stream_get_stats (self->audio), &rtt))
    {
      self->rtt_ms = rtt;
      if (self->video)
        relay_receive_stream_set_rtt (self->video, rtt);
    }
}

static void
on_transport_state (RelayTransportState state, const char *reason, gpointer data)
{
  RelayPublisherSession *self = data;
  /* At once, not at the next snapshot: a status read right after the path
   * came back must not say it is still down. */
  g_mutex_lock (&self->lock);
  self->snapshot.transport = relay_transport_state_name (state);
  g_mutex_unlock (&self->lock);
  if (state == RELAY_TRANSPORT_CONNECTED && self->channels)
    relay_peer_data_channels_transport_connected (self->channels);
  if (state == RELAY_TRANSPORT_CONNECTED)
    {
      self->ever_connected = TRUE;
      /* Ask at once: a decoder joining mid-stream can do nothing until the
       * next keyframe, which may be seconds away. */
      relay_keyframe_request_manager_request (&self->keyframes);
    }
  else if (state == RELAY_TRANSPORT_DISCONNECTED)
    {
      /* Not the end: the publisher may restart ICE within the grace
       * period; the media timeout closes the session otherwise. */
      relay_warn (self->code, "%s", reason);
      if (self->state == RELAY_PUBLISHER_LIVE)
        publisher_set_state (self, RELAY_PUBLISHER_LOST, reason);
    }
  else if (state == RELAY_TRANSPORT_FAILED || state == RELAY_TRANSPORT_CLOSED)
    publisher_set_state (self, RELAY_PUBLISHER_CLOSED, reason);
}

static void
on_application_data (const guint8 *data, gsize len, gpointer user_data)
{
  RelayPublisherSession *self = user_data;
  if (self->channels)
    relay_peer_data_channels_receive (self->channels, data, len);
}

void
relay_publisher_session_decoder_needs_keyframe (RelayPublisherSession *self)
{
  g_atomic_int_set (&self->decoder_wants_keyframe, 1);
}

void
relay_publisher_session_request_keyframe (RelayPublisherSession *self)
{
  g_atomic_int_set (&self->viewer_wants_keyframe, 1);
}

static void
publisher_set_state (RelayPublisherSession *self, RelayPublisherState state, const char *reason)
{
  if (self->peer.closed || self->state == state || self->state == RELAY_PUBLISHER_CLOSED)
    return;
  self->state = state;
  if (reason)
    relay_info (self->code, "session %.8s %s (%s)", self->peer.id,
                relay_publisher_state_name (state), reason);
  else
    relay_info (self->code, "session %.8s %s", self->peer.id, relay_publisher_state_name (state));
  if (self->on_state)
    self->on_state (self, state, reason, self->state_data);
}

/* ---- creation, patch, close ------------------------------------------- */

static void
teardown_on_worker (RelayPeerSession *peer)
{
  RelayPublisherSession *self = (RelayPublisherSession *) peer;
  if (self->tick)
    {
      g_source_destroy (self->tick);
      g_clear_pointer (&self->tick, g_source_unref);
    }
  /* Before the transport: the SCTP ABORT goes out through it. */
  g_clear_pointer (&self->channels, relay_peer_data_channels_free);
  g_clear_pointer (&self->peer.transport, relay_webrtc_transport_free);
  if (self->settings.decoder && !self->decoder_closed)
    {
      self->decoder_closed = TRUE;
      self->settings.decoder_class->close (self->settings.decoder);
    }
  g_clear_pointer (&self->policer, relay_ingest_policer_free);
  g_clear_pointer (&self->video, relay_receive_stream_free);
  g_clear_pointer (&self->audio, relay_receive_stream_free);
  g_clear_pointer (&self->twcc, relay_twcc_recorder_free);
}

static gboolean
build_session (RelayPeerSession *peer, char **answer, GError **error)
{
  RelayPublisherSession *self = (RelayPublisherSession *) peer;
  RelaySdpOffer *offer = self->peer.offer;
  /* Before the transport: its first packet is judged. */
  self->policer = relay_ingest_policer_new (&self->settings.ingest,
                                            self->settings.target_bitrate_kbps, self->code);
  static const RelayTransportCallbacks callbacks = {
    .rtp = on_rtp,
    .rtcp = on_rtcp,
    .state_changed = on_transport_state,
    .application_data = on_application_data,
  };
  if (!relay_peer_session_open_transport (&self->peer, self->code, &callbacks, self, error))
    return FALSE;
  if (offer->application)
    {
      self->channels = relay_peer_data_channels_new (self->settings.worker, self->peer.transport,
                                                     offer->application, self->settings.channels,
                                                     self->settings.channels_data, self->code,
                                                     error);
      if (!self->channels)
        return FALSE;
    }

  if (self->settings.decoder)
    self->settings.decoder_class->attach (self->settings.decoder, self);

  if (offer->video)
    {
      /* NACK state is kept even when the publisher takes no NACK: a loss
       * too large to repair still asks for a keyframe. */
      RelayReceiveStreamConfig config = {
        .codec = offer->video->codec,
        .clock_rate = 90000,
        .payload_type = offer->video->payload_type,
        .rtx_payload_type = offer->video->rtx_payload_type,
        .nack = TRUE,
      };
      self->video = relay_receive_stream_new (&config);
    }
  if (offer->audio)
    {
      RelayReceiveStreamConfig config = {
        .codec = RELAY_CODEC_OPUS,
        .clock_rate = 48000,
        .payload_type = offer->audio->payload_type,
        .rtx_payload_type = -1,
      };
      self->audio = relay_receive_stream_new (&config);
    }
  gboolean twcc = (offer->video && offer->video->fb_transport_cc && offer->video->ext_twcc)
                  || (offer->audio && offer->audio->fb_transport_cc && offer->audio->ext_twcc);
  if (twcc)
    self->twcc = relay_twcc_recorder_new ();

  RelaySdpAnswerParams params = {
    .video_bitrate_kbps = self->settings.target_bitrate_kbps,
  };
  *answer = relay_peer_session_build_answer (&self->peer, &params);
  self->tick = relay_worker_add_timeout (self->settings.worker, TICK_MS, on_tick, self, NULL);

  g_mutex_lock (&self->lock);
  self->snapshot.transport
      = relay_transport_state_name (relay_webrtc_transport_get_state (self->peer.transport));
  self->snapshot.has_video = offer->video != NULL;
  self->snapshot.has_audio = offer->audio != NULL;
  self->snapshot.video_codec = offer->video ? offer->video->codec : RELAY_CODEC_NONE;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static void
finalize (RelayPeerSession *peer)
{
  RelayPublisherSession *self = (RelayPublisherSession *) peer;
  if (self->settings.decoder)
    self->settings.decoder_class->free (self->settings.decoder);
  g_mutex_clear (&self->lock);
  g_free (self->code);
}

static const RelayPeerSessionClass publisher_class = {
  .build = build_session,
  .teardown = teardown_on_worker,
  .finalize = finalize,
};

void
relay_publisher_session_create_async (const char *code, RelaySdpOffer *offer,
                                      const RelayPublisherSettings *settings,
                                      RelayPublisherStateFunc on_state, gpointer state_data,
                                      GMainContext *reply_context, RelayPublisherReadyFunc ready,
                                      gpointer ready_data)
{
  RelayPublisherSession *self = g_new0 (RelayPublisherSession, 1);
  self->settings = *settings;
  if (self->settings.ingest.max_rtp_size == 0)
    relay_ingest_limits_init_default (&self->settings.ingest);
  relay_peer_session_init (&self->peer, &publisher_class, settings->worker, settings->certificate,
                           &self->settings.ice, offer);
  g_mutex_init (&self->lock);
  self->code = g_strdup (code);
  self->on_state = on_state;
  self->state_data = state_data;
  self->state = RELAY_PUBLISHER_CONNECTING;
  self->created_us = g_get_monotonic_time ();
  if (!self->settings.connect_timeout_s)
    self->settings.connect_timeout_s = 10;
  self->rtt_ms = -1;
  relay_level_hold_init (&self->held);
  self->audio_activity = RELAY_LEVEL_SILENT;
  self->local_ssrc = relay_random_ssrc ();
  relay_keyframe_request_manager_init (&self->keyframes, 500);
  self->snapshot.started_unix_us = g_get_real_time ();
  self->snapshot.rtt_ms = -1;
  self->snapshot.video_jitter_ms = self->snapshot.audio_jitter_ms = -1;
  self->snapshot.audio_level_dbov = -127;
  self->snapshot.limits.remb_kbps = settings->target_bitrate_kbps;

  relay_peer_session_create_async (&self->peer, reply_context, (RelayPeerSessionReadyFunc) ready,
                                   ready_data);
}

void
relay_publisher_session_close (RelayPublisherSession *self)
{
  relay_peer_session_close (&self->peer);
}

void
relay_publisher_session_patch_async (RelayPublisherSession *self, RelaySdpFragment *fragment,
                                     GMainContext *reply_context, RelayPublisherPatchFunc done,
                                     gpointer user_data)
{
  relay_peer_session_patch_async (&self->peer, fragment, reply_context,
                                  (RelayPeerSessionPatchFunc) done, user_data);
}
