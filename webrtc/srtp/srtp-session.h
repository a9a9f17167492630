/* SRTP/SRTCP for one bundled transport with libsrtp2: an inbound context
 * keyed with the remote key (any SSRC) and an outbound one with the local key.
 * libsrtp keeps a stream (keys, replay window) for every SSRC that passes
 * authentication, so the inbound side admits at most
 * RELAY_SRTP_MAX_INBOUND_SSRCS of them at once: a new one takes the place
 * of one silent for RELAY_SRTP_SSRC_IDLE_S (whose stream is removed), or is
 * refused. A peer holding the keys cannot grow the session by inventing
 * SSRCs. All functions work in place; not thread-safe (one transport
 * worker). */
#pragma once

#include <glib.h>
#include "webrtc/srtp/srtp-keys.h"

G_BEGIN_DECLS

/* A publisher sends audio, video and RTX (six with three simulcast layers);
 * a viewer one or two receiver SSRCs on its RTCP. */
#define RELAY_SRTP_MAX_INBOUND_SSRCS 16
#define RELAY_SRTP_SSRC_IDLE_S 10

/* Room a caller must leave after the payload for protect (tag + MKI). */
#define RELAY_SRTP_MAX_TRAILER 144

#define RELAY_SRTP_ERROR (relay_srtp_error_quark ())
GQuark relay_srtp_error_quark (void);
typedef enum {
  RELAY_SRTP_ERROR_AUTH,   /* authentication failed */
  RELAY_SRTP_ERROR_REPLAY, /* replayed or too old */
  RELAY_SRTP_ERROR_SSRC_LIMIT, /* a new SSRC while the session is full */
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

/* Tests: another limit than the defaults above, and a clock of their own
 * (µs; NULL: g_get_monotonic_time). */
void relay_srtp_session_set_inbound_limit (RelaySrtpSession *s, guint max_ssrcs, gint64 idle_us);
void relay_srtp_session_set_clock (RelaySrtpSession *s, gint64 (*now) (void));
/* Inbound SSRCs admitted now, and packets refused for the limit. */
guint relay_srtp_session_get_inbound_ssrcs (RelaySrtpSession *s);
guint64 relay_srtp_session_get_refused_ssrc_packets (RelaySrtpSession *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelaySrtpSession, relay_srtp_session_free)

G_END_DECLS
