#include "relay/briefing/briefing-config.h"

#include "relay/config/config-group.h"

#define DEFAULT_TITLE "การประชุมติดตามสถานการณ์แรงงาน ศปก.รง."
/* An operator's title, not a document: a line on the review page. */
#define MAX_TITLE_CHARS 200

static const char *const briefing_keys[] = { "title", "roll-call-deadline-s", "turn-limit-s",
  NULL };
static const char *const recording_keys[] = { "enabled", "mosaic", "office-turns", "segment-s",
  "keep-days", "max-total-mb", NULL };

void
relay_briefing_config_init (RelayBriefingConfig *b, RelayRecordingConfig *r)
{
  b->title = g_strdup (DEFAULT_TITLE);
  b->roll_call_deadline_s = 300;
  b->turn_limit_s = 0;
  r->enabled = TRUE;
  r->mosaic = FALSE;
  r->office_turns = TRUE;
  r->segment_s = 900;
  r->keep_days = 90;
  r->max_total_mb = 0;
}

void
relay_briefing_config_clear (RelayBriefingConfig *b)
{
  g_clear_pointer (&b->title, g_free);
}

gboolean
relay_briefing_config_read (RelayBriefingConfig *b, GKeyFile *kf, const char *source,
                            GError **error)
{
  RelayConfigGroup g = { kf, source, "briefing", error };
  if (!relay_config_group_check_keys (&g, briefing_keys))
    return FALSE;
  g_autofree char *title = relay_config_group_get_string (&g, "title");
  if (title)
    {
      if (!g_utf8_validate (title, -1, NULL) || g_utf8_strlen (title, -1) > MAX_TITLE_CHARS)
        return relay_config_group_fail (&g, "title", "at most %d characters of UTF-8",
                                        MAX_TITLE_CHARS);
      g_free (b->title);
      b->title = g_steal_pointer (&title);
    }
  return relay_config_group_get_uint (&g, "roll-call-deadline-s", 0, 24 * 3600,
                                      &b->roll_call_deadline_s)
         && relay_config_group_get_uint (&g, "turn-limit-s", 0, 24 * 3600, &b->turn_limit_s);
}

gboolean
relay_recording_config_read (RelayRecordingConfig *r, GKeyFile *kf, const char *source,
                             GError **error)
{
  RelayConfigGroup g = { kf, source, "recording", error };
  guint max_mb = (guint) r->max_total_mb;
  if (!relay_config_group_check_keys (&g, recording_keys)
      || !relay_config_group_get_boolean (&g, "enabled", &r->enabled)
      || !relay_config_group_get_boolean (&g, "mosaic", &r->mosaic)
      || !relay_config_group_get_boolean (&g, "office-turns", &r->office_turns)
      || !relay_config_group_get_uint (&g, "segment-s", 10, 24 * 3600, &r->segment_s)
      || !relay_config_group_get_uint (&g, "keep-days", 0, 36500, &r->keep_days)
      || !relay_config_group_get_uint (&g, "max-total-mb", 0, G_MAXINT, &max_mb))
    return FALSE;
  r->max_total_mb = max_mb;
  return TRUE;
}
