/* Decides when to ask a publisher for a keyframe (PLI, or FIR when only
 * ccm fir was negotiated): on join, when the decoder or the NACK generator
 * gives up, never more than once per min_interval, and again if the
 * keyframe does not come within a retry interval. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 min_interval_us;
  gint64 last_request_us;
  gboolean pending;
  gboolean forced; /* sent even if a keyframe arrives first */
  guint64 requests_sent;
} RelayKeyframeRequestManager;

void relay_keyframe_request_manager_init (RelayKeyframeRequestManager *m, guint min_interval_ms);
/* Someone needs a keyframe. */
void relay_keyframe_request_manager_request (RelayKeyframeRequestManager *m);
/* A request that goes out even when a keyframe arrives meanwhile: the one
 * on join, since nothing says the next keyframe is not seconds away. */
void relay_keyframe_request_manager_force (RelayKeyframeRequestManager *m);
/* A keyframe arrived: nothing pending any more (but a forced request). */
void relay_keyframe_request_manager_keyframe_received (RelayKeyframeRequestManager *m);
/* TRUE when a PLI should go out now (and counts it). */
gboolean relay_keyframe_request_manager_poll (RelayKeyframeRequestManager *m, gint64 now_us);

G_END_DECLS
