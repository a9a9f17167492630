/* The HTTP server's answers by status class (1xx .. 5xx), since the start:
 * briefing_relay_http_requests_total{class} of GET /metrics. Answers that
 * libsoup sends are counted as each request finishes; the refusals the
 * relay writes on a connection it took from libsoup (http/refusal-
 * close.h, the connection limits of http/http-listener.c), and the
 * 101 of a WebSocket upgrade (whose request libsoup never finishes), are
 * noted by the code that writes them. Requests closed without an answer (an
 * idle connection, a client gone) are not answers and are not counted.
 *
 * Process-wide counters (one HTTP server per process). Threads: any
 * (atomics); the hook runs on the server's context. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

void relay_http_answer_counts_install (SoupServer *server);
/* An answer with this status, written outside libsoup. */
void relay_http_answer_counts_note (guint status);
/* Answers of class 1 .. 5 (2: the 2xx). */
guint64 relay_http_answer_counts_get (guint status_class);

G_END_DECLS
