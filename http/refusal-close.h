/* The last answer on an HTTP connection taken over from libsoup
 * (soup_server_message_steal_connection): a refusal written whole (status,
 * {"error","reason"}, Connection: close), then the connection closed.
 *
 * Between the two, whatever the client is still sending is read into a
 * small buffer on the stack and thrown away, for at most 2 s and 256 KiB:
 * closing a socket with unread input resets the connection, and a reset can
 * make the client lose the answer it has not read yet. Nothing of it is kept,
 * so a client that goes on sending costs no memory.
 *
 * Main thread (the SoupServer's context). Each closing connection owns its
 * stream, socket and timers until it is closed. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Takes `stream` (libsoup's, TLS included when the server speaks HTTPS);
 * `socket` is the TCP socket under it (a reference is taken). */
void relay_refusal_close (GIOStream *stream, GSocket *socket, guint status, const char *error,
                          const char *reason);

/* The same answer as one block of bytes (for a socket no stream was taken
 * from: plain HTTP only). */
char *relay_refusal_text (guint status, const char *error, const char *reason, gsize *len);

G_END_DECLS
