/* briefing-relay: the WHIP ingest relay of the Ministry of Labour's daily
 * provincial briefing. */
#include <glib-unix.h>
#include <gst/gst.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>

#include "relay/app.h"
#include "relay/input-capture.h"
#include "relay/clips/clip-recorder.h"
#include "relay/log.h"
#include "relay/output-router.h"
#include "relay/briefing/briefing-service.h"
#include "relay/recording/briefing-recorder.h"
#include "signaling/briefings-api.h"
#include "signaling/media-link.h"
#include "signaling/clips-api.h"
#include "signaling/control-api.h"
#include "signaling/events-endpoint.h"
#include "signaling/reports-api.h"
#include "signaling/static-pages.h"
#include "signaling/status-api.h"
#include "signaling/webhooks-api.h"
#include "signaling/whep-endpoint.h"
#include "signaling/whip-endpoint.h"

#define EXIT_CONFIG 2

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static RelayDtlsCertificate *
load_certificate (RelayConfig *config, GError **error)
{
  if (config->dtls_certificate)
    return relay_dtls_certificate_load (config->dtls_certificate, config->dtls_private_key, error);
  return relay_dtls_certificate_generate (error);
}

static RelayWhepEndpoint *whep_endpoint;

static SoupServer *
start_http (RelayApp *app, GError **error)
{
  SoupServer *server = soup_server_new ("server-header", "briefing-relay", NULL);
  relay_input_capture_watch_server (server); /* test-only: BRIEFING_CAPTURE_DIR */
  if (app->config->tls_certificate)
    {
      g_autoptr (GTlsCertificate) cert = g_tls_certificate_new_from_files (
          app->config->tls_certificate, app->config->tls_private_key, error);
      if (!cert)
        {
          g_prefix_error (error, "%s: [relay] tls-certificate: ", app->config->source);
          g_object_unref (server);
          return NULL;
        }
      soup_server_set_tls_certificate (server, cert);
    }
  relay_whip_endpoint_register (server, app);
  whep_endpoint = relay_whep_endpoint_new (server, app);
  relay_status_api_register (server, app);
  relay_events_endpoint_register (server, app->config, app->events);
  relay_control_api_register (server, app, app->conference);
  relay_reports_api_register (server, app, app->reports);
  relay_clips_api_register (server, app, app->clips);
  relay_briefings_api_register (server, app);
  relay_webhooks_api_register (server, app);
  relay_static_pages_register (server);

  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (app->config->http_address);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (inet, app->config->http_port);
  /* Our own socket for a deeper accept queue than GLib's default of 10:
   * at 07:30 all 76 offices press Publish within a few seconds. */
  g_autoptr (GSocket) sock = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                                           G_SOCKET_PROTOCOL_TCP, error);
  if (sock)
    {
      g_socket_set_listen_backlog (sock, 256);
      if (!g_socket_bind (sock, addr, TRUE, error) || !g_socket_listen (sock, error)
          || !soup_server_listen_socket (server, sock,
                                         app->config->tls_certificate ? SOUP_SERVER_LISTEN_HTTPS : 0,
                                         error))
        g_clear_object (&sock);
    }
  if (!sock)
    {
      g_prefix_error (error, "cannot listen on %s:%u: ", app->config->http_address,
                      app->config->http_port);
      g_object_unref (server);
      return NULL;
    }
  return server;
}

