/* How often each limit of the relay refused something, since the start:
 * the figures behind briefing_relay_limit_refusals_total{reason} (GET
 * /metrics). Each limit's own unit counts its refusals where it makes
 * them (http/admission.c, body-limits.c, http-listener.c,
 * request-guard.c, events-endpoint.c, relay/figures/figures-service.c);
 * the two the WebRTC stack makes inside sessions (connect-timeout,
 * ingest-over-limit) it counts itself (webrtc/base/session-refusals.h) and
 * are read from there; docs/API.md, "Limits and
 * refusals", says what each refuses.
 *
 * Process-wide counters, since every one of those units would otherwise
 * need a handle passed down for one increment. Threads: any (atomics). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  RELAY_REFUSAL_RATE_LIMITED,         /* 429 rate-limited: admission, per credential or address */
  RELAY_REFUSAL_TOO_MANY_FAILURES,    /* 429 too-many-failures, events 4429 after wrong tokens */
  RELAY_REFUSAL_TOO_MANY_SESSIONS,    /* 429 too-many-sessions */
  RELAY_REFUSAL_RELAY_FULL,           /* 503 relay-full: [limits] max-sessions */
  RELAY_REFUSAL_TOO_LARGE,            /* 413 too-large: a request body over its cap */
  RELAY_REFUSAL_TOO_MANY_CONNECTIONS, /* 503 too-many-connections: [http] limits */
  RELAY_REFUSAL_TOKEN_IN_URL,         /* 400 token-in-url */
  RELAY_REFUSAL_ORIGIN_NOT_ALLOWED,   /* 403 origin-not-allowed (events WebSocket) */
  RELAY_REFUSAL_EVENT_CLIENTS,        /* events 4429: event-clients, per credential */
  RELAY_REFUSAL_EVENT_QUEUE,          /* events 4408: event-queue-kb left unread */
  RELAY_REFUSAL_FIGURES_RATE,         /* figures over figures-per-minute (HTTPS 429, data channel) */
  RELAY_REFUSAL_CONNECT_TIMEOUT,      /* a WHIP/WHEP session not connected in connect-timeout-s */
  RELAY_REFUSAL_INGEST_OVER_LIMIT,    /* an office's video refused ([ingest] size or rate) */
  RELAY_REFUSAL_N,
} RelayRefusal;

void relay_limit_refusals_note (RelayRefusal reason);
guint64 relay_limit_refusals_get (RelayRefusal reason);
/* The reason's label value, as docs/API.md names the refusal. */
const char *relay_limit_refusal_name (RelayRefusal reason);

G_END_DECLS
