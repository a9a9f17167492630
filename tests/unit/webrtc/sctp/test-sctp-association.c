/* Two SCTP associations wired back to back in one process (each one's
 * output is the other's input, as DTLS would carry it): simultaneous open,
 * DCEP through the channel registry, messages small and large (partial
 * delivery reassembled), stream resets in both directions, and usrsctp's
 * timers driven by the layer's own thread (retransmission after a drop). */
#include <string.h>
#include <glib.h>

#include "webrtc/sctp/data-channel.h"
#include "webrtc/sctp/dcep.h"
#include "webrtc/sctp/sctp-association.h"

typedef struct Peer Peer;
struct Peer {
  const char *name;
  RelaySctpAssociation *sctp;
  RelayDataChannels *channels;
  Peer *other;
  RelaySctpState state;
  guint drop_next; /* packets to lose on the way out */
  gboolean hold;   /* a stalled link: packets wait in `held` */
  GQueue held;
  GPtrArray *messages; /* received texts / "b:<len>" */
  GArray *incoming_resets;
  guint closed;
};

static void
on_output (const guint8 *data, gsize len, gpointer user_data)
{
  Peer *p = user_data;
  if (p->drop_next > 0)
    {
      p->drop_next--;
      return;
    }
  if (p->hold)
    {
      g_queue_push_tail (&p->held, g_bytes_new (data, len));
      return;
    }
  if (p->other->sctp)
    relay_sctp_association_receive (p->other->sctp, data, len);
}

static void
on_message (guint16 sid, guint32 ppid, const guint8 *data, gsize len, gpointer user_data)
{
  Peer *p = user_data;
  relay_data_channels_receive (p->channels, sid, ppid, data, len);
}

static void
on_incoming_reset (guint16 sid, gpointer user_data)
{
  Peer *p = user_data;
  g_array_append_val (p->incoming_resets, sid);
  relay_data_channels_incoming_reset (p->channels, sid);
}

static void
on_state (RelaySctpState state, gpointer user_data)
{
  Peer *p = user_data;
  p->state = state;
}

static gboolean
dc_send (guint16 sid, guint32 ppid, gboolean unordered, const guint8 *data, gsize len,
         gpointer user_data)
{
  Peer *p = user_data;
  return relay_sctp_association_send (p->sctp, sid, ppid, unordered, data, len);
}

static void
dc_reset (guint16 sid, gpointer user_data)
{
  Peer *p = user_data;
  relay_sctp_association_reset_stream (p->sctp, sid);
}

static gboolean
dc_opened (RelayDataChannel *ch, gpointer user_data)
{
  (void) user_data;
  return g_strcmp0 (relay_data_channel_get_label (ch), "report") == 0;
}

static void
dc_message (RelayDataChannel *ch, gboolean binary, const guint8 *data, gsize len,
            gpointer user_data)
{
  Peer *p = user_data;
  (void) ch;
  g_ptr_array_add (p->messages, binary ? g_strdup_printf ("b:%zu", len)
                                       : g_strdup_printf ("%.*s", (int) MIN (len, 64), data));
}

static void
dc_closed (RelayDataChannel *ch, gpointer user_data)
{
  Peer *p = user_data;
  (void) ch;
  p->closed++;
}

static const RelaySctpCallbacks sctp_cb = { on_output, on_message, on_incoming_reset, on_state };
static const RelayDataChannelCallbacks dc_cb = { dc_send, dc_reset, dc_opened, dc_message,
                                                 dc_closed };

static void
peer_init (Peer *p, const char *name, Peer *other)
{
  memset (p, 0, sizeof *p);
  p->name = name;
  p->other = other;
  p->messages = g_ptr_array_new_with_free_func (g_free);
  p->incoming_resets = g_array_new (FALSE, FALSE, sizeof (guint16));
  p->channels = relay_data_channels_new (&dc_cb, RELAY_DATA_CHANNEL_PEER_EVEN, p);
  g_autoptr (GError) error = NULL;
  p->sctp = relay_sctp_association_new (NULL, 5000, 5000, &sctp_cb, p, &error);
  g_assert_no_error (error);
  g_assert_nonnull (p->sctp);
}

static void
peer_clear (Peer *p)
{
  g_clear_pointer (&p->sctp, relay_sctp_association_free);
  g_queue_clear_full (&p->held, (GDestroyNotify) g_bytes_unref);
  relay_data_channels_free (p->channels);
  g_ptr_array_unref (p->messages);
  g_array_unref (p->incoming_resets);
}

