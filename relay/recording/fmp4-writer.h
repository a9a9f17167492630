/* Writes a fragmented MP4 (ISO/IEC 14496-12) file of up to one H.264 video
 * track ('avc1'/'avcC', ISO/IEC 14496-15) and one Opus audio track
 * ('Opus'/'dOps', "Encapsulation of Opus in ISO Base Media File Format"),
 * from the coded frames as received: nothing is decoded or encoded.
 *
 * Layout: ftyp + moov (empty sample tables, mvex with mehd and trex) once
 * the first video key frame and its SPS/PPS are known (audio-only: at the
 * first audio frame), the region of the segment index (fmp4-sidx.h: a
 * 'sidx' listing the fragments written so far, so that a player seeks
 * without reading them all), then moof + mdat fragments of about a second,
 * each written whole (see fragmenter.h for where they are cut). What is on disk
 * is always a playable file: a SIGKILL loses at most the fragment being
 * gathered. The durations in mvhd, tkhd, mdhd and mehd are rewritten in
 * place after each fragment, so a player sees the duration of a file that
 * was never finished.
 *
 * Timeline: the file starts (time 0) at the first video key frame (or the
 * first audio frame when there is no video track); the frames' timestamps
 * of both tracks must count from one common zero. Video before the first
 * key frame and audio before the start are dropped (counted), not held: a
 * recording opens on a picture, with its sound from that moment.
 *
 * H.264 samples are the frame's NAL units, each with a 4-byte length; a key
 * frame's sample also carries the SPS and PPS in-band, so that fragments
 * copied from segments with other parameter sets (an encoder restart)
 * still decode. Opus: channel count from the first packet's TOC seen (2 if
 * none came before the start), pre-skip 312.
 *
 * Threads: not thread-safe, no thread of its own; one thread (the
 * recorder's, never a media thread: it writes to disk) owns a writer. The
 * writer owns its file descriptor; frames pushed stay the caller's. */
#pragma once

#include <glib.h>

#include "relay/recording/fragmenter.h"
#include "relay/recording/media-frame.h"

G_BEGIN_DECLS

typedef struct _RelayFmp4Writer RelayFmp4Writer;

/* Creates (or truncates) `path`. NULL with errno's text in `error` when it
 * cannot (EACCES, ENOENT, ...). Writes nothing until the first frame. */
RelayFmp4Writer *relay_fmp4_writer_new (const char *path, const RelayWriterParams *params,
                                        GError **error);

/* One frame: RELAY_MEDIA_H264 to the video track, RELAY_MEDIA_OPUS to the
 * audio track (other codecs or absent tracks: dropped). May write a
 * fragment. FALSE when a write failed (ENOSPC, EIO...): the writer is then
 * dead, every later call fails with the same error, and the file holds the
 * fragments written before. */
gboolean relay_fmp4_writer_push (RelayFmp4Writer *self, const RelayMediaFrame *frame,
                                 GError **error);

/* Writes what has gathered as a fragment now (e.g. when the source went
 * quiet), the last sample of each track with an estimated duration. */
gboolean relay_fmp4_writer_flush (RelayFmp4Writer *self, GError **error);

/* Writes the last fragment, the final durations, syncs and closes the
 * file. The writer then only answers the getters. A writer that never
 * got its start (no video key frame came) leaves an empty file: the
 * caller removes it, or opens the file audio-only when it knows there
 * will be no video. */
gboolean relay_fmp4_writer_finish (RelayFmp4Writer *self, GError **error);

void relay_fmp4_writer_get_stats (RelayFmp4Writer *self, RelayWriterStats *stats);

/* The fragments written so far (RelayFragmentInfo), oldest first; owned by
 * the writer, valid until the next push/flush/finish/free. */
const GArray *relay_fmp4_writer_get_fragments (RelayFmp4Writer *self);

/* Closes the file as it is (not finished: what a crash would leave) and
 * frees. */
void relay_fmp4_writer_free (RelayFmp4Writer *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayFmp4Writer, relay_fmp4_writer_free)

G_END_DECLS
