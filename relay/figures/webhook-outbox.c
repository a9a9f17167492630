#include "relay/figures/webhook-outbox.h"

#include <json-glib/json-glib.h>

#include "relay/figures/database.h"
#include "relay/figures/webhook-config.h"

struct _RelayWebhookOutbox {
  sqlite3 *db;
  GPtrArray *webhooks;
  sqlite3_stmt *insert;
};

RelayWebhookOutbox *
relay_webhook_outbox_new (sqlite3 *db, GPtrArray *webhooks, GError **error)
{
  const char *sql = "INSERT INTO webhook_outbox (webhook, delivery_id, province, date, version, "
                    "body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
  sqlite3_stmt *st;
  if (sqlite3_prepare_v3 (db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
    {
      relay_database_set_error (db, "webhook outbox", error);
      return NULL;
    }
  RelayWebhookOutbox *o = g_new0 (RelayWebhookOutbox, 1);
  o->db = db;
  o->webhooks = webhooks;
  o->insert = st;
  return o;
}

void
relay_webhook_outbox_free (RelayWebhookOutbox *o)
{
  if (!o)
    return;
  sqlite3_finalize (o->insert);
  g_free (o);
}

static char *
body_json (const RelayReportRow *row, const char *webhook, const char *delivery_id)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "figures");
  /* In the body as well as the header: the body is what is signed, so the
   * receiver can trust it when it drops duplicates. */
  json_builder_set_member_name (b, "delivery_id");
  json_builder_add_string_value (b, delivery_id);
  json_builder_set_member_name (b, "webhook");
  json_builder_add_string_value (b, webhook);
  json_builder_set_member_name (b, "province");
  json_builder_add_string_value (b, row->province);
  json_builder_set_member_name (b, "date");
  json_builder_add_string_value (b, row->date);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, row->version);
  json_builder_set_member_name (b, "values");
  JsonNode *values = json_from_string (row->values_json, NULL);
  if (values)
    json_builder_add_value (b, values);
  else
    json_builder_add_null_value (b);
  /* The plausibility warnings the office confirmed: the data centre sees
   * that an odd figure was checked, not slipped in. */
  json_builder_set_member_name (b, "warnings");
  JsonNode *warnings = row->warnings_json ? json_from_string (row->warnings_json, NULL) : NULL;
  if (warnings)
    json_builder_add_value (b, warnings);
  else
    {
      json_builder_begin_array (b);
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "received_at");
  json_builder_add_string_value (b, row->received_at);
  json_builder_set_member_name (b, "channel");
  json_builder_add_string_value (b, row->channel);
  json_builder_set_member_name (b, "client_id");
  json_builder_add_string_value (b, row->client_id);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

gboolean
relay_webhook_outbox_add (RelayWebhookOutbox *o, const RelayReportRow *row, GError **error)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created_at = g_date_time_format_iso8601 (now);
  for (guint i = 0; i < o->webhooks->len; i++)
    {
      const RelayWebhookConfig *w = o->webhooks->pdata[i];
      g_autofree char *delivery_id = g_uuid_string_random ();
      g_autofree char *body = body_json (row, w->name, delivery_id);
      sqlite3_stmt *st = o->insert;
      sqlite3_bind_text (st, 1, w->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 2, delivery_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 3, row->province, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 4, row->date, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (st, 5, row->version);
      sqlite3_bind_text (st, 6, body, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 7, created_at, -1, SQLITE_STATIC);
      int rc = sqlite3_step (st);
      sqlite3_reset (st);
      sqlite3_clear_bindings (st);
      if (rc != SQLITE_DONE)
        {
          relay_database_set_error (o->db, "queueing a webhook delivery", error);
          return FALSE;
        }
    }
  return TRUE;
}

char *
relay_webhook_signature (GBytes *secret, const char *timestamp, const char *body, gsize len)
{
  gsize key_len;
  const guchar *key = g_bytes_get_data (secret, &key_len);
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  /* The timestamp is signed with the body: a captured delivery replayed
   * later cannot be given a fresh time. */
  g_hmac_update (hmac, (const guchar *) timestamp, -1);
  g_hmac_update (hmac, (const guchar *) ".", 1);
  g_hmac_update (hmac, (const guchar *) body, len);
  return g_strconcat ("sha256=", g_hmac_get_string (hmac), NULL);
}