static gboolean
spin_until (gboolean (*cond) (gpointer), gpointer data, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  while (!cond (data) && g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return cond (data);
}

static gboolean
both_connected (gpointer data)
{
  Peer *p = data;
  return p->state == RELAY_SCTP_CONNECTED && p->other->state == RELAY_SCTP_CONNECTED;
}

static guint want;
static gboolean
count_reached (gpointer data)
{
  Peer *p = data;
  return p->messages->len >= want;
}

static gboolean
reset_seen (gpointer data)
{
  Peer *p = data;
  return p->incoming_resets->len > 0;
}

static guint64 flood_target;
static Peer *flood_peer;
static gboolean
flood_done (gpointer data)
{
  (void) data;
  RelaySctpStats st;
  relay_sctp_association_get_stats (flood_peer->sctp, &st);
  return st.messages_in >= flood_target;
}

static void
send_open (Peer *p, guint16 sid, const char *label)
{
  RelayDcepOpen o = { .channel_type = RELAY_DCEP_RELIABLE, .label = (char *) label,
                      .protocol = "" };
  g_autoptr (GBytes) b = relay_dcep_build_open (&o);
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  g_assert_true (relay_sctp_association_send (p->sctp, sid, RELAY_PPID_DCEP, FALSE, d, len));
}

static void
test_back_to_back (void)
{
  Peer a, b;
  peer_init (&a, "a", &b);
  peer_init (&b, "b", &a);

  g_assert_false (relay_sctp_association_send (a.sctp, 0, RELAY_PPID_STRING, FALSE,
                                               (const guint8 *) "x", 1));
  /* The first INIT is lost: usrsctp's timer (our thread) resends it. */
  a.drop_next = 1;
  relay_sctp_association_connect (a.sctp);
  relay_sctp_association_connect (b.sctp);
  g_assert_true (spin_until (both_connected, &a, 10000));

  /* "a" plays the browser: opens "report" on stream 0, then sends. */
  send_open (&a, 0, "report");
  RelayDataChannel *ch = relay_data_channels_lookup (b.channels, 0);
  g_assert_nonnull (ch);
  g_assert_true (relay_sctp_association_send (a.sctp, 0, RELAY_PPID_STRING, FALSE,
                                              (const guint8 *) "{\"hello\":1}", 11));
  gsize big_len = 100 * 1024; /* several hundred packets, partial delivery */
  g_autofree guint8 *big = g_malloc (big_len);
  memset (big, 'z', big_len);
  g_assert_true (relay_sctp_association_send (a.sctp, 0, RELAY_PPID_BINARY, FALSE, big, big_len));
  want = 2;
  g_assert_true (spin_until (count_reached, &b, 5000));
  g_assert_cmpstr (b.messages->pdata[0], ==, "{\"hello\":1}");
  g_assert_cmpstr (b.messages->pdata[1], ==, "b:102400");

  /* Replies on the channel reach "a" as raw SCTP messages (it has no
   * registry entry for stream 0, so only the ACK and drops are counted). */
  for (guint i = 0; i < 200; i++)
    g_assert_true (relay_data_channel_send_text (ch, "ack", 3));
  RelayDataChannelStats st;
  relay_data_channels_get_stats (b.channels, &st);
  g_assert_cmpuint (st.messages_out, ==, 200);

  /* Refused label: "b" resets stream 2 and "a" sees the reset. */
  send_open (&a, 2, "chat");
  g_assert_true (spin_until (reset_seen, &a, 5000));
  g_assert_cmpuint (g_array_index (a.incoming_resets, guint16, 0), ==, 2);

  /* "a" closes stream 0: "b" gets the reset, resets its side, `closed`. */
  relay_sctp_association_reset_stream (a.sctp, 0);
  g_assert_true (spin_until (reset_seen, &b, 5000));
  g_assert_cmpuint (b.closed, ==, 1);
  g_assert_null (relay_data_channels_lookup (b.channels, 0));

  RelaySctpStats ss;
  relay_sctp_association_get_stats (b.sctp, &ss);
  g_assert_cmpuint (ss.messages_in, >=, 3);

  /* 3 MiB in 1 KiB messages at once: past the 1 MiB send buffer, the rest
   * waits in the backlog and still arrives, all of it. */
  RelaySctpStats before;
  relay_sctp_association_get_stats (a.sctp, &before);
  guint8 kib[1024];
  memset (kib, 'k', sizeof kib);
  b.hold = TRUE; /* nothing is acknowledged while the link stalls */
  for (guint i = 0; i < 3072; i++)
    g_assert_true (relay_sctp_association_send (b.sctp, 4, RELAY_PPID_BINARY, FALSE, kib,
                                                sizeof kib));
  b.hold = FALSE;
  GBytes *pkt;
  while ((pkt = g_queue_pop_head (&b.held)))
    {
      relay_sctp_association_receive (a.sctp, g_bytes_get_data (pkt, NULL), g_bytes_get_size (pkt));
      g_bytes_unref (pkt);
    }
  flood_target = before.messages_in + 3072;
  flood_peer = &a;
  g_assert_true (spin_until (flood_done, NULL, 20000));
  relay_sctp_association_get_stats (b.sctp, &ss);
  g_assert_cmpuint (ss.send_failures, ==, 0);
  g_test_message ("%" G_GUINT64_FORMAT " of 3072 messages waited in the backlog", ss.backlogged);
  g_assert_cmpuint (ss.backlogged, >, 0);

  /* Freeing one side aborts: the other sees the association close. */
  relay_sctp_association_free (g_steal_pointer (&a.sctp));
  g_assert_cmpint (b.state, ==, RELAY_SCTP_CLOSED);
  peer_clear (&a);
  peer_clear (&b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sctp/back-to-back", test_back_to_back);
  return g_test_run ();
}
