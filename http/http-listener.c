#include "http/http-listener.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "webrtc/base/log.h"
#include "relay/metrics/limit-refusals.h"
#include "http/http-answer-counts.h"
#include "http/idle-input.h"
#include "http/refusal-close.h"

/* Then the main loop's other sources get their turn. */
#define ACCEPTS_PER_WAKEUP 32
/* After an accept that failed (out of descriptors, say). */
#define ACCEPT_RETRY_MS 200
/* Descriptors the rest of the relay needs beside its HTTP connections: ICE
 * sockets, recordings, the database, pipes. */
#define FD_RESERVE 1024
/* At most one log line per interval about refused connections or failed
 * accepts: a flood of them must not flood the log too. */
#define LOG_INTERVAL_US (10 * G_USEC_PER_SEC)
/* What a refused client has already sent is read and dropped before the
 * close, so that the close does not reset the answer away. */
#define REFUSED_INPUT_MAX (64 * 1024)
/* Data on the remote address object given to libsoup, which keeps that very
 * object for the connection's requests. */
#define CONNECTION_KEY "relay-http-connection"
/* Data on the stream given to libsoup: the socket's (or TLS) stream under
 * it, which goes with it. */
#define BASE_STREAM_KEY "relay-base-stream"

typedef enum {
  WAITING_FOR_REQUEST, /* the request line and headers, from the accept or the previous answer */
  WAITING_FOR_BODY,    /* the next part of the body */
} Wait;

struct _RelayHttpListener {
  guint ref_count;
  GMainContext *context; /* the server's: where every record is touched */
  SoupServer *server; /* NULL once its owner freed the listener */
  GSocket *socket;    /* the listening socket; NULL once freed */
  GSocket *soup_end;  /* the far end of the listener libsoup is given */
  GSource *accepting; /* the listening socket is readable, or the retry timer */
  gulong started_handler;
  gulong finished_handler;
  GTlsCertificate *tls_certificate;
  char *url;
  guint max_connections;
  guint max_per_client;
  guint idle_timeout_ms;
  guint open;             /* connections counted */
  GHashTable *per_client; /* client key -> count */
  guint refused_unlogged;
  gint64 refusal_logged_us;
  gint64 accept_error_logged_us;
};

typedef struct {
  RelayHttpListener *listener; /* a reference */
  GSocket *socket;             /* a reference */
  GIOStream *stream;           /* the socket's or TLS stream, watched weakly: its end is the
                                * connection's */
  RelayIdleInput *input;       /* what libsoup reads, once handed over */
  GSocketAddress *local;
  GSocketAddress *remote; /* carries this record for the connection's requests */
  char *client;
  GSource *deadline;
  Wait waiting;
  GCancellable *handshake;  /* while the TLS handshake runs */
  SoupServerMessage *msg;   /* the latest request, watched weakly */
  /* Between two requests of a kept-alive connection: the request before, to
   * take the connection from libsoup with (a reference). */
  gboolean idle;
  SoupServerMessage *last_msg;
  gboolean taken;           /* closed or taken from libsoup: no more deadlines */
} Connection;

static void start_accepting (RelayHttpListener *listener);

static RelayHttpListener *
listener_ref (RelayHttpListener *listener)
{
  listener->ref_count++;
  return listener;
}

static void
listener_unref (RelayHttpListener *listener)
{
  if (--listener->ref_count > 0)
    return;
  g_hash_table_unref (listener->per_client);
  g_main_context_unref (listener->context);
  g_clear_object (&listener->tls_certificate);
  g_free (listener->url);
  g_free (listener);
}

/* The address whose connections count together: an IPv4 address (also
 * when mapped into IPv6), or an IPv6 /64, the smallest block a site is
 * given. */
