/* Cross-thread packet channel: ordered delivery from a sender thread to a
 * receiving GMainContext, drop-oldest under a stalled receiver (bounded in
 * packets and in bytes), wake-ups, and close()/unref racing with a sender
 * (meant to run under ASan). */
#include "webrtc/worker/packet-channel.h"

#include <string.h>

#define N_PACKETS 100000
#define PAYLOAD_LEN 64

typedef struct {
  guint received;
  gboolean have_first;
  guint32 first_seq;
  guint32 next_seq;
  guint order_errors;
  guint content_errors;
  gboolean closed;       /* set by the test right after close() returns */
  guint after_close;     /* callbacks seen after close(): must stay 0 */
  RelayPacketChannel *close_from_callback_at_channel;
  guint close_from_callback_at;
} Receiver;

static void
fill (guint8 *buf, guint32 seq)
{
  buf[0] = (guint8) (seq >> 24);
  buf[1] = (guint8) (seq >> 16);
  buf[2] = (guint8) (seq >> 8);
  buf[3] = (guint8) seq;
  for (guint i = 4; i < PAYLOAD_LEN; i++)
    buf[i] = (guint8) (seq * 31 + i);
}

static void
on_packet (const RelayChannelPacket *p, gpointer user_data)
{
  Receiver *r = user_data;
  guint8 expect[PAYLOAD_LEN];
  guint32 seq;

  if (r->closed)
    r->after_close++;
  if (p->len != PAYLOAD_LEN) {
    r->content_errors++;
    return;
  }
  seq = ((guint32) p->data[0] << 24) | ((guint32) p->data[1] << 16) |
        ((guint32) p->data[2] << 8) | p->data[3];
  fill (expect, seq);
  if (memcmp (expect, p->data, PAYLOAD_LEN) != 0 || p->kind != seq % 3 ||
      p->keyframe != (seq % 100 == 0) || p->arrival_us != (gint64) seq * 10)
    r->content_errors++;
  if (!r->have_first) {
    r->have_first = TRUE;
    r->first_seq = seq;
  }
  if (seq < r->next_seq)
    r->order_errors++;
  r->next_seq = seq + 1;
  r->received++;

  if (r->close_from_callback_at_channel && r->received == r->close_from_callback_at) {
    relay_packet_channel_close (r->close_from_callback_at_channel);
    r->closed = TRUE;
  }
}

/* Bounded in packets; the byte bound the relay pairs with it is never the
 * one reached by these small packets. */
static RelayPacketChannel *
new_channel (GMainContext *ctx, guint max_packets, Receiver *r)
{
  return relay_packet_channel_new (ctx, max_packets, RELAY_PACKET_CHANNEL_BYTES_FOR (max_packets),
                                   on_packet, r);
}

static gboolean
send_one (RelayPacketChannel *channel, guint32 seq)
{
  guint8 buf[PAYLOAD_LEN];

  fill (buf, seq);
  return relay_packet_channel_send (channel, seq % 3, seq % 100 == 0, (gint64) seq * 10, buf,
                                    sizeof buf);
}

typedef struct {
  RelayPacketChannel *channel; /* the sender's own reference */
  guint count;                 /* 0: until send fails */
  guint sent;
  gboolean refused;
  guint delay_ms;
} Sender;

static gpointer
sender_main (gpointer data)
{
  Sender *s = data;

  if (s->delay_ms)
    g_usleep (s->delay_ms * 1000);
  for (guint32 seq = 0; s->count == 0 || seq < s->count; seq++) {
    if (!send_one (s->channel, seq)) {
      s->refused = TRUE;
      break;
    }
    s->sent++;
    if (s->count == 0 && seq % 64 == 0)
      g_thread_yield ();
  }
  /* Drop the sender's reference from the sender thread, possibly while
   * the receiver drops its own. */
  relay_packet_channel_unref (g_steal_pointer (&s->channel));
  return NULL;
}

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates ctx until cond holds or the deadline passes; the ticking
 * timeout keeps a blocking iteration from waiting forever. */
#define ITERATE_UNTIL(ctx, cond, seconds)                                     \
  G_STMT_START {                                                              \
    gint64 deadline_ = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC;  \
    GSource *tick_ = g_timeout_source_new (20);                               \
    g_source_set_callback (tick_, tick, NULL, NULL);                          \
    g_source_attach (tick_, ctx);                                             \
    while (!(cond) && g_get_monotonic_time () < deadline_)                    \
      g_main_context_iteration (ctx, TRUE);                                   \
    g_source_destroy (tick_);                                                 \
    g_source_unref (tick_);                                                   \
  } G_STMT_END

static void
drain (GMainContext *ctx)
{
  while (g_main_context_iteration (ctx, FALSE))
    ;
}

