#include "webrtc/srtp/srtp-session.h"

#include <limits.h>
#include <string.h>
#include <openssl/crypto.h>
#include <srtp2/srtp.h>

/* We never configure an MKI, so libsrtp appends at most a tag plus the
 * 4-byte SRTCP index; the public trailer constant must cover that. */
G_STATIC_ASSERT (RELAY_SRTP_MAX_TRAILER >= SRTP_MAX_TAG_LEN + 4);

/* Large enough to absorb the reordering of a lossy provincial uplink while
 * still rejecting replays. */
#define REPLAY_WINDOW 1024

typedef struct {
  guint32 ssrc;
  gint64 last_us;
} InboundSsrc;

struct _RelaySrtpSession {
  /* libsrtp allows only one wildcard SSRC per session and a wildcard cannot
   * match both directions, hence one context per direction. */
  srtp_t inbound;
  srtp_t outbound;
  /* The SSRCs libsrtp holds a stream for on the inbound side. */
  InboundSsrc known[RELAY_SRTP_MAX_INBOUND_SSRCS];
  guint n_known, max_known;
  gint64 idle_us;
  guint64 refused_ssrc_packets;
  gint64 (*now) (void);
};

G_DEFINE_QUARK (relay-srtp-error-quark, relay_srtp_error)

static gsize srtp_init_status;

/* srtp_init() registers the crypto kernel globally and is not safe to run
 * twice or concurrently; peers are created on several worker threads. */
static gboolean
ensure_srtp_init (GError **error)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      srtp_err_status_t st = srtp_init ();
      /* Stored +1 so that "ok" is distinguishable from "not yet run". */
      srtp_init_status = (gsize) st + 1;
      g_once_init_leave (&once, 1);
    }

  if (srtp_init_status != (gsize) srtp_err_status_ok + 1)
    {
      g_set_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_OTHER,
                   "srtp_init failed (libsrtp status %" G_GSIZE_FORMAT ")",
                   srtp_init_status - 1);
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_crypto_policies (srtp_policy_t *policy, RelaySrtpProfile profile,
                     guint key_salt_len, GError **error)
{
  guint expected;

  switch (profile)
    {
    case RELAY_SRTP_PROFILE_AES128_CM_SHA1_80:
      srtp_crypto_policy_set_rtp_default (&policy->rtp);
      srtp_crypto_policy_set_rtcp_default (&policy->rtcp);
      expected = 30;
      break;
    case RELAY_SRTP_PROFILE_AEAD_AES_128_GCM:
      srtp_crypto_policy_set_aes_gcm_128_16_auth (&policy->rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth (&policy->rtcp);
      expected = 28;
      break;
    case RELAY_SRTP_PROFILE_NONE:
    default:
      g_set_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_OTHER,
                   "unsupported SRTP profile 0x%04x", (guint) profile);
      return FALSE;
    }

  /* A short key would make libsrtp read past the caller's material. */
  if (key_salt_len != expected)
    {
      g_set_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_OTHER,
                   "%s needs %u bytes of key+salt, got %u",
                   relay_srtp_profile_name (profile), expected, key_salt_len);
      return FALSE;
    }
  return TRUE;
}

static srtp_t
create_context (const RelaySrtpKeys *keys, const guint8 *key_salt,
                srtp_ssrc_type_t direction, GError **error)
{
  srtp_policy_t policy;
  guint8 key_copy[RELAY_SRTP_MAX_KEY_SALT_LEN];
  srtp_t ctx = NULL;
  srtp_err_status_t st;

  memset (&policy, 0, sizeof policy);
  if (!set_crypto_policies (&policy, keys->profile, keys->key_salt_len, error))
    return NULL;

  /* libsrtp takes a non-const key pointer; hand it a scratch copy rather
   * than casting away const on the caller's keys. */
  memcpy (key_copy, key_salt, keys->key_salt_len);
  policy.ssrc.type = direction;
  policy.key = key_copy;
  policy.window_size = REPLAY_WINDOW;
  /* NACK answers re-protect a cached packet under its original sequence
   * number; libsrtp refuses that repeat unless told to allow it. */
  policy.allow_repeat_tx = 1;
  policy.next = NULL;

  st = srtp_create (&ctx, &policy);
  /* A memset of a buffer never read again may be optimised away. */
  OPENSSL_cleanse (key_copy, sizeof key_copy);
  if (st != srtp_err_status_ok)
    {
      g_set_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_OTHER,
                   "srtp_create (%s) failed (libsrtp status %d)",
                   direction == ssrc_any_inbound ? "inbound" : "outbound", (int) st);
      return NULL;
    }
  return ctx;
}

