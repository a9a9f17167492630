#include "relay/conference/conference.h"

#include <stdlib.h>
#include <string.h>

#include "webrtc/base/log.h"

struct _RelayConference {
  RelayConfig *config;
  RelayEventBus *events;
  char *floor;
  gint64 floor_since_unix_us;  /* when the floor was given (0 without one) */
  gint64 floor_since_mono_us;  /* the same on the monotonic clock, for its age */
  RelayLayout layout;
  GHashTable *unmuted; /* participant id (borrowed from config, or "central") */
  /* Participants the chair muted while they could be heard (a PUT of
   * participants/<id>), as opposed to those muted because they never had
   * the floor or passed it on: an office is told the chair cut it off. */
  GHashTable *chair_muted;
  RelayConferenceChangedFunc changed;
  gpointer changed_data;
};

static const char *
canonical_id (RelayConference *self, const char *id)
{
  if (g_strcmp0 (id, RELAY_CENTRAL_ROOM) == 0)
    return RELAY_CENTRAL_ROOM;
  RelayOfficeConfig *p = relay_config_find_province (self->config, id);
  return p ? p->code : NULL;
}

static int
compare_ids (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
publish (RelayConference *self, const char *type, const char *key, const char *value,
         const char *key2, JsonNode *value2)
{
  if (!self->events)
    {
      if (value2)
        json_node_unref (value2);
      return;
    }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, key);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
  if (key2)
    {
      json_builder_set_member_name (b, key2);
      json_builder_add_value (b, value2);
    }
  json_builder_end_object (b);
  relay_event_bus_publish (self->events, type, json_builder_get_root (b));
}

static void
notify_changed (RelayConference *self)
{
  if (self->changed)
    self->changed (self, self->changed_data);
}

void
relay_conference_set_changed_func (RelayConference *self, RelayConferenceChangedFunc func,
                                   gpointer user_data)
{
  self->changed = func;
  self->changed_data = user_data;
}

char **
relay_conference_dup_unmuted (RelayConference *self)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, self->unmuted);
  while (g_hash_table_iter_next (&it, &key, NULL))
    g_strv_builder_add (b, key);
  char **ids = g_strv_builder_end (b);
  qsort (ids, g_strv_length (ids), sizeof (char *), compare_ids);
  return ids;
}

RelayConference *
relay_conference_new (RelayConfig *config, RelayEventBus *events)
{
  RelayConference *self = g_new0 (RelayConference, 1);
  self->config = config;
  self->events = events;
  self->layout = RELAY_LAYOUT_MOSAIC;
  self->unmuted = g_hash_table_new (g_str_hash, g_str_equal);
  self->chair_muted = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_add (self->unmuted, (gpointer) RELAY_CENTRAL_ROOM);
  return self;
}

void
relay_conference_free (RelayConference *self)
{
  if (!self)
    return;
  g_hash_table_unref (self->unmuted);
  g_hash_table_unref (self->chair_muted);
  g_free (self->floor);
  g_free (self);
}

gboolean
relay_conference_is_participant (RelayConference *self, const char *id)
{
  return canonical_id (self, id) != NULL;
}

/* by_chair: the chair's own mute (the control API), not one the floor
 * rules make. */
static void
set_muted (RelayConference *self, const char *id, gboolean muted, gboolean by_chair)
{
  gboolean was_muted = !g_hash_table_contains (self->unmuted, id);
  if (was_muted == muted)
    return;
  if (muted)
    g_hash_table_remove (self->unmuted, id);
  else
    g_hash_table_add (self->unmuted, (gpointer) id);
  if (muted && by_chair)
    g_hash_table_add (self->chair_muted, (gpointer) id);
  else
    g_hash_table_remove (self->chair_muted, id);
  relay_info (strcmp (id, RELAY_CENTRAL_ROOM) == 0 ? NULL : id, "%s %s", id,
              muted ? "muted" : "unmuted");
  publish (self, "mute", "participant", id, "muted", json_node_init_boolean (json_node_alloc (), muted));
  notify_changed (self);
}

void
relay_conference_set_muted (RelayConference *self, const char *participant, gboolean muted)
{
  const char *id = canonical_id (self, participant);
  g_return_if_fail (id);
  set_muted (self, id, muted, TRUE);
}

gboolean
relay_conference_muted_by_chair (RelayConference *self, const char *participant)
{
  const char *id = canonical_id (self, participant);
  return id && g_hash_table_contains (self->chair_muted, id);
}

gint64
relay_conference_floor_since (RelayConference *self, gint64 *held_ms)
{
  if (held_ms)
    *held_ms = self->floor ? (g_get_monotonic_time () - self->floor_since_mono_us) / 1000 : -1;
  return self->floor ? self->floor_since_unix_us : 0;
}

