#include "relay/router/publish-claim.h"

#include <string.h>

RelayPublishDecision
relay_publish_decide (const RelayPublishCurrent *current, const RelayPublishRequest *request)
{
  if (!current->has_session)
    return RELAY_PUBLISH_NEW;
  /* Only the device that created the session was given its id (the
   * Location of its 201): naming it is that device coming back, whatever
   * state the relay still believes its old session to be in. */
  if (request->replaces && current->session_id
      && strcmp (request->replaces, current->session_id) == 0)
    return RELAY_PUBLISH_RECONNECT;
  /* Nobody is being heard through a stale session: a device whose own
   * session went stale (and which may have lost its id, say after a
   * reload) must get back in without anyone's help. */
  if (!current->live_or_connecting || current->transport_disconnected)
    return RELAY_PUBLISH_REPLACE_STALE;
  if (request->takeover)
    return RELAY_PUBLISH_TAKE_OVER;
  /* A displaced device hears why, rather than "live elsewhere": it was
   * live itself until another took over. */
  if (request->replaces_taken_over)
    return RELAY_PUBLISH_REFUSE_TAKEN_OVER;
  return RELAY_PUBLISH_REFUSE_ELSEWHERE;
}

gboolean
relay_publish_decision_refuses (RelayPublishDecision decision)
{
  return decision == RELAY_PUBLISH_REFUSE_ELSEWHERE || decision == RELAY_PUBLISH_REFUSE_TAKEN_OVER;
}

const char *
relay_publish_decision_name (RelayPublishDecision decision)
{
  switch (decision)
    {
    case RELAY_PUBLISH_NEW:
      return "new";
    case RELAY_PUBLISH_RECONNECT:
      return "reconnect";
    case RELAY_PUBLISH_REPLACE_STALE:
      return "replace-stale";
    case RELAY_PUBLISH_TAKE_OVER:
      return "take-over";
    case RELAY_PUBLISH_REFUSE_ELSEWHERE:
      return "refuse-elsewhere";
    case RELAY_PUBLISH_REFUSE_TAKEN_OVER:
      return "refuse-taken-over";
    }
  return "unknown";
}

gboolean
relay_publish_parse_takeover (const char *header, gboolean *valid)
{
  *valid = TRUE;
  if (!header)
    return FALSE;
  g_autofree char *value = g_strstrip (g_strdup (header));
  if (g_ascii_strcasecmp (value, "true") == 0 || strcmp (value, "1") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (value, "false") == 0 || strcmp (value, "0") == 0)
    return FALSE;
  *valid = FALSE;
  return FALSE;
}

gboolean
relay_publish_valid_session_id (const char *text)
{
  if (!text)
    return FALSE;
  gsize n = strlen (text);
  if (n == 0 || n > 64)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (text[i]) && !(text[i] >= 'a' && text[i] <= 'f'))
      return FALSE;
  return TRUE;
}
