/* How a pipeline of ours that encodes (the mosaic, the program, the
 * conference mixes) hands its RTP packets to the relay, which fans them
 * out to viewers with only per-viewer SRTP. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Called from a GStreamer streaming thread for each packet, in order.
 * kind: RELAY_FORWARD_AUDIO, RELAY_FORWARD_VP8 or RELAY_FORWARD_H264
 * (webrtc/base/media.h). keyframe: the packet starts a keyframe.
 * capture_us: g_get_monotonic_time() when the newest input that went into
 * this frame reached the relay (for latency figures), 0 if unknown. The
 * packet is plain RTP with a fixed SSRC per output; it is borrowed. */
typedef void (*RelayRtpOutputFunc) (guint8 kind, gboolean keyframe, gint64 capture_us,
                                    const guint8 *rtp, gsize len, gpointer user_data);

G_END_DECLS
