/* GET /metrics: the relay's figures in the Prometheus text format
 * (http/metrics-collect.h says which), for a scraper that presents
 * the [metrics] token or connects from one of its allowed-addresses
 * (relay/config/metrics-config.h). The refusals, in the order they are decided:
 *
 *   a token of nobody                      401 unauthorized (invalid_token)
 *   another credential's token             403 forbidden
 *   no token, from an address not allowed  401 unauthorized when a metrics
 *                                          token exists, else 403
 *                                          address-not-allowed
 *
 * A token presented is judged alone, wherever it comes from. The limits
 * every request meets apply here too: a token in the URL is refused
 * (http/request-guard.h), wrong tokens count against the address
 * (http/admission.h). Main thread (the HTTP server's). */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"
#include "relay/router/viewer-registry.h"

G_BEGIN_DECLS

/* `viewers` may be NULL (its figures are left out); both must outlive the
 * server's handlers. */
void relay_metrics_endpoint_register (SoupServer *server, RelayApp *app,
                                      RelayViewerRegistry *viewers);

G_END_DECLS
