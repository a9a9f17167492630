/* Retransmission store for a viewer: a slot is found from the sequence
 * number alone, and forwarding does not allocate per packet. A slot
 * remembers which sequence number it holds, because 16-bit numbers map
 * many-to-one onto the ring.
 *
 * The ring starts small and doubles (up to its maximum) the first times it
 * would overwrite a packet still young enough to be served: its size then
 * follows the stream's packet rate times the age limit instead of the worst
 * case. A 600 kbit/s province needs ~128 slots for 2 s, a 1080p mosaic
 * several times that; preallocating for the mosaic cost every viewer of a
 * province 1.5 MiB (docs/PERFORMANCE.md, the comparison with Janus). */
#include "webrtc/rtp/packet-cache.h"

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
  guint max_capacity;
  gint64 max_age_us;
  CacheSlot *slots;
};

/* A capacity that is not a power of two is rounded up rather than refused:
 * the mask lookup needs one, and more slots only help. */
static guint
round_up_to_power_of_two (guint capacity)
{
  guint n = 1;
  while (n < capacity)
    n <<= 1;
  return n;
}

RelayPacketCache *
relay_packet_cache_new_growing (guint initial_capacity, guint max_capacity, guint max_age_ms)
{
  RelayPacketCache *cache;
  guint n;

  /* Beyond 65536 slots the extra ones could never be addressed. */
  g_return_val_if_fail (initial_capacity > 0 && initial_capacity <= max_capacity, NULL);
  g_return_val_if_fail (max_capacity <= 0x10000, NULL);

  n = round_up_to_power_of_two (initial_capacity);
  cache = g_new0 (RelayPacketCache, 1);
  cache->mask = n - 1;
  cache->max_capacity = round_up_to_power_of_two (max_capacity);
  cache->max_age_us = (gint64) max_age_ms * 1000;
  cache->slots = g_new0 (CacheSlot, n);
  return cache;
}

RelayPacketCache *
relay_packet_cache_new (guint capacity, guint max_age_ms)
{
  return relay_packet_cache_new_growing (capacity, capacity, max_age_ms);
}

guint
relay_packet_cache_get_capacity (RelayPacketCache *cache)
{
  g_return_val_if_fail (cache != NULL, 0);
  return cache->mask + 1;
}

/* Distinct sequence numbers in distinct slots of a ring stay distinct in a
 * ring twice as large, so moving them over cannot collide. */
static void
grow (RelayPacketCache *cache)
{
  guint old_n = cache->mask + 1;
  guint new_n = old_n * 2;
  CacheSlot *old_slots = cache->slots;

  cache->slots = g_new0 (CacheSlot, new_n);
  cache->mask = new_n - 1;
  for (guint i = 0; i < old_n; i++)
    if (old_slots[i].valid)
      {
        CacheSlot *to = &cache->slots[old_slots[i].seq & cache->mask];
        /* Only the used part of a slot is copied: most packets are far
         * below the MTU. */
        to->valid = TRUE;
        to->seq = old_slots[i].seq;
        to->len = old_slots[i].len;
        to->stored_us = old_slots[i].stored_us;
        memcpy (to->data, old_slots[i].data, old_slots[i].len);
      }
  g_free (old_slots);
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
  while (slot->valid && slot->seq != seq && now_us - slot->stored_us <= cache->max_age_us
         && cache->mask + 1 < cache->max_capacity)
    {
      grow (cache);
      slot = &cache->slots[seq & cache->mask];
    }
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
