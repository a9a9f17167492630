/* One validation for both ways in: every kind of refusal, with the field it
 * names, and the canonical values of an accepted message. */
#include <glib.h>
#include <string.h>

#include "relay/config.h"
#include "relay/reports/figures-validate.h"
#include "relay/reports/report-service.h"

static RelayConfig *config;
static GDate today;

#define SCHEMA                                                                      \
  "[figure count]\nlabel-th=ก\nlabel-en=Count\ntype=integer\nmin=0\nmax=1000\nrequired=true\n" \
  "[figure amount]\nlabel-th=ข\nlabel-en=Amount\ntype=decimal\nmin=-5\nmax=5\n"     \
  "[figure rate]\nlabel-th=ค\nlabel-en=Rate\ntype=percent\n"                       \
  "[figure status]\nlabel-th=ง\nlabel-en=Status\ntype=enum\nvalues=normal,watch,urgent\nrequired=true\n" \
  "[figure note]\nlabel-th=จ\nlabel-en=Note\ntype=text\nmax-length=5\n"

static void
check (const char *message, RelayFiguresCheck *out)
{
  relay_figures_validate (config->figures, message, strlen (message), &today, out);
}

/* Asserts a refusal with `status` whose errors include `field` with a reason
 * containing `reason`. */
static void
assert_refused (const char *message, guint status, const char *field, const char *reason)
{
  RelayFiguresCheck c;
  check (message, &c);
  g_autofree char *errors = c.errors ? json_to_string (c.errors, FALSE) : g_strdup ("none");
  if (c.status != status)
    g_error ("%s: expected %u, got %u %s", message, status, c.status, errors);
  g_assert_null (c.values_json);
  JsonArray *a = json_node_get_array (c.errors);
  gboolean found = FALSE;
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *e = json_array_get_object_element (a, i);
      const char *f = json_object_get_null_member (e, "field") ? NULL
                                                                : json_object_get_string_member (e, "field");
      if (g_strcmp0 (f, field) == 0 && strstr (json_object_get_string_member (e, "reason"), reason))
        found = TRUE;
    }
  if (!found)
    g_error ("%s: expected %s: %s in %s", message, field ? field : "null", reason, errors);
  relay_figures_check_clear (&c);
}

#define MSG(values) "{\"type\":\"figures\",\"id\":\"c-1\",\"date\":\"2026-03-10\",\"values\":" values "}"

static void
test_valid (void)
{
  RelayFiguresCheck c;
  /* Members out of order, 12.0 for an integer, null for an optional field. */
  check ("{\"values\":{\"status\":\"watch\",\"note\":\"ดี\",\"rate\":12.5,\"count\":12.0,"
         "\"amount\":null},\"date\":\"2026-03-10\",\"id\":\"c-1\",\"type\":\"figures\"}", &c);
  g_assert_cmpuint (c.status, ==, 0);
  g_assert_null (c.errors);
  g_assert_cmpstr (c.id, ==, "c-1");
  g_assert_cmpstr (c.date, ==, "2026-03-10");
  g_assert_cmpstr (c.values_json, ==,
                   "{\"count\":12,\"rate\":12.5,\"status\":\"watch\",\"note\":\"ดี\"}");
  relay_figures_check_clear (&c);

  /* The edges of the ranges and of the date window are in. */
  check (MSG ("{\"count\":1000,\"amount\":-5,\"rate\":100,\"status\":\"urgent\"}"), &c);
  g_assert_cmpuint (c.status, ==, 0);
  relay_figures_check_clear (&c);
  check ("{\"type\":\"figures\",\"id\":\"x\",\"date\":\"2026-03-03\",\"values\":{\"count\":0,"
         "\"status\":\"normal\"}}", &c);
  g_assert_cmpuint (c.status, ==, 0);
  relay_figures_check_clear (&c);
}

