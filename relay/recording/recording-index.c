#include "relay/recording/recording-index.h"

#include "relay/figures/database.h"

#define ROW_COLUMNS                                                                          \
  "id, briefing_id, kind, office, turn_id, segment, path, container, video_codec, "        \
  "audio_codec, width, height, started_ms, duration_ms, bytes, state, error"

void
relay_recording_row_free (RelayRecordingRow *row)
{
  if (!row)
    return;
  g_free (row->kind);
  g_free (row->office);
  g_free (row->path);
  g_free (row->container);
  g_free (row->video_codec);
  g_free (row->audio_codec);
  g_free (row->state);
  g_free (row->error);
  g_free (row);
}

static sqlite3_stmt *
prepare (sqlite3 *db, const char *sql, GError **error)
{
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
    {
      relay_database_set_error (db, "recordings index", error);
      return NULL;
    }
  return st;
}

/* Steps a statement that returns no rows, and finalizes it. */
static gboolean
finish (sqlite3 *db, sqlite3_stmt *st, GError **error)
{
  int rc = sqlite3_step (st);
  sqlite3_finalize (st);
  if (rc == SQLITE_DONE)
    return TRUE;
  relay_database_set_error (db, "recordings index", error);
  return FALSE;
}

static char *
dup_text (sqlite3_stmt *st, int i)
{
  return g_strdup ((const char *) sqlite3_column_text (st, i));
}

static RelayRecordingRow *
row_from (sqlite3_stmt *st)
{
  RelayRecordingRow *r = g_new0 (RelayRecordingRow, 1);
  r->id = sqlite3_column_int64 (st, 0);
  r->briefing_id = sqlite3_column_int64 (st, 1);
  r->kind = dup_text (st, 2);
  r->office = dup_text (st, 3);
  r->turn_id = sqlite3_column_int64 (st, 4);
  r->segment = (guint) sqlite3_column_int (st, 5);
  r->path = dup_text (st, 6);
  r->container = dup_text (st, 7);
  r->video_codec = dup_text (st, 8);
  r->audio_codec = dup_text (st, 9);
  r->width = (guint) sqlite3_column_int (st, 10);
  r->height = (guint) sqlite3_column_int (st, 11);
  r->started_ms = sqlite3_column_int64 (st, 12);
  r->duration_ms = sqlite3_column_int64 (st, 13);
  r->bytes = sqlite3_column_int64 (st, 14);
  r->state = dup_text (st, 15);
  r->error = dup_text (st, 16);
  return r;
}

gboolean
relay_recording_index_insert (sqlite3 *db, RelayRecordingRow *row, GError **error)
{
  sqlite3_stmt *st = prepare (db,
                              "INSERT INTO recordings (briefing_id, kind, office, turn_id, segment, "
                              "path, container, video_codec, audio_codec, width, height, started_ms, "
                              "duration_ms, bytes, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                              "?, ?, ?, 'recording')",
                              error);
  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, row->briefing_id);
  sqlite3_bind_text (st, 2, row->kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, row->office, -1, SQLITE_STATIC);
  if (row->turn_id)
    sqlite3_bind_int64 (st, 4, row->turn_id);
  sqlite3_bind_int (st, 5, (int) row->segment);
  sqlite3_bind_text (st, 6, row->path, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 7, row->container, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 8, row->video_codec, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 9, row->audio_codec, -1, SQLITE_STATIC);
  sqlite3_bind_int (st, 10, (int) row->width);
  sqlite3_bind_int (st, 11, (int) row->height);
  sqlite3_bind_int64 (st, 12, row->started_ms);
  sqlite3_bind_int64 (st, 13, row->duration_ms);
  sqlite3_bind_int64 (st, 14, row->bytes);
  if (!finish (db, st, error))
    return FALSE;
  row->id = sqlite3_last_insert_rowid (db);
  return TRUE;
}

gboolean
relay_recording_index_progress (sqlite3 *db, gint64 id, gint64 duration_ms, gint64 bytes,
                                guint width, guint height, GError **error)
{
  sqlite3_stmt *st = prepare (db,
                              "UPDATE recordings SET duration_ms = ?, bytes = ?, width = ?, "
                              "height = ? WHERE id = ?",
                              error);
  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, duration_ms);
  sqlite3_bind_int64 (st, 2, bytes);
  sqlite3_bind_int (st, 3, (int) width);
  sqlite3_bind_int (st, 4, (int) height);
  sqlite3_bind_int64 (st, 5, id);
  return finish (db, st, error);
}

