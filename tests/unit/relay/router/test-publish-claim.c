/* Two devices of one office (relay/router/publish-claim.c): a second device is
 * refused while the first one's session is in use, takes over only when it
 * says so, a device reconnects to its own session whatever state the relay
 * believes it in, and a stale session never locks the office out. */
#include <glib.h>

#include "relay/router/publish-claim.h"

#define OWN "0123456789abcdef0123456789abcdef"
#define OTHER "fedcba9876543210fedcba9876543210"

static const RelayPublishCurrent none = { 0 };
static const RelayPublishCurrent live = { .has_session = TRUE, .live_or_connecting = TRUE,
                                          .session_id = OWN };
static const RelayPublishCurrent lost = { .has_session = TRUE, .live_or_connecting = FALSE,
                                          .session_id = OWN };
static const RelayPublishCurrent path_gone = { .has_session = TRUE, .live_or_connecting = TRUE,
                                               .transport_disconnected = TRUE, .session_id = OWN };

static RelayPublishDecision
decide (const RelayPublishCurrent *current, gboolean takeover, const char *replaces,
        gboolean replaces_taken_over)
{
  RelayPublishRequest request = { .takeover = takeover, .replaces = replaces,
                                  .replaces_taken_over = replaces_taken_over };
  return relay_publish_decide (current, &request);
}

static void
test_no_session (void)
{
  g_assert_cmpint (decide (&none, FALSE, NULL, FALSE), ==, RELAY_PUBLISH_NEW);
  g_assert_cmpint (decide (&none, TRUE, NULL, FALSE), ==, RELAY_PUBLISH_NEW);
  /* Displaced once, but nobody is live now: nothing to refuse. */
  g_assert_cmpint (decide (&none, FALSE, OTHER, TRUE), ==, RELAY_PUBLISH_NEW);
}

static void
test_second_device_refused (void)
{
  g_assert_cmpint (decide (&live, FALSE, NULL, FALSE), ==, RELAY_PUBLISH_REFUSE_ELSEWHERE);
  /* A session id that is not the current one proves nothing. */
  g_assert_cmpint (decide (&live, FALSE, OTHER, FALSE), ==, RELAY_PUBLISH_REFUSE_ELSEWHERE);
  g_assert_true (relay_publish_decision_refuses (RELAY_PUBLISH_REFUSE_ELSEWHERE));
}

static void
test_takeover (void)
{
  g_assert_cmpint (decide (&live, TRUE, NULL, FALSE), ==, RELAY_PUBLISH_TAKE_OVER);
  g_assert_cmpint (decide (&live, TRUE, OTHER, TRUE), ==, RELAY_PUBLISH_TAKE_OVER);
  g_assert_false (relay_publish_decision_refuses (RELAY_PUBLISH_TAKE_OVER));
}

static void
test_displaced_device_told (void)
{
  g_assert_cmpint (decide (&live, FALSE, OTHER, TRUE), ==, RELAY_PUBLISH_REFUSE_TAKEN_OVER);
  g_assert_true (relay_publish_decision_refuses (RELAY_PUBLISH_REFUSE_TAKEN_OVER));
}

static void
test_own_reconnect (void)
{
  /* The relay still believes the session live (the cut was shorter than
   * its timeouts): the device that owns it gets back in at once. */
  g_assert_cmpint (decide (&live, FALSE, OWN, FALSE), ==, RELAY_PUBLISH_RECONNECT);
  g_assert_cmpint (decide (&lost, FALSE, OWN, FALSE), ==, RELAY_PUBLISH_RECONNECT);
  g_assert_cmpint (decide (&live, TRUE, OWN, FALSE), ==, RELAY_PUBLISH_RECONNECT);
}

static void
test_stale_never_locks_out (void)
{
  /* A network cut: the session is lost, or its path stopped answering.
   * Any device of the office, even one that lost its session id, is let in. */
  g_assert_cmpint (decide (&lost, FALSE, NULL, FALSE), ==, RELAY_PUBLISH_REPLACE_STALE);
  g_assert_cmpint (decide (&path_gone, FALSE, NULL, FALSE), ==, RELAY_PUBLISH_REPLACE_STALE);
  g_assert_cmpint (decide (&lost, FALSE, OTHER, TRUE), ==, RELAY_PUBLISH_REPLACE_STALE);
  g_assert_cmpint (decide (&lost, TRUE, NULL, FALSE), ==, RELAY_PUBLISH_REPLACE_STALE);
}

static void
test_takeover_header (void)
{
  gboolean valid;
  g_assert_false (relay_publish_parse_takeover (NULL, &valid));
  g_assert_true (valid);
  g_assert_true (relay_publish_parse_takeover ("true", &valid));
  g_assert_true (valid);
  g_assert_true (relay_publish_parse_takeover (" TRUE ", &valid));
  g_assert_true (relay_publish_parse_takeover ("1", &valid));
  g_assert_false (relay_publish_parse_takeover ("false", &valid));
  g_assert_true (valid);
  g_assert_false (relay_publish_parse_takeover ("0", &valid));
  g_assert_true (valid);
  g_assert_false (relay_publish_parse_takeover ("yes please", &valid));
  g_assert_false (valid);
  g_assert_false (relay_publish_parse_takeover ("", &valid));
  g_assert_false (valid);
}

static void
test_session_id_syntax (void)
{
  g_assert_true (relay_publish_valid_session_id (OWN));
  g_assert_false (relay_publish_valid_session_id (NULL));
  g_assert_false (relay_publish_valid_session_id (""));
  g_assert_false (relay_publish_valid_session_id ("0123ABCD"));
  g_assert_false (relay_publish_valid_session_id ("/whip/TH-50/0123"));
  g_autofree char *long_id = g_strnfill (65, 'a');
  g_assert_false (relay_publish_valid_session_id (long_id));
  g_autofree char *max_id = g_strnfill (64, 'a');
  g_assert_true (relay_publish_valid_session_id (max_id));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/publish-claim/no-session", test_no_session);
  g_test_add_func ("/publish-claim/second-device-refused", test_second_device_refused);
  g_test_add_func ("/publish-claim/takeover", test_takeover);
  g_test_add_func ("/publish-claim/displaced-device-told", test_displaced_device_told);
  g_test_add_func ("/publish-claim/own-reconnect", test_own_reconnect);
  g_test_add_func ("/publish-claim/stale-never-locks-out", test_stale_never_locks_out);
  g_test_add_func ("/publish-claim/takeover-header", test_takeover_header);
  g_test_add_func ("/publish-claim/session-id-syntax", test_session_id_syntax);
  return g_test_run ();
}
