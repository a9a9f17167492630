#include "relay/recording/recording-probe.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "relay/recording/fmp4-reader.h"
#include "relay/recording/webm-reader.h"

gboolean
relay_recording_probe (const char *path, const char *container, gint64 *duration_ms,
                       gint64 *bytes, GError **error)
{
  GStatBuf st;
  if (g_stat (path, &st) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  *bytes = st.st_size;
  if (strcmp (container, "webm") == 0)
    {
      RelayWebmScan scan;
      if (!relay_webm_scan_file (path, &scan, error))
        return FALSE;
      *duration_ms = scan.duration_us / 1000;
      return TRUE;
    }
  g_autoptr (RelayFmp4Index) index = relay_fmp4_index_read (path, error);
  if (!index)
    return FALSE;
  *duration_ms = index->duration_us / 1000;
  return TRUE;
}
