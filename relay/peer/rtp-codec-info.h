/* Codec-level facts about an RTP payload the transport needs without
 * decoding: whether a packet starts a keyframe. */
#pragma once

#include <glib.h>
#include "relay/sdp/sdp-offer.h"

G_BEGIN_DECLS

/* TRUE when the payload is (the start of) a keyframe: VP8 RFC 7741 with
 * S=1, PID=0 and the P bit clear; H.264 RFC 6184 with an IDR or SPS NAL
 * unit (single, STAP-A or FU-A start). */
gboolean relay_rtp_payload_is_keyframe (RelayCodec codec, const guint8 *payload, gsize len);

G_END_DECLS
