/* GET /api/v1/events: a WebSocket of the relay's events as JSON text
 * messages, each with a sequence number. `?since=<seq>` replays what the
 * client missed; the first message says whether that was complete. */
#pragma once

#include <libsoup/soup.h>
#include "relay/event-bus.h"

G_BEGIN_DECLS

void relay_events_endpoint_register (SoupServer *server, RelayEventBus *bus);

G_END_DECLS
