/* Writes a WebM (Matroska, RFC 9559 / webmproject.org container spec) file
 * of up to one VP8 video track and one Opus audio track, from the coded
 * frames as received: nothing is decoded or encoded.
 *
 * Layout: EBML header; a Segment of unknown size while writing, opening
 * with space kept (an EBML Void) for a SeekHead, Info (TimestampScale
 * 1 ms, Duration) and Tracks, written once the first VP8 key frame gives
 * the picture size (audio only: at the first Opus frame). Then Clusters of
 * about a second (cut as in fragmenter.h, so mostly at key frames), each
 * written whole with its size, of SimpleBlocks flagged as key frames where
 * they are. Duration is rewritten in place after each cluster: a file cut
 * after any cluster (SIGKILL, full disk) is playable and shows its length.
 * finish() appends Cues (one per cluster that starts with a key frame),
 * writes the SeekHead into the kept space and the Segment's size, so that
 * a finished file seeks well in browsers.
 *
 * Opus: CodecPrivate is an OpusHead (RFC 7845 §5.1: channels from the
 * first packet's TOC seen, or 2; pre-skip 312), CodecDelay the pre-skip in
 * ns and SeekPreRoll 80 ms, as the Matroska codec mapping says.
 *
 * Timeline, frames dropped before the start, threads and ownership: as
 * for fmp4-writer.h. */
#pragma once

#include <glib.h>

#include "relay/recording/fragmenter.h"
#include "relay/recording/media-frame.h"

G_BEGIN_DECLS

typedef struct _RelayWebmWriter RelayWebmWriter;

/* Creates (or truncates) `path`; NULL with errno's text in `error`. */
RelayWebmWriter *relay_webm_writer_new (const char *path, const RelayWriterParams *params,
                                        GError **error);

/* RELAY_MEDIA_VP8 to the video track, RELAY_MEDIA_OPUS to the audio one;
 * FALSE when a write failed (the writer is then dead; see fmp4-writer.h). */
gboolean relay_webm_writer_push (RelayWebmWriter *self, const RelayMediaFrame *frame,
                                 GError **error);

/* Writes what has gathered as a cluster now. */
gboolean relay_webm_writer_flush (RelayWebmWriter *self, GError **error);

/* Last cluster, Cues, SeekHead, sizes and Duration; syncs and closes.
 * Never started (no VP8 key frame came): an empty file, as for MP4. */
gboolean relay_webm_writer_finish (RelayWebmWriter *self, GError **error);

void relay_webm_writer_get_stats (RelayWebmWriter *self, RelayWriterStats *stats);

/* The clusters written so far (RelayFragmentInfo), oldest first. */
const GArray *relay_webm_writer_get_fragments (RelayWebmWriter *self);

/* Closes the file as it is (unfinished) and frees. */
void relay_webm_writer_free (RelayWebmWriter *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayWebmWriter, relay_webm_writer_free)

G_END_DECLS
