/* The chair's controls and the conference status:
 *   GET    /api/v1/conference                       status (anyone)
 *   PUT    /api/v1/conference/floor                 {"province":"TH-50"}
 *   DELETE /api/v1/conference/floor                 take the floor back
 *   PUT    /api/v1/conference/participants/<id>     {"muted":true|false}
 *   PUT    /api/v1/conference/layout                {"layout":"mosaic"|"spotlight"}
 * Changes need a chair's token and answer with the new status. */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"
#include "relay/conference/conference.h"

G_BEGIN_DECLS

/* A change's JSON body (http/body-limits.c refuses more as it arrives). */
#define RELAY_CONTROL_MAX_BODY (4 * 1024)

void relay_control_api_register (SoupServer *server, RelayApp *app, RelayConference *conference);

G_END_DECLS
