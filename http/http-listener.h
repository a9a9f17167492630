/* The HTTP(S) server's listening socket: accepts each connection itself,
 * applies the connection limits ([http] in the config; docs/API.md,
 * "Limits"), does the TLS handshake, and hands the connection to libsoup
 * (soup_server_accept_iostream).
 *
 *  - At most `max-connections` at once, and `max-connections-per-client`
 *    from one client address (an IPv6 client: its /64). A connection over
 *    either is answered 503 `too-many-connections` and closed at once,
 *    before libsoup sees it (over HTTPS, where nothing can be answered
 *    before a TLS handshake, it is only closed). A connection counts from
 *    its accept until it is closed, an upgraded WebSocket included.
 *  - `idle-timeout-s`: a connection is closed when its request line and
 *    headers have not all arrived that long after the accept (the TLS
 *    handshake included) or after the previous answer on it (a kept-alive
 *    connection), or when its body stops arriving for that long. The
 *    relay's own work on a request (and the answer it streams) is not
 *    timed, nor an upgraded WebSocket (the events endpoint has its own
 *    rules).
 *
 * Why not libsoup's own listener (3.2.3): it has no limits; it never
 * releases the GSocket of a connection it accepted; once an accept fails (no
 * descriptor left) it stops accepting for good (here a failed accept is
 * retried a moment later); and it keeps a kept-alive connection that the
 * client closes between two requests open for good (CLOSE_WAIT, a
 * descriptor and a few KiB each). For the last, libsoup reads each
 * connection through a RelayIdleInput (http/idle-input.h), which holds
 * that end of input back and has the connection taken from libsoup and
 * closed here instead.
 *
 * libsoup keeps a connection alive only while it has a listener of its own:
 * it is given one that nothing can connect to (one end of a socket pair).
 *
 * Main thread (the SoupServer's context). The listener is shared by its
 * owner and by each connection it counts; it goes with the last of them. A
 * connection's record lives until its socket's (or TLS) stream is
 * finalized. */
#pragma once

#include <libsoup/soup.h>
#include "relay/config/config.h"

G_BEGIN_DECLS

typedef struct _RelayHttpListener RelayHttpListener;

/* Starts accepting on `socket` (bound and listening: relay/listen-socket.h,
 * opened at start-up before the relay touches its data) for `server`; with
 * `tls_certificate`, HTTPS only. Takes a reference to the socket. Raises
 * the process's open-file limit to fit max-connections when it can. */
RelayHttpListener *relay_http_listener_new (SoupServer *server, const RelayConfig *config,
                                            GSocket *socket, GTlsCertificate *tls_certificate,
                                            GError **error);
/* Stops accepting and closes the listening socket. Connections still open
 * keep their count and deadline until they close. */
void relay_http_listener_free (RelayHttpListener *listener);

/* Where it listens: "http://127.0.0.1:8080/" (the port chosen when 0). */
char *relay_http_listener_dup_url (RelayHttpListener *listener);

/* The TCP socket under a request's connection; NULL for a connection this
 * listener did not accept. */
GSocket *relay_http_listener_socket_of (SoupServerMessage *msg);

G_END_DECLS
