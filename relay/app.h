/* What the HTTP handlers need of the running relay. */
#pragma once

#include <glib.h>
#include "relay/conference/conference.h"
#include "relay/config/config.h"
#include "webrtc/dtls/dtls-identity.h"
#include "relay/event-bus.h"
#include "webrtc/worker/worker-pool.h"
#include "pipelines/ingest-pipeline.h"
#include "relay/router/province-registry.h"
#include "relay/figures/figures-service.h"
#include "relay/signin/signin-store.h"

G_BEGIN_DECLS

typedef struct _RelayOutputRouter RelayOutputRouter;
typedef struct _RelayClipRecorder RelayClipRecorder;
typedef struct _RelayBriefingService RelayBriefingService;
typedef struct _RelayBriefingRecorder RelayBriefingRecorder;
typedef struct _RelayMediaLinks RelayMediaLinks;
typedef struct _RelayAdmission RelayAdmission;

typedef struct {
  RelayConfig *config;
  RelayWorkerPool *workers;
  RelayDtlsIdentity *dtls; /* a new session takes relay_dtls_identity_dup_current */
  RelayProvinceRegistry *registry;
  RelayEventBus *events;
  RelayConference *conference;
  RelayFiguresService *reports;
  RelayOutputRouter *outputs; /* mosaic, program, conference mix */
  RelayClipRecorder *clips;   /* spoken status */
  RelayBriefingService *briefings; /* the briefing as a record */
  RelayBriefingRecorder *recorder; /* its recording */
  RelayMediaLinks *media_links;    /* signed links for <video src> and downloads */
  const RelayDecodedSink *decoded_sink; /* the router's, for publishers */
  RelayAdmission *admission;       /* request rates and session counts (HTTP side) */
  RelaySigninStore *signin;        /* sign-in sessions and one-time links (HTTP side) */
  GMainContext *main_context;
  gint64 started_us;
} RelayApp;

G_END_DECLS
