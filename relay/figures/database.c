#include "relay/figures/database.h"

#include <errno.h>

G_DEFINE_QUARK (relay-database-error-quark, relay_database_error)

/* The schema, one step per version: step i takes user_version i to i + 1.
 * Append new steps at the end (clips, the webhook outbox, ...); never edit
 * or reorder a step that has shipped, a database in the field has run it. */
static const char *const migrations[] = {
  /* 1: figures. `reports` keeps every version of a province's day (a
   * correction is version n + 1); `report_ids` maps each client id to the
   * version it produced, so a retry answers the same without counting twice. */
  "CREATE TABLE reports ("
  "  province TEXT NOT NULL,"
  "  date TEXT NOT NULL,"             /* YYYY-MM-DD */
  "  version INTEGER NOT NULL,"
  "  values_json TEXT NOT NULL,"      /* the values, schema order */
  "  received_at TEXT NOT NULL,"      /* ISO 8601 UTC, microseconds */
  "  channel TEXT NOT NULL,"          /* data-channel or https */
  "  remote_address TEXT,"
  "  client_id TEXT NOT NULL,"
  "  PRIMARY KEY (province, date, version)"
  ") WITHOUT ROWID;"
  "CREATE TABLE report_ids ("
  "  province TEXT NOT NULL,"
  "  client_id TEXT NOT NULL,"
  "  date TEXT NOT NULL,"
  "  version INTEGER NOT NULL,"
  "  created INTEGER NOT NULL,"       /* 1: this id made the version; 0: same values again */
  "  PRIMARY KEY (province, client_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX reports_by_date ON reports (date, province, version);",
  /* 2: spoken status, one row per clip (relay/clips). `date` is the day of
   * the start in Asia/Bangkok, what the clips API is asked for; `path` is
   * relative to the data dir so that the dir can move. */
  "CREATE TABLE clips ("
  "  id INTEGER PRIMARY KEY,"
  "  province TEXT NOT NULL,"
  "  date TEXT NOT NULL,"             /* YYYY-MM-DD */
  "  started_at TEXT NOT NULL,"       /* ISO 8601 UTC */
  "  ended_at TEXT NOT NULL,"
  "  duration_ms INTEGER NOT NULL,"   /* of the audio written */
  "  path TEXT NOT NULL,"
  "  bytes INTEGER NOT NULL,"
  "  reason TEXT NOT NULL"            /* why the turn ended */
  ");"
  "CREATE INDEX clips_by_date ON clips (date, province, started_at);",
  /* 3: the webhook outbox, one row per (webhook, new version), inserted in
   * the transaction of the version. AUTOINCREMENT: ids never reused, so
   * "id > last seen" finds every new row and id order is acceptance order. */
  "CREATE TABLE webhook_outbox ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  webhook TEXT NOT NULL,"          /* the [webhook <name>] group */
  "  delivery_id TEXT NOT NULL UNIQUE,"
  "  province TEXT NOT NULL,"
  "  date TEXT NOT NULL,"
  "  version INTEGER NOT NULL,"
  "  body TEXT NOT NULL,"             /* the exact bytes sent and signed */
  "  created_at TEXT NOT NULL,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  last_attempt_at TEXT,"
  "  last_status INTEGER,"            /* 0: no HTTP answer */
  "  last_error TEXT,"
  "  delivered_at TEXT,"
  "  abandoned_at TEXT"               /* max-attempts reached */
  ");"
  "CREATE INDEX webhook_outbox_pending ON webhook_outbox (id)"
  "  WHERE delivered_at IS NULL AND abandoned_at IS NULL;",
  /* 4: the briefing as a record (relay/briefing): the briefing itself, who
   * was there when (one row per present interval), the agenda, the floor
   * turns, and the recorded files. Times are Unix milliseconds (UTC);
   * `date` is the Asia/Bangkok day of the start. At most one briefing is
   * live (the partial unique index). */
  "CREATE TABLE briefings ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  title TEXT NOT NULL,"
  "  date TEXT NOT NULL,"
  "  state TEXT NOT NULL CHECK (state IN ('planned', 'live', 'ended', 'interrupted')),"
  "  created_ms INTEGER NOT NULL,"
  "  started_ms INTEGER,"
  "  ended_ms INTEGER,"
  "  alive_ms INTEGER,"               /* last sign of life while live */
  "  roll_call_deadline_s INTEGER NOT NULL,"
  "  turn_limit_s INTEGER NOT NULL"   /* 0: no limit */
  ");"
  "CREATE UNIQUE INDEX briefings_one_live ON briefings (state) WHERE state = 'live';"
  "CREATE INDEX briefings_by_date ON briefings (date, id);"
  "CREATE TABLE briefing_presence ("
  "  briefing_id INTEGER NOT NULL REFERENCES briefings (id),"
  "  office TEXT NOT NULL,"
  "  joined_ms INTEGER NOT NULL,"
  "  left_ms INTEGER,"                /* NULL: still there */
  "  left_state TEXT"                 /* lost, offline, ended, interrupted */
  ");"
  "CREATE INDEX briefing_presence_by_briefing ON briefing_presence (briefing_id, office);"
  "CREATE TABLE briefing_agenda ("
  "  briefing_id INTEGER NOT NULL REFERENCES briefings (id),"
  "  position INTEGER NOT NULL,"
  "  office TEXT,"                    /* NULL: a free item */
  "  title TEXT,"
  "  time_limit_s INTEGER NOT NULL,"  /* 0: the briefing's */
  "  status TEXT NOT NULL CHECK (status IN ('pending', 'current', 'done', 'skipped')),"
  "  PRIMARY KEY (briefing_id, position)"
  ") WITHOUT ROWID;"
  "CREATE TABLE briefing_turns ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  briefing_id INTEGER NOT NULL REFERENCES briefings (id),"
  "  office TEXT NOT NULL,"
  "  agenda_position INTEGER,"
  "  started_ms INTEGER NOT NULL,"
  "  ended_ms INTEGER,"
  "  end_reason TEXT,"
  "  time_limit_s INTEGER NOT NULL"
  ");"
  "CREATE INDEX briefing_turns_by_briefing ON briefing_turns (briefing_id, started_ms);"
  "CREATE TABLE recordings ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  briefing_id INTEGER NOT NULL REFERENCES briefings (id),"
  "  kind TEXT NOT NULL CHECK (kind IN ('program', 'mosaic', 'office')),"
  "  office TEXT,"                    /* kind office: whose turn */
  "  turn_id INTEGER,"
  "  segment INTEGER NOT NULL,"       /* 0, 1, ... within (briefing, kind, turn) */
  "  path TEXT NOT NULL,"             /* relative to the data dir */
  "  container TEXT NOT NULL,"        /* mp4, webm */
  "  video_codec TEXT,"
  "  audio_codec TEXT,"
  "  width INTEGER,"
  "  height INTEGER,"
  "  started_ms INTEGER NOT NULL,"    /* wall clock of the first media */
  "  duration_ms INTEGER NOT NULL,"
  "  bytes INTEGER NOT NULL,"
  "  state TEXT NOT NULL CHECK (state IN ('recording', 'complete', 'interrupted', 'failed',"
  "                                       'deleted')),"
  "  error TEXT"
  ");"
  "CREATE INDEX recordings_by_briefing ON recordings (briefing_id, kind, started_ms);",
  /* 5: the plausibility warnings an office confirmed with a version
   * (relay/figures/figures-plausibility.c), as the JSON array the reply
   * gave; NULL when there were none, as for every version before. */
  "ALTER TABLE reports ADD COLUMN warnings_json TEXT;",
};


