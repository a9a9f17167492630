/* The standing of the relay's media threads (decoders, mixer, encoders)
 * against its transport workers. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Lowers the calling thread's priority below the transport workers': media
 * work may fall behind under load, forwarding, NACKs and RTCP must not.
 * Linux nice is per thread, so each media thread calls this for itself
 * (GStreamer's streaming threads from their STREAM_STATUS ENTER message,
 * which is posted from the new thread). */
void relay_media_thread_lower_priority (void);

G_END_DECLS
