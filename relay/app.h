/* The running relay: its parts, built in order by relay_app_new (the
 * workers, the event bus, the registry, the conference, the figures, the
 * media outputs, the viewers, the clips, the briefings and their
 * recording, the sign-in store), put on the network by relay_app_start
 * (the HTTP server and every endpoint, on the socket main() opened), and
 * taken down by relay_app_stop and relay_app_free in the order that keeps
 * the transport threads from calling into a freed part. Main thread only.
 *
 * The app owns every part below and the HTTP side it starts; it borrows
 * the configuration, which must outlive it. The HTTP handlers borrow the
 * RelayApp they were registered with: the struct is what they need of the
 * running relay. */
#pragma once

#include <gio/gio.h>
#include "relay/conference/conference.h"
#include "relay/config/config.h"
#include "webrtc/dtls/dtls-identity.h"
#include "relay/event-bus.h"
#include "webrtc/worker/worker-pool.h"
#include "pipelines/ingest-pipeline.h"
#include "relay/router/office-registry.h"
#include "relay/figures/figures-service.h"
#include "relay/signin/signin-store.h"

G_BEGIN_DECLS

typedef struct _RelayOutputRouter RelayOutputRouter;
typedef struct _RelayClipRecorder RelayClipRecorder;
typedef struct _RelayBriefingService RelayBriefingService;
typedef struct _RelayBriefingRecorder RelayBriefingRecorder;
typedef struct _RelayMediaLinks RelayMediaLinks;
typedef struct _RelayAdmission RelayAdmission;
typedef struct _RelayViewerRegistry RelayViewerRegistry;

typedef struct {
  RelayConfig *config;
  RelayWorkerPool *workers;
  RelayDtlsIdentity *dtls; /* a new session takes relay_dtls_identity_dup_current */
  RelayOfficeRegistry *registry;
  RelayEventBus *events;
  RelayConference *conference;
  RelayFiguresService *reports;
  RelayOutputRouter *outputs; /* mosaic, program, conference mix */
  RelayViewerRegistry *viewers; /* WHEP viewers: their sessions and totals */
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

/* Builds the parts; nothing listens yet. NULL with `error` ("figures
 * database: ...", "DTLS certificate: ...") when one cannot be built; what
 * was built is freed again. The data directory must be the caller's
 * (relay/data-dir-lock.h). */
RelayApp *relay_app_new (RelayConfig *config, GError **error);

/* Installs the HTTP server and its endpoints and accepts on `http_socket`
 * (opened before anything else, relay/listen-socket.h; borrowed). FALSE
 * with `error` when the TLS certificate cannot be read or the listener
 * cannot start: then relay_app_free is all that is left to call. */
gboolean relay_app_start (RelayApp *app, GSocket *http_socket, GError **error);

/* The URL the relay answers on, for the start banner; after a start. */
char *relay_app_dup_url (RelayApp *app);

/* Stops taking requests and closes every session: the HTTP listener goes,
 * every viewer and publisher is asked to close, the transport workers run
 * the teardowns and stop, and what they handed to the main loop runs.
 * After this no transport thread calls into anything of the app's. */
void relay_app_stop (RelayApp *app);

/* Stops when not stopped yet, then frees every part, in the order in which
 * each one's users are gone first. A live briefing stays live in the
 * store: the next start records the interruption. */
void relay_app_free (RelayApp *app);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayApp, relay_app_free)

G_END_DECLS
