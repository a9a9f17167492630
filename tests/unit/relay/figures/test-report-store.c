/* Storage of figures: idempotency by client id, corrections as versions,
 * migrations, and the service's promise that an answer means a commit. */
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "relay/figures/database.h"
#include "relay/figures/figures-validate.h"
#include "relay/figures/figures-service.h"
#include "relay/figures/figures-store.h"
#include "relay/figures/webhook-outbox.h"

static char *
make_dir (void)
{
  return g_dir_make_tmp ("report-store-XXXXXX", NULL);
}

static void
remove_dir (const char *dir)
{
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (rm), ==, 0);
}

/* A count from a fresh connection, i.e. what is on disk. */
static gint64
count (const char *dir, const char *where)
{
  g_autofree char *path = g_build_filename (dir, RELAY_DATABASE_FILE, NULL);
  sqlite3 *db;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM reports WHERE %s", where);
  sqlite3_stmt *st;
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  gint64 n = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return n;
}

static void
put_with_warnings (RelayFiguresStore *store, const char *province, const char *id,
                   const char *values, const char *warnings, guint status, gint64 version,
                   gboolean unchanged)
{
  RelayReportOutcome out;
  g_autoptr (GError) error = NULL;
  g_assert_true (relay_figures_store_put (store, province, id, "2026-03-10", values, warnings,
                                         "https", "127.0.0.1", "2026-03-10T00:00:00Z", &out,
                                         &error));
  g_assert_no_error (error);
  g_assert_cmpuint (out.status, ==, status);
  g_assert_cmpint (out.version, ==, version);
  g_assert_cmpint (out.unchanged, ==, unchanged);
  g_assert_cmpstr (out.date, ==, "2026-03-10");
}

static void
put (RelayFiguresStore *store, const char *province, const char *id, const char *values,
     guint status, gint64 version, gboolean unchanged)
{
  put_with_warnings (store, province, id, values, NULL, status, version, unchanged);
}

static void
test_versions_and_ids (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr (GError) error = NULL;
  RelayFiguresStore *store = relay_figures_store_open (dir, &error);
  g_assert_no_error (error);
  g_assert_true (relay_figures_store_begin (store, &error));
  put (store, "TH-50", "a", "{\"n\":1}", 201, 1, FALSE);
  put (store, "TH-50", "a", "{\"n\":1}", 200, 1, FALSE);   /* retry */
  put (store, "TH-50", "a", "{\"n\":9}", 200, 1, FALSE);   /* an id counts once, whatever it carries */
  put (store, "TH-50", "b", "{\"n\":2}", 201, 2, FALSE);   /* correction */
  put (store, "TH-50", "c", "{\"n\":2}", 200, 2, TRUE);    /* same values, new id */
  put (store, "TH-50", "c", "{\"n\":2}", 200, 2, TRUE);    /* its retry agrees */
  put (store, "TH-11", "a", "{\"n\":1}", 201, 1, FALSE);   /* ids are per province */
  g_assert_true (relay_figures_store_commit (store, &error));
  g_assert_no_error (error);
  relay_figures_store_free (store);

  g_assert_cmpint (count (dir, "province = 'TH-50'"), ==, 2);
  g_assert_cmpint (count (dir, "province = 'TH-50' AND client_id = 'a' AND version = 1"), ==, 1);
  g_autofree char *path = g_build_filename (dir, RELAY_DATABASE_FILE, NULL);
  sqlite3 *db = relay_database_open_reader (dir, &error);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) history = relay_figures_store_history (db, "TH-50", "2026-03-10", &error);
  g_assert_cmpuint (history->len, ==, 2);
  g_assert_cmpstr (((RelayReportRow *) history->pdata[0])->values_json, ==, "{\"n\":1}");
  g_assert_cmpstr (((RelayReportRow *) history->pdata[1])->values_json, ==, "{\"n\":2}");
  g_autoptr (GPtrArray) latest = relay_figures_store_latest (db, "2026-03-10", &error);
  g_assert_cmpuint (latest->len, ==, 2);
  g_assert_cmpstr (((RelayReportRow *) latest->pdata[0])->province, ==, "TH-11");
  g_assert_cmpint (((RelayReportRow *) latest->pdata[1])->version, ==, 2);
  sqlite3_close (db);
  remove_dir (dir);
}

