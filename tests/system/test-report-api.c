/* Figures over HTTPS against the real relay: acknowledgements, retries,
 * corrections, every refusal, the day's figures as JSON and CSV. Each test
 * has a relay (and data dir) of its own: none depends on another's
 * submissions or on the order they run in. */
#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#include "relay-process.h"
#include "tests/unit/relay/figures/report-test-util.h"

#define CM "token-of-chiang-mai"
#define SP "token-of-samut-prakan"
#define CHAIR "chair-token-for-tests"
#define VIEWER "viewer-token-for-tests"

static RelayProcess *relay;
static SoupSession *http;
static char *today;
static char *data_dir;

typedef struct {
  int unused;
} Fixture;

static void
relay_up (Fixture *f, gconstpointer data)
{
  relay = relay_process_start ("[viewer chair]\nrole=chair\ntoken=" CHAIR "\n"
                               "[viewer wall]\nrole=viewer\ntoken=" VIEWER "\n");
  data_dir = g_build_filename (relay->dir, "var", NULL);
}

static void
relay_down (Fixture *f, gconstpointer data)
{
  relay_process_stop (g_steal_pointer (&relay));
  g_clear_pointer (&data_dir, g_free);
}

static guint
post (const char *token, const char *body, char **reply)
{
  return report_post (http, relay->base_url, token, "application/json", body, strlen (body), reply);
}

static void
expect (guint status, const char *token, const char *body, const char *fragment)
{
  g_autofree char *reply = NULL;
  guint got = post (token, body, &reply);
  if (got != status || (fragment && !strstr (reply, fragment)))
    g_error ("expected %u with %s, got %u: %s\nfor %s", status, fragment ? fragment : "", got,
             reply, body);
}

static guint
get (const char *path, const char *token, const char *accept, char **body, gsize *len)
{
  g_autofree char *url = g_strconcat (relay->base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  SoupMessageHeaders *h = soup_message_get_request_headers (msg);
  if (token)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (h, "Authorization", auth);
    }
  if (accept)
    soup_message_headers_replace (h, "Accept", accept);
  g_autoptr (GBytes) reply = soup_session_send_and_read (http, msg, NULL, NULL);
  gsize n = 0;
  const char *data = reply ? g_bytes_get_data (reply, &n) : "";
  *body = g_strndup (data, n);
  if (len)
    *len = n;
  return soup_message_get_status (msg);
}

static void
test_accept_retry_correct (Fixture *f, gconstpointer data)
{
  g_autofree char *first = report_message ("cm-1", today, 10, NULL);
  expect (201, CM, first, "\"version\":1");
  expect (200, CM, first, "\"version\":1");
  expect (200, CM, first, "\"ok\":true");
  g_assert_cmpint (report_count (data_dir, "reports", "client_id = 'cm-1'"), ==, 1);

  g_autofree char *fix = report_message ("cm-2", today, 12, ",\"note\":\"แก้ไข\"");
  expect (201, CM, fix, "\"version\":2");
  /* The same values again under a new id: no third version. */
  g_autofree char *again = report_message ("cm-3", today, 12, ",\"note\":\"แก้ไข\"");
  expect (200, CM, again, "\"unchanged\":true");
  g_assert_cmpint (report_count (data_dir, "reports", "province = 'TH-50'"), ==, 2);

  g_autofree char *path = g_strdup_printf ("/api/v1/reports/history?province=TH-50&date=%s", today);
  g_autofree char *body = NULL;
  g_assert_cmpuint (get (path, CM, NULL, &body, NULL), ==, 200);
  g_autoptr (JsonNode) root = json_from_string (body, NULL);
  JsonArray *versions = json_object_get_array_member (json_node_get_object (root), "versions");
  g_assert_cmpuint (json_array_get_length (versions), ==, 2);
  JsonObject *v1 = json_array_get_object_element (versions, 0);
  g_assert_cmpint (json_object_get_int_member (v1, "version"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (v1, "id"), ==, "cm-1");
  g_assert_cmpstr (json_object_get_string_member (v1, "channel"), ==, "https");
  g_assert_cmpstr (json_object_get_string_member (v1, "remote_address"), ==, "127.0.0.1");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (v1, "values"),
                                              "job_seekers"), ==, 10);
  g_autofree char *other = NULL;
  g_assert_cmpuint (get (path, SP, NULL, &other, NULL), ==, 403);
}

