/* Unguessable identifiers (session ids, ETags) and SSRCs, from OpenSSL's
 * CSPRNG: a session URL is a capability, so its id must not be guessable. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `bytes` random bytes (at most 32) as lower-case hex. */
char *relay_random_hex (guint bytes);
/* A random non-zero 32-bit SSRC. */
guint32 relay_random_ssrc (void);

G_END_DECLS
