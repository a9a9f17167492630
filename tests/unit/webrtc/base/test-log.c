/* The log writer: a message carrying a client's bytes (a newline, an escape
 * sequence) stays one line, its control bytes shown as \xNN, its Thai text
 * as it is. */
#include <glib.h>
#include <string.h>

#include "webrtc/base/log.h"

static void
test_escape (void)
{
  g_autofree char *plain = relay_log_escape ("TH-50 แรงงานจังหวัดเชียงใหม่ ok");
  g_assert_cmpstr (plain, ==, "TH-50 แรงงานจังหวัดเชียงใหม่ ok");
  g_autofree char *forged = relay_log_escape ("label\n2026-12-07T00:00:00.000Z INFO  [TH-10] x");
  g_assert_cmpstr (forged, ==, "label\\x0a2026-12-07T00:00:00.000Z INFO  [TH-10] x");
  g_autofree char *terminal = relay_log_escape ("\x1b[2J\r\t\x7f");
  g_assert_cmpstr (terminal, ==, "\\x1b[2J\\x0d\\x09\\x7f");
  g_autofree char *none = relay_log_escape (NULL);
  g_assert_cmpstr (none, ==, "");
}

static void
test_writer_keeps_one_line (void)
{
  if (g_test_subprocess ())
    {
      relay_log_init (FALSE);
      relay_warn ("TH-50", "data channel \"%s\" refused", "chat\nFORGED INFO  [TH-10] ok\x1b[2J");
      relay_info ("TH-5\n0", "%s", "after");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*[TH-50] data channel \"chat\\x0aFORGED INFO  [TH-10] ok\\x1b[2J\" "
                             "refused\n*");
  g_test_trap_assert_stderr ("*[TH-5\\x0a0] after\n*");
  /* No line of its own began with the forged text. */
  g_test_trap_assert_stderr_unmatched ("*\nFORGED*");
  g_test_trap_assert_stderr_unmatched ("*\x1b*");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/log/escape", test_escape);
  g_test_add_func ("/log/writer-keeps-one-line", test_writer_keeps_one_line);
  return g_test_run ();
}
