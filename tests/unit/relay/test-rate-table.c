/* relay/rate-table.c: token buckets by key with the caller's clock, and a
 * table that stays bounded however many keys a client invents; and the
 * address key of http/admission.c (an IPv6 client counts by /64). */
#include <glib.h>

#include "relay/rate-table.h"
#include "http/admission.h"

#define S (G_USEC_PER_SEC)

static void
test_burst_then_rate (void)
{
  g_autoptr (RelayRateTable) t = relay_rate_table_new (2, 3, 16);
  guint retry = 0;
  for (int i = 0; i < 3; i++)
    g_assert_true (relay_rate_table_take (t, "a", 0, &retry));
  g_assert_false (relay_rate_table_take (t, "a", 0, &retry));
  g_assert_cmpuint (retry, ==, 1); /* 0.5 s to the next: rounded up */
  /* Another key has its own bucket. */
  g_assert_true (relay_rate_table_take (t, "b", 0, NULL));
  /* Half a second gives one back, not more. */
  g_assert_true (relay_rate_table_take (t, "a", S / 2, NULL));
  g_assert_false (relay_rate_table_take (t, "a", S / 2, NULL));
  /* Peeking spends nothing. */
  g_assert_true (relay_rate_table_peek (t, "a", S, NULL));
  g_assert_true (relay_rate_table_peek (t, "a", S, NULL));
  g_assert_true (relay_rate_table_take (t, "a", S, NULL));
  g_assert_false (relay_rate_table_peek (t, "a", S, &retry));
}

static void
test_retry_after_long (void)
{
  /* One back per 10 s: the wrong-token throttle's shape. */
  g_autoptr (RelayRateTable) t = relay_rate_table_new (0.1, 2, 16);
  guint retry = 0;
  g_assert_true (relay_rate_table_take (t, "x", 0, NULL));
  g_assert_true (relay_rate_table_take (t, "x", 0, NULL));
  g_assert_false (relay_rate_table_peek (t, "x", 0, &retry));
  g_assert_cmpuint (retry, ==, 10);
  g_assert_false (relay_rate_table_peek (t, "x", 4 * S, &retry));
  g_assert_cmpuint (retry, ==, 6);
  g_assert_true (relay_rate_table_peek (t, "x", 10 * S, NULL));
}

static void
test_bounded_and_forgetting (void)
{
  g_autoptr (RelayRateTable) t = relay_rate_table_new (1, 2, 8);
  /* A flood of invented keys: the table holds at most 8. */
  for (int i = 0; i < 1000; i++)
    {
      g_autofree char *key = g_strdup_printf ("10.0.%d.%d", i / 256, i % 256);
      relay_rate_table_take (t, key, 0, NULL);
      g_assert_cmpuint (relay_rate_table_size (t), <=, 8);
    }
  /* Keys whose buckets filled up again are forgotten as the table is used. */
  for (int i = 0; i < 8; i++)
    relay_rate_table_take (t, "busy", 60 * S, NULL);
  g_assert_cmpuint (relay_rate_table_size (t), <, 8);
  /* The busy key keeps its spent bucket meanwhile. */
  g_assert_false (relay_rate_table_take (t, "busy", 60 * S, NULL));
}

static void
test_address_key (void)
{
  g_autofree char *v4 = relay_admission_address_key ("192.0.2.7");
  g_assert_cmpstr (v4, ==, "192.0.2.7");
  g_autofree char *a = relay_admission_address_key ("2001:db8:1:2:aaaa::1");
  g_autofree char *b = relay_admission_address_key ("2001:db8:1:2:ffff:1:2:3");
  g_autofree char *c = relay_admission_address_key ("2001:db8:1:3::1");
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  g_autofree char *none = relay_admission_address_key (NULL);
  g_assert_nonnull (none);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rate-table/burst-then-rate", test_burst_then_rate);
  g_test_add_func ("/rate-table/retry-after-long", test_retry_after_long);
  g_test_add_func ("/rate-table/bounded-and-forgetting", test_bounded_and_forgetting);
  g_test_add_func ("/rate-table/address-key", test_address_key);
  return g_test_run ();
}
