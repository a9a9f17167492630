/* Creates an office's publisher session wired into the relay, as the
 * router does in mediasoup: its packets to the registry (SFU viewers,
 * recordings), its decoder (relay/router/office-decoder.h: mosaic, program, mix),
 * its figures channel (relay/figures/), its ingest limits and timeouts from
 * the configuration; once the session answers, the registry makes it the
 * office's current one. The HTTP layer only authenticates, parses and
 * answers (http/whip-endpoint.c). Main thread. */
#pragma once

#include <glib.h>
#include "relay/app.h"
#include "webrtc/peer/publisher-session.h"
#include "webrtc/sdp/sdp-offer.h"

G_BEGIN_DECLS

/* Takes ownership of offer. `ready` runs on the app's main context with the
 * session (already attached to the registry, `takeover` as its claim was)
 * and its answer, or NULL and the error. */
void relay_office_publisher_create_async (RelayApp *app, const char *code, RelaySdpOffer *offer,
                                          gboolean takeover, RelayPublisherReadyFunc ready,
                                          gpointer ready_data);

G_END_DECLS
