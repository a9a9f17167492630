/* usrsctp glue.
 *
 * Threads and timers: usrsctp keeps global state. It is started once per
 * process with usrsctp_init_nothreads(): that variant creates neither the
 * raw-socket receive threads (useless in AF_CONN mode, and they would open
 * raw SCTP sockets when run as root) nor its own timer thread. Its timers
 * are driven by one "sctp-timer" thread of ours that calls
 * usrsctp_handle_timers() every 10 ms while at least one association
 * exists, and sleeps otherwise. usrsctp locks its own structures, so
 * workers may call usrsctp_conninput()/usrsctp_sendv() concurrently for
 * different associations.
 *
 * usrsctp calls back (output packets, received messages, notifications)
 * on whichever thread drove it: a worker inside conninput/sendv, or the
 * timer thread for retransmissions, heartbeats and delayed SACKs. Those
 * callbacks never touch an association: they copy into the association's
 * queue under one global lock, keyed by an integer id rather than a
 * pointer, so that a packet for an association being freed finds nothing.
 * The queue is drained on the association's own context: right after our
 * own usrsctp call when we are on it, or from an idle source otherwise. */
#include "webrtc/sctp/sctp-association.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>
#include <usrsctp.h>

#define TIMER_TICK_MS 10
#define STREAMS 1024
#define SOCKET_BUFFER (1024 * 1024)
/* Packets travel in DTLS records in UDP: 1200 bytes of SCTP keeps the
 * datagram under common path MTUs (what browsers use too). */
#define SCTP_MTU 1200
/* Messages kept while the socket's send buffer is full; beyond this a
 * peer that stopped acknowledging gets send failures instead. */
#define MAX_BACKLOG_BYTES (4 * 1024 * 1024)

typedef enum { EV_OUTPUT, EV_DATA, EV_NOTIFICATION } EventKind;

typedef struct {
  EventKind kind;
  guint16 sid;
  guint32 ppid;
  gboolean eor;
  GBytes *bytes;
} Event;

/* The part usrsctp's threads may reach, under `lock`. */
typedef struct {
  gint refcount;
  guintptr id;
  GMainContext *context;
  GQueue events;
  gboolean drain_scheduled;
  RelaySctpAssociation *assoc; /* NULL once freed */
} Shared;

struct _RelaySctpAssociation {
  Shared *shared;
  struct socket *sock;
  guint16 local_port, remote_port;
  RelaySctpState state;
  RelaySctpCallbacks callbacks;
  gpointer user_data;
  RelaySctpStats stats;
  GHashTable *partial; /* sid -> Partial being reassembled */
  gboolean in_drain;
  GQueue backlog; /* Pending, in send order */
  gsize backlog_bytes;
};

static GMutex lock;
static GHashTable *live; /* id -> Shared* */
static guintptr next_id = 1;
static guint n_associations;
static GMainContext *timer_context;
static GSource *timer_source;
static gint64 timer_last_us;

static void
event_free (gpointer p)
{
  Event *ev = p;
  g_bytes_unref (ev->bytes);
  g_free (ev);
}

static Shared *
shared_ref (Shared *s)
{
  g_atomic_int_inc (&s->refcount);
  return s;
}

static void
shared_unref (gpointer p)
{
  Shared *s = p;
  if (!g_atomic_int_dec_and_test (&s->refcount))
    return;
  g_queue_clear_full (&s->events, event_free);
  g_main_context_unref (s->context);
  g_free (s);
}

static void drain (RelaySctpAssociation *self);

typedef struct {
  struct sctp_sndinfo info;
  GBytes *bytes;
} Pending;

static void
pending_free (gpointer p)
{
  Pending *pending = p;
  g_bytes_unref (pending->bytes);
  g_free (pending);
}

static gboolean
drain_idle (gpointer data)
{
  Shared *s = data;
  g_mutex_lock (&lock);
  s->drain_scheduled = FALSE;
  RelaySctpAssociation *assoc = s->assoc;
  g_mutex_unlock (&lock);
  if (assoc != NULL)
    drain (assoc);
  return G_SOURCE_REMOVE;
}

/* Under `lock`. Called from usrsctp callbacks on any thread. */
static void
enqueue_locked (Shared *s, Event *ev)
{
  g_queue_push_tail (&s->events, ev);
  /* On the owning worker the caller drains when usrsctp returns. */
  if (s->drain_scheduled || g_main_context_is_owner (s->context))
    return;
  s->drain_scheduled = TRUE;
  GSource *idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, drain_idle, shared_ref (s), shared_unref);
  g_source_attach (idle, s->context);
  g_source_unref (idle);
}

