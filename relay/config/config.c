#include "relay/config/config.h"

#include <gio/gio.h>
#include <openssl/crypto.h>
#include <string.h>

#include "config/briefing-resources.h"
#include "webrtc/dtls/dtls-certificate.h"
#include "relay/config/roster.h"
#include "relay/figures/figures-schema.h"
#include "relay/figures/webhook-config.h"

#define EMBEDDED_CONFIG "/briefing/config/relay.ini"
#define EMBEDDED_ROSTER "/briefing/config/provinces.csv"

/* Keys each group may hold; anything else is a typo worth stopping for. */
static const char *const relay_keys[] = { "http-address", "http-port", "data-dir",
  "tls-certificate", "tls-private-key", "roster", "dev-tokens", "dtls-certificate",
  "dtls-private-key", "allow-insecure-http", "allowed-origins", NULL };
static const char *const http_keys[] = { "max-connections", "max-connections-per-client",
  "idle-timeout-s", NULL };
static const char *const transport_keys[] = { "threads", "port-min", "port-max",
  "announced-addresses", "interfaces", NULL };
static const char *const media_keys[] = { "video-codecs", "target-bitrate-kbps",
  "congestion-control", "media-timeout-ms", "offline-grace-s", NULL };
static const char *const mosaic_keys[] = { "width", "height", "framerate", "order", "codec",
  "bitrate-kbps", NULL };
static const char *const program_keys[] = { "width", "height", "bitrate-kbps",
  "audio-bitrate-kbps", NULL };
static const char *const ingest_keys[] = { "max-rtp-size", "max-width", "max-height",
  "max-framerate", "over-limit-grace-s", NULL };
static const char *const province_keys[] = { "token", "token-sha256", NULL };
static const char *const ice_server_keys[] = { "urls", "username", "credential", NULL };
static const char *const viewer_keys[] = { "token", "token-sha256", "role", NULL };

typedef struct {
  GKeyFile *kf;
  const char *source;
  const char *base_dir;
  GError **error;
} Reader;