static void
test_rollback_forgets (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr (GError) error = NULL;
  RelayFiguresStore *store = relay_figures_store_open (dir, &error);
  g_assert_true (relay_figures_store_begin (store, &error));
  put (store, "TH-50", "a", "{\"n\":1}", 201, 1, FALSE);
  relay_figures_store_rollback (store);
  g_assert_true (relay_figures_store_begin (store, &error));
  put (store, "TH-50", "a", "{\"n\":1}", 201, 1, FALSE);
  g_assert_true (relay_figures_store_commit (store, &error));
  relay_figures_store_free (store);
  g_assert_cmpint (count (dir, "1"), ==, 1);
  remove_dir (dir);
}

static void
test_migrations (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr (GError) error = NULL;
  sqlite3 *db = relay_database_open (dir, &error);
  g_assert_no_error (error);
  sqlite3_stmt *st;
  sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &st, NULL);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (st, 0), ==, relay_database_schema_version ());
  sqlite3_finalize (st);
  sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &st, NULL);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (st, 0), ==, "wal");
  sqlite3_finalize (st);
  sqlite3_prepare_v2 (db, "PRAGMA synchronous", -1, &st, NULL);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (st, 0), ==, 2); /* FULL */
  sqlite3_finalize (st);
  /* A database from a newer relay is refused rather than misread. */
  g_assert_true (relay_database_exec (db, "PRAGMA user_version = 999", &error));
  sqlite3_close (db);
  /* Reopening an up-to-date database runs nothing again. */
  db = relay_database_open (dir, &error);
  g_assert_null (db);
  g_assert_nonnull (strstr (error->message, "newer"));
  remove_dir (dir);
}

#define WARNINGS "[{\"code\":\"n.warn-max\",\"field\":\"values.n\",\"reason\":\"r\"}]"

/* A version confirmed with warnings keeps them; the reads give them back
 * with it, and a version without has none. */
static void
test_warnings_stored (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr (GError) error = NULL;
  RelayFiguresStore *store = relay_figures_store_open (dir, &error);
  g_assert_no_error (error);
  g_assert_true (relay_figures_store_begin (store, &error));
  put_with_warnings (store, "TH-50", "a", "{\"n\":90}", WARNINGS, 201, 1, FALSE);
  put (store, "TH-50", "b", "{\"n\":9}", 201, 2, FALSE);
  put_with_warnings (store, "TH-11", "a", "{\"n\":95}", WARNINGS, 201, 1, FALSE);
  g_assert_true (relay_figures_store_commit (store, &error));
  relay_figures_store_free (store);

  sqlite3 *db = relay_database_open_reader (dir, &error);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) history = relay_figures_store_history (db, "TH-50", "2026-03-10", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 2);
  g_assert_cmpstr (((RelayReportRow *) history->pdata[0])->warnings_json, ==, WARNINGS);
  g_assert_null (((RelayReportRow *) history->pdata[1])->warnings_json);
  g_autoptr (GPtrArray) latest = relay_figures_store_latest (db, "2026-03-10", &error);
  g_assert_cmpuint (latest->len, ==, 2);
  g_assert_cmpstr (((RelayReportRow *) latest->pdata[0])->province, ==, "TH-11");
  g_assert_cmpstr (((RelayReportRow *) latest->pdata[0])->warnings_json, ==, WARNINGS);
  g_assert_null (((RelayReportRow *) latest->pdata[1])->warnings_json);
  sqlite3_close (db);
  remove_dir (dir);
}

/* A database of the relay before warnings (schema version 4, its figures
 * in it) is brought up to date at the next start: its versions are kept,
 * without warnings, and new versions store theirs. Version 4 is made by
 * taking the current schema back down the one step that migration 5 took. */
