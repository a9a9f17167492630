/* The province's reporting channel on its WHIP peer connection: the SCTP
 * association carried in the transport's DTLS, the data channels on it,
 * and the "report" channel whose text messages go to the report service
 * and whose replies come back on the same channel. Channels with any other
 * label are refused (closed at once). Lives on the session's worker. */
#pragma once

#include <glib.h>
#include "webrtc/worker/worker-pool.h"
#include "webrtc/peer/webrtc-transport.h"
#include "relay/figures/figures-service.h"
#include "webrtc/sdp/sdp-offer.h"

G_BEGIN_DECLS

#define RELAY_REPORT_CHANNEL_LABEL "report"

typedef struct _RelayFiguresChannel RelayFiguresChannel;

typedef struct {
  guint64 submitted, replied, refused_locally; /* refused: oversized, binary, no service */
  guint channels_open;
} RelayFiguresChannelStats;

/* application: the accepted m=application of the offer. service may be
 * NULL: every message is then answered with a "not available" error. The
 * transport must outlive the channel. */
RelayFiguresChannel *relay_figures_channel_new (RelayWorker *worker, RelayWebrtcTransport *transport,
                                              const RelaySdpMedia *application,
                                              RelayFiguresService *service, const char *province,
                                              GError **error);

/* What the channel needs of its transport; relay_figures_channel_new gives
 * the WHIP session's DTLS transport. Called on the worker. */
typedef struct {
  /* One SCTP packet to the peer (a DTLS application data record). */
  void (*send) (const guint8 *data, gsize len, gpointer link_data);
  /* The peer's address, recorded with its reports ("" when unknown). */
  void (*remote_address) (char *address, gsize size, gpointer link_data);
} RelayFiguresChannelLink;

/* The same on any link (link_data must outlive the channel); sctp_port is
 * the m=application's a=sctp-port, ours and the peer's. Tests wire it to a
 * peer association of their own. */
RelayFiguresChannel *relay_figures_channel_new_on_link (RelayWorker *worker,
                                                      const RelayFiguresChannelLink *link,
                                                      gpointer link_data, guint16 sctp_port,
                                                      RelayFiguresService *service,
                                                      const char *province, GError **error);
/* DTLS is up: SCTP starts (idempotent; later reconnects change nothing). */
void relay_figures_channel_transport_connected (RelayFiguresChannel *channel);
/* A DTLS application data record from the transport. */
void relay_figures_channel_receive (RelayFiguresChannel *channel, const guint8 *data, gsize len);
void relay_figures_channel_get_stats (RelayFiguresChannel *channel, RelayFiguresChannelStats *stats);
/* Aborts the association (before the transport is freed); replies still in
 * flight are dropped when they arrive. */
void relay_figures_channel_free (RelayFiguresChannel *channel);

G_END_DECLS
