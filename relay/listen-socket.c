#include "relay/listen-socket.h"

#include "relay/port-holder.h"

/* At 07:30 all 76 offices press Publish within a few seconds: a deeper
 * accept queue than GLib's default of 10. */
#define LISTEN_BACKLOG 256

/* address:port as one would type it in a URL ([::1]:8080 for IPv6). */
static char *
host_port (GInetAddress *inet, const char *address, guint port)
{
  if (inet && g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%u", address, port);
  return g_strdup_printf ("%s:%u", address, port);
}

/* The message of a port in use: what, who (when visible), and what to do. */
static char *
explain_in_use (const char *where, guint port)
{
  GString *m = g_string_new (NULL);
  g_string_append_printf (m, "cannot listen on %s: the port is already in use.\n", where);
  int pid = 0;
  g_autofree char *command = NULL;
  gboolean known = relay_port_holder_find (port, &pid, &command);
  if (known)
    g_string_append_printf (m, "  Held by pid %d: %s\n", pid, command);
  else
    g_string_append_printf (m,
        "  Which process holds it cannot be seen from this user (as root: "
        "ss -ltnp 'sport = :%u').\n", port);
  gboolean relay = known && g_strrstr (command, "briefing-relay") != NULL;
  g_string_append (m, relay ? "  Another relay is running there (a second scripts/run?). Either stop it\n"
                            : "  Another relay or another program listens there. Either stop it\n");
  if (known)
    g_string_append_printf (m, "  (Ctrl-C in its terminal, or kill %d), or start this one on another\n",
                            pid);
  else
    g_string_append (m, "  (Ctrl-C in its terminal), or start this one on another\n");
  g_string_append_printf (m,
      "  port: --port N (e.g. scripts/run --port %u) or http-port in [relay] of the\n"
      "  configuration. Two relays at once also need a data-dir each.",
      port == 65535 ? 8081 : port + 1);
  return g_string_free (m, FALSE);
}

GSocket *
relay_listen_socket_open (const char *address, guint port, GError **error)
{
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);
  if (!inet)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "cannot listen on %s: not an IP address", address);
      return NULL;
    }
  g_autofree char *where = host_port (inet, address, port);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (inet, port);
  g_autoptr (GError) local = NULL;
  g_autoptr (GSocket) sock = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                                           G_SOCKET_PROTOCOL_TCP, &local);
  if (sock)
    {
      g_socket_set_listen_backlog (sock, LISTEN_BACKLOG);
      if (!g_socket_bind (sock, addr, TRUE, &local) || !g_socket_listen (sock, &local))
        g_clear_object (&sock);
    }
  if (sock)
    return g_steal_pointer (&sock);
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    {
      g_autofree char *message = explain_in_use (where, port);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE, message);
    }
  else
    g_set_error (error, local->domain, local->code, "cannot listen on %s: %s", where,
                 local->message);
  return NULL;
}