static void
test_in_order (void)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  Receiver r = { 0 };
  RelayPacketChannel *channel = new_channel (ctx, N_PACKETS, &r);
  Sender s = { .channel = relay_packet_channel_ref (channel), .count = N_PACKETS };
  GThread *thread = g_thread_new ("sender", sender_main, &s);

  ITERATE_UNTIL (ctx, r.received == N_PACKETS, 30);
  g_thread_join (thread);
  g_assert_cmpuint (s.sent, ==, N_PACKETS);
  g_assert_cmpuint (r.received, ==, N_PACKETS);
  g_assert_cmpuint (r.first_seq, ==, 0);
  g_assert_cmpuint (r.order_errors, ==, 0);
  g_assert_cmpuint (r.content_errors, ==, 0);
  g_assert_cmpuint (r.next_seq, ==, N_PACKETS);
  g_assert_cmpuint (relay_packet_channel_get_dropped (channel), ==, 0);
  relay_packet_channel_close (channel);
  relay_packet_channel_unref (channel);
}

static void
test_drop_oldest (void)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  Receiver r = { 0 };
  RelayPacketChannel *channel = new_channel (ctx, 16, &r);
  Sender s = { .channel = relay_packet_channel_ref (channel), .count = 1000 };
  GThread *thread = g_thread_new ("sender", sender_main, &s);

  /* The receiver does not iterate until the sender is done. */
  g_thread_join (thread);
  g_assert_cmpuint (s.sent, ==, 1000);
  g_assert_cmpuint (r.received, ==, 0);
  g_assert_cmpuint (relay_packet_channel_get_dropped (channel), ==, 1000 - 16);

  r.next_seq = 0;
  drain (ctx);
  /* Exactly the newest 16 (984..999) survived, in order. */
  g_assert_cmpuint (r.received, ==, 16);
  g_assert_cmpuint (r.first_seq, ==, 1000 - 16);
  g_assert_cmpuint (r.next_seq, ==, 1000);
  g_assert_cmpuint (r.order_errors, ==, 0);
  g_assert_cmpuint (r.content_errors, ==, 0);

  /* The channel keeps working after an overflow. */
  for (guint32 seq = 1000; seq < 1005; seq++)
    g_assert_true (send_one (channel, seq));
  drain (ctx);
  g_assert_cmpuint (r.received, ==, 21);
  g_assert_cmpuint (relay_packet_channel_get_dropped (channel), ==, 984);

  relay_packet_channel_close (channel);
  g_assert_false (send_one (channel, 2000));
  relay_packet_channel_close (channel); /* twice is harmless */
  relay_packet_channel_unref (channel);
}

/* A blocking iteration with nothing else to wake it returns because the
 * first packet into an empty queue wakes the context. */
static void
test_wakeup (void)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  Receiver r = { 0 };
  RelayPacketChannel *channel = new_channel (ctx, 8, &r);
  Sender s = { .channel = relay_packet_channel_ref (channel), .count = 1, .delay_ms = 50 };
  GThread *thread;
  gboolean timed_out = FALSE;
  GSource *guard = g_timeout_source_new_seconds (5);

  /* Only a guard against hanging: it must not be what wakes the loop. */
  g_source_set_callback (guard, set_flag, &timed_out, NULL);
  g_source_attach (guard, ctx);
  thread = g_thread_new ("sender", sender_main, &s);
  while (r.received == 0 && !timed_out)
    g_main_context_iteration (ctx, TRUE);
  g_source_destroy (guard);
  g_source_unref (guard);
  g_assert_false (timed_out);
  g_assert_cmpuint (r.received, ==, 1);
  g_thread_join (thread);
  relay_packet_channel_close (channel);
  relay_packet_channel_unref (channel);
}

static void
test_close_while_sending (void)
{
  for (int round = 0; round < 40; round++) {
    g_autoptr (GMainContext) ctx = g_main_context_new ();
    Receiver r = { 0 };
    RelayPacketChannel *channel = new_channel (ctx, 64, &r);
    Sender s = { .channel = relay_packet_channel_ref (channel) };
    GThread *thread = g_thread_new ("sender", sender_main, &s);
    guint want = g_test_rand_int_range (1, 3000);

    ITERATE_UNTIL (ctx, r.received >= want, 10);
    g_assert_cmpuint (r.received, >=, want);
    relay_packet_channel_close (channel);
    r.closed = TRUE;
    /* The receiver lets go at once, racing the sender's last sends and
     * its own unref in the other thread. */
    relay_packet_channel_unref (channel);
    ITERATE_UNTIL (ctx, FALSE, 0.05);
    drain (ctx);
    g_thread_join (thread);
    g_assert_true (s.refused);
    g_assert_cmpuint (r.after_close, ==, 0);
    g_assert_cmpuint (r.order_errors, ==, 0);
    g_assert_cmpuint (r.content_errors, ==, 0);
  }
}

