#include "webrtc/sctp/data-channel.h"

#include <string.h>

#include "webrtc/sctp/dcep.h"

struct _RelayDataChannel {
  RelayDataChannels *owner;
  guint16 sid;
  gboolean unordered;
  gboolean closing; /* we reset our outgoing stream; waiting for the peer's */
  gboolean accepted; /* `opened` said yes: `closed` will run */
  char *label;
  char *protocol;
  gpointer data;
};

struct _RelayDataChannels {
  RelayDataChannelCallbacks callbacks;
  RelayDataChannelPeerStreams peer_streams;
  gpointer user_data;
  GHashTable *by_sid; /* GUINT_TO_POINTER (sid) -> RelayDataChannel* (owned) */
  RelayDataChannelStats stats;
};

static void
channel_free (gpointer p)
{
  RelayDataChannel *ch = p;
  g_free (ch->label);
  g_free (ch->protocol);
  g_free (ch);
}

RelayDataChannels *
relay_data_channels_new (const RelayDataChannelCallbacks *callbacks,
                         RelayDataChannelPeerStreams peer_streams, gpointer user_data)
{
  RelayDataChannels *self = g_new0 (RelayDataChannels, 1);
  self->callbacks = *callbacks;
  self->peer_streams = peer_streams;
  self->user_data = user_data;
  self->by_sid = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, channel_free);
  return self;
}

void
relay_data_channels_free (RelayDataChannels *self)
{
  if (self == NULL)
    return;
  g_hash_table_destroy (self->by_sid);
  g_free (self);
}

static void
handle_open (RelayDataChannels *self, guint16 sid, const guint8 *data, gsize len)
{
  RelayDcepOpen open;
  g_autoptr (GError) error = NULL;

  if (g_hash_table_contains (self->by_sid, GUINT_TO_POINTER (sid)))
    {
      /* A second OPEN on a live stream is a peer bug; the first channel
       * keeps the stream. */
      g_debug ("data channel: OPEN on stream %u which is in use; ignored", sid);
      self->stats.dropped++;
      return;
    }
  if ((sid % 2 == 0) != (self->peer_streams == RELAY_DATA_CHANNEL_PEER_EVEN))
    {
      /* Our parity: a peer opening there could collide with a channel we
       * open; RFC 8832 section 6 reserves it for us. */
      g_debug ("data channel: OPEN on stream %u, which is ours to open; refused", sid);
      self->stats.refused++;
      self->callbacks.reset_stream (sid, self->user_data);
      return;
    }
  if (g_hash_table_size (self->by_sid) >= RELAY_DATA_CHANNEL_MAX_CHANNELS)
    {
      g_debug ("data channel: OPEN on stream %u past %u channels; refused", sid,
               RELAY_DATA_CHANNEL_MAX_CHANNELS);
      self->stats.refused++;
      self->callbacks.reset_stream (sid, self->user_data);
      return;
    }
  if (!relay_dcep_parse_open (data, len, &open, &error))
    {
      g_debug ("data channel: stream %u: %s", sid, error->message);
      self->stats.dropped++;
      self->callbacks.reset_stream (sid, self->user_data);
      return;
    }
  if (strlen (open.label) > RELAY_DATA_CHANNEL_MAX_LABEL
      || strlen (open.protocol) > RELAY_DATA_CHANNEL_MAX_LABEL)
    {
      g_debug ("data channel: stream %u: label or protocol over %u bytes; refused", sid,
               RELAY_DATA_CHANNEL_MAX_LABEL);
      relay_dcep_open_clear (&open);
      self->stats.refused++;
      self->callbacks.reset_stream (sid, self->user_data);
      return;
    }
  RelayDataChannel *ch = g_new0 (RelayDataChannel, 1);
  ch->owner = self;
  ch->sid = sid;
  ch->unordered = !relay_dcep_channel_ordered (open.channel_type);
  ch->label = g_steal_pointer (&open.label);
  ch->protocol = g_steal_pointer (&open.protocol);
  relay_dcep_open_clear (&open);
  g_hash_table_insert (self->by_sid, GUINT_TO_POINTER (sid), ch);

  /* The ACK goes out first: the opener may send data right after OPEN, and
   * RFC 8832 wants the ACK before our first message on the stream. */
  g_autoptr (GBytes) ack = relay_dcep_build_ack ();
  gsize ack_len;
  const guint8 *ack_data = g_bytes_get_data (ack, &ack_len);
  if (self->callbacks.opened == NULL || !self->callbacks.opened (ch, self->user_data))
    {
      self->stats.refused++;
      ch->closing = TRUE;
      /* Kept until the peer resets its side too, but without what it sent. */
      g_clear_pointer (&ch->label, g_free);
      g_clear_pointer (&ch->protocol, g_free);
      self->callbacks.reset_stream (sid, self->user_data);
      return;
    }
  ch->accepted = TRUE;
  self->stats.opened++;
  self->callbacks.send (sid, RELAY_PPID_DCEP, FALSE, ack_data, ack_len, self->user_data);
}

