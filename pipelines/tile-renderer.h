/* The pictures the relay draws itself (name labels, the offline / signal
 * lost / over limit / waiting cards, solid fills) and the per-participant scaler. All
 * output is opaque I420 so that the compositor only copies it: drawn once
 * (cards, labels) or once per decoded frame (scaling), never per output
 * frame. */
#pragma once

#include <glib.h>
#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

/* 0xRRGGBB */
#define RELAY_TILE_OFFLINE_RGB 0x3a3a3a
#define RELAY_TILE_LOST_RGB 0x7a1010
#define RELAY_TILE_WAITING_RGB 0x102a4a
#define RELAY_TILE_OVER_LIMIT_RGB 0x8a5a00
#define RELAY_TILE_HIGHLIGHT_RGB 0xffc000

/* width and height are rounded down to even numbers by every function. */

/* A plain I420 picture of one colour. */
GstBuffer *relay_tile_render_solid (int width, int height, guint32 rgb);

/* A card: `rgb` background, up to three centred lines (NULL skipped), the
 * first one larger. Thai shaping through Pango; fonts fall back through
 * fontconfig. */
GstBuffer *relay_tile_render_card (int width, int height, guint32 rgb, const char *line1,
                                   const char *line2, const char *line3);

/* The name band drawn along the bottom of a live tile: two lines (Thai,
 * English) on a dark band, height relay_tile_label_height (frame height). */
int relay_tile_label_height (int frame_height);
GstBuffer *relay_tile_render_label (int width, int height, const char *name_th,
                                    const char *name_en);

/* Copies a label made by relay_tile_render_label (label_width wide) into
 * the bottom rows of an I420 frame of the same width (writable, mapped
 * through info). */
void relay_tile_blit_label (GstBuffer *frame, const GstVideoInfo *info, GstBuffer *label,
                            int label_height);

/* Scales decoded frames of one participant to a target size, reusing its
 * GstVideoConverter while the input format and the size stay the same.
 * Not thread-safe: one per participant, used under its lock. */
typedef struct _RelayFrameScaler RelayFrameScaler;

RelayFrameScaler *relay_frame_scaler_new (void);
void relay_frame_scaler_free (RelayFrameScaler *scaler);
/* A new writable I420 buffer of width x height (even), or NULL when the
 * input cannot be mapped or converted. */
GstBuffer *relay_frame_scaler_scale (RelayFrameScaler *scaler, GstBuffer *frame,
                                     const GstVideoInfo *info, int width, int height);

G_END_DECLS
