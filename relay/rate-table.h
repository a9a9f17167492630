/* Token buckets by key (a credential, a client address): each key may
 * spend `burst` at once and gets `rate` back per second. A key whose bucket
 * has filled up again is forgotten, so the table holds only keys that spent
 * recently; past `max_keys` the least recently used is forgotten first, so
 * a client inventing keys (addresses, tokens) cannot grow it. The caller
 * passes the time, which keeps the arithmetic testable.
 * Not thread-safe: one thread owns a table (the HTTP server's, here). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RelayRateTable RelayRateTable;

RelayRateTable *relay_rate_table_new (double rate_per_s, double burst, guint max_keys);
void relay_rate_table_free (RelayRateTable *table);

/* Spends one unit of `key`'s bucket: TRUE when there was one. Otherwise
 * FALSE, with the whole seconds until one is back in *retry_after_s. */
gboolean relay_rate_table_take (RelayRateTable *table, const char *key, gint64 now_us,
                                guint *retry_after_s);
/* Whether `key` has a unit left, without spending it (*retry_after_s as
 * above when not). */
gboolean relay_rate_table_peek (RelayRateTable *table, const char *key, gint64 now_us,
                                guint *retry_after_s);
guint relay_rate_table_size (RelayRateTable *table);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayRateTable, relay_rate_table_free)

G_END_DECLS
