#include "relay/router/ice-settings.h"

void
relay_router_ice_settings (const RelayConfig *config, RelayIceSettings *ice)
{
  *ice = (RelayIceSettings){
    .port_min = config->port_min,
    .port_max = config->port_max,
    .announced_addresses = (const char *const *) config->announced_addresses,
    .interfaces = (const char *const *) config->interfaces,
    .refused_ranges = config->limits.refused_candidate_ranges,
  };
}
