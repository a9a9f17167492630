/* Audio levels (webrtc/rtp/audio-level.c): the dBov of decoded samples as
 * RFC 6464 defines it, its 7-bit value, and the held level (the loudest of
 * 300 ms) that the active speaker reads. */
#include <math.h>
#include <string.h>

#include "webrtc/rtp/audio-level.h"

#define N 4800 /* 100 ms at 48 kHz */

static void
sine (gint16 *out, gsize n, double amplitude, double freq)
{
  for (gsize i = 0; i < n; i++)
    out[i] = (gint16) lround (amplitude * 32767.0 * sin (2 * G_PI * freq * (double) i / 48000.0));
}

static void
test_levels_of_samples (void)
{
  gint16 *s = g_new0 (gint16, N);

  /* A full-scale square wave is the overload point itself. */
  for (gsize i = 0; i < N; i++)
    s[i] = i % 2 ? 32767 : -32768;
  g_assert_cmpfloat_with_epsilon (relay_audio_level_dbov_s16 (s, N), 0.0, 0.01);
  g_assert_cmpuint (relay_audio_level_from_dbov (relay_audio_level_dbov_s16 (s, N)), ==, 0);

  /* A full-scale sine is 3 dB below it; each tenth of the amplitude 20 dB
   * less. */
  sine (s, N, 1.0, 1000);
  g_assert_cmpfloat_with_epsilon (relay_audio_level_dbov_s16 (s, N), -3.01, 0.05);
  g_assert_cmpuint (relay_audio_level_from_dbov (relay_audio_level_dbov_s16 (s, N)), ==, 3);
  sine (s, N, 0.1, 440);
  g_assert_cmpfloat_with_epsilon (relay_audio_level_dbov_s16 (s, N), -23.01, 0.05);
  sine (s, N, 0.001, 440);
  g_assert_cmpfloat_with_epsilon (relay_audio_level_dbov_s16 (s, N), -63.0, 0.3);
  g_assert_cmpuint (relay_audio_level_from_dbov (relay_audio_level_dbov_s16 (s, N)), ==, 63);

  /* Silence, and nothing at all, are the bottom of the scale. */
  memset (s, 0, N * sizeof *s);
  g_assert_cmpfloat (relay_audio_level_dbov_s16 (s, N), ==, -127.0);
  g_assert_cmpfloat (relay_audio_level_dbov_s16 (s, 0), ==, -127.0);
  g_assert_cmpfloat (relay_audio_level_dbov_s16 (NULL, 10), ==, -127.0);
  /* One LSB of noise is about -93 dBov, still on the scale. */
  s[0] = 1;
  g_assert_cmpfloat (relay_audio_level_dbov_s16 (s, 1), >, -127.0);
  g_free (s);
}

static void
test_seven_bits (void)
{
  g_assert_cmpuint (relay_audio_level_from_dbov (-5.4), ==, 5);
  g_assert_cmpuint (relay_audio_level_from_dbov (-5.6), ==, 6);
  g_assert_cmpuint (relay_audio_level_from_dbov (3.0), ==, 0);
  g_assert_cmpuint (relay_audio_level_from_dbov (-127.0), ==, 127);
  g_assert_cmpuint (relay_audio_level_from_dbov (-300.0), ==, 127);
}

static void
test_hold (void)
{
  RelayLevelHold h;
  relay_level_hold_init (&h);
  g_assert_cmpuint (h.level, ==, RELAY_LEVEL_SILENT);
  g_assert_false (h.voice);

  /* The first level is taken whatever the clock says. */
  relay_level_hold_update (&h, 40, TRUE, 0);
  g_assert_cmpuint (h.level, ==, 40);
  g_assert_true (h.voice);

  /* Quieter within 300 ms (a dip between syllables): the louder stands,
   * and any voice flag since then counts. */
  relay_level_hold_update (&h, 90, FALSE, 100 * 1000);
  g_assert_cmpuint (h.level, ==, 40);
  g_assert_true (h.voice);
  relay_level_hold_update (&h, 90, FALSE, 299 * 1000);
  g_assert_cmpuint (h.level, ==, 40);

  /* Louder at any time: taken at once, and held from then on. */
  relay_level_hold_update (&h, 20, FALSE, 250 * 1000);
  g_assert_cmpuint (h.level, ==, 20);
  g_assert_false (h.voice);
  relay_level_hold_update (&h, 60, TRUE, 500 * 1000);
  g_assert_cmpuint (h.level, ==, 20);
  g_assert_true (h.voice);

  /* 300 ms after the louder one was taken, the quieter one is the level. */
  relay_level_hold_update (&h, 60, FALSE, 550 * 1000);
  g_assert_cmpuint (h.level, ==, 60);
  g_assert_false (h.voice);
  relay_level_hold_update (&h, 127, FALSE, 850 * 1000);
  g_assert_cmpuint (h.level, ==, 127);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/audio-level/of-samples", test_levels_of_samples);
  g_test_add_func ("/audio-level/seven-bits", test_seven_bits);
  g_test_add_func ("/audio-level/hold", test_hold);
  return g_test_run ();
}
