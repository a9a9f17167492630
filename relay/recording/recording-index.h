/* The index of recorded files (table `recordings`, migration 4): one row
 * per file, written when the file is opened (state `recording`), its
 * duration and size brought up to date as fragments are written, and
 * closed as `complete`, `failed` (the disk refused: what was written
 * stays playable) or, after a crash, `interrupted` with the duration read
 * back from the file. Retention marks rows `deleted` when their file goes.
 * Paths are relative to the data dir. Any thread, on the caller's
 * connection (its owner serialises its use). */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  gint64 briefing_id;
  char *kind;        /* program, mosaic, office */
  char *office;      /* kind office */
  gint64 turn_id;    /* kind office: 0 otherwise */
  guint segment;
  char *path;        /* relative to the data dir */
  char *container;   /* mp4, webm */
  char *video_codec; /* h264, vp8; NULL: audio only */
  char *audio_codec; /* opus; NULL: video only */
  guint width, height;
  gint64 started_ms; /* wall clock of the first sample */
  gint64 duration_ms;
  gint64 bytes;
  char *state;
  char *error;
} RelayRecordingRow;

void relay_recording_row_free (RelayRecordingRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayRecordingRow, relay_recording_row_free)

/* Inserts the row as `recording` (row->state is not read) and sets row->id. */
gboolean relay_recording_index_insert (sqlite3 *db, RelayRecordingRow *row, GError **error);
gboolean relay_recording_index_progress (sqlite3 *db, gint64 id, gint64 duration_ms, gint64 bytes,
                                         guint width, guint height, GError **error);
gboolean relay_recording_index_close (sqlite3 *db, gint64 id, const char *state,
                                      gint64 duration_ms, gint64 bytes, const char *error_text,
                                      GError **error);

/* A briefing's files (deleted ones left out), by kind then start. */
GPtrArray *relay_recording_index_list (sqlite3 *db, gint64 briefing_id, GError **error);
/* NULL without error: no such row (or deleted). */
RelayRecordingRow *relay_recording_index_get (sqlite3 *db, gint64 id, GError **error);
/* Rows still `recording`: what a crash left open. */
GPtrArray *relay_recording_index_unfinished (sqlite3 *db, GError **error);

/* Retention: the bytes of every file not deleted. */
gint64 relay_recording_index_total_bytes (sqlite3 *db, GError **error);
/* The oldest briefing that still has files, started before `before_ms`
 * (0: any), other than `keep_id` and the newest briefing with files (a
 * limit set below one briefing's size must not delete the one just
 * recorded); 0 when none. */
gint64 relay_recording_index_oldest_briefing (sqlite3 *db, gint64 before_ms, gint64 keep_id,
                                              GError **error);
gboolean relay_recording_index_mark_deleted (sqlite3 *db, gint64 id, GError **error);

G_END_DECLS
