#include "relay/briefing/briefing.h"

#include <string.h>

static const char *const state_names[] = { "planned", "live", "ended", "interrupted" };
static const char *const attendance_names[] = { "absent", "present", "late" };
static const char *const agenda_names[] = { "pending", "current", "done", "skipped" };

const char *
relay_briefing_state_name (RelayBriefingState state)
{
  return state < G_N_ELEMENTS (state_names) ? state_names[state] : "unknown";
}

gboolean
relay_briefing_state_from_name (const char *name, RelayBriefingState *state)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (state_names); i++)
    if (strcmp (name, state_names[i]) == 0)
      {
        *state = (RelayBriefingState) i;
        return TRUE;
      }
  return FALSE;
}

const char *
relay_attendance_status_name (RelayAttendanceStatus status)
{
  return status < G_N_ELEMENTS (attendance_names) ? attendance_names[status] : "unknown";
}

const char *
relay_agenda_status_name (RelayAgendaStatus status)
{
  return status < G_N_ELEMENTS (agenda_names) ? agenda_names[status] : "unknown";
}

gboolean
relay_agenda_status_from_name (const char *name, RelayAgendaStatus *status)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (agenda_names); i++)
    if (strcmp (name, agenda_names[i]) == 0)
      {
        *status = (RelayAgendaStatus) i;
        return TRUE;
      }
  return FALSE;
}

static void
presence_free (RelayPresence *p)
{
  g_free (p->left_state);
  g_free (p);
}

void
relay_agenda_item_free (RelayAgendaItem *item)
{
  if (!item)
    return;
  g_free (item->office);
  g_free (item->title);
  g_free (item);
}

RelayAgendaItem *
relay_agenda_item_new_office (const char *office, guint time_limit_s)
{
  RelayAgendaItem *item = g_new0 (RelayAgendaItem, 1);
  item->office = g_strdup (office);
  item->time_limit_s = time_limit_s;
  return item;
}

RelayAgendaItem *
relay_agenda_item_new_free (const char *title, guint time_limit_s)
{
  RelayAgendaItem *item = g_new0 (RelayAgendaItem, 1);
  item->title = g_strdup (title);
  item->time_limit_s = time_limit_s;
  return item;
}

void
relay_turn_free (RelayTurn *turn)
{
  if (!turn)
    return;
  g_free (turn->office);
  g_free (turn->end_reason);
  g_free (turn);
}

RelayBriefing *
relay_briefing_new (gint64 id, const char *title, const char *date)
{
  RelayBriefing *b = g_new0 (RelayBriefing, 1);
  b->id = id;
  b->title = g_strdup (title);
  b->date = g_strdup (date);
  b->presence = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
  b->agenda = g_ptr_array_new_with_free_func ((GDestroyNotify) relay_agenda_item_free);
  b->turns = g_ptr_array_new_with_free_func ((GDestroyNotify) relay_turn_free);
  return b;
}

void
relay_briefing_free (RelayBriefing *b)
{
  if (!b)
    return;
  g_free (b->title);
  g_free (b->date);
  g_hash_table_unref (b->presence);
  g_ptr_array_unref (b->agenda);
  g_ptr_array_unref (b->turns);
  g_free (b);
}

static GPtrArray *
intervals_of (RelayBriefing *b, const char *office, gboolean create)
{
  GPtrArray *list = g_hash_table_lookup (b->presence, office);
  if (!list && create)
    {
      list = g_ptr_array_new_with_free_func ((GDestroyNotify) presence_free);
      g_hash_table_insert (b->presence, g_strdup (office), list);
    }
  return list;
}

static RelayPresence *
open_interval (RelayBriefing *b, const char *office)
{
  GPtrArray *list = intervals_of (b, office, FALSE);
  if (!list || list->len == 0)
    return NULL;
  RelayPresence *last = list->pdata[list->len - 1];
  return last->left_ms == 0 ? last : NULL;
}

void
relay_briefing_add_presence (RelayBriefing *b, const char *office, gint64 joined_ms,
                             gint64 left_ms, const char *left_state)
{
  RelayPresence *p = g_new0 (RelayPresence, 1);
  p->joined_ms = joined_ms;
  p->left_ms = left_ms;
  p->left_state = g_strdup (left_state);
  g_ptr_array_add (intervals_of (b, office, TRUE), p);
}

