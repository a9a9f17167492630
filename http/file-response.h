/* Answers a GET or HEAD with a file from disk, honouring a single byte
 * Range (RFC 9110 §14: 206 with Content-Range, 416 with "bytes * /size" for
 * a range that starts past the end; an invalid or multi-range header is
 * ignored, as the RFC allows, and the whole file sent) so that a browser's
 * player can seek. The file is mapped, not read: a recording of an hour is
 * served without copying it into memory, and a file still being written
 * is served as far as it is written. Main context (libsoup's). */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef enum {
  RELAY_RANGE_NONE,          /* absent, or one we may ignore: the whole file */
  RELAY_RANGE_OK,            /* *first..*last (inclusive), within the file */
  RELAY_RANGE_UNSATISFIABLE, /* 416 */
} RelayRangeResult;

/* The Range header's one byte range for a file of `size` bytes. Pure (no
 * message), so that it is fuzzed on its own (tests/fuzz/fuzz-http-range.c). */
RelayRangeResult relay_http_parse_range (const char *header, guint64 size, guint64 *first,
                                         guint64 *last);

/* FALSE (nothing answered) when the file cannot be opened: the caller
 * says why. `download_name` non-NULL: Content-Disposition attachment. */
gboolean relay_http_serve_file (SoupServerMessage *msg, const char *path,
                                const char *content_type, const char *cache_control,
                                const char *download_name);

G_END_DECLS