static gboolean
fail (Reader *r, const char *group, const char *key, const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (Reader *r, const char *group, const char *key, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (key)
    g_set_error (r->error, RELAY_CONFIG_ERROR, RELAY_CONFIG_ERROR_INVALID, "%s: [%s] %s: %s",
                 r->source, group, key, what);
  else
    g_set_error (r->error, RELAY_CONFIG_ERROR, RELAY_CONFIG_ERROR_INVALID, "%s: [%s]: %s",
                 r->source, group, what);
  return FALSE;
}

static gboolean
check_keys (Reader *r, const char *group, const char *const *allowed)
{
  g_auto (GStrv) keys = g_key_file_get_keys (r->kf, group, NULL, NULL);
  for (guint i = 0; keys && keys[i]; i++)
    if (!g_strv_contains (allowed, keys[i]))
      return fail (r, group, keys[i], "unknown key");
  return TRUE;
}

/* A string key; NULL (not an error) when absent or empty. */
static char *
get_string (Reader *r, const char *group, const char *key)
{
  if (!g_key_file_has_key (r->kf, group, key, NULL))
    return NULL;
  g_autofree char *value = g_key_file_get_string (r->kf, group, key, NULL);
  if (!value)
    return NULL;
  g_strstrip (value);
  if (*value == '\0')
    return NULL;
  return g_steal_pointer (&value);
}

static char *
get_path (Reader *r, const char *group, const char *key)
{
  g_autofree char *value = get_string (r, group, key);
  if (!value || g_path_is_absolute (value) || !r->base_dir)
    return g_steal_pointer (&value);
  return g_build_filename (r->base_dir, value, NULL);
}

static gboolean
get_uint (Reader *r, const char *group, const char *key, guint min, guint max, guint *out)
{
  g_autofree char *value = get_string (r, group, key);
  if (!value)
    return TRUE; /* keep the default */
  guint64 n;
  if (!g_ascii_string_to_unsigned (value, 10, min, max, &n, NULL))
    return fail (r, group, key, "\"%s\" is not a whole number from %u to %u", value, min, max);
  *out = (guint) n;
  return TRUE;
}

static gboolean
get_bool (Reader *r, const char *group, const char *key, gboolean *out)
{
  g_autofree char *value = get_string (r, group, key);
  if (!value)
    return TRUE;
  if (strcmp (value, "true") == 0)
    *out = TRUE;
  else if (strcmp (value, "false") == 0)
    *out = FALSE;
  else
    return fail (r, group, key, "\"%s\" is not true or false", value);
  return TRUE;
}

static char **
get_list (Reader *r, const char *group, const char *key)
{
  g_autofree char *value = get_string (r, group, key);
  if (!value)
    return g_new0 (char *, 1);
  g_auto (GStrv) parts = g_strsplit (value, ",", -1);
  GPtrArray *out = g_ptr_array_new ();
  for (guint i = 0; parts[i]; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i])
        g_ptr_array_add (out, g_strdup (parts[i]));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* Who may reach the relay, and from which pages: plain HTTP only on
 * loopback unless the config says otherwise, and the origins besides the
 * relay's own whose pages may open the events WebSocket. After tls-*. */
static gboolean
read_access_keys (Reader *r, RelayConfig *c)
{
  const char *g = "relay";
  if (!get_bool (r, g, "allow-insecure-http", &c->allow_insecure_http))
    return FALSE;
  /* Unset: this machine only, unless TLS protects the tokens on the way. */
  if (!c->http_address)
    c->http_address = g_strdup (c->tls_certificate ? "0.0.0.0" : "127.0.0.1");
  if (relay_config_plain_http_exposed (c) && !c->allow_insecure_http)
    return fail (r, g, "http-address",
                 "%s is reachable from other machines over plain HTTP, where every token "
                 "crosses the network in clear: set tls-certificate and tls-private-key, "
                 "listen on 127.0.0.1 (behind a TLS proxy on this machine), or set "
                 "allow-insecure-http=true to accept that",
                 c->http_address);
  g_auto (GStrv) origins = get_list (r, g, "allowed-origins");
  g_autoptr (GPtrArray) normalized = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; origins[i]; i++)
    {
      char *origin = relay_config_normalize_origin (origins[i]);
      if (!origin)
        return fail (r, g, "allowed-origins",
                     "\"%s\" is not an origin (http:// or https://, a host, an optional port, "
                     "nothing after)", origins[i]);
      g_ptr_array_add (normalized, origin);
    }
  g_ptr_array_add (normalized, NULL);
  g_strfreev (c->allowed_origins);
  c->allowed_origins = (char **) g_ptr_array_steal (normalized, NULL);
  return TRUE;
}

gboolean
relay_config_plain_http_exposed (const RelayConfig *c)
{
  if (c->tls_certificate)
    return FALSE;
  g_autoptr (GInetAddress) address = g_inet_address_new_from_string (c->http_address);
  return !address || !g_inet_address_get_is_loopback (address);
}

char *
relay_config_normalize_origin (const char *text)
{
  g_autoptr (GUri) uri = text ? g_uri_parse (text, G_URI_FLAGS_NONE, NULL) : NULL;
  if (!uri)
    return NULL;
  const char *host = g_uri_get_host (uri);
  const char *path = g_uri_get_path (uri);
  if (!host || !*host || g_uri_get_userinfo (uri) || g_uri_get_query (uri)
      || g_uri_get_fragment (uri) || (*path && strcmp (path, "/") != 0))
    return NULL;
  g_autofree char *scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  int port = g_uri_get_port (uri);
  if (strcmp (scheme, "http") == 0)
    port = port == -1 ? 80 : port;
  else if (strcmp (scheme, "https") == 0)
    port = port == -1 ? 443 : port;
  else
    return NULL;
  /* The port always written: "https://a.example" and "https://a.example:443"
   * are one origin. */
  g_autofree char *lower_host = g_ascii_strdown (host, -1);
  return g_uri_join (G_URI_FLAGS_NONE, scheme, NULL, lower_host, port, "", NULL, NULL);
}

