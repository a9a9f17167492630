/* The data channel plumbing of a peer (webrtc/peer/peer-data-channels.c)
 * and its handler interface, reached over a real SCTP association from a
 * test's own "browser" association: without a handler every channel is
 * refused; with one, the handler alone decides which channels are
 * accepted, gets their messages (text and binary told apart), answers on a
 * channel and closes one, hears of closes, and is detached when the
 * plumbing is freed. The handler here is the test's, not the product's. */
#include "tests/unit/webrtc/peer/data-channel-peer-util.h"

/* What the test's handler saw; also its per-peer state. Worker thread. */
typedef struct {
  RelayPeerDataChannels *channels;
  char *peer_name;
  char *protocol;      /* of the accepted channel */
  guint binary_len;    /* of the last binary message */
  gint closed_sid;     /* -1 until `closed` runs */
  gboolean detached;
} Seen;

static gpointer
echo_attach (RelayPeerDataChannels *channels, const char *peer_name, gpointer handler_data)
{
  Seen *seen = handler_data;
  seen->channels = channels;
  seen->peer_name = g_strdup (peer_name);
  return seen;
}

/* Only "echo" is served. */
static gboolean
echo_opened (gpointer peer, guint16 sid, const char *label, const char *protocol)
{
  Seen *seen = peer;
  (void) sid;
  if (g_strcmp0 (label, "echo") != 0)
    return FALSE;
  g_free (seen->protocol);
  seen->protocol = g_strdup (protocol);
  return TRUE;
}

/* Text comes back prefixed; binary closes the channel from our side. */
static void
echo_message (gpointer peer, guint16 sid, gboolean binary, const guint8 *data, gsize len)
{
  Seen *seen = peer;
  if (binary)
    {
      seen->binary_len = len;
      relay_peer_data_channels_close (seen->channels, sid);
      return;
    }
  g_autofree char *reply = g_strdup_printf ("echo:%.*s", (int) len, (const char *) data);
  g_assert_true (relay_peer_data_channels_send_text (seen->channels, sid, reply, strlen (reply)));
}

static void
echo_closed (gpointer peer, guint16 sid)
{
  Seen *seen = peer;
  seen->closed_sid = sid;
}

static void
echo_detach (gpointer peer)
{
  Seen *seen = peer;
  seen->detached = TRUE;
}

static const RelayPeerChannelHandler echo_handler = {
  .attach = echo_attach,
  .opened = echo_opened,
  .message = echo_message,
  .closed = echo_closed,
  .detach = echo_detach,
};

static void
get_stats (Env *env, gpointer data)
{
  relay_peer_data_channels_get_stats (env->channel, data);
}

static void
browser_reset (Env *env, gpointer data)
{
  relay_sctp_association_reset_stream (env->browser, GPOINTER_TO_UINT (data));
}

static gboolean
closed_seen (Env *env, gpointer data)
{
  Seen *seen = env->handler_data;
  return seen->closed_sid == (gint) GPOINTER_TO_UINT (data);
}

typedef struct {
  guint16 sid;
  gboolean sent, open;
} SendAfterClose;

static void
send_after_close (Env *env, gpointer data)
{
  SendAfterClose *s = data;
  s->open = relay_peer_data_channels_is_open (env->channel, s->sid);
  s->sent = relay_peer_data_channels_send_text (env->channel, s->sid, "late", 4);
}

static void
test_no_handler (void)
{
  Env env;
  env_init (&env, NULL, NULL);
  on_worker (&env, start, NULL);
  wait_until (&env, connected, NULL, "the association is up");

  /* Whatever the label: refused, its stream reset, no ACK. */
  Open report = { 0, "report", NULL };
  on_worker (&env, send_open, &report);
  wait_until (&env, reset_of, GUINT_TO_POINTER (0), "the refused stream's reset");
  g_assert_cmpuint (count_on (&env, 0, RELAY_PPID_DCEP, NULL), ==, 0);

  RelayPeerDataChannelsStats st;
  on_worker (&env, get_stats, &st);
  g_assert_cmpint (st.sctp, ==, RELAY_SCTP_CONNECTED);
  g_assert_cmpuint (st.channels_open, ==, 0);
  g_assert_cmpuint (st.channels.refused, ==, 1);
  g_assert_cmpuint (st.channels.opened, ==, 0);

  on_worker (&env, stop, NULL);
  env_clear (&env);
}

static void
test_handler (void)
{
  Seen seen = { .closed_sid = -1 };
  Env env;
  env_init (&env, &echo_handler, &seen);
  on_worker (&env, start, NULL);
  wait_until (&env, connected, NULL, "the association is up");
  g_assert_cmpstr (seen.peer_name, ==, "TH-50");

  /* The handler's label is accepted (with its protocol), another not. */
  Open echo = { 0, "echo", "v1" };
  on_worker (&env, send_open, &echo);
  Want ack = { 0, RELAY_PPID_DCEP, 1 };
  wait_until (&env, has_messages, &ack, "the ACK of \"echo\"");
  Open report = { 2, "report", NULL };
  on_worker (&env, send_open, &report);
  wait_until (&env, reset_of, GUINT_TO_POINTER (2), "the refused stream's reset");
  g_assert_cmpuint (count_on (&env, 2, RELAY_PPID_DCEP, NULL), ==, 0);

  RelayPeerDataChannelsStats st;
  on_worker (&env, get_stats, &st);
  g_assert_cmpstr (seen.protocol, ==, "v1");
  g_assert_cmpuint (st.channels_open, ==, 1);

  /* Text reaches the handler as text, and its answer comes back. */
  Text hello = { 0, "hello", 0 };
  on_worker (&env, send_text, &hello);
  Want reply = { 0, RELAY_PPID_STRING, 1 };
  wait_until (&env, has_messages, &reply, "the handler's answer");
  g_autofree char *text = NULL;
  count_on (&env, 0, RELAY_PPID_STRING, &text);
  g_assert_cmpstr (text, ==, "echo:hello");

  /* Binary reaches it as binary; it closes the channel: our stream is
   * reset, and once the browser resets its side `closed` runs. */
  Text blob = { 0, "0123456789", RELAY_PPID_BINARY };
  on_worker (&env, send_text, &blob);
  wait_until (&env, reset_of, GUINT_TO_POINTER (0), "the reset of the closed channel");
  g_assert_cmpuint (seen.binary_len, ==, 10);
  on_worker (&env, browser_reset, GUINT_TO_POINTER (0));
  wait_until (&env, closed_seen, GUINT_TO_POINTER (0), "the handler hears of the close");

  /* A late answer on the closed channel goes nowhere. */
  SendAfterClose late = { .sid = 0 };
  on_worker (&env, send_after_close, &late);
  g_assert_false (late.open);
  g_assert_false (late.sent);
  on_worker (&env, get_stats, &st);
  g_assert_cmpuint (st.channels_open, ==, 0);

  g_assert_false (seen.detached);
  on_worker (&env, stop, NULL);
  g_assert_true (seen.detached);
  env_clear (&env);
  g_free (seen.peer_name);
  g_free (seen.protocol);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/peer-data-channels/no-handler", test_no_handler);
  g_test_add_func ("/peer-data-channels/handler", test_handler);
  return g_test_run ();
}
