/* The briefing's life: the chair plans or starts a briefing, the offices'
 * arrivals and departures make its roll call, the agenda hands the floor
 * from office to office, every floor turn is recorded, and the chair ends
 * it. At most one briefing is live. Every change is written to the store
 * as it happens and published on the event bus (briefing-started,
 * briefing-ended, attendance, agenda, turn-started, turn-ended,
 * turn-overtime), so a SIGKILL loses nothing already said; at the next
 * start a briefing left live is marked interrupted.
 *
 * It learns of offices and the floor from the event bus (province-state and
 * floor events) like any other client, and gives the floor through the
 * conference. The recorder follows it through a RelayBriefingObserver.
 *
 * Main context only, the store's connection included. */
#pragma once

#include <glib.h>
#include "relay/briefing/briefing.h"
#include "relay/conference/conference.h"
#include "relay/config/config.h"
#include "relay/event-bus.h"
#include "relay/router/office-registry.h"

G_BEGIN_DECLS

#define RELAY_BRIEFING_ERROR (relay_briefing_error_quark ())
GQuark relay_briefing_error_quark (void);
typedef enum {
  RELAY_BRIEFING_ERROR_NOT_FOUND, /* 404 */
  RELAY_BRIEFING_ERROR_CONFLICT,  /* 409: another one is live, or not in that state */
  RELAY_BRIEFING_ERROR_INVALID,   /* 400 */
  RELAY_BRIEFING_ERROR_STORAGE,   /* 503 */
} RelayBriefingError;

/* Most agenda items a briefing may have: the roster twice over. */
#define RELAY_AGENDA_MAX_ITEMS 256
#define RELAY_BRIEFING_MAX_TITLE 200

typedef struct {
  /* Called on the main context after the change is stored. */
  void (*started) (const RelayBriefing *briefing, gpointer user_data);
  void (*ended) (const RelayBriefing *briefing, gpointer user_data);
  void (*turn_started) (const RelayBriefing *briefing, const RelayTurn *turn, gpointer user_data);
  void (*turn_ended) (const RelayBriefing *briefing, const RelayTurn *turn, gpointer user_data);
} RelayBriefingObserver;

typedef struct _RelayBriefingService RelayBriefingService;

/* Opens the store, marks a briefing left live by a previous run as
 * interrupted (run it after the recorder repaired its index), and starts
 * listening to `events`. Everything passed must outlive the service. */
RelayBriefingService *relay_briefing_service_new (RelayConfig *config,
                                                  RelayOfficeRegistry *registry,
                                                  RelayConference *conference,
                                                  RelayEventBus *events, GError **error);
/* A live briefing stays live in the store: stopping the relay is an
 * interruption, which the next start records. */
void relay_briefing_service_free (RelayBriefingService *service);

void relay_briefing_service_set_observer (RelayBriefingService *service,
                                          const RelayBriefingObserver *observer,
                                          gpointer user_data);

/* A new briefing. title NULL: the configured default; roll_call_deadline_s
 * and turn_limit_s < 0: the configured ones; agenda NULL: every office of
 * the roster in the mosaic's order (the array's items are taken). Started at
 * once unless `plan`. Returns its id, 0 with error. */
gint64 relay_briefing_service_create (RelayBriefingService *service, const char *title,
                                      gint roll_call_deadline_s, gint turn_limit_s,
                                      GPtrArray *agenda, gboolean plan, GError **error);
gboolean relay_briefing_service_start (RelayBriefingService *service, gint64 id, GError **error);
gboolean relay_briefing_service_end (RelayBriefingService *service, gint64 id, GError **error);

/* Replaces the items still pending (planned: all of them) with `items`
 * (RelayAgendaItem*, taken); the items done, skipped or current stay. */
gboolean relay_briefing_service_set_agenda (RelayBriefingService *service, gint64 id,
                                            GPtrArray *items, GError **error);
/* Gives the floor to the next agenda office that is present (those absent
 * are skipped); a free item takes the floor back to the central room. The
 * new current position, -1 when the agenda is done. */
gint relay_briefing_service_next (RelayBriefingService *service, gint64 id, GError **error);

/* The live briefing (borrowed, valid until the next change), or NULL. */
const RelayBriefing *relay_briefing_service_get_live (RelayBriefingService *service);
/* Any briefing as stored; NULL without error when there is none. */
RelayBriefing *relay_briefing_service_load (RelayBriefingService *service, gint64 id,
                                            GError **error);
/* See relay_briefing_store_list. */
GPtrArray *relay_briefing_service_list (RelayBriefingService *service, const char *from,
                                        const char *to, guint limit, GError **error);

/* Unix milliseconds now (the service's clock; tests read the same one). */
gint64 relay_briefing_now_ms (void);

G_END_DECLS
