#include "relay/briefing/briefing-service.h"

#include <string.h>

#include "relay/briefing/briefing-json.h"
#include "relay/briefing/briefing-store.h"
#include "relay/config/roster.h"
#include "webrtc/base/log.h"

G_DEFINE_QUARK (relay-briefing-error-quark, relay_briefing_error)

/* How often the live briefing's clock is looked at (turn limits) ... */
#define TICK_MS 1000
/* ... and how often its sign of life is written: an interruption's end is
 * known to within this. */
#define ALIVE_EVERY_TICKS 2

struct _RelayBriefingService {
  RelayConfig *config;
  RelayOfficeRegistry *registry;
  RelayConference *conference;
  RelayEventBus *events;
  guint bus_id;
  sqlite3 *db;
  GTimeZone *bangkok;

  RelayBriefingObserver observer;
  gpointer observer_data;

  RelayBriefing *live;   /* NULL when none */
  guint tick_source;
  guint ticks;
  gint64 overtime_turn;  /* the turn whose overtime was announced */
  gboolean next_pending; /* the chair pressed next: the floor change that follows is its */
};

gint64
relay_briefing_now_ms (void)
{
  return g_get_real_time () / 1000;
}

static gboolean
storage_failed (GError **error, GError *cause)
{
  g_set_error (error, RELAY_BRIEFING_ERROR, RELAY_BRIEFING_ERROR_STORAGE, "storage: %s",
               cause ? cause->message : "unknown");
  return FALSE;
}

/* A write of the live record failed: the briefing goes on in memory (the
 * meeting does not stop for a disk), and the log says what was lost. */
static void
warn_storage (const char *what, GError *error)
{
  relay_warn (NULL, "briefing: %s not stored: %s", what, error ? error->message : "?");
}

/* ---- events ---------------------------------------------------------------- */

static void
publish (RelayBriefingService *self, const char *type, JsonBuilder *b)
{
  relay_event_bus_publish (self->events, type, json_builder_get_root (b));
}

static JsonBuilder *
begin_event (RelayBriefing *briefing)
{
  JsonBuilder *b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "briefing");
  json_builder_add_int_value (b, briefing->id);
  return b;
}

static void
publish_briefing (RelayBriefingService *self, const char *type, RelayBriefing *briefing)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "briefing");
  json_builder_add_value (b, relay_briefing_summarize (briefing, self->config,
                                                       relay_briefing_now_ms ()));
  json_builder_end_object (b);
  publish (self, type, b);
}

static void
publish_attendance (RelayBriefingService *self, const char *office)
{
  RelayBriefing *briefing = self->live;
  gint64 now = relay_briefing_now_ms ();
  RelayAttendance a;
  relay_briefing_attendance (briefing, office, now, &a);
  RelayAttendanceCounts counts;
  relay_briefing_count_attendance (briefing, self->config, now, &counts);
  g_autoptr (JsonBuilder) b = begin_event (briefing);
  json_builder_set_member_name (b, "office");
  json_builder_add_string_value (b, office);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, relay_attendance_status_name (a.status));
  json_builder_set_member_name (b, "here");
  json_builder_add_boolean_value (b, a.here);
  relay_briefing_add_counts (b, &counts);
  json_builder_end_object (b);
  publish (self, "attendance", b);
}

static void
publish_agenda (RelayBriefingService *self, RelayBriefing *briefing)
{
  g_autoptr (JsonBuilder) b = begin_event (briefing);
  relay_briefing_add_agenda (b, briefing, self->config);
  json_builder_set_member_name (b, "current_position");
  json_builder_add_int_value (b, relay_briefing_current_item (briefing));
  json_builder_end_object (b);
  publish (self, "agenda", b);
}

static void
publish_turn (RelayBriefingService *self, const char *type, const RelayTurn *turn)
{
  g_autoptr (JsonBuilder) b = begin_event (self->live);
  json_builder_set_member_name (b, "turn");
  json_builder_begin_object (b);
  relay_briefing_add_turn_members (b, self->live, turn, self->config, relay_briefing_now_ms ());
  json_builder_end_object (b);
  json_builder_end_object (b);
  publish (self, type, b);
}

