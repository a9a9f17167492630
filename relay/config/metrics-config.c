#include "relay/config/metrics-config.h"

#include <openssl/crypto.h>
#include <string.h>

#include "relay/config/config-token.h"
#include "relay/config/config-group.h"

static const char *const metrics_keys[] = { "token", "token-sha256", "allowed-addresses", NULL };

void
relay_metrics_config_init (RelayMetricsConfig *m)
{
  memset (m, 0, sizeof *m);
  m->allowed = g_ptr_array_new_with_free_func (g_object_unref);
}

void
relay_metrics_config_clear (RelayMetricsConfig *m)
{
  g_clear_pointer (&m->allowed, g_ptr_array_unref);
  OPENSSL_cleanse (m->token_sha256, sizeof m->token_sha256);
  m->has_token = FALSE;
}

static gboolean
read_token (RelayConfigGroup *g, RelayMetricsConfig *m)
{
  g_autofree char *token = relay_config_group_get_string (g, "token");
  g_autofree char *hash = relay_config_group_get_string (g, "token-sha256");
  if (token && hash)
    return relay_config_group_fail (g, "token", "set token or token-sha256, not both");
  if (token)
    {
      if (strlen (token) < RELAY_CONFIG_TOKEN_MIN_CHARS)
        return relay_config_group_fail (g, "token", "a token needs at least %d characters",
                                        RELAY_CONFIG_TOKEN_MIN_CHARS);
      relay_config_token_digest (token, m->token_sha256);
      m->has_token = TRUE;
    }
  else if (hash)
    {
      if (!relay_config_parse_token_sha256 (hash, m->token_sha256))
        return relay_config_group_fail (g, "token-sha256", "expected 64 hexadecimal digits");
      m->has_token = TRUE;
    }
  return TRUE;
}

static gboolean
read_addresses (RelayConfigGroup *g, RelayMetricsConfig *m)
{
  g_autofree char *value = relay_config_group_get_string (g, "allowed-addresses");
  if (!value)
    return TRUE;
  g_auto (GStrv) items = g_strsplit (value, ",", -1);
  for (guint i = 0; items[i]; i++)
    {
      const char *item = g_strstrip (items[i]);
      if (!*item)
        continue;
      g_autoptr (GError) error = NULL;
      GInetAddressMask *mask = g_inet_address_mask_new_from_string (item, &error);
      if (!mask)
        return relay_config_group_fail (g, "allowed-addresses",
                                        "\"%s\" is not an address or a CIDR range "
                                        "(192.0.2.10, 10.8.0.0/16, 2001:db8::/48): %s",
                                        item, error->message);
      g_ptr_array_add (m->allowed, mask);
    }
  return TRUE;
}

gboolean
relay_metrics_config_read (RelayMetricsConfig *m, GKeyFile *kf, const char *source,
                           GError **error)
{
  RelayConfigGroup g = { kf, source, "metrics", error };
  if (!relay_config_group_check_keys (&g, metrics_keys) || !read_token (&g, m)
      || !read_addresses (&g, m))
    return FALSE;
  /* A group that lets nobody in is a mistake worth stopping for. */
  if (!m->has_token && m->allowed->len == 0)
    return relay_config_group_fail (&g, NULL, "needs token, token-sha256 or allowed-addresses");
  return TRUE;
}

gboolean
relay_metrics_config_check_token (const RelayMetricsConfig *m, const char *token)
{
  if (!m->has_token || !token)
    return FALSE;
  guint8 digest[32];
  relay_config_token_digest (token, digest);
  return CRYPTO_memcmp (digest, m->token_sha256, sizeof digest) == 0;
}

/* ::ffff:a.b.c.d as a.b.c.d: a relay listening on :: sees IPv4 clients so. */
static GInetAddress *
unmapped (GInetAddress *address)
{
  if (g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
    return g_object_ref (address);
  const guint8 *b = g_inet_address_to_bytes (address);
  static const guint8 prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  if (memcmp (b, prefix, sizeof prefix) != 0)
    return g_object_ref (address);
  return g_inet_address_new_from_bytes (b + 12, G_SOCKET_FAMILY_IPV4);
}

gboolean
relay_metrics_config_address_allowed (const RelayMetricsConfig *m, const char *address)
{
  if (!address || m->allowed->len == 0)
    return FALSE;
  g_autoptr (GInetAddress) parsed = g_inet_address_new_from_string (address);
  if (!parsed)
    return FALSE;
  g_autoptr (GInetAddress) inet = unmapped (parsed);
  for (guint i = 0; i < m->allowed->len; i++)
    if (g_inet_address_mask_matches (m->allowed->pdata[i], inet))
      return TRUE;
  return FALSE;
}