static char *
client_key (GSocketAddress *address)
{
  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("unknown");
  GInetAddress *ip = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  if (g_inet_address_get_family (ip) != G_SOCKET_FAMILY_IPV6)
    return g_inet_address_to_string (ip);
  const guint8 *b = g_inet_address_to_bytes (ip);
  static const guint8 v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  if (memcmp (b, v4_mapped, sizeof v4_mapped) == 0)
    return g_strdup_printf ("%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
  return g_strdup_printf ("%x:%x:%x:%x::/64", b[0] << 8 | b[1], b[2] << 8 | b[3], b[4] << 8 | b[5],
                          b[6] << 8 | b[7]);
}

static gboolean
log_due (gint64 *last_us)
{
  gint64 now = g_get_monotonic_time ();
  if (*last_us && now - *last_us < LOG_INTERVAL_US)
    return FALSE;
  *last_us = now;
  return TRUE;
}

static void
disarm (Connection *conn)
{
  if (conn->deadline)
    {
      g_source_destroy (conn->deadline);
      g_clear_pointer (&conn->deadline, g_source_unref);
    }
}

static gboolean
unref_later (gpointer object)
{
  g_object_unref (object);
  return G_SOURCE_REMOVE;
}

/* Later: this can run in a signal of that very message. */
static void
drop_last_msg (Connection *conn)
{
  if (conn->last_msg)
    g_idle_add_full (G_PRIORITY_DEFAULT, unref_later, g_steal_pointer (&conn->last_msg), NULL);
}

static void
forget_msg (Connection *conn)
{
  if (!conn->msg)
    return;
  g_signal_handlers_disconnect_by_data (conn->msg, conn);
  g_object_remove_weak_pointer (G_OBJECT (conn->msg), (gpointer *) &conn->msg);
  conn->msg = NULL;
}

static gboolean
end_connection (gpointer data)
{
  Connection *conn = data;
  RelayHttpListener *listener = conn->listener;
  disarm (conn);
  forget_msg (conn);
  drop_last_msg (conn);
  if (conn->input)
    {
      relay_idle_input_forget_owner (conn->input);
      g_object_unref (conn->input);
    }
  g_clear_object (&conn->handshake);
  g_object_set_data (G_OBJECT (conn->remote), CONNECTION_KEY, NULL);
  g_socket_close (conn->socket, NULL);
  listener->open--;
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (listener->per_client, conn->client));
  if (n > 1)
    g_hash_table_insert (listener->per_client, g_strdup (conn->client), GUINT_TO_POINTER (n - 1));
  else
    g_hash_table_remove (listener->per_client, conn->client);
  g_object_unref (conn->socket);
  g_object_unref (conn->local);
  g_object_unref (conn->remote);
  g_free (conn->client);
  g_free (conn);
  listener_unref (listener);
  return G_SOURCE_REMOVE;
}

/* The stream given to libsoup is being finalized: the connection is over,
 * whoever had it last (libsoup, a WebSocket, a refusal being answered).
 * That can be a TLS handshake's worker thread dropping the last reference:
 * the record is ended on the server's thread. */
static void
on_stream_gone (gpointer data, GObject *where_the_stream_was)
{
  Connection *conn = data;
  g_debug ("HTTP: the stream of the connection from %s is gone (%s)", conn->client,
           conn->taken ? "taken from libsoup" : "dropped by libsoup");
  g_main_context_invoke (conn->listener->context, end_connection, conn);
}

/* Takes a connection that is idle between two requests from libsoup and
 * closes it. */
static void
retire (Connection *conn)
{
  if (conn->taken || !conn->last_msg)
    return;
  g_autoptr (SoupServerMessage) msg = g_object_ref (conn->last_msg);
  GIOStream *stream = soup_server_message_steal_connection (msg);
  if (stream)
    {
      g_io_stream_close (stream, NULL, NULL);
      g_object_unref (stream);
    }
}

/* The idle connection's input ended (the client closed it) or failed. */
static gboolean
on_idle_end (gpointer data)
{
  g_debug ("HTTP: idle connection from %s ended", ((Connection *) data)->client);
  retire (data);
  return G_SOURCE_REMOVE;
}

