/* The briefing as a record: one morning's meeting of the operations
 * centre with the offices, what the operations room thinks in. It holds
 * who was present when (intervals per office, from which the roll call
 * follows), the agenda (an ordered list of offices and free items) and the
 * floor turns. This unit is the plain model and its rules (attendance,
 * which agenda office comes next); it touches no clock, thread or storage:
 * times are passed in (Unix milliseconds, UTC). The briefing service owns
 * the live one on the main context; the store loads ended ones.
 *
 * Words: an "office" is a roster entry (a provincial labour office, code
 * TH-50) or the central room; a "turn" is one span during which an office
 * held the floor. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  RELAY_BRIEFING_PLANNED,     /* created, agenda being prepared */
  RELAY_BRIEFING_LIVE,
  RELAY_BRIEFING_ENDED,
  RELAY_BRIEFING_INTERRUPTED, /* the relay stopped without ending it */
} RelayBriefingState;

typedef enum {
  RELAY_ATTENDANCE_ABSENT,
  RELAY_ATTENDANCE_PRESENT, /* joined by the roll-call deadline */
  RELAY_ATTENDANCE_LATE,    /* joined after it */
} RelayAttendanceStatus;

typedef enum {
  RELAY_AGENDA_PENDING,
  RELAY_AGENDA_CURRENT,
  RELAY_AGENDA_DONE,
  RELAY_AGENDA_SKIPPED, /* its office was not present when its turn came */
} RelayAgendaStatus;

typedef struct {
  gint64 joined_ms;
  gint64 left_ms;       /* 0: still present */
  char *left_state;     /* lost, offline, ended, interrupted; NULL while open */
} RelayPresence;

typedef struct {
  char *office;         /* NULL: a free item */
  char *title;          /* free items; NULL for an office */
  guint time_limit_s;   /* 0: the briefing's turn limit */
  RelayAgendaStatus status;
} RelayAgendaItem;

typedef struct {
  gint64 id;            /* the store's */
  char *office;
  gint agenda_position; /* -1: the floor was given outside the agenda */
  gint64 started_ms;
  gint64 ended_ms;      /* 0: still speaking */
  char *end_reason;     /* next, floor-passed, floor-taken-back, lost, offline, ended, interrupted */
  guint time_limit_s;   /* 0: none */
} RelayTurn;

typedef struct {
  gint64 id;
  char *title;
  char *date;           /* YYYY-MM-DD, Asia/Bangkok */
  RelayBriefingState state;
  gint64 created_ms;
  gint64 started_ms;    /* 0 while planned */
  gint64 ended_ms;      /* 0 until ended */
  guint roll_call_deadline_s;
  guint turn_limit_s;   /* 0: none */
  GHashTable *presence; /* office -> GPtrArray of RelayPresence*, oldest first */
  GPtrArray *agenda;    /* RelayAgendaItem* */
  GPtrArray *turns;     /* RelayTurn*, oldest first */
} RelayBriefing;

typedef struct {
  const char *office;
  RelayAttendanceStatus status;
  gint64 first_joined_ms; /* 0: never */
  gint64 present_ms;      /* sum of the intervals up to `now` */
  gboolean here;          /* present at `now` */
  guint intervals;
} RelayAttendance;

RelayBriefing *relay_briefing_new (gint64 id, const char *title, const char *date);
void relay_briefing_free (RelayBriefing *briefing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayBriefing, relay_briefing_free)

const char *relay_briefing_state_name (RelayBriefingState state);
gboolean relay_briefing_state_from_name (const char *name, RelayBriefingState *state);
const char *relay_attendance_status_name (RelayAttendanceStatus status);
const char *relay_agenda_status_name (RelayAgendaStatus status);
gboolean relay_agenda_status_from_name (const char *name, RelayAgendaStatus *status);

/* Presence. Joining while present and leaving while absent change nothing
 * (FALSE). */
gboolean relay_briefing_office_joined (RelayBriefing *briefing, const char *office, gint64 now_ms);
gboolean relay_briefing_office_left (RelayBriefing *briefing, const char *office, gint64 now_ms,
                                     const char *state);
gboolean relay_briefing_office_is_here (RelayBriefing *briefing, const char *office);
/* Closes every open interval (the briefing ends or was interrupted). */
void relay_briefing_close_presence (RelayBriefing *briefing, gint64 now_ms, const char *state);
/* Appends an interval as stored (loading). */
void relay_briefing_add_presence (RelayBriefing *briefing, const char *office, gint64 joined_ms,
                                  gint64 left_ms, const char *left_state);

/* The roll call of one office at `now` (before the start, nobody is late). */
void relay_briefing_attendance (RelayBriefing *briefing, const char *office, gint64 now_ms,
                                RelayAttendance *out);

/* Agenda. Items are owned by the briefing. */
void relay_agenda_item_free (RelayAgendaItem *item);
RelayAgendaItem *relay_agenda_item_new_office (const char *office, guint time_limit_s);
RelayAgendaItem *relay_agenda_item_new_free (const char *title, guint time_limit_s);
/* The item now current, or -1. */
gint relay_briefing_current_item (RelayBriefing *briefing);
/* Moves on: the current item is done, pending offices that are not here
 * are skipped, and the next item (an office that is here, or a free item)
 * becomes current. Its position, or -1 at the end of the agenda. */
gint relay_briefing_agenda_advance (RelayBriefing *briefing);
/* The pending office items ahead of `office`'s next pending item that will
 * be called (present offices and free items), or -1 when it is not
 * pending. */
gint relay_briefing_agenda_place (RelayBriefing *briefing, const char *office);
/* The time limit that applies to an item (its own or the briefing's). */
guint relay_briefing_item_limit (RelayBriefing *briefing, gint position);

/* Turns. */
void relay_turn_free (RelayTurn *turn);
/* The open turn, or NULL. */
RelayTurn *relay_briefing_open_turn (RelayBriefing *briefing);

G_END_DECLS
