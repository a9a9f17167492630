/* What a forwarded packet carries, as the `kind` of a RelayPacketChannel
 * packet: the publisher side says it, the viewer side checks it against
 * what the viewer negotiated. */
#pragma once

enum {
  RELAY_FORWARD_AUDIO = 0, /* Opus */
  RELAY_FORWARD_VP8 = 1,
  RELAY_FORWARD_H264 = 2,
};
