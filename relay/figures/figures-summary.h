/* A day's figures for the operations room and the data centre: each
 * province's latest version (with the warnings its office confirmed),
 * national and regional totals, and who has not reported what is required.
 * As JSON (GET /api/v1/figures) or CSV. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "relay/config/config.h"

G_BEGIN_DECLS

/* `latest`: RelayReportRow* of the day, as relay_figures_service_latest gives. */
JsonNode *relay_figures_summary (RelayConfig *config, const char *date, GPtrArray *latest);

/* UTF-8 with a byte order mark (Excel shows Thai names only with it), CRLF
 * lines, a header row of field names, one row per roster province and a
 * last row of national totals. */
char *relay_figures_csv (RelayConfig *config, const char *date, GPtrArray *latest, gsize *len);

/* Columns of the caller's between the fixed ones and the figures (the
 * briefing report's attendance and turns): `names` NULL-terminated, and
 * `cells` appends one string (or NULL) per name for a province. */
typedef struct {
  const char *const *names;
  void (*cells) (const char *province, GPtrArray *cells, gpointer user_data);
  gpointer user_data;
} RelayFiguresCsvExtra;

/* As relay_figures_csv, with the caller's columns (extra may be NULL) and,
 * when `regions`, a totals row per region (code TH-<region>) before the
 * national one. */
char *relay_figures_csv_full (RelayConfig *config, const char *date, GPtrArray *latest,
                              const RelayFiguresCsvExtra *extra, gboolean regions, gsize *len);

/* A version's stored warnings (RelayReportRow.warnings_json) as a JSON
 * array, empty when it has none: every output lists them the same way. */
JsonNode *relay_figures_warnings_node (const char *warnings_json);

G_END_DECLS
