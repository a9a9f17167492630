/* The last packets sent to a viewer, by output sequence number, to answer
 * its NACKs (RFC 4585) without asking the publisher. Fixed memory: a ring
 * of `capacity` slots (power of two), each holding one packet of up to
 * RELAY_PACKET_CACHE_MTU bytes; entries older than max_age are not served
 * (a retransmission that late is useless). Single-threaded. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAY_PACKET_CACHE_MTU 1500

typedef struct _RelayPacketCache RelayPacketCache;

RelayPacketCache *relay_packet_cache_new (guint capacity, guint max_age_ms);
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
