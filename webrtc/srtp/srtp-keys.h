/* Keying material exported from DTLS-SRTP (RFC 5764), already split into
 * the local (our sending) and remote (their sending) master key + salt.
 * Plain data, any thread. Whoever holds a copy wipes it with
 * relay_srtp_keys_clear once done: libsrtp keeps its own expanded keys,
 * and a master key left in freed or stack memory outlives the session. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  RELAY_SRTP_PROFILE_NONE = 0,
  RELAY_SRTP_PROFILE_AES128_CM_SHA1_80 = 0x0001,
  RELAY_SRTP_PROFILE_AEAD_AES_128_GCM = 0x0007,
} RelaySrtpProfile;

#define RELAY_SRTP_MAX_KEY_SALT_LEN 30 /* 16-byte key + 14-byte salt */

typedef struct {
  RelaySrtpProfile profile;
  guint key_salt_len; /* 30 for AES128_CM_SHA1_80, 28 for AEAD_AES_128_GCM */
  guint8 local_key_salt[RELAY_SRTP_MAX_KEY_SALT_LEN];
  guint8 remote_key_salt[RELAY_SRTP_MAX_KEY_SALT_LEN];
} RelaySrtpKeys;

const char *relay_srtp_profile_name (RelaySrtpProfile profile);

/* Wipes keys (OPENSSL_cleanse, which the compiler may not drop as a dead
 * store): profile NONE, no key material. */
void relay_srtp_keys_clear (RelaySrtpKeys *keys);

G_END_DECLS
