/* Receiver side of transport-wide congestion control
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01): records the arrival
 * time of each transport sequence number and builds transport-cc feedback
 * packets (RTPFB FMT 15) for the sender's bandwidth estimator. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RelayTwccRecorder RelayTwccRecorder;

RelayTwccRecorder *relay_twcc_recorder_new (void);
void relay_twcc_recorder_free (RelayTwccRecorder *rec);

void relay_twcc_recorder_on_packet (RelayTwccRecorder *rec, guint16 transport_seq, gint64 arrival_us);

/* Appends zero or more complete feedback packets (each at most ~1200 bytes)
 * for everything recorded since the last call; returns how many. */
guint relay_twcc_recorder_build_feedback (RelayTwccRecorder *rec, guint32 sender_ssrc,
                                          guint32 media_ssrc, GByteArray *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayTwccRecorder, relay_twcc_recorder_free)

G_END_DECLS
