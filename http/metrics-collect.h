/* What GET /metrics says: every figure of the running relay, gathered from
 * the units that keep it (the registry, the viewer registry, the output
 * router, the report service and its webhooks, the recorder, the briefing
 * service, the HTTP and limit counters, the process) and written with
 * relay/metrics/metrics-text.h. The names, labels and help texts live here, in one
 * place; docs/API.md ("Metrics") lists them.
 *
 * Labels are few and bounded: `province` (a roster code, or "central"),
 * `kind` (audio, video), `direction` (in: received by the relay, out: sent
 * by it), `output` (mosaic, program, mix, and province for the SFU path),
 * and small fixed sets (state, reason, class, channel, result, the
 * configured webhooks' names). Never a session id nor an address.
 *
 * Main thread: the viewer registry and the briefing service are read there.
 * Owns nothing. */
#pragma once

#include "relay/app.h"
#include "relay/metrics/metrics-text.h"
#include "relay/router/viewer-registry.h"

G_BEGIN_DECLS

typedef struct {
  RelayApp *app;
  RelayViewerRegistry *viewers; /* may be NULL (its families are then left out) */
} RelayMetricsSources;

void relay_metrics_collect (const RelayMetricsSources *sources, RelayMetricsText *text);

G_END_DECLS
