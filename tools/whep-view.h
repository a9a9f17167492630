/* whep-view: a WHEP (draft-ietf-wish-whep) test viewer on GStreamer's
 * webrtcbin.  Declarations shared by its source files; not a public
 * interface. */
#pragma once

#include "tool-events.h"
#include "tool-http.h"
#include "tool-main.h"
#include "tool-webrtc.h"

G_BEGIN_DECLS

#define WHEP_CONNECT_TIMEOUT_S 10

/* --- events (whep-view.c) ---
 * One JSON object per line on stdout.  begin() opens it with viewer, event
 * and t_ms members (viewer < 0 leaves the index out), end() prints it whole.
 * Safe from any thread. */
JsonBuilder *whep_event_begin (int viewer, const char *event);
void whep_event_end (JsonBuilder *builder);
void whep_event_add_int (JsonBuilder *builder, const char *name,
    gint64 value);
void whep_event_add_string (JsonBuilder *builder, const char *name,
    const char *value);

/* --- reference frames (whep-view-reference.c) --- */

/* Reads every frame of a VP8 IVF file into a table from SHA-256 hex digest
 * to the frame's index in the file (from 0). */
GHashTable *whep_reference_load (const char *path, GError **error);
/* Whether @digest is a reference frame; if so, its index in *@index. */
gboolean whep_reference_lookup (GHashTable *reference, const char *digest,
    guint *index);
/* Hex SHA-256 of a buffer's bytes; free with g_free. */
char *whep_buffer_digest (GstBuffer *buffer);

/* --- viewers --- */

/* A --sample-rects rectangle, in pixels of the decoded picture. */
typedef struct {
  int x, y, w, h;
} WhepRect;

typedef struct {
  char *url;                    /* the WHEP endpoint, POSTed to */
  char *token;                  /* NULL: no Authorization header */
  gboolean insecure;
  int expect_status;            /* -1: expect 201 and media */
  guint min_frames;             /* decoded video frames needed for success */
  GArray *keyframe_at_ms;       /* guint: request times after first frame */
  gboolean keyframe_fir;        /* ask with all-headers (FIR where offered) */
  gboolean no_decode;            /* count frames at the depayloader only */
  gboolean server_offer;        /* POST empty, get an offer, PATCH answer */
  GHashTable *reference;        /* digest -> index in the reference IVF,
                                 * or NULL */
  gboolean log_keyframes;       /* keyframe-received for every key frame */
  GArray *sample_rects;         /* WhepRect: --sample-rects, or NULL */
  GArray *tones;                /* double, Hz: --tones, or NULL */
  const char *snapshot;         /* --snapshot PNG file, or NULL */
  guint nack_flood;             /* --nack-flood entries per report, or 0 */
} WhepConfig;

/* Colour and tone measurements on decoded media (whep-view-measure.c);
 * NULL when neither --sample-rects nor --tones was given, and every
 * function accepts NULL.  Thread-safe. */
typedef struct _WhepMeasure WhepMeasure;

WhepMeasure *whep_measure_new (const WhepConfig *config);
void whep_measure_free (WhepMeasure *measure);
void whep_measure_video_caps (WhepMeasure *measure, GstCaps *caps);
void whep_measure_video_frame (WhepMeasure *measure, GstBuffer *buffer);
void whep_measure_audio_caps (WhepMeasure *measure, GstCaps *caps);
void whep_measure_audio (WhepMeasure *measure, GstBuffer *buffer);
/* Adds "rects", "tones" and "audio_rms_dbfs" as configured, and starts a
 * new audio window. */
void whep_measure_add_stats (WhepMeasure *measure, JsonBuilder *builder);
/* --snapshot: the latest decoded video frame as a PNG at @path, its size in
 * @width, @height.  Main context. */
gboolean whep_measure_write_snapshot (WhepMeasure *measure, const char *path,
    int *width, int *height, GError **error);

typedef enum {
  WHEP_OUTCOME_PENDING,         /* negotiating */
  WHEP_OUTCOME_RECEIVING,       /* 201 and answer applied; media decides */
  WHEP_OUTCOME_DONE,            /* got the --expect-status it wanted */
  WHEP_OUTCOME_FAILED,
} WhepOutcome;

typedef struct _WhepViewer WhepViewer;
typedef void (*WhepOutcomeFunc) (WhepViewer *viewer, gpointer user_data);

/* Counters read by the stats timer and the summary.  Written from
 * streaming threads, so only through g_atomic_int_*. */
