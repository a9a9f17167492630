/* One validation for both ways in: every kind of refusal, with the field it
 * names, and the canonical values of an accepted message. */
#include <glib.h>
#include <string.h>

#include "relay/config/config.h"
#include "relay/figures/figures-validate.h"
#include "relay/figures/figures-service.h"

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

/* Plausibility: a schema with soft bounds, a warning rule and a hard rule. */
static RelayConfig *plausible_config;

#define PLAUSIBLE_SCHEMA                                                                    \
  "[figure received]\nlabel-th=ก\nlabel-en=Received\ntype=integer\nmin=0\nrequired=true\n"     \
  "[figure resolved]\nlabel-th=ข\nlabel-en=Resolved\ntype=integer\nmin=0\n"                   \
  "[figure rate]\nlabel-th=ค\nlabel-en=Rate\ntype=percent\nunit=%\nwarn-max=30\n"             \
  "[figure change]\nlabel-th=ง\nlabel-en=Change\ntype=decimal\nwarn-min=-5\nwarn-max=10\n"     \
  "[figure-rule resolved_within_received]\ncheck=resolved <= received\nseverity=warning\n"     \
  "message-th=แก้เสร็จมากกว่าที่รับ\nmessage-en=More resolved than received\n"                 \
  "[figure-rule resolved_possible]\ncheck=resolved <= 2 * received + 10\nseverity=error\n"     \
  "message-th=แก้เสร็จมากเกินไป\nmessage-en=Far more resolved than could be\n"                \
  "[figure-rule change_small]\ncheck=change + 0.2 <= 0.3\nseverity=warning\n"                  \
  "message-th=ง\nmessage-en=Change\n"

#define PMSG(values, extra)                                                                  \
  "{\"type\":\"figures\",\"id\":\"p-1\",\"date\":\"2026-03-10\",\"values\":" values extra "}"

static void
pcheck (const char *message, RelayFiguresCheck *out)
{
  relay_figures_validate (plausible_config->figures, message, strlen (message), &today, out);
}

