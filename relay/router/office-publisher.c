#include "relay/router/office-publisher.h"

#include "relay/figures/figures-channel.h"
#include "relay/router/ice-settings.h"
#include "relay/router/office-decoder.h"
#include "webrtc/base/log.h"

typedef struct {
  RelayApp *app;
  gboolean takeover;
  RelayPublisherReadyFunc ready;
  gpointer ready_data;
} Creation;

static void
on_ready (RelayPublisherSession *session, const char *answer, const GError *error, gpointer data)
{
  Creation *c = data;
  if (session)
    relay_office_registry_attach (c->app->registry, session, c->takeover);
  c->ready (session, answer, error, c->ready_data);
  g_free (c);
}

typedef struct {
  RelayPublisherReadyFunc ready;
  gpointer ready_data;
  GError *error;
} Failure;

static gboolean
report_failure (gpointer data)
{
  Failure *f = data;
  f->ready (NULL, NULL, f->error, f->ready_data);
  g_error_free (f->error);
  g_free (f);
  return G_SOURCE_REMOVE;
}

void
relay_office_publisher_create_async (RelayApp *app, const char *code, RelaySdpOffer *offer,
                                     gboolean takeover, RelayPublisherReadyFunc ready,
                                     gpointer ready_data)
{
  GError *error = NULL;
  RelayOfficeDecoder *decoder
      = relay_office_decoder_new (code, offer, app->decoded_sink,
                                  relay_office_registry_get_join_time (app->registry), &error);
  if (!decoder)
    {
      /* As a session that failed to start: answered from the main loop,
       * like every other outcome of the POST. */
      relay_sdp_offer_free (offer);
      Failure *f = g_new0 (Failure, 1);
      f->ready = ready;
      f->ready_data = ready_data;
      f->error = error;
      /* Not g_main_context_invoke: on the main thread it would run at
       * once, inside this call, before the caller expects an answer. */
      GSource *later = g_idle_source_new ();
      g_source_set_callback (later, report_failure, f, NULL);
      g_source_attach (later, app->main_context);
      g_source_unref (later);
      return;
    }
  /* The session takes its own reference: renewals do not touch it. */
  g_autoptr (RelayDtlsCertificate) certificate = relay_dtls_identity_dup_current (app->dtls);
  RelayPublisherSettings settings = {
    .worker = relay_worker_pool_acquire (app->workers),
    .certificate = certificate,
    .on_media = relay_office_registry_on_session_media,
    .media_data = app->registry,
    .decoder_class = &relay_office_decoder_class,
    .decoder = decoder,
    .target_bitrate_kbps = app->config->target_bitrate_kbps,
    .media_timeout_ms = app->config->media_timeout_ms,
    .offline_grace_s = app->config->offline_grace_s,
    .connect_timeout_s = app->config->limits.connect_timeout_s,
    .channels = &relay_figures_channel_handler,
    .channels_data = app->reports,
    .ingest = app->config->ingest,
    .on_limit = relay_office_registry_on_session_limit,
    .limit_data = app->registry,
  };
  relay_router_ice_settings (app->config, &settings.ice);
  Creation *c = g_new0 (Creation, 1);
  c->app = app;
  c->takeover = takeover;
  c->ready = ready;
  c->ready_data = ready_data;
  relay_publisher_session_create_async (code, offer, &settings,
                                        relay_office_registry_on_session_state, app->registry,
                                        app->main_context, on_ready, c);
}
