/* The relay's listening socket and, when its port is taken, the message
 * that names the process holding it (relay/listen-socket.c,
 * relay/port-holder.c): against real sockets of this process, and the
 * /proc parsing against a made-up /proc tree. */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>
#include <unistd.h>

#include "relay/listen-socket.h"
#include "relay/port-holder.h"

static guint
port_of (GSocket *sock)
{
  g_autoptr (GSocketAddress) local = g_socket_get_local_address (sock, NULL);
  g_assert_nonnull (local);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
}

static void
test_open_any_port (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) sock = relay_listen_socket_open ("127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (port_of (sock), >, 0);
}

static void
test_finds_this_process (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) sock = relay_listen_socket_open ("127.0.0.1", 0, &error);
  g_assert_no_error (error);
  int pid = 0;
  g_autofree char *command = NULL;
  g_assert_true (relay_port_holder_find (port_of (sock), &pid, &command));
  g_assert_cmpint (pid, ==, getpid ());
  g_assert_nonnull (g_strrstr (command, "test-listen-socket"));
}

static void
test_nobody_listening (void)
{
  /* A port that was free a moment ago: closed again, nobody holds it. */
  guint port;
  {
    g_autoptr (GSocket) sock = relay_listen_socket_open ("127.0.0.1", 0, NULL);
    port = port_of (sock);
    g_socket_close (sock, NULL);
  }
  int pid = -1;
  g_autofree char *command = NULL;
  g_assert_false (relay_port_holder_find (port, &pid, &command));
  g_assert_cmpint (pid, ==, -1);
  g_assert_null (command);
}

static void
test_port_in_use_message (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) first = relay_listen_socket_open ("127.0.0.1", 0, &error);
  g_assert_no_error (error);
  guint port = port_of (first);
  g_autoptr (GSocket) second = relay_listen_socket_open ("127.0.0.1", port, &error);
  g_assert_null (second);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_autofree char *where = g_strdup_printf ("127.0.0.1:%u", port);
  g_autofree char *held = g_strdup_printf ("pid %d", getpid ());
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, where));
  g_assert_nonnull (strstr (error->message, "already in use"));
  g_assert_nonnull (strstr (error->message, held));
  g_assert_nonnull (strstr (error->message, "--port"));
  g_assert_nonnull (strstr (error->message, "http-port"));
}

static void
test_not_an_address (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) sock = relay_listen_socket_open ("localhost.invalid", 8080, &error);
  g_assert_null (sock);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
write_file (const char *root, const char *rel, const char *text, gsize len)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, (gssize) len, NULL));
}

static void
link_socket (const char *root, const char *pid, const char *fd, const char *target)
{
  g_autofree char *dir = g_build_filename (root, pid, "fd", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_autofree char *path = g_build_filename (dir, fd, NULL);
  g_assert_cmpint (symlink (target, path), ==, 0);
}

static const char tcp[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    /* 127.0.0.1:8080 connected to somewhere: holds the port, does not listen */
    "   0: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 222 1 0000000000000000 20 4 30 10 -1\n"
    /* 0.0.0.0:8080 listening */
    "   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1 0000000000000000 100 0 0 10 0\n";
static const char tcp6[] =
    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    /* [::]:8081 listening */
    "   0: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 100 0 0 10 0\n";
static const char cmdline[] = "build/briefing-relay\0--config\0relay.ini\0";

static void
test_proc_tree (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("port-holder-XXXXXX", &error);
  g_assert_no_error (error);
  write_file (root, "net/tcp", tcp, sizeof tcp - 1);
  write_file (root, "net/tcp6", tcp6, sizeof tcp6 - 1);
  /* 40 holds only the connected socket; 41 (and its child 57) the
   * listening one; 42 the IPv6 listener, with no command line. */
  link_socket (root, "40", "3", "socket:[222]");
  write_file (root, "40/cmdline", "curl\0", 5);
  link_socket (root, "57", "5", "socket:[111]");
  write_file (root, "57/cmdline", "child\0", 6);
  link_socket (root, "41", "0", "/dev/null");
  link_socket (root, "41", "5", "socket:[111]");
  write_file (root, "41/cmdline", cmdline, sizeof cmdline - 1);
  link_socket (root, "42", "7", "socket:[333]");
  write_file (root, "42/cmdline", "", 0);
  write_file (root, "42/comm", "zombie\n", 7);
  write_file (root, "self/cmdline", "not a pid\0", 10);

  int pid = 0;
  g_autofree char *command = NULL;
  g_assert_true (relay_port_holder_find_in (root, 8080, &pid, &command));
  g_assert_cmpint (pid, ==, 41);
  g_assert_cmpstr (command, ==, "build/briefing-relay --config relay.ini");
  g_clear_pointer (&command, g_free);
  g_assert_true (relay_port_holder_find_in (root, 8081, &pid, &command));
  g_assert_cmpint (pid, ==, 42);
  g_assert_cmpstr (command, ==, "zombie");
  g_clear_pointer (&command, g_free);
  g_assert_false (relay_port_holder_find_in (root, 8082, &pid, &command));
  g_assert_null (command);
  /* No /proc at all (not Linux): unknown, not an error. */
  g_autofree char *nowhere = g_build_filename (root, "nowhere", NULL);
  g_assert_false (relay_port_holder_find_in (nowhere, 8080, &pid, &command));

  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", root);
  g_assert_cmpint (system (rm), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/listen-socket/open-any-port", test_open_any_port);
  g_test_add_func ("/listen-socket/port-in-use-message", test_port_in_use_message);
  g_test_add_func ("/listen-socket/not-an-address", test_not_an_address);
  g_test_add_func ("/port-holder/finds-this-process", test_finds_this_process);
  g_test_add_func ("/port-holder/nobody-listening", test_nobody_listening);
  g_test_add_func ("/port-holder/proc-tree", test_proc_tree);
  return g_test_run ();
}
