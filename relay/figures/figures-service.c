#include "relay/figures/figures-service.h"

#include <json-glib/json-glib.h>
#include <stdatomic.h>
#include <string.h>

#include "webrtc/base/input-capture.h"
#include "relay/metrics/limit-refusals.h"
#include "webrtc/base/log.h"
#include "relay/rate-table.h"
#include "relay/figures/checkpointer.h"
#include "relay/figures/database.h"
#include "relay/figures/figures-validate.h"
#include "relay/figures/webhook-delivery.h"
#include "relay/figures/webhook-outbox.h"

/* Enough to amortise one fsync over a burst from all 76 offices and their
 * retries, small enough that the first in the batch does not wait long. */
#define MAX_BATCH 512

typedef struct {
  char *province;
  RelayReportVia via;
  char *remote_address;
  char *received_at;
  RelayReportDoneFunc done;
  gpointer user_data;
  RelayFiguresCheck check;
  char *warnings_json;   /* valid with warnings: as stored with the version */
  RelayReportOutcome outcome;
  gboolean stop;
} Item;

struct _RelayFiguresService {
  RelayConfig *config;
  RelayEventBus *events;
  RelayFiguresStore *store;  /* writer thread only */
  RelayCheckpointer *checkpointer;
  sqlite3 *reader;
  GMutex reader_lock;
  GAsyncQueue *queue;
  GThread *writer;
  RelayWebhookOutbox *outbox;      /* NULL without [webhook] groups */
  RelayWebhookDelivery *delivery;
  /* Submissions per office ([limits] figures-per-minute), from any thread:
   * an office's morning is a handful; a client in a loop must not fill
   * the store, the event stream and the webhooks' outbox. */
  GMutex rate_lock;
  RelayRateTable *rate;
  /* By way in and result; written by the writer thread, read by any. */
  _Atomic guint64 results[2][RELAY_REPORT_RESULT_N];
};

static void
item_free (Item *item)
{
  g_free (item->province);
  g_free (item->remote_address);
  g_free (item->received_at);
  g_free (item->warnings_json);
  relay_figures_check_clear (&item->check);
  g_free (item);
}

static const char *
via_name (RelayReportVia via)
{
  return via == RELAY_REPORT_VIA_DATA_CHANNEL ? "data-channel" : "https";
}

const char *
relay_report_via_name (RelayReportVia via)
{
  return via_name (via);
}

const char *
relay_report_result_name (RelayReportResult result)
{
  static const char *const names[RELAY_REPORT_RESULT_N] = {
    "stored", "repeated", "invalid", "unconfirmed", "rate-limited", "storage-failed",
  };
  g_return_val_if_fail (result < RELAY_REPORT_RESULT_N, NULL);
  return names[result];
}

static RelayReportResult
result_of (Item *item, guint status)
{
  switch (status)
    {
    case 201:
      return RELAY_REPORT_STORED;
    case 200:
      return RELAY_REPORT_REPEATED;
    case 422:
      return item->check.needs_confirmation ? RELAY_REPORT_UNCONFIRMED : RELAY_REPORT_INVALID;
    case 429:
      return RELAY_REPORT_RATE_LIMITED;
    case 503:
      return RELAY_REPORT_STORAGE_FAILED;
    default:
      return RELAY_REPORT_INVALID;
    }
}

guint64
relay_figures_service_count (RelayFiguresService *s, RelayReportVia via, RelayReportResult result)
{
  g_return_val_if_fail (result < RELAY_REPORT_RESULT_N, 0);
  return atomic_load_explicit (&s->results[via == RELAY_REPORT_VIA_HTTPS][result],
                               memory_order_relaxed);
}

static char *
reply_json (Item *item, guint status)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "ack");
  json_builder_set_member_name (b, "id");
  if (item->check.id)
    json_builder_add_string_value (b, item->check.id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, status == 200 || status == 201);
  if (status == 200 || status == 201)
    {
      json_builder_set_member_name (b, "province");
      json_builder_add_string_value (b, item->province);
      json_builder_set_member_name (b, "date");
      json_builder_add_string_value (b, item->outcome.date);
      json_builder_set_member_name (b, "version");
      json_builder_add_int_value (b, item->outcome.version);
      if (item->outcome.unchanged)
        {
          json_builder_set_member_name (b, "unchanged");
          json_builder_add_boolean_value (b, TRUE);
        }
      /* What the office confirmed, as stored with the version. */
      if (item->check.warnings)
        {
          json_builder_set_member_name (b, "warnings");
          json_builder_add_value (b, json_node_copy (item->check.warnings));
        }
    }
  else
    {
      /* The office sees its warnings with its errors, and whether only a
       * confirmation is missing (a distinct refusal: nothing to correct). */
      if (status == 422 && item->check.warnings)
        {
          json_builder_set_member_name (b, "warnings");
          json_builder_add_value (b, json_node_copy (item->check.warnings));
        }
      if (status == 422 && item->check.needs_confirmation)
        {
          json_builder_set_member_name (b, "needs_confirmation");
          json_builder_add_boolean_value (b, TRUE);
        }
      json_builder_set_member_name (b, "errors");
      if (item->check.errors)
        json_builder_add_value (b, json_node_copy (item->check.errors));
      else
        {
          json_builder_begin_array (b);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "field");
          json_builder_add_null_value (b);
          json_builder_set_member_name (b, "reason");
          json_builder_add_string_value (b, "the figures could not be stored; send them again");
          json_builder_end_object (b);
          json_builder_end_array (b);
        }
    }
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static void
answer (RelayFiguresService *s, Item *item, guint status)
{
  atomic_fetch_add_explicit (&s->results[item->via == RELAY_REPORT_VIA_HTTPS][result_of (item, status)],
                             1, memory_order_relaxed);
  g_autofree char *reply = reply_json (item, status);
  item->done (reply, status, item->user_data);
}

