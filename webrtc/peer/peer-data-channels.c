#include "webrtc/peer/peer-data-channels.h"

#include "webrtc/base/log.h"

struct _RelayPeerDataChannels {
  RelayWorker *worker;
  RelayPeerDataChannelsLink link;
  gpointer link_data;
  const RelayPeerChannelHandler *handler; /* NULL: every channel refused */
  gpointer handler_state;                 /* what handler->attach returned */
  char *peer_name;
  RelaySctpAssociation *sctp;
  RelayDataChannels *channels;
  gboolean started;
  guint channels_open;
};

/* ---- SCTP <-> DTLS and the data channel layer ---- */

static void
on_sctp_output (const guint8 *data, gsize len, gpointer user_data)
{
  RelayPeerDataChannels *self = user_data;
  self->link.send (data, len, self->link_data);
}

static void
on_sctp_message (guint16 sid, guint32 ppid, const guint8 *data, gsize len, gpointer user_data)
{
  RelayPeerDataChannels *self = user_data;
  relay_data_channels_receive (self->channels, sid, ppid, data, len);
}

static void
on_sctp_incoming_reset (guint16 sid, gpointer user_data)
{
  RelayPeerDataChannels *self = user_data;
  relay_data_channels_incoming_reset (self->channels, sid);
}

static void
on_sctp_state (RelaySctpState state, gpointer user_data)
{
  RelayPeerDataChannels *self = user_data;
  if (state == RELAY_SCTP_CONNECTED)
    relay_info (self->peer_name, "SCTP association up (data channels)");
  else if (state == RELAY_SCTP_CLOSED)
    relay_info (self->peer_name, "SCTP association closed");
}

static gboolean
dc_send (guint16 sid, guint32 ppid, gboolean unordered, const guint8 *data, gsize len,
         gpointer user_data)
{
  RelayPeerDataChannels *self = user_data;
  return relay_sctp_association_send (self->sctp, sid, ppid, unordered, data, len);
}

static void
dc_reset_stream (guint16 sid, gpointer user_data)
{
  RelayPeerDataChannels *self = user_data;
  relay_sctp_association_reset_stream (self->sctp, sid);
}

/* ---- the handler ---- */

static gboolean
dc_opened (RelayDataChannel *ch, gpointer user_data)
{
  RelayPeerDataChannels *self = user_data;
  const char *label = relay_data_channel_get_label (ch);
  guint16 sid = relay_data_channel_get_stream_id (ch);
  if (self->handler == NULL)
    {
      relay_info (self->peer_name, "refused data channel \"%.64s\": no data channels are served",
                  label);
      return FALSE;
    }
  if (!self->handler->opened (self->handler_state, sid, label,
                              relay_data_channel_get_protocol (ch)))
    return FALSE; /* the handler says why in its own log line */
  self->channels_open++;
  relay_info (self->peer_name, "data channel \"%.64s\" open on stream %u", label, sid);
  return TRUE;
}

static void
dc_message (RelayDataChannel *ch, gboolean binary, const guint8 *data, gsize len,
            gpointer user_data)
{
  RelayPeerDataChannels *self = user_data;
  /* Only accepted channels carry messages, so there is a handler. */
  if (self->handler->message)
    self->handler->message (self->handler_state, relay_data_channel_get_stream_id (ch), binary,
                            data, len);
}

static void
dc_closed (RelayDataChannel *ch, gpointer user_data)
{
  RelayPeerDataChannels *self = user_data;
  self->channels_open--;
  relay_info (self->peer_name, "data channel \"%.64s\" closed", relay_data_channel_get_label (ch));
  if (self->handler->closed)
    self->handler->closed (self->handler_state, relay_data_channel_get_stream_id (ch));
}

/* ---- the link of a WHIP session: its DTLS transport ---- */

static void
transport_send (const guint8 *data, gsize len, gpointer link_data)
{
  relay_webrtc_transport_send_application (link_data, data, len);
}

static void
transport_remote_address (char *address, gsize size, gpointer link_data)
{
  RelayTransportStats ts;
  relay_webrtc_transport_get_stats (link_data, &ts);
  g_strlcpy (address, ts.remote_address, size);
}

RelayPeerDataChannels *
relay_peer_data_channels_new (RelayWorker *worker, RelayWebrtcTransport *transport,
                              const RelaySdpMedia *application,
                              const RelayPeerChannelHandler *handler, gpointer handler_data,
                              const char *peer_name, GError **error)
{
  static const RelayPeerDataChannelsLink link = {
    .send = transport_send,
    .remote_address = transport_remote_address,
  };
  /* Our port as answered (the offer's); the peer's is the offer's too. */
  return relay_peer_data_channels_new_on_link (worker, &link, transport, application->sctp_port,
                                               handler, handler_data, peer_name, error);
}

