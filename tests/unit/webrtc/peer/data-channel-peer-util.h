/* Shared by the data channel tests that play the browser: an SCTP
 * association of the test's own wired back to back with the relay's data
 * channel plumbing (webrtc/peer/peer-data-channels.h, as DTLS would carry
 * it), both on one worker of a real pool, and DCEP spoken on it. The
 * test's thread only runs steps on the worker (on_worker) and looks at the
 * results there too (wait_until, count_on). */
#pragma once

#include <string.h>
#include <glib.h>

#include "webrtc/peer/peer-data-channels.h"
#include "webrtc/sctp/data-channel.h"
#include "webrtc/sctp/dcep.h"
#include "webrtc/sctp/sctp-association.h"
#include "webrtc/worker/worker-pool.h"

#define WAIT_US (30 * G_USEC_PER_SEC) /* only a failure waits it out */
#define REMOTE "192.0.2.7:50312"

/* A message the browser side received. */
typedef struct {
  guint16 sid;
  guint32 ppid;
  char *text;
} Received;

/* Everything lives on the worker's thread; the test's thread only runs
 * steps there (on_worker) and looks at the results there too. */
typedef struct {
  RelayWorkerPool *pool;
  RelayWorker *worker;
  const RelayPeerChannelHandler *handler; /* the relay's, as a session gets it */
  gpointer handler_data;
  RelayPeerDataChannels *channel; /* the relay's side */
  RelaySctpAssociation *browser; /* the test's side */
  RelaySctpState browser_state;
  /* Until both sides have started, packets wait here (each side refuses
   * an INIT that comes before its own connect with an ABORT; in the relay
   * DTLS comes up on both at about the same time). */
  gboolean wire_up;
  GQueue held; /* Held */
  GArray *received;        /* Received */
  GArray *incoming_resets; /* guint16 */
} Env;

/* ---- the wire between the two associations ---- */

typedef struct {
  gboolean to_browser;
  GBytes *packet;
} Held;

static inline void
link_send (const guint8 *data, gsize len, gpointer link_data)
{
  Env *env = link_data;
  if (!env->wire_up)
    {
      Held *h = g_new (Held, 1);
      *h = (Held) { TRUE, g_bytes_new (data, len) };
      g_queue_push_tail (&env->held, h);
    }
  else if (env->browser)
    relay_sctp_association_receive (env->browser, data, len);
}

static inline void
link_remote_address (char *address, gsize size, gpointer link_data)
{
  g_strlcpy (address, REMOTE, size);
}

static inline void
browser_output (const guint8 *data, gsize len, gpointer user_data)
{
  Env *env = user_data;
  if (!env->wire_up)
    {
      Held *h = g_new (Held, 1);
      *h = (Held) { FALSE, g_bytes_new (data, len) };
      g_queue_push_tail (&env->held, h);
    }
  else if (env->channel)
    relay_peer_data_channels_receive (env->channel, data, len);
}

static inline void
browser_message (guint16 sid, guint32 ppid, const guint8 *data, gsize len, gpointer user_data)
{
  Env *env = user_data;
  Received r = { sid, ppid, g_strndup ((const char *) data, len) };
  g_array_append_val (env->received, r);
}

static inline void
browser_incoming_reset (guint16 sid, gpointer user_data)
{
  Env *env = user_data;
  g_array_append_val (env->incoming_resets, sid);
}

static inline void
browser_state (RelaySctpState state, gpointer user_data)
{
  Env *env = user_data;
  env->browser_state = state;
}

static inline void
received_clear (gpointer p)
{
  g_free (((Received *) p)->text);
}

/* ---- running on the worker ---- */

typedef struct {
  void (*step) (Env *env, gpointer data);
  gboolean (*check) (Env *env, gpointer data);
  Env *env;
  gpointer data;
  gboolean result;
  GMutex lock;
  GCond cond;
  gboolean done;
} Job;

static inline gboolean
run_job (gpointer data)
{
  Job *job = data;
  if (job->step)
    job->step (job->env, job->data);
  else
    job->result = job->check (job->env, job->data);
  g_mutex_lock (&job->lock);
  job->done = TRUE;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->lock);
  return G_SOURCE_REMOVE;
}

static inline gboolean
run_on_worker (Env *env, void (*step) (Env *, gpointer), gboolean (*check) (Env *, gpointer),
               gpointer data)
{
  Job job = { .step = step, .check = check, .env = env, .data = data };
  g_mutex_init (&job.lock);
  g_cond_init (&job.cond);
  relay_worker_invoke (env->worker, run_job, &job, NULL);
  g_mutex_lock (&job.lock);
  while (!job.done)
    g_cond_wait (&job.cond, &job.lock);
  g_mutex_unlock (&job.lock);
  g_mutex_clear (&job.lock);
  g_cond_clear (&job.cond);
  return job.result;
}

static inline void
on_worker (Env *env, void (*step) (Env *, gpointer), gpointer data)
{
  run_on_worker (env, step, NULL, data);
}

static inline gboolean
check_on_worker (Env *env, gboolean (*check) (Env *, gpointer), gpointer data)
{
  return run_on_worker (env, NULL, check, data);
}

/* Until check holds (looked at on the worker), or fails the test. */
static inline void
wait_until (Env *env, gboolean (*check) (Env *, gpointer), gpointer data, const char *what)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;
  while (!check_on_worker (env, check, data))
    {
      if (g_get_monotonic_time () > end)
        g_error ("never: %s", what);
      g_usleep (5 * 1000);
    }
}

/* ---- steps ---- */

