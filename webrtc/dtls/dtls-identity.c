#include "webrtc/dtls/dtls-identity.h"

#include "webrtc/base/log.h"

struct _RelayDtlsIdentity {
  GMutex lock; /* guards everything below */
  RelayDtlsCertificate *current;
  char *certificate_path; /* NULL: generated */
  char *private_key_path;
  guint64 lifetime_s;
  guint64 renew_before_s;
  gint64 (*now) (void);
  /* Not before this (Unix time) is another renewal tried: after a failed
   * generation, or a read of the configured files that brought nothing
   * later. Keeps a failing renewal from running on every request. */
  gint64 next_attempt_s;
  guint renewals;
};

static gint64
now_s (RelayDtlsIdentity *self)
{
  return self->now () / G_USEC_PER_SEC;
}

static RelayDtlsCertificate *
make_certificate (RelayDtlsIdentity *self, gint64 now, GError **error)
{
  if (self->certificate_path != NULL)
    return relay_dtls_certificate_load (self->certificate_path, self->private_key_path, error);
  return relay_dtls_certificate_generate_at (now, self->lifetime_s, error);
}

RelayDtlsIdentity *
relay_dtls_identity_new (const RelayDtlsIdentitySettings *settings, GError **error)
{
  RelayDtlsIdentity *self;

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail ((settings->certificate_path == NULL)
                        == (settings->private_key_path == NULL), NULL);
  g_return_val_if_fail (settings->lifetime_s > 0
                        && settings->lifetime_s <= RELAY_DTLS_CERTIFICATE_MAX_LIFETIME_S, NULL);
  g_return_val_if_fail (settings->renew_before_s < settings->lifetime_s, NULL);

  self = g_new0 (RelayDtlsIdentity, 1);
  g_mutex_init (&self->lock);
  self->certificate_path = g_strdup (settings->certificate_path);
  self->private_key_path = g_strdup (settings->private_key_path);
  self->lifetime_s = settings->lifetime_s;
  self->renew_before_s = settings->renew_before_s;
  self->now = settings->now != NULL ? settings->now : g_get_real_time;
  self->current = make_certificate (self, now_s (self), error);
  if (self->current == NULL)
    {
      relay_dtls_identity_free (self);
      return NULL;
    }
  return self;
}

void
relay_dtls_identity_free (RelayDtlsIdentity *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->current, relay_dtls_certificate_unref);
  g_free (self->certificate_path);
  g_free (self->private_key_path);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* Called with the lock held, once less than renew_before_s remains. */
static void
renew (RelayDtlsIdentity *self, gint64 now)
{
  g_autoptr (GError) error = NULL;
  RelayDtlsCertificate *next;
  gint64 expires = relay_dtls_certificate_get_not_after (self->current);

  if (now < self->next_attempt_s)
    return;
  self->next_attempt_s = now + RELAY_DTLS_IDENTITY_RELOAD_INTERVAL_S;
  next = make_certificate (self, now, &error);
  if (next == NULL)
    {
      relay_warn (NULL, "DTLS certificate not renewed (the current one expires in %" G_GINT64_FORMAT
                  " s): %s", expires - now, error->message);
      return;
    }
  /* Configured files that still hold the same certificate, or an older
   * one: nothing to take. */
  if (relay_dtls_certificate_get_not_after (next) <= expires)
    {
      relay_warn (NULL, "DTLS certificate %s expires in %" G_GINT64_FORMAT " s and the file "
                  "holds none valid for longer; read again in %d s", self->certificate_path,
                  expires - now, RELAY_DTLS_IDENTITY_RELOAD_INTERVAL_S);
      relay_dtls_certificate_unref (next);
      return;
    }
  relay_info (NULL, "DTLS certificate renewed (%" G_GINT64_FORMAT " s were left): fingerprint "
              "sha-256 %s, valid for %" G_GINT64_FORMAT " s; sessions under way keep %s",
              expires - now, relay_dtls_certificate_get_fingerprint (next),
              relay_dtls_certificate_get_not_after (next) - now,
              relay_dtls_certificate_get_fingerprint (self->current));
  /* Sessions hold their own references: the old one lives while they do. */
  relay_dtls_certificate_unref (self->current);
  self->current = next;
  self->next_attempt_s = 0;
  self->renewals++;
}

RelayDtlsCertificate *
relay_dtls_identity_dup_current (RelayDtlsIdentity *self)
{
  RelayDtlsCertificate *cert;
  gint64 now;

  g_return_val_if_fail (self != NULL, NULL);
  g_mutex_lock (&self->lock);
  now = now_s (self);
  /* Written so that it cannot overflow: not_after - now < renew_before. */
  if (relay_dtls_certificate_get_not_after (self->current) - now < (gint64) self->renew_before_s)
    renew (self, now);
  cert = relay_dtls_certificate_ref (self->current);
  g_mutex_unlock (&self->lock);
  return cert;
}

guint
relay_dtls_identity_get_renewals (RelayDtlsIdentity *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);
  g_mutex_lock (&self->lock);
  n = self->renewals;
  g_mutex_unlock (&self->lock);
  return n;
}