RelaySrtpSession *
relay_srtp_session_new (const RelaySrtpKeys *keys, GError **error)
{
  RelaySrtpSession *s;

  g_return_val_if_fail (keys != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ensure_srtp_init (error))
    return NULL;

  s = g_new0 (RelaySrtpSession, 1);
  s->max_known = RELAY_SRTP_MAX_INBOUND_SSRCS;
  s->idle_us = (gint64) RELAY_SRTP_SSRC_IDLE_S * G_USEC_PER_SEC;
  s->now = g_get_monotonic_time;
  s->inbound = create_context (keys, keys->remote_key_salt, ssrc_any_inbound, error);
  if (s->inbound != NULL)
    s->outbound = create_context (keys, keys->local_key_salt, ssrc_any_outbound, error);
  if (s->outbound == NULL)
    {
      relay_srtp_session_free (s);
      return NULL;
    }
  return s;
}

void
relay_srtp_session_free (RelaySrtpSession *s)
{
  if (s == NULL)
    return;
  if (s->inbound != NULL)
    srtp_dealloc (s->inbound);
  if (s->outbound != NULL)
    srtp_dealloc (s->outbound);
  g_free (s);
}

static gboolean
check_status (srtp_err_status_t st, const char *what, GError **error)
{
  switch (st)
    {
    case srtp_err_status_ok:
      return TRUE;
    case srtp_err_status_auth_fail:
      g_set_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_AUTH,
                   "%s: authentication failed", what);
      return FALSE;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
      g_set_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_REPLAY,
                   "%s: replayed or too old packet", what);
      return FALSE;
    default:
      g_set_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_OTHER,
                   "%s failed (libsrtp status %d)", what, (int) st);
      return FALSE;
    }
}

typedef srtp_err_status_t (*SrtpOp) (srtp_t ctx, void *buf, int *len);

/* libsrtp works on int lengths; reject what would not fit instead of
 * letting a huge gsize wrap into a negative length. */
static gboolean
run_op (SrtpOp op, srtp_t ctx, const char *what, guint8 *buf, gsize *len,
        GError **error)
{
  int ilen;

  g_return_val_if_fail (buf != NULL && len != NULL, FALSE);

  if (*len > (gsize) (INT_MAX - RELAY_SRTP_MAX_TRAILER))
    {
      g_set_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_OTHER,
                   "%s: packet too large (%" G_GSIZE_FORMAT " bytes)", what, *len);
      return FALSE;
    }
  ilen = (int) *len;
  if (!check_status (op (ctx, buf, &ilen), what, error))
    return FALSE;
  *len = (gsize) ilen;
  return TRUE;
}

static InboundSsrc *
find_known (RelaySrtpSession *s, guint32 ssrc)
{
  for (guint i = 0; i < s->n_known; i++)
    if (s->known[i].ssrc == ssrc)
      return &s->known[i];
  return NULL;
}

/* Whether a packet of `ssrc` may reach libsrtp: a known SSRC, room for a
 * new one, or room made by removing the longest-silent one past the idle
 * time. Only a packet that then authenticates is remembered (remember()),
 * so forged packets cannot take the places. */
