/* Cross-worker packet hand-off. One GSource per channel (not per packet)
 * and a wake-up only on the empty -> non-empty edge keep the cost per
 * packet at one allocation and one uncontended lock when the receiver
 * keeps up, and bounded memory when it does not.
 *
 * Lifetime: the channel's GSource holds a reference of its own, so a
 * dispatch in progress can never see the channel freed under it, whichever
 * party drops its reference meanwhile. close() breaks that reference by
 * destroying the source; a receiver that never calls close() leaks the
 * channel (and keeps being called back), by design of the contract. */
#include "webrtc/worker/packet-channel.h"

#include <string.h>

typedef struct {
  GSource base;
  RelayPacketChannel *channel;
} ChannelSource;

struct _RelayPacketChannel
{
  gint ref_count; /* atomic */

  /* Set at creation, read-only afterwards: usable without the lock. */
  GMainContext *receiver;
  guint max_packets;
  gsize max_bytes;
  RelayPacketChannelFunc func;
  gpointer user_data;

  GMutex lock;
  GQueue queue;     /* of RelayChannelPacket *, oldest at the head */
  gsize queued_bytes; /* the RTP bytes in queue */
  gsize peak_bytes;
  gboolean pending; /* the queue is non-empty: what prepare/check look at */
  guint64 dropped, dropped_bytes;
  GSource *source;  /* NULL once closed */
  /* Written under the lock, but also read atomically by dispatch between
   * callbacks, so that close() from inside a callback stops the batch
   * without a lock round-trip per packet. */
  gint closed;
};

static void
free_packets (GQueue *packets)
{
  RelayChannelPacket *p;

  while ((p = g_queue_pop_head (packets)) != NULL)
    g_free (p);
}

static gboolean
channel_source_ready (GSource *source)
{
  RelayPacketChannel *channel = ((ChannelSource *) source)->channel;
  gboolean ready;

  g_mutex_lock (&channel->lock);
  ready = channel->pending;
  g_mutex_unlock (&channel->lock);
  return ready;
}

static gboolean
channel_source_prepare (GSource *source, gint *timeout)
{
  /* No timeout: the sender's wake-up of the context is what ends the
   * poll, so an idle channel costs nothing. */
  *timeout = -1;
  return channel_source_ready (source);
}

static gboolean
channel_source_check (GSource *source)
{
  return channel_source_ready (source);
}

static gboolean
channel_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  RelayPacketChannel *channel = ((ChannelSource *) source)->channel;
  GQueue batch = G_QUEUE_INIT;
  RelayChannelPacket *p;

  /* Take the whole queue in one step: the callbacks then run without the
   * lock, so a sender is never blocked behind the receiver's work, and
   * packets sent meanwhile wait for the next dispatch (which their
   * empty -> non-empty wake-up will cause). */
  g_mutex_lock (&channel->lock);
  batch = channel->queue;
  g_queue_init (&channel->queue);
  channel->queued_bytes = 0;
  channel->pending = FALSE;
  g_mutex_unlock (&channel->lock);

  while ((p = g_queue_pop_head (&batch)) != NULL)
    {
      /* close() may have been called by the previous callback. */
      if (g_atomic_int_get (&channel->closed))
        {
          g_free (p);
          continue;
        }
      channel->func (p, channel->user_data);
      g_free (p);
    }
  return G_SOURCE_CONTINUE;
}

static void
channel_source_finalize (GSource *source)
{
  relay_packet_channel_unref (((ChannelSource *) source)->channel);
}

static GSourceFuncs channel_source_funcs = {
  .prepare = channel_source_prepare,
  .check = channel_source_check,
  .dispatch = channel_source_dispatch,
  .finalize = channel_source_finalize,
};

