/* The active speaker's rules (relay/conference/active-speaker.c), in time the test
 * chooses: looks every 200 ms as the output router makes them, each with
 * the levels of the participants heard at that look. */
#include "relay/conference/active-speaker.h"

#define LOOK_US (200 * 1000)

typedef struct {
  RelayActiveSpeaker *speaker;
  gint64 now;
  guint changes;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->speaker = relay_active_speaker_new ();
  f->now = 1000 * G_USEC_PER_SEC;
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  relay_active_speaker_free (f->speaker);
}

/* One look with up to three participants heard: "TH-50:-20" etc. NULLs
 * end the list. */
static gboolean
look (Fixture *f, const char *a, gint la, const char *b, gint lb, const char *c, gint lc)
{
  RelaySpeakerLevel levels[3];
  guint n = 0;
  const char *ids[3] = { a, b, c };
  gint dbov[3] = { la, lb, lc };
  for (guint i = 0; i < 3 && ids[i]; i++)
    levels[n++] = (RelaySpeakerLevel) { ids[i], dbov[i], RELAY_LEVEL_FROM_RTP };
  gboolean changed = relay_active_speaker_look (f->speaker, levels, n, f->now);
  f->now += LOOK_US;
  f->changes += changed;
  return changed;
}

static const char *
speaker (Fixture *f)
{
  return relay_active_speaker_get (f->speaker, NULL, NULL);
}

/* The same levels for `us` of looks; the speaker after them. */
static const char *
hold_for (Fixture *f, gint64 us, const char *a, gint la, const char *b, gint lb)
{
  for (gint64 end = f->now + us; f->now < end;)
    look (f, a, la, b, lb, NULL, 0);
  return speaker (f);
}

static void
test_nobody (Fixture *f, gconstpointer data)
{
  g_assert_null (speaker (f));
  for (int i = 0; i < 20; i++)
    g_assert_false (look (f, NULL, 0, NULL, 0, NULL, 0));
  /* Heard, but below -50 dBov: a quiet room is not a speaker, however long. */
  g_assert_null (hold_for (f, 10 * G_USEC_PER_SEC, "TH-11", -51, "TH-12", -70));
  g_assert_cmpuint (f->changes, ==, 0);
  gint level;
  g_assert_null (relay_active_speaker_get (f->speaker, &level, NULL));
  g_assert_cmpint (level, ==, -127);
}

static void
test_confirmed_after_400_ms (Fixture *f, gconstpointer data)
{
  /* The loudest at every look for 400 ms: the looks at 0 and 200 ms are
   * not enough, the one at 400 ms is. */
  g_assert_false (look (f, "TH-50", -30, "TH-11", -45, NULL, 0));
  g_assert_false (look (f, "TH-50", -30, "TH-11", -45, NULL, 0));
  g_assert_null (speaker (f));
  g_assert_true (look (f, "TH-50", -28, "TH-11", -45, NULL, 0));
  gint level;
  RelayLevelSource source;
  g_assert_cmpstr (relay_active_speaker_get (f->speaker, &level, &source), ==, "TH-50");
  g_assert_cmpint (level, ==, -28);
  g_assert_cmpint (source, ==, RELAY_LEVEL_FROM_RTP);
  g_assert_cmpstr (relay_level_source_name (source), ==, "rtp");

  /* A look without the loudest one starts the count again. */
  RelayActiveSpeaker *other = relay_active_speaker_new ();
  RelaySpeakerLevel loud = { "TH-20", -10, RELAY_LEVEL_FROM_DECODED };
  gint64 t = 0;
  g_assert_false (relay_active_speaker_look (other, &loud, 1, t += LOOK_US));
  g_assert_false (relay_active_speaker_look (other, &loud, 1, t += LOOK_US));
  g_assert_false (relay_active_speaker_look (other, NULL, 0, t += LOOK_US));
  g_assert_false (relay_active_speaker_look (other, &loud, 1, t += LOOK_US));
  g_assert_false (relay_active_speaker_look (other, &loud, 1, t += LOOK_US));
  g_assert_true (relay_active_speaker_look (other, &loud, 1, t += LOOK_US));
  g_assert_cmpstr (relay_active_speaker_get (other, NULL, &source), ==, "TH-20");
  g_assert_cmpstr (relay_level_source_name (source), ==, "decoded");
  relay_active_speaker_free (other);
}

static void
test_released_after_2_s_of_silence (Fixture *f, gconstpointer data)
{
  g_assert_cmpstr (hold_for (f, 600 * 1000, "TH-50", -20, NULL, 0), ==, "TH-50");
  /* Pauses between sentences, up to 1.8 s: still the speaker. */
  for (int round = 0; round < 3; round++)
    {
      g_assert_cmpstr (hold_for (f, 1800 * 1000, NULL, 0, NULL, 0), ==, "TH-50");
      g_assert_cmpstr (hold_for (f, 200 * 1000, "TH-50", -35, NULL, 0), ==, "TH-50");
    }
  /* Quiet, but still heard below -50 dBov, is silence too. */
  g_assert_cmpstr (hold_for (f, 1800 * 1000, "TH-50", -60, NULL, 0), ==, "TH-50");
  g_assert_true (look (f, "TH-50", -60, NULL, 0, NULL, 0));
  g_assert_null (speaker (f));
  g_assert_cmpuint (f->changes, ==, 2);
}