static int
on_conn_output (void *addr, void *buffer, size_t length, uint8_t tos, uint8_t set_df)
{
  (void) tos;
  (void) set_df;
  g_mutex_lock (&lock);
  Shared *s = live ? g_hash_table_lookup (live, addr) : NULL;
  if (s != NULL)
    {
      Event *ev = g_new0 (Event, 1);
      ev->kind = EV_OUTPUT;
      ev->bytes = g_bytes_new (buffer, length);
      enqueue_locked (s, ev);
    }
  g_mutex_unlock (&lock);
  return 0;
}

static int
on_receive (struct socket *sock, union sctp_sockstore addr, void *data, size_t datalen,
            struct sctp_rcvinfo rcv, int flags, void *ulp_info)
{
  (void) sock;
  (void) addr;
  if (data == NULL)
    return 1; /* usrsctp's way of saying the socket is closing */
  g_mutex_lock (&lock);
  Shared *s = g_hash_table_lookup (live, ulp_info);
  if (s != NULL)
    {
      Event *ev = g_new0 (Event, 1);
      ev->kind = (flags & MSG_NOTIFICATION) ? EV_NOTIFICATION : EV_DATA;
      ev->sid = rcv.rcv_sid;
      ev->ppid = g_ntohl (rcv.rcv_ppid);
      ev->eor = (flags & MSG_EOR) != 0;
      ev->bytes = g_bytes_new (data, datalen);
      enqueue_locked (s, ev);
    }
  g_mutex_unlock (&lock);
  free (data); /* allocated by usrsctp with malloc */
  return 1;
}

static gboolean
on_timer_tick (gpointer data)
{
  (void) data;
  gint64 now = g_get_monotonic_time ();
  /* The lock guards timer_last_us only: usrsctp calls back into
   * on_conn_output, which takes it too. */
  g_mutex_lock (&lock);
  guint32 elapsed = (guint32) MAX ((now - timer_last_us) / 1000, 0);
  /* Only whole milliseconds are counted, so no time is lost to rounding. */
  timer_last_us += (gint64) elapsed * 1000;
  g_mutex_unlock (&lock);
  if (elapsed > 0)
    usrsctp_handle_timers (elapsed);
  return G_SOURCE_CONTINUE;
}

static gpointer
timer_thread (gpointer data)
{
  GMainLoop *loop = g_main_loop_new (data, FALSE);
  g_main_context_push_thread_default (data);
  g_main_loop_run (loop); /* for the life of the process */
  return NULL;
}

static gpointer
global_init (gpointer data)
{
  (void) data;
  usrsctp_init_nothreads (0, on_conn_output, NULL);
  /* ECN marks live in the IP header, which SCTP inside DTLS never sees. */
  usrsctp_sysctl_set_sctp_ecn_enable (0);
  live = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, shared_unref);
  timer_context = g_main_context_new ();
  g_thread_unref (g_thread_new ("sctp-timer", timer_thread, timer_context));
  return NULL;
}

/* Under `lock`: the timer runs only while associations exist. */
static void
timer_hold_locked (gboolean hold)
{
  if (hold && n_associations++ == 0)
    {
      timer_last_us = g_get_monotonic_time ();
      timer_source = g_timeout_source_new (TIMER_TICK_MS);
      g_source_set_callback (timer_source, on_timer_tick, NULL, NULL);
      g_source_attach (timer_source, timer_context);
    }
  else if (!hold && --n_associations == 0)
    {
      g_source_destroy (timer_source);
      g_clear_pointer (&timer_source, g_source_unref);
    }
}

static void
set_state (RelaySctpAssociation *self, RelaySctpState state)
{
  if (self->state == state || self->state == RELAY_SCTP_CLOSED)
    return;
  self->state = state;
  if (self->callbacks.state_changed)
    self->callbacks.state_changed (state, self->user_data);
}

