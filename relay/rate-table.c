#include "relay/rate-table.h"

typedef struct {
  char *key;
  double tokens;
  gint64 updated_us;
  GList *lru; /* its link in RelayRateTable.order */
} Bucket;

struct _RelayRateTable {
  double rate, burst;
  guint max_keys;
  GHashTable *buckets; /* key -> Bucket* (owned) */
  GQueue order;        /* Bucket*, least recently used first */
};

static void
bucket_free (gpointer data)
{
  Bucket *b = data;
  g_free (b->key);
  g_free (b);
}

RelayRateTable *
relay_rate_table_new (double rate_per_s, double burst, guint max_keys)
{
  g_return_val_if_fail (rate_per_s > 0 && burst >= 1 && max_keys > 0, NULL);
  RelayRateTable *t = g_new0 (RelayRateTable, 1);
  t->rate = rate_per_s;
  t->burst = burst;
  t->max_keys = max_keys;
  t->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, bucket_free);
  g_queue_init (&t->order);
  return t;
}

void
relay_rate_table_free (RelayRateTable *t)
{
  if (!t)
    return;
  g_queue_clear (&t->order);
  g_hash_table_unref (t->buckets);
  g_free (t);
}

static void
forget (RelayRateTable *t, Bucket *b)
{
  g_queue_delete_link (&t->order, b->lru);
  g_hash_table_remove (t->buckets, b->key);
}

static void
refill (RelayRateTable *t, Bucket *b, gint64 now_us)
{
  if (now_us > b->updated_us)
    {
      b->tokens = MIN (t->burst, b->tokens + t->rate * (double) (now_us - b->updated_us) / 1e6);
      b->updated_us = now_us;
    }
}

/* Forgets the least recently used keys whose buckets are full again: they
 * are as good as absent. Bounded work per call keeps a lookup cheap. */
static void
sweep (RelayRateTable *t, gint64 now_us)
{
  for (guint i = 0; i < 4 && t->order.head; i++)
    {
      Bucket *b = t->order.head->data;
      refill (t, b, now_us);
      if (b->tokens < t->burst)
        break;
      forget (t, b);
    }
}

static Bucket *
lookup (RelayRateTable *t, const char *key, gint64 now_us, gboolean create)
{
  sweep (t, now_us);
  Bucket *b = g_hash_table_lookup (t->buckets, key);
  if (b)
    {
      refill (t, b, now_us);
      g_queue_unlink (&t->order, b->lru);
      g_queue_push_tail_link (&t->order, b->lru);
      return b;
    }
  if (!create)
    return NULL;
  if (g_hash_table_size (t->buckets) >= t->max_keys)
    forget (t, t->order.head->data);
  b = g_new0 (Bucket, 1);
  b->key = g_strdup (key);
  b->tokens = t->burst;
  b->updated_us = now_us;
  g_queue_push_tail (&t->order, b);
  b->lru = t->order.tail;
  g_hash_table_insert (t->buckets, b->key, b);
  return b;
}

static guint
seconds_until_one (RelayRateTable *t, const Bucket *b)
{
  double s = (1.0 - b->tokens) / t->rate;
  guint whole = (guint) s;
  if ((double) whole < s)
    whole++;
  return MAX (1u, whole);
}

gboolean
relay_rate_table_take (RelayRateTable *t, const char *key, gint64 now_us, guint *retry_after_s)
{
  Bucket *b = lookup (t, key, now_us, TRUE);
  if (b->tokens >= 1.0)
    {
      b->tokens -= 1.0;
      return TRUE;
    }
  if (retry_after_s)
    *retry_after_s = seconds_until_one (t, b);
  return FALSE;
}

gboolean
relay_rate_table_peek (RelayRateTable *t, const char *key, gint64 now_us, guint *retry_after_s)
{
  Bucket *b = lookup (t, key, now_us, FALSE);
  if (!b || b->tokens >= 1.0)
    return TRUE;
  if (retry_after_s)
    *retry_after_s = seconds_until_one (t, b);
  return FALSE;
}

guint
relay_rate_table_size (RelayRateTable *t)
{
  return g_hash_table_size (t->buckets);
}
