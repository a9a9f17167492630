/* Test-only: captures what HTTP requests carry (each request's query and
 * Range header, the bodies of WHIP/WHEP offers and trickle PATCHes) into
 * the fuzz corpus through webrtc/base/input-capture.h, when
 * BRIEFING_CAPTURE_DIR is set. Main thread (libsoup's request-read). */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Captures every request's query and Range header, and the body of WHIP
 * and WHEP offers (sdp-offer) and trickle PATCHes (sdp-fragment). */
void relay_input_capture_watch_server (SoupServer *server);

G_END_DECLS
