/* Test-only capture of what the relay receives from outside, for the fuzz
 * corpus (tests/fuzz/capture-corpus, docs/FUZZING.md). Off unless the
 * environment variable BRIEFING_CAPTURE_DIR names a directory when the
 * relay starts; then each input is appended there as the parser that
 * handles it sees it:
 *
 *   <dir>/<kind>/<pid>-<n>         one file per input (sdp-offer,
 *                                  sdp-fragment, http-query, http-range,
 *                                  figures, events-message, config)
 *   <dir>/<kind>/<pid>-<session>   one file per peer session for packets
 *                                  (rtp, rtcp after SRTP decryption; sctp:
 *                                  DTLS application data both ways), as
 *                                  records: 1 byte direction ('<' received,
 *                                  '>' sent), 4 bytes big-endian length, the
 *                                  bytes
 *
 * HTTP inputs are captured by http/request-capture.c.
 *
 * Any thread: the files are written under one lock. Each session file stops
 * growing at 1 MiB. Never enable it in production: it writes what clients
 * send, tokens in queries included, to disk. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when BRIEFING_CAPTURE_DIR was set (read once). */
gboolean relay_input_capture_enabled (void);

/* One whole input: `kind` names the subdirectory. */
void relay_input_capture_item (const char *kind, const void *data, gsize len);

/* A file's contents as one input (the configuration); nothing for NULL. */
void relay_input_capture_file (const char *kind, const char *path);

/* One packet of a session's stream; `received` FALSE for what the relay sent. */
void relay_input_capture_packet (const char *kind, const char *session, gboolean received,
                                 const void *data, gsize len);

G_END_DECLS
