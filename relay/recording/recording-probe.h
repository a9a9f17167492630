/* What a recorded file holds, read back from the file itself: its media
 * duration up to its last complete fragment (MP4 moof+mdat, WebM cluster)
 * and its size. Used after a crash, when the index may be a fragment
 * behind the disk. Any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* container "mp4" or "webm". FALSE when the file cannot be read or holds
 * no complete fragment. */
gboolean relay_recording_probe (const char *path, const char *container, gint64 *duration_ms,
                                gint64 *bytes, GError **error);

G_END_DECLS
