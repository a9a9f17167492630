#include "webrtc/base/media.h"

const char *
relay_codec_name (RelayCodec codec)
{
  switch (codec)
    {
    case RELAY_CODEC_OPUS:
      return "opus";
    case RELAY_CODEC_VP8:
      return "VP8";
    case RELAY_CODEC_H264:
      return "H264";
    case RELAY_CODEC_NONE:
      break;
    }
  return "none";
}

guint8
relay_forward_kind_of_codec (RelayCodec codec)
{
  return codec == RELAY_CODEC_OPUS   ? RELAY_FORWARD_AUDIO
         : codec == RELAY_CODEC_H264 ? RELAY_FORWARD_H264
                                     : RELAY_FORWARD_VP8;
}
