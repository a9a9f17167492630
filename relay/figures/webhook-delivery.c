#include "relay/figures/webhook-delivery.h"

#include <libsoup/soup.h>
#include <string.h>

#include "webrtc/base/log.h"
#include "relay/figures/database.h"
#include "relay/figures/webhook-config.h"
#include "relay/figures/webhook-outbox.h"

enum { ST_LOAD, ST_DELIVERED, ST_FAILED, ST_ABANDONED, N_STATEMENTS };

static const char *const sql[N_STATEMENTS] = {
  [ST_LOAD] = "SELECT id, webhook, delivery_id, province, version, body, attempts "
              "FROM webhook_outbox WHERE id > ? AND delivered_at IS NULL "
              "AND abandoned_at IS NULL ORDER BY id",
  [ST_DELIVERED] = "UPDATE webhook_outbox SET attempts = attempts + 1, last_attempt_at = ?2, "
                   "last_status = ?3, delivered_at = ?2 WHERE id = ?1",
  [ST_FAILED] = "UPDATE webhook_outbox SET attempts = attempts + 1, last_attempt_at = ?2, "
                "last_status = ?3, last_error = ?4 WHERE id = ?1",
  [ST_ABANDONED] = "UPDATE webhook_outbox SET abandoned_at = ?2 WHERE id = ?1",
};

typedef struct {
  gint64 id;
  char *delivery_id;
  gint64 version;
  GBytes *body;
  guint attempts;
} Row;

typedef struct _Hook Hook;

typedef struct {
  Hook *hook;
  char *province;
  GQueue rows;      /* Row*, outbox order; the head is the one being sent */
  gboolean busy;    /* a request in flight or a retry timer armed */
  GSource *timer;
} Lane;

struct _Hook {
  RelayWebhookDelivery *d;
  const RelayWebhookConfig *config;
  SoupSession *session;  /* delivery thread only */
  GHashTable *lanes;     /* province -> Lane* */
  /* Under d->lock: read by the API on the main thread. */
  gint64 pending, delivered, failed_attempts, abandoned;
  char *last_error, *last_error_at, *last_delivered_at;
};

struct _RelayWebhookDelivery {
  GPtrArray *hooks;        /* Hook* */
  GHashTable *by_name;     /* name -> Hook* (borrowed) */
  sqlite3 *db;             /* delivery thread only once it runs */
  sqlite3_stmt *st[N_STATEMENTS];
  gint64 loaded_up_to;     /* highest outbox id already queued */
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  GCancellable *cancel;
  guint in_flight;
  gint kick_pending;       /* atomic */
  GMutex lock;
};

static void
row_free (Row *row)
{
  g_free (row->delivery_id);
  g_bytes_unref (row->body);
  g_free (row);
}

static void
lane_free (Lane *lane)
{
  if (lane->timer)
    {
      g_source_destroy (lane->timer);
      g_source_unref (lane->timer);
    }
  g_queue_clear_full (&lane->rows, (GDestroyNotify) row_free);
  g_free (lane->province);
  g_free (lane);
}

static void
hook_free (Hook *hook)
{
  g_clear_pointer (&hook->lanes, g_hash_table_unref);
  g_clear_object (&hook->session);
  g_free (hook->last_error);
  g_free (hook->last_error_at);
  g_free (hook->last_delivered_at);
  g_free (hook);
}

static char *
now_iso8601 (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format_iso8601 (now);
}

/* Delay before attempt n + 1 after n failures: retry-min-ms doubling up to
 * retry-max-ms, then a random half of it taken off so that the 76 lanes of
 * a receiver that was down do not all come back in the same instant. */
static guint
backoff_ms (const RelayWebhookConfig *config, guint failures)
{
  guint64 delay = config->retry_min_ms;
  for (guint i = 1; i < failures && delay < config->retry_max_ms; i++)
    delay *= 2;
  delay = MIN (delay, (guint64) config->retry_max_ms);
  return (guint) (delay / 2 + (guint64) g_random_int_range (0, (gint32) (delay / 2) + 1));
}

