/* Who the active speaker is, from the participants' audio levels looked at
 * a few times a second: the loudest participant speaking (at or above
 * RELAY_SPEAKING_DBOV), with hysteresis so that the choice does not
 * flicker between two people talking over each other, nor go away between
 * two sentences:
 *
 *   - a new speaker must be the loudest at every look for
 *     RELAY_SPEAKER_CONFIRM_US;
 *   - while the current speaker still speaks, another counts as the
 *     loudest only when louder than it by RELAY_SPEAKER_TAKEOVER_DB;
 *   - the current speaker is released (nobody) once it has not spoken for
 *     RELAY_SPEAKER_RELEASE_US, unless someone is taking over.
 *
 * Plain data and rules without a clock: the caller gives each look's time
 * (the output router, on the main context, five times a second; the unit
 * test, times of its own). Used by one thread; the levels passed in are
 * borrowed for the call, the speaker's id is a copy it owns. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAY_SPEAKING_DBOV (-50)
#define RELAY_SPEAKER_CONFIRM_US (400 * 1000)
#define RELAY_SPEAKER_TAKEOVER_DB 6
#define RELAY_SPEAKER_RELEASE_US (2 * G_USEC_PER_SEC)

/* Where a participant's level comes from. */
typedef enum {
  RELAY_LEVEL_FROM_RTP,     /* the RFC 6464 header extension, as sent */
  RELAY_LEVEL_FROM_DECODED, /* measured on its decoded audio (members of the mix) */
} RelayLevelSource;

/* "rtp" or "decoded": the active-speaker event's level_source. */
const char *relay_level_source_name (RelayLevelSource source);

typedef struct {
  const char *id;
  gint level_dbov; /* 0 loudest .. -127 */
  RelayLevelSource source;
} RelaySpeakerLevel;

typedef struct _RelayActiveSpeaker RelayActiveSpeaker;

RelayActiveSpeaker *relay_active_speaker_new (void);
void relay_active_speaker_free (RelayActiveSpeaker *speaker);

/* One look at `now_us` (monotonic, never going back): the participants
 * with a fresh level, in a stable order (ties go to the first). One left
 * out is not heard at this look. TRUE when the speaker changed. */
gboolean relay_active_speaker_look (RelayActiveSpeaker *speaker, const RelaySpeakerLevel *levels,
                                    guint n_levels, gint64 now_us);

/* The speaker (NULL: nobody), with the level and source of the look that
 * made it the speaker. */
const char *relay_active_speaker_get (RelayActiveSpeaker *speaker, gint *level_dbov,
                                      RelayLevelSource *source);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayActiveSpeaker, relay_active_speaker_free)

G_END_DECLS
