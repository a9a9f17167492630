/* The pictures the relay draws itself (name labels, the muted badge, the
 * offline / signal lost / over limit / waiting cards, solid fills) and the
 * per-participant scaler. All output is opaque I420 so that the compositor
 * only copies it: drawn once (cards, labels, badges) or once per decoded
 * frame (scaling, and copying a label and a badge into the scaled frame),
 * never per output frame. Any thread: drawing text is serialised inside. */
#pragma once

#include <glib.h>
#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

/* 0xRRGGBB. The marks are documented in docs/API.md (the mosaic), where
 * users and tests rely on them. */
#define RELAY_TILE_OFFLINE_RGB 0x3a3a3a
#define RELAY_TILE_LOST_RGB 0x7a1010
#define RELAY_TILE_WAITING_RGB 0x102a4a
#define RELAY_TILE_OVER_LIMIT_RGB 0x8a5a00
/* The border around the floor holder's tile, and the active speaker's. */
#define RELAY_TILE_FLOOR_RGB 0x1e78ff
#define RELAY_TILE_SPEAKER_RGB 0xffc000
/* The muted badge: a white struck-through microphone on this red. */
#define RELAY_TILE_MUTED_RGB 0xd01c1c

/* width and height are rounded down to even numbers by every function. */

/* A plain I420 picture of one colour. */
GstBuffer *relay_tile_render_solid (int width, int height, guint32 rgb);

/* A card: `rgb` background, up to three centred lines (NULL skipped), the
 * first one larger. Thai shaping through Pango; fonts fall back through
 * fontconfig. */
GstBuffer *relay_tile_render_card (int width, int height, guint32 rgb, const char *line1,
                                   const char *line2, const char *line3);

/* The name band drawn along the bottom of a live picture of width x
 * frame_height: two lines (Thai in bold, English below it) on a dark band
 * of relay_tile_label_height (frame_height) lines. */
GstBuffer *relay_tile_render_label (int width, int frame_height, const char *name_th,
                                    const char *name_en);
int relay_tile_label_height (int frame_height);
/* The size of the Thai line's font in pixels (the English one is 3/4 of
 * it): a fifth of the picture's height, 20 px on a 1920x1080 grid tile. */
int relay_tile_label_text_px (int frame_height);

/* The muted badge, a square of relay_tile_badge_size (frame height). */
int relay_tile_badge_size (int frame_height);
GstBuffer *relay_tile_render_muted_badge (int size);

/* Copies a picture made here (width x height, I420) into an I420 frame
 * (writable, mapped through info) with its top-left corner at x, y (made
 * even), clipped to the frame. */
void relay_tile_blit (GstBuffer *frame, const GstVideoInfo *info, GstBuffer *picture, int width,
                      int height, int x, int y);

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
