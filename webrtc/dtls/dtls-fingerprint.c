#include "webrtc/dtls/dtls-fingerprint.h"

#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

typedef struct {
  const char *name; /* as registered for SDP (RFC 8122 section 5) */
  guint len;
  const EVP_MD *(*md) (void);
} HashFunction;

/* The SHA-2 family only. RFC 8122 asks an endpoint to check the offered
 * set of its most preferred hash; with no weak hash in this table any
 * accepted one is strong enough, so a match on any of them authenticates. */
static const HashFunction hash_functions[] = {
  { "sha-256", 32, EVP_sha256 },
  { "sha-384", 48, EVP_sha384 },
  { "sha-512", 64, EVP_sha512 },
  { "sha-224", 28, EVP_sha224 },
};

static const HashFunction *
find_hash (const char *name)
{
  if (name == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (hash_functions); i++)
    if (g_ascii_strcasecmp (name, hash_functions[i].name) == 0)
      return &hash_functions[i];
  return NULL;
}

guint
relay_dtls_fingerprint_hash_len (const char *hash_name)
{
  const HashFunction *h = find_hash (hash_name);
  return h != NULL ? h->len : 0;
}

const char *
relay_dtls_fingerprint_supported_hashes (void)
{
  return "sha-256, sha-384, sha-512, sha-224";
}

/* Reads "AB:cd:..." of exactly len octets into out. */
static gboolean
parse_value (const char *value, guint len, guint8 *out)
{
  if (value == NULL || len == 0 || strlen (value) != (gsize) len * 3 - 1)
    return FALSE;
  for (guint i = 0; i < len; i++)
    {
      const char *o = value + i * 3;
      int hi = g_ascii_xdigit_value (o[0]);
      int lo = g_ascii_xdigit_value (o[1]);

      if (hi < 0 || lo < 0 || (i + 1 < len && o[2] != ':'))
        return FALSE;
      if (out != NULL)
        out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

gboolean
relay_dtls_fingerprint_value_ok (const char *value, guint len)
{
  return parse_value (value, len, NULL);
}

/* X509_digest hashes the DER encoding, as RFC 8122 requires. */
static gboolean
digest (gpointer x509, const HashFunction *h, guint8 md[EVP_MAX_MD_SIZE])
{
  unsigned int md_len = 0;

  if (!X509_digest (x509, h->md (), md, &md_len) || md_len != h->len)
    {
      ERR_clear_error ();
      return FALSE;
    }
  return TRUE;
}

char *
relay_dtls_fingerprint_of_x509_with (gpointer x509, const char *hash_name)
{
  const HashFunction *h = find_hash (hash_name);
  guint8 md[EVP_MAX_MD_SIZE];
  GString *out;

  g_return_val_if_fail (x509 != NULL, NULL);
  if (h == NULL || !digest (x509, h, md))
    return NULL;
  out = g_string_sized_new (h->len * 3);
  for (guint i = 0; i < h->len; i++)
    g_string_append_printf (out, i == 0 ? "%02X" : ":%02X", md[i]);
  return g_string_free (out, FALSE);
}

gboolean
relay_dtls_fingerprint_matches (gpointer x509, const char *const *fingerprints)
{
  /* Each hash function's digest is computed once, however many entries
   * use it. */
  guint8 digests[G_N_ELEMENTS (hash_functions)][EVP_MAX_MD_SIZE];
  gint8 state[G_N_ELEMENTS (hash_functions)] = { 0 }; /* 0 unknown, 1 ok, -1 failed */

  if (x509 == NULL || fingerprints == NULL)
    return FALSE;
  for (guint i = 0; fingerprints[i] != NULL; i++)
    {
      g_auto (GStrv) parts = g_strsplit_set (fingerprints[i], " \t", 2);
      const HashFunction *h;
      guint8 expected[EVP_MAX_MD_SIZE];
      guint k;

      if (parts[0] == NULL || parts[1] == NULL || (h = find_hash (parts[0])) == NULL)
        continue;
      if (!parse_value (g_strstrip (parts[1]), h->len, expected))
        continue;
      k = (guint) (h - hash_functions);
      if (state[k] == 0)
        state[k] = digest (x509, h, digests[k]) ? 1 : -1;
      if (state[k] == 1 && memcmp (digests[k], expected, h->len) == 0)
        return TRUE;
    }
  return FALSE;
}
