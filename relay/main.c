/* briefing-relay: the WHIP ingest relay of the Ministry of Labour's daily
 * provincial briefing. */
#include <glib-unix.h>
#include <gst/gst.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>

#include "relay/app.h"
#include "relay/data-dir-lock.h"
#include "relay/config/dev-tokens.h"
#include "relay/listen-socket.h"
#include "relay/start-banner.h"
#include "relay/store-backup.h"
#include "webrtc/base/input-capture.h"
#include "http/request-capture.h"
#include "relay/clips/clip-recorder.h"
#include "webrtc/base/log.h"
#include "relay/router/output-router.h"
#include "relay/briefing/briefing-service.h"
#include "relay/recording/briefing-recorder.h"
#include "http/body-limits.h"
#include "http/briefings-api.h"
#include "http/http-answer-counts.h"
#include "http/http-listener.h"
#include "http/metrics-endpoint.h"
#include "http/media-link.h"
#include "http/office-api.h"
#include "http/clips-api.h"
#include "http/control-api.h"
#include "http/events-endpoint.h"
#include "http/reports-api.h"
#include "http/session-api.h"
#include "http/session-cookie.h"
#include "http/request-guard.h"
#include "http/static-pages.h"
#include "http/status-api.h"
#include "http/webhooks-api.h"
#include "http/admission.h"
#include "http/whep-endpoint.h"
#include "http/whip-endpoint.h"

/* The configuration, the command line or the start-up was refused (the
 * port in use among them): nothing was changed. */
