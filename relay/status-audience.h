/* Who reads a status document (/api/v1/health, /provinces, /outputs), and
 * so how much of it they see (docs/API.md, "Status").
 *
 * Anyone may read the state of the relay and of each office: an office's
 * page and a wall display need it without a token. A session id, an
 * office's public address and port, its RTT and its counters, and the
 * process's own figures (threads, memory, CPU, latencies, queues) say who
 * connects from where and how the relay is doing under load: they are for
 * the viewer roles (chair, minister, viewer), and for an office about its
 * own connection only. This is the one place that rule is written down;
 * the describe functions ask it, entry by entry. */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

typedef struct {
  gboolean viewer;       /* a viewer's token, any role: every detail */
  const char *own_code;  /* an office's token: its code, or NULL */
} RelayStatusAudience;

/* Whether `audience` sees the details of the office `code`; NULL for the
 * relay's own internals, which no office's token opens. */
static inline gboolean
relay_status_audience_sees_details (const RelayStatusAudience *audience, const char *code)
{
  if (audience->viewer)
    return TRUE;
  return code && audience->own_code && strcmp (audience->own_code, code) == 0;
}

G_END_DECLS