static void
handle_notification (RelaySctpAssociation *self, const guint8 *data, gsize len)
{
  const union sctp_notification *n = (const void *) data;
  if (len < sizeof n->sn_header)
    return;
  switch (n->sn_header.sn_type)
    {
    case SCTP_ASSOC_CHANGE:
      if (len < sizeof n->sn_assoc_change)
        return;
      switch (n->sn_assoc_change.sac_state)
        {
        case SCTP_COMM_UP:
          set_state (self, RELAY_SCTP_CONNECTED);
          break;
        case SCTP_COMM_LOST:
        case SCTP_SHUTDOWN_COMP:
        case SCTP_CANT_STR_ASSOC:
          set_state (self, RELAY_SCTP_CLOSED);
          break;
        default:
          break;
        }
      break;
    case SCTP_SHUTDOWN_EVENT:
      set_state (self, RELAY_SCTP_CLOSED);
      break;
    case SCTP_STREAM_RESET_EVENT:
      {
        const struct sctp_stream_reset_event *r = &n->sn_strreset_event;
        if (len < sizeof *r || (r->strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN) == 0
            || (r->strreset_flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)))
          break;
        gsize n_streams = (MIN (len, r->strreset_length) - sizeof *r) / sizeof (guint16);
        for (gsize i = 0; i < n_streams && self->callbacks.incoming_reset; i++)
          {
            guint16 sid = r->strreset_stream_list[i];
            g_hash_table_remove (self->partial, GUINT_TO_POINTER (sid));
            self->callbacks.incoming_reset (sid, self->user_data);
          }
        break;
      }
    default:
      break;
    }
}

/* usrsctp hands over a large message in pieces (partial delivery); only
 * the last carries MSG_EOR. */
typedef struct {
  GByteArray *buf;
  gboolean overflow; /* over RELAY_SCTP_MAX_MESSAGE_SIZE: discarded */
} Partial;

static void
partial_free (gpointer p)
{
  Partial *part = p;
  g_byte_array_unref (part->buf);
  g_free (part);
}

static void
handle_data (RelaySctpAssociation *self, Event *ev)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (ev->bytes, &len);
  Partial *part = g_hash_table_lookup (self->partial, GUINT_TO_POINTER (ev->sid));

  if (ev->eor && part == NULL)
    {
      self->stats.messages_in++;
      if (self->callbacks.message)
        self->callbacks.message (ev->sid, ev->ppid, data, len, self->user_data);
      return;
    }
  if (part == NULL)
    {
      part = g_new0 (Partial, 1);
      part->buf = g_byte_array_new ();
      g_hash_table_insert (self->partial, GUINT_TO_POINTER (ev->sid), part);
    }
  /* A peer ignoring our a=max-message-size: drop that message, keep going. */
  if (!part->overflow && part->buf->len + len <= RELAY_SCTP_MAX_MESSAGE_SIZE)
    g_byte_array_append (part->buf, data, (guint) len);
  else
    {
      part->overflow = TRUE;
      g_byte_array_set_size (part->buf, 0);
    }
  if (!ev->eor)
    return;
  if (part->overflow)
    self->stats.oversized_dropped++;
  else
    {
      self->stats.messages_in++;
      if (self->callbacks.message)
        self->callbacks.message (ev->sid, ev->ppid, part->buf->data, part->buf->len,
                                 self->user_data);
    }
  g_hash_table_remove (self->partial, GUINT_TO_POINTER (ev->sid));
}

/* On the association's context. Callbacks may call send/reset_stream,
 * which queue more events: the loop picks those up too. */
/* usrsctp_sendv; FALSE with errno EWOULDBLOCK when the buffer is full. */
static gboolean
send_now (RelaySctpAssociation *self, struct sctp_sndinfo *info, const guint8 *data, gsize len)
{
  ssize_t n = usrsctp_sendv (self->sock, data, len, NULL, 0, info, sizeof *info,
                             SCTP_SENDV_SNDINFO, 0);
  return n >= 0 && (gsize) n == len;
}

/* Space frees up when the peer's SACKs arrive, which always passes
 * through drain(): that is where the backlog is retried. */
static gboolean
flush_backlog (RelaySctpAssociation *self)
{
  gboolean sent = FALSE;
  Pending *p;
  while (self->state == RELAY_SCTP_CONNECTED && (p = g_queue_peek_head (&self->backlog)))
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (p->bytes, &len);
      if (!send_now (self, &p->info, data, len))
        {
          if (errno == EWOULDBLOCK || errno == EAGAIN)
            break;
          self->stats.send_failures++;
        }
      else
        self->stats.messages_out++;
      self->backlog_bytes -= len;
      pending_free (g_queue_pop_head (&self->backlog));
      sent = TRUE;
    }
  return sent;
}

/* On the association's context. Callbacks may call send/reset_stream,
 * which queue more events: the loop picks those up too. */
static void
drain (RelaySctpAssociation *self)
{
  if (self->in_drain)
    return;
  self->in_drain = TRUE;
  for (;;)
    {
      g_mutex_lock (&lock);
      Event *ev = g_queue_pop_head (&self->shared->events);
      g_mutex_unlock (&lock);
      if (ev == NULL)
        {
          if (self->backlog.length > 0 && flush_backlog (self))
            continue; /* what it sent produced output */
          break;
        }
      gsize len;
      const guint8 *data = g_bytes_get_data (ev->bytes, &len);
      switch (ev->kind)
        {
        case EV_OUTPUT:
          if (self->callbacks.output)
            self->callbacks.output (data, len, self->user_data);
          break;
        case EV_DATA:
          handle_data (self, ev);
          break;
        case EV_NOTIFICATION:
          handle_notification (self, data, len);
          break;
        }
      event_free (ev);
    }
  self->in_drain = FALSE;
}