static void
publish (RelayFiguresService *s, Item *item)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "province", item->province);
  json_object_set_string_member (o, "date", item->outcome.date);
  json_object_set_int_member (o, "version", item->outcome.version);
  json_object_set_string_member (o, "channel", via_name (item->via));
  JsonNode *values = json_from_string (item->check.values_json, NULL);
  if (values)
    json_object_set_member (o, "values", values);
  if (item->check.warnings)
    json_object_set_member (o, "warnings", json_node_copy (item->check.warnings));
  else
    json_object_set_array_member (o, "warnings", json_array_new ());
  JsonNode *fields = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (fields, o);
  relay_event_bus_publish (s->events, "figures", fields);
}

/* One transaction for the whole batch: one fsync however many offices
 * submitted at once. Nobody is answered before COMMIT returns. */
static void
store_batch (RelayFiguresService *s, GPtrArray *batch)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = relay_figures_store_begin (s->store, &error);
  for (guint i = 0; ok && i < batch->len; i++)
    {
      Item *item = batch->pdata[i];
      if (item->check.status == 0)
        ok = relay_figures_store_put (s->store, item->province, item->check.id, item->check.date,
                                     item->check.values_json, item->warnings_json,
                                     via_name (item->via), item->remote_address,
                                     item->received_at, &item->outcome, &error);
      /* Same transaction: the version and what it owes the webhooks commit
       * together or not at all. */
      if (ok && s->outbox && item->check.status == 0 && item->outcome.status == 201)
        ok = relay_webhook_outbox_add (s->outbox, &(RelayReportRow) {
                                         .province = item->province, .date = item->check.date,
                                         .version = item->outcome.version,
                                         .values_json = item->check.values_json,
                                         .received_at = item->received_at,
                                         .channel = (char *) via_name (item->via),
                                         .client_id = item->check.id,
                                         .warnings_json = item->warnings_json }, &error);
    }
  if (ok)
    ok = relay_figures_store_commit (s->store, &error);
  if (ok)
    relay_webhook_delivery_kick (s->delivery);
  if (!ok)
    {
      relay_figures_store_rollback (s->store);
      relay_warn (NULL, "figures not stored: %s", error->message);
    }
  for (guint i = 0; i < batch->len; i++)
    {
      Item *item = batch->pdata[i];
      if (item->check.status != 0)
        answer (s, item, item->check.status);
      else if (!ok)
        answer (s, item, 503);
      else
        {
          if (item->outcome.status == 201)
            publish (s, item);
          answer (s, item, item->outcome.status);
        }
    }
}

static gpointer
writer_main (gpointer data)
{
  RelayFiguresService *s = data;
  gboolean stopping = FALSE;
  while (!stopping)
    {
      g_autoptr (GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
      Item *item = g_async_queue_pop (s->queue);
      do
        {
          if (item->stop)
            {
              stopping = TRUE;
              item_free (item);
            }
          else
            g_ptr_array_add (batch, item);
        }
      while (batch->len < MAX_BATCH && (item = g_async_queue_try_pop (s->queue)));
      if (batch->len)
        store_batch (s, batch);
    }
  return NULL;
}

void
relay_figures_service_submit (RelayFiguresService *service, const char *province,
                             const char *message, gsize len, RelayReportVia via,
                             const char *remote_address, RelayReportDoneFunc done,
                             gpointer user_data)
{
  Item *item = g_new0 (Item, 1);
  item->province = g_strdup (province);
  item->via = via;
  item->remote_address = g_strdup (remote_address);
  item->done = done;
  item->user_data = user_data;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  item->received_at = g_date_time_format_iso8601 (now);
  /* Validation here, on the caller's thread, keeps the writer free for
   * SQLite; refusals still go through the queue so that `done` is always
   * called on the writer thread, as the contract says. */
  relay_input_capture_item ("figures", message, len); /* test-only: BRIEFING_CAPTURE_DIR */
  relay_figures_validate (service->config->figures, message, len, NULL, &item->check);
  if (item->check.status == 0 && item->check.warnings)
    item->warnings_json = json_to_string (item->check.warnings, FALSE);
  /* After the check, so that the refusal carries the submission's id. */
  guint retry_s = 0;
  g_mutex_lock (&service->rate_lock);
  gboolean allowed = relay_rate_table_take (service->rate, province, g_get_monotonic_time (),
                                            &retry_s);
  g_mutex_unlock (&service->rate_lock);
  if (!allowed && item->check.status == 0)
    {
      relay_limit_refusals_note (RELAY_REFUSAL_FIGURES_RATE);
      item->check.status = 429;
      g_autofree char *reason = g_strdup_printf (
          "more than %u submissions a minute from this office; send again in %u s",
          service->config->limits.figures_per_minute, retry_s);
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "field");
      json_builder_add_null_value (b);
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, reason);
      json_builder_end_object (b);
      json_builder_end_array (b);
      item->check.errors = json_builder_get_root (b);
    }
  g_async_queue_push (service->queue, item);
}

