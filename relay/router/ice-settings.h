/* The ICE settings every session the router creates gets (an office's
 * publisher, a viewer): its ports, the announced addresses, the
 * interfaces and the remote candidate ranges refused, all from the
 * configuration. Any thread; owns nothing: the strings stay the
 * configuration's, which outlives every session. */
#pragma once

#include "relay/config/config.h"
#include "webrtc/ice/ice-agent.h"

G_BEGIN_DECLS

void relay_router_ice_settings (const RelayConfig *config, RelayIceSettings *ice);

G_END_DECLS