static gboolean
read_relay_group (Reader *r, RelayConfig *c)
{
  const char *g = "relay";
  if (!check_keys (r, g, relay_keys))
    return FALSE;
  g_autofree char *addr = get_string (r, g, "http-address");
  if (addr)
    {
      if (!g_hostname_is_ip_address (addr))
        return fail (r, g, "http-address", "\"%s\" is not an IP address", addr);
      c->http_address = g_steal_pointer (&addr);
    }
  if (!get_uint (r, g, "http-port", 0, 65535, &c->http_port))
    return FALSE;
  char *dir = get_path (r, g, "data-dir");
  if (dir)
    {
      g_free (c->data_dir);
      c->data_dir = dir;
    }
  c->tls_certificate = get_path (r, g, "tls-certificate");
  c->tls_private_key = get_path (r, g, "tls-private-key");
  if ((c->tls_certificate == NULL) != (c->tls_private_key == NULL))
    return fail (r, g, c->tls_certificate ? "tls-private-key" : "tls-certificate",
                 "tls-certificate and tls-private-key must be set together");
  c->dtls_certificate = get_path (r, g, "dtls-certificate");
  c->dtls_private_key = get_path (r, g, "dtls-private-key");
  if ((c->dtls_certificate == NULL) != (c->dtls_private_key == NULL))
    return fail (r, g, c->dtls_certificate ? "dtls-private-key" : "dtls-certificate",
                 "dtls-certificate and dtls-private-key must be set together");
  if (!get_bool (r, g, "dev-tokens", &c->dev_tokens))
    return FALSE;
  if (!read_access_keys (r, c))
    return FALSE;

  g_autofree char *roster_path = get_path (r, g, "roster");
  g_autoptr (GBytes) roster_bytes = NULL;
  g_autofree char *roster_source = NULL;
  if (roster_path)
    {
      g_autoptr (GError) io_error = NULL;
      char *contents;
      gsize len;
      if (!g_file_get_contents (roster_path, &contents, &len, &io_error))
        return fail (r, g, "roster", "%s", io_error->message);
      roster_bytes = g_bytes_new_take (contents, len);
      roster_source = g_strdup (roster_path);
    }
  else
    {
      roster_bytes = g_resource_lookup_data (briefing_get_resource (), EMBEDDED_ROSTER, 0, NULL);
      roster_source = g_strdup ("<embedded roster>");
    }
  gsize len;
  const char *data = g_bytes_get_data (roster_bytes, &len);
  c->provinces = relay_roster_parse (data, len, roster_source, r->error);
  if (!c->provinces)
    return FALSE;
  for (guint i = 0; i < c->provinces->len; i++)
    {
      RelayOfficeConfig *p = c->provinces->pdata[i];
      g_hash_table_insert (c->by_code, p->code, p);
    }
  return TRUE;
}

static gboolean
read_http_group (Reader *r, RelayConfig *c)
{
  const char *g = "http";
  return check_keys (r, g, http_keys)
         && get_uint (r, g, "max-connections", 1, 65535, &c->http_max_connections)
         && get_uint (r, g, "max-connections-per-client", 1, 65535,
                      &c->http_max_connections_per_client)
         && get_uint (r, g, "idle-timeout-s", 1, 3600, &c->http_idle_timeout_s);
}

