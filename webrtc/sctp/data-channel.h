/* WebRTC data channels (RFC 8831) on top of an SCTP association: the
 * registry of channels by stream id, DCEP answering, and the PPID framing
 * of text, binary and empty messages. No SCTP calls here: the association
 * is reached through the send / reset_stream callbacks, so the framing is
 * unit tested on its own. Single thread (the session's worker). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RelayDataChannels RelayDataChannels;
typedef struct _RelayDataChannel RelayDataChannel;

typedef struct {
  /* One SCTP user message on stream sid; FALSE if it could not be queued. */
  gboolean (*send) (guint16 sid, guint32 ppid, gboolean unordered, const guint8 *data, gsize len,
                    gpointer user_data);
  /* Reset our outgoing stream sid (how a channel is closed, RFC 8831 6.7). */
  void (*reset_stream) (guint16 sid, gpointer user_data);
  /* The peer opened a channel; return FALSE to refuse it (it is closed). */
  gboolean (*opened) (RelayDataChannel *channel, gpointer user_data);
  /* A complete message; binary FALSE means UTF-8 text as sent (not
   * validated here, and not NUL-terminated). */
  void (*message) (RelayDataChannel *channel, gboolean binary, const guint8 *data, gsize len,
                   gpointer user_data);
  /* The channel is gone; the pointer is invalid after this returns. Not
   * called for refused channels nor from relay_data_channels_free(). */
  void (*closed) (RelayDataChannel *channel, gpointer user_data);
} RelayDataChannelCallbacks;

/* Which stream ids the peer may open channels on (RFC 8832 section 6: the
 * DTLS client uses even ones, the server odd ones, so that both sides can
 * open at once without colliding). An OPEN on the other parity is refused. */
typedef enum {
  RELAY_DATA_CHANNEL_PEER_EVEN, /* the peer is the DTLS client */
  RELAY_DATA_CHANNEL_PEER_ODD,  /* the peer is the DTLS server */
} RelayDataChannelPeerStreams;

/* What one peer can make us hold: channels at once (open or closing, each
 * with its label and protocol), and the length of a label or protocol. An
 * OPEN past either is refused (its stream reset) and nothing of it kept. */
#define RELAY_DATA_CHANNEL_MAX_CHANNELS 64
#define RELAY_DATA_CHANNEL_MAX_LABEL 1024

typedef struct {
  guint64 opened, refused, messages_in, messages_out, bytes_in, bytes_out;
  guint64 dropped; /* data on a stream without a channel, malformed DCEP */
} RelayDataChannelStats;

RelayDataChannels *relay_data_channels_new (const RelayDataChannelCallbacks *callbacks,
                                            RelayDataChannelPeerStreams peer_streams,
                                            gpointer user_data);
void relay_data_channels_free (RelayDataChannels *channels);

/* A complete SCTP message from the association. */
void relay_data_channels_receive (RelayDataChannels *channels, guint16 sid, guint32 ppid,
                                  const guint8 *data, gsize len);
/* The peer reset its outgoing stream sid: the channel on it is closing. */
void relay_data_channels_incoming_reset (RelayDataChannels *channels, guint16 sid);

RelayDataChannel *relay_data_channels_lookup (RelayDataChannels *channels, guint16 sid);
guint relay_data_channels_count (RelayDataChannels *channels);
void relay_data_channels_get_stats (RelayDataChannels *channels, RelayDataChannelStats *stats);

/* Text is sent as PPID 51 (56 when empty), binary as 53 (57 when empty:
 * RFC 8831 sends one zero byte, since SCTP has no empty messages). */
gboolean relay_data_channel_send_text (RelayDataChannel *channel, const char *text, gsize len);
gboolean relay_data_channel_send_binary (RelayDataChannel *channel, const guint8 *data, gsize len);
/* Resets our outgoing stream; the channel is removed (and `closed` runs)
 * when the peer resets its side too. */
void relay_data_channel_close (RelayDataChannel *channel);

const char *relay_data_channel_get_label (RelayDataChannel *channel);
const char *relay_data_channel_get_protocol (RelayDataChannel *channel);
guint16 relay_data_channel_get_stream_id (RelayDataChannel *channel);
gboolean relay_data_channel_is_open (RelayDataChannel *channel);
/* Free for the application (e.g. a per-channel state). */
void relay_data_channel_set_data (RelayDataChannel *channel, gpointer data);
gpointer relay_data_channel_get_data (RelayDataChannel *channel);

G_END_DECLS
