/* Test helper: runs the real briefing-relay binary on a temporary config and
 * gives its base URL. Used by tests that speak HTTP to it. */
#pragma once

#include <gio/gio.h>
#include <glib.h>
#include <signal.h>
#include <sys/prctl.h>

typedef struct {
  GSubprocess *process;
  char *dir;
  char *base_url;
  GDataInputStream *stdout_lines;
} RelayProcess;

static inline void
relay_process_child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static inline RelayProcess *
relay_process_start (const char *extra_config)
{
  RelayProcess *rp = g_new0 (RelayProcess, 1);
  rp->dir = g_dir_make_tmp ("relay-test-XXXXXX", NULL);
  g_autofree char *ini = g_build_filename (rp->dir, "relay.ini", NULL);
  g_autofree char *data_dir = g_build_filename (rp->dir, "var", NULL);
  g_autofree char *text = g_strdup_printf (
      "[relay]\nhttp-address=127.0.0.1\nhttp-port=0\ndata-dir=%s\n"
      "[province TH-50]\ntoken=token-of-chiang-mai\n"
      "[province TH-11]\ntoken=token-of-samut-prakan\n%s",
      data_dir, extra_config ? extra_config : "");
  g_assert_true (g_file_set_contents (ini, text, -1, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* A test that fails an assertion aborts without stopping the relay; the
   * relay must not outlive it and hold the test runner's pipes open. */
  g_subprocess_launcher_set_child_setup (launcher, relay_process_child_setup, NULL, NULL);
  rp->process = g_subprocess_launcher_spawn (launcher, &error, RELAY_BINARY, "--config", ini, NULL);
  g_assert_no_error (error);
  rp->stdout_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (rp->process));
  for (int i = 0; i < 10 && !rp->base_url; i++)
    {
      g_autofree char *line = g_data_input_stream_read_line (rp->stdout_lines, NULL, NULL, NULL);
      g_assert_nonnull (line);
      const char *marker = "listening on ";
      char *at = strstr (line, marker);
      if (at)
        {
          rp->base_url = g_strdup (at + strlen (marker));
          if (g_str_has_suffix (rp->base_url, "/"))
            rp->base_url[strlen (rp->base_url) - 1] = '\0';
        }
    }
  g_assert_nonnull (rp->base_url);
  return rp;
}

/* Stops the relay and asserts a clean exit (a crash fails the test). */
static inline void
relay_process_stop (RelayProcess *rp)
{
  g_subprocess_send_signal (rp->process, SIGTERM);
  g_autoptr (GError) error = NULL;
  g_assert_true (g_subprocess_wait (rp->process, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (rp->process));
  g_assert_cmpint (g_subprocess_get_exit_status (rp->process), ==, 0);
  g_object_unref (rp->stdout_lines);
  g_object_unref (rp->process);
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", rp->dir);
  g_assert_cmpint (system (rm), ==, 0);
  g_free (rp->dir);
  g_free (rp->base_url);
  g_free (rp);
}
