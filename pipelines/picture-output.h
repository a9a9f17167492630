/* The way out shared by the pipelines that make pictures of the relay's
 * own (the mosaic, the program): their pipeline on the system clock
 * (relay_output_pipeline_new), the encoder tail in it
 * (video-encoder-output.h), and the feeder thread that pushes a picture
 * at every frame of the output rate (relay_ticker). Each of them embeds
 * one and only adds what comes before the encoder: the compositor and its
 * tiles, or the one scaled source.
 *
 *   ... ! [encoder head] queue ! encoder ! payloader ! RTP out
 *
 * Threads: made, started, stopped and cleared by the owner's thread; the
 * feeder calls its tick on its own thread. The struct's fields are read
 * by the owner, set only by these functions. */
#pragma once

#include <glib.h>
#include <gst/gst.h>
#include "pipelines/output-common.h"
#include "pipelines/rtp-output.h"
#include "pipelines/video-encoder-output.h"
#include "webrtc/sdp/sdp-offer.h"

G_BEGIN_DECLS

typedef struct {
  char *name;             /* "mosaic", "program": names the pipeline and its threads */
  int fps;                /* the output rate, frames a second */
  GstElement *pipeline;   /* owned */
  GstClock *clock;        /* the pipeline's (owned reference) */
  GstClockTime base_time; /* the pipeline's, once playing */
  /* Owned; in the pipeline. The owner links its raw pictures to its head
   * and calls it for captures, keyframes and stats (any thread). */
  RelayVideoEncoderOutput *encoder;
  RelayTicker *feeder;    /* owned; NULL until started */
} RelayPictureOutput;

/* Fills `out` (zeroed by the caller) with the pipeline `name` and the
 * encoder tail (codec H264 or VP8, one picture every 1/fps s, bitrate,
 * fixed SSRC) whose packets go to `output`. On failure the error is set
 * and `out` holds what was made: relay_picture_output_clear frees it. */
gboolean relay_picture_output_init (RelayPictureOutput *out, const char *name, RelayCodec codec,
                                    int fps, guint bitrate_kbps, guint32 ssrc,
                                    RelayRtpOutputFunc output, gpointer user_data,
                                    GError **error);

/* To PLAYING ("<name> pipeline refused to start" otherwise); base_time is
 * then the pipeline's. */
gboolean relay_picture_output_play (RelayPictureOutput *out, GError **error);

/* Starts the thread "<name>-feed" that calls `feed` with the running time
 * of every output frame (multiples of 1/fps, plus `offset`). */
void relay_picture_output_start_feeder (RelayPictureOutput *out, GstClockTime offset,
                                        RelayTickFunc feed, gpointer data);

/* Stops the feeder and the pipeline's streaming: a feeder blocked pushing
 * into the pipeline is told to stop, the pipeline goes to NULL (which
 * returns its push), then it is joined. Afterwards the owner can free the
 * pads it pushed into. Safe on a partly made or already stopped output. */
void relay_picture_output_stop (RelayPictureOutput *out);

/* Frees what init made (after stop). */
void relay_picture_output_clear (RelayPictureOutput *out);

G_END_DECLS