static void
update (RelayWebhookDelivery *d, int which, gint64 id, const char *at, guint status,
        const char *error_text)
{
  sqlite3_stmt *st = d->st[which];
  sqlite3_bind_int64 (st, 1, id);
  sqlite3_bind_text (st, 2, at, -1, SQLITE_STATIC);
  if (which != ST_ABANDONED)
    sqlite3_bind_int (st, 3, (int) status);
  if (which == ST_FAILED)
    sqlite3_bind_text (st, 4, error_text, -1, SQLITE_STATIC);
  int rc = sqlite3_step (st);
  sqlite3_reset (st);
  sqlite3_clear_bindings (st);
  /* The row stays as it was: a delivered one is sent again at the next
   * start (at-least-once), a failed one just keeps an older count. */
  if (rc != SQLITE_DONE)
    relay_warn (NULL, "webhook outbox row %" G_GINT64_FORMAT ": %s", id, sqlite3_errmsg (d->db));
}

static void lane_send (Lane *lane);

static gboolean
on_retry (gpointer data)
{
  Lane *lane = data;
  g_clear_pointer (&lane->timer, g_source_unref);
  lane_send (lane);
  return G_SOURCE_REMOVE;
}

/* The head is done (delivered or abandoned): on to the next version. */
static void
lane_advance (Lane *lane)
{
  row_free (g_queue_pop_head (&lane->rows));
  lane->busy = FALSE;
  if (!g_queue_is_empty (&lane->rows))
    lane_send (lane);
}

static void
on_delivered (Lane *lane, Row *row, guint status)
{
  Hook *hook = lane->hook;
  RelayWebhookDelivery *d = hook->d;
  g_autofree char *at = now_iso8601 ();
  update (d, ST_DELIVERED, row->id, at, status, NULL);
  relay_debug (lane->province, "webhook %s: version %" G_GINT64_FORMAT " delivered (%s, HTTP %u)",
               hook->config->name, row->version, row->delivery_id, status);
  g_mutex_lock (&d->lock);
  hook->pending--;
  hook->delivered++;
  g_free (hook->last_delivered_at);
  hook->last_delivered_at = g_steal_pointer (&at);
  g_mutex_unlock (&d->lock);
  lane_advance (lane);
}

static void
on_failed (Lane *lane, Row *row, guint status, const char *what)
{
  Hook *hook = lane->hook;
  const RelayWebhookConfig *config = hook->config;
  RelayWebhookDelivery *d = hook->d;
  g_autofree char *at = now_iso8601 ();
  row->attempts++;
  update (d, ST_FAILED, row->id, at, status, what);
  gboolean give_up = config->max_attempts && row->attempts >= config->max_attempts;
  /* A 4xx other than 408/429 is the receiver refusing us (wrong URL, wrong
   * secret on its side): it will not fix itself, but dropping figures over a
   * misconfiguration is worse than retrying, so it is retried and said
   * loudly every time. Other failures are said on the first attempt and
   * then every tenth, not every few seconds per province. */
  gboolean refused = status >= 400 && status < 500 && status != 408 && status != 429;
  if (refused)
    relay_warn (lane->province,
                "webhook %s: the receiver refuses version %" G_GINT64_FORMAT " (%s): check the "
                "URL and the secret on both sides; %s (attempt %u)",
                config->name, row->version, what, give_up ? "not retried" : "retrying",
                row->attempts);
  else if (row->attempts == 1 || row->attempts % 10 == 0 || give_up)
    relay_warn (lane->province, "webhook %s: version %" G_GINT64_FORMAT " not delivered: %s "
                "(attempt %u)", config->name, row->version, what, row->attempts);
  g_mutex_lock (&d->lock);
  hook->failed_attempts++;
  g_free (hook->last_error);
  hook->last_error = g_strdup (what);
  g_free (hook->last_error_at);
  hook->last_error_at = g_strdup (at);
  if (give_up)
    {
      hook->pending--;
      hook->abandoned++;
    }
  g_mutex_unlock (&d->lock);
  if (give_up)
    {
      relay_warn (lane->province, "webhook %s: giving up on version %" G_GINT64_FORMAT
                  " (%s) after %u attempts (max-attempts)", config->name, row->version,
                  row->delivery_id, row->attempts);
      update (d, ST_ABANDONED, row->id, at, 0, NULL);
      lane_advance (lane);
      return;
    }
  lane->timer = g_timeout_source_new (backoff_ms (config, row->attempts));
  g_source_set_callback (lane->timer, on_retry, lane, NULL);
  g_source_attach (lane->timer, d->context);
}

