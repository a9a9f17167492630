/* The briefing's floor control: who holds the floor, who is unmuted, and
 * which layout the program shows. The chair changes it; the audio mix and
 * the mosaic/spotlight follow it. Participants are the central room
 * ("central") and the provinces of the roster. Main context only. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include "relay/config/config.h"
#include "relay/event-bus.h"

G_BEGIN_DECLS

#define RELAY_CENTRAL_ROOM "central"

typedef enum {
  RELAY_LAYOUT_MOSAIC,
  RELAY_LAYOUT_SPOTLIGHT,
} RelayLayout;

typedef struct _RelayConference RelayConference;

/* Starts with the central room unmuted, every province muted, no floor,
 * the mosaic layout. Changes are published on `events` (may be NULL). */
RelayConference *relay_conference_new (RelayConfig *config, RelayEventBus *events);
void relay_conference_free (RelayConference *conference);

gboolean relay_conference_is_participant (RelayConference *conference, const char *id);

/* Gives the floor to a province: it is unmuted, the previous holder is
 * muted, and the spotlight follows. NULL takes the floor back. */
void relay_conference_set_floor (RelayConference *conference, const char *province);
const char *relay_conference_get_floor (RelayConference *conference);

/* The chair's mute or unmute (PUT participants/<id>). */
void relay_conference_set_muted (RelayConference *conference, const char *participant,
                                 gboolean muted);
/* Muted by the chair while it could be heard, rather than muted by the
 * floor rules (never given the floor, or passed it on). */
gboolean relay_conference_muted_by_chair (RelayConference *conference, const char *participant);
/* When the floor was given (Unix µs; 0 without a floor) and, in *held_ms
 * (may be NULL), for how long it has been held (-1 without a floor). */
gint64 relay_conference_floor_since (RelayConference *conference, gint64 *held_ms);
gboolean relay_conference_is_muted (RelayConference *conference, const char *participant);

void relay_conference_set_layout (RelayConference *conference, RelayLayout layout);
RelayLayout relay_conference_get_layout (RelayConference *conference);
gboolean relay_layout_from_string (const char *text, RelayLayout *layout);
const char *relay_layout_name (RelayLayout layout);

/* Runs on the main context after every change (floor, mute, layout). */
typedef void (*RelayConferenceChangedFunc) (RelayConference *conference, gpointer user_data);
void relay_conference_set_changed_func (RelayConference *conference,
                                        RelayConferenceChangedFunc func, gpointer user_data);

/* The unmuted participants, sorted (free with g_strfreev). */
char **relay_conference_dup_unmuted (RelayConference *conference);

/* {"floor":..,"floor_since":..,"layout":..,"spotlight":..,"unmuted":[..]} */
JsonNode *relay_conference_describe (RelayConference *conference);

G_END_DECLS
