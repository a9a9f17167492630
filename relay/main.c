/* briefing-relay: the WHIP ingest relay of the Ministry of Labour's daily
 * provincial briefing. The process: the command line, the configuration,
 * the store commands (backup, restore), what must be the process's before
 * anything is built (the HTTP port, the data directory), the signals and
 * the main loop. The relay itself is relay/app.h. */
#include <glib-unix.h>
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>

#include "relay/app.h"
#include "relay/data-dir-lock.h"
#include "relay/config/dev-tokens.h"
#include "webrtc/base/input-capture.h"
#include "relay/listen-socket.h"
#include "relay/start-banner.h"
#include "relay/store-backup.h"
#include "webrtc/base/log.h"

/* The configuration, the command line or the start-up was refused (the
 * port in use among them): nothing was changed. */
#define EXIT_CONFIG 2

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* `backup FILE` and `restore FILE` (relay/store-backup.h): 0 when done,
 * 1 when refused or failed (nothing changed). */
static int
run_store_command (RelayConfig *config, const char *command, const char *file)
{
  g_autoptr (GString) report = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  gboolean ok = g_str_equal (command, "backup")
                    ? relay_store_backup (config->data_dir, file, report, &error)
                    : relay_store_restore (config->data_dir, file, report, &error);
  if (!ok)
    {
      fprintf (stderr, "briefing-relay %s: %s\n", command, error->message);
      return 1;
    }
  printf ("%s", report->str);
  return 0;
}

int
main (int argc, char **argv)
{
  g_autofree char *config_path = NULL, *data_dir = NULL;
  gboolean debug = FALSE, check_config = FALSE, version = FALSE;
  gint port = -1; /* not given: [relay] http-port */
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      "Configuration file (default: the built-in config/relay.ini)", "FILE" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port,
      "Listen on this HTTP port instead of [relay] http-port (0: any free one)", "N" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Keep the relay's state here instead of [relay] data-dir", "DIR" },
    { "check-config", 0, 0, G_OPTION_ARG_NONE, &check_config,
      "Check the configuration and exit", NULL },
    { "debug", 'd', 0, G_OPTION_ARG_NONE, &debug, "Log debug messages", NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- WHIP relay for the provincial briefing");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_summary (ctx,
      "  briefing-relay [OPTION...]               run the relay\n"
      "  briefing-relay [--config FILE] backup FILE   copy the store, also while it runs\n"
      "  briefing-relay [--config FILE] restore FILE  make FILE the store (relay stopped)");
  g_option_context_set_description (ctx,
      "Takes in the camera and microphone of the provincial labour offices over\n"
      "WHIP and reports their state at /api/v1/provinces. See README.md.\n"
      "\n"
      "Exit status: 0 once stopped by SIGINT (Ctrl-C) or SIGTERM; 2 when the\n"
      "command line or the configuration is refused, the HTTP port or the data\n"
      "directory is in use. backup and restore: 0 when done, 1 when refused or\n"
      "failed (docs/OPERATIONS.md, \"Backup and restore\").\n");
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "briefing-relay: %s (--help lists the options)\n", error->message);
      return EXIT_CONFIG;
    }
  if (version)
    {
      printf ("briefing-relay %s\n", RELAY_VERSION);
      return 0;
    }
  /* -1 is "not given"; other negative values are refused too. */
  if (port > 65535 || port < -1)
    {
      fprintf (stderr, "briefing-relay: --port %d: a port is 0 to 65535\n", port);
      return EXIT_CONFIG;
    }
  const char *store_command = NULL;
  if (argc > 1 && (g_str_equal (argv[1], "backup") || g_str_equal (argv[1], "restore")))
    {
      if (argc != 3)
        {
          fprintf (stderr, "briefing-relay: %s takes one FILE (--help lists the options)\n",
                   argv[1]);
          return EXIT_CONFIG;
        }
      store_command = argv[1];
    }
  relay_log_init (debug);

  relay_input_capture_file ("config", config_path); /* test-only: BRIEFING_CAPTURE_DIR */
  g_autoptr (RelayConfig) config = relay_config_load (config_path, &error);
  if (!config)
    {
      fprintf (stderr, "briefing-relay: %s\n", error->message);
      return EXIT_CONFIG;
    }
  if (store_command)
    return run_store_command (config, store_command, argv[2]);
  if (port >= 0)
    config->http_port = (guint) port;
  /* The systemd unit names its StateDirectory= here, so that the state
   * lands where systemd made it writable whatever the config says. */
  if (data_dir)
    {
      g_free (config->data_dir);
      config->data_dir = g_steal_pointer (&data_dir);
    }
  /* Allowed only with allow-insecure-http=true (relay/config/config.c); said at
   * every start so that nobody forgets it is on. */
  if (relay_config_plain_http_exposed (config))
    relay_warn (NULL, "%s: plain HTTP on %s, which other machines reach "
                "(allow-insecure-http=true): tokens cross the network in clear; "
                "set tls-certificate and tls-private-key",
                config->source, config->http_address);
  /* Before the relay touches its data directory (the development tokens,
   * the database, the recordings): a second relay started on a port in
   * use stops here having changed nothing, and says who holds the port. */
  g_autoptr (GSocket) http_socket = NULL;
  if (!check_config)
    {
      http_socket = relay_listen_socket_open (config->http_address, config->http_port, &error);
      if (!http_socket)
        {
          fprintf (stderr, "briefing-relay: %s\n", error->message);
          return EXIT_CONFIG;
        }
    }
  /* Before anything in the data directory: a second relay on the same
   * directory (on another port), or a restore in progress, refuses the
   * start here. Held until the process ends. */
  g_autoptr (RelayDataDirLock) data_dir_lock = NULL;
  if (!check_config)
    {
      data_dir_lock = relay_data_dir_lock_take (config->data_dir, &error);
      if (!data_dir_lock)
        {
          fprintf (stderr, "briefing-relay: %s\n", error->message);
          return EXIT_CONFIG;
        }
    }
  g_autofree char *token_file = NULL;
  if (config->dev_tokens)
    {
      token_file = g_build_filename (config->data_dir, "dev-tokens.ini", NULL);
      if (!relay_config_apply_dev_tokens (config, token_file, &error))
        {
          fprintf (stderr, "briefing-relay: %s\n", error->message);
          return EXIT_CONFIG;
        }
    }
  if (check_config)
    {
      printf ("briefing-relay: %s is valid (%u provinces)\n", config->source,
              config->provinces->len);
      return 0;
    }

  gst_init (NULL, NULL);
  g_autoptr (RelayApp) app = relay_app_new (config, &error);
  if (!app || !relay_app_start (app, http_socket, &error))
    {
      fprintf (stderr, "briefing-relay: %s\n", error->message);
      return EXIT_CONFIG;
    }
  GMainLoop *loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  /* Only now say "listening": whoever waits for it may send SIGTERM at
   * once, and before the handlers it would kill the relay unclean. */
  {
    g_autofree char *url = relay_app_dup_url (app);
    relay_start_banner_print (stdout, url, config, token_file);
  }
  g_main_loop_run (loop);

  relay_info (NULL, "stopping");
  /* Sessions closed and the workers stopped before any part is freed
   * (relay/app.h). */
  relay_app_stop (app);
  g_clear_pointer (&app, relay_app_free);
  g_main_loop_unref (loop);
  return 0;
}
