/* The relay's HTTP listening socket, opened first thing at start-up, before
 * the relay touches its data directory: a second relay started on a port
 * already taken (a second scripts/run) stops there, changing nothing, and
 * says what to do and, when it can be known, which process holds the port.
 * Main thread, start-up only. The caller owns the socket (and hands it to
 * the HTTP listener, http/http-listener.h, which accepts on it). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A TCP socket bound to address:port (port 0: one the system picks) and
 * listening. On failure NULL; when the address is in use, the error is
 * G_IO_ERROR_ADDRESS_IN_USE and its message, over several lines, names the
 * address and port, the process holding it if known, and the way out
 * (stop that relay, or --port / [relay] http-port). */
GSocket *relay_listen_socket_open (const char *address, guint port, GError **error);

G_END_DECLS
