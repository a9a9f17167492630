/* Internal to relay/dtls: the write side of a DTLS transport's SSL, as an
 * OpenSSL BIO that hands each write to a callback as one datagram. */
#pragma once

#include <glib.h>
#include <openssl/bio.h>

G_BEGIN_DECLS

/* The link MTU the BIO reports to OpenSSL; fits an ICE/TURN path. */
#define RELAY_DTLS_MTU 1200

typedef void (*RelayDtlsBioWriteFunc) (const guint8 *data, gsize len, gpointer user_data);

/* Returns a BIO with a reference the caller owns (SSL_set_bio takes it). */
BIO *relay_dtls_bio_new (RelayDtlsBioWriteFunc func, gpointer user_data, GError **error);

G_END_DECLS
