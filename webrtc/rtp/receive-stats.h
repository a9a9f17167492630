/* Per-SSRC reception statistics (RFC 3550 A.1, A.3, A.8): extended highest
 * sequence, cumulative and interval loss, interarrival jitter, and the
 * report block for our receiver reports. */
#pragma once

#include <glib.h>
#include "webrtc/rtcp/rtcp-receiver-report.h"

G_BEGIN_DECLS

typedef struct _RelayReceiveStats RelayReceiveStats;

RelayReceiveStats *relay_receive_stats_new (guint32 ssrc, guint clock_rate);
void relay_receive_stats_free (RelayReceiveStats *stats);

/* Every received (decrypted) media packet; retransmissions (restored RTX)
 * pass is_retransmission so they count as received but not for jitter. */
void relay_receive_stats_on_packet (RelayReceiveStats *stats, guint16 seq, guint32 rtp_timestamp,
                                    gsize bytes, gint64 arrival_us, gboolean is_retransmission);

/* From the sender report: its NTP middle 32 bits, for LSR/DLSR. */
void relay_receive_stats_on_sender_report (RelayReceiveStats *stats, guint64 ntp_timestamp,
                                           gint64 arrival_us);

/* Fills a report block and starts a new interval for fraction lost. */
void relay_receive_stats_fill_report_block (RelayReceiveStats *stats, gint64 now_us,
                                            RelayRtcpReportBlock *block);

guint64 relay_receive_stats_get_packets (RelayReceiveStats *stats);
guint64 relay_receive_stats_get_bytes (RelayReceiveStats *stats);
/* expected - received, never negative (duplicates do not make it negative). */
guint64 relay_receive_stats_get_lost (RelayReceiveStats *stats);
/* Jitter in clock-rate units. */
guint32 relay_receive_stats_get_jitter (RelayReceiveStats *stats);
guint32 relay_receive_stats_get_ssrc (RelayReceiveStats *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayReceiveStats, relay_receive_stats_free)

G_END_DECLS
