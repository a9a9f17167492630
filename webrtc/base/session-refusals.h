/* How often the stack itself refused a session or its media, since the
 * start: a WHIP/WHEP session not connected within its connect timeout, an
 * office's video refused by the ingest limits (webrtc/peer/ingest-policer).
 * The relay adds them to its limit refusals (relay/metrics/limit-refusals.h, the
 * briefing_relay_limit_refusals_total family of GET /metrics).
 *
 * Process-wide counters, like the relay's own: each refusal is made deep
 * inside a session, which would otherwise need a handle passed down for one
 * increment. Threads: any (atomics). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  RELAY_SESSION_REFUSAL_CONNECT_TIMEOUT,   /* no ICE + DTLS within connect-timeout-s */
  RELAY_SESSION_REFUSAL_INGEST_OVER_LIMIT, /* video over the ingest limits, no longer decoded */
  RELAY_SESSION_REFUSAL_N,
} RelaySessionRefusal;

void relay_session_refusals_note (RelaySessionRefusal reason);
guint64 relay_session_refusals_get (RelaySessionRefusal reason);

G_END_DECLS