int
relay_database_schema_version (void)
{
  return (int) G_N_ELEMENTS (migrations);
}

void
relay_database_set_error (sqlite3 *db, const char *what, GError **error)
{
  g_set_error (error, RELAY_DATABASE_ERROR, sqlite3_errcode (db), "%s: %s", what,
               sqlite3_errmsg (db));
}

gboolean
relay_database_exec (sqlite3 *db, const char *sql, GError **error)
{
  char *message = NULL;
  if (sqlite3_exec (db, sql, NULL, NULL, &message) == SQLITE_OK)
    return TRUE;
  g_set_error (error, RELAY_DATABASE_ERROR, sqlite3_errcode (db), "%s", message);
  sqlite3_free (message);
  return FALSE;
}

static int
user_version (sqlite3 *db)
{
  sqlite3_stmt *st;
  int v = -1;
  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
    return -1;
  if (sqlite3_step (st) == SQLITE_ROW)
    v = sqlite3_column_int (st, 0);
  sqlite3_finalize (st);
  return v;
}

static gboolean
migrate (sqlite3 *db, const char *path, GError **error)
{
  int from = user_version (db);
  int to = relay_database_schema_version ();
  if (from < 0)
    {
      relay_database_set_error (db, path, error);
      return FALSE;
    }
  if (from > to)
    {
      g_set_error (error, RELAY_DATABASE_ERROR, 0,
                   "%s: schema version %d is newer than this relay's %d", path, from, to);
      return FALSE;
    }
  /* Each step and its version number commit together: a crash mid-way
   * leaves the previous version, and the step runs again at the next start. */
  for (int v = from; v < to; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);
      if (!relay_database_exec (db, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!relay_database_exec (db, migrations[v], error) || !relay_database_exec (db, bump, error)
          || !relay_database_exec (db, "COMMIT", error))
        {
          relay_database_exec (db, "ROLLBACK", NULL);
          g_prefix_error (error, "%s: migration to version %d: ", path, v + 1);
          return FALSE;
        }
    }
  return TRUE;
}

static sqlite3 *
open_connection (const char *data_dir, int flags, GError **error)
{
  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      g_set_error (error, RELAY_DATABASE_ERROR, 0, "%s: %s", data_dir, g_strerror (errno));
      return NULL;
    }
  g_autofree char *path = g_build_filename (data_dir, RELAY_DATABASE_FILE, NULL);
  sqlite3 *db = NULL;
  if (sqlite3_open_v2 (path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      relay_database_set_error (db, path, error);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  /* FULL: with WAL, NORMAL may lose the last commits on power loss, and an
   * acknowledged figure must not be lost. */
  if (!relay_database_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                                "PRAGMA foreign_keys = ON;", error))
    {
      g_prefix_error (error, "%s: ", path);
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

sqlite3 *
relay_database_open (const char *data_dir, GError **error)
{
  sqlite3 *db = open_connection (data_dir, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error);
  if (!db)
    return NULL;
  g_autofree char *path = g_build_filename (data_dir, RELAY_DATABASE_FILE, NULL);
  if (!migrate (db, path, error))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

sqlite3 *
relay_database_open_reader (const char *data_dir, GError **error)
{
  /* Read-write so that it may checkpoint and read the WAL index; it only reads. */
  return open_connection (data_dir, SQLITE_OPEN_READWRITE, error);
}
