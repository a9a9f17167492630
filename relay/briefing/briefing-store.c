#include "relay/briefing/briefing-store.h"

#include <string.h>

#include "relay/figures/database.h"

typedef struct {
  sqlite3 *db;
  sqlite3_stmt *st;
} Statement;

static void
statement_clear (Statement *s)
{
  if (s->st)
    sqlite3_finalize (s->st);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Statement, statement_clear)

static gboolean
prepare (Statement *s, sqlite3 *db, const char *sql, GError **error)
{
  s->db = db;
  if (sqlite3_prepare_v2 (db, sql, -1, &s->st, NULL) == SQLITE_OK)
    return TRUE;
  relay_database_set_error (db, "briefing store", error);
  return FALSE;
}

/* Binds 0 as NULL: no time or id is 0 in this store. */
static void
bind_int_or_null (sqlite3_stmt *st, int i, gint64 v)
{
  if (v)
    sqlite3_bind_int64 (st, i, v);
  else
    sqlite3_bind_null (st, i);
}

static gboolean
run (Statement *s, GError **error)
{
  int rc = sqlite3_step (s->st);
  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  relay_database_set_error (s->db, "briefing store", error);
  return FALSE;
}

static gboolean
exec (sqlite3 *db, const char *sql, GError **error)
{
  return relay_database_exec (db, sql, error);
}

sqlite3 *
relay_briefing_store_open (const char *data_dir, GError **error)
{
  sqlite3 *db = relay_database_open (data_dir, error);
  if (db && !exec (db, "PRAGMA synchronous = NORMAL", error))
    g_clear_pointer (&db, sqlite3_close);
  return db;
}