/* The codes of c->warnings, space separated ("" for none). */
static char *
warning_codes (const RelayFiguresCheck *c)
{
  g_autoptr (GString) s = g_string_new (NULL);
  JsonArray *a = c->warnings ? json_node_get_array (c->warnings) : NULL;
  for (guint i = 0; a && i < json_array_get_length (a); i++)
    g_string_append_printf (s, "%s%s", i ? " " : "",
                            json_object_get_string_member (json_array_get_object_element (a, i),
                                                           "code"));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static JsonObject *
warning (const RelayFiguresCheck *c, guint i)
{
  return json_array_get_object_element (json_node_get_array (c->warnings), i);
}

static void
test_plausible (void)
{
  RelayFiguresCheck c;
  /* Within every soft bound and rule; at the bounds themselves too. */
  pcheck (PMSG ("{\"received\":4,\"resolved\":4,\"rate\":30,\"change\":-5}", ""), &c);
  g_assert_cmpuint (c.status, ==, 0);
  g_assert_null (c.warnings);
  g_assert_false (c.needs_confirmation);
  relay_figures_check_clear (&c);
  /* 0.1 + 0.2 is 0.30000000000000004 in binary: still <= 0.3. */
  pcheck (PMSG ("{\"received\":4,\"change\":0.1}", ""), &c);
  g_assert_cmpuint (c.status, ==, 0);
  g_assert_null (c.warnings);
  relay_figures_check_clear (&c);
  /* A rule with a figure left out is not checked. */
  pcheck (PMSG ("{\"received\":4}", ""), &c);
  g_assert_cmpuint (c.status, ==, 0);
  g_assert_null (c.warnings);
  relay_figures_check_clear (&c);
}

/* Warnings without confirmation: refused, with a distinct mark, the
 * warnings in both languages beside their fields, nothing to store. */
static void
test_warnings_unconfirmed (void)
{
  RelayFiguresCheck c;
  pcheck (PMSG ("{\"received\":4,\"resolved\":9,\"rate\":80,\"change\":-6}", ""), &c);
  g_assert_cmpuint (c.status, ==, 422);
  g_assert_true (c.needs_confirmation);
  g_assert_null (c.values_json);
  g_autofree char *codes = warning_codes (&c);
  g_assert_cmpstr (codes, ==, "rate.warn-max change.warn-min resolved_within_received");
  JsonObject *rate = warning (&c, 0);
  g_assert_cmpstr (json_object_get_string_member (rate, "field"), ==, "values.rate");
  g_assert_nonnull (strstr (json_object_get_string_member (rate, "reason"), "80 % is unusually high"));
  g_assert_nonnull (strstr (json_object_get_string_member (rate, "reason"), "at most 30 %"));
  g_assert_nonnull (strstr (json_object_get_string_member (rate, "reason_th"), "80 % สูงผิดปกติ"));
  g_assert_nonnull (strstr (json_object_get_string_member (warning (&c, 1), "reason"),
                            "-6 is unusually low (expected at least -5)"));
  JsonObject *rule = warning (&c, 2);
  g_assert_cmpstr (json_object_get_string_member (rule, "field"), ==, "values.resolved");
  g_assert_cmpstr (json_object_get_string_member (rule, "reason"), ==,
                   "More resolved than received (9 > 4)");
  g_assert_cmpstr (json_object_get_string_member (rule, "reason_th"), ==,
                   "แก้เสร็จมากกว่าที่รับ (9 > 4)");
  /* The one error says what is missing: the confirmation. */
  JsonArray *errors = json_node_get_array (c.errors);
  g_assert_cmpuint (json_array_get_length (errors), ==, 1);
  JsonObject *e = json_array_get_object_element (errors, 0);
  g_assert_cmpstr (json_object_get_string_member (e, "field"), ==, "confirm_warnings");
  g_assert_nonnull (strstr (json_object_get_string_member (e, "reason"), "3 warnings to confirm"));
  relay_figures_check_clear (&c);

  /* false, and a list missing one code, confirm nothing. */
  const char *not_enough[] = { ",\"confirm_warnings\":false", ",\"confirm_warnings\":[]",
                               ",\"confirm_warnings\":null",
                               ",\"confirm_warnings\":[\"rate.warn-max\",\"change.warn-min\"]" };
  for (guint i = 0; i < G_N_ELEMENTS (not_enough); i++)
    {
      g_autofree char *msg = g_strdup_printf (
          PMSG ("{\"received\":4,\"resolved\":9,\"rate\":80,\"change\":-6}", "%s"),
          not_enough[i]);
      pcheck (msg, &c);
      g_assert_cmpuint (c.status, ==, 422);
      g_assert_true (c.needs_confirmation);
      relay_figures_check_clear (&c);
    }
}

/* Confirmed (all of them, or each by its code, extra codes harmless):
 * valid, the warnings kept for the store. */
static void
test_warnings_confirmed (void)
{
  const char *confirmations[] = {
    ",\"confirm_warnings\":true",
    ",\"confirm_warnings\":[\"resolved_within_received\",\"rate.warn-max\",\"change.warn-min\"]",
    ",\"confirm_warnings\":[\"rate.warn-max\",\"change.warn-min\",\"resolved_within_received\","
    "\"gone.warn-max\"]",
  };
  for (guint i = 0; i < G_N_ELEMENTS (confirmations); i++)
    {
      RelayFiguresCheck c;
      g_autofree char *msg = g_strdup_printf (
          PMSG ("{\"received\":4,\"resolved\":9,\"rate\":80,\"change\":-6}", "%s"),
          confirmations[i]);
      pcheck (msg, &c);
      g_assert_cmpuint (c.status, ==, 0);
      g_assert_false (c.needs_confirmation);
      g_assert_null (c.errors);
      /* The confirmation is not a figure: the stored values are the same. */
      g_assert_cmpstr (c.values_json, ==,
                       "{\"received\":4,\"resolved\":9,\"rate\":80,\"change\":-6}");
      g_autofree char *codes = warning_codes (&c);
      g_assert_cmpstr (codes, ==, "rate.warn-max change.warn-min resolved_within_received");
      relay_figures_check_clear (&c);
    }
}

/* A hard rule is an error like a value out of range: no confirmation
 * helps, its reason names the field in both languages. */
static void
test_hard_rule (void)
{
  RelayFiguresCheck c;
  pcheck (PMSG ("{\"received\":4,\"resolved\":100}", ",\"confirm_warnings\":true"), &c);
  g_assert_cmpuint (c.status, ==, 422);
  g_assert_false (c.needs_confirmation);
  g_assert_null (c.values_json);
  JsonArray *errors = json_node_get_array (c.errors);
  g_assert_cmpuint (json_array_get_length (errors), ==, 1);
  JsonObject *e = json_array_get_object_element (errors, 0);
  g_assert_cmpstr (json_object_get_string_member (e, "field"), ==, "values.resolved");
  g_assert_cmpstr (json_object_get_string_member (e, "code"), ==, "resolved_possible");
  g_assert_cmpstr (json_object_get_string_member (e, "reason"), ==,
                   "Far more resolved than could be (100 > 18)");
  g_assert_cmpstr (json_object_get_string_member (e, "reason_th"), ==,
                   "แก้เสร็จมากเกินไป (100 > 18)");
  /* The warning it also breaks is shown with it. */
  g_autofree char *codes = warning_codes (&c);
  g_assert_cmpstr (codes, ==, "resolved_within_received");
  relay_figures_check_clear (&c);
  /* At the limit it holds (and only warns). */
  pcheck (PMSG ("{\"received\":4,\"resolved\":18}", ",\"confirm_warnings\":true"), &c);
  g_assert_cmpuint (c.status, ==, 0);
  relay_figures_check_clear (&c);
}

/* Warnings beside other errors: refused for the errors (nothing to
 * confirm yet), the warnings shown too; a field's own error keeps the
 * rules from running on a value that is not one. */
static void
test_warnings_with_errors (void)
{
  RelayFiguresCheck c;
  pcheck ("{\"type\":\"figures\",\"id\":\"p\",\"date\":\"2020-01-01\",\"values\":"
          "{\"received\":4,\"rate\":80}}", &c);
  g_assert_cmpuint (c.status, ==, 422);
  g_assert_false (c.needs_confirmation);
  g_autofree char *codes = warning_codes (&c);
  g_assert_cmpstr (codes, ==, "rate.warn-max");
  relay_figures_check_clear (&c);
  pcheck (PMSG ("{\"received\":4,\"resolved\":9,\"rate\":180}", ""), &c);
  g_assert_cmpuint (c.status, ==, 422);
  g_assert_null (c.warnings);
  g_assert_false (c.needs_confirmation);
  relay_figures_check_clear (&c);
}

static void
test_confirmation_refused (void)
{
  const char *bad[] = { "\"yes\"", "1", "{}", "[1]", "[\"a\",null]" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      RelayFiguresCheck c;
      g_autofree char *msg = g_strdup_printf (PMSG ("{\"received\":4}", ",\"confirm_warnings\":%s"),
                                              bad[i]);
      relay_figures_validate (plausible_config->figures, msg, strlen (msg), &today, &c);
      g_assert_cmpuint (c.status, ==, 422);
      g_autofree char *errors = json_to_string (c.errors, FALSE);
      if (!strstr (errors, "\"field\":\"confirm_warnings\",\"reason\":\"must be true, false or a list"))
        g_error ("%s: %s", msg, errors);
      relay_figures_check_clear (&c);
    }
  g_autoptr (GString) many = g_string_new ("[");
  for (guint i = 0; i < 65; i++)
    g_string_append_printf (many, "%s\"c%u\"", i ? "," : "", i);
  g_string_append (many, "]");
  g_autofree char *msg = g_strdup_printf (PMSG ("{\"received\":4}", ",\"confirm_warnings\":%s"),
                                          many->str);
  RelayFiguresCheck c;
  pcheck (msg, &c);
  g_assert_cmpuint (c.status, ==, 422);
  g_autofree char *errors = json_to_string (c.errors, FALSE);
  g_assert_nonnull (strstr (errors, "more than 64 codes"));
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
  const char *plausible_ini = "[relay]\nhttp-port=0\n" PLAUSIBLE_SCHEMA;
  plausible_config = relay_config_load_data (plausible_ini, strlen (plausible_ini), "test.ini",
                                             NULL, &error);
  g_assert_no_error (error);
  g_test_add_func ("/figures-validate/plausible", test_plausible);
  g_test_add_func ("/figures-validate/warnings-unconfirmed", test_warnings_unconfirmed);
  g_test_add_func ("/figures-validate/warnings-confirmed", test_warnings_confirmed);
  g_test_add_func ("/figures-validate/hard-rule", test_hard_rule);
  g_test_add_func ("/figures-validate/warnings-with-errors", test_warnings_with_errors);
  g_test_add_func ("/figures-validate/confirmation-refused", test_confirmation_refused);
  int rc = g_test_run ();
  relay_config_free (plausible_config);
  relay_config_free (config);
  return rc;
}
