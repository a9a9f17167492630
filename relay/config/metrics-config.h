/* The [metrics] group of the configuration: who may read GET /metrics.
 * A scraper presents the metrics token (token= or token-sha256=, the same
 * rules as every credential: never in a URL, production configs hold the
 * digest) or connects from one of allowed-addresses (a list of CIDR
 * ranges; loopback is not implied). Neither set: nobody may, unless the
 * development tokens give the relay a token of its own (relay/config/dev-tokens.h).
 * Parsed once at start (main thread); read-only afterwards, from any
 * thread. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  gboolean has_token;
  guint8 token_sha256[32];
  GPtrArray *allowed; /* GInetAddressMask*, allowed-addresses */
} RelayMetricsConfig;

void relay_metrics_config_init (RelayMetricsConfig *metrics);
void relay_metrics_config_clear (RelayMetricsConfig *metrics);
/* Reads [metrics] from `kf`; errors read "<source>: [metrics] <key>: <what>". */
gboolean relay_metrics_config_read (RelayMetricsConfig *metrics, GKeyFile *kf, const char *source,
                                    GError **error);

/* Constant-time check of a presented token. */
gboolean relay_metrics_config_check_token (const RelayMetricsConfig *metrics, const char *token);
/* TRUE when `address` (a client's IP address as text; an IPv4 address
 * mapped into IPv6 counts as the IPv4 one) is in allowed-addresses. */
gboolean relay_metrics_config_address_allowed (const RelayMetricsConfig *metrics,
                                               const char *address);

G_END_DECLS
