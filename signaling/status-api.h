/* Read-only JSON API: /api/v1/health, /api/v1/provinces[/<code>]. */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"

G_BEGIN_DECLS

void relay_status_api_register (SoupServer *server, RelayApp *app);

G_END_DECLS