#define EXIT_CONFIG 2

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static RelayDtlsIdentity *
load_dtls_identity (RelayConfig *config, GError **error)
{
  RelayDtlsIdentitySettings settings = {
    .certificate_path = config->dtls_certificate,
    .private_key_path = config->dtls_private_key,
    .lifetime_s = config->dtls_certificate_lifetime_s,
    .renew_before_s = config->dtls_renew_before_s,
  };
  return relay_dtls_identity_new (&settings, error);
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

static RelayWhepEndpoint *whep_endpoint;
static RelayHttpListener *http_listener;
static RelaySessionCookie *session_cookie;

static SoupServer *
start_http (RelayApp *app, GSocket *http_socket, GError **error)
{
  g_autoptr (GTlsCertificate) cert = NULL;
  if (app->config->tls_certificate)
    {
      cert = g_tls_certificate_new_from_files (app->config->tls_certificate,
                                               app->config->tls_private_key, error);
      if (!cert)
        {
          g_prefix_error (error, "%s: [relay] tls-certificate: ", app->config->source);
          return NULL;
        }
    }
  SoupServer *server = soup_server_new ("server-header", "briefing-relay", NULL);
  relay_input_capture_watch_server (server); /* test-only: BRIEFING_CAPTURE_DIR */
  /* Before any handler: what a request body may cost is decided for every
   * path alike, before any token is looked at. */
  relay_body_limits_install (server);
  relay_request_guard_install (server);
  /* Before the admission control, which counts a signed-in page's requests
   * as its viewer's. */
  session_cookie = relay_session_cookie_install (server, app->config, app->signin);
  /* Before the endpoints: its request-started hook must see every
   * request (after the body limits' and the guard's, which refuses tokens in URLs). */
  app->admission = relay_admission_new (server, app->config);
  relay_whip_endpoint_register (server, app);
  whep_endpoint = relay_whep_endpoint_new (server, app);
  relay_status_api_register (server, app);
  relay_events_endpoint_register (server, app->config, app->admission, app->events, app->signin);
  relay_session_api_register (server, app);
  relay_control_api_register (server, app, app->conference);
  relay_reports_api_register (server, app, app->reports);
  relay_clips_api_register (server, app, app->clips);
  relay_briefings_api_register (server, app);
  relay_office_api_register (server, app);
  relay_webhooks_api_register (server, app);
  relay_metrics_endpoint_register (server, app, whep_endpoint);
  relay_static_pages_register (server);
  relay_http_answer_counts_install (server); /* for GET /metrics */

  /* Our own listener: the connection limits, and around libsoup 3.2's
   * listener's leaks (http/http-listener.h). It accepts on the socket
   * main() opened before anything else (relay/listen-socket.h). */
  http_listener = relay_http_listener_new (server, app->config, http_socket, cert, error);
  if (!http_listener)
    {
      g_prefix_error (error, "cannot listen on %s:%u: ", app->config->http_address,
                      app->config->http_port);
      g_clear_pointer (&session_cookie, relay_session_cookie_free);
      g_object_unref (server);
      return NULL;
    }
  return server;
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
  g_autoptr (RelayDtlsIdentity) dtls = load_dtls_identity (config, &error);
  if (!dtls)
    {
      fprintf (stderr, "briefing-relay: DTLS certificate: %s\n", error->message);
      return EXIT_CONFIG;
    }

  RelayApp app = {
    .config = config,
    .dtls = dtls,
    .main_context = g_main_context_default (),
    .started_us = g_get_monotonic_time (),
  };
  app.workers = relay_worker_pool_new (config->transport_threads);
  app.events = relay_event_bus_new (app.main_context);
  app.registry = relay_province_registry_new (config, app.events);
  app.conference = relay_conference_new (config, app.events);
  app.reports = relay_figures_service_new (config, app.events, &error);
  if (!app.reports)
    {
      fprintf (stderr, "briefing-relay: figures database: %s\n", error->message);
      return EXIT_CONFIG;
    }
  app.outputs = relay_output_router_new (&app, &error);
  if (!app.outputs)
    {
      fprintf (stderr, "briefing-relay: media outputs: %s\n", error->message);
      return EXIT_CONFIG;
    }
  app.decoded_sink = relay_output_router_get_decoded_sink (app.outputs);
  /* After the report service: it migrates the database. */
  app.clips = relay_clip_recorder_new (config, app.registry, app.events, &error);
  if (!app.clips)
    {
      fprintf (stderr, "briefing-relay: clips: %s\n", error->message);
      return EXIT_CONFIG;
    }

  /* The recorder repairs its index before the briefing service marks a
   * briefing left live as interrupted: the end it records comes from the
   * recordings' true lengths. */
  app.recorder = relay_briefing_recorder_new (config, app.outputs, app.registry, app.events, &error);
  if (app.recorder)
    app.briefings = relay_briefing_service_new (config, app.registry, app.conference, app.events,
                                                &error);
  if (!app.briefings)
    {
      fprintf (stderr, "briefing-relay: briefings: %s\n", error->message);
      return EXIT_CONFIG;
    }
  relay_briefing_service_set_observer (app.briefings, relay_briefing_recorder_observer (),
                                       app.recorder);
  app.media_links = relay_media_links_new ();
  const RelaySigninLimits signin_limits = {
    .max_sessions = config->limits.signin_sessions,
    .max_sessions_per_viewer = config->limits.signin_sessions_per_viewer,
    .max_links = config->limits.signin_links,
    .session_lifetime_us = (gint64) config->limits.signin_session_lifetime_s * G_USEC_PER_SEC,
    .link_lifetime_us = (gint64) config->limits.signin_link_lifetime_s * G_USEC_PER_SEC,
  };
  app.signin = relay_signin_store_new (&signin_limits);

  SoupServer *server = start_http (&app, http_socket, &error);
  if (!server)
    {
      fprintf (stderr, "briefing-relay: %s\n", error->message);
      relay_briefing_service_free (app.briefings);
      relay_briefing_recorder_free (app.recorder);
      relay_media_links_free (app.media_links);
      relay_signin_store_free (app.signin);
      relay_clip_recorder_free (app.clips);
      relay_province_registry_free (app.registry);
      relay_worker_pool_free (app.workers);
      relay_figures_service_free (app.reports);
      relay_output_router_free (app.outputs);
      relay_conference_free (app.conference);
      relay_event_bus_free (app.events);
      return EXIT_CONFIG;
    }
  {
    g_autoptr (RelayDtlsCertificate) first = relay_dtls_identity_dup_current (dtls);
    relay_info (NULL, "%u provinces on the roster, %u transport threads, DTLS fingerprint %s "
                "(valid for %" G_GINT64_FORMAT " s more)",
                config->provinces->len, config->transport_threads,
                relay_dtls_certificate_get_fingerprint (first),
                relay_dtls_certificate_get_not_after (first) - g_get_real_time () / G_USEC_PER_SEC);
  }
  GMainLoop *loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  /* Only now say "listening": whoever waits for it may send SIGTERM at
   * once, and before the handlers it would kill the relay unclean. */
  {
    g_autofree char *url = relay_http_listener_dup_url (http_listener);
    relay_start_banner_print (stdout, url, config, token_file);
  }
  g_main_loop_run (loop);

  relay_info (NULL, "stopping");
  /* The order matters: transport workers deliver packets and callbacks into
   * the registry, the endpoints and the output router until each session's
   * teardown has run on its worker. Freeing any of them before the workers
   * stop left a transport thread looking provinces up in a freed registry
   * (g_hash_table_lookup criticals on every packet, and worse). */
  g_clear_pointer (&http_listener, relay_http_listener_free);
  soup_server_disconnect (server);
  /* Every session is asked to close; the closes are queued on workers. */
  relay_whep_endpoint_close_all (whep_endpoint);
  relay_province_registry_close_all (app.registry);
  /* The workers run what is queued, the teardowns included, and stop:
   * after this no transport thread calls into anything of ours. */
  relay_worker_pool_stop (app.workers);
  /* Hand-offs the workers queued for the main loop (a viewer ended, a
   * session answered) run while what they refer to still exists. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&whep_endpoint, relay_whep_endpoint_free);
  g_clear_pointer (&session_cookie, relay_session_cookie_free);
  g_object_unref (server);
  g_clear_pointer (&app.admission, relay_admission_free);
  /* After the server: the events endpoint it held watched the store. */
  g_clear_pointer (&app.signin, relay_signin_store_free);
  /* A live briefing stays live in the store: the next start records the
   * interruption. Then its files are closed, before the router and the
   * registry they are subscribed to go. */
  relay_briefing_service_free (app.briefings);
  relay_briefing_recorder_free (app.recorder);
  relay_media_links_free (app.media_links);
  /* Before the registry: its turns unsubscribe from their provinces. The
   * last clips are stored and their events published. */
  relay_clip_recorder_free (app.clips);
  /* Drops the sessions, closed and torn down above. */
  relay_province_registry_free (app.registry);
  /* After every session is released: a session's last reference gives
   * its worker back. What was queued on the workers since they stopped
   * (a session created while the relay was stopping) runs here. */
  relay_worker_pool_free (app.workers);
  /* After the sessions: their decoders fed it. */
  relay_output_router_free (app.outputs);
  /* Deliveries still queued on the main context refer to the bus. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  /* Before the bus: the writer publishes accepted figures on it. */
  relay_figures_service_free (app.reports);
  relay_conference_free (app.conference);
  relay_event_bus_free (app.events);
  g_main_loop_unref (loop);
  return 0;
}
