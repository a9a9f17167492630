/* Packet cache for NACK answers: lookup by sequence number, overwrite by
 * a newer packet in the same slot, age limit, size limit, wrap-around. */
#include "webrtc/rtp/packet-cache.h"

#include <string.h>

#define MS 1000

static gsize
make (guint8 *buf, guint16 seq, gsize len)
{
  for (gsize i = 0; i < len; i++)
    buf[i] = (guint8) (seq + i * 13);
  return len;
}

static void
assert_holds (RelayPacketCache *cache, guint16 seq, gsize len, gint64 now)
{
  guint8 expect[RELAY_PACKET_CACHE_MTU];
  const guint8 *got;
  gsize got_len = 0;

  make (expect, seq, len);
  got = relay_packet_cache_lookup (cache, seq, now, &got_len);
  g_assert_nonnull (got);
  g_assert_cmpmem (got, got_len, expect, len);
}

static void
test_store_lookup (void)
{
  g_autoptr (RelayPacketCache) cache = relay_packet_cache_new (64, 1000);
  guint8 buf[RELAY_PACKET_CACHE_MTU];
  gsize len;

  g_assert_null (relay_packet_cache_lookup (cache, 0, 0, &len));
  for (guint16 s = 100; s < 164; s++)
    relay_packet_cache_store (cache, s, buf, make (buf, s, 100 + s), 10 * MS);
  for (guint16 s = 100; s < 164; s++)
    assert_holds (cache, s, 100 + s, 20 * MS);
  /* Never stored, though its slot is occupied. */
  g_assert_null (relay_packet_cache_lookup (cache, 99, 20 * MS, &len));
  g_assert_null (relay_packet_cache_lookup (cache, 164, 20 * MS, &len));
  /* Full-size packets fit exactly. */
  relay_packet_cache_store (cache, 200, buf, make (buf, 200, RELAY_PACKET_CACHE_MTU), 10 * MS);
  assert_holds (cache, 200, RELAY_PACKET_CACHE_MTU, 10 * MS);
}

static void
test_overwrite (void)
{
  g_autoptr (RelayPacketCache) cache = relay_packet_cache_new (16, 1000);
  guint8 buf[RELAY_PACKET_CACHE_MTU];
  gsize len;

  relay_packet_cache_store (cache, 5, buf, make (buf, 5, 50), 0);
  relay_packet_cache_store (cache, 21, buf, make (buf, 21, 70), 1 * MS);
  g_assert_null (relay_packet_cache_lookup (cache, 5, 2 * MS, &len));
  assert_holds (cache, 21, 70, 2 * MS);
  relay_packet_cache_store (cache, 37, buf, make (buf, 37, 10), 3 * MS);
  g_assert_null (relay_packet_cache_lookup (cache, 21, 3 * MS, &len));
  assert_holds (cache, 37, 10, 3 * MS);
}

static void
test_age (void)
{
  g_autoptr (RelayPacketCache) cache = relay_packet_cache_new (32, 200);
  guint8 buf[RELAY_PACKET_CACHE_MTU];
  gsize len;

  relay_packet_cache_store (cache, 1, buf, make (buf, 1, 40), 1000 * MS);
  relay_packet_cache_store (cache, 2, buf, make (buf, 2, 40), 1100 * MS);
  assert_holds (cache, 1, 40, 1200 * MS); /* exactly max_age: still served */
  g_assert_null (relay_packet_cache_lookup (cache, 1, 1200 * MS + 1, &len));
  assert_holds (cache, 2, 40, 1200 * MS + 1);
  g_assert_null (relay_packet_cache_lookup (cache, 2, 1301 * MS, &len));
}

static void
test_oversize (void)
{
  g_autoptr (RelayPacketCache) cache = relay_packet_cache_new (8, 1000);
  g_autofree guint8 *big = g_malloc0 (RELAY_PACKET_CACHE_MTU + 1);
  guint8 buf[RELAY_PACKET_CACHE_MTU];
  gsize len;

  relay_packet_cache_store (cache, 3, big, RELAY_PACKET_CACHE_MTU + 1, 0);
  g_assert_null (relay_packet_cache_lookup (cache, 3, 0, &len));
  /* An oversize packet also retires the older occupant of its slot. */
  relay_packet_cache_store (cache, 4, buf, make (buf, 4, 60), 0);
  relay_packet_cache_store (cache, 12, big, RELAY_PACKET_CACHE_MTU + 1, 0);
  g_assert_null (relay_packet_cache_lookup (cache, 4, 0, &len));
  g_assert_null (relay_packet_cache_lookup (cache, 12, 0, &len));
}