static void
on_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  Lane *lane = data;
  RelayWebhookDelivery *d = lane->hook->d;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                                &error);
  (void) reply; /* read to be freed: the receiver's body says nothing we use */
  d->in_flight--;
  /* Stopping: the row stays pending in the database for the next start. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  Row *row = g_queue_peek_head (&lane->rows);
  guint status = error ? 0 : soup_message_get_status (msg);
  if (status >= 200 && status < 300)
    {
      on_delivered (lane, row, status);
      return;
    }
  g_autofree char *what = error ? g_strdup (error->message)
                                : g_strdup_printf ("HTTP %u %s", status,
                                                   soup_message_get_reason_phrase (msg));
  on_failed (lane, row, status, what);
}

static void
lane_send (Lane *lane)
{
  Hook *hook = lane->hook;
  Row *row = g_queue_peek_head (&lane->rows);
  lane->busy = TRUE;
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", hook->config->url);
  /* A redirected POST would become a GET and lose the body: a 3xx is a
   * failed attempt, logged like any other. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  gsize len;
  const char *body = g_bytes_get_data (row->body, &len);
  g_autofree char *timestamp = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *signature = relay_webhook_signature (hook->config->secret, timestamp, body, len);
  SoupMessageHeaders *h = soup_message_get_request_headers (msg);
  soup_message_headers_replace (h, "X-Briefing-Signature", signature);
  soup_message_headers_replace (h, "X-Briefing-Delivery", row->delivery_id);
  soup_message_headers_replace (h, "X-Briefing-Timestamp", timestamp);
  soup_message_set_request_body_from_bytes (msg, "application/json", row->body);
  hook->d->in_flight++;
  soup_session_send_and_read_async (hook->session, msg, G_PRIORITY_DEFAULT, hook->d->cancel,
                                    on_sent, lane);
}

/* Queues the rows committed since the last look, in outbox order. */
static void
load_new (RelayWebhookDelivery *d)
{
  sqlite3_stmt *st = d->st[ST_LOAD];
  sqlite3_bind_int64 (st, 1, d->loaded_up_to);
  g_autoptr (GPtrArray) touched = g_ptr_array_new ();
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (st, 0);
      d->loaded_up_to = MAX (d->loaded_up_to, id);
      /* A webhook since removed from the config: its rows wait, untouched,
       * in case it comes back. */
      Hook *hook = g_hash_table_lookup (d->by_name, sqlite3_column_text (st, 1));
      if (!hook)
        continue;
      const char *province = (const char *) sqlite3_column_text (st, 3);
      Lane *lane = g_hash_table_lookup (hook->lanes, province);
      if (!lane)
        {
          lane = g_new0 (Lane, 1);
          lane->hook = hook;
          lane->province = g_strdup (province);
          g_queue_init (&lane->rows);
          g_hash_table_insert (hook->lanes, lane->province, lane);
        }
      Row *row = g_new0 (Row, 1);
      row->id = id;
      row->delivery_id = g_strdup ((const char *) sqlite3_column_text (st, 2));
      row->version = sqlite3_column_int64 (st, 4);
      row->body = g_bytes_new (sqlite3_column_text (st, 5), sqlite3_column_bytes (st, 5));
      row->attempts = (guint) sqlite3_column_int (st, 6);
      g_queue_push_tail (&lane->rows, row);
      g_mutex_lock (&d->lock);
      hook->pending++;
      g_mutex_unlock (&d->lock);
      if (!lane->busy)
        g_ptr_array_add (touched, lane);
    }
  if (rc != SQLITE_DONE)
    relay_warn (NULL, "webhook outbox: %s", sqlite3_errmsg (d->db));
  sqlite3_reset (st);
  for (guint i = 0; i < touched->len; i++)
    {
      Lane *lane = touched->pdata[i];
      if (!lane->busy)
        lane_send (lane);
    }
}

static gboolean
on_kick (gpointer data)
{
  RelayWebhookDelivery *d = data;
  /* Cleared before reading: a commit after this point kicks again. */
  g_atomic_int_set (&d->kick_pending, 0);
  load_new (d);
  return G_SOURCE_REMOVE;
}

