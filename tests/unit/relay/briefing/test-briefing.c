/* The briefing model and its store: roll call, agenda order, turns, and
 * what an interruption leaves in SQLite. No relay; a temporary database. */
#include <glib.h>
#include <glib/gstdio.h>

#include "relay/briefing/briefing-store.h"
#include "relay/briefing/briefing.h"
#include "relay/recording/recording-index.h"

#define MIN_MS (60 * 1000)
#define T0 ((gint64) 1796600000000) /* a morning in 2026, ms */

static RelayBriefing *
live_briefing (void)
{
  RelayBriefing *b = relay_briefing_new (1, "test", "2026-12-07");
  b->state = RELAY_BRIEFING_LIVE;
  b->started_ms = T0;
  b->roll_call_deadline_s = 300;
  return b;
}

static void
test_attendance (void)
{
  g_autoptr (RelayBriefing) b = live_briefing ();
  /* Before the start: on time, counted from the start. */
  relay_briefing_add_presence (b, "TH-50", T0 - 10 * MIN_MS, 0, NULL);
  /* Joins after the deadline: late. */
  relay_briefing_office_joined (b, "TH-51", T0 + 6 * MIN_MS);
  /* Joins on time, drops out for two minutes, comes back. */
  relay_briefing_office_joined (b, "TH-52", T0 + 1 * MIN_MS);
  relay_briefing_office_left (b, "TH-52", T0 + 3 * MIN_MS, "lost");
  relay_briefing_office_joined (b, "TH-52", T0 + 5 * MIN_MS);

  RelayAttendance a;
  gint64 now = T0 + 10 * MIN_MS;
  relay_briefing_attendance (b, "TH-50", now, &a);
  g_assert_cmpint (a.status, ==, RELAY_ATTENDANCE_PRESENT);
  g_assert_cmpint (a.present_ms, ==, 10 * MIN_MS);
  g_assert_true (a.here);
  relay_briefing_attendance (b, "TH-51", now, &a);
  g_assert_cmpint (a.status, ==, RELAY_ATTENDANCE_LATE);
  g_assert_cmpint (a.present_ms, ==, 4 * MIN_MS);
  relay_briefing_attendance (b, "TH-52", now, &a);
  g_assert_cmpint (a.status, ==, RELAY_ATTENDANCE_PRESENT);
  g_assert_cmpint (a.present_ms, ==, 7 * MIN_MS);
  g_assert_cmpuint (a.intervals, ==, 2);
  g_assert_cmpint (a.first_joined_ms, ==, T0 + 1 * MIN_MS);
  relay_briefing_attendance (b, "TH-53", now, &a);
  g_assert_cmpint (a.status, ==, RELAY_ATTENDANCE_ABSENT);
  g_assert_false (a.here);

  /* Joining twice or leaving when gone changes nothing. */
  g_assert_false (relay_briefing_office_joined (b, "TH-50", now));
  g_assert_false (relay_briefing_office_left (b, "TH-53", now, "offline"));

  /* An ended briefing counts to its end, whatever the reader's clock. */
  relay_briefing_close_presence (b, T0 + 20 * MIN_MS, "ended");
  b->ended_ms = T0 + 20 * MIN_MS;
  relay_briefing_attendance (b, "TH-50", T0 + 600 * MIN_MS, &a);
  g_assert_cmpint (a.present_ms, ==, 20 * MIN_MS);
  g_assert_false (a.here);
}

