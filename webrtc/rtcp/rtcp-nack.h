/* Generic NACK (RTPFB FMT 1, RFC 4585 6.2.1). */
#pragma once

#include <glib.h>
#include "webrtc/rtcp/rtcp-packet.h"

G_BEGIN_DECLS

/* Packs seqs (any order, duplicates allowed) into PID/BLP pairs. */
void relay_rtcp_nack_write (GByteArray *out, guint32 sender_ssrc, guint32 media_ssrc,
                            const guint16 *seqs, guint n_seqs);

/* Appends the NACKed sequence numbers to `seqs` (a GArray of guint16), at
 * most `max_seqs` of them: one packet can list ~278,000 (16,000 PID/BLP
 * pairs). `left_out` (may be NULL) gets how many were past the limit. */
gboolean relay_rtcp_nack_parse (const RelayRtcpHeader *header, guint32 *sender_ssrc,
                                guint32 *media_ssrc, GArray *seqs, guint max_seqs,
                                guint *left_out);

G_END_DECLS
