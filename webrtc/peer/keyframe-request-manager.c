#include "webrtc/peer/keyframe-request-manager.h"

void
relay_keyframe_request_manager_init (RelayKeyframeRequestManager *m, guint min_interval_ms)
{
  m->min_interval_us = (gint64) min_interval_ms * 1000;
  m->last_request_us = 0;
  m->pending = FALSE;
  m->forced = FALSE;
  m->requests_sent = 0;
}

void
relay_keyframe_request_manager_force (RelayKeyframeRequestManager *m)
{
  m->pending = TRUE;
  m->forced = TRUE;
}

void
relay_keyframe_request_manager_request (RelayKeyframeRequestManager *m)
{
  m->pending = TRUE;
}

void
relay_keyframe_request_manager_keyframe_received (RelayKeyframeRequestManager *m)
{
  if (!m->forced)
    m->pending = FALSE;
}

gboolean
relay_keyframe_request_manager_poll (RelayKeyframeRequestManager *m, gint64 now_us)
{
  if (!m->pending)
    return FALSE;
  if (m->last_request_us && now_us - m->last_request_us < m->min_interval_us)
    return FALSE;
  /* Stays pending: if the keyframe is lost too, the next poll after the
   * interval asks again. */
  m->last_request_us = now_us;
  m->requests_sent++;
  m->forced = FALSE;
  return TRUE;
}