static inline void
start (Env *env, gpointer data)
{
  static const RelayPeerDataChannelsLink link = {
    .send = link_send,
    .remote_address = link_remote_address,
  };
  static const RelaySctpCallbacks browser_callbacks = {
    .output = browser_output,
    .message = browser_message,
    .incoming_reset = browser_incoming_reset,
    .state_changed = browser_state,
  };
  g_autoptr (GError) error = NULL;
  env->channel = relay_peer_data_channels_new_on_link (env->worker, &link, env,
                                                      RELAY_SCTP_DEFAULT_PORT, env->handler,
                                                      env->handler_data, "TH-50", &error);
  g_assert_no_error (error);
  env->browser = relay_sctp_association_new (relay_worker_get_context (env->worker),
                                             RELAY_SCTP_DEFAULT_PORT, RELAY_SCTP_DEFAULT_PORT,
                                             &browser_callbacks, env, &error);
  g_assert_no_error (error);
  /* As when DTLS comes up on both sides: both INITs cross. */
  relay_peer_data_channels_transport_connected (env->channel);
  relay_sctp_association_connect (env->browser);
  env->wire_up = TRUE;
  Held *h;
  while ((h = g_queue_pop_head (&env->held)))
    {
      gsize len;
      const guint8 *d = g_bytes_get_data (h->packet, &len);
      if (h->to_browser)
        relay_sctp_association_receive (env->browser, d, len);
      else
        relay_peer_data_channels_receive (env->channel, d, len);
      g_bytes_unref (h->packet);
      g_free (h);
    }
}

static inline void
stop (Env *env, gpointer data)
{
  /* The channel's ABORT reaches the browser side; nothing goes back. */
  RelayPeerDataChannels *channel = g_steal_pointer (&env->channel);
  relay_peer_data_channels_free (channel);
  g_clear_pointer (&env->browser, relay_sctp_association_free);
}

static inline gboolean
connected (Env *env, gpointer data)
{
  return env->browser_state == RELAY_SCTP_CONNECTED;
}

typedef struct {
  guint16 sid;
  const char *label;
  const char *protocol; /* NULL: none */
} Open;

static inline void
send_open (Env *env, gpointer data)
{
  const Open *o = data;
  RelayDcepOpen open = { .channel_type = RELAY_DCEP_RELIABLE, .priority = 256,
                         .label = (char *) o->label,
                         .protocol = (char *) (o->protocol ? o->protocol : "") };
  g_autoptr (GBytes) b = relay_dcep_build_open (&open);
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  g_assert_true (relay_sctp_association_send (env->browser, o->sid, RELAY_PPID_DCEP, FALSE, d, len));
}

typedef struct {
  guint16 sid;
  const char *text;
  guint32 ppid; /* 0: text (RELAY_PPID_STRING) */
} Text;

static inline void
send_text (Env *env, gpointer data)
{
  const Text *t = data;
  g_assert_true (relay_sctp_association_send (env->browser, t->sid,
                                              t->ppid ? t->ppid : RELAY_PPID_STRING, FALSE,
                                              (const guint8 *) t->text, strlen (t->text)));
}

static inline gboolean
reset_of (Env *env, gpointer data)
{
  guint16 sid = GPOINTER_TO_UINT (data);
  for (guint i = 0; i < env->incoming_resets->len; i++)
    if (g_array_index (env->incoming_resets, guint16, i) == sid)
      return TRUE;
  return FALSE;
}

/* Messages received on sid with that PPID (the browser side's view). */
typedef struct {
  guint16 sid;
  guint32 ppid;
  guint count;
  char *last;
} Tally;

static inline void
tally (Env *env, gpointer data)
{
  Tally *t = data;
  t->count = 0;
  g_clear_pointer (&t->last, g_free);
  for (guint i = 0; i < env->received->len; i++)
    {
      Received *r = &g_array_index (env->received, Received, i);
      if (r->sid == t->sid && r->ppid == t->ppid)
        {
          t->count++;
          g_free (t->last);
          t->last = g_strdup (r->text);
        }
    }
}

static inline guint
count_on (Env *env, guint16 sid, guint32 ppid, char **last)
{
  Tally t = { sid, ppid, 0, NULL };
  on_worker (env, tally, &t);
  if (last)
    *last = t.last;
  else
    g_free (t.last);
  return t.count;
}

typedef struct {
  guint16 sid;
  guint32 ppid;
  guint n;
} Want;

static inline gboolean
has_messages (Env *env, gpointer data)
{
  Want *w = data;
  guint n = 0;
  for (guint i = 0; i < env->received->len; i++)
    {
      Received *r = &g_array_index (env->received, Received, i);
      n += r->sid == w->sid && r->ppid == w->ppid;
    }
  return n >= w->n;
}

/* A pool of one worker; handler (may be NULL) is what the relay's side
 * gets once `start` runs there. */
static inline void
env_init (Env *env, const RelayPeerChannelHandler *handler, gpointer handler_data)
{
  *env = (Env) { .handler = handler, .handler_data = handler_data };
  env->pool = relay_worker_pool_new (1);
  env->worker = relay_worker_pool_acquire (env->pool);
  env->received = g_array_new (FALSE, TRUE, sizeof (Received));
  g_array_set_clear_func (env->received, received_clear);
  env->incoming_resets = g_array_new (FALSE, FALSE, sizeof (guint16));
}

/* After `stop` ran on the worker. */
static inline void
env_clear (Env *env)
{
  relay_worker_release (env->worker);
  relay_worker_pool_free (env->pool);
  g_array_unref (env->received);
  g_array_unref (env->incoming_resets);
}
