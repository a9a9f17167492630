/* The GStreamer plumbing every pipeline of the relay shares (ingest,
 * mosaic, program, conference mix): creating elements with an error that
 * says which plugin is missing and which Debian package brings it; the
 * pipeline's bus, watched synchronously (streaming threads lowered behind
 * the transport as they start, errors and warnings logged); and the live
 * source pads of ours that stand in for appsrc.
 *
 * Threads: elements and pipelines are made and freed by their owner's
 * thread; the bus handler runs on whichever GStreamer thread posts (it
 * only logs and lowers the thread it runs on); the pads' query and event
 * functions run on the threads that query them. Nothing here keeps state
 * of its own beyond what it attaches to the pipeline or pad it is given. */
#pragma once

#include <glib.h>
#include <gst/gst.h>

G_BEGIN_DECLS

/* The Debian 12 package whose plugin provides `factory`, or NULL when the
 * relay does not use that factory (the table holds only ours). */
const char *relay_gst_debian_package (const char *factory);

/* An element of `factory` named `name` (NULL: GStreamer names it), a
 * floating reference. A factory that is not installed gives NULL and a
 * GST_CORE_ERROR_MISSING_PLUGIN error naming the factory and, where known,
 * the Debian package to install; one that is installed but fails to make
 * an element gives GST_CORE_ERROR_FAILED. */
GstElement *relay_gst_element_new (const char *factory, const char *name, GError **error);

/* The same with construct-time properties, as name/value pairs ending
 * with NULL ("name" among them where wanted). */
GstElement *relay_gst_element_new_with (const char *factory, GError **error,
                                        const char *first_property, ...) G_GNUC_NULL_TERMINATED;

/* A GstPipeline named `name` whose bus is handled synchronously, on the
 * posting thread (nobody runs a main loop for it):
 *  - a streaming thread's STREAM_STATUS ENTER, posted from the new thread
 *    itself, lowers that thread behind the transport workers
 *    (media-thread.h);
 *  - errors and warnings are logged with relay_warn as
 *    "<what> error|warning from <element>: <message>", under `province`
 *    (may be NULL). They are not acted on: the owner's stats and the
 *    viewers notice what stops;
 *  - everything else (state changes, EOS, latency, QoS) is dropped: no
 *    owner waits for a message, and an unread bus would only grow.
 * The strings are copied. Free with relay_gst_pipeline_free. */
GstElement *relay_gst_pipeline_new (const char *name, const char *province, const char *what);

/* To NULL (joining its streaming threads), bus handler removed, unref.
 * Not from one of its own streaming threads. NULL-safe. */
void relay_gst_pipeline_free (GstElement *pipeline);

/* A source pad of ours in place of a live source element, pushed from a
 * thread of ours; activated, not linked. Its queries:
 *  - latency: live, adding none (downstream works on its own deadlines);
 *  - caps: its current caps once it has them, `caps` before; accept-caps:
 *    TRUE. With `caps` NULL neither is answered and the peer decides.
 * Upstream events are dropped (relay_gst_pad_drop_event): there is nobody
 * upstream to tell; an owner that wants one sets its own event function.
 * `caps` is referenced, not taken. */
GstPad *relay_gst_live_src_pad_new (const char *name, GstCaps *caps);

/* A pad event function that takes the event and ends it there. */
gboolean relay_gst_pad_drop_event (GstPad *pad, GstObject *parent, GstEvent *event);

G_END_DECLS