static void
print_urls (SoupServer *server, RelayConfig *config, const char *token_file)
{
  GSList *uris = soup_server_get_uris (server);
  for (GSList *l = uris; l; l = l->next)
    {
      g_autofree char *uri = g_uri_to_string (l->data);
      /* The test harness and scripts/run read this line. */
      printf ("briefing-relay: listening on %s\n", uri);
      if (l == uris)
        {
          int port = g_uri_get_port (l->data);
          const char *scheme = config->tls_certificate ? "https" : "http";
          printf ("briefing-relay: province page %s://localhost:%d/province.html\n", scheme, port);
          printf ("briefing-relay: minister page %s://localhost:%d/watch.html\n", scheme, port);
          printf ("briefing-relay: ops room      %s://localhost:%d/ops.html\n", scheme, port);
          printf ("briefing-relay: review        %s://localhost:%d/review.html\n", scheme, port);
          printf ("briefing-relay: status        %s://localhost:%d/api/v1/provinces\n", scheme,
                  port);
        }
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  if (token_file)
    printf ("briefing-relay: development tokens in %s\n", token_file);
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  g_autofree char *config_path = NULL;
  gboolean debug = FALSE, check_config = FALSE;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      "Configuration file (default: the built-in config/relay.ini)", "FILE" },
    { "check-config", 0, 0, G_OPTION_ARG_NONE, &check_config,
      "Check the configuration and exit", NULL },
    { "debug", 'd', 0, G_OPTION_ARG_NONE, &debug, "Log debug messages", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- WHIP relay for the provincial briefing");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx,
      "Takes in the camera and microphone of the provincial labour offices over\n"
      "WHIP and reports their state at /api/v1/provinces. See README.md.\n");
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "briefing-relay: %s\n", error->message);
      return EXIT_CONFIG;
    }
  relay_log_init (debug);

  relay_input_capture_file ("config", config_path); /* test-only: BRIEFING_CAPTURE_DIR */
  g_autoptr (RelayConfig) config = relay_config_load (config_path, &error);
  if (!config)
    {
      fprintf (stderr, "briefing-relay: %s\n", error->message);
      return EXIT_CONFIG;
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
  g_autoptr (RelayDtlsCertificate) certificate = load_certificate (config, &error);
  if (!certificate)
    {
      fprintf (stderr, "briefing-relay: DTLS certificate: %s\n", error->message);
      return EXIT_CONFIG;
    }

  RelayApp app = {
    .config = config,
    .certificate = certificate,
    .main_context = g_main_context_default (),
    .started_us = g_get_monotonic_time (),
  };
  app.workers = relay_worker_pool_new (config->transport_threads);
  app.events = relay_event_bus_new (app.main_context);
  app.registry = relay_province_registry_new (config, app.events);
  app.conference = relay_conference_new (config, app.events);
  app.reports = relay_report_service_new (config, app.events, &error);
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

  SoupServer *server = start_http (&app, &error);
  if (!server)
    {
      fprintf (stderr, "briefing-relay: %s\n", error->message);
      relay_briefing_service_free (app.briefings);
      relay_briefing_recorder_free (app.recorder);
      relay_media_links_free (app.media_links);
      relay_clip_recorder_free (app.clips);
      relay_province_registry_free (app.registry);
      relay_worker_pool_free (app.workers);
      relay_report_service_free (app.reports);
      relay_output_router_free (app.outputs);
      relay_conference_free (app.conference);
      relay_event_bus_free (app.events);
      return EXIT_CONFIG;
    }
  relay_info (NULL, "%u provinces on the roster, %u transport threads, DTLS fingerprint %s",
              config->provinces->len, config->transport_threads,
              relay_dtls_certificate_get_fingerprint (certificate));
  GMainLoop *loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  /* Only now say "listening": whoever waits for it may send SIGTERM at
   * once, and before the handlers it would kill the relay unclean. */
  print_urls (server, config, token_file);
  g_main_loop_run (loop);

  relay_info (NULL, "stopping");
  soup_server_disconnect (server);
  g_clear_pointer (&whep_endpoint, relay_whep_endpoint_free);
  g_object_unref (server);
  /* A live briefing stays live in the store: the next start records the
   * interruption. Then its files are closed, before the router and the
   * registry they are subscribed to go. */
  relay_briefing_service_free (app.briefings);
  relay_briefing_recorder_free (app.recorder);
  relay_media_links_free (app.media_links);
  /* Before the registry: its turns unsubscribe from their provinces. The
   * last clips are stored and their events published. */
  relay_clip_recorder_free (app.clips);
  /* Sessions close on their workers; the pool drains before joining. */
  relay_province_registry_free (app.registry);
  relay_worker_pool_free (app.workers);
  /* After the sessions: their decoders feed it. */
  relay_output_router_free (app.outputs);
  /* Deliveries still queued on the main context refer to the bus. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  /* Before the bus: the writer publishes accepted figures on it. */
  relay_report_service_free (app.reports);
  relay_conference_free (app.conference);
  relay_event_bus_free (app.events);
  g_main_loop_unref (loop);
  return 0;
}