static void
test_wraparound (void)
{
  g_autoptr (RelayPacketCache) cache = relay_packet_cache_new (128, 1000);
  guint8 buf[RELAY_PACKET_CACHE_MTU];
  gsize len;
  guint16 s = 65500;

  for (int i = 0; i < 100; i++, s++)
    relay_packet_cache_store (cache, s, buf, make (buf, s, 30 + i), i * MS);
  /* The last 100 stored (65500..65535, 0..63) all served. */
  s = 65500;
  for (int i = 0; i < 100; i++, s++)
    assert_holds (cache, s, 30 + i, 100 * MS);
  g_assert_null (relay_packet_cache_lookup (cache, 64, 100 * MS, &len));
  g_assert_null (relay_packet_cache_lookup (cache, 65499, 100 * MS, &len));
}

static void
test_capacity_rounding (void)
{
  /* 100 is rounded up to 128: 128 consecutive packets all stay. */
  g_autoptr (RelayPacketCache) cache = relay_packet_cache_new (100, 1000);
  guint8 buf[RELAY_PACKET_CACHE_MTU];

  for (guint16 s = 0; s < 128; s++)
    relay_packet_cache_store (cache, s, buf, make (buf, s, 20), 0);
  for (guint16 s = 0; s < 128; s++)
    assert_holds (cache, s, 20, 0);
}

static void
test_grows_to_the_age_window (void)
{
  /* 100 packets a second for 2 s of age limit need 200 slots: a ring of 16
   * grows to 256, keeps every packet stored while growing, and then stops
   * growing because the packets it overwrites are too old to serve. */
  g_autoptr (RelayPacketCache) cache = relay_packet_cache_new_growing (16, 2048, 2000);
  guint8 buf[RELAY_PACKET_CACHE_MTU];
  guint16 s = 65000; /* crosses the 16-bit wrap on the way */

  g_assert_cmpuint (relay_packet_cache_get_capacity (cache), ==, 16);
  for (int i = 0; i < 1000; i++, s++)
    relay_packet_cache_store (cache, s, buf, make (buf, s, 40 + i % 900), i * 10 * MS);
  g_assert_cmpuint (relay_packet_cache_get_capacity (cache), ==, 256);
  /* Everything from the last 2 s is served. */
  s = (guint16) (65000 + 800);
  for (int i = 800; i < 1000; i++, s++)
    assert_holds (cache, s, 40 + i % 900, 999 * 10 * MS);
}

static void
test_growth_stops_at_max (void)
{
  g_autoptr (RelayPacketCache) cache = relay_packet_cache_new_growing (8, 64, 1000);
  guint8 buf[RELAY_PACKET_CACHE_MTU];
  gsize len;

  /* All at the same instant: every overwrite is of a young packet. */
  for (guint16 s = 0; s < 200; s++)
    relay_packet_cache_store (cache, s, buf, make (buf, s, 60), 0);
  g_assert_cmpuint (relay_packet_cache_get_capacity (cache), ==, 64);
  for (guint16 s = 136; s < 200; s++)
    assert_holds (cache, s, 60, 0);
  g_assert_null (relay_packet_cache_lookup (cache, 135, 0, &len));
}

static void
test_fixed_ring_does_not_grow (void)
{
  g_autoptr (RelayPacketCache) cache = relay_packet_cache_new (32, 1000);
  guint8 buf[RELAY_PACKET_CACHE_MTU];

  for (guint16 s = 0; s < 100; s++)
    relay_packet_cache_store (cache, s, buf, make (buf, s, 60), 0);
  g_assert_cmpuint (relay_packet_cache_get_capacity (cache), ==, 32);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/packet-cache/store-lookup", test_store_lookup);
  g_test_add_func ("/packet-cache/overwrite", test_overwrite);
  g_test_add_func ("/packet-cache/age", test_age);
  g_test_add_func ("/packet-cache/oversize", test_oversize);
  g_test_add_func ("/packet-cache/wraparound", test_wraparound);
  g_test_add_func ("/packet-cache/capacity-rounding", test_capacity_rounding);
  g_test_add_func ("/packet-cache/grows-to-the-age-window", test_grows_to_the_age_window);
  g_test_add_func ("/packet-cache/growth-stops-at-max", test_growth_stops_at_max);
  g_test_add_func ("/packet-cache/fixed-ring-does-not-grow", test_fixed_ring_does_not_grow);
  return g_test_run ();
}