static gboolean
read_transport_group (Reader *r, RelayConfig *c)
{
  const char *g = "transport";
  if (!check_keys (r, g, transport_keys))
    return FALSE;
  if (!get_uint (r, g, "threads", 1, 64, &c->transport_threads)
      || !get_uint (r, g, "port-min", 0, 65535, &c->port_min)
      || !get_uint (r, g, "port-max", 0, 65535, &c->port_max))
    return FALSE;
  if (c->port_min > c->port_max || (c->port_min == 0) != (c->port_max == 0))
    return fail (r, g, "port-max", "port range %u-%u is not a range (set both, min <= max)",
                 c->port_min, c->port_max);
  g_strfreev (c->announced_addresses);
  c->announced_addresses = get_list (r, g, "announced-addresses");
  for (guint i = 0; c->announced_addresses[i]; i++)
    if (!g_hostname_is_ip_address (c->announced_addresses[i]))
      return fail (r, g, "announced-addresses", "\"%s\" is not an IP address",
                   c->announced_addresses[i]);
  g_strfreev (c->interfaces);
  c->interfaces = get_list (r, g, "interfaces");
  return TRUE;
}

/* [dtls]: renewal of the DTLS certificate (webrtc/dtls/dtls-identity.h). */
static const char *const dtls_keys[] = { "certificate-lifetime-s", "renew-before-s", NULL };

static gboolean
read_dtls_group (Reader *r, RelayConfig *c)
{
  const char *g = "dtls";
  if (!check_keys (r, g, dtls_keys)
      || !get_uint (r, g, "certificate-lifetime-s", 60, RELAY_DTLS_CERTIFICATE_MAX_LIFETIME_S,
                    &c->dtls_certificate_lifetime_s)
      || !get_uint (r, g, "renew-before-s", 0, RELAY_DTLS_CERTIFICATE_MAX_LIFETIME_S,
                    &c->dtls_renew_before_s))
    return FALSE;
  if (c->dtls_renew_before_s >= c->dtls_certificate_lifetime_s)
    return fail (r, g, "renew-before-s", "%u is not less than certificate-lifetime-s (%u)",
                 c->dtls_renew_before_s, c->dtls_certificate_lifetime_s);
  return TRUE;
}

static gboolean
read_media_group (Reader *r, RelayConfig *c)
{
  const char *g = "media";
  if (!check_keys (r, g, media_keys))
    return FALSE;
  g_auto (GStrv) codecs = get_list (r, g, "video-codecs");
  if (codecs[0])
    {
      guint n = 0;
      memset (c->sdp_policy.video_codecs, 0, sizeof c->sdp_policy.video_codecs);
      for (guint i = 0; codecs[i]; i++)
        {
          RelayCodec codec;
          if (g_ascii_strcasecmp (codecs[i], "VP8") == 0)
            codec = RELAY_CODEC_VP8;
          else if (g_ascii_strcasecmp (codecs[i], "H264") == 0)
            codec = RELAY_CODEC_H264;
          else
            return fail (r, g, "video-codecs", "unknown codec \"%s\" (VP8, H264)", codecs[i]);
          for (guint k = 0; k < n; k++)
            if (c->sdp_policy.video_codecs[k] == codec)
              return fail (r, g, "video-codecs", "codec \"%s\" listed twice", codecs[i]);
          c->sdp_policy.video_codecs[n++] = codec;
        }
    }
  if (!get_uint (r, g, "target-bitrate-kbps", 50, 20000, &c->target_bitrate_kbps)
      || !get_uint (r, g, "media-timeout-ms", 500, 60000, &c->media_timeout_ms)
      || !get_uint (r, g, "offline-grace-s", 1, 86400, &c->offline_grace_s))
    return FALSE;
  if (g_key_file_has_key (r->kf, g, "congestion-control", NULL))
    {
      g_auto (GStrv) cc = get_list (r, g, "congestion-control");
      c->sdp_policy.enable_twcc = FALSE;
      c->sdp_policy.enable_remb = FALSE;
      for (guint i = 0; cc[i]; i++)
        {
          if (strcmp (cc[i], "transport-cc") == 0)
            c->sdp_policy.enable_twcc = TRUE;
          else if (strcmp (cc[i], "goog-remb") == 0)
            c->sdp_policy.enable_remb = TRUE;
          else
            return fail (r, g, "congestion-control", "unknown \"%s\" (transport-cc, goog-remb)",
                         cc[i]);
        }
      if (!c->sdp_policy.enable_twcc && !c->sdp_policy.enable_remb)
        return fail (r, g, "congestion-control", "name at least one of transport-cc, goog-remb");
    }
  return TRUE;
}

