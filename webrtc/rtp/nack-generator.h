/* Detects gaps in a video stream's sequence numbers and schedules NACKs
 * (RFC 4585) for them: a first request as soon as a gap is seen, retries
 * every max(rtt, 20 ms), up to 10 tries or 1 s, at most 1000 outstanding.
 * When the backlog overflows it asks for a keyframe instead. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RelayNackGenerator RelayNackGenerator;

RelayNackGenerator *relay_nack_generator_new (void);
void relay_nack_generator_free (RelayNackGenerator *gen);

/* A received packet (original or restored from RTX). Returns TRUE when the
 * generator gave up on packets and a keyframe should be requested. */
gboolean relay_nack_generator_on_packet (RelayNackGenerator *gen, guint16 seq, gint64 now_us);

void relay_nack_generator_set_rtt (RelayNackGenerator *gen, guint rtt_ms);

/* Sequence numbers due for a NACK now (at most max); marks them as sent. */
guint relay_nack_generator_collect (RelayNackGenerator *gen, gint64 now_us, guint16 *seqs, guint max);

/* Total distinct sequence numbers ever NACKed, and NACK requests sent. */
guint64 relay_nack_generator_get_nacked (RelayNackGenerator *gen);
/* Every sequence number sent in a NACK, retries included. */
guint64 relay_nack_generator_get_requests (RelayNackGenerator *gen);
/* Sequence numbers currently outstanding. */
guint relay_nack_generator_get_missing (RelayNackGenerator *gen);

/* Forget everything (e.g. after the SSRC changed). */
void relay_nack_generator_reset (RelayNackGenerator *gen);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayNackGenerator, relay_nack_generator_free)

G_END_DECLS