/* close() from inside the callback stops the batch being dispatched. */
static void
test_close_in_callback (void)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  Receiver r = { .close_from_callback_at = 5 };
  RelayPacketChannel *channel = new_channel (ctx, 64, &r);

  r.close_from_callback_at_channel = channel;
  /* The sender's reference goes away before the receiver's callback
   * closes, so the dispatch relies on the source's own reference. */
  relay_packet_channel_ref (channel);
  for (guint32 seq = 0; seq < 20; seq++)
    g_assert_true (send_one (channel, seq));
  relay_packet_channel_unref (channel);
  drain (ctx);
  g_assert_cmpuint (r.received, ==, 5);
  g_assert_cmpuint (r.after_close, ==, 0);
  g_assert_false (send_one (channel, 20));
  relay_packet_channel_unref (channel);
  drain (ctx);
  g_assert_cmpuint (r.received, ==, 5);
}

typedef struct {
  RelayPacketChannel *channel;
  gint *go;
} Unreffer;

static gpointer
unref_main (gpointer data)
{
  Unreffer *u = data;

  while (!g_atomic_int_get (u->go))
    ;
  relay_packet_channel_unref (u->channel);
  return NULL;
}

/* Both parties unref at the same moment: exactly one of them frees. */
static void
test_unref_race (void)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();

  for (int round = 0; round < 500; round++) {
    Receiver r = { 0 };
    RelayPacketChannel *channel = new_channel (ctx, 4, &r);
    gint go = 0;
    Unreffer u = { relay_packet_channel_ref (channel), &go };
    GThread *thread = g_thread_new ("unref", unref_main, &u);

    send_one (channel, 0);
    relay_packet_channel_close (channel);
    g_atomic_int_set (&go, 1);
    relay_packet_channel_unref (channel);
    g_thread_join (thread);
    drain (ctx);
    g_assert_cmpuint (r.received, ==, 0);
  }
}

/* ---- the byte bound ---- */

/* Packets of any size: the first 4 bytes are a sequence number, the rest
 * repeat its low byte, and the length is what the sender chose. */
typedef struct {
  guint received;
  gsize received_bytes;
  guint32 first_seq, next_seq;
  gboolean have_first;
  guint order_errors, content_errors;
} SizedReceiver;

static void
on_sized_packet (const RelayChannelPacket *p, gpointer user_data)
{
  SizedReceiver *r = user_data;
  guint32 seq;

  g_assert_cmpuint (p->len, >=, 4);
  seq = ((guint32) p->data[0] << 24) | ((guint32) p->data[1] << 16) |
        ((guint32) p->data[2] << 8) | p->data[3];
  for (gsize i = 4; i < p->len; i++)
    if (p->data[i] != (guint8) seq) {
      r->content_errors++;
      break;
    }
  if (!r->have_first) {
    r->have_first = TRUE;
    r->first_seq = seq;
  } else if (seq < r->next_seq)
    r->order_errors++;
  r->next_seq = seq + 1;
  r->received++;
  r->received_bytes += p->len;
}

static gboolean
send_sized (RelayPacketChannel *channel, guint32 seq, gsize len)
{
  g_autofree guint8 *buf = g_malloc (len);

  memset (buf, (guint8) seq, len);
  buf[0] = (guint8) (seq >> 24);
  buf[1] = (guint8) (seq >> 16);
  buf[2] = (guint8) (seq >> 8);
  buf[3] = (guint8) seq;
  return relay_packet_channel_send (channel, 0, FALSE, 0, buf, len);
}

/* Big packets reach the byte bound long before the packet bound: the
 * queue keeps the newest that fit, the rest are dropped and counted. */
