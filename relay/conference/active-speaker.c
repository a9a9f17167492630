#include "relay/conference/active-speaker.h"

#include <string.h>

struct _RelayActiveSpeaker {
  char *speaker;
  gint level_dbov;
  RelayLevelSource source;
  gint64 heard_us; /* the last look at which the speaker spoke */

  char *candidate; /* the loudest challenger, being confirmed */
  gint64 candidate_since_us;
};

const char *
relay_level_source_name (RelayLevelSource source)
{
  return source == RELAY_LEVEL_FROM_DECODED ? "decoded" : "rtp";
}

RelayActiveSpeaker *
relay_active_speaker_new (void)
{
  return g_new0 (RelayActiveSpeaker, 1);
}

void
relay_active_speaker_free (RelayActiveSpeaker *self)
{
  if (!self)
    return;
  g_free (self->speaker);
  g_free (self->candidate);
  g_free (self);
}

const char *
relay_active_speaker_get (RelayActiveSpeaker *self, gint *level_dbov, RelayLevelSource *source)
{
  if (level_dbov)
    *level_dbov = self->speaker ? self->level_dbov : -127;
  if (source)
    *source = self->source;
  return self->speaker;
}

gboolean
relay_active_speaker_look (RelayActiveSpeaker *self, const RelaySpeakerLevel *levels,
                           guint n_levels, gint64 now_us)
{
  const RelaySpeakerLevel *current = NULL, *loudest = NULL;
  for (guint i = 0; i < n_levels; i++)
    {
      const RelaySpeakerLevel *l = &levels[i];
      if (!l->id || l->level_dbov < RELAY_SPEAKING_DBOV)
        continue;
      if (self->speaker && strcmp (l->id, self->speaker) == 0)
        current = l;
      else if (!loudest || l->level_dbov > loudest->level_dbov)
        loudest = l;
    }
  if (current)
    self->heard_us = now_us;
  /* Whoever is speaking keeps the highlight against anyone merely about
   * as loud. */
  if (loudest && current && loudest->level_dbov < current->level_dbov + RELAY_SPEAKER_TAKEOVER_DB)
    loudest = NULL;

  gboolean changed = FALSE;
  if (self->speaker && !current && now_us - self->heard_us >= RELAY_SPEAKER_RELEASE_US)
    {
      g_clear_pointer (&self->speaker, g_free);
      changed = TRUE;
    }
  if (!loudest)
    {
      g_clear_pointer (&self->candidate, g_free);
      return changed;
    }
  if (g_strcmp0 (loudest->id, self->candidate) != 0)
    {
      g_free (self->candidate);
      self->candidate = g_strdup (loudest->id);
      self->candidate_since_us = now_us;
    }
  if (now_us - self->candidate_since_us < RELAY_SPEAKER_CONFIRM_US)
    return changed;
  g_free (self->speaker);
  self->speaker = g_steal_pointer (&self->candidate);
  self->level_dbov = loudest->level_dbov;
  self->source = loudest->source;
  self->heard_us = now_us;
  return TRUE;
}
