#include "relay/store-backup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "relay/data-dir-lock.h"
#include "relay/figures/database.h"

/* How long the copy waits for a lock another connection holds (the
 * relay's checkpoint, a writer starting): the relay's own busy timeout. */
#define BUSY_TIMEOUT_MS 5000

static void
set_sqlite_error (sqlite3 *db, const char *what, GError **error)
{
  g_set_error (error, RELAY_DATABASE_ERROR, db ? sqlite3_errcode (db) : SQLITE_NOMEM, "%s: %s",
               what, db ? sqlite3_errmsg (db) : "out of memory");
}

static sqlite3 *
open_file (const char *path, int flags, GError **error)
{
  sqlite3 *db = NULL;
  if (sqlite3_open_v2 (path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      set_sqlite_error (db, path, error);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  return db;
}

/* The first column of the first row of `sql` as text (NULL: no row). */
static char *
query_text (sqlite3 *db, const char *sql, GError **error)
{
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
    {
      set_sqlite_error (db, sql, error);
      return NULL;
    }
  char *out = NULL;
  int rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    out = g_strdup ((const char *) sqlite3_column_text (st, 0));
  else if (rc != SQLITE_DONE)
    set_sqlite_error (db, sql, error);
  else
    out = g_strdup ("");
  sqlite3_finalize (st);
  return out;
}

/* Copies every page of `src` into `dest` as one snapshot.
 *
 * One sqlite3_backup_step (-1), not steps of a few pages with sleeps in
 * between: the relay writing from another process restarts a stepped copy
 * from its first page at every commit, so with offices submitting
 * continuously it might never end. A single step reads inside one read
 * transaction, and under WAL a reader does not hold up the relay's writers
 * (only the checkpoint waits for it to end), so the relay is not starved
 * either. The backup API rather than VACUUM INTO: the copy is page for page
 * the store, and it goes through the same busy handling. */
static gboolean
copy_pages (sqlite3 *src, sqlite3 *dest, const char *what, GError **error)
{
  sqlite3_backup *b = sqlite3_backup_init (dest, "main", src, "main");
  if (!b)
    {
      set_sqlite_error (dest, what, error);
      return FALSE;
    }
  int rc;
  int waits = 0;
  /* BUSY/LOCKED: a checkpoint or the relay's migration holds the file;
   * the step has copied nothing yet and is tried again. */
  while ((rc = sqlite3_backup_step (b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED)
    {
      if (++waits > 200)
        break;
      g_usleep (50 * 1000);
    }
  sqlite3_backup_finish (b);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, RELAY_DATABASE_ERROR, rc, "%s: %s", what, sqlite3_errstr (rc));
      return FALSE;
    }
  /* A file on its own: no -wal beside it to forget when it is copied. */
  char *message = NULL;
  if (sqlite3_exec (dest, "PRAGMA journal_mode = DELETE", NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, RELAY_DATABASE_ERROR, 0, "%s: %s", what, message);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_open (sqlite3 *db, const char *file, int *schema_version, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *check = query_text (db, "PRAGMA integrity_check", &local);
  if (!check)
    {
      /* SQLITE_NOTADB, "file is not a database": not SQLite at all. */
      g_set_error (error, RELAY_DATABASE_ERROR, 0,
                   "%s is not a briefing-relay store: %s", file,
                   sqlite3_errmsg (db));
      return FALSE;
    }
  if (!g_str_equal (check, "ok"))
    {
      g_set_error (error, RELAY_DATABASE_ERROR, 0,
                   "%s is damaged (SQLite integrity check: %s)", file, check);
      return FALSE;
    }
  g_autofree char *version = query_text (db, "PRAGMA user_version", error);
  g_autofree char *reports = version
      ? query_text (db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                        "AND name IN ('reports', 'report_ids')", error)
      : NULL;
  if (!reports)
    return FALSE;
  int v = atoi (version);
  int known = relay_database_schema_version ();
  if (v < 1 || atoi (reports) != 2)
    {
      g_set_error (error, RELAY_DATABASE_ERROR, 0,
                   "%s is an SQLite database but not a briefing-relay store "
                   "(schema version %d, no figures tables)", file, v);
      return FALSE;
    }
  if (v > known)
    {
      g_set_error (error, RELAY_DATABASE_ERROR, 0,
                   "%s has schema version %d, newer than this relay's %d: restore it with "
                   "the relay that wrote it", file, v, known);
      return FALSE;
    }
  *schema_version = v;
  return TRUE;
}

static char *
count_figures (sqlite3 *db)
{
  g_autofree char *n = query_text (db, "SELECT count(*) FROM reports", NULL);
  return g_strdup (n ? n : "?");
}

gboolean
relay_store_check_file (const char *file, int *schema_version, GError **error)
{
  if (!g_file_test (file, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: no such file", file);
      return FALSE;
    }
  sqlite3 *db = open_file (file, SQLITE_OPEN_READONLY, error);
  if (!db)
    return FALSE;
  gboolean ok = check_open (db, file, schema_version, error);
  sqlite3_close (db);
  return ok;
}

/* Makes `path` durable under its name: the directory entry of a rename
 * must reach the disk too. */
static void
sync_directory_of (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY, 0);
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/* Copies `src` to `partial`, checks the copy, renames it to `final`. */
static gboolean
write_copy (sqlite3 *src, const char *partial, const char *final, int *schema_version,
            char **figures, GError **error)
{
  g_unlink (partial);
  sqlite3 *dest = open_file (partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error);
  gboolean ok = dest && copy_pages (src, dest, partial, error)
                && check_open (dest, partial, schema_version, error);
  if (ok)
    *figures = count_figures (dest);
  if (dest)
    sqlite3_close (dest);
  if (ok && g_rename (partial, final) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", final,
                   g_strerror (saved));
      ok = FALSE;
    }
  if (!ok)
    {
      g_unlink (partial);
      return FALSE;
    }
  sync_directory_of (final);
  return TRUE;
}

gboolean
relay_store_backup (const char *data_dir, const char *file, GString *report, GError **error)
{
  g_autofree char *store = g_build_filename (data_dir, RELAY_DATABASE_FILE, NULL);
  if (!g_file_test (store, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s: no store to back up (has a relay ever run with this data-dir?)", store);
      return FALSE;
    }
  /* Read-write, as the relay's own readers: a WAL reader writes the
   * shared-memory index. It neither creates nor migrates anything. */
  sqlite3 *src = open_file (store, SQLITE_OPEN_READWRITE, error);
  if (!src)
    return FALSE;
  g_autofree char *partial = g_strconcat (file, ".partial", NULL);
  int version = 0;
  g_autofree char *figures = NULL;
  gboolean ok = write_copy (src, partial, file, &version, &figures, error);
  sqlite3_close (src);
  if (!ok)
    return FALSE;
  g_string_append_printf (report,
                          "backed up %s to %s (schema version %d, %s figure versions; "
                          "integrity check ok)\n",
                          store, file, version, figures);
  return TRUE;
}

/* Renames `from` (and its -wal and -shm, which belong to it by name) to
 * `to`; FALSE when the main file could not be moved. */
static gboolean
move_store (const char *from, const char *to, GError **error)
{
  if (g_rename (from, to) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot move %s aside: %s",
                   from, g_strerror (saved));
      return FALSE;
    }
  for (int i = 0; i < 2; i++)
    {
      const char *suffix = i == 0 ? "-wal" : "-shm";
      g_autofree char *a = g_strconcat (from, suffix, NULL);
      g_autofree char *b = g_strconcat (to, suffix, NULL);
      if (g_file_test (a, G_FILE_TEST_EXISTS))
        g_rename (a, b);
    }
  return TRUE;
}

gboolean
relay_store_restore (const char *data_dir, const char *file, GString *report, GError **error)
{
  int version = 0;
  if (!relay_store_check_file (file, &version, error))
    return FALSE;
  g_autoptr (GError) busy = NULL;
  g_autoptr (RelayDataDirLock) lock = relay_data_dir_lock_take (data_dir, &busy);
  if (!lock)
    {
      g_set_error (error, G_IO_ERROR, busy->code, "%s: stop the relay before restoring",
                   busy->message);
      return FALSE;
    }
  g_autofree char *store = g_build_filename (data_dir, RELAY_DATABASE_FILE, NULL);
  g_autofree char *partial = g_strconcat (store, ".restoring", NULL);
  /* The copy goes through SQLite, not a file copy: a WAL-mode file given
   * with its -wal beside it is copied with what the -wal holds. */
  sqlite3 *src = open_file (file, SQLITE_OPEN_READONLY, error);
  if (!src)
    return FALSE;
  g_autofree char *figures = NULL;
  int copied_version = 0;
  /* Into a side file first: the data directory's store is touched only
   * once the new one is complete and checked. */
  g_autofree char *staged = g_strconcat (store, ".restored", NULL);
  gboolean ok = write_copy (src, partial, staged, &copied_version, &figures, error);
  sqlite3_close (src);
  if (!ok)
    return FALSE;
  g_autofree char *aside = NULL;
  if (g_file_test (store, G_FILE_TEST_EXISTS))
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
      aside = g_strdup_printf ("%s.before-restore-%s", store, stamp);
      if (!move_store (store, aside, error))
        {
          g_unlink (staged);
          return FALSE;
        }
    }
  if (g_rename (staged, store) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", store,
                   g_strerror (saved));
      if (aside)
        move_store (aside, store, NULL);
      return FALSE;
    }
  sync_directory_of (store);
  g_string_append_printf (report, "restored %s into %s (schema version %d, %s figure versions)\n",
                          file, store, copied_version, figures);
  if (aside)
    g_string_append_printf (report, "the previous store is kept as %s\n", aside);
  else
    g_string_append (report, "there was no store before\n");
  if (copied_version < relay_database_schema_version ())
    g_string_append_printf (report, "the relay migrates it from version %d to %d at its next start\n",
                            copied_version, relay_database_schema_version ());
  return TRUE;
}
