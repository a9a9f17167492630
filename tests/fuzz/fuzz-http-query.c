/* libFuzzer harness: a request's query string, decoded as libsoup decodes
 * it for the handlers (soup_form_decode) and as the events endpoint does
 * (g_uri_parse_params), then read by the relay's own readers: a signed
 * media link (http/media-link.c: scope, expires, sig), a day
 * (?date=, ?from=, ?to=: relay_http_valid_day) and ?since=. */
#include "tests/fuzz/fuzz-common.h"

#include <libsoup/soup.h>
#include <string.h>

#include "http/http-util.h"
#include "http/media-link.h"

static RelayMediaLinks *links;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging ();
  links = relay_media_links_new ();
  return 0;
}

static void
read_query (GHashTable *query)
{
  const char *scope = NULL;
  RelayMediaLinkResult r = relay_media_links_verify (
      links, "/api/v1/briefings/1/recordings/program-000.mp4", query, &scope);
  /* Nobody but the relay can sign: a fuzzer that forges a link found a hole. */
  FUZZ_CHECK (r != RELAY_MEDIA_LINK_VALID && r != RELAY_MEDIA_LINK_EXPIRED);
  static const char *const days[] = { "date", "from", "to" };
  for (guint i = 0; i < G_N_ELEMENTS (days); i++)
    {
      const char *day = g_hash_table_lookup (query, days[i]);
      if (day && relay_http_valid_day (day))
        FUZZ_CHECK (strlen (day) == 10);
    }
  const char *since = g_hash_table_lookup (query, "since");
  guint64 after;
  if (since)
    g_ascii_string_to_unsigned (since, 10, 0, G_MAXUINT64, &after, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  GHashTable *form = soup_form_decode (text);
  if (form)
    {
      read_query (form);
      g_hash_table_unref (form);
    }
  GHashTable *params = g_uri_parse_params (text, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params)
    {
      read_query (params);
      g_hash_table_unref (params);
    }
  return 0;
}
