#include "relay/event-bus.h"

typedef struct {
  guint64 seq;
  char *json;
} Event;

typedef struct {
  guint id;
  RelayEventFunc func;
  gpointer user_data;
} Subscriber;

struct _RelayEventBus {
  GMainContext *main_context;
  GMutex lock;          /* seq, history, pending */
  guint64 next_seq;
  Event history[RELAY_EVENT_HISTORY]; /* ring, by seq % size */
  guint64 delivered_seq; /* main context only */
  gboolean delivery_scheduled;
  GArray *subscribers;  /* Subscriber, main context only */
  guint next_subscriber;
  GSource *delivery;
};

static char *
build_event (guint64 seq, const char *type, JsonNode *fields)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *time = g_date_time_format_iso8601 (now);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "seq");
  json_builder_add_int_value (b, seq);
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, time);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  if (fields && JSON_NODE_HOLDS_OBJECT (fields))
    {
      JsonObjectIter it;
      const char *name;
      JsonNode *value;
      json_object_iter_init (&it, json_node_get_object (fields));
      while (json_object_iter_next (&it, &name, &value))
        {
          json_builder_set_member_name (b, name);
          json_builder_add_value (b, json_node_copy (value));
        }
    }
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* Main context: hands every event not yet delivered to the subscribers. */
static gboolean
deliver (gpointer data)
{
  RelayEventBus *bus = data;
  for (;;)
    {
      g_mutex_lock (&bus->lock);
      bus->delivery_scheduled = FALSE;
      guint64 last = bus->next_seq - 1;
      if (bus->delivered_seq >= last)
        {
          g_mutex_unlock (&bus->lock);
          break;
        }
      guint64 seq = bus->delivered_seq + 1;
      /* A burst longer than the history overtook delivery: skip ahead. */
      if (last - seq >= RELAY_EVENT_HISTORY)
        seq = last - RELAY_EVENT_HISTORY + 1;
      g_autofree char *json = g_strdup (bus->history[seq % RELAY_EVENT_HISTORY].json);
      bus->delivered_seq = seq;
      g_mutex_unlock (&bus->lock);
      for (guint i = 0; i < bus->subscribers->len; i++)
        {
          Subscriber *s = &g_array_index (bus->subscribers, Subscriber, i);
          s->func (seq, json, s->user_data);
        }
    }
  return G_SOURCE_REMOVE;
}

RelayEventBus *
relay_event_bus_new (GMainContext *main_context)
{
  RelayEventBus *bus = g_new0 (RelayEventBus, 1);
  bus->main_context = g_main_context_ref (main_context);
  g_mutex_init (&bus->lock);
  bus->next_seq = 1;
  bus->subscribers = g_array_new (FALSE, FALSE, sizeof (Subscriber));
  return bus;
}

void
relay_event_bus_free (RelayEventBus *bus)
{
  if (!bus)
    return;
  for (guint i = 0; i < RELAY_EVENT_HISTORY; i++)
    g_free (bus->history[i].json);
  g_array_unref (bus->subscribers);
  g_main_context_unref (bus->main_context);
  g_mutex_clear (&bus->lock);
  g_free (bus);
}

void
relay_event_bus_publish (RelayEventBus *bus, const char *type, JsonNode *fields)
{
  g_mutex_lock (&bus->lock);
  guint64 seq = bus->next_seq++;
  Event *slot = &bus->history[seq % RELAY_EVENT_HISTORY];
  g_free (slot->json);
  slot->seq = seq;
  slot->json = build_event (seq, type, fields);
  gboolean schedule = !bus->delivery_scheduled;
  bus->delivery_scheduled = TRUE;
  g_mutex_unlock (&bus->lock);
  if (fields)
    json_node_unref (fields);
  if (schedule)
    {
      GSource *source = g_idle_source_new ();
      g_source_set_callback (source, deliver, bus, NULL);
      g_source_attach (source, bus->main_context);
      g_source_unref (source);
    }
}

guint
relay_event_bus_subscribe (RelayEventBus *bus, RelayEventFunc func, gpointer user_data)
{
  Subscriber s = { ++bus->next_subscriber, func, user_data };
  g_array_append_val (bus->subscribers, s);
  return s.id;
}

void
relay_event_bus_unsubscribe (RelayEventBus *bus, guint id)
{
  for (guint i = 0; i < bus->subscribers->len; i++)
    if (g_array_index (bus->subscribers, Subscriber, i).id == id)
      {
        g_array_remove_index (bus->subscribers, i);
        return;
      }
}

gboolean
relay_event_bus_replay (RelayEventBus *bus, guint64 after_seq, RelayEventFunc func,
                        gpointer user_data)
{
  /* Only what the subscribers have already seen is replayed; anything newer
   * reaches the caller through its subscription, so nothing comes twice. */
  g_mutex_lock (&bus->lock);
  guint64 last = bus->delivered_seq;
  /* The ring holds next_seq - HISTORY .. next_seq - 1. */
  guint64 oldest = bus->next_seq > RELAY_EVENT_HISTORY ? bus->next_seq - RELAY_EVENT_HISTORY : 1;
  gboolean complete = after_seq + 1 >= oldest;
  guint64 first = MAX (after_seq + 1, oldest);
  GPtrArray *copies = g_ptr_array_new_with_free_func (g_free);
  for (guint64 seq = first; func && seq <= last; seq++)
    g_ptr_array_add (copies, g_strdup (bus->history[seq % RELAY_EVENT_HISTORY].json));
  g_mutex_unlock (&bus->lock);
  for (guint i = 0; i < copies->len; i++)
    func (first + i, copies->pdata[i], user_data);
  g_ptr_array_unref (copies);
  return complete;
}

guint64
relay_event_bus_last_seq (RelayEventBus *bus)
{
  g_mutex_lock (&bus->lock);
  guint64 last = bus->delivered_seq;
  g_mutex_unlock (&bus->lock);
  return last;
}