static void
test_byte_bound (void)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  SizedReceiver r = { 0 };
  RelayPacketChannel *channel = relay_packet_channel_new (ctx, 100, 10000, on_sized_packet, &r);
  RelayPacketChannelStats st;

  for (guint32 seq = 0; seq < 50; seq++)
    g_assert_true (send_sized (channel, seq, 1000));
  relay_packet_channel_get_stats (channel, &st);
  g_assert_cmpuint (st.queued, ==, 10);
  g_assert_cmpuint (st.queued_bytes, ==, 10000);
  g_assert_cmpuint (st.peak_bytes, ==, 10000);
  g_assert_cmpuint (st.dropped, ==, 40);
  g_assert_cmpuint (st.dropped_bytes, ==, 40000);
  g_assert_cmpuint (relay_packet_channel_get_dropped (channel), ==, 40);

  drain (ctx);
  g_assert_cmpuint (r.received, ==, 10);
  g_assert_cmpuint (r.first_seq, ==, 40);
  g_assert_cmpuint (r.next_seq, ==, 50);
  g_assert_cmpuint (r.order_errors, ==, 0);
  g_assert_cmpuint (r.content_errors, ==, 0);
  relay_packet_channel_get_stats (channel, &st);
  g_assert_cmpuint (st.queued, ==, 0);
  g_assert_cmpuint (st.queued_bytes, ==, 0);

  /* One big packet makes room by dropping as many old ones as it needs. */
  for (guint32 seq = 50; seq < 55; seq++)
    g_assert_true (send_sized (channel, seq, 1000));
  g_assert_true (send_sized (channel, 55, 7000));
  relay_packet_channel_get_stats (channel, &st);
  g_assert_cmpuint (st.queued, ==, 4);
  g_assert_cmpuint (st.queued_bytes, ==, 10000);
  g_assert_cmpuint (st.dropped, ==, 42);

  /* A packet bigger than the whole bound is dropped alone: what is
   * queued stays. */
  g_assert_true (send_sized (channel, 56, 10001));
  relay_packet_channel_get_stats (channel, &st);
  g_assert_cmpuint (st.queued, ==, 4);
  g_assert_cmpuint (st.dropped, ==, 43);
  g_assert_cmpuint (st.dropped_bytes, ==, 40000 + 2000 + 10001);

  r = (SizedReceiver){ 0 };
  drain (ctx);
  g_assert_cmpuint (r.received, ==, 4);
  g_assert_cmpuint (r.first_seq, ==, 52);
  g_assert_cmpuint (r.next_seq, ==, 56);
  g_assert_cmpuint (r.received_bytes, ==, 10000);

  relay_packet_channel_close (channel);
  g_assert_false (send_sized (channel, 57, 10001));
  relay_packet_channel_unref (channel);
}

typedef struct {
  RelayPacketChannel *channel;
  guint count;
  gsize sent_bytes;
} SizedSender;

static gpointer
sized_sender_main (gpointer data)
{
  SizedSender *s = data;
  GRand *rand = g_rand_new_with_seed (12);

  for (guint32 seq = 0; seq < s->count; seq++) {
    gsize len = g_rand_int_range (rand, 4, 3000);

    g_assert_true (send_sized (s->channel, seq, len));
    s->sent_bytes += len;
  }
  g_rand_free (rand);
  relay_packet_channel_unref (g_steal_pointer (&s->channel));
  return NULL;
}

/* A sender on another thread with packets of every size and a receiver
 * that drains now and then: the queue never holds more than its bounds,
 * and every packet is either delivered or counted as dropped. */
static void
test_bounds_hold (void)
{
  const guint max_packets = 64;
  const gsize max_bytes = 40000;
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  SizedReceiver r = { 0 };
  RelayPacketChannel *channel
      = relay_packet_channel_new (ctx, max_packets, max_bytes, on_sized_packet, &r);
  SizedSender s = { .channel = relay_packet_channel_ref (channel), .count = 20000 };
  GThread *thread = g_thread_new ("sized-sender", sized_sender_main, &s);
  RelayPacketChannelStats st;

  while (r.received + relay_packet_channel_get_dropped (channel) < s.count) {
    relay_packet_channel_get_stats (channel, &st);
    g_assert_cmpuint (st.queued, <=, max_packets);
    g_assert_cmpuint (st.queued_bytes, <=, max_bytes);
    g_main_context_iteration (ctx, FALSE);
    g_thread_yield ();
  }
  g_thread_join (thread);
  drain (ctx);
  relay_packet_channel_get_stats (channel, &st);
  g_assert_cmpuint (st.peak_bytes, <=, max_bytes);
  g_assert_cmpuint (r.received + st.dropped, ==, s.count);
  g_assert_cmpuint (r.received_bytes + st.dropped_bytes, ==, s.sent_bytes);
  g_assert_cmpuint (r.order_errors, ==, 0);
  g_assert_cmpuint (r.content_errors, ==, 0);
  relay_packet_channel_close (channel);
  relay_packet_channel_unref (channel);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/packet-channel/in-order", test_in_order);
  g_test_add_func ("/packet-channel/drop-oldest", test_drop_oldest);
  g_test_add_func ("/packet-channel/wakeup", test_wakeup);
  g_test_add_func ("/packet-channel/close-while-sending", test_close_while_sending);
  g_test_add_func ("/packet-channel/close-in-callback", test_close_in_callback);
  g_test_add_func ("/packet-channel/unref-race", test_unref_race);
  g_test_add_func ("/packet-channel/byte-bound", test_byte_bound);
  g_test_add_func ("/packet-channel/bounds-hold", test_bounds_hold);
  return g_test_run ();
}
