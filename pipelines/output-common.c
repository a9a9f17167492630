#include "pipelines/output-common.h"

#include "pipelines/gst-util.h"
#include "pipelines/media-thread.h"
#include "webrtc/base/log.h"

GstElement *
relay_output_pipeline_new (const char *name)
{
  g_autofree char *what = g_strdup_printf ("%s pipeline", name);
  GstElement *pipeline = relay_gst_pipeline_new (name, NULL, what);
  g_autoptr (GstClock) clock = gst_system_clock_obtain ();
  /* CLOCK_MONOTONIC, unless a test made a GstTestClock the default
   * (gst_system_clock_set_default) to step time itself. */
  gst_pipeline_use_clock (GST_PIPELINE (pipeline), clock);
  return pipeline;
}

void
relay_output_pipeline_free (GstElement *pipeline)
{
  relay_gst_pipeline_free (pipeline);
}

GstPad *
relay_output_pad_new (const char *name, GstPad *peer, GError **error)
{
  /* Any size until the first caps event says which. */
  g_autoptr (GstCaps) caps = gst_caps_from_string ("video/x-raw,format=I420");
  GstPad *pad = relay_gst_live_src_pad_new (name, caps);
  if (!peer || gst_pad_link (pad, peer) != GST_PAD_LINK_OK)
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "cannot link input %s",
                   name);
      relay_output_pad_free (pad);
      return NULL;
    }
  return pad;
}

void
relay_output_pad_set_size (GstPad *pad, int width, int height, int fps)
{
  g_autoptr (GstCaps) caps = gst_caps_new_simple (
      "video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, width, "height",
      G_TYPE_INT, height, "framerate", GST_TYPE_FRACTION, fps, 1, "pixel-aspect-ratio",
      GST_TYPE_FRACTION, 1, 1, "colorimetry", G_TYPE_STRING, RELAY_OUTPUT_COLORIMETRY, NULL);
  gst_pad_push_event (pad, gst_event_new_caps (caps));
}

void
relay_output_pad_start (GstPad *pad, int width, int height, int fps)
{
  g_autofree char *stream_id = g_strdup_printf ("relay-output/%s", GST_PAD_NAME (pad));
  GstEvent *start = gst_event_new_stream_start (stream_id);
  gst_event_set_group_id (start, gst_util_group_id_next ());
  gst_pad_push_event (pad, start);
  relay_output_pad_set_size (pad, width, height, fps);
  GstSegment segment;
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (pad, gst_event_new_segment (&segment));
}

void
relay_output_pad_push (GstPad *pad, GstBuffer *picture, GstClockTime pts, GstClockTime duration)
{
  GstBuffer *copy = gst_buffer_copy (picture);
  GST_BUFFER_PTS (copy) = pts;
  GST_BUFFER_DTS (copy) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (copy) = duration;
  GstFlowReturn ret = gst_pad_push (pad, copy);
  if (ret != GST_FLOW_OK && ret != GST_FLOW_FLUSHING)
    relay_debug (NULL, "output input %s: %s", GST_PAD_NAME (pad), gst_flow_get_name (ret));
}

void
relay_output_pad_free (GstPad *pad)
{
  if (!pad)
    return;
  gst_pad_set_active (pad, FALSE);
  gst_object_unref (pad);
}

struct _RelayTicker {
  GThread *thread;
  GstClock *clock;
  GstClockTime base_time, period, offset;
  RelayTickFunc tick;
  gpointer data;
  GMutex lock;
  GstClockID waiting; /* under lock: what stop unschedules */
  gboolean stopping;
};

static GstClockTime
next_tick (RelayTicker *self, GstClockTime now)
{
  return (now / self->period + 1) * self->period + self->offset;
}

static gpointer
ticker_thread (gpointer data)
{
  RelayTicker *self = data;
  relay_media_thread_lower_priority ();
  GstClockTime now = gst_clock_get_time (self->clock) - self->base_time;
  GstClockTime next = next_tick (self, now);
  g_mutex_lock (&self->lock);
  while (!self->stopping)
    {
      /* On the pipeline's clock, as the compositor waits for its deadlines:
       * the ticks keep step with the pipeline whatever clock it runs on
       * (a test's GstTestClock included). stop unschedules the wait. */
      GstClockID id = gst_clock_new_single_shot_id (self->clock, self->base_time + next);
      self->waiting = id;
      g_mutex_unlock (&self->lock);
      GstClockReturn ret = gst_clock_id_wait (id, NULL);
      g_mutex_lock (&self->lock);
      self->waiting = NULL;
      g_mutex_unlock (&self->lock);
      gst_clock_id_unref (id);
      if (ret == GST_CLOCK_OK || ret == GST_CLOCK_EARLY)
        {
          g_mutex_lock (&self->lock);
          gboolean stopping = self->stopping;
          g_mutex_unlock (&self->lock);
          if (!stopping)
            self->tick (next, self->data);
          now = gst_clock_get_time (self->clock) - self->base_time;
          next += self->period;
          if (next < now)
            next = next_tick (self, now);
        }
      g_mutex_lock (&self->lock);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

RelayTicker *
relay_ticker_start (const char *name, GstElement *pipeline, GstClockTime period,
                    GstClockTime offset, RelayTickFunc tick, gpointer data)
{
  RelayTicker *self = g_new0 (RelayTicker, 1);
  g_mutex_init (&self->lock);
  self->clock = gst_pipeline_get_clock (GST_PIPELINE (pipeline));
  self->base_time = gst_element_get_base_time (pipeline);
  self->period = MAX (period, GST_MSECOND);
  self->offset = offset;
  self->tick = tick;
  self->data = data;
  self->thread = g_thread_new (name, ticker_thread, self);
  return self;
}

void
relay_ticker_request_stop (RelayTicker *self)
{
  if (!self)
    return;
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  if (self->waiting)
    gst_clock_id_unschedule (self->waiting);
  g_mutex_unlock (&self->lock);
}

void
relay_ticker_stop (RelayTicker *self)
{
  if (!self)
    return;
  relay_ticker_request_stop (self);
  g_thread_join (self->thread);
  gst_object_unref (self->clock);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* Tens of milliseconds when the machine keeps up (a frame waits for the
 * next output tick, then the encoder), up to seconds when it does not. */
static const double output_latency_bounds_s[] = { 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25,
                                                  0.5, 1, 2.5 };

RelayMetricsHistogram *
relay_output_latency_histogram_new (void)
{
  return relay_metrics_histogram_new (output_latency_bounds_s,
                                      G_N_ELEMENTS (output_latency_bounds_s));
}