gboolean
relay_recording_index_close (sqlite3 *db, gint64 id, const char *state, gint64 duration_ms,
                             gint64 bytes, const char *error_text, GError **error)
{
  sqlite3_stmt *st = prepare (db,
                              "UPDATE recordings SET state = ?, duration_ms = ?, bytes = ?, "
                              "error = ? WHERE id = ?",
                              error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, state, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 2, duration_ms);
  sqlite3_bind_int64 (st, 3, bytes);
  sqlite3_bind_text (st, 4, error_text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 5, id);
  return finish (db, st, error);
}

static GPtrArray *
collect (sqlite3 *db, sqlite3_stmt *st, GError **error)
{
  g_autoptr (GPtrArray) rows
      = g_ptr_array_new_with_free_func ((GDestroyNotify) relay_recording_row_free);
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    g_ptr_array_add (rows, row_from (st));
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      relay_database_set_error (db, "recordings index", error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

GPtrArray *
relay_recording_index_list (sqlite3 *db, gint64 briefing_id, GError **error)
{
  sqlite3_stmt *st = prepare (db,
                              "SELECT " ROW_COLUMNS " FROM recordings WHERE briefing_id = ? AND "
                              "state != 'deleted' ORDER BY kind, started_ms, segment, id",
                              error);
  if (!st)
    return NULL;
  sqlite3_bind_int64 (st, 1, briefing_id);
  return collect (db, st, error);
}

RelayRecordingRow *
relay_recording_index_get (sqlite3 *db, gint64 id, GError **error)
{
  sqlite3_stmt *st = prepare (db,
                              "SELECT " ROW_COLUMNS " FROM recordings WHERE id = ? AND "
                              "state != 'deleted'",
                              error);
  if (!st)
    return NULL;
  sqlite3_bind_int64 (st, 1, id);
  g_autoptr (GPtrArray) rows = collect (db, st, error);
  if (!rows || rows->len == 0)
    return NULL;
  return g_ptr_array_steal_index (rows, 0);
}

GPtrArray *
relay_recording_index_unfinished (sqlite3 *db, GError **error)
{
  sqlite3_stmt *st = prepare (db,
                              "SELECT " ROW_COLUMNS " FROM recordings WHERE state = 'recording' "
                              "ORDER BY id",
                              error);
  return st ? collect (db, st, error) : NULL;
}

gint64
relay_recording_index_total_bytes (sqlite3 *db, GError **error)
{
  sqlite3_stmt *st = prepare (db,
                              "SELECT COALESCE(SUM(bytes), 0) FROM recordings "
                              "WHERE state != 'deleted'",
                              error);
  if (!st)
    return -1;
  gint64 total = -1;
  if (sqlite3_step (st) == SQLITE_ROW)
    total = sqlite3_column_int64 (st, 0);
  else
    relay_database_set_error (db, "recordings index", error);
  sqlite3_finalize (st);
  return total;
}

gint64
relay_recording_index_oldest_briefing (sqlite3 *db, gint64 before_ms, gint64 keep_id,
                                       GError **error)
{
  sqlite3_stmt *st = prepare (db,
                              "SELECT r.briefing_id FROM recordings r JOIN briefings b "
                              "ON b.id = r.briefing_id WHERE r.state != 'deleted' "
                              "AND r.briefing_id != ?1 AND r.briefing_id != (SELECT "
                              "MAX(briefing_id) FROM recordings WHERE state != 'deleted') "
                              "AND (?2 = 0 OR COALESCE(b.started_ms, "
                              "b.created_ms) < ?2) ORDER BY COALESCE(b.started_ms, b.created_ms), "
                              "b.id LIMIT 1",
                              error);
  if (!st)
    return 0;
  sqlite3_bind_int64 (st, 1, keep_id);
  sqlite3_bind_int64 (st, 2, before_ms);
  gint64 id = 0;
  int rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (st, 0);
  else if (rc != SQLITE_DONE)
    relay_database_set_error (db, "recordings index", error);
  sqlite3_finalize (st);
  return id;
}

gboolean
relay_recording_index_mark_deleted (sqlite3 *db, gint64 id, GError **error)
{
  sqlite3_stmt *st = prepare (db, "UPDATE recordings SET state = 'deleted' WHERE id = ?", error);
  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, id);
  return finish (db, st, error);
}