static void
test_envelope (void)
{
  assert_refused ("{\"type\":\"figures\"", 400, NULL, "not JSON");
  assert_refused ("[1,2]", 400, NULL, "JSON object");
  assert_refused ("{\"type\":\"hello\",\"id\":\"a\"}", 400, "type", "\"figures\"");
  assert_refused ("{\"id\":\"a\"}", 400, "type", "\"figures\"");
  assert_refused ("{\"type\":\"figures\",\"id\":\"\xff\xfe\"}", 400, NULL, "UTF-8");
  /* UTF-8 bytes whose \u escape decodes to a lone surrogate, which
   * json-glib turns into bytes that are not UTF-8 (found by
   * tests/fuzz/fuzz-figures): it would be stored and break every reader. */
  assert_refused (MSG ("{\"count\":1,\"status\":\"normal\",\"note\":\"a\\ud800,b\"}"), 400, NULL,
                  "lone surrogate");
  assert_refused ("{\"type\":\"figures\",\"id\":\"\\udc00,b\"}", 400, NULL, "lone surrogate");
  /* json-glib reads text after the first value as more "statements" and
   * leaked each one's tree (found by tests/fuzz/fuzz-events-message): one
   * value only, and no comments. */
  assert_refused ("{} " MSG ("{\"count\":1,\"status\":\"normal\"}"), 400, NULL, "not JSON");
  assert_refused ("6" MSG ("{\"count\":1,\"status\":\"normal\"}"), 400, NULL, "not JSON");
  assert_refused ("var x = " MSG ("{\"count\":1,\"status\":\"normal\"}"), 400, NULL, "not JSON");
  assert_refused ("{/* c */\"type\":\"figures\"}", 400, NULL, "not JSON");
  /* The parser's message quotes such a string: the reason must still be
   * UTF-8, or the reply is not JSON. */
  RelayFiguresCheck c;
  check ("{\"type\":\"figures\",\"d\\ud8002\" 1}", &c);
  g_assert_cmpuint (c.status, ==, 400);
  g_autofree char *errors = json_to_string (c.errors, FALSE);
  g_assert_true (g_utf8_validate (errors, -1, NULL));
  relay_figures_check_clear (&c);
  assert_refused ("{\"type\":\"figures\",\"date\":\"2026-03-10\",\"values\":{\"count\":1,\"status\":\"normal\"}}",
                  422, "id", "missing");
  assert_refused ("{\"type\":\"figures\",\"id\":7,\"date\":\"2026-03-10\",\"values\":{}}", 422, "id",
                  "string");
  g_autofree char *long_id = g_strnfill (65, 'a');
  g_autofree char *msg = g_strdup_printf ("{\"type\":\"figures\",\"id\":\"%s\"}", long_id);
  assert_refused (msg, 422, "id", "1 to 64");
  assert_refused ("{\"type\":\"figures\",\"id\":\"a\",\"date\":\"2026-02-30\"}", 422, "date",
                  "not a day");
  assert_refused ("{\"type\":\"figures\",\"id\":\"a\",\"date\":\"10/03/2026\"}", 422, "date",
                  "YYYY-MM-DD");
  assert_refused ("{\"type\":\"figures\",\"id\":\"a\",\"date\":\"2026-03-18\"}", 422, "date",
                  "more than 7 days");
  assert_refused ("{\"type\":\"figures\",\"id\":\"a\",\"date\":\"2025-03-10\"}", 422, "date",
                  "more than 7 days");
  assert_refused ("{\"type\":\"figures\",\"id\":\"a\"}", 422, "date", "missing");
  assert_refused ("{\"type\":\"figures\",\"id\":\"a\"}", 422, "values", "missing");
  assert_refused (MSG ("[1]"), 422, "values", "object");
  assert_refused ("{\"type\":\"figures\",\"id\":\"a\",\"province\":\"TH-50\"}", 422, "province",
                  "unknown field");
}