RelayPeerDataChannels *
relay_peer_data_channels_new_on_link (RelayWorker *worker, const RelayPeerDataChannelsLink *link,
                                      gpointer link_data, guint16 sctp_port,
                                      const RelayPeerChannelHandler *handler,
                                      gpointer handler_data, const char *peer_name, GError **error)
{
  static const RelaySctpCallbacks sctp_callbacks = {
    .output = on_sctp_output,
    .message = on_sctp_message,
    .incoming_reset = on_sctp_incoming_reset,
    .state_changed = on_sctp_state,
  };
  static const RelayDataChannelCallbacks dc_callbacks = {
    .send = dc_send,
    .reset_stream = dc_reset_stream,
    .opened = dc_opened,
    .message = dc_message,
    .closed = dc_closed,
  };
  RelayPeerDataChannels *self = g_new0 (RelayPeerDataChannels, 1);
  self->worker = worker;
  self->link = *link;
  self->link_data = link_data;
  self->peer_name = g_strdup (peer_name);
  /* The relay answers a=setup:passive: it is the DTLS server, so the
   * peer's browser opens its channels on even stream ids. */
  self->channels = relay_data_channels_new (&dc_callbacks, RELAY_DATA_CHANNEL_PEER_EVEN, self);
  self->sctp = relay_sctp_association_new (relay_worker_get_context (worker), sctp_port, sctp_port,
                                           &sctp_callbacks, self, error);
  if (self->sctp == NULL)
    {
      relay_peer_data_channels_free (self);
      return NULL;
    }
  /* Last: the handler sees only an object that works. */
  self->handler = handler;
  if (handler && handler->attach)
    self->handler_state = handler->attach (self, peer_name, handler_data);
  return self;
}

void
relay_peer_data_channels_transport_connected (RelayPeerDataChannels *self)
{
  if (self->started)
    return;
  self->started = TRUE;
  relay_sctp_association_connect (self->sctp);
}

void
relay_peer_data_channels_receive (RelayPeerDataChannels *self, const guint8 *data, gsize len)
{
  relay_sctp_association_receive (self->sctp, data, len);
}

/* The channel on sid if the handler accepted it and it is still open. */
static RelayDataChannel *
open_channel (RelayPeerDataChannels *self, guint16 sid)
{
  RelayDataChannel *ch = relay_data_channels_lookup (self->channels, sid);
  return ch && relay_data_channel_is_open (ch) ? ch : NULL;
}

gboolean
relay_peer_data_channels_send_text (RelayPeerDataChannels *self, guint16 sid, const char *text,
                                    gsize len)
{
  RelayDataChannel *ch = open_channel (self, sid);
  return ch && relay_data_channel_send_text (ch, text, len);
}

gboolean
relay_peer_data_channels_is_open (RelayPeerDataChannels *self, guint16 sid)
{
  return open_channel (self, sid) != NULL;
}

void
relay_peer_data_channels_close (RelayPeerDataChannels *self, guint16 sid)
{
  RelayDataChannel *ch = open_channel (self, sid);
  if (ch)
    relay_data_channel_close (ch);
}

RelayWorker *
relay_peer_data_channels_get_worker (RelayPeerDataChannels *self)
{
  return self->worker;
}

void
relay_peer_data_channels_get_remote_address (RelayPeerDataChannels *self, char *address,
                                             gsize size)
{
  self->link.remote_address (address, size, self->link_data);
}

gpointer
relay_peer_data_channels_get_handler_state (RelayPeerDataChannels *self)
{
  return self->handler_state;
}

void
relay_peer_data_channels_get_stats (RelayPeerDataChannels *self, RelayPeerDataChannelsStats *stats)
{
  *stats = (RelayPeerDataChannelsStats) {
    .sctp = relay_sctp_association_get_state (self->sctp),
    .channels_open = self->channels_open,
  };
  relay_data_channels_get_stats (self->channels, &stats->channels);
}

void
relay_peer_data_channels_free (RelayPeerDataChannels *self)
{
  if (self == NULL)
    return;
  /* SCTP first: its ABORT goes out through the link. Neither it nor the
   * registry calls back while being freed. */
  g_clear_pointer (&self->sctp, relay_sctp_association_free);
  g_clear_pointer (&self->channels, relay_data_channels_free);
  if (self->handler && self->handler->detach)
    self->handler->detach (self->handler_state);
  g_free (self->peer_name);
  g_free (self);
}
