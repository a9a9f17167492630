/* One clip file: a province's Opus RTP written to Ogg/Opus without
 * re-encoding (rtpopusdepay ! opusparse ! oggmux ! filesink), fed through a
 * pad of our own on the caller's thread. Packets are put back in sequence
 * order over a short window and stamped from their RTP timestamps, so the
 * file's timeline starts at 0 and keeps the gaps of the sender's DTX or of
 * lost packets. Not thread-safe: one thread owns a writer. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RelayClipWriter RelayClipWriter;

/* Creates `path` (its directory must exist). */
RelayClipWriter *relay_clip_writer_new (const char *path, GError **error);

/* A plain Opus RTP packet (48 kHz clock). Malformed packets are ignored. */
void relay_clip_writer_push (RelayClipWriter *writer, const guint8 *rtp, gsize len);

/* Packets written so far (after reordering). */
guint64 relay_clip_writer_get_packets (RelayClipWriter *writer);

/* Writes what is still held back, ends the stream (EOS, so the last Ogg
 * page is flushed and flagged) and closes the file. duration_ms: the
 * media's duration, from the first packet's timestamp to the end of the
 * last one. FALSE when the pipeline failed. */
gboolean relay_clip_writer_finish (RelayClipWriter *writer, guint64 *duration_ms, GError **error);

/* Frees (finishing is the caller's business; an unfinished file is left
 * as it is). */
void relay_clip_writer_free (RelayClipWriter *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayClipWriter, relay_clip_writer_free)

G_END_DECLS