static void
test_migration_adds_warnings (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr (GError) error = NULL;
  sqlite3 *db = relay_database_open (dir, &error);
  g_assert_no_error (error);
  g_assert_true (relay_database_exec (db,
                                      "ALTER TABLE reports DROP COLUMN warnings_json;"
                                      "PRAGMA user_version = 4;"
                                      "INSERT INTO reports (province, date, version, values_json, "
                                      "received_at, channel, remote_address, client_id) VALUES "
                                      "('TH-50', '2026-03-10', 1, '{\"n\":1}', "
                                      "'2026-03-10T00:00:00Z', 'https', '127.0.0.1', 'old');"
                                      "INSERT INTO report_ids VALUES ('TH-50', 'old', "
                                      "'2026-03-10', 1, 1);", &error));
  g_assert_no_error (error);
  sqlite3_close (db);

  RelayFiguresStore *store = relay_figures_store_open (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (relay_database_schema_version (), >=, 5);
  g_assert_true (relay_figures_store_begin (store, &error));
  put (store, "TH-50", "old", "{\"n\":1}", 200, 1, FALSE); /* the old id is still known */
  put_with_warnings (store, "TH-50", "new", "{\"n\":90}", WARNINGS, 201, 2, FALSE);
  g_assert_true (relay_figures_store_commit (store, &error));
  relay_figures_store_free (store);

  db = relay_database_open_reader (dir, &error);
  g_autoptr (GPtrArray) history = relay_figures_store_history (db, "TH-50", "2026-03-10", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 2);
  g_assert_cmpstr (((RelayReportRow *) history->pdata[0])->values_json, ==, "{\"n\":1}");
  g_assert_null (((RelayReportRow *) history->pdata[0])->warnings_json);
  g_assert_cmpstr (((RelayReportRow *) history->pdata[1])->warnings_json, ==, WARNINGS);
  sqlite3_close (db);
  remove_dir (dir);
}

/* The service: each answer is checked against the disk from the callback. */
typedef struct {
  GMutex lock;
  GCond cond;
  guint answered;
  guint durable;
  char *dir;
  GHashTable *statuses; /* reply -> status */
} Answers;

static Answers answers;

static void
on_done (const char *reply, guint status, gpointer user_data)
{
  const char *id = user_data;
  /* Still on the writer thread, before anything else: is it on disk? */
  gboolean durable = TRUE;
  if (status == 201 || status == 200)
    {
      g_autofree char *where = g_strdup_printf ("client_id = '%s'", id);
      durable = count (answers.dir, where) == 1 || status == 200;
    }
  g_mutex_lock (&answers.lock);
  answers.answered++;
  answers.durable += durable;
  g_hash_table_insert (answers.statuses, g_strdup (id), GUINT_TO_POINTER (status));
  g_cond_signal (&answers.cond);
  g_mutex_unlock (&answers.lock);
}

static void
wait_answers (guint n)
{
  /* Generous (2,000 commits under ASan beside other work took over 30 s):
   * only a writer that stopped answering waits it out. */
  gint64 end = g_get_monotonic_time () + 240 * G_TIME_SPAN_SECOND;
  g_mutex_lock (&answers.lock);
  while (answers.answered < n)
    if (!g_cond_wait_until (&answers.cond, &answers.lock, end))
      g_error ("only %u of %u answered", answers.answered, n);
  g_mutex_unlock (&answers.lock);
}

static char *
message (const char *id, const char *date, int seekers)
{
  return g_strdup_printf (
      "{\"type\":\"figures\",\"id\":\"%s\",\"date\":\"%s\",\"values\":{\"job_seekers\":%d,"
      "\"job_placements\":1,\"layoffs\":0,\"establishments_closed\":0,\"complaints_received\":0,"
      "\"complaints_resolved\":0,\"workplace_accidents\":0,\"unemployment_rate\":1.25,"
      "\"overall_status\":\"normal\"}}",
      id, date, seekers);
}

static char *
report_message_plausible (const char *date)
{
  return g_strdup_printf (
      "{\"type\":\"figures\",\"id\":\"w-4\",\"date\":\"%s\",\"values\":{\"job_seekers\":5,"
      "\"job_placements\":1,\"layoffs\":0,\"establishments_closed\":0,\"complaints_received\":4,"
      "\"complaints_resolved\":3,\"workplace_accidents\":0,\"unemployment_rate\":1.5,"
      "\"overall_status\":\"normal\"}}", date);
}

static guint events_seen;

static void
on_event (guint64 seq, const char *json, gpointer user_data)
{
  if (strstr (json, "\"type\":\"figures\"") && strstr (json, "\"version\":1,"))
    events_seen++;
}

typedef struct {
  RelayFiguresService *service;
  const char *date;
  guint first, n;
} Burst;

static gpointer
burst (gpointer data)
{
  Burst *b = data;
  for (guint i = b->first; i < b->first + b->n; i++)
    {
      g_autofree char *id = g_strdup_printf ("burst-%u", i);
      g_autofree char *province = g_strdup_printf ("TH-%u", 10 + i % 80);
      g_autofree char *msg = message (id, b->date, (int) i);
      relay_figures_service_submit (b->service, province, msg, strlen (msg),
                                   RELAY_REPORT_VIA_DATA_CHANNEL, "10.0.0.1", on_done,
                                   (char *) g_intern_string (id));
    }
  return NULL;
}

static void
test_service (void)
{
  answers.dir = make_dir ();
  answers.statuses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *ini = g_strdup_printf ("[relay]\nhttp-port=0\ndata-dir=%s\n", answers.dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) config = relay_config_load_data (ini, strlen (ini), "t.ini", NULL, &error);
  g_assert_no_error (error);
  GMainContext *ctx = g_main_context_new ();
  RelayEventBus *bus = relay_event_bus_new (ctx);
  relay_event_bus_subscribe (bus, on_event, NULL);
  RelayFiguresService *service = relay_figures_service_new (config, bus, &error);
  g_assert_no_error (error);

  GDate today;
  relay_figures_today (&today);
  char date[16];
  g_date_strftime (date, sizeof date, "%Y-%m-%d", &today);
  g_autofree char *first = message ("one", date, 5);
  relay_figures_service_submit (service, "TH-50", first, strlen (first), RELAY_REPORT_VIA_HTTPS,
                               "127.0.0.1", on_done, (char *) "one");
  relay_figures_service_submit (service, "TH-50", first, strlen (first), RELAY_REPORT_VIA_HTTPS,
                               "127.0.0.1", on_done, (char *) "one");
  relay_figures_service_submit (service, "TH-50", "nope", 4, RELAY_REPORT_VIA_HTTPS,
                               "127.0.0.1", on_done, (char *) "nope");
  wait_answers (3);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (answers.statuses, "nope")), ==, 400);
  g_assert_cmpint (count (answers.dir, "client_id = 'one'"), ==, 1);

  /* 2,000 from four threads: group commits, every one answered after its commit. */
  Burst bursts[4];
  GThread *threads[4];
  for (guint i = 0; i < 4; i++)
    {
      bursts[i] = (Burst) { service, date, i * 500, 500 };
      threads[i] = g_thread_new ("burst", burst, &bursts[i]);
    }
  for (guint i = 0; i < 4; i++)
    g_thread_join (threads[i]);
  wait_answers (3 + 2000);
  g_assert_cmpuint (answers.durable, ==, answers.answered);
  g_assert_cmpint (count (answers.dir, "client_id LIKE 'burst-%'"), ==, 2000);
  relay_figures_service_free (service);

  while (g_main_context_iteration (ctx, FALSE))
    ;
  /* A version 1 for each of the 80 provinces (TH-50's is "one"; its burst
   * submissions are corrections 2..26). */
  g_assert_cmpuint (events_seen, ==, 80);
  relay_event_bus_free (bus);
  g_main_context_unref (ctx);
  g_hash_table_unref (answers.statuses);
  remove_dir (answers.dir);
  g_free (answers.dir);
}

