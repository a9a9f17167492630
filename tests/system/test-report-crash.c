/* An acknowledged submission survives kill -9: clients submit as fast as
 * they can, the relay is SIGKILLed mid-stream (right after the KILL_AFTER_ACKS-th
 * acknowledgement, however long they took) and restarted on the same data
 * dir. Every acknowledged id must be stored exactly once, and its retry
 * after the restart must get the original version back. */
#include <gio/gio.h>
#include <glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "tests/unit/relay/figures/report-test-util.h"

#define N_CLIENTS 4
static const char *const codes[N_CLIENTS] = { "TH-50", "TH-11", "TH-12", "TH-13" };

typedef struct {
  char *id;
  gint64 version;
} Ack;

typedef struct {
  const char *code;
  const char *base_url;
  const char *date;
  GArray *acks; /* Ack */
  guint sent;
} Client;

/* The client that gets the KILL_AFTER_ACKS-th acknowledgement (of all
 * clients together) kills the relay at once: "the instant after the ack",
 * with the other clients' submissions in flight. Counted, not timed: a slow
 * machine takes longer to get there, not fewer acks. */
#define KILL_AFTER_ACKS 200
/* Only a relay that stops acknowledging gets here (the test then fails):
 * this long with no new acknowledgement at all. Progress is what is
 * watched, not a rate: a slow machine acknowledges slower, never not. */
#define STALL_TIMEOUT_S 120

static gint stop;
static gint acks_total;
static GSubprocess *victim;
static gint killed;
static gint killed_by_ack;

static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn (const char *dir, char **base_url)
{
  g_autofree char *ini = g_build_filename (dir, "relay.ini", NULL);
  g_autofree char *log = g_build_filename (dir, "relay.log", NULL);
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  g_autoptr (GError) error = NULL;
  GSubprocess *p = g_subprocess_launcher_spawn (launcher, &error, RELAY_BINARY, "--config", ini, NULL);
  g_assert_no_error (error);
  g_autoptr (GDataInputStream) lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p));
  *base_url = NULL;
  for (int i = 0; i < 10 && !*base_url; i++)
    {
      g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, NULL);
      g_assert_nonnull (line);
      char *at = strstr (line, "listening on ");
      if (at)
        {
          *base_url = g_strdup (at + strlen ("listening on "));
          (*base_url)[strlen (*base_url) - 1] = '\0'; /* the trailing / */
        }
    }
  g_assert_nonnull (*base_url);
  return p;
}

static char *
token_of (const char *code)
{
  return g_strdup_printf ("crash-test-token-%s", code);
}

/* -1 when the reply is not a whole ack (the kill cut it short). */
static gint64
version_of (const char *reply)
{
  g_autoptr (JsonNode) root = json_from_string (reply, NULL);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    return -1;
  return json_object_get_int_member_with_default (json_node_get_object (root), "version", -1);
}

static gpointer
client_main (gpointer data)
{
  Client *c = data;
  g_autoptr (SoupSession) http = soup_session_new_with_options ("timeout", 20, NULL);
  g_autofree char *token = token_of (c->code);
  while (!g_atomic_int_get (&stop))
    {
      g_autofree char *id = g_strdup_printf ("%s-%u", c->code, c->sent);
      /* A new value each time: every submission is a new version. */
      g_autofree char *msg = report_message (id, c->date, (int) c->sent, NULL);
      g_autofree char *reply = NULL;
      c->sent++;
      guint status = report_post (http, c->base_url, token, "application/json", msg, strlen (msg),
                                  &reply);
      gint64 version = status == 201 ? version_of (reply) : -1;
      if (version > 0)
        {
          Ack ack = { g_steal_pointer (&id), version };
          g_array_append_val (c->acks, ack);
          if (g_atomic_int_add (&acks_total, 1) + 1 >= KILL_AFTER_ACKS
              && g_atomic_int_compare_and_exchange (&killed, 0, 1))
            {
              g_atomic_int_set (&killed_by_ack, 1);
              g_subprocess_send_signal (victim, SIGKILL);
            }
        }
      else if (status < 100 || g_atomic_int_get (&killed))
        break; /* the relay is gone */
      else
        g_error ("%s: unexpected %u: %s", c->code, status, reply);
    }
  return NULL;
}

