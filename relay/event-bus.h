/* The relay's events (province state changes, and later floor, mute and
 * speaker changes) in one numbered sequence. Publishing is thread-safe and
 * cheap; the last RELAY_EVENT_HISTORY events are kept so a client that
 * reconnects with the last number it saw gets exactly what it missed (or is
 * told that the gap is too old). Subscribers are called on the bus's main
 * context, in order. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define RELAY_EVENT_HISTORY 4096

typedef struct _RelayEventBus RelayEventBus;

/* Called on the main context with each event as JSON text
 * {"seq":n,"time":"...","type":"...",...}. */
typedef void (*RelayEventFunc) (guint64 seq, const char *json, gpointer user_data);

RelayEventBus *relay_event_bus_new (GMainContext *main_context);
void relay_event_bus_free (RelayEventBus *bus);

/* Any thread. `fields` is a JSON object node whose members are added after
 * seq, time and type (may be NULL); the bus takes it. */
void relay_event_bus_publish (RelayEventBus *bus, const char *type, JsonNode *fields);

guint relay_event_bus_subscribe (RelayEventBus *bus, RelayEventFunc func, gpointer user_data);
void relay_event_bus_unsubscribe (RelayEventBus *bus, guint id);

/* Main context: the events after `after_seq`, in order, to func (NULL: only
 * tell). FALSE when some of them are no longer kept (the caller should
 * resynchronise from the status API). */
gboolean relay_event_bus_replay (RelayEventBus *bus, guint64 after_seq, RelayEventFunc func,
                                 gpointer user_data);

guint64 relay_event_bus_last_seq (RelayEventBus *bus);

G_END_DECLS
