#include "relay/recording/recording-repair.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "webrtc/base/log.h"
#include "relay/recording/recording-index.h"
#include "relay/recording/fmp4-reader.h"
#include "relay/recording/webm-reader.h"

/* Cuts what follows the last complete fragment and sets the file's
 * durations to what it holds: a player then shows the truth. */
static gboolean
mend_file (const char *path, const char *container, gint64 *duration_ms, gint64 *bytes,
           GError **error)
{
  gint64 duration_us = 0;
  gboolean ok = strcmp (container, "webm") == 0 ? relay_webm_repair (path, &duration_us, error)
                                                : relay_fmp4_repair (path, &duration_us, error);
  if (!ok)
    return FALSE;
  GStatBuf st;
  if (g_stat (path, &st) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  *duration_ms = duration_us / 1000;
  *bytes = st.st_size;
  return TRUE;
}

void
relay_recording_repair (sqlite3 *db, const char *data_dir)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = relay_recording_index_unfinished (db, &error);
  if (!rows)
    {
      relay_warn (NULL, "recordings: cannot read the index: %s", error->message);
      return;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      RelayRecordingRow *r = rows->pdata[i];
      g_autofree char *path = g_build_filename (data_dir, r->path, NULL);
      gint64 duration_ms = 0, bytes = 0;
      const char *state = "interrupted";
      g_autofree char *why = NULL;
      if (!mend_file (path, r->container, &duration_ms, &bytes, &error))
        {
          state = "failed";
          why = g_strdup_printf ("after a stop of the relay: %s", error->message);
          g_clear_error (&error);
        }
      if (!relay_recording_index_close (db, r->id, state, duration_ms, bytes, why, &error))
        {
          relay_warn (NULL, "recordings: %s: %s", r->path, error->message);
          g_clear_error (&error);
          continue;
        }
      relay_warn (r->office, "recording %s was left open by a stop of the relay: %s, %"
                             G_GINT64_FORMAT " ms",
                  r->path, state, duration_ms);
    }
}

/* Deletes one briefing's files; FALSE when the index could not be read. */
static gboolean
delete_briefing (sqlite3 *db, const char *data_dir, gint64 briefing_id, const char *why)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = relay_recording_index_list (db, briefing_id, &error);
  if (!rows)
    {
      relay_warn (NULL, "retention: %s", error->message);
      return FALSE;
    }
  gint64 bytes = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      RelayRecordingRow *r = rows->pdata[i];
      g_autofree char *path = g_build_filename (data_dir, r->path, NULL);
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          relay_warn (NULL, "retention: cannot delete %s: %s", path, g_strerror (errno));
          continue;
        }
      bytes += r->bytes;
      if (!relay_recording_index_mark_deleted (db, r->id, &error))
        {
          relay_warn (NULL, "retention: %s", error->message);
          return FALSE;
        }
    }
  g_autofree char *dir = g_strdup_printf ("%s/recordings/%" G_GINT64_FORMAT, data_dir, briefing_id);
  g_rmdir (dir); /* only when empty */
  relay_info (NULL, "retention: deleted the recordings of briefing %" G_GINT64_FORMAT
                    " (%" G_GINT64_FORMAT " bytes, %s)",
              briefing_id, bytes, why);
  return TRUE;
}

void
relay_recording_apply_retention (sqlite3 *db, const char *data_dir,
                                 const RelayRecordingConfig *config, gint64 keep_briefing)
{
  g_autoptr (GError) error = NULL;
  if (config->keep_days)
    {
      gint64 before = g_get_real_time () / 1000 - (gint64) config->keep_days * 86400 * 1000;
      gint64 id;
      while ((id = relay_recording_index_oldest_briefing (db, before, keep_briefing, &error)))
        if (!delete_briefing (db, data_dir, id, "older than keep-days"))
          return;
    }
  if (!config->max_total_mb)
    return;
  gint64 limit = (gint64) config->max_total_mb * 1024 * 1024;
  for (;;)
    {
      gint64 total = relay_recording_index_total_bytes (db, &error);
      if (total < 0 || total <= limit)
        break;
      gint64 id = relay_recording_index_oldest_briefing (db, 0, keep_briefing, &error);
      if (!id || !delete_briefing (db, data_dir, id, "over max-total-mb"))
        break;
    }
  if (error)
    relay_warn (NULL, "retention: %s", error->message);
}
