/* GET /api/v1/webhooks: how the deliveries to the data centre are doing
 * (chair and minister). */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"

G_BEGIN_DECLS

void relay_webhooks_api_register (SoupServer *server, RelayApp *app);

G_END_DECLS
