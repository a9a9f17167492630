/* The store's backup and restore (relay/store-backup.c) and the data
 * directory's lock (relay/data-dir-lock.c): a copy taken while a writer
 * holds the store open restores with what was committed; restore refuses a
 * locked data directory, junk, a store of a newer schema, and keeps the
 * previous store aside. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "relay/data-dir-lock.h"
#include "relay/figures/database.h"
#include "relay/store-backup.h"

static char *
marker_of (const char *data_dir)
{
  g_autoptr (GError) error = NULL;
  sqlite3 *db = relay_database_open_reader (data_dir, &error);
  g_assert_no_error (error);
  sqlite3_stmt *st = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT x FROM marker", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  char *out = g_strdup ((const char *) sqlite3_column_text (st, 0));
  sqlite3_finalize (st);
  sqlite3_close (db);
  return out;
}

static int
count_aside (const char *data_dir)
{
  g_autoptr (GDir) dir = g_dir_open (data_dir, 0, NULL);
  int n = 0;
  const char *name;
  while ((name = g_dir_read_name (dir)))
    if (g_str_has_prefix (name, RELAY_DATABASE_FILE ".before-restore-") && !g_str_has_suffix (name, "-wal")
        && !g_str_has_suffix (name, "-shm"))
      n++;
  return n;
}

static void
test_round_trip_and_refusals (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("store-backup-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *a = g_build_filename (tmp, "a", NULL);
  g_autofree char *b = g_build_filename (tmp, "b", NULL);
  g_autofree char *file = g_build_filename (tmp, "backup.sqlite", NULL);
  g_autoptr (GString) report = g_string_new (NULL);

  /* No store yet: nothing to back up. */
  g_assert_false (relay_store_backup (a, file, report, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The writer stays open (WAL) through the backup, as the relay's does. */
  sqlite3 *writer = relay_database_open (a, &error);
  g_assert_no_error (error);
  g_assert_true (relay_database_exec (writer, "CREATE TABLE marker (x TEXT); "
                                              "INSERT INTO marker VALUES ('first')", &error));
  g_assert_true (relay_store_backup (a, file, report, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (report->str, "integrity check ok"));
  g_autofree char *partial = g_strconcat (file, ".partial", NULL);
  g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));
  int version = 0;
  g_assert_true (relay_store_check_file (file, &version, &error));
  g_assert_cmpint (version, ==, relay_database_schema_version ());

  /* Into an empty directory. */
  g_string_truncate (report, 0);
  g_assert_true (relay_store_restore (b, file, report, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (report->str, "there was no store before"));
  g_autofree char *m1 = marker_of (b);
  g_assert_cmpstr (m1, ==, "first");

  /* Over a store: the previous one is kept aside. */
  g_assert_true (relay_database_exec (writer, "UPDATE marker SET x = 'second'", &error));
  g_assert_true (relay_store_backup (a, file, report, &error));
  g_string_truncate (report, 0);
  g_assert_true (relay_store_restore (b, file, report, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (report->str, "the previous store is kept as"));
  g_assert_cmpint (count_aside (b), ==, 1);
  g_autofree char *m2 = marker_of (b);
  g_assert_cmpstr (m2, ==, "second");

  /* A locked directory (a running relay) is refused, its store untouched. */
  {
    g_autoptr (RelayDataDirLock) lock = relay_data_dir_lock_take (b, &error);
    g_assert_no_error (error);
    g_assert_true (relay_database_exec (writer, "UPDATE marker SET x = 'third'", &error));
    g_assert_true (relay_store_backup (a, file, report, &error));
    g_assert_false (relay_store_restore (b, file, report, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
    g_assert_nonnull (strstr (error->message, "stop the relay before restoring"));
    g_clear_error (&error);
    g_autofree char *m3 = marker_of (b);
    g_assert_cmpstr (m3, ==, "second");
    /* Nor is a second lock given. */
    g_assert_null (relay_data_dir_lock_take (b, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
    g_clear_error (&error);
  }
  sqlite3_close (writer);

  /* Junk, and a store of a schema this build does not know. */
  g_autofree char *junk = g_build_filename (tmp, "junk", NULL);
  g_assert_true (g_file_set_contents (junk, "not a database, repeated. not a database, repeated. "
                                            "not a database, repeated. not a database.", -1, NULL));
  g_assert_false (relay_store_restore (b, junk, report, &error));
  g_assert_nonnull (strstr (error->message, "is not a briefing-relay store"));
  g_clear_error (&error);
  sqlite3 *newer = NULL;
  g_assert_cmpint (sqlite3_open (file, &newer), ==, SQLITE_OK);
  g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d",
                                           relay_database_schema_version () + 1);
  g_assert_true (relay_database_exec (newer, bump, &error));
  sqlite3_close (newer);
  g_assert_false (relay_store_restore (b, file, report, &error));
  g_assert_nonnull (strstr (error->message, "newer than this relay's"));
  g_clear_error (&error);
  g_assert_cmpint (count_aside (b), ==, 1);

  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp);
  g_assert_cmpint (system (cmd), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store-backup/round-trip-and-refusals", test_round_trip_and_refusals);
  return g_test_run ();
}
