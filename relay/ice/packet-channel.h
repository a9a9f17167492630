/* Hands RTP packets from one worker thread (a publisher's) to another (a
 * viewer's) without a GSource per packet: a bounded queue guarded by a
 * mutex, drained by one GSource attached to the receiving worker's context
 * and woken only when the queue goes from empty to non-empty. When the
 * queue is full the oldest packet is dropped (a late packet is worthless)
 * and counted. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RelayPacketChannel RelayPacketChannel;

typedef struct {
  guint8 kind;         /* caller-defined, e.g. audio/video */
  gboolean keyframe;   /* starts a keyframe */
  gint64 arrival_us;   /* when the publisher's packet arrived */
  gsize len;
  guint8 data[];       /* the plain RTP packet */
} RelayChannelPacket;

/* Runs on the receiving context for each packet, in order. The packet is
 * freed after the call. */
typedef void (*RelayPacketChannelFunc) (const RelayChannelPacket *packet, gpointer user_data);

/* Thread-safe reference counting: the sender and the receiver each hold
 * one. */
RelayPacketChannel *relay_packet_channel_new (GMainContext *receiver, guint capacity,
                                              RelayPacketChannelFunc func, gpointer user_data);
RelayPacketChannel *relay_packet_channel_ref (RelayPacketChannel *channel);
void relay_packet_channel_unref (RelayPacketChannel *channel);

/* Receiver side: stop delivering (the receiver is going away). Safe to call
 * from the receiving context; no callback runs after it returns. */
void relay_packet_channel_close (RelayPacketChannel *channel);

/* Sender side, any thread: copies the packet in. FALSE when closed. */
gboolean relay_packet_channel_send (RelayPacketChannel *channel, guint8 kind, gboolean keyframe,
                                    gint64 arrival_us, const guint8 *data, gsize len);

guint64 relay_packet_channel_get_dropped (RelayPacketChannel *channel);

G_END_DECLS
