/* An office's decoder: the ingest pipeline (pipelines/ingest-pipeline.h)
 * attached to its publisher session as the session's decoder
 * (RelayPublisherDecoderClass), so the stack knows nothing of GStreamer.
 * Decoded frames go to the relay's decoded sink (mosaic, program, mix).
 * It also times the session's join (the POST to its first decoded video
 * frame) into the registry's histogram, once.
 *
 * Threads: created on the main thread (by relay/router/office-publisher.c),
 * handed to the session, which calls it on its worker and closes it at
 * teardown (the pipeline is freed then, its last figures kept) and frees it
 * with itself. The figures may be read from any thread until then. */
#pragma once

#include <glib.h>
#include "pipelines/ingest-pipeline.h"
#include "webrtc/base/metrics-histogram.h"
#include "webrtc/peer/publisher-session.h"
#include "webrtc/sdp/sdp-offer.h"

G_BEGIN_DECLS

typedef struct _RelayOfficeDecoder RelayOfficeDecoder;

/* The session's class for it. */
extern const RelayPublisherDecoderClass relay_office_decoder_class;

/* For the negotiated media of `offer`; `sink` (may be NULL) and `join_time`
 * (may be NULL) must outlive it. NULL and error when GStreamer cannot build
 * the pipeline (a missing plugin). */
RelayOfficeDecoder *relay_office_decoder_new (const char *code, const RelaySdpOffer *offer,
                                              const RelayDecodedSink *sink,
                                              RelayMetricsHistogram *join_time, GError **error);

/* What it decoded as of the session's last look (twice a second, with the
 * session's own snapshot; the last figures once closed), and the join
 * time in ms (-1 before the first decoded video frame). Any thread. */
void relay_office_decoder_get_stats (RelayOfficeDecoder *decoder, RelayIngestStats *stats,
                                     gint *join_ms);

/* The decoder of a publisher session created by relay/router/office-publisher.c. */
static inline RelayOfficeDecoder *
relay_office_decoder_of (RelayPublisherSession *session)
{
  return relay_publisher_session_get_decoder (session);
}

G_END_DECLS