static gboolean
on_deadline (gpointer data)
{
  Connection *conn = data;
  g_clear_pointer (&conn->deadline, g_source_unref);
  guint s = conn->listener->idle_timeout_ms / 1000;
  /* A kept-alive connection, or a browser's spare one that it never used,
   * ends this way: worth a line only when debugging. A body that stops is
   * not usual. */
  if (conn->waiting == WAITING_FOR_REQUEST)
    relay_debug (NULL, "HTTP: closed a connection from %s: no complete request within %u s",
                 conn->client, s);
  else
    relay_info (NULL, "HTTP: closed a connection from %s: its request body stalled for %u s",
                conn->client, s);
  if (conn->idle)
    {
      retire (conn);
      return G_SOURCE_REMOVE;
    }
  if (conn->handshake)
    g_cancellable_cancel (conn->handshake);
  /* libsoup reads the end of input, drops the request and closes. */
  g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

static void
arm (Connection *conn, Wait waiting)
{
  disarm (conn);
  if (conn->taken)
    return;
  conn->waiting = waiting;
  conn->deadline = g_timeout_source_new (conn->listener->idle_timeout_ms);
  g_source_set_callback (conn->deadline, on_deadline, conn, NULL);
  g_source_attach (conn->deadline, conn->listener->context);
}

static Connection *
connection_of (SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  return remote ? g_object_get_data (G_OBJECT (remote), CONNECTION_KEY) : NULL;
}

GSocket *
relay_http_listener_socket_of (SoupServerMessage *msg)
{
  Connection *conn = connection_of (msg);
  return conn ? conn->socket : NULL;
}

static void
on_got_headers (SoupServerMessage *msg, gpointer data)
{
  arm (data, WAITING_FOR_BODY);
}

static void
on_got_chunk (SoupServerMessage *msg, GBytes *chunk, gpointer data)
{
  arm (data, WAITING_FOR_BODY);
}

/* The relay's own work on the request is not timed. */
static void
on_got_body (SoupServerMessage *msg, gpointer data)
{
  disarm (data);
}

/* libsoup closed the connection, or gave it away
 * (soup_server_message_steal_connection). */
static void
on_disconnected (SoupServerMessage *msg, gpointer data)
{
  Connection *conn = data;
  conn->taken = TRUE;
  conn->idle = FALSE;
  disarm (conn);
  /* What it reads from now on is not libsoup's next request. */
  if (conn->input)
    relay_idle_input_set_idle (conn->input, FALSE);
  drop_last_msg (conn);
}

/* At the accept, and on a kept-alive connection when the next request's
 * first bytes arrive (its deadline runs from the answer before). */
static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer data)
{
  Connection *conn = connection_of (msg);
  if (!conn)
    return;
  conn->idle = FALSE;
  if (conn->input)
    relay_idle_input_set_idle (conn->input, FALSE);
  forget_msg (conn);
  g_clear_object (&conn->last_msg);
  conn->msg = msg;
  g_object_add_weak_pointer (G_OBJECT (msg), (gpointer *) &conn->msg);
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), conn);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), conn);
  g_signal_connect (msg, "got-body", G_CALLBACK (on_got_body), conn);
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_disconnected), conn);
}

/* The answer is written. libsoup keeps the connection for a next request
 * unless one side said close (then it disconnects right after). */
static void
on_request_finished (SoupServer *server, SoupServerMessage *msg, gpointer data)
{
  Connection *conn = connection_of (msg);
  if (!conn || conn->taken)
    return;
  conn->idle = TRUE;
  relay_idle_input_set_idle (conn->input, TRUE);
  g_clear_object (&conn->last_msg);
  conn->last_msg = g_object_ref (msg);
  /* Kept until the next request: not its bodies. */
  soup_message_body_truncate (soup_server_message_get_request_body (msg));
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  arm (conn, WAITING_FOR_REQUEST);
}

/* Gives up our reference to `stream` (the socket's or TLS stream): libsoup
 * reads it through a RelayIdleInput, and holds its own reference. */
static void
hand_over (Connection *conn, GIOStream *stream)
{
  RelayHttpListener *listener = conn->listener;
  conn->input = relay_idle_input_new (g_io_stream_get_input_stream (stream), on_idle_end, conn);
  GIOStream *given = g_simple_io_stream_new (G_INPUT_STREAM (conn->input),
                                             g_io_stream_get_output_stream (stream));
  g_object_set_data_full (G_OBJECT (given), BASE_STREAM_KEY, stream, g_object_unref);
  if (listener->server)
    {
      g_object_set_data (G_OBJECT (conn->remote), CONNECTION_KEY, conn);
      /* Runs the connection's first request-started at once. */
      soup_server_accept_iostream (listener->server, given, conn->local, conn->remote, NULL);
    }
  g_object_unref (given);
}

static void
on_handshake (GObject *source, GAsyncResult *result, gpointer data)
{
  Connection *conn = data;
  g_autoptr (GError) error = NULL;
  g_clear_object (&conn->handshake);
  if (g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      hand_over (conn, G_IO_STREAM (source));
      return;
    }
  relay_debug (NULL, "HTTP: TLS handshake with %s failed: %s", conn->client, error->message);
  /* The last reference: the connection ends with it. */
  g_object_unref (source);
}