RelayFiguresService *
relay_figures_service_new (RelayConfig *config, RelayEventBus *events, GError **error)
{
  g_autoptr (RelayFiguresStore) store = relay_figures_store_open (config->data_dir, error);
  if (!store)
    return NULL;
  sqlite3 *reader = relay_database_open_reader (config->data_dir, error);
  if (!reader)
    return NULL;
  RelayCheckpointer *checkpointer =
      relay_checkpointer_new (relay_figures_store_get_db (store), config->data_dir, error);
  if (!checkpointer)
    {
      sqlite3_close (reader);
      return NULL;
    }
  RelayWebhookOutbox *outbox = NULL;
  RelayWebhookDelivery *delivery = NULL;
  if (config->webhooks->len
      && (!(outbox = relay_webhook_outbox_new (relay_figures_store_get_db (store), config->webhooks,
                                               error))
          || !(delivery = relay_webhook_delivery_new (config->data_dir, config->webhooks, error))))
    {
      relay_webhook_outbox_free (outbox);
      relay_checkpointer_free (checkpointer);
      sqlite3_close (reader);
      return NULL;
    }
  RelayFiguresService *s = g_new0 (RelayFiguresService, 1);
  g_mutex_init (&s->rate_lock);
  s->rate = relay_rate_table_new (config->limits.figures_per_minute / 60.0,
                                  config->limits.figures_burst, 4096);
  s->outbox = outbox;
  s->delivery = delivery;
  s->config = config;
  s->events = events;
  s->store = g_steal_pointer (&store);
  s->reader = reader;
  s->checkpointer = checkpointer;
  g_mutex_init (&s->reader_lock);
  s->queue = g_async_queue_new ();
  s->writer = g_thread_new ("report-writer", writer_main, s);
  return s;
}

void
relay_figures_service_free (RelayFiguresService *s)
{
  if (!s)
    return;
  Item *stop = g_new0 (Item, 1);
  stop->stop = TRUE;
  g_async_queue_push (s->queue, stop);
  g_thread_join (s->writer);
  /* Anything submitted after the stop marker still gets its answer. */
  Item *item;
  while ((item = g_async_queue_try_pop (s->queue)))
    {
      if (!item->stop)
        answer (s, item, 503);
      item_free (item);
    }
  g_async_queue_unref (s->queue);
  relay_webhook_delivery_free (s->delivery);
  relay_webhook_outbox_free (s->outbox);
  relay_checkpointer_free (s->checkpointer);
  relay_figures_store_free (s->store);
  sqlite3_close (s->reader);
  g_mutex_clear (&s->reader_lock);
  relay_rate_table_free (s->rate);
  g_mutex_clear (&s->rate_lock);
  g_free (s);
}

const RelayFiguresSchema *
relay_figures_service_get_schema (RelayFiguresService *s)
{
  return s->config->figures;
}

GPtrArray *
relay_figures_service_latest (RelayFiguresService *s, const char *date, GError **error)
{
  g_mutex_lock (&s->reader_lock);
  GPtrArray *rows = relay_figures_store_latest (s->reader, date, error);
  g_mutex_unlock (&s->reader_lock);
  return rows;
}

GPtrArray *
relay_figures_service_history (RelayFiguresService *s, const char *province, const char *date,
                              GError **error)
{
  g_mutex_lock (&s->reader_lock);
  GPtrArray *rows = relay_figures_store_history (s->reader, province, date, error);
  g_mutex_unlock (&s->reader_lock);
  return rows;
}

RelayWebhookDelivery *
relay_figures_service_get_webhooks (RelayFiguresService *s)
{
  return s->delivery;
}
