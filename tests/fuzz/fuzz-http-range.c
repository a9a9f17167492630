/* libFuzzer harness: an HTTP Range header (http/file-response.c,
 * RFC 9110 §14) for recordings and clips, against files of several sizes
 * (empty, one byte, a segment, past 4 GiB, the largest). A range the
 * parser accepts must lie in the file, since the body is cut from the
 * mapping with it. */
#include "tests/fuzz/fuzz-common.h"

#include "http/file-response.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* Headers reach the parser NUL-terminated, as libsoup holds them. */
  g_autofree char *header = g_strndup ((const char *) data, size);
  static const guint64 sizes[] = { 0, 1, 2, 1000, 1048576, G_GUINT64_CONSTANT (5000000000),
                                   G_MAXUINT64 - 1, G_MAXUINT64 };
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      guint64 first = 7, last = 7;
      RelayRangeResult r = relay_http_parse_range (header, sizes[i], &first, &last);
      FUZZ_CHECK (r == RELAY_RANGE_NONE || r == RELAY_RANGE_OK || r == RELAY_RANGE_UNSATISFIABLE);
      if (r == RELAY_RANGE_OK)
        FUZZ_CHECK (sizes[i] > 0 && first <= last && last < sizes[i]);
    }
  FUZZ_CHECK (relay_http_parse_range (NULL, 10, NULL, NULL) == RELAY_RANGE_NONE);
  return 0;
}