/* ---- turns ----------------------------------------------------------------- */

static void
end_turn (RelayBriefingService *self, gint64 now, const char *reason)
{
  RelayTurn *turn = relay_briefing_open_turn (self->live);
  if (!turn)
    return;
  turn->ended_ms = MAX (now, turn->started_ms);
  turn->end_reason = g_strdup (reason);
  g_autoptr (GError) error = NULL;
  if (!relay_briefing_store_update_turn (self->db, turn, &error))
    warn_storage ("end of turn", error);
  relay_info (turn->office, "briefing %" G_GINT64_FORMAT ": turn ended (%s)", self->live->id,
              reason);
  publish_turn (self, "turn-ended", turn);
  if (self->observer.turn_ended)
    self->observer.turn_ended (self->live, turn, self->observer_data);
}

static void
start_turn (RelayBriefingService *self, const char *office, gint position, gint64 now)
{
  RelayTurn *turn = g_new0 (RelayTurn, 1);
  turn->office = g_strdup (office);
  turn->agenda_position = position;
  turn->started_ms = now;
  turn->time_limit_s = relay_briefing_item_limit (self->live, position);
  g_ptr_array_add (self->live->turns, turn);
  g_autoptr (GError) error = NULL;
  if (!relay_briefing_store_insert_turn (self->db, self->live->id, turn, &error))
    warn_storage ("turn", error);
  relay_info (office, "briefing %" G_GINT64_FORMAT ": turn started", self->live->id);
  publish_turn (self, "turn-started", turn);
  if (self->observer.turn_started)
    self->observer.turn_started (self->live, turn, self->observer_data);
}

static gint
pending_item_of (RelayBriefing *briefing, const char *office)
{
  for (guint i = 0; i < briefing->agenda->len; i++)
    {
      RelayAgendaItem *item = briefing->agenda->pdata[i];
      if (item->status == RELAY_AGENDA_PENDING && g_strcmp0 (item->office, office) == 0)
        return (gint) i;
    }
  return -1;
}

static void
save_agenda (RelayBriefingService *self, RelayBriefing *briefing)
{
  g_autoptr (GError) error = NULL;
  if (!relay_briefing_store_save_agenda (self->db, briefing, &error))
    warn_storage ("agenda", error);
  publish_agenda (self, briefing);
}

/* The floor moved to `office` (NULL: back to the central room). */
static void
on_floor (RelayBriefingService *self, const char *office)
{
  RelayBriefing *briefing = self->live;
  gint64 now = relay_briefing_now_ms ();
  RelayTurn *open = relay_briefing_open_turn (briefing);
  if (open && g_strcmp0 (open->office, office) == 0)
    return;
  const char *reason = self->next_pending ? "next"
                       : office           ? "floor-passed"
                                          : "floor-taken-back";
  self->next_pending = FALSE;
  end_turn (self, now, reason);

  /* The agenda follows what the chair does: the office now speaking is its
   * current item, whether it came by `next` or by a click on its tile. */
  gint current = relay_briefing_current_item (briefing);
  gboolean changed = FALSE;
  if (current >= 0)
    {
      RelayAgendaItem *item = briefing->agenda->pdata[current];
      if (item->office && g_strcmp0 (item->office, office) != 0)
        {
          item->status = RELAY_AGENDA_DONE;
          current = -1;
          changed = TRUE;
        }
    }
  if (current < 0 && office)
    {
      current = pending_item_of (briefing, office);
      if (current >= 0)
        {
          gint previous = relay_briefing_current_item (briefing);
          if (previous >= 0)
            ((RelayAgendaItem *) briefing->agenda->pdata[previous])->status = RELAY_AGENDA_DONE;
          ((RelayAgendaItem *) briefing->agenda->pdata[current])->status = RELAY_AGENDA_CURRENT;
          changed = TRUE;
        }
    }
  if (changed)
    save_agenda (self, briefing);
  if (office)
    start_turn (self, office, current, now);
}

/* ---- presence -------------------------------------------------------------- */

/* now: when it happened (the offices already live at the start arrive at
 * the start itself, not the moment after the start was stored: with a
 * roll-call deadline of 0 they would otherwise count as late). */
