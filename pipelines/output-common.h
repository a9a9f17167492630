/* Pieces shared by the pipelines that produce the relay's own pictures
 * (mosaic, program; put together in picture-output.h): the pipeline
 * itself (system clock, media threads at nice 5, errors logged: a
 * gst-util.h pipeline), live raw-video source pads of ours that stand in
 * for appsrc (gst-util.h live source pads), and the ticker thread that
 * feeds them; and the buckets every output's latency (mosaic, program,
 * conference mix) is exposed in. */
#pragma once

#include <glib.h>
#include <gst/gst.h>
#include "webrtc/base/metrics-histogram.h"

G_BEGIN_DECLS

/* Every raw picture of ours is BT.601 (as tile-renderer draws it). Left
 * unsaid, GStreamer would take BT.709 for the 1080p output and BT.601 for
 * the tiles, and the compositor would convert every tile of every output
 * frame. */
#define RELAY_OUTPUT_COLORIMETRY "bt601"

/* A GstPipeline on the default system clock (gst_system_clock_obtain: the
 * monotonic clock, or a GstTestClock a test made the default), whose
 * streaming threads run at nice 5 and whose errors and warnings go to
 * relay_warn. Every timed decision of the pipelines built on it (ticks,
 * "signal lost" after 2 s, one forced keyframe a second) is taken on this
 * clock and the frames' running time, never on g_get_monotonic_time: the
 * stream decides, not how late a thread woke, and a test can step time. */
GstElement *relay_output_pipeline_new (const char *name);
/* To NULL, bus handler removed, unref. NULL-safe. */
void relay_output_pipeline_free (GstElement *pipeline);

/* A live source pad of ours (latency: live, none added; raw I420 of any
 * size), activated, linked to `peer`. NULL on a link failure. */
GstPad *relay_output_pad_new (const char *name, GstPad *peer, GError **error);
/* Stream-start, caps for w x h I420 at `fps` (0: variable), segment. */
void relay_output_pad_start (GstPad *pad, int width, int height, int fps);
void relay_output_pad_set_size (GstPad *pad, int width, int height, int fps);
/* Pushes a shallow copy stamped pts (and duration, may be NONE): the same
 * picture can be pushed again while an earlier push is still held
 * downstream. */
void relay_output_pad_push (GstPad *pad, GstBuffer *picture, GstClockTime pts,
                            GstClockTime duration);
void relay_output_pad_free (GstPad *pad);

/* A histogram with the buckets of briefing_relay_output_latency_seconds
 * (GET /metrics): the same for every output, so they compare. */
RelayMetricsHistogram *relay_output_latency_histogram_new (void);

/* A thread calling `tick` with the pipeline running time at every
 * multiple of `period` plus `offset` (running time of the pipeline whose
 * clock and base time are given), waiting on that clock; ticks that fell
 * behind are skipped. Runs at nice 5. */
typedef void (*RelayTickFunc) (GstClockTime running_time, gpointer data);
typedef struct _RelayTicker RelayTicker;

RelayTicker *relay_ticker_start (const char *name, GstElement *pipeline, GstClockTime period,
                                 GstClockTime offset, RelayTickFunc tick, gpointer data);
/* Tells the thread to stop after the tick it may be in (it no longer waits
 * for the next one); returns at once. NULL-safe, may be repeated. A tick
 * blocked pushing into a pipeline only returns once the pipeline flushes:
 * ask, set the pipeline to NULL, then stop. */
void relay_ticker_request_stop (RelayTicker *ticker);
/* Asks it to stop and joins the thread (not from the tick itself).
 * NULL-safe. */
void relay_ticker_stop (RelayTicker *ticker);

G_END_DECLS
