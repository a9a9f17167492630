#include "relay/figures/checkpointer.h"

#include "webrtc/base/log.h"
#include "relay/figures/database.h"

/* SQLite's own default threshold, in pages of WAL. */
#define CHECKPOINT_PAGES 1000

struct _RelayCheckpointer {
  sqlite3 *writer;
  sqlite3 *db;
  GThread *thread;
  GMutex lock;
  GCond cond;
  gboolean wanted;
  gboolean stopping;
};

/* On the writer thread after each commit. */
static int
on_wal_commit (void *data, sqlite3 *db, const char *name, int pages)
{
  RelayCheckpointer *c = data;
  if (pages >= CHECKPOINT_PAGES)
    {
      g_mutex_lock (&c->lock);
      c->wanted = TRUE;
      g_cond_signal (&c->cond);
      g_mutex_unlock (&c->lock);
    }
  return SQLITE_OK;
}

static gpointer
checkpoint_main (gpointer data)
{
  RelayCheckpointer *c = data;
  g_mutex_lock (&c->lock);
  while (!c->stopping)
    {
      if (!c->wanted)
        {
          g_cond_wait (&c->cond, &c->lock);
          continue;
        }
      c->wanted = FALSE;
      g_mutex_unlock (&c->lock);
      int rc = sqlite3_wal_checkpoint_v2 (c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        relay_warn (NULL, "figures database checkpoint: %s", sqlite3_errmsg (c->db));
      g_mutex_lock (&c->lock);
    }
  g_mutex_unlock (&c->lock);
  return NULL;
}

RelayCheckpointer *
relay_checkpointer_new (sqlite3 *writer, const char *data_dir, GError **error)
{
  sqlite3 *db = relay_database_open_reader (data_dir, error);
  if (!db)
    return NULL;
  RelayCheckpointer *c = g_new0 (RelayCheckpointer, 1);
  c->writer = writer;
  c->db = db;
  g_mutex_init (&c->lock);
  g_cond_init (&c->cond);
  /* Replaces the automatic checkpoint (sqlite3_wal_autocheckpoint installs
   * a hook of its own; this one takes its place). */
  sqlite3_wal_hook (writer, on_wal_commit, c);
  c->thread = g_thread_new ("report-checkpoint", checkpoint_main, c);
  return c;
}

void
relay_checkpointer_free (RelayCheckpointer *c)
{
  if (!c)
    return;
  sqlite3_wal_hook (c->writer, NULL, NULL);
  g_mutex_lock (&c->lock);
  c->stopping = TRUE;
  g_cond_signal (&c->cond);
  g_mutex_unlock (&c->lock);
  g_thread_join (c->thread);
  sqlite3_close (c->db);
  g_mutex_clear (&c->lock);
  g_cond_clear (&c->cond);
  g_free (c);
}