/* Answers (plain HTTP) and closes a connection that is over a limit. */
static void
refuse (RelayHttpListener *listener, GSocket *socket, const char *client, const char *reason)
{
  listener->refused_unlogged++;
  relay_limit_refusals_note (RELAY_REFUSAL_TOO_MANY_CONNECTIONS);
  if (log_due (&listener->refusal_logged_us))
    {
      relay_warn (NULL, "HTTP: refused %u connection(s), the latest from %s: %s",
                  listener->refused_unlogged, client, reason);
      listener->refused_unlogged = 0;
    }
  if (!listener->tls_certificate)
    {
      char buf[8192];
      gsize dropped = 0;
      gssize n;
      while (dropped < REFUSED_INPUT_MAX
             && (n = g_socket_receive_with_blocking (socket, buf, sizeof buf, FALSE, NULL, NULL))
                    > 0)
        dropped += (gsize) n;
      gsize len;
      g_autofree char *answer = relay_refusal_text (503, "too-many-connections", reason, &len);
      /* A new connection's send buffer takes it whole; if not, the close
       * alone says it. */
      g_socket_send_with_blocking (socket, answer, len, FALSE, NULL, NULL);
      relay_http_answer_counts_note (503);
    }
  g_socket_close (socket, NULL);
}

static void
take_connection (RelayHttpListener *listener, GSocket *socket)
{
  g_autoptr (GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);
  g_autoptr (GSocketAddress) local = g_socket_get_local_address (socket, NULL);
  if (!remote || !local)
    {
      g_socket_close (socket, NULL); /* gone already */
      return;
    }
  g_autofree char *client = client_key (remote);
  guint from_client = GPOINTER_TO_UINT (g_hash_table_lookup (listener->per_client, client));
  if (listener->open >= listener->max_connections)
    {
      refuse (listener, socket, client, "the relay holds as many connections as it takes");
      return;
    }
  if (from_client >= listener->max_per_client)
    {
      refuse (listener, socket, client, "too many connections from this address");
      return;
    }

  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  GIOStream *stream = G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
  if (listener->tls_certificate)
    {
      g_autoptr (GError) error = NULL;
      GIOStream *tls = G_IO_STREAM (g_tls_server_connection_new (stream, listener->tls_certificate,
                                                                 &error));
      g_object_unref (stream);
      if (!tls)
        {
          relay_warn (NULL, "HTTP: no TLS for %s: %s", client, error->message);
          g_socket_close (socket, NULL);
          return;
        }
      static const char *const protocols[] = { "http/1.1", "http/1.0", NULL };
      g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (tls), protocols);
      /* As libsoup's own listener: a client that just closes is fine. */
      g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (tls), FALSE);
      stream = tls;
    }

  Connection *conn = g_new0 (Connection, 1);
  conn->listener = listener_ref (listener);
  conn->socket = g_object_ref (socket);
  conn->stream = stream;
  conn->local = g_steal_pointer (&local);
  conn->remote = g_steal_pointer (&remote);
  conn->client = g_strdup (client);
  listener->open++;
  g_hash_table_insert (listener->per_client, g_steal_pointer (&client),
                       GUINT_TO_POINTER (from_client + 1));
  g_object_weak_ref (G_OBJECT (stream), on_stream_gone, conn);
  arm (conn, WAITING_FOR_REQUEST);
  if (listener->tls_certificate)
    {
      conn->handshake = g_cancellable_new ();
      g_tls_connection_handshake_async (G_TLS_CONNECTION (stream), G_PRIORITY_DEFAULT,
                                        conn->handshake, on_handshake, conn);
    }
  else
    hand_over (conn, stream);
}

static gboolean
on_retry_accepting (gpointer data)
{
  RelayHttpListener *listener = data;
  g_clear_pointer (&listener->accepting, g_source_unref);
  start_accepting (listener);
  return G_SOURCE_REMOVE;
}

static gboolean
on_acceptable (GSocket *socket, GIOCondition condition, gpointer data)
{
  RelayHttpListener *listener = data;
  for (guint i = 0; i < ACCEPTS_PER_WAKEUP; i++)
    {
      g_autoptr (GError) error = NULL;
      GSocket *accepted = g_socket_accept (socket, NULL, &error);
      if (!accepted)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return G_SOURCE_CONTINUE;
          if (log_due (&listener->accept_error_logged_us))
            relay_warn (NULL, "HTTP: cannot accept a connection (%s); trying again every %u ms",
                        error->message, ACCEPT_RETRY_MS);
          /* Not in a busy loop on a queue it cannot take from. */
          g_clear_pointer (&listener->accepting, g_source_unref);
          listener->accepting = g_timeout_source_new (ACCEPT_RETRY_MS);
          g_source_set_callback (listener->accepting, on_retry_accepting, listener, NULL);
          g_source_attach (listener->accepting, listener->context);
          return G_SOURCE_REMOVE;
        }
      take_connection (listener, accepted);
      g_object_unref (accepted);
    }
  return G_SOURCE_CONTINUE;
}

