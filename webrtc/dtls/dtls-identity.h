/* The relay's DTLS identity over time: which certificate a new session is
 * answered with, and its renewal before it expires.
 *
 * A generated certificate is replaced by a freshly generated one once less
 * than renew_before_s of its validity remains. A configured one
 * (dtls-certificate / dtls-private-key) is read again from its files then,
 * at most once a minute, and taken when the files hold a certificate that
 * expires later (an operator renews it by replacing the files; no restart).
 * The check is made when a session asks for the certificate, so an idle
 * relay does no work and the first session after the margin gets a fresh
 * one.
 *
 * Sessions hold their own reference to the certificate they were answered
 * with: the fingerprint in their answer stays true, and their DTLS goes on
 * with it, while new sessions get the new one.
 *
 * Thread-safe (one lock); in the relay it is asked on the main thread by
 * the WHIP and WHEP endpoints. Owns the current certificate. */
#pragma once

#include <glib.h>
#include "webrtc/dtls/dtls-certificate.h"

G_BEGIN_DECLS

typedef struct _RelayDtlsIdentity RelayDtlsIdentity;

/* How long a configured certificate's files are left alone after a read
 * that brought no later certificate. */
#define RELAY_DTLS_IDENTITY_RELOAD_INTERVAL_S 60

typedef struct {
  const char *certificate_path; /* PEM; NULL: generate */
  const char *private_key_path; /* PEM; set with certificate_path */
  guint64 lifetime_s;     /* generated certificates' validity (notAfter - now) */
  guint64 renew_before_s; /* renew when less than this remains; < lifetime_s */
  /* The wall clock in microseconds since the Unix epoch; NULL:
   * g_get_real_time. Tests pass their own to reach a renewal without
   * waiting; generated certificates are dated by it. */
  gint64 (*now) (void);
} RelayDtlsIdentitySettings;

/* Generates or loads the first certificate; NULL and the error when that
 * fails. Strings are copied. */
RelayDtlsIdentity *relay_dtls_identity_new (const RelayDtlsIdentitySettings *settings,
                                            GError **error);
void relay_dtls_identity_free (RelayDtlsIdentity *identity);

/* The certificate for a new session, a new reference: renewed first when
 * less than renew_before_s of the current one's validity remains. If
 * renewal fails, the current certificate is returned (and the failure
 * logged): a relay keeps answering with an old certificate rather than
 * not at all. */
RelayDtlsCertificate *relay_dtls_identity_dup_current (RelayDtlsIdentity *identity);

/* How many times the certificate was replaced. */
guint relay_dtls_identity_get_renewals (RelayDtlsIdentity *identity);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayDtlsIdentity, relay_dtls_identity_free)

G_END_DECLS