static gboolean
set_option (RelaySctpAssociation *self, int level, int name, const void *value, socklen_t len,
            const char *what, GError **error)
{
  if (usrsctp_setsockopt (self->sock, level, name, value, len) == 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "SCTP %s: %s", what,
               g_strerror (errno));
  return FALSE;
}

static gboolean
configure_socket (RelaySctpAssociation *self, GError **error)
{
  const int on = 1;
  const int buffer = SOCKET_BUFFER;
  /* An abortive close: when the session ends, its DTLS goes too. */
  const struct linger linger = { .l_onoff = 1, .l_linger = 0 };
  const struct sctp_assoc_value reset = { .assoc_id = SCTP_ALL_ASSOC,
                                          .assoc_value = SCTP_ENABLE_RESET_STREAM_REQ };
  const struct sctp_initmsg init = { .sinit_num_ostreams = STREAMS,
                                     .sinit_max_instreams = STREAMS };
  static const uint16_t events[] = { SCTP_ASSOC_CHANGE, SCTP_SHUTDOWN_EVENT,
                                     SCTP_STREAM_RESET_EVENT, SCTP_SEND_FAILED_EVENT };

  if (usrsctp_set_non_blocking (self->sock, 1) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "SCTP non-blocking mode refused");
      return FALSE;
    }
  if (!set_option (self, SOL_SOCKET, SO_LINGER, &linger, sizeof linger, "SO_LINGER", error)
      || !set_option (self, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer, "SO_RCVBUF", error)
      || !set_option (self, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer, "SO_SNDBUF", error)
      || !set_option (self, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on, "NODELAY", error)
      || !set_option (self, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on, "RECVRCVINFO", error)
      || !set_option (self, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &reset, sizeof reset,
                      "stream reset", error)
      || !set_option (self, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof init, "INITMSG", error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      struct sctp_event ev = { .se_assoc_id = SCTP_ALL_ASSOC, .se_type = events[i], .se_on = 1 };
      if (!set_option (self, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof ev, "event", error))
        return FALSE;
    }
  return TRUE;
}

static void
conn_address (struct sockaddr_conn *a, guintptr id, guint16 port)
{
  memset (a, 0, sizeof *a);
  a->sconn_family = AF_CONN;
  a->sconn_port = g_htons (port);
  a->sconn_addr = (void *) id;
}

RelaySctpAssociation *
relay_sctp_association_new (GMainContext *context, guint16 local_port, guint16 remote_port,
                            const RelaySctpCallbacks *callbacks, gpointer user_data,
                            GError **error)
{
  static GOnce once = G_ONCE_INIT;
  g_once (&once, global_init, NULL);

  RelaySctpAssociation *self = g_new0 (RelaySctpAssociation, 1);
  self->callbacks = *callbacks;
  self->user_data = user_data;
  self->local_port = local_port ? local_port : RELAY_SCTP_DEFAULT_PORT;
  self->remote_port = remote_port ? remote_port : RELAY_SCTP_DEFAULT_PORT;
  self->state = RELAY_SCTP_CONNECTING;
  self->partial = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                         partial_free);

  Shared *s = g_new0 (Shared, 1);
  s->refcount = 1;
  s->context = g_main_context_ref (context ? context : g_main_context_default ());
  s->assoc = self;
  self->shared = s;
  g_mutex_lock (&lock);
  s->id = next_id++;
  g_hash_table_insert (live, (gpointer) s->id, shared_ref (s));
  timer_hold_locked (TRUE);
  g_mutex_unlock (&lock);

  usrsctp_register_address ((void *) s->id);
  self->sock = usrsctp_socket (AF_CONN, SOCK_STREAM, IPPROTO_SCTP, on_receive, NULL, 0,
                               (void *) s->id);
  if (self->sock == NULL)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "SCTP socket: %s",
                   g_strerror (errno));
      relay_sctp_association_free (self);
      return NULL;
    }
  struct sockaddr_conn local;
  conn_address (&local, s->id, self->local_port);
  if (!configure_socket (self, error))
    {
      relay_sctp_association_free (self);
      return NULL;
    }
  if (usrsctp_bind (self->sock, (struct sockaddr *) &local, sizeof local) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "SCTP bind: %s",
                   g_strerror (errno));
      relay_sctp_association_free (self);
      return NULL;
    }
  return self;
}

