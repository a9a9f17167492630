/* whip-publish: internals shared by the publisher's source files
 * (negotiation, HTTP, pipeline).  Not a public interface. */
#pragma once

#include "whip-publish.h"
#include "tool-webrtc.h"

G_BEGIN_DECLS

struct _WhipPublisher {
  const WhipConfig *config;
  char *province;
  char *label;                  /* "whip-publish: CODE", for stderr */
  char *token;
  const WhipMedia *media;
  WhipPacer *pacer;
  SoupSession *session;
  WhipOutcomeFunc on_outcome;
  gpointer user_data;

  GstElement *pipeline;
  GstElement *webrtc;
  GstAppSrc *video_src;
  GstAppSrc *audio_src;
  guint bus_watch;
  WhipFeed *feed;

  gint64 started_us;
  gint64 answered_us;
  ToolOffer offer;
  guint connect_timeout;
  GCancellable *cancellable;

  char *post_url;
  SoupMessage *post_msg;
  char *location;
  char *etag;
  int status;
  WhipOutcome outcome;
  gboolean ice_connected;
  GstWebRTCICEConnectionState ice_state;
  GstWebRTCPeerConnectionState pc_state;

  /* Touched from streaming threads. */
  GMutex keyframe_lock;
  int keyframe_requests;
  gint64 keyframe_reported_us;
  guint keyframe_report_source; /* a trailing report due, or 0 */
  guint video_packets;          /* --oversized-every: payloaded so far */
};

/* Main context only. */
void whip_peer_set_outcome (WhipPublisher *pub, WhipOutcome outcome);
/* Prints an "error" event; @status < 0 and NULL @body are left out. */
void whip_peer_fail (WhipPublisher *pub, const char *stage, int status,
    const char *body, const char *format, ...) G_GNUC_PRINTF (5, 6);
void whip_peer_apply_answer (WhipPublisher *pub, const char *sdp);

/* whip-publish-http.c: POSTs @sdp (taken) and applies the answer. */
void whip_peer_post_offer (WhipPublisher *pub, char *sdp);

/* whip-publish-pipeline.c */
gboolean whip_peer_build_pipeline (WhipPublisher *pub, GError **error);

G_END_DECLS
