/* The webhook outbox: one row per (webhook, accepted version), written by
 * the report writer inside the transaction that stores the version, so a
 * version is stored if and only if its deliveries are owed (a crash cannot
 * separate them). webhook-delivery.c sends them. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "relay/figures/figures-store.h"

G_BEGIN_DECLS

typedef struct _RelayWebhookOutbox RelayWebhookOutbox;

/* On the writer's connection (already migrated); `webhooks`
 * (RelayWebhookConfig*) must outlive it. */
RelayWebhookOutbox *relay_webhook_outbox_new (sqlite3 *db, GPtrArray *webhooks, GError **error);
/* Before the connection is closed: it holds prepared statements. */
void relay_webhook_outbox_free (RelayWebhookOutbox *outbox);

/* Inside the writer's open transaction: queues `row` (a new version) for
 * every configured webhook. The body is fixed here, so every attempt sends
 * (and signs) the same bytes. */
gboolean relay_webhook_outbox_add (RelayWebhookOutbox *outbox, const RelayReportRow *row,
                                   GError **error);

/* "sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with secret>", the
 * X-Briefing-Signature of an attempt sent with X-Briefing-Timestamp. */
char *relay_webhook_signature (GBytes *secret, const char *timestamp, const char *body, gsize len);

G_END_DECLS
