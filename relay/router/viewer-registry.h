/* The relay's WHEP viewers, as the router creates consumers in mediasoup:
 * each viewer's session with its settings (a worker, the current DTLS
 * certificate, the ICE settings and the viewer timeouts from the
 * configuration, the codec it is offered); once it connects, its
 * subscription (to the output router for the mosaic and the program, to
 * the office's producer through the office registry for an office)
 * with a keyframe to start on; its keyframe requests relayed to the
 * source; its end (unsubscribed, closed, counted, a `viewer` event on the
 * bus). It keeps what the viewers were sent, by source, and the
 * forwarding latency of the SFU path.
 *
 * The HTTP side (http/whep-endpoint.c) authorises, admits, reads the offer
 * and answers; what it took for a viewer (its admission count) it gets
 * back through the release function given at creation.
 *
 * Main thread (the app's main context): the sessions' worker callbacks
 * are handed over to it. The registry owns its viewers' sessions (one
 * reference each, while they last) and their release data until
 * released; it borrows the app, which outlives it. */
#pragma once

#include <json-glib/json-glib.h>
#include "relay/app.h"
#include "webrtc/base/metrics-histogram.h"
#include "webrtc/peer/viewer-session.h"
#include "webrtc/sdp/sdp-offer.h"

G_BEGIN_DECLS

/* What viewers watch: a province as it is sent (the SFU path), the
 * mosaic, the program. */
typedef enum {
  RELAY_VIEWER_SOURCE_PROVINCE,
  RELAY_VIEWER_SOURCE_MOSAIC,
  RELAY_VIEWER_SOURCE_PROGRAM,
  RELAY_VIEWER_SOURCE_N,
} RelayViewerSource;

/* A viewer's source name ("mosaic", "program" or a province code) as a
 * kind. Any thread. */
RelayViewerSource relay_viewer_source_of (const char *source);

/* The viewers of one source: sessions now (connecting or connected), and
 * what was sent to them since the relay started: the counters of the
 * sessions that ended plus the current ones' (their snapshots, at most a
 * tick old), so they never go back when a viewer leaves. */
typedef struct {
  guint sessions;
  guint64 bytes_sent, video_packets, audio_packets;
  guint64 nacks_received, retransmitted, plis_received;
} RelayViewerTotals;

/* The members that name a viewer, in its `viewer` events and in the list
 * of viewers alike: "session" (its id), "viewer" (who), "source". */
void relay_viewer_add_names (JsonBuilder *builder, RelayViewerSession *session);

typedef struct _RelayViewerRegistry RelayViewerRegistry;

RelayViewerRegistry *relay_viewer_registry_new (RelayApp *app);
/* Shutdown, first step: ends every viewer (unsubscribed at once, closed on
 * its worker, released). The registry stays: hand-offs its sessions
 * queued for the main loop refer to it until the loop has run them. */
void relay_viewer_registry_close_all (RelayViewerRegistry *registry);
/* Ends every viewer left, and frees the registry. */
void relay_viewer_registry_free (RelayViewerRegistry *registry);

/* The SDP policy a viewer of `source` is answered under, from the
 * configured one: receive-only, no TWCC, and the one video codec it can
 * be sent (a province's own, not transcoded; before the province is live,
 * the configured preference; the relay's outputs' configured codec). */
void relay_viewer_registry_offer_policy (RelayViewerRegistry *registry, const char *source,
                                         RelaySdpPolicy *policy);

/* Gives back what the creator took for a viewer. Main thread. */
typedef void (*RelayViewerReleaseFunc) (gpointer release_data);

/* A new viewer of `source` (see relay_viewer_registry_offer_policy),
 * named `viewer_name`; `listener` is the participant watching an output
 * (its own voice left out of the program), or NULL. Takes ownership of
 * offer. `ready` runs on the main context with the session (a borrowed
 * reference, kept by the registry; media flows once it connects) and its
 * answer, or NULL and the error. `release` runs once with release_data on
 * the main thread: when the session failed to start (before `ready`), or
 * when the viewer ends; release_data is the caller's to free there. */
void relay_viewer_registry_create_async (RelayViewerRegistry *registry, const char *viewer_name,
                                         const char *source, const char *listener,
                                         RelaySdpOffer *offer, RelayViewerReleaseFunc release,
                                         gpointer release_data, RelayViewerReadyFunc ready,
                                         gpointer ready_data);

/* The viewer's session with this id (borrowed), or NULL once it ended. */
RelayViewerSession *relay_viewer_registry_lookup (RelayViewerRegistry *registry, const char *id);
/* Ends a viewer for `reason` (logs and the `viewer` event give it); only
 * the first end of a session counts. Fits RelaySessionEndFunc. */
void relay_viewer_registry_end (RelayViewerRegistry *registry, RelayViewerSession *session,
                                const char *reason);

/* Each current viewer's session (borrowed for the call), and whether it
 * is connected (subscribed, receiving) or still connecting. */
typedef void (*RelayViewerFunc) (RelayViewerSession *session, gboolean connected,
                                 gpointer user_data);
void relay_viewer_registry_foreach (RelayViewerRegistry *registry, RelayViewerFunc func,
                                    gpointer user_data);

void relay_viewer_registry_get_totals (RelayViewerRegistry *registry,
                                       RelayViewerTotals totals[RELAY_VIEWER_SOURCE_N]);
/* Forwarding latency of the SFU path (/whep/province/<code>): each packet
 * from its decryption on the publisher's worker to its copy sent on the
 * viewer's worker. Any thread; lives as the registry. */
const RelayMetricsHistogram *
relay_viewer_registry_get_forwarding_latency (RelayViewerRegistry *registry);

G_END_DECLS