gboolean
relay_briefing_store_insert (sqlite3 *db, RelayBriefing *b, GError **error)
{
  g_auto (Statement) s = { 0 };
  if (!prepare (&s, db,
                "INSERT INTO briefings (title, date, state, created_ms, started_ms, ended_ms, "
                "roll_call_deadline_s, turn_limit_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                error))
    return FALSE;
  sqlite3_bind_text (s.st, 1, b->title, -1, SQLITE_STATIC);
  sqlite3_bind_text (s.st, 2, b->date, -1, SQLITE_STATIC);
  sqlite3_bind_text (s.st, 3, relay_briefing_state_name (b->state), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (s.st, 4, b->created_ms);
  bind_int_or_null (s.st, 5, b->started_ms);
  bind_int_or_null (s.st, 6, b->ended_ms);
  sqlite3_bind_int (s.st, 7, (int) b->roll_call_deadline_s);
  sqlite3_bind_int (s.st, 8, (int) b->turn_limit_s);
  if (!run (&s, error))
    return FALSE;
  b->id = sqlite3_last_insert_rowid (db);
  return TRUE;
}

gboolean
relay_briefing_store_update (sqlite3 *db, RelayBriefing *b, GError **error)
{
  g_auto (Statement) s = { 0 };
  if (!prepare (&s, db,
                "UPDATE briefings SET title = ?, date = ?, state = ?, started_ms = ?, "
                "ended_ms = ?, roll_call_deadline_s = ?, turn_limit_s = ? WHERE id = ?",
                error))
    return FALSE;
  sqlite3_bind_text (s.st, 1, b->title, -1, SQLITE_STATIC);
  sqlite3_bind_text (s.st, 2, b->date, -1, SQLITE_STATIC);
  sqlite3_bind_text (s.st, 3, relay_briefing_state_name (b->state), -1, SQLITE_STATIC);
  bind_int_or_null (s.st, 4, b->started_ms);
  bind_int_or_null (s.st, 5, b->ended_ms);
  sqlite3_bind_int (s.st, 6, (int) b->roll_call_deadline_s);
  sqlite3_bind_int (s.st, 7, (int) b->turn_limit_s);
  sqlite3_bind_int64 (s.st, 8, b->id);
  return run (&s, error);
}

gboolean
relay_briefing_store_alive (sqlite3 *db, gint64 id, gint64 now_ms, GError **error)
{
  g_auto (Statement) s = { 0 };
  if (!prepare (&s, db, "UPDATE briefings SET alive_ms = ? WHERE id = ?", error))
    return FALSE;
  sqlite3_bind_int64 (s.st, 1, now_ms);
  sqlite3_bind_int64 (s.st, 2, id);
  return run (&s, error);
}

gboolean
relay_briefing_store_joined (sqlite3 *db, gint64 id, const char *office, gint64 joined_ms,
                             GError **error)
{
  g_auto (Statement) s = { 0 };
  if (!prepare (&s, db,
                "INSERT INTO briefing_presence (briefing_id, office, joined_ms) VALUES (?, ?, ?)",
                error))
    return FALSE;
  sqlite3_bind_int64 (s.st, 1, id);
  sqlite3_bind_text (s.st, 2, office, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (s.st, 3, joined_ms);
  return run (&s, error);
}

gboolean
relay_briefing_store_left (sqlite3 *db, gint64 id, const char *office, gint64 left_ms,
                           const char *state, GError **error)
{
  g_auto (Statement) s = { 0 };
  if (!prepare (&s, db,
                "UPDATE briefing_presence SET left_ms = MAX(?, joined_ms), left_state = ? "
                "WHERE briefing_id = ? AND left_ms IS NULL AND (?4 IS NULL OR office = ?4)",
                error))
    return FALSE;
  sqlite3_bind_int64 (s.st, 1, left_ms);
  sqlite3_bind_text (s.st, 2, state, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (s.st, 3, id);
  if (office)
    sqlite3_bind_text (s.st, 4, office, -1, SQLITE_STATIC);
  return run (&s, error);
}

gboolean
relay_briefing_store_save_agenda (sqlite3 *db, RelayBriefing *b, GError **error)
{
  if (!exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  g_auto (Statement) del = { 0 };
  g_auto (Statement) ins = { 0 };
  gboolean ok = prepare (&del, db, "DELETE FROM briefing_agenda WHERE briefing_id = ?", error)
                && prepare (&ins, db,
                            "INSERT INTO briefing_agenda (briefing_id, position, office, title, "
                            "time_limit_s, status) VALUES (?, ?, ?, ?, ?, ?)",
                            error);
  if (ok)
    {
      sqlite3_bind_int64 (del.st, 1, b->id);
      ok = run (&del, error);
    }
  for (guint i = 0; ok && i < b->agenda->len; i++)
    {
      RelayAgendaItem *item = b->agenda->pdata[i];
      sqlite3_reset (ins.st);
      sqlite3_bind_int64 (ins.st, 1, b->id);
      sqlite3_bind_int (ins.st, 2, (int) i);
      sqlite3_bind_text (ins.st, 3, item->office, -1, SQLITE_STATIC);
      sqlite3_bind_text (ins.st, 4, item->title, -1, SQLITE_STATIC);
      sqlite3_bind_int (ins.st, 5, (int) item->time_limit_s);
      sqlite3_bind_text (ins.st, 6, relay_agenda_status_name (item->status), -1, SQLITE_STATIC);
      ok = run (&ins, error);
    }
  if (ok && exec (db, "COMMIT", error))
    return TRUE;
  exec (db, "ROLLBACK", NULL);
  return FALSE;
}

gboolean
relay_briefing_store_insert_turn (sqlite3 *db, gint64 id, RelayTurn *t, GError **error)
{
  g_auto (Statement) s = { 0 };
  if (!prepare (&s, db,
                "INSERT INTO briefing_turns (briefing_id, office, agenda_position, started_ms, "
                "time_limit_s) VALUES (?, ?, ?, ?, ?)",
                error))
    return FALSE;
  sqlite3_bind_int64 (s.st, 1, id);
  sqlite3_bind_text (s.st, 2, t->office, -1, SQLITE_STATIC);
  if (t->agenda_position >= 0)
    sqlite3_bind_int (s.st, 3, t->agenda_position);
  sqlite3_bind_int64 (s.st, 4, t->started_ms);
  sqlite3_bind_int (s.st, 5, (int) t->time_limit_s);
  if (!run (&s, error))
    return FALSE;
  t->id = sqlite3_last_insert_rowid (db);
  return TRUE;
}

gboolean
relay_briefing_store_update_turn (sqlite3 *db, RelayTurn *t, GError **error)
{
  g_auto (Statement) s = { 0 };
  if (!prepare (&s, db,
                "UPDATE briefing_turns SET ended_ms = ?, end_reason = ? WHERE id = ?",
                error))
    return FALSE;
  bind_int_or_null (s.st, 1, t->ended_ms);
  sqlite3_bind_text (s.st, 2, t->end_reason, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (s.st, 3, t->id);
  return run (&s, error);
}

/* ---- reads ---------------------------------------------------------------- */

static const char *
column_text (sqlite3_stmt *st, int i)
{
  return (const char *) sqlite3_column_text (st, i);
}

static gboolean
load_presence (sqlite3 *db, RelayBriefing *b, GError **error)
{
  g_auto (Statement) s = { 0 };
  if (!prepare (&s, db,
                "SELECT office, joined_ms, left_ms, left_state FROM briefing_presence "
                "WHERE briefing_id = ? ORDER BY office, joined_ms, rowid",
                error))
    return FALSE;
  sqlite3_bind_int64 (s.st, 1, b->id);
  int rc;
  while ((rc = sqlite3_step (s.st)) == SQLITE_ROW)
    relay_briefing_add_presence (b, column_text (s.st, 0), sqlite3_column_int64 (s.st, 1),
                                 sqlite3_column_int64 (s.st, 2), column_text (s.st, 3));
  return rc == SQLITE_DONE || run (&s, error);
}

static gboolean
load_agenda (sqlite3 *db, RelayBriefing *b, GError **error)
{
  g_auto (Statement) s = { 0 };
  if (!prepare (&s, db,
                "SELECT office, title, time_limit_s, status FROM briefing_agenda "
                "WHERE briefing_id = ? ORDER BY position",
                error))
    return FALSE;
  sqlite3_bind_int64 (s.st, 1, b->id);
  int rc;
  while ((rc = sqlite3_step (s.st)) == SQLITE_ROW)
    {
      const char *office = column_text (s.st, 0);
      guint limit = (guint) sqlite3_column_int (s.st, 2);
      RelayAgendaItem *item = office ? relay_agenda_item_new_office (office, limit)
                                     : relay_agenda_item_new_free (column_text (s.st, 1), limit);
      if (!relay_agenda_status_from_name (column_text (s.st, 3), &item->status))
        item->status = RELAY_AGENDA_PENDING;
      g_ptr_array_add (b->agenda, item);
    }
  return rc == SQLITE_DONE || run (&s, error);
}

static gboolean
load_turns (sqlite3 *db, RelayBriefing *b, GError **error)
{
  g_auto (Statement) s = { 0 };
  if (!prepare (&s, db,
                "SELECT id, office, agenda_position, started_ms, ended_ms, end_reason, "
                "time_limit_s FROM briefing_turns WHERE briefing_id = ? "
                "ORDER BY started_ms, id",
                error))
    return FALSE;
  sqlite3_bind_int64 (s.st, 1, b->id);
  int rc;
  while ((rc = sqlite3_step (s.st)) == SQLITE_ROW)
    {
      RelayTurn *t = g_new0 (RelayTurn, 1);
      t->id = sqlite3_column_int64 (s.st, 0);
      t->office = g_strdup (column_text (s.st, 1));
      t->agenda_position = sqlite3_column_type (s.st, 2) == SQLITE_NULL
                               ? -1
                               : sqlite3_column_int (s.st, 2);
      t->started_ms = sqlite3_column_int64 (s.st, 3);
      t->ended_ms = sqlite3_column_int64 (s.st, 4);
      t->end_reason = g_strdup (column_text (s.st, 5));
      t->time_limit_s = (guint) sqlite3_column_int (s.st, 6);
      g_ptr_array_add (b->turns, t);
    }
  return rc == SQLITE_DONE || run (&s, error);
}

#define BRIEFING_COLUMNS \
  "id, title, date, state, created_ms, started_ms, ended_ms, roll_call_deadline_s, turn_limit_s"

static RelayBriefing *
briefing_from_row (sqlite3_stmt *st)
{
  RelayBriefing *b = relay_briefing_new (sqlite3_column_int64 (st, 0), column_text (st, 1),
                                         column_text (st, 2));
  if (!relay_briefing_state_from_name (column_text (st, 3), &b->state))
    b->state = RELAY_BRIEFING_INTERRUPTED;
  b->created_ms = sqlite3_column_int64 (st, 4);
  b->started_ms = sqlite3_column_int64 (st, 5);
  b->ended_ms = sqlite3_column_int64 (st, 6);
  b->roll_call_deadline_s = (guint) sqlite3_column_int (st, 7);
  b->turn_limit_s = (guint) sqlite3_column_int (st, 8);
  return b;
}

static gboolean
load_parts (sqlite3 *db, RelayBriefing *b, GError **error)
{
  return load_presence (db, b, error) && load_agenda (db, b, error) && load_turns (db, b, error);
}

RelayBriefing *
relay_briefing_store_load (sqlite3 *db, gint64 id, GError **error)
{
  g_auto (Statement) s = { 0 };
  if (!prepare (&s, db, "SELECT " BRIEFING_COLUMNS " FROM briefings WHERE id = ?", error))
    return NULL;
  sqlite3_bind_int64 (s.st, 1, id);
  int rc = sqlite3_step (s.st);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      run (&s, error);
      return NULL;
    }
  g_autoptr (RelayBriefing) b = briefing_from_row (s.st);
  if (!load_parts (db, b, error))
    return NULL;
  return g_steal_pointer (&b);
}

gint64
relay_briefing_store_find (sqlite3 *db, RelayBriefingState state, GError **error)
{
  g_auto (Statement) s = { 0 };
  if (!prepare (&s, db, "SELECT id FROM briefings WHERE state = ? ORDER BY id DESC LIMIT 1",
                error))
    return 0;
  sqlite3_bind_text (s.st, 1, relay_briefing_state_name (state), -1, SQLITE_STATIC);
  int rc = sqlite3_step (s.st);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (s.st, 0);
  if (rc != SQLITE_DONE)
    run (&s, error);
  return 0;
}

GPtrArray *
relay_briefing_store_list (sqlite3 *db, const char *from, const char *to, guint limit,
                           GError **error)
{
  g_auto (Statement) s = { 0 };
  if (!prepare (&s, db,
                "SELECT " BRIEFING_COLUMNS " FROM briefings WHERE (?1 IS NULL OR date >= ?1) "
                "AND (?2 IS NULL OR date <= ?2) ORDER BY date DESC, id DESC LIMIT ?3",
                error))
    return NULL;
  if (from)
    sqlite3_bind_text (s.st, 1, from, -1, SQLITE_STATIC);
  if (to)
    sqlite3_bind_text (s.st, 2, to, -1, SQLITE_STATIC);
  sqlite3_bind_int (s.st, 3, (int) MIN (limit, (guint) G_MAXINT));
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) relay_briefing_free);
  int rc;
  while ((rc = sqlite3_step (s.st)) == SQLITE_ROW)
    g_ptr_array_add (list, briefing_from_row (s.st));
  if (rc != SQLITE_DONE)
    {
      run (&s, error);
      return NULL;
    }
  for (guint i = 0; i < list->len; i++)
    if (!load_parts (db, list->pdata[i], error))
      return NULL;
  return g_steal_pointer (&list);
}

gint64
relay_briefing_store_interrupt_live (sqlite3 *db, GError **error)
{
  gint64 id = relay_briefing_store_find (db, RELAY_BRIEFING_LIVE, error);
  if (!id)
    return 0;
  g_auto (Statement) last = { 0 };
  /* The newest moment the record shows the briefing going. */
  if (!prepare (&last, db,
                "SELECT MAX(COALESCE(b.alive_ms, 0), COALESCE(b.started_ms, 0),"
                " COALESCE((SELECT MAX(started_ms + duration_ms) FROM recordings"
                "           WHERE briefing_id = b.id), 0),"
                " COALESCE((SELECT MAX(MAX(started_ms, COALESCE(ended_ms, 0))) FROM briefing_turns"
                "           WHERE briefing_id = b.id), 0),"
                " COALESCE((SELECT MAX(MAX(joined_ms, COALESCE(left_ms, 0)))"
                "           FROM briefing_presence WHERE briefing_id = b.id), 0))"
                " FROM briefings b WHERE b.id = ?",
                error))
    return 0;
  sqlite3_bind_int64 (last.st, 1, id);
  if (sqlite3_step (last.st) != SQLITE_ROW)
    {
      run (&last, error);
      return 0;
    }
  gint64 end = sqlite3_column_int64 (last.st, 0);
  g_autofree char *sql = g_strdup_printf (
      "BEGIN IMMEDIATE;"
      "UPDATE briefings SET state = 'interrupted', ended_ms = %" G_GINT64_FORMAT " WHERE id = %"
      G_GINT64_FORMAT ";"
      "UPDATE briefing_presence SET left_ms = MAX(joined_ms, %" G_GINT64_FORMAT "),"
      " left_state = 'interrupted' WHERE briefing_id = %" G_GINT64_FORMAT " AND left_ms IS NULL;"
      "UPDATE briefing_turns SET ended_ms = MAX(started_ms, %" G_GINT64_FORMAT "),"
      " end_reason = 'interrupted' WHERE briefing_id = %" G_GINT64_FORMAT " AND ended_ms IS NULL;"
      "UPDATE briefing_agenda SET status = 'done' WHERE briefing_id = %" G_GINT64_FORMAT
      " AND status = 'current';"
      "COMMIT;",
      end, id, end, id, end, id, id);
  if (!exec (db, sql, error))
    {
      exec (db, "ROLLBACK", NULL);
      return 0;
    }
  return id;
}
