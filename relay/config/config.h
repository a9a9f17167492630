/* The relay's configuration: a GLib key file (config/relay.ini documents
 * every key), the roster of offices it names (relay/config/roster.h) and the
 * credentials of offices and viewers (kept as digests, relay/config/config-token.h).
 * Every error names the file, the group and the key. Loaded on the main
 * thread at start; read-only after, from any thread. The caller owns it. */
#pragma once

#include <glib.h>
#include "relay/briefing/briefing-config.h"
#include "relay/config/config-error.h"
#include "relay/config/config-token.h"
#include "relay/config/limits-config.h"
#include "relay/config/metrics-config.h"
#include "relay/config/roster.h"
#include "webrtc/peer/ingest-policer.h"
#include "webrtc/sdp/sdp-offer.h"

G_BEGIN_DECLS

/* relay/figures/figures-schema.h: the figures read their schema from the
 * config, so the config names it without including the figures' headers. */
typedef struct _RelayFiguresSchema RelayFiguresSchema;

typedef enum {
  RELAY_ROLE_VIEWER,   /* the mosaic only */
  RELAY_ROLE_MINISTER, /* the mosaic and any single province */
  RELAY_ROLE_CHAIR,    /* all of that and the floor controls */
} RelayViewerRole;

typedef struct {
  char *name;
  RelayViewerRole role;
  guint8 token_sha256[32];
} RelayViewerConfig;

typedef struct {
  char *urls;
  char *username;
  char *credential;
} RelayIceServer;

typedef struct {
  char *source;           /* file path, or "<embedded>" */
  char *http_address;
  guint http_port;
  char *data_dir;
  char *tls_certificate;
  char *tls_private_key;
  char *dtls_certificate;
  char *dtls_private_key;
  guint dtls_certificate_lifetime_s; /* [dtls]: a generated certificate's validity */
  guint dtls_renew_before_s;         /* [dtls]: renew when less than this remains */
  gboolean dev_tokens;
  /* Who may reach the relay (docs/API.md, "Limits and refusals"). */
  gboolean allow_insecure_http; /* plain HTTP on an address other machines reach */
  char **allowed_origins;       /* normalized origins besides the relay's own (events) */
  /* [http]: connections the HTTP server holds at once, in all and from one
   * client, and how long one may keep it waiting (http/connection-limits.h). */
  guint http_max_connections;
  guint http_max_connections_per_client;
  guint http_idle_timeout_s;

  guint transport_threads;
  guint port_min;
  guint port_max;
  char **announced_addresses;
  char **interfaces;
  GPtrArray *ice_servers;  /* RelayIceServer* */

  RelaySdpPolicy sdp_policy;
  guint target_bitrate_kbps;
  guint media_timeout_ms;
  guint offline_grace_s;
  RelayIngestLimits ingest; /* [ingest]: what one office may send */

  /* What the relay produces: the mosaic (all offices) and the program (what
   * the provinces see), each encoded once with `output_codec`. */
  RelayCodec output_codec;      /* RELAY_CODEC_H264 or RELAY_CODEC_VP8 */
  guint mosaic_width, mosaic_height, mosaic_framerate, mosaic_bitrate_kbps;
  gboolean mosaic_order_by_region; /* FALSE: roster order */
  guint program_width, program_height, program_bitrate_kbps;
  guint audio_bitrate_kbps;

  RelayFiguresSchema *figures; /* [figure <name>] and [figure-rule <name>] groups, or the
                                * embedded default's */
  GPtrArray *webhooks;          /* RelayWebhookConfig*, [webhook <name>] groups */
  RelayBriefingConfig briefing; /* [briefing] */
  RelayRecordingConfig recording; /* [recording] */
  RelayLimitsConfig limits;       /* [limits] */
  RelayMetricsConfig metrics;     /* [metrics]: who may read GET /metrics */

  GPtrArray *viewers;     /* RelayViewerConfig* */
  GPtrArray *provinces;   /* RelayOfficeConfig*, roster order */
  GHashTable *by_code;    /* code -> RelayOfficeConfig* (borrowed) */
} RelayConfig;

/* path NULL: the embedded default (config/relay.ini of the source tree). */
RelayConfig *relay_config_load (const char *path, GError **error);
/* Loads the same from memory; `source` names it in errors. */
RelayConfig *relay_config_load_data (const char *data, gsize len, const char *source,
                                     const char *base_dir, GError **error);
void relay_config_free (RelayConfig *config);

RelayOfficeConfig *relay_config_find_province (RelayConfig *config, const char *code);

/* TRUE when the relay serves plain HTTP on an address other machines can
 * reach (not loopback): tokens would cross the network in clear. */
gboolean relay_config_plain_http_exposed (const RelayConfig *config);

/* "scheme://host:port" in lower case with the port always written, for
 * comparing origins; NULL when `text` is not an http(s) origin. */
char *relay_config_normalize_origin (const char *text);

/* Constant-time check of a presented token. */
gboolean relay_office_config_check_token (const RelayOfficeConfig *province, const char *token);

/* The viewer whose token this is, or NULL. */
const RelayViewerConfig *relay_config_find_viewer (RelayConfig *config, const char *token);
const char *relay_viewer_role_name (RelayViewerRole role);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayConfig, relay_config_free)

G_END_DECLS
