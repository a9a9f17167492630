/* make-recording: a long briefing recording made in seconds, for the review
 * benchmark (bench/recording.mjs). An H.264 Annex-B clip (made once by the
 * benchmark with gst-launch) is looped through the relay's own fragmented
 * MP4 writer for `--minutes` of media, cut into segments as the recorder
 * cuts them, and indexed in the relay's database as an ended briefing with
 * a turn every few minutes, exactly as the relay would have left it.
 *
 *   make-recording --data-dir DIR --clip FILE --minutes 60 [--segment-s 900]
 *
 * Prints {"briefing":ID,"files":N,"bytes":B,"duration_ms":D} on stdout.
 * Single-threaded; the relay must not be running on DIR. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "relay/briefing/briefing-store.h"
#include "relay/recording/fmp4-writer.h"
#include "relay/recording/recording-index.h"

#define FPS 15
#define TURN_EVERY_S 300

typedef struct {
  GPtrArray *nals; /* GBytes* */
  gboolean idr;
  gboolean has_slice;
} AccessUnit;

static void
au_free (AccessUnit *au)
{
  g_ptr_array_unref (au->nals);
  g_free (au);
}

/* Splits Annex-B into NAL units, and those into access units: a new one at
 * each access unit delimiter, or at a slice whose first_mb_in_slice is 0. */
static GPtrArray *
read_clip (const char *path, GBytes **sps, GBytes **pps, GError **error)
{
  g_autofree guint8 *data = NULL;
  gsize len;
  if (!g_file_get_contents (path, (char **) &data, &len, error))
    return NULL;
  GPtrArray *aus = g_ptr_array_new_with_free_func ((GDestroyNotify) au_free);
  AccessUnit *cur = NULL;
  gsize i = 0;
  while (i + 3 < len)
    {
      if (!(data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1))
        {
          i++;
          continue;
        }
      gsize start = i + 3, end = start;
      while (end + 3 <= len && !(data[end] == 0 && data[end + 1] == 0
                                  && (data[end + 2] == 1 || (data[end + 2] == 0 && end + 3 < len
                                                             && data[end + 3] == 1))))
        end++;
      if (end + 3 > len)
        end = len;
      i = end;
      if (end <= start)
        continue;
      guint type = data[start] & 0x1f;
      GBytes *nal = g_bytes_new (data + start, end - start);
      if (type == 7 || type == 8)
        {
          GBytes **slot = type == 7 ? sps : pps;
          if (!*slot)
            *slot = g_bytes_ref (nal);
          g_bytes_unref (nal);
          continue;
        }
      gboolean slice = type == 1 || type == 5;
      /* first_mb_in_slice is ue(v): 0 is a single 1 bit. */
      gboolean first_mb = slice && end - start > 1 && (data[start + 1] & 0x80);
      if (type == 9 || (first_mb && cur && cur->has_slice))
        cur = NULL;
      if (!slice && type != 6)
        {
          g_bytes_unref (nal);
          continue;
        }
      if (!cur)
        {
          cur = g_new0 (AccessUnit, 1);
          cur->nals = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
          g_ptr_array_add (aus, cur);
        }
      cur->idr |= type == 5;
      cur->has_slice |= slice;
      g_ptr_array_add (cur->nals, nal);
    }
  /* Drop empty ones (an SEI without a slice). */
  for (guint k = aus->len; k-- > 0;)
    if (!((AccessUnit *) aus->pdata[k])->has_slice)
      g_ptr_array_remove_index (aus, k);
  return aus;
}