static gboolean
read_mosaic_group (Reader *r, RelayConfig *c)
{
  const char *g = "mosaic";
  if (!check_keys (r, g, mosaic_keys))
    return FALSE;
  /* Even sizes: I420 halves both dimensions for chroma. */
  if (!get_uint (r, g, "width", 320, 3840, &c->mosaic_width)
      || !get_uint (r, g, "height", 180, 2160, &c->mosaic_height)
      || !get_uint (r, g, "framerate", 1, 60, &c->mosaic_framerate)
      || !get_uint (r, g, "bitrate-kbps", 100, 50000, &c->mosaic_bitrate_kbps))
    return FALSE;
  if (c->mosaic_width % 2 || c->mosaic_height % 2)
    return fail (r, g, c->mosaic_width % 2 ? "width" : "height", "must be even");
  if (g_key_file_has_key (r->kf, g, "order", NULL))
    {
      g_autofree char *order = g_key_file_get_string (r->kf, g, "order", NULL);
      g_strstrip (order);
      if (strcmp (order, "region") == 0)
        c->mosaic_order_by_region = TRUE;
      else if (strcmp (order, "roster") == 0)
        c->mosaic_order_by_region = FALSE;
      else
        return fail (r, g, "order", "unknown order \"%s\" (region, roster)", order);
    }
  if (g_key_file_has_key (r->kf, g, "codec", NULL))
    {
      g_autofree char *codec = g_key_file_get_string (r->kf, g, "codec", NULL);
      g_strstrip (codec);
      if (g_ascii_strcasecmp (codec, "H264") == 0)
        c->output_codec = RELAY_CODEC_H264;
      else if (g_ascii_strcasecmp (codec, "VP8") == 0)
        c->output_codec = RELAY_CODEC_VP8;
      else
        return fail (r, g, "codec", "unknown codec \"%s\" (H264, VP8)", codec);
    }
  return TRUE;
}

static gboolean
read_program_group (Reader *r, RelayConfig *c)
{
  const char *g = "program";
  if (!check_keys (r, g, program_keys))
    return FALSE;
  if (!get_uint (r, g, "width", 320, 3840, &c->program_width)
      || !get_uint (r, g, "height", 180, 2160, &c->program_height)
      || !get_uint (r, g, "bitrate-kbps", 100, 50000, &c->program_bitrate_kbps)
      || !get_uint (r, g, "audio-bitrate-kbps", 8, 256, &c->audio_bitrate_kbps))
    return FALSE;
  if (c->program_width % 2 || c->program_height % 2)
    return fail (r, g, c->program_width % 2 ? "width" : "height", "must be even");
  return TRUE;
}

/* token= (development) or token-sha256= (production), exactly one. */
static gboolean
read_token (Reader *r, const char *group, guint8 sha[32])
{
  g_autofree char *token = get_string (r, group, "token");
  g_autofree char *hash = get_string (r, group, "token-sha256");
  if (token && hash)
    return fail (r, group, "token", "set token or token-sha256, not both");
  if (token)
    {
      if (strlen (token) < RELAY_CONFIG_TOKEN_MIN_CHARS)
        return fail (r, group, "token", "a token needs at least 8 characters");
      relay_config_token_digest (token, sha);
      return TRUE;
    }
  if (hash)
    {
      if (!relay_config_parse_token_sha256 (hash, sha))
        return fail (r, group, "token-sha256", "expected 64 hexadecimal digits");
      return TRUE;
    }
  return fail (r, group, NULL, "needs token or token-sha256");
}

