#include "relay/briefing/briefing-json.h"

#include <string.h>

#include "relay/conference/conference.h"
#include "relay/config/roster.h"
#include "relay/json-members.h"

char *
relay_briefing_format_time (gint64 unix_ms)
{
  if (!unix_ms)
    return NULL;
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (unix_ms / 1000);
  if (!t)
    return NULL;
  g_autofree char *base = g_date_time_format (t, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", base, (int) (unix_ms % 1000));
}

const char *
relay_briefing_office_name (RelayConfig *config, const char *office, gboolean thai)
{
  if (g_strcmp0 (office, RELAY_CENTRAL_ROOM) == 0)
    return thai ? "ศูนย์ปฏิบัติการ" : "Operations centre";
  RelayOfficeConfig *p = relay_config_find_province (config, office);
  return p ? (thai ? p->name_th : p->name_en) : NULL;
}

static void
add_time (JsonBuilder *b, const char *name, gint64 unix_ms)
{
  json_builder_set_member_name (b, name);
  g_autofree char *text = relay_briefing_format_time (unix_ms);
  if (text)
    json_builder_add_string_value (b, text);
  else
    json_builder_add_null_value (b);
}


static void
add_office (JsonBuilder *b, RelayConfig *config, const char *office)
{
  relay_json_member_add_string (b, "office", office);
  relay_json_member_add_string (b, "name_th", relay_briefing_office_name (config, office, TRUE));
  relay_json_member_add_string (b, "name_en", relay_briefing_office_name (config, office, FALSE));
}

void
relay_briefing_count_attendance (RelayBriefing *briefing, RelayConfig *config, gint64 now_ms,
                                 RelayAttendanceCounts *counts)
{
  memset (counts, 0, sizeof *counts);
  for (guint i = 0; i < config->provinces->len; i++)
    {
      RelayOfficeConfig *p = config->provinces->pdata[i];
      RelayAttendance a;
      relay_briefing_attendance (briefing, p->code, now_ms, &a);
      counts->expected++;
      if (a.status == RELAY_ATTENDANCE_PRESENT)
        counts->present++;
      else if (a.status == RELAY_ATTENDANCE_LATE)
        counts->late++;
      else
        counts->absent++;
      if (a.here)
        counts->here++;
    }
}

void
relay_briefing_add_counts (JsonBuilder *b, const RelayAttendanceCounts *c)
{
  json_builder_set_member_name (b, "counts");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "expected");
  json_builder_add_int_value (b, c->expected);
  json_builder_set_member_name (b, "present");
  json_builder_add_int_value (b, c->present);
  json_builder_set_member_name (b, "late");
  json_builder_add_int_value (b, c->late);
  json_builder_set_member_name (b, "absent");
  json_builder_add_int_value (b, c->absent);
  json_builder_set_member_name (b, "here");
  json_builder_add_int_value (b, c->here);
  json_builder_end_object (b);
}

static void
add_attendance (JsonBuilder *b, RelayBriefing *briefing, RelayConfig *config, const char *office,
                gint64 now_ms)
{
  RelayAttendance a;
  relay_briefing_attendance (briefing, office, now_ms, &a);
  json_builder_begin_object (b);
  add_office (b, config, office);
  RelayOfficeConfig *p = relay_config_find_province (config, office);
  relay_json_member_add_string (b, "region", p ? p->region : NULL);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, relay_attendance_status_name (a.status));
  json_builder_set_member_name (b, "here");
  json_builder_add_boolean_value (b, a.here);
  add_time (b, "first_joined_at", a.first_joined_ms);
  json_builder_set_member_name (b, "present_s");
  json_builder_add_int_value (b, a.present_ms / 1000);
  json_builder_set_member_name (b, "intervals");
  json_builder_begin_array (b);
  GPtrArray *list = g_hash_table_lookup (briefing->presence, office);
  for (guint i = 0; list && i < list->len; i++)
    {
      RelayPresence *p = list->pdata[i];
      json_builder_begin_object (b);
      add_time (b, "joined_at", p->joined_ms);
      add_time (b, "left_at", p->left_ms);
      relay_json_member_add_string (b, "left_state", p->left_state);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

void
relay_briefing_add_turn_members (JsonBuilder *b, RelayBriefing *briefing, const RelayTurn *t,
                                 RelayConfig *config, gint64 now_ms)
{
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, t->id);
  add_office (b, config, t->office);
  json_builder_set_member_name (b, "agenda_position");
  if (t->agenda_position >= 0)
    json_builder_add_int_value (b, t->agenda_position);
  else
    json_builder_add_null_value (b);
  add_time (b, "started_at", t->started_ms);
  add_time (b, "ended_at", t->ended_ms);
  gint64 end = t->ended_ms ? t->ended_ms : (briefing->ended_ms ? briefing->ended_ms : now_ms);
  json_builder_set_member_name (b, "duration_ms");
  json_builder_add_int_value (b, MAX (0, end - t->started_ms));
  /* From the briefing's start: where the turn is in its recording. */
  json_builder_set_member_name (b, "offset_ms");
  json_builder_add_int_value (b, briefing->started_ms ? MAX (0, t->started_ms - briefing->started_ms)
                                                      : 0);
  relay_json_member_add_string (b, "end_reason", t->end_reason);
  json_builder_set_member_name (b, "time_limit_s");
  if (t->time_limit_s)
    json_builder_add_int_value (b, t->time_limit_s);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "overtime");
  json_builder_add_boolean_value (b, t->time_limit_s
                                         && end - t->started_ms > (gint64) t->time_limit_s * 1000);
}

