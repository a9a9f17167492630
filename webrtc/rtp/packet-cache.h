/* The last packets sent to a viewer, by output sequence number, to answer
 * its NACKs (RFC 4585) without asking the publisher. A ring of slots (a
 * power of two), each holding one packet of up to RELAY_PACKET_CACHE_MTU
 * bytes; entries older than max_age are not served (a retransmission that
 * late is useless). Single-threaded. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAY_PACKET_CACHE_MTU 1500

typedef struct _RelayPacketCache RelayPacketCache;

/* A ring of fixed size. */
RelayPacketCache *relay_packet_cache_new (guint capacity, guint max_age_ms);
/* A ring that starts at initial_capacity and doubles, up to max_capacity,
 * whenever a store would overwrite a packet younger than max_age: memory
 * follows the stream's packet rate. */
RelayPacketCache *relay_packet_cache_new_growing (guint initial_capacity, guint max_capacity,
                                                  guint max_age_ms);
guint relay_packet_cache_get_capacity (RelayPacketCache *cache);
void relay_packet_cache_free (RelayPacketCache *cache);

/* Stores a copy of a plain (unencrypted) RTP packet whose sequence number
 * is `seq`. Packets larger than the MTU are not stored. */
void relay_packet_cache_store (RelayPacketCache *cache, guint16 seq, const guint8 *data, gsize len,
                               gint64 now_us);

/* The stored packet for seq, or NULL (never stored, overwritten, too old).
 * Valid until the next store. */
const guint8 *relay_packet_cache_lookup (RelayPacketCache *cache, guint16 seq, gint64 now_us,
                                         gsize *len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayPacketCache, relay_packet_cache_free)

G_END_DECLS