void
relay_webhook_delivery_kick (RelayWebhookDelivery *d)
{
  if (!d || !g_atomic_int_compare_and_exchange (&d->kick_pending, 0, 1))
    return;
  /* A source, not g_main_context_invoke: that would run load_new on the
   * caller's thread if the delivery thread has not acquired the context yet. */
  GSource *source = g_idle_source_new ();
  g_source_set_callback (source, on_kick, d, NULL);
  g_source_attach (source, d->context);
  g_source_unref (source);
}

static gpointer
delivery_main (gpointer data)
{
  RelayWebhookDelivery *d = data;
  g_main_context_push_thread_default (d->context);
  /* Created here: a libsoup 3 session belongs to the thread (and the
   * context) it was made on. */
  for (guint i = 0; i < d->hooks->len; i++)
    {
      Hook *hook = d->hooks->pdata[i];
      hook->session = soup_session_new_with_options ("timeout", hook->config->timeout_s,
                                                     "idle-timeout", 60,
                                                     "user-agent", "briefing-relay/" RELAY_VERSION,
                                                     NULL);
    }
  load_new (d);
  g_main_loop_run (d->loop);
  g_cancellable_cancel (d->cancel);
  while (d->in_flight > 0)
    g_main_context_iteration (d->context, TRUE);
  for (guint i = 0; i < d->hooks->len; i++)
    {
      Hook *hook = d->hooks->pdata[i];
      g_hash_table_remove_all (hook->lanes);
      g_clear_object (&hook->session);
    }
  g_main_context_pop_thread_default (d->context);
  return NULL;
}

static gboolean
quit_loop (gpointer data)
{
  RelayWebhookDelivery *d = data;
  g_main_loop_quit (d->loop);
  return G_SOURCE_REMOVE;
}

/* The counts of earlier runs, so the API does not start from zero. */
static gboolean
load_counts (RelayWebhookDelivery *d, GError **error)
{
  sqlite3_stmt *st;
  const char *query = "SELECT webhook, SUM(delivered_at IS NOT NULL), SUM(abandoned_at IS NOT NULL), "
                      "SUM(attempts) - SUM(delivered_at IS NOT NULL), MAX(delivered_at), "
                      "MAX(CASE WHEN last_error IS NOT NULL THEN last_attempt_at END) "
                      "FROM webhook_outbox GROUP BY webhook";
  if (sqlite3_prepare_v2 (d->db, query, -1, &st, NULL) != SQLITE_OK)
    {
      relay_database_set_error (d->db, "webhook outbox", error);
      return FALSE;
    }
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      Hook *hook = g_hash_table_lookup (d->by_name, sqlite3_column_text (st, 0));
      if (!hook)
        continue;
      hook->delivered = sqlite3_column_int64 (st, 1);
      hook->abandoned = sqlite3_column_int64 (st, 2);
      hook->failed_attempts = sqlite3_column_int64 (st, 3);
      hook->last_delivered_at = g_strdup ((const char *) sqlite3_column_text (st, 4));
      hook->last_error_at = g_strdup ((const char *) sqlite3_column_text (st, 5));
    }
  sqlite3_finalize (st);
  if (sqlite3_prepare_v2 (d->db, "SELECT last_error FROM webhook_outbox WHERE webhook = ? "
                          "AND last_attempt_at = ? AND last_error IS NOT NULL LIMIT 1",
                          -1, &st, NULL) != SQLITE_OK)
    {
      relay_database_set_error (d->db, "webhook outbox", error);
      return FALSE;
    }
  for (guint i = 0; i < d->hooks->len; i++)
    {
      Hook *hook = d->hooks->pdata[i];
      if (!hook->last_error_at)
        continue;
      sqlite3_bind_text (st, 1, hook->config->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 2, hook->last_error_at, -1, SQLITE_STATIC);
      if (sqlite3_step (st) == SQLITE_ROW)
        hook->last_error = g_strdup ((const char *) sqlite3_column_text (st, 0));
      sqlite3_reset (st);
    }
  sqlite3_finalize (st);
  return TRUE;
}

