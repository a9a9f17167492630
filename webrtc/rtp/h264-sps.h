/* The picture size an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1)
 * announces, read without a decoder: the ingest policer learns from it
 * what an office sends before (and without) decoding it. A pure function
 * of its input, callable from any thread; it reads only the bytes given
 * and owns nothing. The input comes from the network: every length and
 * every Exp-Golomb value is checked, and a malformed SPS is refused. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `nal` is one whole SPS NAL unit, its header byte first (type 7), with
 * emulation prevention bytes as sent. TRUE with the displayed size (the
 * coded size less the frame cropping) in *width and *height. */
gboolean relay_h264_sps_parse_size (const guint8 *nal, gsize len, guint *width, guint *height);

G_END_DECLS