static gboolean
read_province_group (Reader *r, RelayConfig *c, const char *group, const char *code)
{
  if (!check_keys (r, group, province_keys))
    return FALSE;
  RelayOfficeConfig *p = g_hash_table_lookup (c->by_code, code);
  if (!p)
    return fail (r, group, NULL, "no province %s in the roster", code);
  if (!read_token (r, group, p->token_sha256))
    return FALSE;
  p->has_token = TRUE;
  return TRUE;
}

static gboolean
parse_role (const char *text, RelayViewerRole *role)
{
  static const char *const names[] = { "viewer", "minister", "chair" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (text, names[i]) == 0)
      {
        *role = (RelayViewerRole) i;
        return TRUE;
      }
  return FALSE;
}

const char *
relay_viewer_role_name (RelayViewerRole role)
{
  static const char *const names[] = { "viewer", "minister", "chair" };
  return names[role];
}

static void
viewer_free (RelayViewerConfig *v)
{
  g_free (v->name);
  g_free (v);
}

static gboolean
read_viewer_group (Reader *r, RelayConfig *c, const char *group, const char *name)
{
  if (!check_keys (r, group, viewer_keys))
    return FALSE;
  if (!*name || strchr (name, ' '))
    return fail (r, group, NULL, "a viewer name is one word");
  g_autofree char *role = get_string (r, group, "role");
  RelayViewerRole parsed;
  if (!role)
    return fail (r, group, "role", "missing (chair, minister or viewer)");
  if (!parse_role (role, &parsed))
    return fail (r, group, "role", "\"%s\" is not chair, minister or viewer", role);
  RelayViewerConfig *v = g_new0 (RelayViewerConfig, 1);
  v->name = g_strdup (name);
  v->role = parsed;
  if (!read_token (r, group, v->token_sha256))
    {
      viewer_free (v);
      return FALSE;
    }
  g_ptr_array_add (c->viewers, v);
  return TRUE;
}

static gboolean
read_ice_server_group (Reader *r, RelayConfig *c, const char *group)
{
  if (!check_keys (r, group, ice_server_keys))
    return FALSE;
  g_autofree char *urls = get_string (r, group, "urls");
  if (!urls)
    return fail (r, group, "urls", "missing");
  if (!g_str_has_prefix (urls, "stun:") && !g_str_has_prefix (urls, "turn:")
      && !g_str_has_prefix (urls, "turns:"))
    return fail (r, group, "urls", "\"%s\" is not a stun:, turn: or turns: URL", urls);
  if (strpbrk (urls, "<>\"\r\n"))
    return fail (r, group, "urls", "contains characters not allowed in a URL");
  RelayIceServer *s = g_new0 (RelayIceServer, 1);
  s->urls = g_steal_pointer (&urls);
  s->username = get_string (r, group, "username");
  s->credential = get_string (r, group, "credential");
  g_ptr_array_add (c->ice_servers, s);
  return TRUE;
}

static void
ice_server_free (RelayIceServer *s)
{
  g_free (s->urls);
  g_free (s->username);
  g_free (s->credential);
  g_free (s);
}
/* [ingest]: what one office may send (webrtc/peer/ingest-policer.h). Below
 * 1,200 bytes browsers' own packets would be refused; above 1,500 no viewer
 * would be sent them anyway. */
static gboolean
read_ingest_group (Reader *r, RelayConfig *c)
{
  const char *g = "ingest";
  RelayIngestLimits *l = &c->ingest;
  return check_keys (r, g, ingest_keys)
         && get_uint (r, g, "max-rtp-size", 1200, RELAY_INGEST_MAX_RTP_SIZE_LIMIT, &l->max_rtp_size)
         && get_uint (r, g, "max-width", 16, 8192, &l->max_width)
         && get_uint (r, g, "max-height", 16, 8192, &l->max_height)
         && get_uint (r, g, "max-framerate", 1, 240, &l->max_framerate)
         && get_uint (r, g, "over-limit-grace-s", 1, 600, &l->grace_s);
}

