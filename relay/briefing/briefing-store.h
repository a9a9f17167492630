/* Briefings in SQLite (tables of migration 4, relay/figures/database.c):
 * each change of the live briefing is written as it happens (the service
 * calls these on the main context, on a connection of its own), and ended
 * briefings are loaded whole for the review API (any thread, on a reader
 * connection). The connection's owner serialises its use.
 *
 * The live briefing's connection runs with synchronous=NORMAL: in WAL mode
 * a commit survives the relay being killed, which is what the record must
 * survive; only a power cut may lose its last commits, unlike figures,
 * which are acknowledged to their sender and stay FULL. */
#pragma once

#include <glib.h>
#include <sqlite3.h>
#include "relay/briefing/briefing.h"

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  char *title;
  char *date;
  RelayBriefingState state;
  gint64 started_ms, ended_ms;
} RelayBriefingSummary;

/* Opens the database (migrating it) for the live briefing's writes. */
sqlite3 *relay_briefing_store_open (const char *data_dir, GError **error);

/* Writes. Each is one transaction. */
gboolean relay_briefing_store_insert (sqlite3 *db, RelayBriefing *briefing, GError **error);
/* Title, state, started/ended times, limits. */
gboolean relay_briefing_store_update (sqlite3 *db, RelayBriefing *briefing, GError **error);
gboolean relay_briefing_store_joined (sqlite3 *db, gint64 briefing_id, const char *office,
                                      gint64 joined_ms, GError **error);
/* Closes the office's open interval (every office's when `office` is NULL). */
gboolean relay_briefing_store_left (sqlite3 *db, gint64 briefing_id, const char *office,
                                    gint64 left_ms, const char *state, GError **error);
/* Replaces the stored agenda with the briefing's. */
gboolean relay_briefing_store_save_agenda (sqlite3 *db, RelayBriefing *briefing, GError **error);
/* Sets turn->id. */
gboolean relay_briefing_store_insert_turn (sqlite3 *db, gint64 briefing_id, RelayTurn *turn,
                                           GError **error);
gboolean relay_briefing_store_update_turn (sqlite3 *db, RelayTurn *turn, GError **error);

/* Reads. NULL without error: no such briefing. */
RelayBriefing *relay_briefing_store_load (sqlite3 *db, gint64 id, GError **error);
/* The briefing in `state` (the newest one), 0 when none. */
gint64 relay_briefing_store_find (sqlite3 *db, RelayBriefingState state, GError **error);
/* Briefings whose date is within [from, to] (YYYY-MM-DD, either may be
 * NULL), newest first, at most `limit`. RelayBriefing* loaded whole. */
GPtrArray *relay_briefing_store_list (sqlite3 *db, const char *from, const char *to, guint limit,
                                      GError **error);

/* While live, every few seconds: the briefing is still going (what an
 * interruption's end time is taken from). */
gboolean relay_briefing_store_alive (sqlite3 *db, gint64 briefing_id, gint64 now_ms,
                                     GError **error);

/* At start: a briefing still `live` was interrupted by a stop of the relay.
 * It is marked `interrupted` and ended at the last moment it is known to
 * have been going (its last sign of life, the end of its recordings as
 * indexed, its newest turn or arrival), and its open intervals and turn
 * are closed then. Run after the recordings' index is repaired. Returns
 * its id, 0 when there was none. */
gint64 relay_briefing_store_interrupt_live (sqlite3 *db, GError **error);

G_END_DECLS