static void
start_accepting (RelayHttpListener *listener)
{
  listener->accepting = g_socket_create_source (listener->socket, G_IO_IN, NULL);
  g_source_set_callback (listener->accepting, G_SOURCE_FUNC (on_acceptable), listener, NULL);
  g_source_attach (listener->accepting, listener->context);
}

static void
fit_open_file_limit (guint max_connections)
{
  struct rlimit rl;
  if (getrlimit (RLIMIT_NOFILE, &rl) != 0)
    return;
  rlim_t want = (rlim_t) max_connections + FD_RESERVE;
  if (rl.rlim_cur >= want)
    return;
  rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : MIN (want, rl.rlim_max);
  setrlimit (RLIMIT_NOFILE, &rl);
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want)
    relay_warn (NULL,
                "the open-file limit (%lu) is below [http] max-connections + %u: lower "
                "max-connections or raise the limit (ulimit -n, LimitNOFILE=)",
                (unsigned long) rl.rlim_cur, FD_RESERVE);
}

static char *
url_of (GSocket *socket, gboolean tls)
{
  g_autoptr (GSocketAddress) address = g_socket_get_local_address (socket, NULL);
  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;
  GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
  g_autofree char *ip = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
  gboolean v6 = g_inet_socket_address_get_address (inet) != NULL
                && g_inet_address_get_family (g_inet_socket_address_get_address (inet))
                       == G_SOCKET_FAMILY_IPV6;
  return g_strdup_printf ("%s://%s%s%s:%u/", tls ? "https" : "http", v6 ? "[" : "", ip,
                          v6 ? "]" : "", g_inet_socket_address_get_port (inet));
}

/* libsoup keeps a connection alive after its answer only while it has a
 * listener of its own (soup_server_listen_*): it gets one that nothing can
 * connect to, one end of a socket pair whose other end never writes.
 * Returns that other end. */
static GSocket *
give_soup_a_listener (SoupServer *server, GError **error)
{
  int fds[2];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "socketpair: %s",
                   g_strerror (saved));
      return NULL;
    }
  g_autoptr (GSocket) soup_side = g_socket_new_from_fd (fds[0], error);
  if (!soup_side)
    {
      close (fds[0]);
      close (fds[1]);
      return NULL;
    }
  g_autoptr (GSocket) our_side = g_socket_new_from_fd (fds[1], error);
  if (!our_side)
    {
      close (fds[1]);
      return NULL;
    }
  if (!soup_server_listen_socket (server, soup_side, 0, error))
    return NULL;
  return g_steal_pointer (&our_side);
}

RelayHttpListener *
relay_http_listener_new (SoupServer *server, const RelayConfig *config, GSocket *socket,
                         GTlsCertificate *tls_certificate, GError **error)
{
  g_socket_set_blocking (socket, FALSE);
  g_autoptr (GSocket) soup_end = give_soup_a_listener (server, error);
  if (!soup_end)
    return NULL;

  RelayHttpListener *listener = g_new0 (RelayHttpListener, 1);
  listener->ref_count = 1;
  listener->context = g_main_context_ref_thread_default ();
  listener->server = server;
  listener->socket = g_object_ref (socket);
  listener->soup_end = g_steal_pointer (&soup_end);
  listener->tls_certificate = tls_certificate ? g_object_ref (tls_certificate) : NULL;
  listener->url = url_of (listener->socket, tls_certificate != NULL);
  listener->max_connections = config->http_max_connections;
  listener->max_per_client = config->http_max_connections_per_client;
  listener->idle_timeout_ms = config->http_idle_timeout_s * 1000;
  listener->per_client = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fit_open_file_limit (listener->max_connections);
  listener->started_handler = g_signal_connect (server, "request-started",
                                                G_CALLBACK (on_request_started), listener);
  listener->finished_handler = g_signal_connect (server, "request-finished",
                                                 G_CALLBACK (on_request_finished), listener);
  start_accepting (listener);
  return listener;
}

char *
relay_http_listener_dup_url (RelayHttpListener *listener)
{
  return g_strdup (listener->url);
}

void
relay_http_listener_free (RelayHttpListener *listener)
{
  if (!listener)
    return;
  if (listener->accepting)
    {
      g_source_destroy (listener->accepting);
      g_clear_pointer (&listener->accepting, g_source_unref);
    }
  g_socket_close (listener->socket, NULL);
  g_clear_object (&listener->socket);
  g_signal_handler_disconnect (listener->server, listener->started_handler);
  g_signal_handler_disconnect (listener->server, listener->finished_handler);
  g_socket_close (listener->soup_end, NULL);
  g_clear_object (&listener->soup_end);
  listener->server = NULL;
  listener_unref (listener);
}