static RelayConfig *
config_new_defaults (const char *source)
{
  RelayConfig *c = g_new0 (RelayConfig, 1);
  c->source = g_strdup (source);
  c->http_port = 8080;
  c->allowed_origins = g_new0 (char *, 1);
  c->data_dir = g_strdup ("var");
  c->dev_tokens = TRUE;
  c->http_max_connections = 1024;
  c->http_max_connections_per_client = 256;
  c->http_idle_timeout_s = 30;
  c->transport_threads = 2;
  c->dtls_certificate_lifetime_s = RELAY_DTLS_CERTIFICATE_LIFETIME_S;
  c->dtls_renew_before_s = 7 * 24 * 3600;
  c->announced_addresses = g_new0 (char *, 1);
  c->interfaces = g_new0 (char *, 1);
  c->ice_servers = g_ptr_array_new_with_free_func ((GDestroyNotify) ice_server_free);
  relay_sdp_policy_init_default (&c->sdp_policy);
  c->target_bitrate_kbps = 600;
  c->media_timeout_ms = 3000;
  c->offline_grace_s = 30;
  relay_ingest_limits_init_default (&c->ingest);
  c->output_codec = RELAY_CODEC_H264;
  c->mosaic_width = 1920;
  c->mosaic_height = 1080;
  c->mosaic_framerate = 15;
  c->mosaic_bitrate_kbps = 3000;
  c->mosaic_order_by_region = TRUE;
  c->program_width = 1280;
  c->program_height = 720;
  c->program_bitrate_kbps = 1500;
  c->audio_bitrate_kbps = 32;
  c->by_code = g_hash_table_new (g_str_hash, g_str_equal);
  c->viewers = g_ptr_array_new_with_free_func ((GDestroyNotify) viewer_free);
  c->figures = relay_figures_schema_new ();
  c->webhooks = relay_webhook_configs_new ();
  relay_briefing_config_init (&c->briefing, &c->recording);
  relay_limits_config_init (&c->limits);
  relay_metrics_config_init (&c->metrics);
  return c;
}

RelayConfig *
relay_config_load_data (const char *data, gsize len, const char *source, const char *base_dir,
                        GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) parse_error = NULL;
  if (!g_key_file_load_from_data (kf, data, len, G_KEY_FILE_NONE, &parse_error))
    {
      g_set_error (error, RELAY_CONFIG_ERROR, RELAY_CONFIG_ERROR_INVALID, "%s: %s", source,
                   parse_error->message);
      return NULL;
    }
  g_autoptr (RelayConfig) c = config_new_defaults (source);
  Reader r = { kf, source, base_dir, error };

  /* [relay] first: it loads the roster the province groups refer to. */
  if (!read_relay_group (&r, c))
    return NULL;
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i]; i++)
    {
      const char *g = groups[i];
      gboolean ok;
      if (strcmp (g, "relay") == 0)
        ok = TRUE;
      else if (strcmp (g, "http") == 0)
        ok = read_http_group (&r, c);
      else if (strcmp (g, "transport") == 0)
        ok = read_transport_group (&r, c);
      else if (strcmp (g, "dtls") == 0)
        ok = read_dtls_group (&r, c);
      else if (strcmp (g, "media") == 0)
        ok = read_media_group (&r, c);
      else if (strcmp (g, "mosaic") == 0)
        ok = read_mosaic_group (&r, c);
      else if (strcmp (g, "program") == 0)
        ok = read_program_group (&r, c);
      else if (strcmp (g, "ingest") == 0)
        ok = read_ingest_group (&r, c);
      else if (g_str_has_prefix (g, "province "))
        ok = read_province_group (&r, c, g, g + strlen ("province "));
      else if (g_str_has_prefix (g, "ice-server "))
        ok = read_ice_server_group (&r, c, g);
      else if (g_str_has_prefix (g, "viewer "))
        ok = read_viewer_group (&r, c, g, g + strlen ("viewer "));
      else if (g_str_has_prefix (g, "figure "))
        ok = relay_figures_schema_add_group (c->figures, kf, source, g, error);
      else if (g_str_has_prefix (g, "figure-rule "))
        ok = relay_figures_schema_add_rule_group (c->figures, kf, source, g, error);
      else if (g_str_has_prefix (g, "webhook "))
        ok = relay_webhook_config_add_group (c->webhooks, kf, source, base_dir, g, error);
      else if (strcmp (g, "briefing") == 0)
        ok = relay_briefing_config_read (&c->briefing, kf, source, error);
      else if (strcmp (g, "recording") == 0)
        ok = relay_recording_config_read (&c->recording, kf, source, error);
      else if (strcmp (g, "limits") == 0)
        ok = relay_limits_config_read (&c->limits, kf, source, error);
      else if (strcmp (g, "metrics") == 0)
        ok = relay_metrics_config_read (&c->metrics, kf, source, error);
      else
        ok = fail (&r, g, NULL, "unknown group");
      if (!ok)
        return NULL;
    }
  if (!relay_figures_schema_finish (c->figures, error))
    return NULL;
  return g_steal_pointer (&c);
}

