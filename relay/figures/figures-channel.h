/* The province's reporting channel on its WHIP peer connection, as a data
 * channel handler (webrtc/peer/peer-data-channels.h): only a channel
 * labelled "report" is accepted; its text messages go to the figures
 * service and the service's replies come back on the same channel. Binary
 * and oversized messages are answered with an error here, and so is every
 * message when there is no service. The SCTP association and DCEP are the
 * plumbing's.
 *
 * Callbacks run on the session's worker; replies are made on the figures
 * service's writer thread and handed back to that worker. The per-peer
 * state (RelayFiguresChannel) belongs to the plumbing's handler slot: made
 * by `attach`, freed by `detach`. */
#pragma once

#include <glib.h>
#include "webrtc/peer/peer-data-channels.h"
#include "relay/figures/figures-service.h"

G_BEGIN_DECLS

#define RELAY_REPORT_CHANNEL_LABEL "report"

typedef struct _RelayFiguresChannel RelayFiguresChannel;

typedef struct {
  guint64 submitted, replied, refused_locally; /* refused: oversized, binary, no service */
  guint channels_open;
} RelayFiguresChannelStats;

/* The handler for RelayPublisherSettings.channels; its handler_data
 * (channels_data) is the RelayFiguresService, which may be NULL: every
 * message is then answered with a "not available" error. The service must
 * outlive the sessions. */
extern const RelayPeerChannelHandler relay_figures_channel_handler;

/* The state relay_figures_channel_handler attached to a peer's channels
 * (relay_peer_data_channels_get_handler_state). Worker thread. */
void relay_figures_channel_get_stats (RelayFiguresChannel *channel, RelayFiguresChannelStats *stats);

G_END_DECLS
