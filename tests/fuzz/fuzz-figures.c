/* libFuzzer harness: a province's figures message, as it arrives on the
 * report data channel or over HTTPS (relay/figures/figures-validate.c),
 * against the schema of the embedded default configuration. Validated once
 * with today's date and once with the message's own date as today, so that
 * captured messages reach the value checks whenever they were captured.
 * What validates is stored as values_json: that must be a JSON object, and
 * the day's summary and CSV (relay/figures/figures-summary.c) are built
 * from it as for GET /api/v1/figures. What is refused is answered with
 * its errors, which must be JSON again. */
#include "tests/fuzz/fuzz-common.h"

#include <stdio.h>
#include <string.h>

#include "relay/config/config.h"
#include "relay/figures/figures-summary.h"
#include "relay/figures/figures-validate.h"
#include "relay/figures/figures-store.h"

static RelayConfig *config;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging ();
  g_autoptr (GError) error = NULL;
  config = relay_config_load (NULL, &error);
  FUZZ_CHECK (config != NULL);
  return 0;
}

static void
check_stored (const RelayFiguresCheck *check)
{
  FUZZ_CHECK (check->values_json && check->date && check->errors == NULL);
  g_autoptr (JsonNode) values = json_from_string (check->values_json, NULL);
  FUZZ_CHECK (values && JSON_NODE_HOLDS_OBJECT (values));

  RelayOfficeConfig *first = config->provinces->pdata[0];
  RelayReportRow row = {
    .province = first->code,
    .date = check->date,
    .version = 1,
    .values_json = check->values_json,
    .received_at = "2026-01-01T00:00:00Z",
    .channel = "datachannel",
    .remote_address = "127.0.0.1",
    .client_id = check->id,
  };
  g_autoptr (GPtrArray) latest = g_ptr_array_new ();
  g_ptr_array_add (latest, &row);
  g_autoptr (JsonNode) summary = relay_figures_summary (config, check->date, latest);
  FUZZ_CHECK (summary != NULL);
  gsize len;
  g_autofree char *csv = relay_figures_csv (config, check->date, latest, &len);
  FUZZ_CHECK (csv != NULL);
}

static void
validate (const char *message, gsize len, const GDate *today)
{
  RelayFiguresCheck check;
  relay_figures_validate (config->figures, message, len, today, &check);
  /* Both go back to the client in the reply and into the database. */
  FUZZ_CHECK (!check.id || g_utf8_validate (check.id, -1, NULL));
  FUZZ_CHECK (!check.date || g_utf8_validate (check.date, -1, NULL));
  if (check.status == 0)
    check_stored (&check);
  else
    {
      FUZZ_CHECK (check.status == 400 || check.status == 413 || check.status == 422);
      FUZZ_CHECK (check.values_json == NULL && check.errors != NULL);
      g_autofree char *errors = json_to_string (check.errors, FALSE);
      g_autoptr (JsonNode) reread = json_from_string (errors, NULL);
      FUZZ_CHECK (reread != NULL && JSON_NODE_HOLDS_ARRAY (reread));
    }
  relay_figures_check_clear (&check);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *message = (const char *) data;
  validate (message, size, NULL);

  /* The first "date":"YYYY-MM-DD" as today. */
  const char *key = g_strstr_len (message, (gssize) size, "\"date\":\"");
  guint y, m, d;
  if (key && (gsize) (key - message) + 18 <= size)
    {
      char day[11];
      memcpy (day, key + 8, 10);
      day[10] = '\0';
      if (sscanf (day, "%4u-%2u-%2u", &y, &m, &d) == 3
          && g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
        {
          GDate today;
          g_date_clear (&today, 1);
          g_date_set_dmy (&today, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
          validate (message, size, &today);
        }
    }
  return 0;
}
