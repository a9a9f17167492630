/* libFuzzer harness: a configuration file (relay/config/config.c from memory:
 * GKeyFile, then every group the relay knows, [figure], [webhook],
 * [briefing] and [recording] included) and the same bytes as a roster CSV
 * (relay_roster_parse). Relative paths resolve in a directory of the
 * harness's own that holds a roster and a webhook secret; inputs naming
 * device or proc files, or leaving the directory with "..", are skipped:
 * the loader reads the files it is told to, which is its job, and a read
 * of /dev/zero would only stall the fuzzer. A config that loads must have
 * a roster and a figures schema. */
#include "tests/fuzz/fuzz-common.h"

#include <glib/gstdio.h>
#include <string.h>

#include "relay/config/config.h"
#include "relay/config/roster.h"
#include "relay/figures/figures-schema.h"

static char *base_dir;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging ();
  base_dir = g_dir_make_tmp ("fuzz-config-XXXXXX", NULL);
  FUZZ_CHECK (base_dir != NULL);
  g_autofree char *roster = g_build_filename (base_dir, "roster.csv", NULL);
  g_autofree char *secret = g_build_filename (base_dir, "secret", NULL);
  FUZZ_CHECK (g_file_set_contents (roster, "code,name_th,name_en,region\n"
                                           "TH-10,กรุงเทพมหานคร,Bangkok,central\n"
                                           "TH-50,เชียงใหม่,Chiang Mai,north\n", -1, NULL));
  FUZZ_CHECK (g_file_set_contents (secret, "0123456789abcdef0123456789abcdef\n", -1, NULL));
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  static const char *const unsafe[] = { "/dev", "/proc", "/sys", "..", "/run" };
  for (guint i = 0; i < G_N_ELEMENTS (unsafe); i++)
    if (g_strstr_len (text, (gssize) size, unsafe[i]))
      return 0;

  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) config = relay_config_load_data (text, size, "fuzz.ini", base_dir, &error);
  if (config)
    {
      FUZZ_CHECK (config->provinces != NULL && config->figures != NULL);
      FUZZ_CHECK (config->figures->fields->len > 0);
      g_autofree char *schema = relay_figures_schema_to_json (config->figures);
      FUZZ_CHECK (schema != NULL);
      g_autoptr (GPtrArray) order
          = relay_roster_dup_office_order (config->provinces, config->mosaic_order_by_region);
      FUZZ_CHECK (order->len == config->provinces->len);
    }
  else
    FUZZ_CHECK (error != NULL);

  g_autoptr (GError) roster_error = NULL;
  GPtrArray *roster = relay_roster_parse (text, size, "fuzz.csv", &roster_error);
  if (roster)
    g_ptr_array_unref (roster);
  else
    FUZZ_CHECK (roster_error != NULL);
  return 0;
}