static void
test_kill_during_submissions (void)
{
  g_autofree char *dir = g_dir_make_tmp ("report-crash-XXXXXX", NULL);
  g_autofree char *data_dir = g_build_filename (dir, "var", NULL);
  g_autoptr (GString) ini = g_string_new (NULL);
  g_string_append_printf (ini, "[relay]\nhttp-address=127.0.0.1\nhttp-port=0\ndata-dir=%s\n",
                          data_dir);
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      g_autofree char *token = token_of (codes[i]);
      g_string_append_printf (ini, "[province %s]\ntoken=%s\n", codes[i], token);
    }
  g_autofree char *ini_path = g_build_filename (dir, "relay.ini", NULL);
  g_assert_true (g_file_set_contents (ini_path, ini->str, -1, NULL));

  g_autofree char *url = NULL;
  GSubprocess *relay = spawn (dir, &url);
  g_autofree char *date = report_today ();
  victim = relay;
  Client clients[N_CLIENTS];
  GThread *threads[N_CLIENTS];
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      clients[i] = (Client) { codes[i], url, date, g_array_new (FALSE, FALSE, sizeof (Ack)), 0 };
      threads[i] = g_thread_new ("client", client_main, &clients[i]);
    }
  /* Should the relay stop acknowledging, the kill still comes (and the
   * test fails below). */
  gint last_acks = -1;
  gint64 last_progress_us = g_get_monotonic_time ();
  while (!g_atomic_int_get (&killed)
         && g_get_monotonic_time () - last_progress_us < STALL_TIMEOUT_S * G_USEC_PER_SEC)
    {
      g_usleep (100 * 1000);
      gint now_acks = g_atomic_int_get (&acks_total);
      if (now_acks != last_acks)
        {
          last_acks = now_acks;
          last_progress_us = g_get_monotonic_time ();
        }
    }
  if (g_atomic_int_compare_and_exchange (&killed, 0, 1))
    g_subprocess_send_signal (relay, SIGKILL);
  g_assert_true (g_subprocess_wait (relay, NULL, NULL));
  g_assert_false (g_subprocess_get_if_exited (relay));
  g_object_unref (relay);
  g_atomic_int_set (&stop, 1);
  for (guint i = 0; i < N_CLIENTS; i++)
    g_thread_join (threads[i]);

  /* On disk after the kill: each acknowledged id once, with its version. */
  guint acked = 0;
  for (guint i = 0; i < N_CLIENTS; i++)
    for (guint k = 0; k < clients[i].acks->len; k++)
      {
        Ack *a = &g_array_index (clients[i].acks, Ack, k);
        g_autofree char *where = g_strdup_printf (
            "province = '%s' AND client_id = '%s' AND version = %" G_GINT64_FORMAT, codes[i], a->id,
            a->version);
        g_assert_cmpint (report_count (data_dir, "reports", where), ==, 1);
        acked++;
      }
  g_test_message ("%u acknowledged before the kill", acked);
  /* The relay kept acknowledging until the kill: it came from the
   * KILL_AFTER_ACKS-th ack, not from the stall timeout. */
  if (!g_atomic_int_get (&killed_by_ack))
    g_error ("the relay stopped acknowledging after %u submissions (none for %d s)", acked,
             STALL_TIMEOUT_S);
  gint64 rows = report_count (data_dir, "reports", "1");
  g_assert_cmpint (rows, >=, acked);

  /* Restarted: retries of acknowledged ids (the client never knows which
   * acks were lost in flight) answer 200 with the original version and add
   * nothing; the submission in flight at the kill either is stored or not. */
  g_autofree char *url2 = NULL;
  relay = spawn (dir, &url2);
  g_autoptr (SoupSession) http = soup_session_new_with_options ("timeout", 10, NULL);
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      g_autofree char *token = token_of (codes[i]);
      for (guint k = 0; k < clients[i].acks->len; k += 7)
        {
          Ack *a = &g_array_index (clients[i].acks, Ack, k);
          int seekers = atoi (strrchr (a->id, '-') + 1);
          g_autofree char *msg = report_message (a->id, date, seekers, NULL);
          g_autofree char *reply = NULL;
          guint status = report_post (http, url2, token, "application/json", msg, strlen (msg), &reply);
          g_assert_cmpuint (status, ==, 200);
          g_assert_cmpint (version_of (reply), ==, a->version);
        }
    }
  g_assert_cmpint (report_count (data_dir, "reports", "1"), ==, rows);
  g_subprocess_send_signal (relay, SIGTERM);
  g_assert_true (g_subprocess_wait (relay, NULL, NULL));
  g_assert_true (g_subprocess_get_if_exited (relay));
  g_assert_cmpint (g_subprocess_get_exit_status (relay), ==, 0);
  g_object_unref (relay);

  for (guint i = 0; i < N_CLIENTS; i++)
    {
      for (guint k = 0; k < clients[i].acks->len; k++)
        g_free (g_array_index (clients[i].acks, Ack, k).id);
      g_array_unref (clients[i].acks);
    }
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (rm), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/report-crash/kill-during-submissions", test_kill_during_submissions);
  return g_test_run ();
}