int
main (int argc, char **argv)
{
  g_autofree char *data_dir = NULL, *clip = NULL;
  gint minutes = 60, segment_s = 900;
  GOptionEntry entries[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "The relay's data dir", "DIR" },
    { "clip", 0, 0, G_OPTION_ARG_FILENAME, &clip, "H.264 Annex-B clip, IDR first", "FILE" },
    { "minutes", 0, 0, G_OPTION_ARG_INT, &minutes, "Media length", "N" },
    { "segment-s", 0, 0, G_OPTION_ARG_INT, &segment_s, "Segment length", "S" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- a long recording for the review benchmark");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || !data_dir || !clip || minutes < 1
      || segment_s < 10)
    {
      fprintf (stderr, "make-recording: %s\n", error ? error->message : "--data-dir and --clip needed");
      return 2;
    }
  g_autoptr (GBytes) sps = NULL, pps = NULL;
  g_autoptr (GPtrArray) aus = read_clip (clip, &sps, &pps, &error);
  if (!aus || !aus->len || !sps || !pps || !((AccessUnit *) aus->pdata[0])->idr)
    {
      fprintf (stderr, "make-recording: %s: %s\n", clip,
               error ? error->message : "no SPS/PPS, or it does not start with an IDR");
      return 1;
    }
  sqlite3 *db = relay_briefing_store_open (data_dir, &error);
  if (!db)
    {
      fprintf (stderr, "make-recording: %s\n", error->message);
      return 1;
    }
  gint64 total_ms = (gint64) minutes * 60 * 1000;
  gint64 now = g_get_real_time () / 1000;
  gint64 start_ms = now - total_ms;
  g_autoptr (RelayBriefing) b = relay_briefing_new (0, "benchmark: a long briefing", "2026-01-01");
  b->state = RELAY_BRIEFING_ENDED;
  b->created_ms = start_ms;
  b->started_ms = start_ms;
  b->ended_ms = now;
  b->roll_call_deadline_s = 300;
  if (!relay_briefing_store_insert (db, b, &error))
    {
      fprintf (stderr, "make-recording: %s\n", error->message);
      return 1;
    }
  /* A turn every few minutes, on the roster's first offices. */
  static const char *const offices[] = { "TH-50", "TH-51", "TH-52", "TH-53", "TH-54", "TH-55" };
  for (gint64 t = 0, k = 0; t + TURN_EVERY_S * 1000 <= total_ms; t += TURN_EVERY_S * 1000, k++)
    {
      RelayTurn turn = { .office = (char *) offices[k % G_N_ELEMENTS (offices)],
                         .agenda_position = -1, .started_ms = start_ms + t,
                         .ended_ms = start_ms + t + TURN_EVERY_S * 1000, .end_reason = "next" };
      if (!relay_briefing_store_insert_turn (db, b->id, &turn, &error)
          || !relay_briefing_store_update_turn (db, &turn, &error))
        {
          fprintf (stderr, "make-recording: %s\n", error->message);
          return 1;
        }
    }

  g_autofree char *rel_dir = g_strdup_printf ("recordings/%" G_GINT64_FORMAT, b->id);
  g_autofree char *dir = g_build_filename (data_dir, rel_dir, NULL);
  g_mkdir_with_parents (dir, 0700);
  RelayWriterParams params = { .video = TRUE, .audio = FALSE, .fsync_interval_ms = -1,
                               .expected_ms = (guint64) segment_s * 1000 };
  gint64 frames = total_ms * FPS / 1000, frame = 0, bytes = 0;
  guint segment = 0;
  while (frame < frames)
    {
      g_autofree char *name = g_strdup_printf ("program-%03u.mp4", segment);
      g_autofree char *rel = g_build_filename (rel_dir, name, NULL);
      g_autofree char *path = g_build_filename (data_dir, rel, NULL);
      g_autoptr (RelayFmp4Writer) w = relay_fmp4_writer_new (path, &params, &error);
      if (!w)
        {
          fprintf (stderr, "make-recording: %s\n", error->message);
          return 1;
        }
      gint64 seg_start = frame;
      /* Segments end at the clip's start: an IDR. */
      gint64 seg_frames = ((gint64) segment_s * FPS / aus->len + 1) * aus->len;
      for (; frame < frames && frame - seg_start < seg_frames; frame++)
        {
          AccessUnit *au = aus->pdata[frame % aus->len];
          RelayMediaFrame f = { .codec = RELAY_MEDIA_H264, .timestamp = frame * 90000 / FPS,
                                .keyframe = au->idr, .nals = au->nals, .sps = sps, .pps = pps };
          if (!relay_fmp4_writer_push (w, &f, &error))
            {
              fprintf (stderr, "make-recording: %s\n", error->message);
              return 1;
            }
        }
      if (!relay_fmp4_writer_finish (w, &error))
        {
          fprintf (stderr, "make-recording: %s\n", error->message);
          return 1;
        }
      RelayWriterStats st;
      relay_fmp4_writer_get_stats (w, &st);
      RelayRecordingRow row = { .briefing_id = b->id, .kind = "program", .segment = segment,
                                .path = rel, .container = "mp4", .video_codec = "h264",
                                .width = 1280, .height = 720,
                                .started_ms = start_ms + seg_start * 1000 / FPS };
      if (!relay_recording_index_insert (db, &row, &error)
          || !relay_recording_index_close (db, row.id, "complete", st.duration_us / 1000,
                                           (gint64) st.bytes_written, NULL, &error))
        {
          fprintf (stderr, "make-recording: %s\n", error->message);
          return 1;
        }
      bytes += (gint64) st.bytes_written;
      segment++;
    }
  sqlite3_close (db);
  printf ("{\"briefing\":%" G_GINT64_FORMAT ",\"files\":%u,\"bytes\":%" G_GINT64_FORMAT
          ",\"duration_ms\":%" G_GINT64_FORMAT "}\n",
          b->id, segment, bytes, frames * 1000 / FPS);
  return 0;
}
