#include "relay/app.h"

#include <gst/gst.h>
#include <libsoup/soup.h>

#include "http/request-capture.h"
#include "relay/router/output-router.h"
#include "relay/router/viewer-registry.h"
#include "relay/clips/clip-recorder.h"
#include "relay/briefing/briefing-service.h"
#include "relay/recording/briefing-recorder.h"
#include "webrtc/base/log.h"
#include "http/admission.h"
#include "http/body-limits.h"
#include "http/briefings-api.h"
#include "http/clips-api.h"
#include "http/control-api.h"
#include "http/events-endpoint.h"
#include "http/http-answer-counts.h"
#include "http/http-listener.h"
#include "http/media-link.h"
#include "http/metrics-endpoint.h"
#include "http/office-api.h"
#include "http/reports-api.h"
#include "http/request-guard.h"
#include "http/session-api.h"
#include "http/session-cookie.h"
#include "http/static-pages.h"
#include "http/status-api.h"
#include "http/webhooks-api.h"
#include "http/whep-endpoint.h"
#include "http/whip-endpoint.h"

/* The RelayApp the handlers borrow, and the HTTP side that only the app
 * itself touches. `app` comes first: a RelayApp* is a RelayAppParts*. */
typedef struct {
  RelayApp app;
  SoupServer *server;
  RelayHttpListener *http_listener;
  RelayWhepEndpoint *whep_endpoint;
  RelaySessionCookie *session_cookie;
  gboolean stopped;
} RelayAppParts;

