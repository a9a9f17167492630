#include "relay/figures/figures-channel.h"

#include <string.h>

#include "webrtc/base/log.h"

/* Replies arrive on the figures service's writer thread and are handed to
 * the worker; `inbox` is what they find there. It outlives the channel
 * (reference counted) so that a reply for a session already gone is
 * simply dropped. Only the worker reads or clears `channel`. */
typedef struct {
  gint refcount;
  RelayWorker *worker; /* constant; the worker pool outlives sessions */
  RelayFiguresChannel *channel;
} Inbox;

struct _RelayFiguresChannel {
  RelayPeerDataChannels *channels; /* the plumbing holding this state */
  RelayFiguresService *service;    /* NULL: "not available" */
  char *province;
  Inbox *inbox;
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

/* ---- the "report" channel ---- */

static gpointer
figures_attach (RelayPeerDataChannels *channels, const char *peer_name, gpointer handler_data)
{
  RelayFiguresChannel *self = g_new0 (RelayFiguresChannel, 1);
  self->channels = channels;
  self->service = handler_data;
  self->province = g_strdup (peer_name);
  self->inbox = g_new0 (Inbox, 1);
  self->inbox->refcount = 1;
  self->inbox->channel = self;
  self->inbox->worker = relay_peer_data_channels_get_worker (channels);
  return self;
}

static void
figures_detach (gpointer peer)
{
  RelayFiguresChannel *self = peer;
  self->inbox->channel = NULL;
  inbox_unref (self->inbox);
  g_free (self->province);
  g_free (self);
}

static gboolean
figures_opened (gpointer peer, guint16 sid, const char *label, const char *protocol)
{
  RelayFiguresChannel *self = peer;
  (void) sid;
  (void) protocol;
  if (g_strcmp0 (label, RELAY_REPORT_CHANNEL_LABEL) != 0)
    {
      relay_info (self->province, "refused data channel \"%.64s\": only \"%s\" is served", label,
                  RELAY_REPORT_CHANNEL_LABEL);
      return FALSE;
    }
  self->stats.channels_open++;
  return TRUE;
}

static void
figures_closed (gpointer peer, guint16 sid)
{
  RelayFiguresChannel *self = peer;
  (void) sid;
  self->stats.channels_open--;
}

/* A refusal decided here, shaped like the service's own replies. */
static void
reply_error (RelayFiguresChannel *self, guint16 sid, const char *reason)
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
  relay_peer_data_channels_send_text (self->channels, sid, s->str, s->len);
}

static gboolean
deliver_reply (gpointer data)
{
  Reply *r = data;
  RelayFiguresChannel *self = r->inbox->channel;
  if (self == NULL)
    return G_SOURCE_REMOVE; /* the session ended meanwhile */
  if (!relay_peer_data_channels_is_open (self->channels, r->sid))
    return G_SOURCE_REMOVE;
  if (relay_peer_data_channels_send_text (self->channels, r->sid, r->reply, strlen (r->reply)))
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

/* On the figures service's writer thread: hop to the session's worker. */
static void
on_report_done (const char *reply_json, guint http_status, gpointer user_data)
{
  Reply *r = user_data;
  (void) http_status;
  r->reply = g_strdup (reply_json);
  relay_worker_invoke (r->inbox->worker, deliver_reply, r, reply_free);
}

static void
figures_message (gpointer peer, guint16 sid, gboolean binary, const guint8 *data, gsize len)
{
  RelayFiguresChannel *self = peer;
  if (binary)
    {
      reply_error (self, sid, "binary messages are not accepted; send JSON text");
      return;
    }
  if (len > RELAY_REPORT_MAX_BYTES)
    {
      g_autofree char *why = g_strdup_printf ("message is %zu bytes; the limit is %u bytes", len,
                                              (guint) RELAY_REPORT_MAX_BYTES);
      reply_error (self, sid, why);
      return;
    }
  if (self->service == NULL)
    {
      reply_error (self, sid, "reports are not available on this relay right now");
      return;
    }
  char remote_address[64] = "";
  relay_peer_data_channels_get_remote_address (self->channels, remote_address,
                                               sizeof remote_address);
  Reply *r = g_new0 (Reply, 1);
  r->inbox = inbox_ref (self->inbox);
  r->sid = sid;
  self->stats.submitted++;
  relay_figures_service_submit (self->service, self->province, (const char *) data, len,
                                RELAY_REPORT_VIA_DATA_CHANNEL, remote_address, on_report_done, r);
}

const RelayPeerChannelHandler relay_figures_channel_handler = {
  .attach = figures_attach,
  .opened = figures_opened,
  .message = figures_message,
  .closed = figures_closed,
  .detach = figures_detach,
};

void
relay_figures_channel_get_stats (RelayFiguresChannel *self, RelayFiguresChannelStats *stats)
{
  *stats = self->stats;
}
