/* The input side of an HTTP connection as libsoup reads it, which holds back
 * the end of input (or a read error) while the connection is idle between
 * two requests: then it says "would block" and tells its owner instead.
 *
 * libsoup 3.2 reads the next request of a kept-alive connection before it
 * has a request to report it to; an end of input at that point leaves the
 * connection open for good (CLOSE_WAIT, its descriptor and memory). Held
 * back, the owner can take the connection from libsoup and close it
 * (http/http-listener.c). Outside the idle state every read, end and
 * error passes through untouched.
 *
 * A GPollableInputStream over another pollable input stream (a socket's, or
 * a TLS connection's). Main thread, as libsoup's reads. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RELAY_TYPE_IDLE_INPUT (relay_idle_input_get_type ())
G_DECLARE_FINAL_TYPE (RelayIdleInput, relay_idle_input, RELAY, IDLE_INPUT, GInputStream)

/* `on_held_end` runs (from the main loop, once) when an end of input or an
 * error was held back. */
RelayIdleInput *relay_idle_input_new (GInputStream *base, GSourceFunc on_held_end,
                                      gpointer data);
void relay_idle_input_set_idle (RelayIdleInput *input, gboolean idle);
/* The owner is gone: nothing is held back, nothing is told. */
void relay_idle_input_forget_owner (RelayIdleInput *input);

G_END_DECLS
