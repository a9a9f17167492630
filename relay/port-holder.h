/* Which local process listens on a TCP port, for the message of a relay
 * that cannot listen because the port is taken. Linux only: the listening
 * socket's inode from /proc/net/tcp and /proc/net/tcp6, its owner from the
 * /proc/<pid>/fd links. Another user's processes are visible to root only;
 * then, and off Linux, the answer is "unknown" (FALSE).
 * Any thread; reads /proc, keeps nothing. The caller owns the returned
 * command line. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A process with a socket listening on `port` (any local address, IPv4
 * or IPv6): its pid and its command line (arguments joined by spaces).
 * FALSE when no such socket or no visible owner was found. */
gboolean relay_port_holder_find (guint port, int *pid, char **command_line);

/* For tests: the same, with /proc at `proc_root`. */
gboolean relay_port_holder_find_in (const char *proc_root, guint port, int *pid,
                                    char **command_line);

G_END_DECLS
