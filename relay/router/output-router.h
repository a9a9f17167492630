/* Routes the participants' decoded media into what the relay produces, and
 * what it produces to its viewers:
 *
 *   decoded video  -> mosaic (every office), program (one camera)
 *   decoded audio  -> conference mix (unmuted participants only; audio of
 *                     the others is not even decoded)
 *   mosaic, program, mixes (encoded once) -> RelayProducer -> viewers
 *
 * It follows the conference (floor, mutes, layout) and the registry
 * (connected or not, RFC 6464 audio levels for the active speaker), and
 * moves each viewer's audio to the mix it must hear: a participant in the
 * mix hears its mix-minus, everyone else the full mix. Main context unless
 * stated. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include "pipelines/conference-mixer.h"
#include "pipelines/ingest-pipeline.h"
#include "pipelines/mosaic-pipeline.h"
#include "pipelines/program-pipeline.h"
#include "relay/app.h"
#include "webrtc/worker/packet-channel.h"
#include "relay/status-audience.h"

G_BEGIN_DECLS

typedef enum {
  RELAY_OUTPUT_MOSAIC,
  RELAY_OUTPUT_PROGRAM,
} RelayOutput;

typedef struct _RelayOutputRouter RelayOutputRouter;

RelayOutputRouter *relay_output_router_new (RelayApp *app, GError **error);
void relay_output_router_free (RelayOutputRouter *router);

/* For publisher sessions (RelayPublisherSettings.decoded); lives as the
 * router. */
const RelayDecodedSink *relay_output_router_get_decoded_sink (RelayOutputRouter *router);

/* A viewer of an output; `listener` is the participant watching ("central"
 * or a province code) or NULL for someone outside the conference. */
void relay_output_router_add_viewer (RelayOutputRouter *router, RelayOutput output,
                                     const char *listener, RelayPacketChannel *channel);
void relay_output_router_remove_viewer (RelayOutputRouter *router, RelayPacketChannel *channel);

/* Any thread: a viewer needs a keyframe (rate-limited by the encoder). */
void relay_output_router_request_keyframe (RelayOutputRouter *router, RelayOutput output);

/* {"mosaic":{fps,frames,latency..,"tiles":[..]},"program":{..},
 *  "audio":{"members":[..],..},"active_speaker":..}: what the outputs show
 * for anyone; their counters and latencies for those `audience` lets see
 * the relay's internals. */
JsonNode *relay_output_router_describe (RelayOutputRouter *router,
                                        const RelayStatusAudience *audience);

const char *relay_output_name (RelayOutput output);

/* Every output's counters and latency histograms, for GET /metrics. Any
 * thread; the histograms are borrowed and live as the router. */
typedef struct {
  RelayMosaicStats mosaic;
  RelayProgramStats program;
  RelayConferenceMixerStats mix;
} RelayOutputRouterStats;
void relay_output_router_get_stats (RelayOutputRouter *router, RelayOutputRouterStats *stats);

G_END_DECLS