static void
test_invalid (Fixture *f, gconstpointer data)
{
  struct {
    const char *extra;
    const char *field;
  } cases[] = {
    { ",\"colour\":1", "\"field\":\"values.colour\"" },
    { ",\"skill_trainees\":\"5\"", "\"field\":\"values.skill_trainees\",\"reason\":\"must be a whole number\"" },
    { ",\"skill_trainees\":2.5", "\"field\":\"values.skill_trainees\"" },
    { ",\"skill_trainees\":-1", "below the minimum" },
    { ",\"inflation\":150", "\"field\":\"values.inflation\"" },
    { ",\"note\":7", "\"field\":\"values.note\"" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = g_strdup_printf ("bad-%u", i);
      g_autofree char *msg = report_message (id, today, 1, cases[i].extra);
      expect (422, CM, msg, cases[i].field);
    }
  g_autofree char *long_note = g_strnfill (2001, 'x');
  g_autofree char *extra = g_strdup_printf (",\"note\":\"%s\"", long_note);
  g_autofree char *too_long = report_message ("long", today, 1, extra);
  expect (422, CM, too_long, "2001 characters");
  expect (422, CM,
          "{\"type\":\"figures\",\"id\":\"m\",\"date\":\"2026-02-30\",\"values\":{\"job_seekers\":1}}",
          "\"field\":\"date\"");
  expect (422, CM, "{\"type\":\"figures\",\"id\":\"m\",\"values\":{\"job_seekers\":1}}",
          "\"field\":\"values.overall_status\",\"reason\":\"required\"");
  g_autofree char *bad_enum = g_strdup_printf (
      "{\"type\":\"figures\",\"id\":\"e\",\"date\":\"%s\",\"values\":{\"overall_status\":\"ok\"}}", today);
  expect (422, CM, bad_enum, "is not one of normal, watch, urgent");
  expect (400, CM, "{\"type\":\"figures\",", "not JSON");
  expect (400, CM, "{\"type\":\"report\",\"id\":\"x\"}", "\"field\":\"type\"");
  expect (400, CM, "{\"type\":\"figures\",\"id\":\"\xc3\x28\"}", "UTF-8");
  /* Nothing refused was stored. */
  g_assert_cmpint (report_count (data_dir, "reports", "1"), ==, 0);
}

static void
test_refusals (Fixture *f, gconstpointer data)
{
  g_autofree char *msg = report_message ("r-1", today, 1, NULL);
  g_autofree char *reply = NULL;
  g_assert_cmpuint (post (NULL, msg, NULL), ==, 401);
  g_assert_cmpuint (post ("not-a-token-at-all", msg, NULL), ==, 401);
  g_assert_cmpuint (post (CHAIR, msg, &reply), ==, 403);
  g_assert_nonnull (strstr (reply, "province's token"));
  g_assert_cmpuint (report_post (http, relay->base_url, CM, "text/plain", msg, strlen (msg), NULL),
                    ==, 415);
  /* The province is the token's: naming another one is refused. */
  g_autofree char *url = g_strconcat (relay->base_url, "/api/v1/reports?province=TH-11", NULL);
  g_autoptr (SoupMessage) other = soup_message_new ("POST", url);
  soup_message_headers_replace (soup_message_get_request_headers (other), "Authorization",
                                "Bearer " CM);
  g_autoptr (GBytes) bytes = g_bytes_new (msg, strlen (msg));
  soup_message_set_request_body_from_bytes (other, "application/json", bytes);
  g_autoptr (GBytes) ignored = soup_session_send_and_read (http, other, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (other), ==, 403);

  gsize big_len = RELAY_REPORT_MAX_BYTES + 1;
  g_autofree char *big = g_malloc (big_len);
  memset (big, ' ', big_len);
  big[0] = '{';
  big[big_len - 1] = '}';
  g_autofree char *big_reply = NULL;
  g_assert_cmpuint (report_post (http, relay->base_url, CM, "application/json", big, big_len,
                                 &big_reply), ==, 413);
  g_assert_nonnull (strstr (big_reply, "16 KiB"));

  /* Methods match whole: a part of POST is not POST. */
  const char *partial[] = { "POS", "OST", "P", "T" };
  for (guint i = 0; i < G_N_ELEMENTS (partial); i++)
    {
      g_autofree char *reports_url = g_strconcat (relay->base_url, "/api/v1/reports", NULL);
      g_autoptr (SoupMessage) odd = soup_message_new (partial[i], reports_url);
      soup_message_headers_replace (soup_message_get_request_headers (odd), "Authorization",
                                    "Bearer " CM);
      g_autoptr (GBytes) odd_body = g_bytes_new (msg, strlen (msg));
      soup_message_set_request_body_from_bytes (odd, "application/json", odd_body);
      g_autoptr (GBytes) odd_reply = soup_session_send_and_read (http, odd, NULL, NULL);
      g_assert_cmpuint (soup_message_get_status (odd), ==, 405);
      g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (odd),
                                                     "Allow"), ==, "POST, OPTIONS");
    }
  g_assert_cmpint (report_count (data_dir, "reports", "client_id = 'r-1'"), ==, 0);
}