gboolean
relay_briefing_office_joined (RelayBriefing *b, const char *office, gint64 now_ms)
{
  if (open_interval (b, office))
    return FALSE;
  relay_briefing_add_presence (b, office, now_ms, 0, NULL);
  return TRUE;
}

gboolean
relay_briefing_office_left (RelayBriefing *b, const char *office, gint64 now_ms,
                            const char *state)
{
  RelayPresence *p = open_interval (b, office);
  if (!p)
    return FALSE;
  /* A clock step backwards must not make a negative interval. */
  p->left_ms = MAX (now_ms, p->joined_ms);
  p->left_state = g_strdup (state);
  return TRUE;
}

gboolean
relay_briefing_office_is_here (RelayBriefing *b, const char *office)
{
  return open_interval (b, office) != NULL;
}

void
relay_briefing_close_presence (RelayBriefing *b, gint64 now_ms, const char *state)
{
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, b->presence);
  while (g_hash_table_iter_next (&it, &key, NULL))
    relay_briefing_office_left (b, key, now_ms, state);
}

void
relay_briefing_attendance (RelayBriefing *b, const char *office, gint64 now_ms,
                           RelayAttendance *out)
{
  memset (out, 0, sizeof *out);
  out->office = office;
  GPtrArray *list = intervals_of (b, office, FALSE);
  /* An ended briefing counts up to its end, not to the reader's now. */
  gint64 until = b->ended_ms ? b->ended_ms : now_ms;
  for (guint i = 0; list && i < list->len; i++)
    {
      RelayPresence *p = list->pdata[i];
      gint64 left = p->left_ms ? p->left_ms : until;
      /* Present before the start counts from the start. */
      gint64 from = b->started_ms ? MAX (p->joined_ms, b->started_ms) : p->joined_ms;
      if (left > from)
        out->present_ms += left - from;
      if (out->first_joined_ms == 0)
        out->first_joined_ms = p->joined_ms;
      out->here = p->left_ms == 0;
      out->intervals++;
    }
  if (out->intervals == 0)
    out->status = RELAY_ATTENDANCE_ABSENT;
  else if (b->started_ms
           && out->first_joined_ms > b->started_ms + (gint64) b->roll_call_deadline_s * 1000)
    out->status = RELAY_ATTENDANCE_LATE;
  else
    out->status = RELAY_ATTENDANCE_PRESENT;
}

gint
relay_briefing_current_item (RelayBriefing *b)
{
  for (guint i = 0; i < b->agenda->len; i++)
    if (((RelayAgendaItem *) b->agenda->pdata[i])->status == RELAY_AGENDA_CURRENT)
      return (gint) i;
  return -1;
}

gint
relay_briefing_agenda_advance (RelayBriefing *b)
{
  gint current = relay_briefing_current_item (b);
  if (current >= 0)
    ((RelayAgendaItem *) b->agenda->pdata[current])->status = RELAY_AGENDA_DONE;
  for (guint i = 0; i < b->agenda->len; i++)
    {
      RelayAgendaItem *item = b->agenda->pdata[i];
      if (item->status != RELAY_AGENDA_PENDING)
        continue;
      if (item->office && !relay_briefing_office_is_here (b, item->office))
        {
          item->status = RELAY_AGENDA_SKIPPED;
          continue;
        }
      item->status = RELAY_AGENDA_CURRENT;
      return (gint) i;
    }
  return -1;
}

gint
relay_briefing_agenda_place (RelayBriefing *b, const char *office)
{
  gint ahead = 0;
  for (guint i = 0; i < b->agenda->len; i++)
    {
      RelayAgendaItem *item = b->agenda->pdata[i];
      if (item->status != RELAY_AGENDA_PENDING)
        continue;
      if (g_strcmp0 (item->office, office) == 0)
        return ahead;
      if (!item->office || relay_briefing_office_is_here (b, item->office))
        ahead++;
    }
  return -1;
}

guint
relay_briefing_item_limit (RelayBriefing *b, gint position)
{
  if (position >= 0 && (guint) position < b->agenda->len)
    {
      RelayAgendaItem *item = b->agenda->pdata[position];
      if (item->time_limit_s)
        return item->time_limit_s;
    }
  return b->turn_limit_s;
}

RelayTurn *
relay_briefing_open_turn (RelayBriefing *b)
{
  if (b->turns->len == 0)
    return NULL;
  RelayTurn *last = b->turns->pdata[b->turns->len - 1];
  return last->ended_ms == 0 ? last : NULL;
}
