/* libFuzzer harness: key-frame detection on an RTP payload
 * (webrtc/rtp/rtp-codec-info.c), as the forwarding path runs it on every
 * video packet. The input is a whole RTP packet, as captured; its payload
 * goes to the VP8 (RFC 7741 descriptor) and the H.264 (RFC 6184 single
 * NAL, STAP-A, FU-A) readers alike, in a buffer of exactly its size. */
#include "tests/fuzz/fuzz-common.h"

#include <string.h>

#include "webrtc/rtp/rtp-codec-info.h"
#include "webrtc/rtp/rtp-packet.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  RelayRtpPacket p;
  const guint8 *payload = data;
  gsize len = size;
  /* Not RTP: the bytes are a payload on their own. */
  if (relay_rtp_packet_parse (&p, data, size))
    {
      payload = p.payload;
      len = p.payload_len;
    }
  /* A copy of exactly the payload: the padding after it in the packet
   * would hide a read past its end from AddressSanitizer. */
  guint8 *copy = g_memdup2 (payload, len);
  relay_rtp_payload_is_keyframe (RELAY_CODEC_VP8, copy, len);
  relay_rtp_payload_is_keyframe (RELAY_CODEC_H264, copy, len);
  relay_rtp_payload_is_keyframe (RELAY_CODEC_OPUS, copy, len);
  g_free (copy);
  return 0;
}
