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

/* FALSE (nothing answered) when the file cannot be opened: the caller
 * says why. `download_name` non-NULL: Content-Disposition attachment. */
gboolean relay_http_serve_file (SoupServerMessage *msg, const char *path,
                                const char *content_type, const char *cache_control,
                                const char *download_name);

G_END_DECLS
