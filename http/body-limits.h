/* Caps on request bodies, for every request, enforced while the body is
 * read and before any handler runs (so before any token is looked at):
 *
 *  - a declared Content-Length over the cap is refused when the headers
 *    arrive, without reading a byte of the body (with or without
 *    "Expect: 100-continue");
 *  - a chunked body is counted as it arrives; at the first chunk past the
 *    cap the relay stops keeping it and the connection is answered and
 *    closed (http/refusal-close.h);
 *
 * both with 413 `too-large`. The caps, per method and path, are the table in
 * body-limits.c: what each endpoint legitimately receives (docs/API.md,
 * "Limits"). An endpoint that takes a body needs its line there; any other
 * request may carry at most 1 KiB, and a GET, HEAD, DELETE or OPTIONS none.
 *
 * Main thread (the SoupServer's context). What is counted of a request lives
 * on its SoupServerMessage. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The most a request may carry, in bytes. */
gsize relay_body_limit_for (const char *method, const char *path);

/* Watches every request the server starts from now on. */
void relay_body_limits_install (SoupServer *server);

G_END_DECLS
