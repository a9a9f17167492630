#include "webrtc/peer/webrtc-transport.h"

#include <gio/gio.h>

#include "webrtc/dtls/dtls-transport.h"
#include "webrtc/base/input-capture.h"
#include "webrtc/base/log.h"
#include "webrtc/rtp/rtp-packet.h"
#include "webrtc/srtp/srtp-session.h"

struct _RelayWebrtcTransport {
  RelayWorker *worker;
  char *log_id;
  RelayIceAgent *ice;
  RelayDtlsTransport *dtls;
  RelaySrtpSession *srtp;
  RelayTransportState state;
  RelayTransportCallbacks callbacks;
  gpointer user_data;
  RelayTransportStats stats;
  gboolean dtls_started;
  char *remote_ufrag;
  char *remote_pwd;
  guint remote_candidates; /* given for the current remote credentials */
  /* DTLS datagrams produced before libnice had a usable pair on our side
   * (the peer's ClientHello can beat our own connectivity checks). Sent as
   * soon as ICE connects, instead of waiting a second for DTLS to resend. */
  GQueue early_dtls;
  gsize early_dtls_bytes;
};

#define MAX_EARLY_DTLS_BYTES (32 * 1024)
/* Remote candidates per ICE generation, the offer's and every PATCH's: each
 * is an address libnice sends checks to (RFC 8445 limits a checklist to
 * 100 pairs for the same reason). */
#define MAX_REMOTE_CANDIDATES (2 * RELAY_SDP_MAX_CANDIDATES)

static void flush_early_dtls (RelayWebrtcTransport *self);

static void
set_state (RelayWebrtcTransport *self, RelayTransportState state, const char *reason)
{
  if (self->state == state || self->state == RELAY_TRANSPORT_FAILED
      || self->state == RELAY_TRANSPORT_CLOSED)
    return;
  self->state = state;
  if (self->callbacks.state_changed)
    self->callbacks.state_changed (state, reason, self->user_data);
}

static void
handle_srtp (RelayWebrtcTransport *self, guint8 *data, gsize len, gboolean is_rtcp)
{
  if (!self->srtp)
    return; /* media before the handshake finished: nothing to decrypt with */
  g_autoptr (GError) error = NULL;
  gsize plain_len = len;
  gboolean ok = is_rtcp ? relay_srtp_session_unprotect_rtcp (self->srtp, data, &plain_len, &error)
                        : relay_srtp_session_unprotect_rtp (self->srtp, data, &plain_len, &error);
  if (!ok)
    {
      /* Replays are routine (duplicate retransmissions); only count them. */
      if (self->stats.srtp_errors++ % 500 == 0
          && !g_error_matches (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_REPLAY))
        relay_debug (self->log_id, "dropped undecryptable %s: %s", is_rtcp ? "SRTCP" : "SRTP",
                     error->message);
      return;
    }
  relay_input_capture_packet (is_rtcp ? "rtcp" : "rtp", self->log_id, TRUE, data, plain_len);
  gint64 now = g_get_monotonic_time ();
  if (is_rtcp)
    {
      if (self->callbacks.rtcp)
        self->callbacks.rtcp (data, plain_len, now, self->user_data);
    }
  else if (self->callbacks.rtp)
    self->callbacks.rtp (data, plain_len, now, self->user_data);
}

static void
on_ice_receive (guint8 *data, gsize len, gpointer user_data)
{
  RelayWebrtcTransport *self = user_data;
  self->stats.bytes_received += len;
  switch (relay_datagram_classify (data, len))
    {
    case RELAY_DATAGRAM_DTLS:
      relay_dtls_transport_receive (self->dtls, data, len);
      break;
    case RELAY_DATAGRAM_RTP:
      handle_srtp (self, data, len, FALSE);
      break;
    case RELAY_DATAGRAM_RTCP:
      handle_srtp (self, data, len, TRUE);
      break;
    default:
      self->stats.unknown_datagrams++;
      break;
    }
}

static void
on_ice_state (RelayIceState state, gpointer user_data)
{
  RelayWebrtcTransport *self = user_data;
  switch (state)
    {
    case RELAY_ICE_STATE_CHECKING:
      set_state (self, RELAY_TRANSPORT_CONNECTING, NULL);
      break;
    case RELAY_ICE_STATE_CONNECTED:
      flush_early_dtls (self);
      if (!self->dtls_started)
        {
          self->dtls_started = TRUE;
          relay_dtls_transport_start (self->dtls);
        }
      else if (self->srtp)
        set_state (self, RELAY_TRANSPORT_CONNECTED, "ICE reconnected");
      break;
    case RELAY_ICE_STATE_FAILED:
      set_state (self, RELAY_TRANSPORT_DISCONNECTED, "ICE failed or consent expired");
      break;
    default:
      break;
    }
}

static void
on_ice_selected_pair (const char *remote_address, gpointer user_data)
{
  RelayWebrtcTransport *self = user_data;
  g_strlcpy (self->stats.remote_address, remote_address, sizeof self->stats.remote_address);
  relay_debug (self->log_id, "ICE selected %s", remote_address);
}