static void
test_figures_json_and_csv (Fixture *f, gconstpointer data)
{
  /* Chiang Mai: a first version, then a correction (the latest counts). */
  g_autofree char *cm1 = report_message ("cm-1", today, 10, NULL);
  expect (201, CM, cm1, "\"version\":1");
  g_autofree char *cm2 = report_message ("cm-2", today, 12, NULL);
  expect (201, CM, cm2, "\"version\":2");
  g_autofree char *sp = report_message ("sp-1", today, 30,
                                        ",\"inflation\":-0.5,\"note\":\"=HYPERLINK(\\\"x\\\"),ok\"");
  expect (201, SP, sp, "\"version\":1");
  g_autofree char *path = g_strdup_printf ("/api/v1/figures?date=%s", today);
  g_autofree char *body = NULL;
  g_autofree char *refused = NULL;
  g_assert_cmpuint (get (path, NULL, NULL, &refused, NULL), ==, 401);
  g_free (refused);
  g_assert_cmpuint (get (path, CM, NULL, &refused, NULL), ==, 403);
  g_assert_cmpuint (get (path, VIEWER, NULL, &body, NULL), ==, 200);
  g_autoptr (JsonNode) root = json_from_string (body, NULL);
  JsonObject *o = json_node_get_object (root);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "provinces")), ==, 2);
  JsonObject *national = json_object_get_object_member (
      json_object_get_object_member (json_object_get_object_member (o, "totals"), "national"),
      "values");
  /* Chiang Mai's latest is 12 (version 2), Samut Prakan's 30. */
  g_assert_cmpint (json_object_get_int_member (national, "job_seekers"), ==, 42);
  g_assert_cmpfloat (json_object_get_double_member (national, "unemployment_rate"), ==, 2.0);
  g_assert_cmpint (json_object_get_int_member (
                       json_object_get_object_member (national, "overall_status"), "normal"), ==, 2);
  JsonObject *regions = json_object_get_object_member (
      json_object_get_object_member (o, "totals"), "regions");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                       json_object_get_object_member (regions, "north"), "values"), "job_seekers"),
                   ==, 12);
  JsonArray *missing = json_object_get_array_member (o, "missing");
  g_assert_cmpuint (json_array_get_length (missing), ==, 76 - 2);
  for (guint i = 0; i < json_array_get_length (missing); i++)
    {
      const char *code = json_object_get_string_member (json_array_get_object_element (missing, i), "code");
      g_assert_cmpstr (code, !=, "TH-50");
      g_assert_cmpstr (code, !=, "TH-11");
    }

  const char *csv_paths[] = { "/api/v1/figures.csv?date=%s", "/api/v1/figures?date=%s" };
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *p = g_strdup_printf (csv_paths[i], today);
      g_autofree char *csv = NULL;
      gsize len;
      g_assert_cmpuint (get (p, CHAIR, i ? "text/csv" : NULL, &csv, &len), ==, 200);
      g_assert_true (len > 3 && memcmp (csv, "\xEF\xBB\xBF", 3) == 0);
      g_assert_true (g_str_has_prefix (csv + 3, "date,province,name_th,name_en,region,version,"
                                                "received_at,job_seekers,job_placements"));
      g_assert_true (g_utf8_validate (csv, len, NULL));
      g_autofree char *row = g_strdup_printf ("%s,TH-50,เชียงใหม่,Chiang Mai,north,2,", today);
      g_assert_nonnull (strstr (csv, row));
      /* Quoted for the comma and the quotes, defused for Excel; numbers stay
       * numbers. Then the warnings column, empty: these figures are plausible. */
      g_assert_nonnull (strstr (csv, ",-0.5,normal,\"'=HYPERLINK(\"\"x\"\"),ok\",\r\n"));
      g_autofree char *total = g_strdup_printf ("%s,TH,ทั้งประเทศ,National,,,,42,", today);
      g_assert_nonnull (strstr (csv, total));
      /* Header, 76 provinces, the national row. */
      g_auto (GStrv) lines = g_strsplit (csv, "\r\n", -1);
      g_assert_cmpuint (g_strv_length (lines), ==, 1 + 76 + 1 + 1);
    }
  g_autofree char *schema = NULL;
  g_assert_cmpuint (get ("/api/v1/figures/schema", NULL, NULL, &schema, NULL), ==, 200);
  g_assert_nonnull (strstr (schema, "\"name\":\"job_seekers\""));
}

