/* libFuzzer harness: one datagram as the transport sees it after SRTP
 * decryption (webrtc/rtp/rtp-packet.c). The RFC 7983 demultiplexer first,
 * then for RTP the parse, every header extension id (RFC 8285 one- and
 * two-byte forms), the RFC 6464 audio level and transport-wide sequence
 * number readers, and RFC 4588 RTX restore into a buffer of exactly the
 * size its contract asks for. Checks that every span handed back lies in
 * the input and that a restored packet parses as the original. */
#include "tests/fuzz/fuzz-common.h"

#include <string.h>

#include "webrtc/rtp/rtp-packet.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

static gboolean
within (const guint8 *p, gsize n, const guint8 *base, gsize len)
{
  return p >= base && n <= len && (gsize) (p - base) <= len - n;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  RelayDatagramKind kind = relay_datagram_classify (data, size);
  if (kind != RELAY_DATAGRAM_RTP && kind != RELAY_DATAGRAM_RTCP)
    return 0;

  RelayRtpPacket p;
  if (!relay_rtp_packet_parse (&p, data, size))
    return 0;
  FUZZ_CHECK (p.data == data && p.len == size);
  FUZZ_CHECK (within (p.payload, p.payload_len + p.padding_len, data, size));
  FUZZ_CHECK (p.payload + p.payload_len + p.padding_len == data + size);
  FUZZ_CHECK ((gsize) (p.payload - data) >= 12 + 4u * p.csrc_count);
  if (p.ext_data)
    FUZZ_CHECK (within (p.ext_data, p.ext_len, data, size) && p.ext_data + p.ext_len <= p.payload);
  fuzz_touch (p.payload, p.payload_len);

  for (guint id = 0; id <= 255; id++)
    {
      const guint8 *ext;
      gsize ext_len;
      if (relay_rtp_packet_get_extension (&p, (guint8) id, &ext, &ext_len))
        {
          FUZZ_CHECK (id != 0);
          FUZZ_CHECK (within (ext, ext_len, p.ext_data, p.ext_len));
          fuzz_touch (ext, ext_len);
        }
      guint8 level;
      gboolean voice;
      guint16 twcc;
      if (relay_rtp_packet_get_audio_level (&p, (guint8) id, &level, &voice))
        FUZZ_CHECK (level <= 127);
      relay_rtp_packet_get_transport_seq (&p, (guint8) id, &twcc);
    }

  /* RFC 4588: out needs only rtx->len bytes; ASan sees any write past. */
  guint8 *out = g_malloc (size);
  gsize n = relay_rtx_restore (&p, 96, 0x01020304, out);
  if (p.payload_len < 2)
    FUZZ_CHECK (n == 0);
  else
    {
      FUZZ_CHECK (n == size - p.padding_len - 2);
      RelayRtpPacket orig;
      FUZZ_CHECK (relay_rtp_packet_parse (&orig, out, n));
      FUZZ_CHECK (orig.payload_type == 96 && orig.ssrc == 0x01020304);
      FUZZ_CHECK (orig.seq == (guint16) ((p.payload[0] << 8) | p.payload[1]));
      FUZZ_CHECK (orig.payload_len == p.payload_len - 2);
      FUZZ_CHECK (memcmp (orig.payload, p.payload + 2, orig.payload_len) == 0);
    }
  g_free (out);
  return 0;
}
