#include "relay/figures/figures-store.h"

#include <string.h>

#include "relay/figures/database.h"

enum {
  ST_BEGIN,
  ST_COMMIT,
  ST_ROLLBACK,
  ST_FIND_ID,
  ST_LATEST,
  ST_INSERT_REPORT,
  ST_INSERT_ID,
  N_STATEMENTS
};

static const char *const sql[N_STATEMENTS] = {
  [ST_BEGIN] = "BEGIN IMMEDIATE",
  [ST_COMMIT] = "COMMIT",
  [ST_ROLLBACK] = "ROLLBACK",
  [ST_FIND_ID] = "SELECT date, version, created FROM report_ids WHERE province = ? AND client_id = ?",
  [ST_LATEST] = "SELECT version, values_json FROM reports WHERE province = ? AND date = ? "
                "ORDER BY version DESC LIMIT 1",
  [ST_INSERT_REPORT] = "INSERT INTO reports (province, date, version, values_json, received_at, "
                       "channel, remote_address, client_id, warnings_json) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  [ST_INSERT_ID] = "INSERT INTO report_ids (province, client_id, date, version, created) "
                   "VALUES (?, ?, ?, ?, ?)",
};

struct _RelayFiguresStore {
  sqlite3 *db;
  sqlite3_stmt *st[N_STATEMENTS];
};

void
relay_figures_store_free (RelayFiguresStore *store)
{
  if (!store)
    return;
  for (guint i = 0; i < N_STATEMENTS; i++)
    sqlite3_finalize (store->st[i]);
  sqlite3_close (store->db);
  g_free (store);
}

sqlite3 *
relay_figures_store_get_db (RelayFiguresStore *store)
{
  return store->db;
}

RelayFiguresStore *
relay_figures_store_open (const char *data_dir, GError **error)
{
  g_autoptr (RelayFiguresStore) store = g_new0 (RelayFiguresStore, 1);
  store->db = relay_database_open (data_dir, error);
  if (!store->db)
    return NULL;
  for (guint i = 0; i < N_STATEMENTS; i++)
    if (sqlite3_prepare_v3 (store->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &store->st[i], NULL)
        != SQLITE_OK)
      {
        relay_database_set_error (store->db, sql[i], error);
        return NULL;
      }
  return g_steal_pointer (&store);
}

/* Steps a statement without rows to completion and resets it. */
static gboolean
run (RelayFiguresStore *store, sqlite3_stmt *st, GError **error)
{
  int rc = sqlite3_step (st);
  sqlite3_reset (st);
  sqlite3_clear_bindings (st);
  if (rc == SQLITE_DONE)
    return TRUE;
  relay_database_set_error (store->db, sqlite3_sql (st), error);
  return FALSE;
}

gboolean
relay_figures_store_begin (RelayFiguresStore *store, GError **error)
{
  return run (store, store->st[ST_BEGIN], error);
}

gboolean
relay_figures_store_commit (RelayFiguresStore *store, GError **error)
{
  return run (store, store->st[ST_COMMIT], error);
}

void
relay_figures_store_rollback (RelayFiguresStore *store)
{
  if (!sqlite3_get_autocommit (store->db))
    run (store, store->st[ST_ROLLBACK], NULL);
}