static void
test_values (void)
{
  assert_refused (MSG ("{\"count\":1,\"status\":\"normal\",\"colour\":1}"), 422, "values.colour",
                  "unknown field");
  assert_refused (MSG ("{\"status\":\"normal\"}"), 422, "values.count", "required");
  assert_refused (MSG ("{\"count\":null,\"status\":\"normal\"}"), 422, "values.count", "required");
  assert_refused (MSG ("{\"count\":\"12\",\"status\":\"normal\"}"), 422, "values.count",
                  "whole number");
  assert_refused (MSG ("{\"count\":true,\"status\":\"normal\"}"), 422, "values.count", "whole number");
  assert_refused (MSG ("{\"count\":1.5,\"status\":\"normal\"}"), 422, "values.count",
                  "1.5 is not a whole number");
  assert_refused (MSG ("{\"count\":-1,\"status\":\"normal\"}"), 422, "values.count", "below the minimum 0");
  assert_refused (MSG ("{\"count\":1001,\"status\":\"normal\"}"), 422, "values.count",
                  "above the maximum 1000");
  assert_refused (MSG ("{\"count\":1,\"amount\":5.01,\"status\":\"normal\"}"), 422, "values.amount",
                  "above the maximum 5");
  assert_refused (MSG ("{\"count\":1,\"amount\":\"1\",\"status\":\"normal\"}"), 422, "values.amount",
                  "must be a number");
  assert_refused (MSG ("{\"count\":1,\"rate\":100.5,\"status\":\"normal\"}"), 422, "values.rate",
                  "above the maximum 100");
  assert_refused (MSG ("{\"count\":1,\"rate\":-0.1,\"status\":\"normal\"}"), 422, "values.rate",
                  "below the minimum 0");
  assert_refused (MSG ("{\"count\":1,\"status\":\"fine\"}"), 422, "values.status",
                  "\"fine\" is not one of normal, watch, urgent");
  assert_refused (MSG ("{\"count\":1,\"status\":2}"), 422, "values.status", "must be a string");
  /* Characters, not bytes: five Thai letters fit, six do not. */
  RelayFiguresCheck c;
  check (MSG ("{\"count\":1,\"status\":\"normal\",\"note\":\"กขคงจ\"}"), &c);
  g_assert_cmpuint (c.status, ==, 0);
  relay_figures_check_clear (&c);
  assert_refused (MSG ("{\"count\":1,\"status\":\"normal\",\"note\":\"กขคงจฉ\"}"), 422,
                  "values.note", "6 characters, more than the 5");
  assert_refused (MSG ("{\"count\":1,\"status\":\"normal\",\"note\":[\"a\"]}"), 422, "values.note",
                  "must be a string");
}

static void
test_all_errors_at_once (void)
{
  RelayFiguresCheck c;
  check ("{\"type\":\"figures\",\"id\":\"\",\"date\":\"x\",\"values\":{\"count\":-3,\"bogus\":1}}", &c);
  g_assert_cmpuint (c.status, ==, 422);
  g_assert_cmpstr (c.id, ==, NULL);
  /* id, date, bogus, count, status */
  g_assert_cmpuint (json_array_get_length (json_node_get_array (c.errors)), ==, 5);
  relay_figures_check_clear (&c);
}

static void
test_oversize (void)
{
  gsize len = RELAY_REPORT_MAX_BYTES + 1;
  g_autofree char *big = g_malloc (len);
  memset (big, ' ', len);
  RelayFiguresCheck c;
  relay_figures_validate (config->figures, big, len, &today, &c);
  g_assert_cmpuint (c.status, ==, 413);
  relay_figures_check_clear (&c);
  /* Exactly the limit is read (and here refused as not JSON, not as too large). */
  relay_figures_validate (config->figures, big, len - 1, &today, &c);
  g_assert_cmpuint (c.status, ==, 400);
  relay_figures_check_clear (&c);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  const char *ini = "[relay]\nhttp-port=0\n" SCHEMA;
  g_autoptr (GError) error = NULL;
  config = relay_config_load_data (ini, strlen (ini), "test.ini", NULL, &error);
  g_assert_no_error (error);
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 10, G_DATE_MARCH, 2026);
  g_test_add_func ("/figures-validate/valid", test_valid);
  g_test_add_func ("/figures-validate/envelope", test_envelope);
  g_test_add_func ("/figures-validate/values", test_values);
  g_test_add_func ("/figures-validate/all-errors-at-once", test_all_errors_at_once);
  g_test_add_func ("/figures-validate/oversize", test_oversize);
  int rc = g_test_run ();
  relay_config_free (config);
  return rc;
}
