/* Codec-level facts about an RTP payload the transport needs without
 * decoding: whether a packet starts a keyframe, and the picture size a
 * keyframe announces. Pure functions of the payload, any thread; the
 * payload comes from the network and every offset is checked. */
#pragma once

#include <glib.h>
#include "webrtc/sdp/sdp-offer.h"

G_BEGIN_DECLS

/* TRUE when the payload is (the start of) a keyframe: VP8 RFC 7741 with
 * S=1, PID=0 and the P bit clear; H.264 RFC 6184 with an IDR or SPS NAL
 * unit (single, STAP-A or FU-A start). */
gboolean relay_rtp_payload_is_keyframe (RelayCodec codec, const guint8 *payload, gsize len);

/* TRUE with the picture size when the payload says it: VP8, the first
 * packet of a keyframe (RFC 6386 9.1, the scaling bits ignored); H.264, a
 * packet holding a whole SPS (single NAL unit or in a STAP-A; WebRTC
 * senders put one before every IDR). */
gboolean relay_rtp_payload_get_frame_size (RelayCodec codec, const guint8 *payload, gsize len,
                                           guint *width, guint *height);

G_END_DECLS
