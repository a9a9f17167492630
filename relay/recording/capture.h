/* One recorded stream of a briefing: the program (or the mosaic) with its
 * conference mix, or one office's own streams during its turn. RTP in, as
 * the relay already has it (nothing decoded or encoded): per track a frame
 * assembler, then a fragmented MP4 (H.264) or WebM (VP8) writer chosen by
 * the video codec that arrives, in segments of [recording] segment-s cut at
 * a key frame, each file indexed in `recordings` as it grows.
 *
 * Timeline: each track's first packet is placed at its arrival time since
 * the capture began, so that audio and video from different encoders line
 * up; a file starts at its first video key frame, and its row's start time
 * is that frame's wall-clock time.
 *
 * When the disk refuses a write the file is closed as `failed` (what was
 * written stays playable), a "recording" event says so, packets are
 * dropped and counted, and a new file is tried at a key frame 30 s later.
 *
 * Threads: the recorder's thread only (packets, writes, the index). */
#pragma once

#include <glib.h>
#include <sqlite3.h>
#include "relay/event-bus.h"
#include "webrtc/worker/packet-channel.h"

G_BEGIN_DECLS

typedef struct _RelayCapture RelayCapture;

/* Asks the source for a key frame (rate-limited by the capture). */
typedef void (*RelayCaptureKeyframeFunc) (RelayCapture *capture, gpointer user_data);

typedef struct {
  gint64 briefing_id;
  const char *kind;      /* program, mosaic, office */
  const char *office;    /* kind office */
  gint64 turn_id;        /* kind office */
  const char *data_dir;  /* files go to <data_dir>/recordings/<briefing>/ */
  guint segment_s;
  sqlite3 *db;           /* the recorder's writer connection (borrowed) */
  RelayEventBus *events;
  RelayCaptureKeyframeFunc request_keyframe;
  gpointer user_data;
} RelayCaptureSettings;

typedef struct {
  guint64 bytes_written;  /* all its files */
  guint64 files;
  guint64 frames_written;
  guint64 frames_dropped; /* by assemblers and writers, and while failed */
  guint64 failures;
  gboolean recording;     /* a file is open */
} RelayCaptureStats;

/* Strings are copied. Nothing is written before the first key frame. */
RelayCapture *relay_capture_new (const RelayCaptureSettings *settings);

/* The RelayPacketChannelFunc for its channel; user_data is the capture. */
void relay_capture_on_packet (const RelayChannelPacket *packet, gpointer user_data);

/* Writes what is held back and closes the open file as `complete`. */
void relay_capture_finish (RelayCapture *capture);
void relay_capture_free (RelayCapture *capture);

void relay_capture_get_stats (RelayCapture *capture, RelayCaptureStats *stats);
const char *relay_capture_get_kind (RelayCapture *capture);
gint64 relay_capture_get_turn (RelayCapture *capture);

G_END_DECLS
