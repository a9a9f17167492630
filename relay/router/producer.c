#include "relay/router/producer.h"

struct _RelayProducer {
  /* Taken for every packet sent; subscribing is rare. */
  GMutex lock;
  GPtrArray *subscribers; /* RelayPacketChannel* */
};

RelayProducer *
relay_producer_new (void)
{
  RelayProducer *self = g_new0 (RelayProducer, 1);
  g_mutex_init (&self->lock);
  self->subscribers = g_ptr_array_new_with_free_func ((GDestroyNotify) relay_packet_channel_unref);
  return self;
}

void
relay_producer_free (RelayProducer *self)
{
  if (!self)
    return;
  g_ptr_array_unref (self->subscribers);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
relay_producer_subscribe (RelayProducer *self, RelayPacketChannel *channel)
{
  g_mutex_lock (&self->lock);
  if (!g_ptr_array_find (self->subscribers, channel, NULL))
    g_ptr_array_add (self->subscribers, relay_packet_channel_ref (channel));
  g_mutex_unlock (&self->lock);
}

gboolean
relay_producer_unsubscribe (RelayProducer *self, RelayPacketChannel *channel)
{
  g_mutex_lock (&self->lock);
  gboolean removed = g_ptr_array_remove (self->subscribers, channel);
  g_mutex_unlock (&self->lock);
  return removed;
}

void
relay_producer_send (RelayProducer *self, guint8 kind, gboolean keyframe, gint64 arrival_us,
                     const guint8 *rtp, gsize len)
{
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->subscribers->len; i++)
    relay_packet_channel_send (self->subscribers->pdata[i], kind, keyframe, arrival_us, rtp, len);
  g_mutex_unlock (&self->lock);
}

guint
relay_producer_count_subscribers (RelayProducer *self)
{
  g_mutex_lock (&self->lock);
  guint n = self->subscribers->len;
  g_mutex_unlock (&self->lock);
  return n;
}