static void
test_agenda (void)
{
  g_autoptr (RelayBriefing) b = live_briefing ();
  g_ptr_array_add (b->agenda, relay_agenda_item_new_free ("opening", 0));
  g_ptr_array_add (b->agenda, relay_agenda_item_new_office ("TH-50", 120));
  g_ptr_array_add (b->agenda, relay_agenda_item_new_office ("TH-51", 0));
  g_ptr_array_add (b->agenda, relay_agenda_item_new_office ("TH-52", 0));
  b->turn_limit_s = 90;
  relay_briefing_office_joined (b, "TH-50", T0);
  relay_briefing_office_joined (b, "TH-52", T0);

  g_assert_cmpint (relay_briefing_current_item (b), ==, -1);
  /* TH-52 waits behind the opening and TH-50; TH-51 is not here and does
   * not count. */
  g_assert_cmpint (relay_briefing_agenda_place (b, "TH-52"), ==, 2);
  g_assert_cmpint (relay_briefing_agenda_place (b, "TH-51"), ==, 2);
  g_assert_cmpint (relay_briefing_agenda_advance (b), ==, 0);
  g_assert_cmpint (relay_briefing_agenda_advance (b), ==, 1);
  g_assert_cmpuint (relay_briefing_item_limit (b, 1), ==, 120);
  g_assert_cmpint (relay_briefing_agenda_place (b, "TH-52"), ==, 0);
  /* TH-51 is absent: skipped, and it stays listed as skipped. */
  g_assert_cmpint (relay_briefing_agenda_advance (b), ==, 3);
  g_assert_cmpuint (relay_briefing_item_limit (b, 3), ==, 90);
  RelayAgendaItem *skipped = b->agenda->pdata[2];
  g_assert_cmpint (skipped->status, ==, RELAY_AGENDA_SKIPPED);
  g_assert_cmpint (((RelayAgendaItem *) b->agenda->pdata[1])->status, ==, RELAY_AGENDA_DONE);
  g_assert_cmpint (relay_briefing_agenda_place (b, "TH-51"), ==, -1);
  g_assert_cmpint (relay_briefing_agenda_advance (b), ==, -1);
  g_assert_cmpint (relay_briefing_current_item (b), ==, -1);
}

typedef struct {
  char *dir;
  sqlite3 *db;
} Store;