static void
on_office_state (RelayBriefingService *self, const char *office, const char *state, gint64 now)
{
  if (!relay_config_find_province (self->config, office))
    return; /* the central room is the chair's, not on the roll */
  RelayBriefing *briefing = self->live;
  g_autoptr (GError) error = NULL;
  if (strcmp (state, "live") == 0)
    {
      if (!relay_briefing_office_joined (briefing, office, now))
        return;
      if (!relay_briefing_store_joined (self->db, briefing->id, office, now, &error))
        warn_storage ("arrival", error);
    }
  else if (strcmp (state, "lost") == 0 || strcmp (state, "offline") == 0)
    {
      if (!relay_briefing_office_left (briefing, office, now, state))
        return;
      if (!relay_briefing_store_left (self->db, briefing->id, office, now, state, &error))
        warn_storage ("departure", error);
    }
  else
    return; /* connecting: a re-publish in progress is neither */
  publish_attendance (self, office);
}

static void
on_event (guint64 seq, const char *json, gpointer user_data)
{
  RelayBriefingService *self = user_data;
  if (!self->live)
    return;
  /* Cheap test first: most events are not ours. */
  gboolean state = strstr (json, "\"type\":\"province-state\"") != NULL;
  gboolean floor = !state && strstr (json, "\"type\":\"floor\"") != NULL;
  if (!state && !floor)
    return;
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, -1, NULL))
    return;
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  const char *type = json_object_get_string_member_with_default (o, "type", "");
  if (strcmp (type, state ? "province-state" : "floor") != 0)
    return;
  if (state)
    {
      const char *office = json_object_get_string_member_with_default (o, "province", NULL);
      const char *value = json_object_get_string_member_with_default (o, "state", NULL);
      if (office && value)
        on_office_state (self, office, value, relay_briefing_now_ms ());
    }
  else
    {
      JsonNode *n = json_object_get_member (o, "province");
      on_floor (self, n && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_string (n) : NULL);
    }
}

/* ---- the clock ------------------------------------------------------------- */

static gboolean
on_tick (gpointer data)
{
  RelayBriefingService *self = data;
  if (!self->live)
    {
      self->tick_source = 0;
      return G_SOURCE_REMOVE;
    }
  gint64 now = relay_briefing_now_ms ();
  if (++self->ticks % ALIVE_EVERY_TICKS == 0)
    {
      g_autoptr (GError) error = NULL;
      if (!relay_briefing_store_alive (self->db, self->live->id, now, &error))
        warn_storage ("sign of life", error);
    }
  RelayTurn *turn = relay_briefing_open_turn (self->live);
  if (turn && turn->time_limit_s && turn->id != self->overtime_turn
      && now - turn->started_ms > (gint64) turn->time_limit_s * 1000)
    {
      self->overtime_turn = turn->id;
      publish_turn (self, "turn-overtime", turn);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- lifecycle ------------------------------------------------------------- */

static char *
bangkok_date (RelayBriefingService *self, gint64 unix_ms)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_ms / 1000);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, self->bangkok);
  return g_date_time_format (local, "%Y-%m-%d");
}

static GPtrArray *
default_agenda (RelayConfig *config)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) relay_agenda_item_free);
  g_autoptr (GPtrArray) order
      = relay_roster_dup_office_order (config->provinces, config->mosaic_order_by_region);
  for (guint i = 0; i < order->len; i++)
    g_ptr_array_add (items,
                     relay_agenda_item_new_office (((RelayOfficeConfig *) order->pdata[i])->code, 0));
  return items;
}

static void
take_items (GPtrArray *to, GPtrArray *from)
{
  for (guint i = 0; i < from->len; i++)
    g_ptr_array_add (to, g_steal_pointer (&from->pdata[i]));
  g_ptr_array_set_free_func (from, NULL);
  g_ptr_array_set_size (from, 0);
}