RelayConfig *
relay_config_load (const char *path, GError **error)
{
  if (!path)
    {
      g_autoptr (GBytes) bytes
          = g_resource_lookup_data (briefing_get_resource (), EMBEDDED_CONFIG, 0, NULL);
      gsize len;
      const char *data = g_bytes_get_data (bytes, &len);
      return relay_config_load_data (data, len, "<embedded relay.ini>", NULL, error);
    }
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr (GError) io_error = NULL;
  if (!g_file_get_contents (path, &contents, &len, &io_error))
    {
      g_set_error (error, RELAY_CONFIG_ERROR, RELAY_CONFIG_ERROR_INVALID, "%s: %s", path,
                   io_error->message);
      return NULL;
    }
  g_autofree char *dir = g_path_get_dirname (path);
  return relay_config_load_data (contents, len, path, dir, error);
}

void
relay_config_free (RelayConfig *c)
{
  if (!c)
    return;
  g_free (c->source);
  g_free (c->http_address);
  g_strfreev (c->allowed_origins);
  g_free (c->data_dir);
  g_free (c->tls_certificate);
  g_free (c->tls_private_key);
  g_free (c->dtls_certificate);
  g_free (c->dtls_private_key);
  g_strfreev (c->announced_addresses);
  g_strfreev (c->interfaces);
  g_clear_pointer (&c->ice_servers, g_ptr_array_unref);
  g_clear_pointer (&c->viewers, g_ptr_array_unref);
  g_clear_pointer (&c->by_code, g_hash_table_unref);
  g_clear_pointer (&c->provinces, g_ptr_array_unref);
  g_clear_pointer (&c->figures, relay_figures_schema_free);
  g_clear_pointer (&c->webhooks, g_ptr_array_unref);
  relay_briefing_config_clear (&c->briefing);
  relay_metrics_config_clear (&c->metrics);
  g_free (c);
}

RelayOfficeConfig *
relay_config_find_province (RelayConfig *config, const char *code)
{
  return code ? g_hash_table_lookup (config->by_code, code) : NULL;
}

const RelayViewerConfig *
relay_config_find_viewer (RelayConfig *config, const char *token)
{
  if (!token)
    return NULL;
  guint8 digest[32];
  relay_config_token_digest (token, digest);
  for (guint i = 0; i < config->viewers->len; i++)
    {
      RelayViewerConfig *v = config->viewers->pdata[i];
      if (CRYPTO_memcmp (digest, v->token_sha256, 32) == 0)
        return v;
    }
  return NULL;
}

gboolean
relay_office_config_check_token (const RelayOfficeConfig *province, const char *token)
{
  if (!province->has_token || !token)
    return FALSE;
  guint8 digest[32];
  relay_config_token_digest (token, digest);
  return CRYPTO_memcmp (digest, province->token_sha256, 32) == 0;
}
