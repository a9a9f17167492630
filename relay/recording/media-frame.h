/* The unit of exchange of the recording units: one complete coded frame
 * of one track, as the RTP frame assembler hands it out and the MP4 and
 * WebM writers take it, plus the small codec header readers they share
 * (Opus TOC, VP8 key frame header, H.264 SPS). Pure functions and plain
 * data: any thread, nothing global. A frame owns its buffers. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  RELAY_MEDIA_VP8,
  RELAY_MEDIA_H264,
  RELAY_MEDIA_OPUS,
} RelayMediaCodec;

/* Clock rates of the track timelines (RTP's: RFC 7741, 6184, 7587). */
#define RELAY_VIDEO_CLOCK 90000
#define RELAY_AUDIO_CLOCK 48000

typedef struct {
  RelayMediaCodec codec;
  /* Track clock (90 kHz video, 48 kHz audio), continuous and increasing
   * over the whole track, across changes of source. */
  gint64 timestamp;
  /* Decodable on its own: a VP8 key frame, an H.264 IDR; every Opus frame. */
  gboolean keyframe;
  /* VP8: the frame; Opus: the packet. NULL for H.264. */
  GBytes *data;
  /* H.264: the NAL units of the access unit without start codes, SPS, PPS
   * and access unit delimiters taken out. NULL for the other codecs. */
  GPtrArray *nals;
  /* H.264: the latest SPS and PPS seen on the track (NULL until seen). */
  GBytes *sps, *pps;
  /* Where the frame came from: its source's SSRC and RTP timestamp. */
  guint32 ssrc, rtp_timestamp;
} RelayMediaFrame;

void relay_media_frame_free (RelayMediaFrame *frame);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayMediaFrame, relay_media_frame_free)

/* Samples (48 kHz) an Opus packet holds, from its TOC (RFC 6716 §3.1);
 * 0 when the packet is malformed. */
guint relay_opus_packet_samples (const guint8 *data, gsize len);

/* Channels of an Opus packet's stream (the TOC's stereo bit): 1 or 2. */
guint relay_opus_packet_channels (const guint8 *data, gsize len);

/* Picture size of a VP8 key frame (RFC 6386 §9.1); FALSE when `data` is
 * not a key frame or is too short. */
gboolean relay_vp8_keyframe_size (const guint8 *data, gsize len, guint *width, guint *height);

/* What an H.264 sequence parameter set tells a container. */
typedef struct {
  guint8 profile_idc, constraint_flags, level_idc;
  guint chroma_format_idc, bit_depth_luma, bit_depth_chroma;
  guint width, height; /* after cropping */
} RelayH264Sps;

/* Parses an SPS NAL unit (with its header byte, emulation prevention
 * bytes in place; ITU-T H.264 §7.3.2.1.1). Bounds-checked: FALSE for any
 * malformed or truncated input. */
gboolean relay_h264_parse_sps (const guint8 *nal, gsize len, RelayH264Sps *sps);

G_END_DECLS
