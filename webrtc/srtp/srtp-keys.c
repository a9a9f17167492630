#include "webrtc/srtp/srtp-keys.h"

#include <openssl/crypto.h>

/* Names as registered by RFC 5764 / RFC 7714, so they read the same in our
 * logs as in OpenSSL's and the browsers' diagnostics. */
const char *
relay_srtp_profile_name (RelaySrtpProfile profile)
{
  switch (profile)
    {
    case RELAY_SRTP_PROFILE_AES128_CM_SHA1_80:
      return "AES_CM_128_HMAC_SHA1_80";
    case RELAY_SRTP_PROFILE_AEAD_AES_128_GCM:
      return "AEAD_AES_128_GCM";
    case RELAY_SRTP_PROFILE_NONE:
    default:
      return "NONE";
    }
}

void
relay_srtp_keys_clear (RelaySrtpKeys *keys)
{
  if (keys != NULL)
    OPENSSL_cleanse (keys, sizeof *keys);
}