gboolean
relay_conference_is_muted (RelayConference *self, const char *participant)
{
  const char *id = canonical_id (self, participant);
  return !id || !g_hash_table_contains (self->unmuted, id);
}

void
relay_conference_set_floor (RelayConference *self, const char *province)
{
  const char *id = province ? canonical_id (self, province) : NULL;
  g_return_if_fail (!province || (id && strcmp (id, RELAY_CENTRAL_ROOM) != 0));
  if (g_strcmp0 (id, self->floor) == 0)
    return;
  g_autofree char *previous = g_steal_pointer (&self->floor);
  self->floor = g_strdup (id);
  self->floor_since_unix_us = id ? g_get_real_time () : 0;
  self->floor_since_mono_us = id ? g_get_monotonic_time () : 0;
  /* The floor is the right to be heard: the holder is unmuted, the one it
   * passes from is muted (the chair can unmute anyone again). */
  if (previous)
    {
      const char *prev_id = canonical_id (self, previous);
      set_muted (self, prev_id, TRUE, FALSE);
      /* Passing the floor on is not the chair cutting it off. */
      g_hash_table_remove (self->chair_muted, prev_id);
    }
  if (id)
    set_muted (self, id, FALSE, FALSE);
  relay_info (id, "floor %s", id ? "given" : "taken back");
  publish (self, "floor", "province", id, "previous",
           previous ? json_node_init_string (json_node_alloc (), previous)
                    : json_node_init_null (json_node_alloc ()));
  notify_changed (self);
}

const char *
relay_conference_get_floor (RelayConference *self)
{
  return self->floor;
}

gboolean
relay_layout_from_string (const char *text, RelayLayout *layout)
{
  if (g_strcmp0 (text, "mosaic") == 0)
    *layout = RELAY_LAYOUT_MOSAIC;
  else if (g_strcmp0 (text, "spotlight") == 0)
    *layout = RELAY_LAYOUT_SPOTLIGHT;
  else
    return FALSE;
  return TRUE;
}

const char *
relay_layout_name (RelayLayout layout)
{
  return layout == RELAY_LAYOUT_SPOTLIGHT ? "spotlight" : "mosaic";
}

void
relay_conference_set_layout (RelayConference *self, RelayLayout layout)
{
  if (self->layout == layout)
    return;
  self->layout = layout;
  relay_info (NULL, "layout %s", relay_layout_name (layout));
  publish (self, "layout", "layout", relay_layout_name (layout), NULL, NULL);
  notify_changed (self);
}

RelayLayout
relay_conference_get_layout (RelayConference *self)
{
  return self->layout;
}

JsonNode *
relay_conference_describe (RelayConference *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "floor");
  if (self->floor)
    json_builder_add_string_value (b, self->floor);
  else
    json_builder_add_null_value (b);
  /* Since when, so that a page shows how long the holder has spoken. */
  json_builder_set_member_name (b, "floor_since");
  if (self->floor)
    {
      /* With milliseconds, as the briefing's times. */
      gint64 us = self->floor_since_unix_us;
      g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
      g_autofree char *seconds = g_date_time_format (t, "%Y-%m-%dT%H:%M:%S");
      g_autofree char *iso
          = g_strdup_printf ("%s.%03dZ", seconds, (int) ((us % G_USEC_PER_SEC) / 1000));
      json_builder_add_string_value (b, iso);
    }
  else
    json_builder_add_null_value (b);
  /* How long, on the relay's monotonic clock: a page adds it to its own
   * clock, so a console whose clock is off still counts the turn right. */
  json_builder_set_member_name (b, "floor_held_ms");
  if (self->floor)
    json_builder_add_int_value (b, (g_get_monotonic_time () - self->floor_since_mono_us) / 1000);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "layout");
  json_builder_add_string_value (b, relay_layout_name (self->layout));
  /* What the spotlight shows: the floor holder with the central room. */
  json_builder_set_member_name (b, "spotlight");
  if (self->floor)
    json_builder_add_string_value (b, self->floor);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "unmuted");
  json_builder_begin_array (b);
  /* In a stable order: the central room, then the roster's order. */
  if (g_hash_table_contains (self->unmuted, RELAY_CENTRAL_ROOM))
    json_builder_add_string_value (b, RELAY_CENTRAL_ROOM);
  for (guint i = 0; i < self->config->provinces->len; i++)
    {
      RelayOfficeConfig *p = self->config->provinces->pdata[i];
      if (g_hash_table_contains (self->unmuted, p->code))
        json_builder_add_string_value (b, p->code);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
