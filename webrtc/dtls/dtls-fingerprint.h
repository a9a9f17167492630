/* Certificate fingerprints as SDP carries them (RFC 8122 a=fingerprint:
 * "<hash function> <hex octets with colons>"): which hash functions the
 * relay accepts, and whether a certificate matches an offered set. Pure
 * functions over their arguments; any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Digest length in bytes of a hash function the relay accepts in a
 * fingerprint: sha-224, sha-256, sha-384, sha-512 (any case). 0 for every
 * other name, sha-1 and md5 included: a fingerprint is only as strong as
 * the weakest hash that may match, so weak ones are ignored. */
guint relay_dtls_fingerprint_hash_len (const char *hash_name);

/* "sha-256, sha-384, sha-512, sha-224", for refusal reasons. */
const char *relay_dtls_fingerprint_supported_hashes (void);

/* TRUE when value is exactly `len` hex octets separated by colons. */
gboolean relay_dtls_fingerprint_value_ok (const char *value, guint len);

/* "AB:CD:..." (upper case) digest of the certificate's DER encoding with
 * an accepted hash function; NULL for other names or if OpenSSL fails. */
char *relay_dtls_fingerprint_of_x509_with (gpointer x509, const char *hash_name);

/* TRUE when the certificate (X509 *) matches at least one entry of
 * fingerprints ("<hash> <value>", NULL-terminated; NULL is empty). Entries
 * with a hash the relay does not accept, or a malformed value, never
 * match; they are not an error. */
gboolean relay_dtls_fingerprint_matches (gpointer x509, const char *const *fingerprints);

G_END_DECLS