static void
store_setup (Store *s, gconstpointer data)
{
  s->dir = g_dir_make_tmp ("briefing-store-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  s->db = relay_briefing_store_open (s->dir, &error);
  g_assert_no_error (error);
}

static void
store_teardown (Store *s, gconstpointer data)
{
  sqlite3_close (s->db);
  g_autofree char *file = g_build_filename (s->dir, "briefing.sqlite", NULL);
  g_autofree char *wal = g_strconcat (file, "-wal", NULL);
  g_autofree char *shm = g_strconcat (file, "-shm", NULL);
  g_unlink (file);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (s->dir);
  g_free (s->dir);
}

static gint64
insert_live (Store *s, const char *date)
{
  g_autoptr (RelayBriefing) b = live_briefing ();
  g_free (b->date);
  b->date = g_strdup (date);
  g_ptr_array_add (b->agenda, relay_agenda_item_new_office ("TH-50", 60));
  g_ptr_array_add (b->agenda, relay_agenda_item_new_free ("ข้อสั่งการ", 0));
  g_autoptr (GError) error = NULL;
  g_assert_true (relay_briefing_store_insert (s->db, b, &error));
  g_assert_true (relay_briefing_store_save_agenda (s->db, b, &error));
  g_assert_no_error (error);
  return b->id;
}

static void
test_store_roundtrip (Store *s, gconstpointer data)
{
  gint64 id = insert_live (s, "2026-12-07");
  g_autoptr (GError) error = NULL;
  g_assert_true (relay_briefing_store_joined (s->db, id, "TH-50", T0 + 1000, &error));
  g_assert_true (relay_briefing_store_left (s->db, id, "TH-50", T0 + 5000, "lost", &error));
  g_assert_true (relay_briefing_store_joined (s->db, id, "TH-50", T0 + 9000, &error));
  RelayTurn turn = { .office = "TH-50", .agenda_position = 0, .started_ms = T0 + 10000,
                     .time_limit_s = 60 };
  g_assert_true (relay_briefing_store_insert_turn (s->db, id, &turn, &error));
  g_assert_cmpint (turn.id, >, 0);
  turn.ended_ms = T0 + 70000;
  turn.end_reason = "next";
  g_assert_true (relay_briefing_store_update_turn (s->db, &turn, &error));
  g_assert_no_error (error);

  g_autoptr (RelayBriefing) b = relay_briefing_store_load (s->db, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (b);
  g_assert_cmpstr (b->title, ==, "test");
  g_assert_cmpint (b->state, ==, RELAY_BRIEFING_LIVE);
  g_assert_cmpint (b->started_ms, ==, T0);
  g_assert_cmpuint (b->agenda->len, ==, 2);
  g_assert_cmpstr (((RelayAgendaItem *) b->agenda->pdata[0])->office, ==, "TH-50");
  g_assert_cmpstr (((RelayAgendaItem *) b->agenda->pdata[1])->title, ==, "ข้อสั่งการ");
  g_assert_cmpuint (b->turns->len, ==, 1);
  RelayTurn *t = b->turns->pdata[0];
  g_assert_cmpint (t->ended_ms, ==, T0 + 70000);
  g_assert_cmpstr (t->end_reason, ==, "next");
  RelayAttendance a;
  relay_briefing_attendance (b, "TH-50", T0 + 19000, &a);
  g_assert_cmpuint (a.intervals, ==, 2);
  g_assert_cmpint (a.present_ms, ==, 4000 + 10000);
  g_assert_true (a.here);

  g_assert_null (relay_briefing_store_load (s->db, id + 100, &error));
  g_assert_no_error (error);
}

static void
test_store_one_live (Store *s, gconstpointer data)
{
  insert_live (s, "2026-12-07");
  g_autoptr (RelayBriefing) second = live_briefing ();
  g_autoptr (GError) error = NULL;
  g_assert_false (relay_briefing_store_insert (s->db, second, &error));
  g_assert_nonnull (error);
}

static void
test_store_list (Store *s, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 first = insert_live (s, "2026-12-05");
  g_autoptr (RelayBriefing) b = relay_briefing_store_load (s->db, first, &error);
  b->state = RELAY_BRIEFING_ENDED;
  b->ended_ms = T0 + 1000;
  g_assert_true (relay_briefing_store_update (s->db, b, &error));
  insert_live (s, "2026-12-07");
  g_autoptr (GPtrArray) all = relay_briefing_store_list (s->db, NULL, NULL, 10, &error);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpstr (((RelayBriefing *) all->pdata[0])->date, ==, "2026-12-07");
  g_autoptr (GPtrArray) some = relay_briefing_store_list (s->db, "2026-12-06", "2026-12-31", 10,
                                                          &error);
  g_assert_cmpuint (some->len, ==, 1);
  g_autoptr (GPtrArray) none = relay_briefing_store_list (s->db, "2026-12-08", NULL, 10, &error);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_no_error (error);
}

/* A relay killed mid-briefing: the next start closes the record at the
 * last moment it is known to have been going, the recordings' end here. */
static void
test_store_interrupt (Store *s, gconstpointer data)
{
  gint64 id = insert_live (s, "2026-12-07");
  g_autoptr (GError) error = NULL;
  g_assert_true (relay_briefing_store_alive (s->db, id, T0 + 30000, &error));
  g_assert_true (relay_briefing_store_joined (s->db, id, "TH-50", T0 + 1000, &error));
  RelayTurn turn = { .office = "TH-50", .agenda_position = 0, .started_ms = T0 + 10000 };
  g_assert_true (relay_briefing_store_insert_turn (s->db, id, &turn, &error));
  RelayRecordingRow row = { .briefing_id = id, .kind = "program", .path = "x.mp4",
                            .container = "mp4", .started_ms = T0 + 500, .duration_ms = 41000 };
  g_assert_true (relay_recording_index_insert (s->db, &row, &error));
  g_assert_no_error (error);

  g_assert_cmpint (relay_briefing_store_interrupt_live (s->db, &error), ==, id);
  g_assert_no_error (error);
  g_autoptr (RelayBriefing) b = relay_briefing_store_load (s->db, id, &error);
  g_assert_cmpint (b->state, ==, RELAY_BRIEFING_INTERRUPTED);
  g_assert_cmpint (b->ended_ms, ==, T0 + 41500);
  RelayTurn *t = b->turns->pdata[0];
  g_assert_cmpint (t->ended_ms, ==, T0 + 41500);
  g_assert_cmpstr (t->end_reason, ==, "interrupted");
  RelayAttendance a;
  relay_briefing_attendance (b, "TH-50", T0 + 999999, &a);
  g_assert_false (a.here);
  g_assert_cmpint (a.present_ms, ==, 40500);
  /* Nothing is live any more: a second start finds none. */
  g_assert_cmpint (relay_briefing_store_interrupt_live (s->db, &error), ==, 0);
  g_assert_cmpint (relay_briefing_store_find (s->db, RELAY_BRIEFING_LIVE, &error), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/briefing/attendance", test_attendance);
  g_test_add_func ("/briefing/agenda", test_agenda);
  g_test_add ("/briefing/store/roundtrip", Store, NULL, store_setup, test_store_roundtrip,
              store_teardown);
  g_test_add ("/briefing/store/one-live", Store, NULL, store_setup, test_store_one_live,
              store_teardown);
  g_test_add ("/briefing/store/list", Store, NULL, store_setup, test_store_list, store_teardown);
  g_test_add ("/briefing/store/interrupt", Store, NULL, store_setup, test_store_interrupt,
              store_teardown);
  return g_test_run ();
}
