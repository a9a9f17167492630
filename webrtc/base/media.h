/* The stack's shared media vocabulary, in one place: the kinds of media an
 * SDP m-line carries and its direction, the codecs the stack negotiates
 * and forwards, and the forward kind that labels a packet on its way from
 * a producer to a viewer (the `kind` of a RelayPacketChannel packet, which
 * the viewer checks against what it negotiated). Plain types; any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  RELAY_MEDIA_AUDIO,
  RELAY_MEDIA_VIDEO,
  RELAY_MEDIA_APPLICATION,
  RELAY_MEDIA_OTHER,
} RelayMediaKind;

typedef enum {
  RELAY_DIRECTION_SENDRECV,
  RELAY_DIRECTION_SENDONLY,
  RELAY_DIRECTION_RECVONLY,
  RELAY_DIRECTION_INACTIVE,
} RelayDirection;

typedef enum {
  RELAY_CODEC_NONE,
  RELAY_CODEC_OPUS,
  RELAY_CODEC_VP8,
  RELAY_CODEC_H264,
} RelayCodec;

/* "opus", "VP8", "H264"; "none". */
const char *relay_codec_name (RelayCodec codec);

/* What a forwarded packet carries (one byte on the packet channel): the
 * producing side says it, the viewer side checks it. */
enum {
  RELAY_FORWARD_AUDIO = 0, /* Opus */
  RELAY_FORWARD_VP8 = 1,
  RELAY_FORWARD_H264 = 2,
};

/* The forward kind of a packet of `codec` (Opus: audio; H.264; else VP8). */
guint8 relay_forward_kind_of_codec (RelayCodec codec);

G_END_DECLS
