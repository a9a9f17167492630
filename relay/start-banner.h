/* What the relay prints on stdout once it listens: where (the "listening
 * on" line, which the test harness waits for), every page built into it
 * with its URL, the status API, and where the development tokens are.
 * The pages are read from the GResource (every .html page under web/ it holds), so a
 * new page is listed without anyone having to remember to.
 * Main thread, once at start-up; keeps nothing. */
#pragma once

#include <stdio.h>
#include "relay/config/config.h"

G_BEGIN_DECLS

/* url: where the relay listens ("http://127.0.0.1:8080/"); token_file: the
 * development tokens file, or NULL when there is none. */
void relay_start_banner_print (FILE *out, const char *url, const RelayConfig *config,
                               const char *token_file);

/* The pages (file names, "ops.html") built into the relay, the main ones
 * first in a fixed order, then the others by name. */
GPtrArray *relay_start_banner_pages (void);

G_END_DECLS