void
relay_data_channels_receive (RelayDataChannels *self, guint16 sid, guint32 ppid,
                             const guint8 *data, gsize len)
{
  if (ppid == RELAY_PPID_DCEP)
    {
      if (len > 0 && data[0] == RELAY_DCEP_OPEN)
        handle_open (self, sid, data, len);
      else if (!relay_dcep_is_ack (data, len))
        self->stats.dropped++;
      /* An ACK only matters to the side that opened: the relay never does. */
      return;
    }
  RelayDataChannel *ch = g_hash_table_lookup (self->by_sid, GUINT_TO_POINTER (sid));
  if (ch == NULL || ch->closing)
    {
      self->stats.dropped++;
      return;
    }
  gboolean binary;
  switch (ppid)
    {
    case RELAY_PPID_STRING:
      binary = FALSE;
      break;
    case RELAY_PPID_BINARY:
      binary = TRUE;
      break;
    case RELAY_PPID_STRING_EMPTY:
      binary = FALSE;
      len = 0;
      break;
    case RELAY_PPID_BINARY_EMPTY:
      binary = TRUE;
      len = 0;
      break;
    default:
      /* 52/54 (deprecated partial messages) and unknown PPIDs. */
      self->stats.dropped++;
      return;
    }
  self->stats.messages_in++;
  self->stats.bytes_in += len;
  if (self->callbacks.message)
    self->callbacks.message (ch, binary, len > 0 ? data : (const guint8 *) "", len,
                             self->user_data);
}

void
relay_data_channels_incoming_reset (RelayDataChannels *self, guint16 sid)
{
  RelayDataChannel *ch = g_hash_table_lookup (self->by_sid, GUINT_TO_POINTER (sid));
  if (ch == NULL)
    return;
  /* Peer-initiated close: reset our side too so the stream can be reused. */
  if (!ch->closing)
    self->callbacks.reset_stream (sid, self->user_data);
  if (ch->accepted && self->callbacks.closed)
    self->callbacks.closed (ch, self->user_data);
  g_hash_table_remove (self->by_sid, GUINT_TO_POINTER (sid));
}

RelayDataChannel *
relay_data_channels_lookup (RelayDataChannels *self, guint16 sid)
{
  return g_hash_table_lookup (self->by_sid, GUINT_TO_POINTER (sid));
}

guint
relay_data_channels_count (RelayDataChannels *self)
{
  return g_hash_table_size (self->by_sid);
}

void
relay_data_channels_get_stats (RelayDataChannels *self, RelayDataChannelStats *stats)
{
  *stats = self->stats;
}

static gboolean
channel_send (RelayDataChannel *ch, guint32 ppid, guint32 empty_ppid, const guint8 *data,
              gsize len)
{
  static const guint8 zero = 0;
  RelayDataChannels *self = ch->owner;

  if (ch->closing)
    return FALSE;
  gboolean ok = len == 0 ? self->callbacks.send (ch->sid, empty_ppid, ch->unordered, &zero, 1,
                                                 self->user_data)
                         : self->callbacks.send (ch->sid, ppid, ch->unordered, data, len,
                                                 self->user_data);
  if (ok)
    {
      self->stats.messages_out++;
      self->stats.bytes_out += len;
    }
  return ok;
}

gboolean
relay_data_channel_send_text (RelayDataChannel *ch, const char *text, gsize len)
{
  return channel_send (ch, RELAY_PPID_STRING, RELAY_PPID_STRING_EMPTY, (const guint8 *) text, len);
}

gboolean
relay_data_channel_send_binary (RelayDataChannel *ch, const guint8 *data, gsize len)
{
  return channel_send (ch, RELAY_PPID_BINARY, RELAY_PPID_BINARY_EMPTY, data, len);
}

void
relay_data_channel_close (RelayDataChannel *ch)
{
  if (ch->closing)
    return;
  ch->closing = TRUE;
  ch->owner->callbacks.reset_stream (ch->sid, ch->owner->user_data);
}

const char *
relay_data_channel_get_label (RelayDataChannel *ch)
{
  return ch->label;
}

const char *
relay_data_channel_get_protocol (RelayDataChannel *ch)
{
  return ch->protocol;
}

guint16
relay_data_channel_get_stream_id (RelayDataChannel *ch)
{
  return ch->sid;
}

gboolean
relay_data_channel_is_open (RelayDataChannel *ch)
{
  return !ch->closing;
}

void
relay_data_channel_set_data (RelayDataChannel *ch, gpointer data)
{
  ch->data = data;
}

gpointer
relay_data_channel_get_data (RelayDataChannel *ch)
{
  return ch->data;
}
