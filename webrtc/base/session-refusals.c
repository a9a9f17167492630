#include "webrtc/base/session-refusals.h"

#include <stdatomic.h>

static _Atomic guint64 counts[RELAY_SESSION_REFUSAL_N];

void
relay_session_refusals_note (RelaySessionRefusal reason)
{
  g_return_if_fail (reason < RELAY_SESSION_REFUSAL_N);
  atomic_fetch_add_explicit (&counts[reason], 1, memory_order_relaxed);
}

guint64
relay_session_refusals_get (RelaySessionRefusal reason)
{
  g_return_val_if_fail (reason < RELAY_SESSION_REFUSAL_N, 0);
  return atomic_load_explicit (&counts[reason], memory_order_relaxed);
}