RelayPacketChannel *
relay_packet_channel_new (GMainContext *receiver, guint max_packets, gsize max_bytes,
                          RelayPacketChannelFunc func, gpointer user_data)
{
  RelayPacketChannel *channel;
  ChannelSource *source;

  g_return_val_if_fail (receiver != NULL, NULL);
  g_return_val_if_fail (max_packets > 0, NULL);
  g_return_val_if_fail (max_bytes > 0, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  channel = g_new0 (RelayPacketChannel, 1);
  /* One for the caller, one for the source (dropped in its finalize). */
  channel->ref_count = 2;
  channel->receiver = g_main_context_ref (receiver);
  channel->max_packets = max_packets;
  channel->max_bytes = max_bytes;
  channel->func = func;
  channel->user_data = user_data;
  g_mutex_init (&channel->lock);
  g_queue_init (&channel->queue);

  source = (ChannelSource *) g_source_new (&channel_source_funcs, sizeof (ChannelSource));
  source->channel = channel;
  g_source_set_static_name (&source->base, "relay-packet-channel");
  channel->source = &source->base;
  g_source_attach (channel->source, receiver);
  return channel;
}

RelayPacketChannel *
relay_packet_channel_ref (RelayPacketChannel *channel)
{
  g_return_val_if_fail (channel != NULL, NULL);
  g_atomic_int_inc (&channel->ref_count);
  return channel;
}

void
relay_packet_channel_unref (RelayPacketChannel *channel)
{
  g_return_if_fail (channel != NULL);

  if (!g_atomic_int_dec_and_test (&channel->ref_count))
    return;

  /* Last reference: the source's is gone too, so nothing else can reach
   * the channel and the lock is not needed. */
  free_packets (&channel->queue);
  g_mutex_clear (&channel->lock);
  g_main_context_unref (channel->receiver);
  g_free (channel);
}

void
relay_packet_channel_close (RelayPacketChannel *channel)
{
  GQueue leftover = G_QUEUE_INIT;
  GSource *source;
  gboolean acquired;

  g_return_if_fail (channel != NULL);

  g_mutex_lock (&channel->lock);
  if (channel->source == NULL)
    {
      g_mutex_unlock (&channel->lock);
      return;
    }
  g_atomic_int_set (&channel->closed, TRUE);
  leftover = channel->queue;
  g_queue_init (&channel->queue);
  channel->queued_bytes = 0;
  channel->pending = FALSE;
  source = g_steal_pointer (&channel->source);
  g_mutex_unlock (&channel->lock);

  free_packets (&leftover);

  /* Holding the context proves no other thread is between check and
   * dispatch of this source, which is what makes "no callback after
   * close" true. From within a dispatch on this thread the acquire
   * succeeds (ownership is recursive) and the dispatch loop stops on the
   * closed flag. */
  acquired = g_main_context_acquire (channel->receiver);
  if (!acquired)
    g_critical ("relay_packet_channel_close: called outside the receiving context; "
                "a callback may still be running");
  g_source_destroy (source);
  if (acquired)
    g_main_context_release (channel->receiver);

  /* May run the finalize and so drop the source's reference; the caller's
   * own reference keeps the channel alive past this point. */
  g_source_unref (source);
}

gboolean
relay_packet_channel_send (RelayPacketChannel *channel, guint8 kind, gboolean keyframe,
                           gint64 arrival_us, const guint8 *data, gsize len)
{
  RelayChannelPacket *packet;
  GQueue evicted = G_QUEUE_INIT;
  gboolean was_empty;

  g_return_val_if_fail (channel != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  /* Too big to ever fit: emptying the queue for it would drop good
   * packets for one that is dropped anyway. */
  if (len > channel->max_bytes)
    {
      g_mutex_lock (&channel->lock);
      gboolean open = !channel->closed;
      if (open)
        {
          channel->dropped++;
          channel->dropped_bytes += len;
        }
      g_mutex_unlock (&channel->lock);
      return open;
    }

  /* Copy before taking the lock, so the receiver's dispatch never waits on
   * an allocation in the sender. */
  packet = g_malloc (sizeof (RelayChannelPacket) + len);
  packet->kind = kind;
  packet->keyframe = keyframe;
  packet->arrival_us = arrival_us;
  packet->len = len;
  if (len > 0)
    memcpy (packet->data, data, len);

  g_mutex_lock (&channel->lock);
  if (channel->closed)
    {
      g_mutex_unlock (&channel->lock);
      g_free (packet);
      return FALSE;
    }
  /* Oldest first, until the new packet fits both bounds. */
  while (channel->queue.length >= channel->max_packets
         || channel->queued_bytes + len > channel->max_bytes)
    {
      RelayChannelPacket *oldest = g_queue_pop_head (&channel->queue);
      channel->queued_bytes -= oldest->len;
      channel->dropped++;
      channel->dropped_bytes += oldest->len;
      g_queue_push_tail (&evicted, oldest);
    }
  was_empty = !channel->pending;
  g_queue_push_tail (&channel->queue, packet);
  channel->queued_bytes += len;
  channel->peak_bytes = MAX (channel->peak_bytes, channel->queued_bytes);
  channel->pending = TRUE;
  g_mutex_unlock (&channel->lock);

  free_packets (&evicted);
  /* A non-empty queue already has a wake-up on its way (or a dispatch
   * coming), so repeating it would only cost a syscall per packet. The
   * context stays valid: the channel holds a reference on it. */
  if (was_empty)
    g_main_context_wakeup (channel->receiver);
  return TRUE;
}

guint64
relay_packet_channel_get_dropped (RelayPacketChannel *channel)
{
  guint64 dropped;

  g_return_val_if_fail (channel != NULL, 0);

  g_mutex_lock (&channel->lock);
  dropped = channel->dropped;
  g_mutex_unlock (&channel->lock);
  return dropped;
}

void
relay_packet_channel_get_stats (RelayPacketChannel *channel, RelayPacketChannelStats *stats)
{
  g_return_if_fail (channel != NULL);

  g_mutex_lock (&channel->lock);
  stats->dropped = channel->dropped;
  stats->dropped_bytes = channel->dropped_bytes;
  stats->queued = channel->queue.length;
  stats->queued_bytes = channel->queued_bytes;
  stats->peak_bytes = channel->peak_bytes;
  g_mutex_unlock (&channel->lock);
}
