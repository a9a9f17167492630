/* Hands RTP packets from one worker thread (a publisher's) to another (a
 * viewer's, a recorder's) without a GSource per packet: a queue guarded by
 * a mutex, drained by one GSource attached to the receiving worker's
 * context and woken only when the queue goes from empty to non-empty.
 *
 * The queue is bounded twice: in packets, and in bytes of RTP, so that
 * what a stalled receiver makes the relay hold does not depend on how big
 * a sender makes its packets. When a packet would pass either bound the
 * oldest packets are dropped (a late packet is worthless) until it fits,
 * and counted; the queue never grows past its bounds. The sender's thread
 * owns nothing in it; the receiving context owns each packet during its
 * callback. */
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

/* What the relay's media packets weigh when full: browsers and our own
 * payloaders fill video packets to about 1,200 bytes (a 1,280-byte path
 * MTU less SRTP, UDP and IP). A byte bound of max_packets times this is
 * reached together with the packet bound by ordinary full-size video, and
 * first by anything bigger. */
#define RELAY_PACKET_CHANNEL_FULL_PACKET 1200
#define RELAY_PACKET_CHANNEL_BYTES_FOR(max_packets) \
  ((gsize) (max_packets) * RELAY_PACKET_CHANNEL_FULL_PACKET)

/* Thread-safe reference counting: the sender and the receiver each hold
 * one. At most max_packets packets and max_bytes bytes of RTP are queued
 * (both > 0). */
RelayPacketChannel *relay_packet_channel_new (GMainContext *receiver, guint max_packets,
                                              gsize max_bytes, RelayPacketChannelFunc func,
                                              gpointer user_data);
RelayPacketChannel *relay_packet_channel_ref (RelayPacketChannel *channel);
void relay_packet_channel_unref (RelayPacketChannel *channel);

/* Receiver side: stop delivering (the receiver is going away). Safe to call
 * from the receiving context; no callback runs after it returns. */
void relay_packet_channel_close (RelayPacketChannel *channel);

/* Sender side, any thread: copies the packet in. FALSE when closed. A
 * packet bigger than max_bytes on its own is dropped (and counted)
 * without disturbing the queue; TRUE still, since the channel is open. */
gboolean relay_packet_channel_send (RelayPacketChannel *channel, guint8 kind, gboolean keyframe,
                                    gint64 arrival_us, const guint8 *data, gsize len);

/* Packets dropped so far, for either bound. */
guint64 relay_packet_channel_get_dropped (RelayPacketChannel *channel);

typedef struct {
  guint64 dropped;        /* packets, for either bound */
  guint64 dropped_bytes;  /* their RTP bytes */
  guint queued;           /* packets waiting now */
  gsize queued_bytes;     /* their RTP bytes */
  gsize peak_bytes;       /* the most ever queued at once */
} RelayPacketChannelStats;

void relay_packet_channel_get_stats (RelayPacketChannel *channel, RelayPacketChannelStats *stats);

G_END_DECLS