static void
test_takeover_needs_6_db (Fixture *f, gconstpointer data)
{
  g_assert_cmpstr (hold_for (f, 600 * 1000, "TH-50", -20, NULL, 0), ==, "TH-50");
  /* Two offices talking over each other, the other a little louder: the
   * highlight stays where it is. */
  g_assert_cmpstr (hold_for (f, 5 * G_USEC_PER_SEC, "TH-50", -20, "TH-11", -15), ==, "TH-50");
  /* Clearly louder (8 dB) for 400 ms: taken over. */
  g_assert_cmpstr (hold_for (f, 400 * 1000, "TH-50", -20, "TH-11", -12), ==, "TH-50");
  g_assert_true (look (f, "TH-50", -20, "TH-11", -12, NULL, 0));
  g_assert_cmpstr (speaker (f), ==, "TH-11");
  /* And now the rule protects TH-11 the same way. */
  g_assert_cmpstr (hold_for (f, 5 * G_USEC_PER_SEC, "TH-50", -8, "TH-11", -12), ==, "TH-11");
  g_assert_cmpuint (f->changes, ==, 2);
}

static void
test_no_flicker (Fixture *f, gconstpointer data)
{
  /* Two voices of about the same loudness, each louder at every other
   * look (a conversation): one speaker, chosen once. */
  for (int i = 0; i < 100; i++)
    look (f, "TH-50", i % 2 ? -22 : -18, "TH-11", i % 2 ? -18 : -22, NULL, 0);
  g_assert_cmpuint (f->changes, ==, 0); /* neither was the loudest for 400 ms */
  /* One of them goes on alone: confirmed; the other joins in again at its
   * former loudness and never takes the highlight. */
  g_assert_cmpstr (hold_for (f, 600 * 1000, "TH-11", -20, NULL, 0), ==, "TH-11");
  for (int i = 0; i < 100; i++)
    look (f, "TH-50", i % 2 ? -22 : -16, "TH-11", i % 2 ? -16 : -22, NULL, 0);
  g_assert_cmpstr (speaker (f), ==, "TH-11");
  g_assert_cmpuint (f->changes, ==, 1);
}

static void
test_silent_speaker_replaced (Fixture *f, gconstpointer data)
{
  g_assert_cmpstr (hold_for (f, 600 * 1000, "TH-50", -10, NULL, 0), ==, "TH-50");
  /* TH-50 stops; a quieter office speaks: no margin against someone
   * silent, 400 ms and it is the speaker, with no null in between. */
  g_assert_false (look (f, "TH-11", -40, NULL, 0, NULL, 0));
  g_assert_false (look (f, "TH-11", -40, NULL, 0, NULL, 0));
  g_assert_true (look (f, "TH-11", -40, NULL, 0, NULL, 0));
  g_assert_cmpstr (speaker (f), ==, "TH-11");
  g_assert_cmpuint (f->changes, ==, 2);
}

static void
test_candidate_changes (Fixture *f, gconstpointer data)
{
  /* TH-11 loudest for two looks, then TH-12 louder still: TH-12's 400 ms
   * start when it became the loudest. */
  look (f, "TH-11", -30, NULL, 0, NULL, 0);
  look (f, "TH-11", -30, NULL, 0, NULL, 0);
  g_assert_false (look (f, "TH-11", -30, "TH-12", -10, NULL, 0));
  g_assert_false (look (f, "TH-11", -30, "TH-12", -10, NULL, 0));
  g_assert_true (look (f, "TH-11", -30, "TH-12", -10, NULL, 0));
  g_assert_cmpstr (speaker (f), ==, "TH-12");

  /* Equally loud with nobody speaking: the first in the order wins. */
  RelayActiveSpeaker *other = relay_active_speaker_new ();
  RelaySpeakerLevel tie[] = { { "central", -20, RELAY_LEVEL_FROM_RTP },
                              { "TH-11", -20, RELAY_LEVEL_FROM_RTP } };
  for (gint64 t = 0; t <= 400 * 1000; t += LOOK_US)
    relay_active_speaker_look (other, tie, 2, t);
  g_assert_cmpstr (relay_active_speaker_get (other, NULL, NULL), ==, "central");
  relay_active_speaker_free (other);
}

static void
test_silent_speaker_released_while_others_contend (Fixture *f, gconstpointer data)
{
  g_assert_cmpstr (hold_for (f, 600 * 1000, "TH-50", -10, NULL, 0), ==, "TH-50");
  /* TH-50 has gone; two others alternate as the loudest, so neither is
   * confirmed: TH-50 is still released after 2 s, not kept as if it
   * spoke. */
  gint64 last_heard = f->now - LOOK_US;
  gboolean released = FALSE;
  for (int i = 0; !released; i++)
    {
      gint64 at = f->now;
      released = look (f, "TH-11", i % 2 ? -20 : -30, "TH-12", i % 2 ? -30 : -20, NULL, 0);
      g_assert_true (released == (at - last_heard >= 2 * G_USEC_PER_SEC));
    }
  g_assert_null (speaker (f));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/active-speaker/" path, Fixture, NULL, fixture_set_up, fn, \
                                  fixture_tear_down)
  ADD ("nobody", test_nobody);
  ADD ("confirmed-after-400-ms", test_confirmed_after_400_ms);
  ADD ("released-after-2-s-of-silence", test_released_after_2_s_of_silence);
  ADD ("takeover-needs-6-db", test_takeover_needs_6_db);
  ADD ("no-flicker", test_no_flicker);
  ADD ("silent-speaker-replaced", test_silent_speaker_replaced);
  ADD ("candidate-changes", test_candidate_changes);
  ADD ("silent-speaker-released-while-others-contend", test_silent_speaker_released_while_others_contend);
#undef ADD
  return g_test_run ();
}
