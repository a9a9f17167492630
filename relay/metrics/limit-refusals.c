#include "relay/metrics/limit-refusals.h"

#include <stdatomic.h>

#include "webrtc/base/session-refusals.h"

static _Atomic guint64 counts[RELAY_REFUSAL_N];

static const char *const names[RELAY_REFUSAL_N] = {
  [RELAY_REFUSAL_RATE_LIMITED] = "rate-limited",
  [RELAY_REFUSAL_TOO_MANY_FAILURES] = "too-many-failures",
  [RELAY_REFUSAL_TOO_MANY_SESSIONS] = "too-many-sessions",
  [RELAY_REFUSAL_RELAY_FULL] = "relay-full",
  [RELAY_REFUSAL_TOO_LARGE] = "too-large",
  [RELAY_REFUSAL_TOO_MANY_CONNECTIONS] = "too-many-connections",
  [RELAY_REFUSAL_TOKEN_IN_URL] = "token-in-url",
  [RELAY_REFUSAL_ORIGIN_NOT_ALLOWED] = "origin-not-allowed",
  [RELAY_REFUSAL_EVENT_CLIENTS] = "event-clients",
  [RELAY_REFUSAL_EVENT_QUEUE] = "event-queue",
  [RELAY_REFUSAL_FIGURES_RATE] = "figures-rate",
  [RELAY_REFUSAL_CONNECT_TIMEOUT] = "connect-timeout",
  [RELAY_REFUSAL_INGEST_OVER_LIMIT] = "ingest-over-limit",
};

void
relay_limit_refusals_note (RelayRefusal reason)
{
  g_return_if_fail (reason < RELAY_REFUSAL_N);
  atomic_fetch_add_explicit (&counts[reason], 1, memory_order_relaxed);
}

guint64
relay_limit_refusals_get (RelayRefusal reason)
{
  g_return_val_if_fail (reason < RELAY_REFUSAL_N, 0);
  /* The stack counts the refusals it makes inside sessions. */
  if (reason == RELAY_REFUSAL_CONNECT_TIMEOUT)
    return relay_session_refusals_get (RELAY_SESSION_REFUSAL_CONNECT_TIMEOUT);
  if (reason == RELAY_REFUSAL_INGEST_OVER_LIMIT)
    return relay_session_refusals_get (RELAY_SESSION_REFUSAL_INGEST_OVER_LIMIT);
  return atomic_load_explicit (&counts[reason], memory_order_relaxed);
}

const char *
relay_limit_refusal_name (RelayRefusal reason)
{
  g_return_val_if_fail (reason < RELAY_REFUSAL_N, NULL);
  return names[reason];
}
