/* Figures over HTTPS: POST /api/v1/reports (a province's token),
 * GET /api/v1/figures[.csv] and /api/v1/reports/history (viewer tokens),
 * GET /api/v1/figures/schema (public: the province page builds its form). */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"
#include "relay/figures/figures-service.h"

G_BEGIN_DECLS

void relay_reports_api_register (SoupServer *server, RelayApp *app, RelayFiguresService *reports);

G_END_DECLS
