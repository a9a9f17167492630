/* When PLIs go out: rate-limited, repeated until a keyframe comes, and the
 * join request sent even if a keyframe beat it. */
#include <glib.h>

#include "webrtc/peer/keyframe-request-manager.h"

#define MS 1000

static void
test_rate_limit_and_retry (void)
{
  RelayKeyframeRequestManager m;
  relay_keyframe_request_manager_init (&m, 500);
  g_assert_false (relay_keyframe_request_manager_poll (&m, 1000 * MS));
  relay_keyframe_request_manager_request (&m);
  g_assert_true (relay_keyframe_request_manager_poll (&m, 1000 * MS));
  /* Still pending (no keyframe yet) but inside the interval. */
  relay_keyframe_request_manager_request (&m);
  g_assert_false (relay_keyframe_request_manager_poll (&m, 1200 * MS));
  /* The keyframe did not come: asked again after the interval. */
  g_assert_true (relay_keyframe_request_manager_poll (&m, 1500 * MS));
  relay_keyframe_request_manager_keyframe_received (&m);
  g_assert_false (relay_keyframe_request_manager_poll (&m, 3000 * MS));
  g_assert_cmpuint (m.requests_sent, ==, 2);
}

static void
test_keyframe_cancels_request (void)
{
  RelayKeyframeRequestManager m;
  relay_keyframe_request_manager_init (&m, 500);
  relay_keyframe_request_manager_request (&m);
  relay_keyframe_request_manager_keyframe_received (&m);
  g_assert_false (relay_keyframe_request_manager_poll (&m, 1000 * MS));
  g_assert_cmpuint (m.requests_sent, ==, 0);
}

static void
test_forced_survives_keyframe (void)
{
  RelayKeyframeRequestManager m;
  relay_keyframe_request_manager_init (&m, 500);
  relay_keyframe_request_manager_force (&m);
  relay_keyframe_request_manager_keyframe_received (&m);
  g_assert_true (relay_keyframe_request_manager_poll (&m, 1000 * MS));
  /* Once sent, a keyframe settles it like any request. */
  relay_keyframe_request_manager_keyframe_received (&m);
  g_assert_false (relay_keyframe_request_manager_poll (&m, 2000 * MS));
  g_assert_cmpuint (m.requests_sent, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/keyframes/rate-limit-and-retry", test_rate_limit_and_retry);
  g_test_add_func ("/keyframes/keyframe-cancels-request", test_keyframe_cancels_request);
  g_test_add_func ("/keyframes/forced-survives-keyframe", test_forced_survives_keyframe);
  return g_test_run ();
}
