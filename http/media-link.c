#include "http/media-link.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

#define KEY_BYTES 32
/* Scopes are "all" or an office code (TH-10-52 is the longest). */
#define MAX_SCOPE 32

struct _RelayMediaLinks {
  guint8 key[KEY_BYTES];
};

RelayMediaLinks *
relay_media_links_new (void)
{
  RelayMediaLinks *links = g_new0 (RelayMediaLinks, 1);
  if (RAND_bytes (links->key, KEY_BYTES) != 1)
    g_error ("media links: no randomness from OpenSSL");
  return links;
}

void
relay_media_links_free (RelayMediaLinks *links)
{
  if (!links)
    return;
  OPENSSL_cleanse (links->key, KEY_BYTES);
  g_free (links);
}

static char *
signature (RelayMediaLinks *links, const char *path, const char *scope, gint64 expires)
{
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, links->key, KEY_BYTES);
  g_autofree char *text = g_strdup_printf ("%s\n%s\n%" G_GINT64_FORMAT, path, scope, expires);
  g_hmac_update (hmac, (const guchar *) text, (gssize) strlen (text));
  return g_strdup (g_hmac_get_string (hmac));
}

char *
relay_media_links_sign (RelayMediaLinks *links, const char *path, const char *scope)
{
  gint64 expires = g_get_real_time () / G_USEC_PER_SEC + RELAY_MEDIA_LINK_TTL_S;
  g_autofree char *sig = signature (links, path, scope, expires);
  g_autofree char *escaped = g_uri_escape_string (scope, NULL, FALSE);
  return g_strdup_printf ("%s?scope=%s&expires=%" G_GINT64_FORMAT "&sig=%s", path, escaped,
                          expires, sig);
}

RelayMediaLinkResult
relay_media_links_verify (RelayMediaLinks *links, const char *path, GHashTable *query,
                          const char **scope)
{
  const char *sig = query ? g_hash_table_lookup (query, "sig") : NULL;
  if (!sig)
    return RELAY_MEDIA_LINK_ABSENT;
  const char *s = g_hash_table_lookup (query, "scope");
  const char *e = g_hash_table_lookup (query, "expires");
  guint64 expires;
  if (!s || !e || strlen (s) > MAX_SCOPE || strlen (sig) != 64
      || !g_ascii_string_to_unsigned (e, 10, 0, G_MAXINT64, &expires, NULL))
    return RELAY_MEDIA_LINK_INVALID;
  g_autofree char *want = signature (links, path, s, (gint64) expires);
  if (CRYPTO_memcmp (want, sig, 64) != 0)
    return RELAY_MEDIA_LINK_INVALID;
  if ((gint64) expires < g_get_real_time () / G_USEC_PER_SEC)
    return RELAY_MEDIA_LINK_EXPIRED;
  *scope = s;
  return RELAY_MEDIA_LINK_VALID;
}