void
relay_sctp_association_connect (RelaySctpAssociation *self)
{
  struct sockaddr_conn remote;
  conn_address (&remote, self->shared->id, self->remote_port);
  /* Both ends send INIT (RFC 8841): SCTP resolves the collision. */
  if (usrsctp_connect (self->sock, (struct sockaddr *) &remote, sizeof remote) != 0
      && errno != EINPROGRESS)
    g_debug ("SCTP connect: %s", g_strerror (errno));
  /* The path exists once connect() ran; there is no PMTU discovery to do
   * through DTLS. */
  struct sctp_paddrparams params;
  memset (&params, 0, sizeof params);
  memcpy (&params.spp_address, &remote, sizeof remote);
  params.spp_flags = SPP_PMTUD_DISABLE;
  params.spp_pathmtu = SCTP_MTU;
  if (usrsctp_setsockopt (self->sock, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &params,
                          sizeof params) != 0)
    g_debug ("SCTP path MTU: %s", g_strerror (errno));
  drain (self);
}

void
relay_sctp_association_receive (RelaySctpAssociation *self, const guint8 *data, gsize len)
{
  usrsctp_conninput ((void *) self->shared->id, data, len, 0);
  drain (self);
}

gboolean
relay_sctp_association_send (RelaySctpAssociation *self, guint16 sid, guint32 ppid,
                             gboolean unordered, const guint8 *data, gsize len)
{
  struct sctp_sndinfo info = { .snd_sid = sid, .snd_ppid = g_htonl (ppid),
                               .snd_flags = SCTP_EOR | (unordered ? SCTP_UNORDERED : 0) };
  if (self->state != RELAY_SCTP_CONNECTED)
    {
      self->stats.send_failures++;
      return FALSE;
    }
  /* Behind a backlog, a message waits its turn so that order holds. */
  gboolean queue = self->backlog.length > 0;
  if (!queue)
    {
      if (send_now (self, &info, data, len))
        {
          self->stats.messages_out++;
          drain (self);
          return TRUE;
        }
      queue = errno == EWOULDBLOCK || errno == EAGAIN;
    }
  if (!queue || self->backlog_bytes + len > MAX_BACKLOG_BYTES)
    {
      self->stats.send_failures++;
      drain (self);
      return FALSE;
    }
  Pending *p = g_new0 (Pending, 1);
  p->info = info;
  p->bytes = g_bytes_new (data, len);
  g_queue_push_tail (&self->backlog, p);
  self->backlog_bytes += len;
  self->stats.backlogged++;
  drain (self);
  return TRUE;
}

void
relay_sctp_association_reset_stream (RelaySctpAssociation *self, guint16 sid)
{
  gsize size = sizeof (struct sctp_reset_streams) + sizeof (guint16);
  struct sctp_reset_streams *r = g_malloc0 (size);
  r->srs_assoc_id = SCTP_ALL_ASSOC;
  r->srs_flags = SCTP_STREAM_RESET_OUTGOING;
  r->srs_number_streams = 1;
  r->srs_stream_list[0] = sid;
  if (usrsctp_setsockopt (self->sock, IPPROTO_SCTP, SCTP_RESET_STREAMS, r, (socklen_t) size) != 0)
    g_debug ("SCTP reset of stream %u: %s", sid, g_strerror (errno));
  g_free (r);
  drain (self);
}

RelaySctpState
relay_sctp_association_get_state (RelaySctpAssociation *self)
{
  return self->state;
}

void
relay_sctp_association_get_stats (RelaySctpAssociation *self, RelaySctpStats *stats)
{
  *stats = self->stats;
}

void
relay_sctp_association_free (RelaySctpAssociation *self)
{
  if (self == NULL)
    return;
  Shared *s = self->shared;
  if (self->sock != NULL)
    {
      /* The ABORT still goes out, but nothing else is delivered. */
      self->callbacks.message = NULL;
      self->callbacks.incoming_reset = NULL;
      self->callbacks.state_changed = NULL;
      usrsctp_close (self->sock);
      drain (self);
    }
  usrsctp_deregister_address ((void *) s->id);
  g_mutex_lock (&lock);
  s->assoc = NULL;
  g_hash_table_remove (live, (gpointer) s->id);
  timer_hold_locked (FALSE);
  g_mutex_unlock (&lock);
  shared_unref (s);
  g_hash_table_destroy (self->partial);
  g_queue_clear_full (&self->backlog, pending_free);
  g_free (self);
}