/* Replies of the service, one at a time. */
typedef struct {
  GMutex lock;
  GCond cond;
  char *reply;
  guint status;
} Reply;

static void
on_reply (const char *reply, guint status, gpointer user_data)
{
  Reply *r = user_data;
  g_mutex_lock (&r->lock);
  r->reply = g_strdup (reply);
  r->status = status;
  g_cond_signal (&r->cond);
  g_mutex_unlock (&r->lock);
}

static guint
submit_and_wait (RelayFiguresService *service, const char *msg, char **reply)
{
  Reply r = { 0 };
  g_mutex_init (&r.lock);
  g_cond_init (&r.cond);
  relay_figures_service_submit (service, "TH-50", msg, strlen (msg), RELAY_REPORT_VIA_HTTPS,
                               "127.0.0.1", on_reply, &r);
  gint64 end = g_get_monotonic_time () + 120 * G_TIME_SPAN_SECOND;
  g_mutex_lock (&r.lock);
  while (!r.reply)
    if (!g_cond_wait_until (&r.cond, &r.lock, end))
      g_error ("no answer to %s", msg);
  g_mutex_unlock (&r.lock);
  g_mutex_clear (&r.lock);
  g_cond_clear (&r.cond);
  *reply = r.reply;
  return r.status;
}