static void
flush_early_dtls (RelayWebrtcTransport *self)
{
  GBytes *datagram;
  while ((datagram = g_queue_pop_head (&self->early_dtls)))
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (datagram, &len);
      if (relay_ice_agent_send (self->ice, data, len))
        self->stats.bytes_sent += len;
      g_bytes_unref (datagram);
    }
  self->early_dtls_bytes = 0;
}

static void
on_dtls_send (const guint8 *data, gsize len, gpointer user_data)
{
  RelayWebrtcTransport *self = user_data;
  if (self->ice && relay_ice_agent_send (self->ice, data, len))
    {
      self->stats.bytes_sent += len;
      return;
    }
  if (self->ice && relay_ice_agent_get_state (self->ice) != RELAY_ICE_STATE_CONNECTED
      && self->early_dtls_bytes + len <= MAX_EARLY_DTLS_BYTES)
    {
      g_queue_push_tail (&self->early_dtls, g_bytes_new (data, len));
      self->early_dtls_bytes += len;
    }
}

static void
on_dtls_connected (const RelaySrtpKeys *keys, gpointer user_data)
{
  RelayWebrtcTransport *self = user_data;
  g_autoptr (GError) error = NULL;
  self->srtp = relay_srtp_session_new (keys, &error);
  if (!self->srtp)
    {
      relay_warn (self->log_id, "SRTP setup failed: %s", error->message);
      set_state (self, RELAY_TRANSPORT_FAILED, "SRTP setup failed");
      return;
    }
  self->stats.srtp_profile = relay_srtp_profile_name (keys->profile);
  relay_info (self->log_id, "DTLS connected (%s), SRTP %s",
              relay_dtls_transport_get_cipher_suite (self->dtls), self->stats.srtp_profile);
  set_state (self, RELAY_TRANSPORT_CONNECTED, NULL);
}

static void
on_dtls_failed (const char *reason, gpointer user_data)
{
  RelayWebrtcTransport *self = user_data;
  relay_warn (self->log_id, "DTLS refused: %s", reason);
  set_state (self, RELAY_TRANSPORT_FAILED, reason);
}

static void
on_dtls_application_data (const guint8 *data, gsize len, gpointer user_data)
{
  RelayWebrtcTransport *self = user_data;
  relay_input_capture_packet ("sctp", self->log_id, TRUE, data, len);
  if (self->callbacks.application_data)
    self->callbacks.application_data (data, len, self->user_data);
}

static void
on_dtls_closed (gpointer user_data)
{
  RelayWebrtcTransport *self = user_data;
  set_state (self, RELAY_TRANSPORT_CLOSED, "peer closed DTLS");
}

RelayWebrtcTransport *
relay_webrtc_transport_new (RelayWorker *worker, const RelayIceSettings *ice_settings,
                            RelayDtlsCertificate *certificate,
                            const char *const *remote_fingerprints,
                            const char *log_id, const RelayTransportCallbacks *callbacks,
                            gpointer user_data, GError **error)
{
  RelayWebrtcTransport *self = g_new0 (RelayWebrtcTransport, 1);
  self->worker = worker;
  self->log_id = g_strdup (log_id);
  self->callbacks = *callbacks;
  self->user_data = user_data;
  self->state = RELAY_TRANSPORT_NEW;

  static const RelayDtlsCallbacks dtls_callbacks = {
    .send = on_dtls_send,
    .connected = on_dtls_connected,
    .failed = on_dtls_failed,
    .application_data = on_dtls_application_data,
    .closed = on_dtls_closed,
  };
  self->dtls = relay_dtls_transport_new (certificate, RELAY_DTLS_ROLE_SERVER, remote_fingerprints,
                                         relay_worker_get_context (worker), &dtls_callbacks, self);

  static const RelayIceCallbacks ice_callbacks = {
    .receive = on_ice_receive,
    .state_changed = on_ice_state,
    .selected_pair = on_ice_selected_pair,
  };
  self->ice = relay_ice_agent_new (worker, ice_settings, &ice_callbacks, self, error);
  if (!self->ice)
    {
      relay_webrtc_transport_free (self);
      return NULL;
    }
  return self;
}

void
relay_webrtc_transport_free (RelayWebrtcTransport *self)
{
  if (!self)
    return;
  /* DTLS first: freeing it sends close_notify, which still needs ICE. */
  g_clear_pointer (&self->dtls, relay_dtls_transport_free);
  g_clear_pointer (&self->ice, relay_ice_agent_free);
  g_queue_clear_full (&self->early_dtls, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&self->srtp, relay_srtp_session_free);
  g_free (self->remote_ufrag);
  g_free (self->remote_pwd);
  g_free (self->log_id);
  g_free (self);
}

RelayIceAgent *
relay_webrtc_transport_get_ice (RelayWebrtcTransport *self)
{
  return self->ice;
}

