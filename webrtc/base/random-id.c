#include "webrtc/base/random-id.h"

#include <openssl/rand.h>

char *
relay_random_hex (guint bytes)
{
  guint8 raw[32];
  g_return_val_if_fail (bytes <= sizeof raw, NULL);
  if (RAND_bytes (raw, bytes) != 1)
    g_error ("the system has no randomness to give");
  GString *s = g_string_sized_new (bytes * 2);
  for (guint i = 0; i < bytes; i++)
    g_string_append_printf (s, "%02x", raw[i]);
  return g_string_free (s, FALSE);
}

guint32
relay_random_ssrc (void)
{
  guint32 ssrc = 0;
  while (ssrc == 0)
    if (RAND_bytes ((guint8 *) &ssrc, sizeof ssrc) != 1)
      g_error ("the system has no randomness to give");
  return ssrc;
}
