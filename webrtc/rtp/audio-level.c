#include "webrtc/rtp/audio-level.h"

#include <math.h>

double
relay_audio_level_dbov_s16 (const gint16 *samples, gsize n_samples)
{
  if (!samples || n_samples == 0)
    return -127.0;
  double sum = 0;
  for (gsize i = 0; i < n_samples; i++)
    sum += (double) samples[i] * samples[i];
  if (sum <= 0)
    return -127.0;
  /* A full-scale square wave has a mean square of 32768^2: 0 dBov. */
  double dbov = 10.0 * log10 (sum / (double) n_samples / (32768.0 * 32768.0));
  return CLAMP (dbov, -127.0, 0.0);
}

guint8
relay_audio_level_from_dbov (double dbov)
{
  return (guint8) CLAMP (lround (-dbov), 0, RELAY_LEVEL_SILENT);
}

void
relay_level_hold_init (RelayLevelHold *hold)
{
  hold->level = RELAY_LEVEL_SILENT;
  hold->voice = FALSE;
  /* Old enough that the first level replaces it whatever the clock. */
  hold->since_us = G_MININT64 / 2;
}

void
relay_level_hold_update (RelayLevelHold *hold, guint8 level, gboolean voice, gint64 now_us)
{
  if (level <= hold->level || now_us - hold->since_us >= RELAY_LEVEL_HOLD_US)
    {
      hold->level = MIN (level, RELAY_LEVEL_SILENT);
      hold->voice = voice;
      hold->since_us = now_us;
    }
  else
    hold->voice |= voice;
}