static void
bind_text (sqlite3_stmt *st, int i, const char *text)
{
  if (text)
    sqlite3_bind_text (st, i, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (st, i);
}

static gboolean
insert_id (RelayFiguresStore *store, const char *province, const char *client_id, const char *date,
           gint64 version, gboolean created, GError **error)
{
  sqlite3_stmt *st = store->st[ST_INSERT_ID];
  bind_text (st, 1, province);
  bind_text (st, 2, client_id);
  bind_text (st, 3, date);
  sqlite3_bind_int64 (st, 4, version);
  sqlite3_bind_int (st, 5, created);
  return run (store, st, error);
}

gboolean
relay_figures_store_put (RelayFiguresStore *store, const char *province, const char *client_id,
                        const char *date, const char *values_json, const char *warnings_json,
                        const char *channel, const char *remote_address, const char *received_at,
                        RelayReportOutcome *out, GError **error)
{
  memset (out, 0, sizeof *out);
  sqlite3_stmt *st = store->st[ST_FIND_ID];
  bind_text (st, 1, province);
  bind_text (st, 2, client_id);
  int rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    {
      g_strlcpy (out->date, (const char *) sqlite3_column_text (st, 0), sizeof out->date);
      out->version = sqlite3_column_int64 (st, 1);
      out->unchanged = !sqlite3_column_int (st, 2);
      out->status = 200;
    }
  sqlite3_reset (st);
  sqlite3_clear_bindings (st);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc != SQLITE_DONE)
    {
      relay_database_set_error (store->db, "looking up the client id", error);
      return FALSE;
    }

  st = store->st[ST_LATEST];
  bind_text (st, 1, province);
  bind_text (st, 2, date);
  rc = sqlite3_step (st);
  gint64 latest = 0;
  gboolean same = FALSE;
  if (rc == SQLITE_ROW)
    {
      latest = sqlite3_column_int64 (st, 0);
      same = strcmp ((const char *) sqlite3_column_text (st, 1), values_json) == 0;
    }
  sqlite3_reset (st);
  sqlite3_clear_bindings (st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      relay_database_set_error (store->db, "reading the latest version", error);
      return FALSE;
    }
  g_strlcpy (out->date, date, sizeof out->date);
  if (same)
    {
      /* A second device or a re-send after a page reload: not a correction,
       * so no new version; the id is remembered so its retries agree. */
      out->status = 200;
      out->version = latest;
      out->unchanged = TRUE;
      return insert_id (store, province, client_id, date, latest, FALSE, error);
    }

  st = store->st[ST_INSERT_REPORT];
  bind_text (st, 1, province);
  bind_text (st, 2, date);
  sqlite3_bind_int64 (st, 3, latest + 1);
  bind_text (st, 4, values_json);
  bind_text (st, 5, received_at);
  bind_text (st, 6, channel);
  bind_text (st, 7, remote_address);
  bind_text (st, 8, client_id);
  bind_text (st, 9, warnings_json);
  if (!run (store, st, error))
    return FALSE;
  out->status = 201;
  out->version = latest + 1;
  return insert_id (store, province, client_id, date, latest + 1, TRUE, error);
}

void
relay_report_row_free (RelayReportRow *row)
{
  if (!row)
    return;
  g_free (row->province);
  g_free (row->date);
  g_free (row->values_json);
  g_free (row->received_at);
  g_free (row->channel);
  g_free (row->remote_address);
  g_free (row->client_id);
  g_free (row->warnings_json);
  g_free (row);
}

static GPtrArray *
query_rows (sqlite3 *db, const char *query, const char *a, const char *b, GError **error)
{
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2 (db, query, -1, &st, NULL) != SQLITE_OK)
    {
      relay_database_set_error (db, "reading figures", error);
      return NULL;
    }
  bind_text (st, 1, a);
  if (b)
    bind_text (st, 2, b);
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) relay_report_row_free);
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      RelayReportRow *row = g_new0 (RelayReportRow, 1);
      row->province = g_strdup ((const char *) sqlite3_column_text (st, 0));
      row->date = g_strdup ((const char *) sqlite3_column_text (st, 1));
      row->version = sqlite3_column_int64 (st, 2);
      row->values_json = g_strdup ((const char *) sqlite3_column_text (st, 3));
      row->received_at = g_strdup ((const char *) sqlite3_column_text (st, 4));
      row->channel = g_strdup ((const char *) sqlite3_column_text (st, 5));
      row->remote_address = g_strdup ((const char *) sqlite3_column_text (st, 6));
      row->client_id = g_strdup ((const char *) sqlite3_column_text (st, 7));
      row->warnings_json = g_strdup ((const char *) sqlite3_column_text (st, 8));
      g_ptr_array_add (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      relay_database_set_error (db, "reading figures", error);
      sqlite3_finalize (st);
      return NULL;
    }
  sqlite3_finalize (st);
  return g_steal_pointer (&rows);
}

#define COLUMNS "province, date, version, values_json, received_at, channel, remote_address, " \
                "client_id, warnings_json"

GPtrArray *
relay_figures_store_latest (sqlite3 *db, const char *date, GError **error)
{
  return query_rows (db,
                     "SELECT " COLUMNS " FROM reports r WHERE date = ?1 AND version = "
                     "(SELECT MAX(version) FROM reports WHERE province = r.province AND date = ?1) "
                     "ORDER BY province",
                     date, NULL, error);
}

GPtrArray *
relay_figures_store_history (sqlite3 *db, const char *province, const char *date, GError **error)
{
  return query_rows (db,
                     "SELECT " COLUMNS " FROM reports WHERE province = ? AND date = ? "
                     "ORDER BY version",
                     province, date, error);
}