static RelayAppParts *
parts_of (RelayApp *app)
{
  return (RelayAppParts *) app;
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

static RelaySigninStore *
signin_store_new (RelayConfig *config)
{
  const RelaySigninLimits limits = {
    .max_sessions = config->limits.signin_sessions,
    .max_sessions_per_viewer = config->limits.signin_sessions_per_viewer,
    .max_links = config->limits.signin_links,
    .session_lifetime_us = (gint64) config->limits.signin_session_lifetime_s * G_USEC_PER_SEC,
    .link_lifetime_us = (gint64) config->limits.signin_link_lifetime_s * G_USEC_PER_SEC,
  };
  return relay_signin_store_new (&limits);
}

RelayApp *
relay_app_new (RelayConfig *config, GError **error)
{
  g_autoptr (RelayDtlsIdentity) dtls = load_dtls_identity (config, error);
  if (!dtls)
    {
      g_prefix_error (error, "DTLS certificate: ");
      return NULL;
    }
  RelayAppParts *parts = g_new0 (RelayAppParts, 1);
  g_autoptr (RelayApp) app = &parts->app;
  app->config = config;
  app->dtls = g_steal_pointer (&dtls);
  app->main_context = g_main_context_default ();
  app->started_us = g_get_monotonic_time ();

  app->workers = relay_worker_pool_new (config->transport_threads);
  app->events = relay_event_bus_new (app->main_context);
  app->registry = relay_office_registry_new (config, app->events);
  app->conference = relay_conference_new (config, app->events);
  app->reports = relay_figures_service_new (config, app->events, error);
  if (!app->reports)
    {
      g_prefix_error (error, "figures database: ");
      return NULL;
    }
  app->outputs = relay_output_router_new (app, error);
  if (!app->outputs)
    {
      g_prefix_error (error, "media outputs: ");
      return NULL;
    }
  app->decoded_sink = relay_output_router_get_decoded_sink (app->outputs);
  app->viewers = relay_viewer_registry_new (app);
  /* After the figures service: it migrates the database. */
  app->clips = relay_clip_recorder_new (config, app->registry, app->events, error);
  if (!app->clips)
    {
      g_prefix_error (error, "clips: ");
      return NULL;
    }
  /* The recorder repairs its index before the briefing service marks a
   * briefing left live as interrupted: the end it records comes from the
   * recordings' true lengths. */
  app->recorder = relay_briefing_recorder_new (config, app->outputs, app->registry, app->events,
                                               error);
  if (app->recorder)
    app->briefings = relay_briefing_service_new (config, app->registry, app->conference,
                                                 app->events, error);
  if (!app->briefings)
    {
      g_prefix_error (error, "briefings: ");
      return NULL;
    }
  relay_briefing_service_set_observer (app->briefings, relay_briefing_recorder_observer (),
                                       app->recorder);
  app->media_links = relay_media_links_new ();
  app->signin = signin_store_new (config);
  return g_steal_pointer (&app);
}

/* Every handler, in the order in which each must see a request first. */
static void
install_handlers (RelayAppParts *parts)
{
  RelayApp *app = &parts->app;
  SoupServer *server = parts->server;
  relay_input_capture_watch_server (server); /* test-only: BRIEFING_CAPTURE_DIR */
  /* Before any handler: what a request body may cost is decided for every
   * path alike, before any token is looked at. */
  relay_body_limits_install (server);
  relay_request_guard_install (server);
  /* Before the admission control, which counts a signed-in page's requests
   * as its viewer's. */
  parts->session_cookie = relay_session_cookie_install (server, app->config, app->signin);
  /* Before the endpoints: its request-started hook must see every
   * request (after the body limits' and the guard's, which refuses tokens in URLs). */
  app->admission = relay_admission_new (server, app->config);
  relay_whip_endpoint_register (server, app);
  parts->whep_endpoint = relay_whep_endpoint_new (server, app);
  relay_status_api_register (server, app);
  relay_events_endpoint_register (server, app->config, app->admission, app->events, app->signin);
  relay_session_api_register (server, app);
  relay_control_api_register (server, app, app->conference);
  relay_reports_api_register (server, app, app->reports);
  relay_clips_api_register (server, app, app->clips);
  relay_briefings_api_register (server, app);
  relay_office_api_register (server, app);
  relay_webhooks_api_register (server, app);
  relay_metrics_endpoint_register (server, app, app->viewers);
  relay_static_pages_register (server);
  relay_http_answer_counts_install (server); /* for GET /metrics */
}

gboolean
relay_app_start (RelayApp *app, GSocket *http_socket, GError **error)
{
  RelayAppParts *parts = parts_of (app);
  RelayConfig *config = app->config;
  g_return_val_if_fail (!parts->server, FALSE);
  g_autoptr (GTlsCertificate) cert = NULL;
  if (config->tls_certificate)
    {
      cert = g_tls_certificate_new_from_files (config->tls_certificate, config->tls_private_key,
                                               error);
      if (!cert)
        {
          g_prefix_error (error, "%s: [relay] tls-certificate: ", config->source);
          return FALSE;
        }
    }
  parts->server = soup_server_new ("server-header", "briefing-relay", NULL);
  install_handlers (parts);
  /* Our own listener: the connection limits, and around libsoup 3.2's
   * listener's leaks (http/http-listener.h). It accepts on the socket
   * main() opened before anything else (relay/listen-socket.h). */
  parts->http_listener = relay_http_listener_new (parts->server, config, http_socket, cert, error);
  if (!parts->http_listener)
    {
      g_prefix_error (error, "cannot listen on %s:%u: ", config->http_address, config->http_port);
      return FALSE;
    }

  g_autoptr (RelayDtlsCertificate) first = relay_dtls_identity_dup_current (app->dtls);
  relay_info (NULL, "%u provinces on the roster, %u transport threads, DTLS fingerprint %s "
              "(valid for %" G_GINT64_FORMAT " s more)",
              config->provinces->len, config->transport_threads,
              relay_dtls_certificate_get_fingerprint (first),
              relay_dtls_certificate_get_not_after (first) - g_get_real_time () / G_USEC_PER_SEC);
  return TRUE;
}

char *
relay_app_dup_url (RelayApp *app)
{
  RelayAppParts *parts = parts_of (app);
  g_return_val_if_fail (parts->http_listener, NULL);
  return relay_http_listener_dup_url (parts->http_listener);
}

/* Runs what the workers handed to the main loop. */
static void
run_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

void
relay_app_stop (RelayApp *app)
{
  RelayAppParts *parts = parts_of (app);
  if (parts->stopped)
    return;
  parts->stopped = TRUE;
  /* The order matters: transport workers deliver packets and callbacks
   * into the registry, the viewer registry and the output router until
   * each session's teardown has run on its worker. Freeing any of them
   * before the workers stop left a transport thread looking provinces up
   * in a freed registry (g_hash_table_lookup criticals on every packet,
   * and worse). */
  g_clear_pointer (&parts->http_listener, relay_http_listener_free);
  if (parts->server)
    soup_server_disconnect (parts->server);
  /* Every session is asked to close; the closes are queued on workers. */
  if (app->viewers)
    relay_viewer_registry_close_all (app->viewers);
  if (app->registry)
    relay_office_registry_close_all (app->registry);
  /* The workers run what is queued, the teardowns included, and stop:
   * after this no transport thread calls into anything of ours. */
  if (app->workers)
    relay_worker_pool_stop (app->workers);
  /* Hand-offs the workers queued for the main loop (a viewer ended, a
   * session answered) run while what they refer to still exists. */
  run_main_context ();
}

void
relay_app_free (RelayApp *app)
{
  if (!app)
    return;
  RelayAppParts *parts = parts_of (app);
  relay_app_stop (app);
  /* Before the admission: an ending viewer gives its session count back. */
  g_clear_pointer (&app->viewers, relay_viewer_registry_free);
  g_clear_pointer (&parts->whep_endpoint, relay_whep_endpoint_free);
  g_clear_pointer (&parts->session_cookie, relay_session_cookie_free);
  g_clear_object (&parts->server);
  g_clear_pointer (&app->admission, relay_admission_free);
  /* After the server: the events endpoint it held watched the store. */
  g_clear_pointer (&app->signin, relay_signin_store_free);
  /* A live briefing stays live in the store: the next start records the
   * interruption. Then its files are closed, before the router and the
   * registry they are subscribed to go. */
  g_clear_pointer (&app->briefings, relay_briefing_service_free);
  g_clear_pointer (&app->recorder, relay_briefing_recorder_free);
  g_clear_pointer (&app->media_links, relay_media_links_free);
  /* Before the registry: its turns unsubscribe from their provinces. The
   * last clips are stored and their events published. */
  g_clear_pointer (&app->clips, relay_clip_recorder_free);
  /* Drops the sessions, closed and torn down at the stop. */
  g_clear_pointer (&app->registry, relay_office_registry_free);
  /* After every session is released: a session's last reference gives
   * its worker back. What was queued on the workers since they stopped
   * (a session created while the relay was stopping) runs here. */
  g_clear_pointer (&app->workers, relay_worker_pool_free);
  /* After the sessions: their decoders fed it. */
  app->decoded_sink = NULL;
  g_clear_pointer (&app->outputs, relay_output_router_free);
  /* Deliveries still queued on the main context refer to the bus. */
  run_main_context ();
  /* Before the bus: the writer publishes accepted figures on it. */
  g_clear_pointer (&app->reports, relay_figures_service_free);
  g_clear_pointer (&app->conference, relay_conference_free);
  g_clear_pointer (&app->events, relay_event_bus_free);
  g_clear_pointer (&app->dtls, relay_dtls_identity_free);
  g_free (parts);
}