static void
on_figures_event (guint64 seq, const char *json, gpointer user_data)
{
  if (strstr (json, "\"type\":\"figures\""))
    g_ptr_array_add (user_data, g_strdup (json));
}

/* Implausible figures (80 % unemployment, more complaints resolved than
 * received) with the shipped rules: refused until confirmed, nothing
 * stored meanwhile; once confirmed, stored with both warnings, which the
 * reply and the event carry. */
static void
test_service_warnings (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *ini = g_strdup_printf ("[relay]\nhttp-port=0\ndata-dir=%s\n", dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) config = relay_config_load_data (ini, strlen (ini), "t.ini", NULL, &error);
  g_assert_no_error (error);
  GMainContext *ctx = g_main_context_new ();
  RelayEventBus *bus = relay_event_bus_new (ctx);
  g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func (g_free);
  relay_event_bus_subscribe (bus, on_figures_event, events);
  RelayFiguresService *service = relay_figures_service_new (config, bus, &error);
  g_assert_no_error (error);

  GDate today;
  relay_figures_today (&today);
  char date[16];
  g_date_strftime (date, sizeof date, "%Y-%m-%d", &today);
#define IMPLAUSIBLE(id, confirm)                                                              \
  g_strdup_printf ("{\"type\":\"figures\",\"id\":\"" id "\",\"date\":\"%s\",\"values\":{"           \
                   "\"job_seekers\":5,\"job_placements\":1,\"layoffs\":0,"                          \
                   "\"establishments_closed\":0,\"complaints_received\":4,"                          \
                   "\"complaints_resolved\":9,\"workplace_accidents\":0,"                             \
                   "\"unemployment_rate\":80,\"overall_status\":\"normal\"}" confirm "}", date)

  g_autofree char *unconfirmed = IMPLAUSIBLE ("w-1", "");
  g_autofree char *reply = NULL;
  g_assert_cmpuint (submit_and_wait (service, unconfirmed, &reply), ==, 422);
  g_assert_nonnull (strstr (reply, "\"needs_confirmation\":true"));
  g_assert_nonnull (strstr (reply, "\"code\":\"unemployment_rate.warn-max\""));
  g_assert_nonnull (strstr (reply, "\"code\":\"complaints_resolved_within_received\""));
  g_assert_nonnull (strstr (reply, "\"field\":\"confirm_warnings\""));
  g_clear_pointer (&reply, g_free);
  /* One code of two confirmed is not enough. */
  g_autofree char *partly = IMPLAUSIBLE ("w-2", ",\"confirm_warnings\":[\"unemployment_rate.warn-max\"]");
  g_assert_cmpuint (submit_and_wait (service, partly, &reply), ==, 422);
  g_assert_nonnull (strstr (reply, "\"needs_confirmation\":true"));
  g_clear_pointer (&reply, g_free);
  g_assert_cmpint (count (dir, "1"), ==, 0);

  g_autofree char *confirmed = IMPLAUSIBLE (
      "w-3", ",\"confirm_warnings\":[\"unemployment_rate.warn-max\","
             "\"complaints_resolved_within_received\"]");
  g_assert_cmpuint (submit_and_wait (service, confirmed, &reply), ==, 201);
  g_assert_nonnull (strstr (reply, "\"ok\":true"));
  g_assert_nonnull (strstr (reply, "\"warnings\":[{\"code\":\"unemployment_rate.warn-max\""));
  g_assert_null (strstr (reply, "needs_confirmation"));
  g_clear_pointer (&reply, g_free);
  g_assert_cmpint (count (dir, "client_id = 'w-3' AND warnings_json LIKE "
                               "'%unemployment_rate.warn-max%complaints_resolved_within_received%'"),
                   ==, 1);
  /* A plausible correction has none. */
  g_autofree char *plausible = report_message_plausible (date);
  g_assert_cmpuint (submit_and_wait (service, plausible, &reply), ==, 201);
  g_assert_null (strstr (reply, "warnings"));
  g_clear_pointer (&reply, g_free);
  g_assert_cmpint (count (dir, "client_id = 'w-4' AND warnings_json IS NULL"), ==, 1);

  relay_figures_service_free (service);

  /* The events: version 1 with both warnings, version 2 with none. */
  while (g_main_context_iteration (ctx, FALSE))
    ;
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_nonnull (strstr (events->pdata[0], "\"version\":1"));
  g_assert_nonnull (strstr (events->pdata[0], "\"code\":\"complaints_resolved_within_received\""));
  g_assert_nonnull (strstr (events->pdata[1], "\"version\":2"));
  g_assert_nonnull (strstr (events->pdata[1], "\"warnings\":[]"));
  relay_event_bus_free (bus);
  g_main_context_unref (ctx);
  remove_dir (dir);
}

