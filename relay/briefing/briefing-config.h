/* The [briefing] and [recording] groups of the configuration: the roll-call
 * deadline and turn limit of a new briefing, and what is recorded while a
 * briefing is live, in segments of what length, kept for how long.
 * config/relay.ini documents the keys. Parsed once at start (main thread). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *title;                 /* default title of a new briefing */
  guint roll_call_deadline_s;  /* joined later than this after the start: late */
  guint turn_limit_s;          /* default per-turn limit, 0: none */
} RelayBriefingConfig;

typedef struct {
  gboolean enabled;            /* record the program + full mix while live */
  gboolean mosaic;             /* also the mosaic, as a second file */
  gboolean office_turns;       /* each speaking office's own streams during its turns */
  guint segment_s;             /* a new file after this long (at a key frame) */
  guint keep_days;             /* 0: keep forever */
  guint64 max_total_mb;        /* 0: no limit; the oldest briefings go first */
} RelayRecordingConfig;

void relay_briefing_config_init (RelayBriefingConfig *briefing, RelayRecordingConfig *recording);
void relay_briefing_config_clear (RelayBriefingConfig *briefing);

/* Reads [briefing] / [recording] from `kf`; errors read
 * "<source>: [<group>] <key>: <what>". */
gboolean relay_briefing_config_read (RelayBriefingConfig *briefing, GKeyFile *kf,
                                     const char *source, GError **error);
gboolean relay_recording_config_read (RelayRecordingConfig *recording, GKeyFile *kf,
                                      const char *source, GError **error);

G_END_DECLS
