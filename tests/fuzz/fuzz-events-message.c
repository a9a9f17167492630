/* libFuzzer harness: a client's message on the events WebSocket before it
 * is authenticated (http/events-endpoint.c: relay_events_parse_auth,
 * the parser on_message uses), as text and as binary, and the token it
 * yields checked against the embedded configuration's credentials
 * (relay_http_identify_token), as the endpoint does next. */
#include "tests/fuzz/fuzz-common.h"

#include <string.h>

#include "http/events-endpoint.h"
#include "http/http-auth.h"
#include "http/http-util.h"

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

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *binary = relay_events_parse_auth (FALSE, (const char *) data, size);
  FUZZ_CHECK (binary == NULL);
  g_autofree char *token = relay_events_parse_auth (TRUE, (const char *) data, size);
  if (token)
    {
      RelayCaller caller = { 0 };
      if (relay_http_identify_token (config, token, &caller))
        FUZZ_CHECK (caller.viewer != NULL || caller.office != NULL);
    }
  return 0;
}