void
relay_webhook_delivery_free (RelayWebhookDelivery *d)
{
  if (!d)
    return;
  if (d->thread)
    {
      /* Through the context, not g_main_loop_quit here: a quit before the
       * thread reached g_main_loop_run would be forgotten by it. */
      GSource *source = g_idle_source_new ();
      g_source_set_callback (source, quit_loop, d, NULL);
      g_source_attach (source, d->context);
      g_source_unref (source);
      g_thread_join (d->thread);
    }
  for (guint i = 0; i < N_STATEMENTS; i++)
    sqlite3_finalize (d->st[i]);
  sqlite3_close (d->db);
  g_clear_pointer (&d->hooks, g_ptr_array_unref);
  g_clear_pointer (&d->by_name, g_hash_table_unref);
  g_clear_pointer (&d->loop, g_main_loop_unref);
  g_clear_pointer (&d->context, g_main_context_unref);
  g_clear_object (&d->cancel);
  g_mutex_clear (&d->lock);
  g_free (d);
}

RelayWebhookDelivery *
relay_webhook_delivery_new (const char *data_dir, GPtrArray *webhooks, GError **error)
{
  RelayWebhookDelivery *d = g_new0 (RelayWebhookDelivery, 1);
  g_mutex_init (&d->lock);
  d->hooks = g_ptr_array_new_with_free_func ((GDestroyNotify) hook_free);
  d->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  d->context = g_main_context_new ();
  d->loop = g_main_loop_new (d->context, FALSE);
  d->cancel = g_cancellable_new ();
  for (guint i = 0; i < webhooks->len; i++)
    {
      Hook *hook = g_new0 (Hook, 1);
      hook->d = d;
      hook->config = webhooks->pdata[i];
      hook->lanes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) lane_free);
      g_ptr_array_add (d->hooks, hook);
      g_hash_table_insert (d->by_name, hook->config->name, hook);
    }
  d->db = relay_database_open_reader (data_dir, error);
  if (!d->db)
    {
      relay_webhook_delivery_free (d);
      return NULL;
    }
  for (guint i = 0; i < N_STATEMENTS; i++)
    if (sqlite3_prepare_v3 (d->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &d->st[i], NULL)
        != SQLITE_OK)
      {
        relay_database_set_error (d->db, sql[i], error);
        relay_webhook_delivery_free (d);
        return NULL;
      }
  if (!load_counts (d, error))
    {
      relay_webhook_delivery_free (d);
      return NULL;
    }
  d->thread = g_thread_new ("webhook-delivery", delivery_main, d);
  return d;
}

JsonNode *
relay_webhook_delivery_stats (RelayWebhookDelivery *d)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_array (b);
  g_mutex_lock (&d->lock);
  for (guint i = 0; i < d->hooks->len; i++)
    {
      Hook *hook = d->hooks->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, hook->config->name);
      json_builder_set_member_name (b, "url");
      /* A URL may carry a password for the receiver's basic auth. */
      g_autoptr (GUri) uri = g_uri_parse (hook->config->url, G_URI_FLAGS_HAS_PASSWORD, NULL);
      g_autofree char *shown = uri ? g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD) : NULL;
      json_builder_add_string_value (b, shown ? shown : hook->config->url);
      const struct { const char *name; gint64 value; } counts[] = {
        { "pending", hook->pending },
        { "delivered", hook->delivered },
        { "failed_attempts", hook->failed_attempts },
        { "abandoned", hook->abandoned },
      };
      for (guint k = 0; k < G_N_ELEMENTS (counts); k++)
        {
          json_builder_set_member_name (b, counts[k].name);
          json_builder_add_int_value (b, counts[k].value);
        }
      const struct { const char *name; const char *value; } texts[] = {
        { "last_error", hook->last_error },
        { "last_error_at", hook->last_error_at },
        { "last_delivered_at", hook->last_delivered_at },
      };
      for (guint k = 0; k < G_N_ELEMENTS (texts); k++)
        {
          json_builder_set_member_name (b, texts[k].name);
          if (texts[k].value)
            json_builder_add_string_value (b, texts[k].value);
          else
            json_builder_add_null_value (b);
        }
      json_builder_end_object (b);
    }
  g_mutex_unlock (&d->lock);
  json_builder_end_array (b);
  return json_builder_get_root (b);
}