/* today's figures with 80 % unemployment and more complaints resolved
 * than received, with `confirm` appended to the message. */
static char *
implausible (const char *id, const char *confirm)
{
  return g_strdup_printf (
      "{\"type\":\"figures\",\"id\":\"%s\",\"date\":\"%s\",\"values\":{\"job_seekers\":10,"
      "\"job_placements\":3,\"layoffs\":1,\"establishments_closed\":0,\"complaints_received\":4,"
      "\"complaints_resolved\":9,\"workplace_accidents\":0,\"unemployment_rate\":80,"
      "\"overall_status\":\"normal\"}%s}", id, today, confirm);
}

/* The shipped plausibility over HTTPS: a distinct refusal until the office
 * confirms, then the version with its warnings in the reply, the history,
 * the day's JSON and CSV; the schema gives the form the rules. */
static void
test_warnings (Fixture *f, gconstpointer data)
{
  g_autofree char *first = implausible ("w-1", "");
  expect (422, CM, first, "\"error\":\"needs-confirmation\"");
  expect (422, CM, first, "\"needs_confirmation\":true");
  expect (422, CM, first, "\"code\":\"unemployment_rate.warn-max\"");
  expect (422, CM, first, "\"code\":\"complaints_resolved_within_received\"");
  expect (422, CM, first, "\"reason\":\"2 warnings to confirm");
  g_assert_cmpint (report_count (data_dir, "reports", "1"), ==, 0);

  g_autofree char *confirmed = implausible ("w-2", ",\"confirm_warnings\":true");
  expect (201, CM, confirmed, "\"warnings\":[{\"code\":\"unemployment_rate.warn-max\"");
  /* Its retry answers the same, warnings included. */
  expect (200, CM, confirmed, "\"code\":\"complaints_resolved_within_received\"");

  g_autofree char *path = g_strdup_printf ("/api/v1/reports/history?province=TH-50&date=%s", today);
  g_autofree char *body = NULL;
  g_assert_cmpuint (get (path, CM, NULL, &body, NULL), ==, 200);
  g_autoptr (JsonNode) history = json_from_string (body, NULL);
  JsonObject *v1 = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (history), "versions"), 0);
  JsonArray *warnings = json_object_get_array_member (v1, "warnings");
  g_assert_cmpuint (json_array_get_length (warnings), ==, 2);
  JsonObject *w = json_array_get_object_element (warnings, 0);
  g_assert_cmpstr (json_object_get_string_member (w, "field"), ==, "values.unemployment_rate");
  g_assert_nonnull (strstr (json_object_get_string_member (w, "reason"), "80 %"));
  g_assert_nonnull (json_object_get_string_member (w, "reason_th"));

  g_autofree char *day = g_strdup_printf ("/api/v1/figures?date=%s", today);
  g_autofree char *figures = NULL;
  g_assert_cmpuint (get (day, CHAIR, NULL, &figures, NULL), ==, 200);
  g_autoptr (JsonNode) summary = json_from_string (figures, NULL);
  JsonObject *cm = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (summary), "provinces"), 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (cm, "warnings")), ==, 2);

  g_autofree char *csv_path = g_strdup_printf ("/api/v1/figures.csv?date=%s", today);
  g_autofree char *csv = NULL;
  g_assert_cmpuint (get (csv_path, CHAIR, NULL, &csv, NULL), ==, 200);
  g_auto (GStrv) lines = g_strsplit (csv, "\r\n", -1);
  g_assert_true (g_str_has_suffix (lines[0], ",note,warnings"));
  g_autofree char *row = g_strdup_printf ("%s,TH-50,", today);
  gboolean found = FALSE;
  for (guint i = 1; lines[i]; i++)
    if (g_str_has_prefix (lines[i], row))
      {
        found = TRUE;
        g_assert_true (g_str_has_suffix (
            lines[i], ",unemployment_rate.warn-max complaints_resolved_within_received"));
      }
  g_assert_true (found);

  g_autofree char *schema = NULL;
  g_assert_cmpuint (get ("/api/v1/figures/schema", NULL, NULL, &schema, NULL), ==, 200);
  g_assert_nonnull (strstr (schema, "\"warn_max\":10"));
  g_assert_nonnull (strstr (schema, "\"rules\":[{\"name\":\"complaints_resolved_within_received\""));
}

