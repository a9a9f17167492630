/* Audio levels as RFC 6464 writes them: 0 (loudest) to 127 (silent), in
 * -dBov, measured on samples or read from a header extension; and the held
 * level the active speaker and voice activity read: the loudest of the
 * last 300 ms, so that the dip between two syllables is not silence.
 *
 * Pure functions and a plain struct, no clock and no lock: each user keeps
 * its own RelayLevelHold on the one thread that updates it (a transport
 * worker for the levels in RTP, a decoder's streaming thread for decoded
 * audio) and publishes what it needs from there. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAY_LEVEL_SILENT 127
/* A held level stands this long unless a louder one comes. */
#define RELAY_LEVEL_HOLD_US (300 * 1000)

/* The level of interleaved signed 16-bit samples in dBov, -127.0 .. 0.0:
 * their RMS against the RMS of a full-scale square wave (ITU-T G.100.1, as
 * RFC 6464 asks), so a full-scale sine is -3 dBov. -127 for silence or no
 * samples. */
double relay_audio_level_dbov_s16 (const gint16 *samples, gsize n_samples);

/* That level as RFC 6464's 7-bit value (-dBov rounded, 0 .. 127). */
guint8 relay_audio_level_from_dbov (double dbov);

typedef struct {
  guint8 level;    /* -dBov, 0 loudest .. 127 */
  gboolean voice;  /* a V flag in any level held since `since_us` */
  gint64 since_us; /* when `level` was taken */
} RelayLevelHold;

/* Silent, and ready to take the first level. */
void relay_level_hold_init (RelayLevelHold *hold);

/* A new level at `now_us`: it replaces the held one when it is at least as
 * loud, or when the held one has stood for RELAY_LEVEL_HOLD_US; otherwise
 * the held level stays and only the voice flag accumulates. */
void relay_level_hold_update (RelayLevelHold *hold, guint8 level, gboolean voice, gint64 now_us);

G_END_DECLS
