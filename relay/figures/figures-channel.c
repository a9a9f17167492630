#include "relay/figures/figures-channel.h"

#include <string.h>

#include "webrtc/base/log.h"
#include "webrtc/sctp/data-channel.h"
#include "webrtc/sctp/sctp-association.h"

/* Replies arrive on the report service's writer thread and are handed to
 * the worker; `inbox` is what they find there. It outlives the channel
 * (reference counted) so that a reply for a session already gone is
 * simply dropped. Only the worker reads or clears `channel`. */
typedef struct {
  gint refcount;
  RelayWorker *worker; /* constant; the worker pool outlives sessions */
  RelayFiguresChannel *channel;
} Inbox;

struct _RelayFiguresChannel {
  RelayWorker *worker;
  RelayFiguresChannelLink link;
  gpointer link_data;
  RelayFiguresService *service;
  char *province;
  RelaySctpAssociation *sctp;
  RelayDataChannels *channels;
  Inbox *inbox;
  gboolean started;
  RelayFiguresChannelStats stats;
};

typedef struct {
  Inbox *inbox;
  guint16 sid;
  char *reply;
} Reply;

static Inbox *
inbox_ref (Inbox *inbox)
{
  g_atomic_int_inc (&inbox->refcount);
  return inbox;
}

static void
inbox_unref (Inbox *inbox)
{
  if (g_atomic_int_dec_and_test (&inbox->refcount))
    g_free (inbox);
}

/* ---- SCTP <-> DTLS and the data channel layer ---- */

static void
on_sctp_output (const guint8 *data, gsize len, gpointer user_data)
{
  RelayFiguresChannel *self = user_data;
  self->link.send (data, len, self->link_data);
}

static void
on_sctp_message (guint16 sid, guint32 ppid, const guint8 *data, gsize len, gpointer user_data)
{
  RelayFiguresChannel *self = user_data;
  relay_data_channels_receive (self->channels, sid, ppid, data, len);
}

static void
on_sctp_incoming_reset (guint16 sid, gpointer user_data)
{
  RelayFiguresChannel *self = user_data;
  relay_data_channels_incoming_reset (self->channels, sid);
}

static void
on_sctp_state (RelaySctpState state, gpointer user_data)
{
  RelayFiguresChannel *self = user_data;
  if (state == RELAY_SCTP_CONNECTED)
    relay_info (self->province, "SCTP association up (data channels)");
  else if (state == RELAY_SCTP_CLOSED)
    relay_info (self->province, "SCTP association closed");
}

static gboolean
dc_send (guint16 sid, guint32 ppid, gboolean unordered, const guint8 *data, gsize len,
         gpointer user_data)
{
  RelayFiguresChannel *self = user_data;
  return relay_sctp_association_send (self->sctp, sid, ppid, unordered, data, len);
}

static void
dc_reset_stream (guint16 sid, gpointer user_data)
{
  RelayFiguresChannel *self = user_data;
  relay_sctp_association_reset_stream (self->sctp, sid);
}

static gboolean
dc_opened (RelayDataChannel *ch, gpointer user_data)
{
  RelayFiguresChannel *self = user_data;
  const char *label = relay_data_channel_get_label (ch);
  if (g_strcmp0 (label, RELAY_REPORT_CHANNEL_LABEL) != 0)
    {
      relay_info (self->province, "refused data channel \"%.64s\": only \"%s\" is served", label,
                  RELAY_REPORT_CHANNEL_LABEL);
      return FALSE;
    }
  self->stats.channels_open++;
  relay_info (self->province, "data channel \"%s\" open on stream %u", label,
              relay_data_channel_get_stream_id (ch));
  return TRUE;
}

static void
dc_closed (RelayDataChannel *ch, gpointer user_data)
{
  RelayFiguresChannel *self = user_data;
  self->stats.channels_open--;
  relay_info (self->province, "data channel \"%s\" closed", relay_data_channel_get_label (ch));
}

/* ---- reports ---- */

