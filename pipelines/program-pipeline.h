/* What the provinces see: one participant's camera (the central room, or
 * the floor holder when the chair chooses), scaled to the program size and
 * encoded once (config output_codec, program size and bitrate). While the
 * source has no frames (not connected, or none for 2 s) a card with its
 * name says so. Participants as for the mosaic. The program runs at the
 * mosaic's frame rate (config mosaic_framerate): a feeder thread encodes
 * the newest frame (or the card) at that rate. */
#pragma once

#include <glib.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include "pipelines/rtp-output.h"
#include "pipelines/video-encoder-output.h"
#include "relay/config/config.h"

G_BEGIN_DECLS

typedef struct _RelayProgram RelayProgram;

typedef struct {
  /* As the mosaic's; the latency runs from the source's frame pushed in
   * to its encoded frame leaving. */
  RelayVideoEncoderOutputStats encoded;
  char source[16];
} RelayProgramStats;

RelayProgram *relay_program_new (RelayConfig *config, RelayRtpOutputFunc output,
                                 gpointer user_data, GError **error);
void relay_program_free (RelayProgram *program);

/* As relay_mosaic_push_frame; frames of others than the source are
 * ignored cheaply. */
void relay_program_push_frame (RelayProgram *program, const char *participant, GstBuffer *frame,
                               const GstVideoInfo *info);
/* Whose camera; any thread. Starts with "central". */
void relay_program_set_source (RelayProgram *program, const char *participant);
void relay_program_request_keyframe (RelayProgram *program);
void relay_program_get_stats (RelayProgram *program, RelayProgramStats *stats);

G_END_DECLS
