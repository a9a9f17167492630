/* Sends the webhook outbox (webhook-outbox.h): a thread of its own with a
 * GMainContext and one libsoup session per webhook. Per webhook, each
 * province is a lane: its rows go one at a time in outbox order, so a later
 * version never overtakes an earlier one, while provinces do not wait for
 * each other. A failed attempt (network error, timeout, any status but 2xx)
 * is retried after an exponential backoff with jitter. At-least-once: a row
 * is marked delivered only after its 2xx, so a relay that dies between the
 * two sends it again at its next start. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _RelayWebhookDelivery RelayWebhookDelivery;

/* Opens a connection of its own to <data_dir>/briefing.sqlite (the writer
 * has migrated it), resumes every pending row and starts the thread.
 * `webhooks` (RelayWebhookConfig*) must outlive it. */
RelayWebhookDelivery *relay_webhook_delivery_new (const char *data_dir, GPtrArray *webhooks,
                                                  GError **error);
/* Stops the thread; requests in flight are abandoned and their rows stay
 * pending for the next start. */
void relay_webhook_delivery_free (RelayWebhookDelivery *delivery);

/* Any thread, after committing new outbox rows: picks them up. */
void relay_webhook_delivery_kick (RelayWebhookDelivery *delivery);

/* Any thread: [{"name","url","pending","delivered","failed_attempts",
 * "abandoned","last_error","last_error_at","last_delivered_at"}, ...]. */
JsonNode *relay_webhook_delivery_stats (RelayWebhookDelivery *delivery);

G_END_DECLS