typedef struct {
  int video_frames;             /* decoded */
  int audio_frames;             /* decoded */
  int received_frames;          /* encoded video frames, as depayloaded */
  int keyframes_received;
  int matched;                  /* received and found in the reference */
  int unmatched;
  int keyframes_requested;      /* our own requests, sent */
  int suppressed_requests;      /* depayloader's/decoder's own, dropped */
  int width, height;
  int fps_n, fps_d;             /* the decoded caps' framerate; 0/0 unknown */
  int flood_nacks;              /* --nack-flood: NACK packets sent */
  int flood_entries;            /* ... and the entries in them */
  int rtp_packets;              /* RTP reaching the depayloaders */
  int largest_rtp;              /* the biggest of them, in bytes */
} WhepCounters;

struct _WhepViewer {
  int index;
  char *label;                  /* "whep-view: viewer N", for stderr */
  const WhepConfig *config;
  SoupSession *session;
  WhepOutcomeFunc on_outcome;
  gpointer user_data;
  GCancellable *cancellable;

  GstElement *pipeline;
  GstElement *webrtc;
  guint bus_watch;

  gint64 started_us;
  gint64 posted_us;
  gint64 answered_us;
  ToolOffer offer;               /* ours, or our answer (--server-offer) */
  guint connect_timeout;
  GPtrArray *keyframe_timers;   /* KeyframeTimer* (media.c), main context */

  SoupMessage *post_msg;
  char *location;
  int status;
  WhepOutcome outcome;
  gboolean connected;
  GstWebRTCPeerConnectionState pc_state;

  WhepCounters counters;
  WhepMeasure *measure;         /* --sample-rects / --tones, or NULL */
  gint64 first_frame_ms[2];     /* video, audio; -1 until seen */

  /* Shared by streaming threads and the main context, under the lock. */
  GMutex lock;
  GstPad *video_depay_sink;
  gboolean video_fb_pli;        /* the answer allowed "nack pli" */
  gboolean video_fb_fir;        /* ... and "ccm fir" */
  gboolean first_video_seen;
  gboolean first_audio_seen;
  gint64 keyframe_asked_us;     /* last request not yet answered, or 0 */

  /* --nack-flood (whep-view-nack-flood.c), atomics. */
  gint flood_seq, flood_ssrc, flood_ready, flood_hooked;
};

WhepViewer *whep_viewer_new (int index, const WhepConfig *config,
    SoupSession *session, WhepOutcomeFunc on_outcome, gpointer user_data);
void whep_viewer_start (WhepViewer *viewer);
/* Stops timers, pending HTTP and the pipeline; the session stays on the
 * server until DELETE. */
void whep_viewer_halt (WhepViewer *viewer);
void whep_viewer_free (WhepViewer *viewer);
/* Whether the viewer met its expectation, judged now. */
gboolean whep_viewer_succeeded (WhepViewer *viewer);
/* Adds the counters as members of an open event object. */
void whep_viewer_add_counters (WhepViewer *viewer, JsonBuilder *b);

/* --nack-flood (whep-view-nack-flood.c): a probe on the video pad for the
 * newest packet, and the hook adding a NACK of it to every RTCP report. */
void whep_viewer_watch_newest_video_packet (WhepViewer *viewer, GstPad *pad);
void whep_viewer_arm_nack_flood (WhepViewer *viewer, GstElement *rtpbin);

/* whep-view-peer.c, main context only */
void whep_viewer_set_outcome (WhepViewer *viewer, WhepOutcome outcome);
/* Prints an "error" event; @status < 0 and NULL @body are left out. */
void whep_viewer_fail (WhepViewer *viewer, const char *stage, int status,
    const char *body, const char *format, ...) G_GNUC_PRINTF (5, 6);
void whep_viewer_apply_answer (WhepViewer *viewer, const char *sdp);
/* --server-offer: the 201 carried the server's offer. */
void whep_viewer_apply_offer (WhepViewer *viewer, const char *sdp);

/* whep-view-http.c */
void whep_viewer_post_offer (WhepViewer *viewer, char *sdp);
/* --server-offer: PATCHes the answer to the session URL. */
void whep_viewer_patch_answer (WhepViewer *viewer, char *sdp);
/* A ToolDeleteFunc for a WhepViewer: FALSE when there is no session
 * resource to delete. */
gboolean whep_viewer_delete_async (gpointer viewer,
    GCancellable *cancellable, GAsyncReadyCallback callback,
    gpointer user_data);

/* whep-view-pipeline.c */
gboolean whep_viewer_build_pipeline (WhepViewer *viewer, GError **error);
/* Streaming thread: turns NACK off for the audio stream behind @pad. */
void whep_viewer_stop_audio_nack (WhepViewer *viewer, GstPad *pad);

/* whep-view-media.c */
/* webrtcbin's pad-added: builds the decode branch for a new stream. */
void whep_viewer_on_pad_added (GstElement *webrtc, GstPad *pad,
    gpointer viewer);
/* Main context: arms the --request-keyframe-at timers; called once, when
 * the first video frame has been decoded. */
void whep_viewer_arm_keyframe_requests (WhepViewer *viewer);

G_END_DECLS
