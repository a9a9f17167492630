#include "webrtc/worker/worker-pool.h"

struct _RelayWorker {
  guint index;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  gint peers; /* atomic */
};

struct _RelayWorkerPool {
  guint n;
  RelayWorker *workers;
};

static gpointer
worker_main (gpointer data)
{
  RelayWorker *w = data;
  g_main_context_push_thread_default (w->context);
  g_main_loop_run (w->loop);
  g_main_context_pop_thread_default (w->context);
  return NULL;
}

RelayWorkerPool *
relay_worker_pool_new (guint n_threads)
{
  RelayWorkerPool *pool = g_new0 (RelayWorkerPool, 1);
  pool->n = MAX (n_threads, 1);
  pool->workers = g_new0 (RelayWorker, pool->n);
  for (guint i = 0; i < pool->n; i++)
    {
      RelayWorker *w = &pool->workers[i];
      w->index = i;
      w->context = g_main_context_new ();
      w->loop = g_main_loop_new (w->context, FALSE);
      g_autofree char *name = g_strdup_printf ("transport-%u", i);
      w->thread = g_thread_new (name, worker_main, w);
    }
  return pool;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
relay_worker_pool_stop (RelayWorkerPool *pool)
{
  for (guint i = 0; i < pool->n; i++)
    {
      RelayWorker *w = &pool->workers[i];
      if (!w->thread)
        continue;
      g_main_context_invoke (w->context, quit_loop, w->loop);
      g_thread_join (w->thread);
      w->thread = NULL;
      /* Let sources that were removed while quitting release their data,
       * and run what was queued behind the quit. */
      while (g_main_context_iteration (w->context, FALSE))
        ;
    }
}

void
relay_worker_pool_free (RelayWorkerPool *pool)
{
  if (!pool)
    return;
  relay_worker_pool_stop (pool);
  for (guint i = 0; i < pool->n; i++)
    {
      RelayWorker *w = &pool->workers[i];
      /* Closes asked for after the stop (a session released late). */
      while (g_main_context_iteration (w->context, FALSE))
        ;
      g_main_loop_unref (w->loop);
      g_main_context_unref (w->context);
    }
  g_free (pool->workers);
  g_free (pool);
}

RelayWorker *
relay_worker_pool_acquire (RelayWorkerPool *pool)
{
  RelayWorker *best = &pool->workers[0];
  for (guint i = 1; i < pool->n; i++)
    if (g_atomic_int_get (&pool->workers[i].peers) < g_atomic_int_get (&best->peers))
      best = &pool->workers[i];
  g_atomic_int_inc (&best->peers);
  return best;
}

void
relay_worker_release (RelayWorker *worker)
{
  g_atomic_int_add (&worker->peers, -1);
}

guint
relay_worker_pool_get_n_threads (RelayWorkerPool *pool)
{
  return pool->n;
}

GMainContext *
relay_worker_get_context (RelayWorker *worker)
{
  return worker->context;
}

gboolean
relay_worker_is_current (RelayWorker *worker)
{
  return g_main_context_is_owner (worker->context);
}

void
relay_worker_invoke (RelayWorker *worker, GSourceFunc func, gpointer data, GDestroyNotify notify)
{
  GSource *source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_attach (source, worker->context);
  g_source_unref (source);
}

GSource *
relay_worker_add_timeout (RelayWorker *worker, guint interval_ms, GSourceFunc func, gpointer data,
                          GDestroyNotify notify)
{
  GSource *source = g_timeout_source_new (interval_ms);
  g_source_set_callback (source, func, data, notify);
  g_source_attach (source, worker->context);
  return source;
}

typedef struct {
  RelayWorkerFunc work;
  RelayWorkerFunc reply;
  GMainContext *reply_context;
  gpointer data;
  GDestroyNotify notify;
} WorkerCall;

static gboolean
worker_call_reply (gpointer p)
{
  WorkerCall *call = p;
  call->reply (call->data);
  return G_SOURCE_REMOVE;
}

static void
worker_call_free (gpointer p)
{
  WorkerCall *call = p;
  if (call->notify)
    call->notify (call->data);
  g_main_context_unref (call->reply_context);
  g_free (call);
}

static gboolean
worker_call_work (gpointer p)
{
  WorkerCall *call = p;
  call->work (call->data);
  g_main_context_invoke_full (call->reply_context, G_PRIORITY_DEFAULT, worker_call_reply, call,
                              worker_call_free);
  return G_SOURCE_REMOVE;
}

void
relay_worker_call (RelayWorker *worker, RelayWorkerFunc work, GMainContext *reply_context,
                   RelayWorkerFunc reply, gpointer data, GDestroyNotify notify)
{
  WorkerCall *call = g_new0 (WorkerCall, 1);
  call->work = work;
  call->reply = reply;
  call->reply_context = g_main_context_ref (reply_context);
  call->data = data;
  call->notify = notify;
  relay_worker_invoke (worker, worker_call_work, call, NULL);
}
