/* whip-publish: a WHIP (RFC 9725) test publisher that replays pre-encoded
 * media through GStreamer's webrtcbin.  Shared declarations. */
#pragma once

#include <gst/gst.h>
#include <gst/app/gstappsrc.h>

#include "tool-events.h"
#include "tool-http.h"
#include "tool-main.h"

G_BEGIN_DECLS

#define WHIP_VIDEO_FPS 15
#define WHIP_AUDIO_FRAME_MS 20
#define WHIP_CONNECT_TIMEOUT_S 10

/* Event lines on stdout: one JSON object per line.  begin() opens the object
 * with province/event/t_ms members, the caller adds more, end() prints it.
 * Safe to call from any thread (the pacer and streaming threads report too)
 * once set_start_time() has run, which must happen before any such thread
 * starts: they read the start time without a lock. */
JsonBuilder *whip_event_begin (const char *province, const char *event);
void whip_event_end (JsonBuilder *builder);
void whip_event_set_start_time (void);

/* --- media (whip-publish-media.c) --- */

typedef struct {
  GstCaps *caps;            /* what the appsrc announces */
  GPtrArray *units;         /* GstBuffer*: one access unit each, DURATION
                             * and DELTA_UNIT set, timestamps cleared */
  GstClockTime interval;    /* nominal spacing the pacer pushes at */
} WhipTrack;

typedef struct {
  WhipTrack video;
  WhipTrack audio;
} WhipMedia;

/* With @audio_levels, each Opus unit carries a GstAudioLevelMeta with its
 * RFC 6464 level, measured once here on the decoded clip. */
gboolean whip_media_load (WhipMedia *media, const char *video_path,
    gboolean h264, const char *audio_path, gboolean audio_levels,
    GError **error);
void whip_media_clear (WhipMedia *media);

/* The pacer is one thread that wakes on the system clock and hands the next
 * access unit of each track to every attached feed. */
typedef struct _WhipPacer WhipPacer;
typedef struct _WhipFeed WhipFeed;

/* With @log_keyframes, every video key frame handed to a feed is reported
 * as a "keyframe-sent" event: province, index (of the unit in the video
 * file, which is the frame's position in the IVF file), wall_us
 * (g_get_real_time () just before the push), so that a receiver on the same
 * host can measure end-to-end latency against the wall clock. */
/* Each feed's video starts at unit @video_start of the file (modulo its
 * length): 0 is its first key frame, anything else starts mid-GOP. */
WhipPacer *whip_pacer_new (const WhipMedia *media, gboolean log_keyframes,
    guint video_start);
void whip_pacer_free (WhipPacer *pacer);
WhipFeed *whip_pacer_attach (WhipPacer *pacer, const char *province,
    GstElement *pipeline, GstAppSrc *video, GstAppSrc *audio);
void whip_pacer_detach (WhipPacer *pacer, WhipFeed *feed);

/* --- publishers (whip-publish-peer.c) --- */

typedef struct {
  char *base_url;               /* without trailing slash; NULL in dry-run */
  gboolean dry_run;
  gboolean insecure;
  gboolean wrong_fingerprint;
  gboolean decoy_fingerprints;  /* a stranger's sha-256 and a sha-1 line first */
  gboolean h264;
  gboolean audio_level;         /* send the RFC 6464 header extension */
  gboolean takeover;            /* POST with Briefing-Takeover: true */
  int expect_status;            /* -1: expect 201 and ICE connected */
  double drop_percent;          /* share of video RTP dropped on the wire */
  guint oversized_every;        /* grow every Nth video RTP packet; 0: none */
  guint oversized_bytes;        /* ... to this many bytes */
} WhipConfig;

typedef enum {
  WHIP_OUTCOME_PENDING,         /* still negotiating */
  WHIP_OUTCOME_STREAMING,       /* met its expectation, keeps sending */
  WHIP_OUTCOME_DONE_OK,         /* met its expectation, nothing left to do */
  WHIP_OUTCOME_FAILED,
} WhipOutcome;

typedef struct _WhipPublisher WhipPublisher;
typedef void (*WhipOutcomeFunc) (WhipPublisher *publisher, gpointer user_data);

WhipPublisher *whip_publisher_new (const WhipConfig *config,
    const char *province, const char *token, const WhipMedia *media,
    WhipPacer *pacer, SoupSession *session,
    WhipOutcomeFunc on_outcome, gpointer user_data);
void whip_publisher_start (WhipPublisher *publisher);
WhipOutcome whip_publisher_get_outcome (WhipPublisher *publisher);
/* A ToolDeleteFunc for a WhipPublisher: FALSE when there is no session
 * resource to delete. */
gboolean whip_publisher_delete_async (gpointer publisher,
    GCancellable *cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
/* Stops media and pending HTTP; the session itself stays until DELETE. */
void whip_publisher_halt (WhipPublisher *publisher);
void whip_publisher_free (WhipPublisher *publisher);

G_END_DECLS