static gboolean
admit (RelaySrtpSession *s, guint32 ssrc, gint64 now, const char *what, GError **error)
{
  if (find_known (s, ssrc) || s->n_known < s->max_known)
    return TRUE;
  guint oldest = 0;
  for (guint i = 1; i < s->n_known; i++)
    if (s->known[i].last_us < s->known[oldest].last_us)
      oldest = i;
  if (now - s->known[oldest].last_us >= s->idle_us)
    {
      /* That stream ended: libsrtp forgets it (and its replay window; a
       * replay of it now would have to authenticate and then take a place
       * again, still within the limit). */
      srtp_remove_stream (s->inbound, g_htonl (s->known[oldest].ssrc));
      s->known[oldest] = s->known[--s->n_known];
      return TRUE;
    }
  s->refused_ssrc_packets++;
  g_set_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_SSRC_LIMIT,
               "%s: SSRC %08x refused, %u SSRCs already in use", what, ssrc, s->n_known);
  return FALSE;
}

static void
remember (RelaySrtpSession *s, guint32 ssrc, gint64 now)
{
  InboundSsrc *known = find_known (s, ssrc);
  if (!known && s->n_known < s->max_known)
    {
      known = &s->known[s->n_known++];
      known->ssrc = ssrc;
    }
  if (known)
    known->last_us = now;
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static gboolean
unprotect (RelaySrtpSession *s, SrtpOp op, const char *what, gsize ssrc_offset, guint8 *buf,
           gsize *len, GError **error)
{
  g_return_val_if_fail (s != NULL && buf != NULL && len != NULL, FALSE);
  if (*len < ssrc_offset + 4)
    {
      g_set_error (error, RELAY_SRTP_ERROR, RELAY_SRTP_ERROR_OTHER,
                   "%s: packet too short (%" G_GSIZE_FORMAT " bytes)", what, *len);
      return FALSE;
    }
  guint32 ssrc = read_be32 (buf + ssrc_offset);
  gint64 now = s->now ();
  if (!admit (s, ssrc, now, what, error) || !run_op (op, s->inbound, what, buf, len, error))
    return FALSE;
  remember (s, ssrc, now);
  return TRUE;
}

gboolean
relay_srtp_session_unprotect_rtp (RelaySrtpSession *s, guint8 *buf, gsize *len,
                                  GError **error)
{
  /* libsrtp finds the stream by the RTP header's SSRC... */
  return unprotect (s, srtp_unprotect, "SRTP unprotect", 8, buf, len, error);
}

gboolean
relay_srtp_session_unprotect_rtcp (RelaySrtpSession *s, guint8 *buf, gsize *len,
                                   GError **error)
{
  /* ... and an SRTCP packet's by its first sender SSRC. */
  return unprotect (s, srtp_unprotect_rtcp, "SRTCP unprotect", 4, buf, len, error);
}

void
relay_srtp_session_set_inbound_limit (RelaySrtpSession *s, guint max_ssrcs, gint64 idle_us)
{
  g_return_if_fail (max_ssrcs >= 1 && max_ssrcs <= RELAY_SRTP_MAX_INBOUND_SSRCS);
  g_return_if_fail (s->n_known <= max_ssrcs);
  s->max_known = max_ssrcs;
  s->idle_us = idle_us;
}

void
relay_srtp_session_set_clock (RelaySrtpSession *s, gint64 (*now) (void))
{
  s->now = now ? now : g_get_monotonic_time;
}

guint
relay_srtp_session_get_inbound_ssrcs (RelaySrtpSession *s)
{
  return s->n_known;
}

guint64
relay_srtp_session_get_refused_ssrc_packets (RelaySrtpSession *s)
{
  return s->refused_ssrc_packets;
}

gboolean
relay_srtp_session_protect_rtp (RelaySrtpSession *s, guint8 *buf, gsize *len,
                                GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  return run_op (srtp_protect, s->outbound, "SRTP protect", buf, len, error);
}

gboolean
relay_srtp_session_protect_rtcp (RelaySrtpSession *s, guint8 *buf, gsize *len,
                                 GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  return run_op (srtp_protect_rtcp, s->outbound, "SRTCP protect", buf, len, error);
}
