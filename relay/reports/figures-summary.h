/* A day's figures for the operations room and the data centre: each
 * province's latest version, national and regional totals, and who has not
 * reported what is required. As JSON (GET /api/v1/figures) or CSV. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "relay/config.h"

G_BEGIN_DECLS

/* `latest`: RelayReportRow* of the day, as relay_report_service_latest gives. */
JsonNode *relay_figures_summary (RelayConfig *config, const char *date, GPtrArray *latest);

/* UTF-8 with a byte order mark (Excel shows Thai names only with it), CRLF
 * lines, a header row of field names, one row per roster province and a
 * last row of national totals. */
char *relay_figures_csv (RelayConfig *config, const char *date, GPtrArray *latest, gsize *len);

G_END_DECLS
