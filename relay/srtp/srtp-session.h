/* SRTP/SRTCP for one bundled transport with libsrtp2: an inbound context
 * keyed with the remote key (any SSRC) and an outbound one with the local key.
 * All functions work in place; not thread-safe (one transport worker). */
#pragma once

#include <glib.h>
#include "relay/srtp/srtp-keys.h"

G_BEGIN_DECLS

/* Room a caller must leave after the payload for protect (tag + MKI). */
#define RELAY_SRTP_MAX_TRAILER 144

#define RELAY_SRTP_ERROR (relay_srtp_error_quark ())
GQuark relay_srtp_error_quark (void);
typedef enum {
  RELAY_SRTP_ERROR_AUTH,   /* authentication failed */
  RELAY_SRTP_ERROR_REPLAY, /* replayed or too old */
  RELAY_SRTP_ERROR_OTHER,
} RelaySrtpError;

typedef struct _RelaySrtpSession RelaySrtpSession;

/* Calls srtp_init() once per process as needed. */
RelaySrtpSession *relay_srtp_session_new (const RelaySrtpKeys *keys, GError **error);
void relay_srtp_session_free (RelaySrtpSession *session);

/* *len is the packet length in, and the plain (or protected) length out.
 * protect needs RELAY_SRTP_MAX_TRAILER bytes of room after *len. */
gboolean relay_srtp_session_unprotect_rtp (RelaySrtpSession *s, guint8 *buf, gsize *len, GError **error);
gboolean relay_srtp_session_unprotect_rtcp (RelaySrtpSession *s, guint8 *buf, gsize *len, GError **error);
gboolean relay_srtp_session_protect_rtp (RelaySrtpSession *s, guint8 *buf, gsize *len, GError **error);
gboolean relay_srtp_session_protect_rtcp (RelaySrtpSession *s, guint8 *buf, gsize *len, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelaySrtpSession, relay_srtp_session_free)

G_END_DECLS
