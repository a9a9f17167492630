/* How the MP4 and WebM writers cut a recording into fragments (MP4
 * moof+mdat, WebM clusters) of about a second, which are written whole, so
 * that a file cut anywhere (SIGKILL, full disk) loses at most the fragment
 * being gathered; and what the writers report of each fragment.
 *
 * The rule: samples gather per track (video, audio) until
 *   - a video key frame comes and the fragment holds >= target_ms: cut
 *     before it (so fragments start with key frames where the stream has
 *     them);
 *   - a sample comes and the fragment would hold >= max_ms: cut before the
 *     latest video key frame of the fragment if one lies at least 40 % of
 *     target_ms into it (the rest starts the next fragment), else right here;
 *   - audio only: a sample comes and the fragment holds >= target_ms.
 * A sample's duration is the distance to the track's next sample; the last
 * one of a track in a fragment takes it from the sample that caused the cut
 * when it is of the same track, else (Opus) the packet's own duration from
 * its TOC, else (video) the previous sample's duration.
 *
 * Internal to the writers' thread (not thread-safe). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One fragment as written: for the caller's index. */
typedef struct {
  guint64 offset;      /* byte offset in the file */
  guint64 size;        /* bytes */
  gint64 start_us;     /* media time of its first sample, from the file's start */
  gint64 duration_us;  /* to the end of its last sample */
  gboolean keyframe;   /* its first video sample is a key frame (audio only: TRUE) */
} RelayFragmentInfo;

/* What a writer has done. */
typedef struct {
  guint64 bytes_written;   /* file size so far */
  guint64 fragments;
  guint64 frames_written;
  guint64 frames_dropped;  /* before the first key frame, out of order, too big */
  gint64 duration_us;      /* media written so far (end of the last fragment) */
} RelayWriterStats;

/* How a writer is set up (both writers take the same). */
typedef struct {
  gboolean video;          /* has a video track (MP4: H.264, WebM: VP8) */
  gboolean audio;          /* has an Opus track */
  guint fragment_ms;       /* target fragment length; 0: 1000 */
  guint max_fragment_ms;   /* never longer than this; 0: 1200 */
  /* fdatasync after a fragment at most once per this many ms (0: after
   * every fragment, < 0: never; the kernel writes back on its own). */
  gint fsync_interval_ms;
  /* How long the file is expected to last (a segment's length): sizes the
   * MP4 writer's segment index (fmp4-sidx.h); 0: an hour. */
  guint64 expected_ms;
} RelayWriterParams;

enum { RELAY_TRACK_VIDEO, RELAY_TRACK_AUDIO, RELAY_TRACK_COUNT };

typedef struct {
  gint64 ts;        /* track clock, from the file's start */
  gint64 duration;  /* track clock, set when cut */
  gboolean key;
  GBytes *data;
} RelayChunkSample;

typedef struct {
  gboolean present;
  guint clock;
  gboolean opus;
  GArray *pending;  /* RelayChunkSample, ascending ts */
  gint64 last_duration;
} RelayChunkTrack;

typedef struct {
  RelayChunkTrack track[RELAY_TRACK_COUNT];
  guint target_ms, max_ms;
} RelayChunker;

void relay_chunker_init (RelayChunker *c, gboolean video, gboolean audio, guint target_ms,
                         guint max_ms);
void relay_chunker_clear (RelayChunker *c);
gboolean relay_chunker_is_empty (RelayChunker *c);

/* Where to cut (µs from the file's start) before a sample of `track` at
 * `ts` joins, or -1 for no cut. */
gint64 relay_chunker_cut_point (RelayChunker *c, int track, gint64 ts, gboolean key);

/* Moves the samples before `cut_us` (G_MAXINT64: all) into out[track]
 * (new arrays of RelayChunkSample that free their data), durations set.
 * next_track/next_ts: the sample about to join (next_track -1: none). */
void relay_chunker_take (RelayChunker *c, gint64 cut_us, int next_track, gint64 next_ts,
                         GArray *out[RELAY_TRACK_COUNT]);

/* Takes `data`'s reference. */
void relay_chunker_add (RelayChunker *c, int track, gint64 ts, gboolean key, GBytes *data);

G_END_DECLS
