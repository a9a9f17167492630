#include "relay/config/config-token.h"

#include <openssl/evp.h>
#include <string.h>

gboolean
relay_config_parse_token_sha256 (const char *hex, guint8 out[32])
{
  if (strlen (hex) != 64)
    return FALSE;
  for (guint i = 0; i < 32; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);
      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

void
relay_config_token_digest (const char *token, guint8 out[32])
{
  unsigned int len = 32;
  EVP_Digest (token, strlen (token), out, &len, EVP_sha256 (), NULL);
}
