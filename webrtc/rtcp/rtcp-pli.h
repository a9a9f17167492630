/* Picture loss indication (PSFB FMT 1, RFC 4585 6.3.1). */
#pragma once

#include <glib.h>
#include "webrtc/rtcp/rtcp-packet.h"

G_BEGIN_DECLS

void relay_rtcp_pli_write (GByteArray *out, guint32 sender_ssrc, guint32 media_ssrc);
gboolean relay_rtcp_pli_parse (const RelayRtcpHeader *header, guint32 *sender_ssrc, guint32 *media_ssrc);

G_END_DECLS