static gboolean
begin_live (RelayBriefingService *self, RelayBriefing *briefing, GError **error)
{
  gint64 now = relay_briefing_now_ms ();
  briefing->state = RELAY_BRIEFING_LIVE;
  briefing->started_ms = now;
  g_free (briefing->date);
  briefing->date = bangkok_date (self, now);
  g_autoptr (GError) cause = NULL;
  if (!relay_briefing_store_update (self->db, briefing, &cause))
    {
      if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_UNIQUE)
        {
          g_set_error (error, RELAY_BRIEFING_ERROR, RELAY_BRIEFING_ERROR_CONFLICT,
                       "another briefing is live");
          return FALSE;
        }
      return storage_failed (error, cause);
    }
  self->live = briefing;
  self->ticks = 0;
  self->overtime_turn = 0;
  self->next_pending = FALSE;
  relay_info (NULL, "briefing %" G_GINT64_FORMAT " started: %s", briefing->id, briefing->title);
  publish_briefing (self, "briefing-started", briefing);

  /* Those already here answer the roll call at the start. */
  for (guint i = 0; i < self->config->provinces->len; i++)
    {
      RelayOfficeConfig *p = self->config->provinces->pdata[i];
      RelayOfficeActivity a;
      if (relay_office_registry_get_activity (self->registry, p->code, &a)
          && a.state == RELAY_OFFICE_LIVE)
        on_office_state (self, p->code, "live", briefing->started_ms);
    }
  if (self->observer.started)
    self->observer.started (briefing, self->observer_data);
  const char *floor = relay_conference_get_floor (self->conference);
  if (floor)
    on_floor (self, floor);
  publish_agenda (self, briefing);
  self->tick_source = g_timeout_add (TICK_MS, on_tick, self);
  return TRUE;
}

gint64
relay_briefing_service_create (RelayBriefingService *self, const char *title,
                               gint roll_call_deadline_s, gint turn_limit_s, GPtrArray *agenda,
                               gboolean plan, GError **error)
{
  g_autoptr (GPtrArray) items = agenda ? g_ptr_array_ref (agenda) : default_agenda (self->config);
  if (!plan && self->live)
    {
      g_set_error (error, RELAY_BRIEFING_ERROR, RELAY_BRIEFING_ERROR_CONFLICT,
                   "briefing %" G_GINT64_FORMAT " is live: end it first", self->live->id);
      return 0;
    }
  gint64 now = relay_briefing_now_ms ();
  g_autofree char *date = bangkok_date (self, now);
  g_autoptr (RelayBriefing) b
      = relay_briefing_new (0, title ? title : self->config->briefing.title, date);
  b->state = RELAY_BRIEFING_PLANNED;
  b->created_ms = now;
  b->roll_call_deadline_s = roll_call_deadline_s >= 0 ? (guint) roll_call_deadline_s
                                                      : self->config->briefing.roll_call_deadline_s;
  b->turn_limit_s = turn_limit_s >= 0 ? (guint) turn_limit_s : self->config->briefing.turn_limit_s;
  take_items (b->agenda, items);
  g_autoptr (GError) cause = NULL;
  if (!relay_briefing_store_insert (self->db, b, &cause)
      || !relay_briefing_store_save_agenda (self->db, b, &cause))
    return storage_failed (error, cause);
  gint64 id = b->id;
  if (plan)
    {
      relay_info (NULL, "briefing %" G_GINT64_FORMAT " planned: %s", id, b->title);
      publish_briefing (self, "briefing-planned", b);
      return id;
    }
  RelayBriefing *live = g_steal_pointer (&b);
  if (!begin_live (self, live, error))
    {
      relay_briefing_free (live);
      return 0;
    }
  return id;
}