/* A site's hard rule is refused as "invalid-figures", whatever the
 * confirmation. */
static void
relay_up_hard_rule (Fixture *f, gconstpointer data)
{
  relay = relay_process_start ("[figure-rule resolved_within_received]\n"
                               "check=complaints_resolved <= complaints_received\n"
                               "severity=error\n"
                               "message-th=คำร้องที่เสร็จมากกว่าที่ได้รับ\n"
                               "message-en=More complaints resolved than received\n");
  data_dir = g_build_filename (relay->dir, "var", NULL);
}

static void
test_hard_rule (Fixture *f, gconstpointer data)
{
  g_autofree char *msg = implausible ("h-1", ",\"confirm_warnings\":true");
  expect (422, CM, msg, "\"error\":\"invalid-figures\"");
  expect (422, CM, msg, "\"field\":\"values.complaints_resolved\"");
  expect (422, CM, msg, "\"reason\":\"More complaints resolved than received (9 > 4)\"");
  expect (422, CM, msg, "\"reason_th\":\"คำร้องที่เสร็จมากกว่าที่ได้รับ (9 > 4)\"");
  g_assert_cmpint (report_count (data_dir, "reports", "1"), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  today = report_today ();
  http = soup_session_new_with_options ("timeout", 20, NULL);
  g_test_add ("/report-api/accept-retry-correct", Fixture, NULL, relay_up,
              test_accept_retry_correct, relay_down);
  g_test_add ("/report-api/invalid", Fixture, NULL, relay_up, test_invalid, relay_down);
  g_test_add ("/report-api/refusals", Fixture, NULL, relay_up, test_refusals, relay_down);
  g_test_add ("/report-api/figures-json-and-csv", Fixture, NULL, relay_up,
              test_figures_json_and_csv, relay_down);
  g_test_add ("/report-api/warnings", Fixture, NULL, relay_up, test_warnings, relay_down);
  g_test_add ("/report-api/hard-rule", Fixture, NULL, relay_up_hard_rule, test_hard_rule,
              relay_down);
  int rc = g_test_run ();
  g_object_unref (http);
  g_free (today);
  return rc;
}
