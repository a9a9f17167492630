/* Full intra request (PSFB FMT 4, RFC 5104 4.3.1). */
#pragma once

#include <glib.h>
#include "webrtc/rtcp/rtcp-packet.h"

G_BEGIN_DECLS

void relay_rtcp_fir_write (GByteArray *out, guint32 sender_ssrc, guint32 media_ssrc, guint8 seq_nr);
/* The first FCI entry's SSRC and command sequence number. */
gboolean relay_rtcp_fir_parse (const RelayRtcpHeader *header, guint32 *sender_ssrc,
                               guint32 *media_ssrc, guint8 *seq_nr);

G_END_DECLS