gboolean
relay_briefing_service_start (RelayBriefingService *self, gint64 id, GError **error)
{
  if (self->live)
    {
      g_set_error (error, RELAY_BRIEFING_ERROR, RELAY_BRIEFING_ERROR_CONFLICT,
                   "briefing %" G_GINT64_FORMAT " is live: end it first", self->live->id);
      return FALSE;
    }
  g_autoptr (GError) cause = NULL;
  g_autoptr (RelayBriefing) b = relay_briefing_store_load (self->db, id, &cause);
  if (!b)
    {
      if (cause)
        return storage_failed (error, cause);
      g_set_error (error, RELAY_BRIEFING_ERROR, RELAY_BRIEFING_ERROR_NOT_FOUND,
                   "no briefing %" G_GINT64_FORMAT, id);
      return FALSE;
    }
  if (b->state != RELAY_BRIEFING_PLANNED)
    {
      g_set_error (error, RELAY_BRIEFING_ERROR, RELAY_BRIEFING_ERROR_CONFLICT,
                   "briefing %" G_GINT64_FORMAT " is %s: only a planned one starts", id,
                   relay_briefing_state_name (b->state));
      return FALSE;
    }
  RelayBriefing *live = g_steal_pointer (&b);
  if (!begin_live (self, live, error))
    {
      relay_briefing_free (live);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_live (RelayBriefingService *self, gint64 id, GError **error)
{
  if (self->live && self->live->id == id)
    return TRUE;
  g_autoptr (GError) cause = NULL;
  g_autoptr (RelayBriefing) b = relay_briefing_store_load (self->db, id, &cause);
  if (cause)
    return storage_failed (error, cause);
  if (!b)
    g_set_error (error, RELAY_BRIEFING_ERROR, RELAY_BRIEFING_ERROR_NOT_FOUND,
                 "no briefing %" G_GINT64_FORMAT, id);
  else
    g_set_error (error, RELAY_BRIEFING_ERROR, RELAY_BRIEFING_ERROR_CONFLICT,
                 "briefing %" G_GINT64_FORMAT " is %s, not live", id,
                 relay_briefing_state_name (b->state));
  return FALSE;
}

gboolean
relay_briefing_service_end (RelayBriefingService *self, gint64 id, GError **error)
{
  if (!check_live (self, id, error))
    return FALSE;
  RelayBriefing *b = self->live;
  gint64 now = relay_briefing_now_ms ();
  end_turn (self, now, "ended");
  gint current = relay_briefing_current_item (b);
  if (current >= 0)
    {
      ((RelayAgendaItem *) b->agenda->pdata[current])->status = RELAY_AGENDA_DONE;
      save_agenda (self, b);
    }
  relay_briefing_close_presence (b, now, "ended");
  b->state = RELAY_BRIEFING_ENDED;
  b->ended_ms = now;
  g_autoptr (GError) cause = NULL;
  if (!relay_briefing_store_left (self->db, b->id, NULL, now, "ended", &cause)
      || !relay_briefing_store_update (self->db, b, &cause))
    warn_storage ("end", cause);
  relay_info (NULL, "briefing %" G_GINT64_FORMAT " ended", b->id);
  publish_briefing (self, "briefing-ended", b);
  if (self->observer.ended)
    self->observer.ended (b, self->observer_data);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  self->live = NULL;
  relay_briefing_free (b);
  return TRUE;
}

gboolean
relay_briefing_service_set_agenda (RelayBriefingService *self, gint64 id, GPtrArray *items,
                                   GError **error)
{
  g_autoptr (GPtrArray) owned = g_ptr_array_ref (items);
  g_autoptr (RelayBriefing) loaded = NULL;
  RelayBriefing *b = self->live && self->live->id == id ? self->live : NULL;
  if (!b)
    {
      g_autoptr (GError) cause = NULL;
      loaded = relay_briefing_store_load (self->db, id, &cause);
      if (cause)
        return storage_failed (error, cause);
      if (!loaded)
        {
          g_set_error (error, RELAY_BRIEFING_ERROR, RELAY_BRIEFING_ERROR_NOT_FOUND,
                       "no briefing %" G_GINT64_FORMAT, id);
          return FALSE;
        }
      if (loaded->state != RELAY_BRIEFING_PLANNED)
        {
          g_set_error (error, RELAY_BRIEFING_ERROR, RELAY_BRIEFING_ERROR_CONFLICT,
                       "briefing %" G_GINT64_FORMAT " is %s: its agenda is history", id,
                       relay_briefing_state_name (loaded->state));
          return FALSE;
        }
      b = loaded;
    }
  /* Keep what already happened, in its place; replace what is to come. */
  guint kept = 0;
  for (guint i = 0; i < b->agenda->len; i++)
    {
      RelayAgendaItem *item = b->agenda->pdata[i];
      if (item->status != RELAY_AGENDA_PENDING)
        b->agenda->pdata[kept++] = item;
      else
        relay_agenda_item_free (item);
    }
  g_ptr_array_set_free_func (b->agenda, NULL);
  g_ptr_array_set_size (b->agenda, kept);
  g_ptr_array_set_free_func (b->agenda, (GDestroyNotify) relay_agenda_item_free);
  if (b->agenda->len + owned->len > RELAY_AGENDA_MAX_ITEMS)
    {
      g_set_error (error, RELAY_BRIEFING_ERROR, RELAY_BRIEFING_ERROR_INVALID,
                   "an agenda has at most %d items", RELAY_AGENDA_MAX_ITEMS);
      /* The dropped pending items are back in the store's copy: reload. */
      if (b == self->live)
        {
          g_autoptr (RelayBriefing) stored = relay_briefing_store_load (self->db, id, NULL);
          if (stored)
            {
              g_ptr_array_set_size (b->agenda, 0);
              take_items (b->agenda, stored->agenda);
            }
        }
      return FALSE;
    }
  take_items (b->agenda, owned);
  save_agenda (self, b);
  return TRUE;
}

gint
relay_briefing_service_next (RelayBriefingService *self, gint64 id, GError **error)
{
  if (!check_live (self, id, error))
    return -1;
  RelayBriefing *b = self->live;
  gint position = relay_briefing_agenda_advance (b);
  save_agenda (self, b);
  const char *office = position >= 0 ? ((RelayAgendaItem *) b->agenda->pdata[position])->office
                                     : NULL;
  /* The floor event comes back through the bus; the turn that ends then
   * ended because the chair moved on. */
  if (g_strcmp0 (office, relay_conference_get_floor (self->conference)) != 0)
    self->next_pending = TRUE;
  relay_conference_set_floor (self->conference, office);
  return position;
}

const RelayBriefing *
relay_briefing_service_get_live (RelayBriefingService *self)
{
  return self->live;
}

RelayBriefing *
relay_briefing_service_load (RelayBriefingService *self, gint64 id, GError **error)
{
  g_autoptr (GError) cause = NULL;
  RelayBriefing *b = relay_briefing_store_load (self->db, id, &cause);
  if (cause)
    storage_failed (error, cause);
  return b;
}

GPtrArray *
relay_briefing_service_list (RelayBriefingService *self, const char *from, const char *to,
                             guint limit, GError **error)
{
  g_autoptr (GError) cause = NULL;
  GPtrArray *list = relay_briefing_store_list (self->db, from, to, limit, &cause);
  if (!list)
    storage_failed (error, cause);
  return list;
}

void
relay_briefing_service_set_observer (RelayBriefingService *self,
                                     const RelayBriefingObserver *observer, gpointer user_data)
{
  self->observer = *observer;
  self->observer_data = user_data;
}

RelayBriefingService *
relay_briefing_service_new (RelayConfig *config, RelayOfficeRegistry *registry,
                            RelayConference *conference, RelayEventBus *events, GError **error)
{
  sqlite3 *db = relay_briefing_store_open (config->data_dir, error);
  if (!db)
    return NULL;
  g_autoptr (GError) cause = NULL;
  gint64 interrupted = relay_briefing_store_interrupt_live (db, &cause);
  if (cause)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&cause), "briefings: ");
      sqlite3_close (db);
      return NULL;
    }
  if (interrupted)
    relay_warn (NULL, "briefing %" G_GINT64_FORMAT " was live when the relay stopped: "
                      "marked interrupted",
                interrupted);
  RelayBriefingService *self = g_new0 (RelayBriefingService, 1);
  self->config = config;
  self->registry = registry;
  self->conference = conference;
  self->events = events;
  self->db = db;
  self->bangkok = g_time_zone_new_identifier ("Asia/Bangkok");
  if (!self->bangkok)
    self->bangkok = g_time_zone_new_offset (7 * 3600);
  self->bus_id = relay_event_bus_subscribe (events, on_event, self);
  return self;
}

void
relay_briefing_service_free (RelayBriefingService *self)
{
  if (!self)
    return;
  relay_event_bus_unsubscribe (self->events, self->bus_id);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_pointer (&self->live, relay_briefing_free);
  g_time_zone_unref (self->bangkok);
  sqlite3_close (self->db);
  g_free (self);
}
