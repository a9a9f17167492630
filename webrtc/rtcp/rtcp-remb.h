/* Receiver estimated maximum bitrate (PSFB FMT 15 "REMB",
 * draft-alvestrand-rmcat-remb-03). */
#pragma once

#include <glib.h>
#include "webrtc/rtcp/rtcp-packet.h"

G_BEGIN_DECLS

void relay_rtcp_remb_write (GByteArray *out, guint32 sender_ssrc, guint64 bitrate_bps,
                            const guint32 *ssrcs, guint n_ssrcs);
gboolean relay_rtcp_remb_parse (const RelayRtcpHeader *header, guint64 *bitrate_bps,
                                guint32 *ssrcs, guint max_ssrcs, guint *n_ssrcs);

G_END_DECLS