/* The webhook's body, fixed when the version is accepted, carries the
 * warnings confirmed with it ([] for none). */
static void
test_webhook_body_warnings (void)
{
  g_autofree char *dir = make_dir ();
  const char *ini = "[relay]\nhttp-port=0\n[webhook dc]\nurl=http://127.0.0.1:9/\n"
                    "secret=0123456789abcdef01\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) config = relay_config_load_data (ini, strlen (ini), "t.ini", NULL, &error);
  g_assert_no_error (error);
  sqlite3 *db = relay_database_open (dir, &error);
  g_assert_no_error (error);
  RelayWebhookOutbox *outbox = relay_webhook_outbox_new (db, config->webhooks, &error);
  g_assert_no_error (error);
  RelayReportRow row = { .province = "TH-50", .date = "2026-03-10", .version = 1,
                         .values_json = "{\"n\":90}", .received_at = "2026-03-10T00:00:00Z",
                         .channel = "https", .client_id = "a", .warnings_json = WARNINGS };
  g_assert_true (relay_webhook_outbox_add (outbox, &row, &error));
  row.version = 2;
  row.warnings_json = NULL;
  g_assert_true (relay_webhook_outbox_add (outbox, &row, &error));
  relay_webhook_outbox_free (outbox);

  sqlite3_stmt *st;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT body FROM webhook_outbox ORDER BY id", -1, &st,
                                       NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_autoptr (JsonNode) body = json_from_string ((const char *) sqlite3_column_text (st, 0), NULL);
  JsonArray *warnings = json_object_get_array_member (json_node_get_object (body), "warnings");
  g_assert_cmpuint (json_array_get_length (warnings), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (warnings, 0),
                                                  "code"), ==, "n.warn-max");
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_autoptr (JsonNode) body2 = json_from_string ((const char *) sqlite3_column_text (st, 0), NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_node_get_object (body2), "warnings")), ==, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_mutex_init (&answers.lock);
  g_cond_init (&answers.cond);
  g_test_add_func ("/report-store/versions-and-ids", test_versions_and_ids);
  g_test_add_func ("/report-store/rollback-forgets", test_rollback_forgets);
  g_test_add_func ("/report-store/migrations", test_migrations);
  g_test_add_func ("/report-store/warnings-stored", test_warnings_stored);
  g_test_add_func ("/report-store/migration-adds-warnings", test_migration_adds_warnings);
  g_test_add_func ("/report-store/service-warnings", test_service_warnings);
  g_test_add_func ("/report-store/webhook-body-warnings", test_webhook_body_warnings);
  g_test_add_func ("/report-store/service", test_service);
  return g_test_run ();
}
