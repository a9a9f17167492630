/* Retransmission store for a viewer: all memory is taken at creation, so
 * forwarding never allocates per packet, and a slot is found from the
 * sequence number alone. A slot remembers which sequence number it holds,
 * because 16-bit numbers map many-to-one onto the ring. */
#include "relay/rtp/packet-cache.h"

#include <string.h>

typedef struct {
  gboolean valid;
  guint16 seq;
  gsize len;
  gint64 stored_us;
  guint8 data[RELAY_PACKET_CACHE_MTU];
} CacheSlot;

struct _RelayPacketCache {
  guint mask;
  gint64 max_age_us;
  CacheSlot *slots;
};

RelayPacketCache *
relay_packet_cache_new (guint capacity, guint max_age_ms)
{
  RelayPacketCache *cache;
  guint n;

  /* Beyond 65536 slots the extra ones could never be addressed. */
  g_return_val_if_fail (capacity > 0 && capacity <= 0x10000, NULL);

  /* A capacity that is not a power of two is rounded up rather than
   * refused: the mask lookup needs one, and more slots only help. */
  n = 1;
  while (n < capacity)
    n <<= 1;

  cache = g_new0 (RelayPacketCache, 1);
  cache->mask = n - 1;
  cache->max_age_us = (gint64) max_age_ms * 1000;
  cache->slots = g_new0 (CacheSlot, n);
  return cache;
}

void
relay_packet_cache_free (RelayPacketCache *cache)
{
  if (cache == NULL)
    return;
  g_free (cache->slots);
  g_free (cache);
}

void
relay_packet_cache_store (RelayPacketCache *cache, guint16 seq, const guint8 *data, gsize len,
                          gint64 now_us)
{
  CacheSlot *slot;

  g_return_if_fail (cache != NULL);
  g_return_if_fail (data != NULL || len == 0);

  slot = &cache->slots[seq & cache->mask];
  if (len > RELAY_PACKET_CACHE_MTU) {
    /* Whatever the slot held is older than this packet, which the viewer
     * is more likely to ask for; serving neither beats serving a packet the
     * ring should already have forgotten. */
    slot->valid = FALSE;
    return;
  }

  if (len > 0)
    memcpy (slot->data, data, len);
  slot->len = len;
  slot->seq = seq;
  slot->stored_us = now_us;
  slot->valid = TRUE;
}

const guint8 *
relay_packet_cache_lookup (RelayPacketCache *cache, guint16 seq, gint64 now_us, gsize *len)
{
  const CacheSlot *slot;

  g_return_val_if_fail (cache != NULL, NULL);

  slot = &cache->slots[seq & cache->mask];
  if (!slot->valid || slot->seq != seq || now_us - slot->stored_us > cache->max_age_us)
    return NULL;
  if (len)
    *len = slot->len;
  return slot->data;
}
