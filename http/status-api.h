/* Read-only JSON API: /api/v1/health, /api/v1/provinces[/<code>],
 * /api/v1/outputs. Anyone may read them; how much each caller sees is
 * relay/status-audience.h's rule. */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"

G_BEGIN_DECLS

void relay_status_api_register (SoupServer *server, RelayApp *app);

G_END_DECLS