/* A refusal decided here, shaped like the service's own replies. */
static void
reply_error (RelayFiguresChannel *self, RelayDataChannel *ch, const char *reason)
{
  g_autoptr (GString) s = g_string_new ("{\"type\":\"ack\",\"id\":null,\"ok\":false,"
                                        "\"errors\":[{\"field\":null,\"reason\":\"");
  for (const char *p = reason; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append (s, "\"}]}");
  self->stats.refused_locally++;
  relay_data_channel_send_text (ch, s->str, s->len);
}

static gboolean
deliver_reply (gpointer data)
{
  Reply *r = data;
  RelayFiguresChannel *self = r->inbox->channel;
  if (self == NULL)
    return G_SOURCE_REMOVE; /* the session ended meanwhile */
  RelayDataChannel *ch = relay_data_channels_lookup (self->channels, r->sid);
  if (ch == NULL || !relay_data_channel_is_open (ch))
    return G_SOURCE_REMOVE;
  if (relay_data_channel_send_text (ch, r->reply, strlen (r->reply)))
    self->stats.replied++;
  else
    relay_debug (self->province, "reply on stream %u not sent (send buffer full?)", r->sid);
  return G_SOURCE_REMOVE;
}

static void
reply_free (gpointer data)
{
  Reply *r = data;
  inbox_unref (r->inbox);
  g_free (r->reply);
  g_free (r);
}

/* On the report service's writer thread: hop to the session's worker. */
static void
on_report_done (const char *reply_json, guint http_status, gpointer user_data)
{
  Reply *r = user_data;
  (void) http_status;
  r->reply = g_strdup (reply_json);
  relay_worker_invoke (r->inbox->worker, deliver_reply, r, reply_free);
}

static void
dc_message (RelayDataChannel *ch, gboolean binary, const guint8 *data, gsize len,
            gpointer user_data)
{
  RelayFiguresChannel *self = user_data;
  if (binary)
    {
      reply_error (self, ch, "binary messages are not accepted; send JSON text");
      return;
    }
  if (len > RELAY_REPORT_MAX_BYTES)
    {
      g_autofree char *why = g_strdup_printf ("message is %zu bytes; the limit is %u bytes", len,
                                              (guint) RELAY_REPORT_MAX_BYTES);
      reply_error (self, ch, why);
      return;
    }
  if (self->service == NULL)
    {
      reply_error (self, ch, "reports are not available on this relay right now");
      return;
    }
  char remote_address[64] = "";
  self->link.remote_address (remote_address, sizeof remote_address, self->link_data);
  Reply *r = g_new0 (Reply, 1);
  r->inbox = inbox_ref (self->inbox);
  r->sid = relay_data_channel_get_stream_id (ch);
  self->stats.submitted++;
  relay_figures_service_submit (self->service, self->province, (const char *) data, len,
                               RELAY_REPORT_VIA_DATA_CHANNEL, remote_address, on_report_done,
                               r);
}

/* The link of the relay: the WHIP session's DTLS transport. */
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

RelayFiguresChannel *
relay_figures_channel_new (RelayWorker *worker, RelayWebrtcTransport *transport,
                          const RelaySdpMedia *application, RelayFiguresService *service,
                          const char *province, GError **error)
{
  static const RelayFiguresChannelLink link = {
    .send = transport_send,
    .remote_address = transport_remote_address,
  };
  /* Our port as answered (the offer's); the peer's is the offer's too. */
  return relay_figures_channel_new_on_link (worker, &link, transport, application->sctp_port,
                                           service, province, error);
}

RelayFiguresChannel *
relay_figures_channel_new_on_link (RelayWorker *worker, const RelayFiguresChannelLink *link,
                                  gpointer link_data, guint16 sctp_port,
                                  RelayFiguresService *service, const char *province,
                                  GError **error)
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
  RelayFiguresChannel *self = g_new0 (RelayFiguresChannel, 1);
  self->worker = worker;
  self->link = *link;
  self->link_data = link_data;
  self->service = service;
  self->province = g_strdup (province);
  self->inbox = g_new0 (Inbox, 1);
  self->inbox->refcount = 1;
  self->inbox->channel = self;
  self->inbox->worker = worker;
  /* The relay answers a=setup:passive: it is the DTLS server, so the
   * office's browser opens its channels on even stream ids. */
  self->channels = relay_data_channels_new (&dc_callbacks, RELAY_DATA_CHANNEL_PEER_EVEN, self);
  self->sctp = relay_sctp_association_new (relay_worker_get_context (worker), sctp_port, sctp_port,
                                           &sctp_callbacks, self, error);
  if (self->sctp == NULL)
    {
      relay_figures_channel_free (self);
      return NULL;
    }
  return self;
}

void
relay_figures_channel_transport_connected (RelayFiguresChannel *self)
{
  if (self->started)
    return;
  self->started = TRUE;
  relay_sctp_association_connect (self->sctp);
}

void
relay_figures_channel_receive (RelayFiguresChannel *self, const guint8 *data, gsize len)
{
  relay_sctp_association_receive (self->sctp, data, len);
}

void
relay_figures_channel_get_stats (RelayFiguresChannel *self, RelayFiguresChannelStats *stats)
{
  *stats = self->stats;
}

void
relay_figures_channel_free (RelayFiguresChannel *self)
{
  if (self == NULL)
    return;
  self->inbox->channel = NULL;
  inbox_unref (self->inbox);
  /* SCTP first: its ABORT goes out through the channels' transport. */
  g_clear_pointer (&self->sctp, relay_sctp_association_free);
  g_clear_pointer (&self->channels, relay_data_channels_free);
  g_free (self->province);
  g_free (self);
}