void
relay_briefing_add_agenda (JsonBuilder *b, RelayBriefing *briefing, RelayConfig *config)
{
  json_builder_set_member_name (b, "agenda");
  json_builder_begin_array (b);
  for (guint i = 0; i < briefing->agenda->len; i++)
    {
      RelayAgendaItem *item = briefing->agenda->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "position");
      json_builder_add_int_value (b, i);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, item->office ? "office" : "item");
      if (item->office)
        {
          add_office (b, config, item->office);
          json_builder_set_member_name (b, "here");
          json_builder_add_boolean_value (b, relay_briefing_office_is_here (briefing, item->office));
        }
      else
        relay_json_member_add_string (b, "title", item->title);
      json_builder_set_member_name (b, "time_limit_s");
      guint limit = relay_briefing_item_limit (briefing, (gint) i);
      if (limit)
        json_builder_add_int_value (b, limit);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, relay_agenda_status_name (item->status));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
add_header (JsonBuilder *b, RelayBriefing *briefing, RelayConfig *config, gint64 now_ms)
{
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, briefing->id);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, briefing->title);
  json_builder_set_member_name (b, "date");
  json_builder_add_string_value (b, briefing->date);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, relay_briefing_state_name (briefing->state));
  add_time (b, "created_at", briefing->created_ms);
  add_time (b, "started_at", briefing->started_ms);
  add_time (b, "ended_at", briefing->ended_ms);
  json_builder_set_member_name (b, "duration_s");
  if (briefing->started_ms)
    json_builder_add_int_value (
        b, ((briefing->ended_ms ? briefing->ended_ms : now_ms) - briefing->started_ms) / 1000);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "roll_call_deadline_s");
  json_builder_add_int_value (b, briefing->roll_call_deadline_s);
  json_builder_set_member_name (b, "turn_limit_s");
  if (briefing->turn_limit_s)
    json_builder_add_int_value (b, briefing->turn_limit_s);
  else
    json_builder_add_null_value (b);
  RelayAttendanceCounts counts;
  relay_briefing_count_attendance (briefing, config, now_ms, &counts);
  relay_briefing_add_counts (b, &counts);
}

JsonNode *
relay_briefing_summarize (RelayBriefing *briefing, RelayConfig *config, gint64 now_ms)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  add_header (b, briefing, config, now_ms);
  json_builder_set_member_name (b, "turns");
  json_builder_add_int_value (b, briefing->turns->len);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
relay_briefing_describe (RelayBriefing *briefing, RelayConfig *config, gint64 now_ms,
                         const char *only_office)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  add_header (b, briefing, config, now_ms);

  json_builder_set_member_name (b, "attendance");
  json_builder_begin_array (b);
  g_autoptr (GPtrArray) order
      = relay_roster_dup_office_order (config->provinces, config->mosaic_order_by_region);
  for (guint i = 0; i < order->len; i++)
    {
      RelayOfficeConfig *p = order->pdata[i];
      if (!only_office || strcmp (only_office, p->code) == 0)
        add_attendance (b, briefing, config, p->code, now_ms);
    }
  json_builder_end_array (b);

  relay_briefing_add_agenda (b, briefing, config);
  json_builder_set_member_name (b, "current_position");
  gint current = relay_briefing_current_item (briefing);
  if (current >= 0)
    json_builder_add_int_value (b, current);
  else
    json_builder_add_null_value (b);

  json_builder_set_member_name (b, "turns");
  json_builder_begin_array (b);
  for (guint i = 0; i < briefing->turns->len; i++)
    {
      RelayTurn *t = briefing->turns->pdata[i];
      if (only_office && strcmp (only_office, t->office) != 0)
        continue;
      json_builder_begin_object (b);
      relay_briefing_add_turn_members (b, briefing, t, config, now_ms);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "current_turn");
  RelayTurn *open = relay_briefing_open_turn (briefing);
  if (open && briefing->state == RELAY_BRIEFING_LIVE)
    {
      json_builder_begin_object (b);
      relay_briefing_add_turn_members (b, briefing, open, config, now_ms);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
