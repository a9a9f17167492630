/* Shared by the libFuzzer harnesses of tests/fuzz (docs/FUZZING.md): the
 * entry points, and a log writer that turns a GLib critical into a crash.
 * A g_return_if_fail that client bytes can reach is a bug the fuzzer must
 * report, not a line in a log; everything below critical is dropped so
 * that logging does not dominate the run. One thread: libFuzzer's. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  (void) data;
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL))
    {
      for (gsize i = 0; i < n_fields; i++)
        if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
          fprintf (stderr, "fuzz: GLib critical: %s\n", (const char *) fields[i].value);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

static inline void
fuzz_init_logging (void)
{
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
}

/* Reads every byte, so that AddressSanitizer checks a span the parser
 * handed back (a pointer and a length into or out of the input). */
static inline guint8
fuzz_touch (const void *data, gsize len)
{
  const volatile guint8 *p = data;
  guint8 sum = 0;
  for (gsize i = 0; i < len; i++)
    sum ^= p[i];
  return sum;
}

/* An invariant of the parser's output; a crash the fuzzer keeps. */
#define FUZZ_CHECK(cond)                                                      \
  do                                                                          \
    {                                                                         \
      if (!(cond))                                                            \
        {                                                                     \
          fprintf (stderr, "fuzz: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
          abort ();                                                           \
        }                                                                     \
    }                                                                         \
  while (0)
