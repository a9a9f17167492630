/* The briefing as JSON, for the API and the events: the detail of one
 * briefing (roll call, agenda, turns), the line of a list, and the pieces
 * events carry. Times are ISO 8601 UTC with milliseconds. What an office's
 * own token may see is the public part (title, times, the agenda, counts)
 * and its own roll-call line and turns only. Any thread (pure). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include "relay/briefing/briefing.h"
#include "relay/config/config.h"

G_BEGIN_DECLS

typedef struct {
  guint expected; /* offices on the roster */
  guint present;  /* on time */
  guint late;
  guint absent;
  guint here;     /* present at `now` */
} RelayAttendanceCounts;

void relay_briefing_count_attendance (RelayBriefing *briefing, RelayConfig *config, gint64 now_ms,
                                      RelayAttendanceCounts *counts);

/* ISO 8601 UTC with milliseconds; NULL for 0. */
char *relay_briefing_format_time (gint64 unix_ms);

/* only_office NULL: everything. */
JsonNode *relay_briefing_describe (RelayBriefing *briefing, RelayConfig *config, gint64 now_ms,
                                   const char *only_office);
/* A line of GET /api/v1/briefings: id, title, date, state, times, duration,
 * counts, number of turns. */
JsonNode *relay_briefing_summarize (RelayBriefing *briefing, RelayConfig *config, gint64 now_ms);

void relay_briefing_add_turn_members (JsonBuilder *b, RelayBriefing *briefing,
                                      const RelayTurn *turn, RelayConfig *config, gint64 now_ms);
void relay_briefing_add_agenda (JsonBuilder *b, RelayBriefing *briefing, RelayConfig *config);
void relay_briefing_add_counts (JsonBuilder *b, const RelayAttendanceCounts *counts);

/* The display names of an office ("central" included); NULL when unknown. */
const char *relay_briefing_office_name (RelayConfig *config, const char *office, gboolean thai);

G_END_DECLS
