/* The province's report channel as the relay runs it (the figures handler,
 * relay/figures/figures-channel.c, on the data channel plumbing,
 * webrtc/peer/peer-data-channels.c, on a worker of the relay's pool),
 * reached over a real SCTP
 * association: the test plays the browser with an association of its own
 * wired back to back with the channel's (as DTLS would carry it) and speaks
 * DCEP on it. Only a channel labelled exactly "report" is accepted (DCEP
 * ACK, messages answered); any other is refused: its stream is reset, no
 * ACK, its messages go nowhere. The decision is the channel's own, not the
 * test's. */
#include "tests/unit/webrtc/peer/data-channel-peer-util.h"
#include "relay/figures/figures-channel.h"

static void
get_stats (Env *env, gpointer data)
{
  relay_figures_channel_get_stats (relay_peer_data_channels_get_handler_state (env->channel), data);
}

static void
test_label_rule (void)
{
  /* As the WHIP endpoint wires it, without a figures service. */
  Env env;
  env_init (&env, &relay_figures_channel_handler, NULL);
  on_worker (&env, start, NULL);
  wait_until (&env, connected, NULL, "the association is up");

  /* "report": accepted, DCEP ACK on its stream. The browser is the DTLS
   * client: its channels have even stream ids (RFC 8832 section 6). */
  Open report = { 0, RELAY_REPORT_CHANNEL_LABEL };
  on_worker (&env, send_open, &report);
  Want ack = { 0, RELAY_PPID_DCEP, 1 };
  wait_until (&env, has_messages, &ack, "the ACK of \"report\"");
  g_autofree char *ack_bytes = NULL;
  g_assert_cmpuint (count_on (&env, 0, RELAY_PPID_DCEP, &ack_bytes), ==, 1);
  g_assert_true (relay_dcep_is_ack ((const guint8 *) ack_bytes, strlen (ack_bytes)));

  /* Any other label, however close: refused, its stream reset, no ACK. */
  const char *others[] = { "chat", "Report", "report ", "reports", "" };
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      Open other = { (guint16) (2 + 2 * i), others[i] };
      on_worker (&env, send_open, &other);
      wait_until (&env, reset_of, GUINT_TO_POINTER (other.sid), "the refused stream's reset");
      g_assert_cmpuint (count_on (&env, other.sid, RELAY_PPID_DCEP, NULL), ==, 0);
    }

  /* "report" on an odd stream id, the relay's own to open: refused. */
  Open odd = { 13, RELAY_REPORT_CHANNEL_LABEL };
  on_worker (&env, send_open, &odd);
  wait_until (&env, reset_of, GUINT_TO_POINTER (odd.sid), "the odd stream's reset");
  g_assert_cmpuint (count_on (&env, odd.sid, RELAY_PPID_DCEP, NULL), ==, 0);

  /* A message racing the refusal goes nowhere; one on "report" is
   * answered by the channel (no report service here: "not available"). */
  Text stray = { 2, "{\"type\":\"figures\"}" };
  on_worker (&env, send_text, &stray);
  Text figures = { 0, "{\"type\":\"figures\"}" };
  on_worker (&env, send_text, &figures);
  Want reply = { 0, RELAY_PPID_STRING, 1 };
  wait_until (&env, has_messages, &reply, "the reply on \"report\"");
  g_autofree char *text = NULL;
  g_assert_cmpuint (count_on (&env, 0, RELAY_PPID_STRING, &text), ==, 1);
  g_assert_nonnull (strstr (text, "\"ok\":false"));
  g_assert_nonnull (strstr (text, "not available"));
  g_assert_cmpuint (count_on (&env, 2, RELAY_PPID_STRING, NULL), ==, 0);

  RelayFiguresChannelStats st;
  on_worker (&env, get_stats, &st);
  g_assert_cmpuint (st.channels_open, ==, 1);
  g_assert_cmpuint (st.refused_locally, ==, 1);
  g_assert_cmpuint (st.submitted, ==, 0);

  on_worker (&env, stop, NULL);
  env_clear (&env);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/report-channel/label-rule", test_label_rule);
  return g_test_run ();
}
