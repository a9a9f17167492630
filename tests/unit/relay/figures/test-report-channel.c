/* The province's report channel as the relay runs it (the figures handler,
 * relay/figures/figures-channel.c, on the data channel plumbing,
 * webrtc/peer/peer-data-channels.c, on a worker of the relay's pool),
 * reached over a real SCTP
 * association: the test plays the browser with an association of its own
 * wired back to back with the channel's (as DTLS would carry it) and speaks
 * DCEP on it. Only a channel labelled exactly "report" is accepted (DCEP
 * ACK, messages answered); any other is refused: its stream is reset, no
 * ACK, its messages go nowhere. The decision is the channel's own, not the
 * test's. */
#include <string.h>
#include <glib.h>

#include "webrtc/worker/worker-pool.h"
#include "relay/figures/figures-channel.h"
#include "webrtc/peer/peer-data-channels.h"
#include "webrtc/sctp/data-channel.h"
#include "webrtc/sctp/dcep.h"
#include "webrtc/sctp/sctp-association.h"

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

static void
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

static void
link_remote_address (char *address, gsize size, gpointer link_data)
{
  g_strlcpy (address, REMOTE, size);
}

static void
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

static void
browser_message (guint16 sid, guint32 ppid, const guint8 *data, gsize len, gpointer user_data)
{
  Env *env = user_data;
  Received r = { sid, ppid, g_strndup ((const char *) data, len) };
  g_array_append_val (env->received, r);
}

static void
browser_incoming_reset (guint16 sid, gpointer user_data)
{
  Env *env = user_data;
  g_array_append_val (env->incoming_resets, sid);
}

static void
browser_state (RelaySctpState state, gpointer user_data)
{
  Env *env = user_data;
  env->browser_state = state;
}

static void
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

static gboolean
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

static gboolean
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

static void
on_worker (Env *env, void (*step) (Env *, gpointer), gpointer data)
{
  run_on_worker (env, step, NULL, data);
}

static gboolean
check_on_worker (Env *env, gboolean (*check) (Env *, gpointer), gpointer data)
{
  return run_on_worker (env, NULL, check, data);
}

/* Until check holds (looked at on the worker), or fails the test. */
static void
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

static void
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
                                                      RELAY_SCTP_DEFAULT_PORT,
                                                      &relay_figures_channel_handler, NULL, "TH-50",
                                                      &error);
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

static void
stop (Env *env, gpointer data)
{
  /* The channel's ABORT reaches the browser side; nothing goes back. */
  RelayPeerDataChannels *channel = g_steal_pointer (&env->channel);
  relay_peer_data_channels_free (channel);
  g_clear_pointer (&env->browser, relay_sctp_association_free);
}

static gboolean
connected (Env *env, gpointer data)
{
  return env->browser_state == RELAY_SCTP_CONNECTED;
}

typedef struct {
  guint16 sid;
  const char *label;
} Open;

static void
send_open (Env *env, gpointer data)
{
  const Open *o = data;
  RelayDcepOpen open = { .channel_type = RELAY_DCEP_RELIABLE, .priority = 256,
                         .label = (char *) o->label, .protocol = "" };
  g_autoptr (GBytes) b = relay_dcep_build_open (&open);
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  g_assert_true (relay_sctp_association_send (env->browser, o->sid, RELAY_PPID_DCEP, FALSE, d, len));
}

typedef struct {
  guint16 sid;
  const char *text;
} Text;

static void
send_text (Env *env, gpointer data)
{
  const Text *t = data;
  g_assert_true (relay_sctp_association_send (env->browser, t->sid, RELAY_PPID_STRING, FALSE,
                                              (const guint8 *) t->text, strlen (t->text)));
}

static gboolean
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

static void
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

static guint
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

static gboolean
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

static void
get_stats (Env *env, gpointer data)
{
  relay_figures_channel_get_stats (relay_peer_data_channels_get_handler_state (env->channel), data);
}

static void
test_label_rule (void)
{
  Env env = { 0 };
  env.pool = relay_worker_pool_new (1);
  env.worker = relay_worker_pool_acquire (env.pool);
  env.received = g_array_new (FALSE, TRUE, sizeof (Received));
  g_array_set_clear_func (env.received, received_clear);
  env.incoming_resets = g_array_new (FALSE, FALSE, sizeof (guint16));
  on_worker (&env, start, NULL);
  wait_until (&env, connected, NULL, "the association is up");

  /* "report": accepted, DCEP ACK on its stream. The browser is the DTLS
   * client: its channels have even stream ids (RFC 8832 section 6). */
  Open report = { 0, RELAY_REPORT_CHANNEL_LABEL };
  on_worker (&env, send_open, &report);
  Want ack = { 0, RELAY_PPID_DCEP, 1 };
  wait_until (&env, has_messages, &ack, "the ACK of \"report\"");
  g_autofree char *ack_bytes = NULL;
  g_assert_cmpuint (count_on (&env, 0, RELAY_PPID_DCEP, &ack_bytes), ==, 1);
  g_assert_true (relay_dcep_is_ack ((const guint8 *) ack_bytes, strlen (ack_bytes)));

  /* Any other label, however close: refused, its stream reset, no ACK. */
  const char *others[] = { "chat", "Report", "report ", "reports", "" };
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      Open other = { (guint16) (2 + 2 * i), others[i] };
      on_worker (&env, send_open, &other);
      wait_until (&env, reset_of, GUINT_TO_POINTER (other.sid), "the refused stream's reset");
      g_assert_cmpuint (count_on (&env, other.sid, RELAY_PPID_DCEP, NULL), ==, 0);
    }

  /* "report" on an odd stream id, the relay's own to open: refused. */
  Open odd = { 13, RELAY_REPORT_CHANNEL_LABEL };
  on_worker (&env, send_open, &odd);
  wait_until (&env, reset_of, GUINT_TO_POINTER (odd.sid), "the odd stream's reset");
  g_assert_cmpuint (count_on (&env, odd.sid, RELAY_PPID_DCEP, NULL), ==, 0);

  /* A message racing the refusal goes nowhere; one on "report" is
   * answered by the channel (no report service here: "not available"). */
  Text stray = { 2, "{\"type\":\"figures\"}" };
  on_worker (&env, send_text, &stray);
  Text figures = { 0, "{\"type\":\"figures\"}" };
  on_worker (&env, send_text, &figures);
  Want reply = { 0, RELAY_PPID_STRING, 1 };
  wait_until (&env, has_messages, &reply, "the reply on \"report\"");
  g_autofree char *text = NULL;
  g_assert_cmpuint (count_on (&env, 0, RELAY_PPID_STRING, &text), ==, 1);
  g_assert_nonnull (strstr (text, "\"ok\":false"));
  g_assert_nonnull (strstr (text, "not available"));
  g_assert_cmpuint (count_on (&env, 2, RELAY_PPID_STRING, NULL), ==, 0);

  RelayFiguresChannelStats st;
  on_worker (&env, get_stats, &st);
  g_assert_cmpuint (st.channels_open, ==, 1);
  g_assert_cmpuint (st.refused_locally, ==, 1);
  g_assert_cmpuint (st.submitted, ==, 0);

  on_worker (&env, stop, NULL);
  relay_worker_release (env.worker);
  relay_worker_pool_free (env.pool);
  g_array_unref (env.received);
  g_array_unref (env.incoming_resets);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/report-channel/label-rule", test_label_rule);
  return g_test_run ();
}
