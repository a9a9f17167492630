/* A fixed set of event-loop threads that run the transports of all peers.
 * Each peer lives on one worker for its whole life, so its ICE, DTLS, SRTP
 * and RTCP state needs no locks, and the thread count does not depend on how
 * many provinces are connected. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RelayWorkerPool RelayWorkerPool;
typedef struct _RelayWorker RelayWorker;

RelayWorkerPool *relay_worker_pool_new (guint n_threads);
/* Shutdown: each worker runs what is queued on it (the closes of its
 * peers among them) and its thread ends; after this no transport callback
 * runs. The workers themselves stay, for peers not yet released: what is
 * queued on them from now on waits for relay_worker_pool_free. */
void relay_worker_pool_stop (RelayWorkerPool *pool);
/* Stops the pool if that was not done, runs on the calling thread what was
 * queued on the workers since, and frees them; peers must be gone. */
void relay_worker_pool_free (RelayWorkerPool *pool);

/* The worker with the fewest peers; the caller counts the peer in. */
RelayWorker *relay_worker_pool_acquire (RelayWorkerPool *pool);
void relay_worker_release (RelayWorker *worker);

guint relay_worker_pool_get_n_threads (RelayWorkerPool *pool);

GMainContext *relay_worker_get_context (RelayWorker *worker);
gboolean relay_worker_is_current (RelayWorker *worker);

/* Queues func on the worker's thread; never runs it inline, even when
 * called from that thread. */
void relay_worker_invoke (RelayWorker *worker, GSourceFunc func, gpointer data, GDestroyNotify notify);

typedef void (*RelayWorkerFunc) (gpointer data);

/* Runs work(data) on the worker, then reply(data) on reply_context, then
 * notify(data) there: the shape of every "set up on the worker, answer the
 * HTTP request on the main loop" hand-off. */
void relay_worker_call (RelayWorker *worker, RelayWorkerFunc work, GMainContext *reply_context,
                        RelayWorkerFunc reply, gpointer data, GDestroyNotify notify);

/* A repeating timer on the worker's loop; returns the source (unref'd). */
GSource *relay_worker_add_timeout (RelayWorker *worker, guint interval_ms, GSourceFunc func,
                                   gpointer data, GDestroyNotify notify);

G_END_DECLS