static void
add_candidates (RelayWebrtcTransport *self, GPtrArray *candidates)
{
  for (guint i = 0; candidates && i < candidates->len; i++)
    {
      g_autoptr (GError) error = NULL;
      if (!relay_ice_agent_add_remote_candidate (self->ice, candidates->pdata[i], &error))
        relay_debug (self->log_id, "skipped a remote candidate: %s", error->message);
    }
}

gboolean
relay_webrtc_transport_set_remote (RelayWebrtcTransport *self, const char *ufrag, const char *pwd,
                                   GPtrArray *candidates, GError **error)
{
  if (!relay_ice_agent_set_remote_credentials (self->ice, ufrag, pwd, error))
    return FALSE;
  g_free (self->remote_ufrag);
  g_free (self->remote_pwd);
  self->remote_ufrag = g_strdup (ufrag);
  self->remote_pwd = g_strdup (pwd);
  self->remote_candidates = candidates ? candidates->len : 0;
  add_candidates (self, candidates);
  return TRUE;
}

gboolean
relay_webrtc_transport_apply_fragment (RelayWebrtcTransport *self, const RelaySdpFragment *frag,
                                       const char *mid, gboolean *restarted, char **answer,
                                       GError **error)
{
  *restarted = FALSE;
  *answer = NULL;
  gboolean restart = frag->ice_ufrag && frag->ice_pwd
                     && (g_strcmp0 (frag->ice_ufrag, self->remote_ufrag) != 0
                         || g_strcmp0 (frag->ice_pwd, self->remote_pwd) != 0);
  guint so_far = restart ? 0 : self->remote_candidates;
  if (so_far + frag->candidates->len > MAX_REMOTE_CANDIDATES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "more than %u remote candidates for these ICE credentials",
                   MAX_REMOTE_CANDIDATES);
      return FALSE;
    }
  if (restart)
    {
      if (!relay_ice_agent_restart (self->ice, error))
        return FALSE;
      if (!relay_webrtc_transport_set_remote (self, frag->ice_ufrag, frag->ice_pwd, NULL, error))
        return FALSE;
      relay_info (self->log_id, "ICE restart");
      *restarted = TRUE;
    }
  self->remote_candidates += frag->candidates->len;
  add_candidates (self, frag->candidates);
  if (restart)
    {
      g_auto (GStrv) candidates = relay_ice_agent_get_local_candidates (self->ice);
      *answer = relay_sdp_fragment_build (relay_ice_agent_get_ufrag (self->ice),
                                          relay_ice_agent_get_pwd (self->ice),
                                          (const char *const *) candidates, mid);
    }
  return TRUE;
}

static gboolean
send_protected (RelayWebrtcTransport *self, guint8 *buf, gsize len, gboolean is_rtcp)
{
  if (!self->srtp || self->state != RELAY_TRANSPORT_CONNECTED)
    return FALSE;
  g_autoptr (GError) error = NULL;
  gboolean ok = is_rtcp ? relay_srtp_session_protect_rtcp (self->srtp, buf, &len, &error)
                        : relay_srtp_session_protect_rtp (self->srtp, buf, &len, &error);
  if (!ok)
    return FALSE;
  if (!relay_ice_agent_send (self->ice, buf, len))
    return FALSE;
  self->stats.bytes_sent += len;
  return TRUE;
}

gboolean
relay_webrtc_transport_send_rtcp (RelayWebrtcTransport *self, guint8 *buf, gsize len)
{
  return send_protected (self, buf, len, TRUE);
}

gboolean
relay_webrtc_transport_send_rtp (RelayWebrtcTransport *self, guint8 *buf, gsize len)
{
  return send_protected (self, buf, len, FALSE);
}

gboolean
relay_webrtc_transport_send_application (RelayWebrtcTransport *self, const guint8 *data, gsize len)
{
  if (self->dtls == NULL)
    return FALSE;
  relay_input_capture_packet ("sctp", self->log_id, FALSE, data, len);
  /* bytes_sent counts datagrams in on_dtls_send, where the record goes. */
  return relay_dtls_transport_send_application (self->dtls, data, len);
}

RelayTransportState
relay_webrtc_transport_get_state (RelayWebrtcTransport *self)
{
  return self->state;
}

void
relay_webrtc_transport_get_stats (RelayWebrtcTransport *self, RelayTransportStats *stats)
{
  *stats = self->stats;
}

const char *
relay_transport_state_name (RelayTransportState state)
{
  switch (state)
    {
    case RELAY_TRANSPORT_NEW:
      return "new";
    case RELAY_TRANSPORT_CONNECTING:
      return "connecting";
    case RELAY_TRANSPORT_CONNECTED:
      return "connected";
    case RELAY_TRANSPORT_DISCONNECTED:
      return "disconnected";
    case RELAY_TRANSPORT_FAILED:
      return "failed";
    case RELAY_TRANSPORT_CLOSED:
      return "closed";
    }
  return "unknown";
}
