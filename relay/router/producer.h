/* A source of RTP that viewers subscribe to (mediasoup's Producer): a
 * province's own stream on the SFU path, or one of the relay's encoded
 * outputs (the mosaic, the program, a conference mix). Sending copies the
 * packet into each subscriber's packet channel, so one encode reaches every
 * viewer with only their own SRTP added on their workers. Thread-safe. */
#pragma once

#include <glib.h>
#include "webrtc/worker/packet-channel.h"

G_BEGIN_DECLS

typedef struct _RelayProducer RelayProducer;

RelayProducer *relay_producer_new (void);
void relay_producer_free (RelayProducer *producer);

/* The producer holds a reference to the channel while subscribed; a
 * channel subscribed twice receives each packet once. */
void relay_producer_subscribe (RelayProducer *producer, RelayPacketChannel *channel);
/* TRUE when the channel was subscribed. */
gboolean relay_producer_unsubscribe (RelayProducer *producer, RelayPacketChannel *channel);

/* Any thread; kind as in webrtc/base/media.h. */
void relay_producer_send (RelayProducer *producer, guint8 kind, gboolean keyframe,
                          gint64 arrival_us, const guint8 *rtp, gsize len);

guint relay_producer_count_subscribers (RelayProducer *producer);

G_END_DECLS
