/* Storage of figures: idempotency by client id, corrections as versions,
 * migrations, and the service's promise that an answer means a commit. */
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "relay/reports/database.h"
#include "relay/reports/figures-validate.h"
#include "relay/reports/report-service.h"
#include "relay/reports/report-store.h"

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
put (RelayReportStore *store, const char *province, const char *id, const char *values,
     guint status, gint64 version, gboolean unchanged)
{
  RelayReportOutcome out;
  g_autoptr (GError) error = NULL;
  g_assert_true (relay_report_store_put (store, province, id, "2026-03-10", values, "https",
                                         "127.0.0.1", "2026-03-10T00:00:00Z", &out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (out.status, ==, status);
  g_assert_cmpint (out.version, ==, version);
  g_assert_cmpint (out.unchanged, ==, unchanged);
  g_assert_cmpstr (out.date, ==, "2026-03-10");
}

static void
test_versions_and_ids (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr (GError) error = NULL;
  RelayReportStore *store = relay_report_store_open (dir, &error);
  g_assert_no_error (error);
  g_assert_true (relay_report_store_begin (store, &error));
  put (store, "TH-50", "a", "{\"n\":1}", 201, 1, FALSE);
  put (store, "TH-50", "a", "{\"n\":1}", 200, 1, FALSE);   /* retry */
  put (store, "TH-50", "a", "{\"n\":9}", 200, 1, FALSE);   /* an id counts once, whatever it carries */
  put (store, "TH-50", "b", "{\"n\":2}", 201, 2, FALSE);   /* correction */
  put (store, "TH-50", "c", "{\"n\":2}", 200, 2, TRUE);    /* same values, new id */
  put (store, "TH-50", "c", "{\"n\":2}", 200, 2, TRUE);    /* its retry agrees */
  put (store, "TH-11", "a", "{\"n\":1}", 201, 1, FALSE);   /* ids are per province */
  g_assert_true (relay_report_store_commit (store, &error));
  g_assert_no_error (error);
  relay_report_store_free (store);

  g_assert_cmpint (count (dir, "province = 'TH-50'"), ==, 2);
  g_assert_cmpint (count (dir, "province = 'TH-50' AND client_id = 'a' AND version = 1"), ==, 1);
  g_autofree char *path = g_build_filename (dir, RELAY_DATABASE_FILE, NULL);
  sqlite3 *db = relay_database_open_reader (dir, &error);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) history = relay_report_store_history (db, "TH-50", "2026-03-10", &error);
  g_assert_cmpuint (history->len, ==, 2);
  g_assert_cmpstr (((RelayReportRow *) history->pdata[0])->values_json, ==, "{\"n\":1}");
  g_assert_cmpstr (((RelayReportRow *) history->pdata[1])->values_json, ==, "{\"n\":2}");
  g_autoptr (GPtrArray) latest = relay_report_store_latest (db, "2026-03-10", &error);
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
  RelayReportStore *store = relay_report_store_open (dir, &error);
  g_assert_true (relay_report_store_begin (store, &error));
  put (store, "TH-50", "a", "{\"n\":1}", 201, 1, FALSE);
  relay_report_store_rollback (store);
  g_assert_true (relay_report_store_begin (store, &error));
  put (store, "TH-50", "a", "{\"n\":1}", 201, 1, FALSE);
  g_assert_true (relay_report_store_commit (store, &error));
  relay_report_store_free (store);
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

static guint events_seen;

static void
on_event (guint64 seq, const char *json, gpointer user_data)
{
  if (strstr (json, "\"type\":\"figures\"") && strstr (json, "\"version\":1,"))
    events_seen++;
}

typedef struct {
  RelayReportService *service;
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
      relay_report_service_submit (b->service, province, msg, strlen (msg),
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
  RelayReportService *service = relay_report_service_new (config, bus, &error);
  g_assert_no_error (error);

  GDate today;
  relay_figures_today (&today);
  char date[16];
  g_date_strftime (date, sizeof date, "%Y-%m-%d", &today);
  g_autofree char *first = message ("one", date, 5);
  relay_report_service_submit (service, "TH-50", first, strlen (first), RELAY_REPORT_VIA_HTTPS,
                               "127.0.0.1", on_done, (char *) "one");
  relay_report_service_submit (service, "TH-50", first, strlen (first), RELAY_REPORT_VIA_HTTPS,
                               "127.0.0.1", on_done, (char *) "one");
  relay_report_service_submit (service, "TH-50", "nope", 4, RELAY_REPORT_VIA_HTTPS,
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
  relay_report_service_free (service);

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_mutex_init (&answers.lock);
  g_cond_init (&answers.cond);
  g_test_add_func ("/report-store/versions-and-ids", test_versions_and_ids);
  g_test_add_func ("/report-store/rollback-forgets", test_rollback_forgets);
  g_test_add_func ("/report-store/migrations", test_migrations);
  g_test_add_func ("/report-store/service", test_service);
  return g_test_run ();
}
