/* Reads the fragmented MP4 files of the recordings (fmp4-writer.h), and
 * any fragmented ISO BMFF file built the same way: lists the fragments
 * (moof + mdat) with their times and whether they start with a key frame,
 * tells the real media duration of a file cut short by a crash (the end of
 * its last complete fragment), and exports a section of one or more
 * consecutive segment files as a new fragmented MP4 by copying fragments
 * (no decoding, no encoding).
 *
 * The input is treated as hostile (a fuzzing harness feeds
 * relay_fmp4_index_parse): every size and count is checked against the
 * bytes there are, boxes are read at most 64 MiB at a time, and malformed
 * input yields a GError (G_IO_ERROR_INVALID_DATA), never a crash. A file
 * whose tail is cut or garbled is indexed up to its last complete
 * fragment (`truncated` says so).
 *
 * Threads: plain functions, any thread (files are read with pread; they
 * may be growing while read: what was complete when read counts). An index
 * belongs to its caller. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAY_FMP4_MAX_TRACKS 4

typedef struct {
  guint32 track_id;
  guint32 timescale;
  guint32 handler;     /* fourcc of hdlr: 'vide', 'soun', as big-endian u32 */
  guint32 codec;       /* fourcc of the sample entry: 'avc1', 'Opus' */
} RelayFmp4Track;

typedef struct {
  guint32 track_id;
  guint64 base_time;   /* tfdt, in the track's timescale */
  guint64 duration;    /* sum of the sample durations */
  guint32 samples;
  /* For the export: where its tfdt's value lies, from the moof's start. */
  guint32 tfdt_at;
  guint8 tfdt_version;
} RelayFmp4TrackRun;

typedef struct {
  guint64 offset;      /* of the moof */
  guint64 size;        /* moof through the end of its mdat */
  guint32 sequence;    /* mfhd */
  gboolean keyframe;   /* its first video sample is a sync sample (no video track: TRUE) */
  gint64 start_us;     /* earliest track start */
  gint64 duration_us;  /* to the latest track end */
  gboolean copyable;   /* no absolute data offsets: can be moved in a new file */
  guint32 sequence_at; /* where mfhd's value lies, from the moof's start */
  guint n_runs;
  RelayFmp4TrackRun runs[RELAY_FMP4_MAX_TRACKS];
} RelayFmp4Fragment;

typedef struct {
  guint64 file_size;
  guint64 init_size;       /* bytes through the end of the moov (ftyp, moov...) */
  /* The segment index's region (fmp4-sidx.h): a 'sidx' or 'free' box right
   * after the moov, before any fragment; size 0: none. */
  guint64 sidx_at, sidx_size;
  guint32 movie_timescale;
  guint n_tracks;
  RelayFmp4Track tracks[RELAY_FMP4_MAX_TRACKS];
  GArray *fragments;       /* RelayFmp4Fragment, complete ones, file order */
  gint64 duration_us;      /* end of the last complete fragment */
  gboolean truncated;      /* bytes after it that are no complete fragment */
  /* Where the moov's durations lie, for the export (0: absent); versions
   * say 4 (version 0) or 8 (version 1) bytes. */
  guint64 mvhd_duration_at, mehd_duration_at;
  guint8 mvhd_version, mehd_version;
  guint64 tkhd_duration_at[RELAY_FMP4_MAX_TRACKS], mdhd_duration_at[RELAY_FMP4_MAX_TRACKS];
  guint8 tkhd_version[RELAY_FMP4_MAX_TRACKS], mdhd_version[RELAY_FMP4_MAX_TRACKS];
} RelayFmp4Index;

/* Indexes a file in memory. */
RelayFmp4Index *relay_fmp4_index_parse (const guint8 *data, gsize len, GError **error);

/* Indexes a file on disk (reads only box headers, moov and moofs). */
RelayFmp4Index *relay_fmp4_index_read (const char *path, GError **error);

void relay_fmp4_index_free (RelayFmp4Index *index);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayFmp4Index, relay_fmp4_index_free)

/* Makes a file cut short by a crash clean: drops the bytes after its last
 * complete fragment and sets the moov's durations to what it really holds
 * (the writer had set them to the end of the last fragment it wrote, which
 * may be the one cut), and lists the fragments it keeps in its segment
 * index when it has the region for one. For the recovery of an interrupted recording, on
 * a file no writer has open. duration_us (may be NULL): the result. */
gboolean relay_fmp4_repair (const char *path, gint64 *duration_us, GError **error);

/* One segment file of a recording and where it starts on the recording's
 * timeline (µs). */
typedef struct {
  const char *path;
  gint64 start_us;
} RelayFmp4Segment;

/* Writes to `out_path` a fragmented MP4 of [start_us, start_us +
 * duration_us) of the recording made of `segments` (consecutive, in order,
 * with the same tracks and codecs): from the latest fragment that starts
 * with a key frame at or before start_us (the first key fragment when none
 * is), through the last fragment that starts before the end. The init
 * segment is the first segment's, its durations set; fragments are copied
 * whole, their tfdt rebased so that the export starts at 0 and mfhd
 * renumbered from 1. out_start_us / out_duration_us (may be NULL): the
 * section actually exported, on the recording's timeline. FALSE with a
 * GError when a segment cannot be read or is not compatible, or nothing
 * lies in the range (G_IO_ERROR_NOT_FOUND). */
gboolean relay_fmp4_export (const RelayFmp4Segment *segments, guint n_segments, gint64 start_us,
                            gint64 duration_us, const char *out_path, gint64 *out_start_us,
                            gint64 *out_duration_us, GError **error);

G_END_DECLS
