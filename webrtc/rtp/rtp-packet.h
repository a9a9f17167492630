/* RTP packet view (RFC 3550) with header extensions (RFC 8285), parsed
 * without copying, and the RFC 7983/5761 demultiplexing tests. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const guint8 *data;
  gsize len;
  guint8 payload_type;
  gboolean marker;
  guint16 seq;
  guint32 timestamp;
  guint32 ssrc;
  guint8 csrc_count;
  const guint8 *payload;
  gsize payload_len; /* without padding */
  guint8 padding_len;
  guint16 ext_profile; /* 0xBEDE one-byte, 0x100x two-byte, 0 none */
  const guint8 *ext_data;
  gsize ext_len;
} RelayRtpPacket;

/* FALSE for anything that is not a well-formed RTP version 2 packet. */
gboolean relay_rtp_packet_parse (RelayRtpPacket *packet, const guint8 *data, gsize len);

/* Finds extension element `id` (1..14 one-byte, 1..255 two-byte). */
gboolean relay_rtp_packet_get_extension (const RelayRtpPacket *packet, guint8 id,
                                         const guint8 **data, gsize *len);

/* RFC 6464 ssrc-audio-level: level in -dBov (0 loudest .. 127 silence). */
gboolean relay_rtp_packet_get_audio_level (const RelayRtpPacket *packet, guint8 id,
                                           guint8 *level, gboolean *voice);

/* Transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-01). */
gboolean relay_rtp_packet_get_transport_seq (const RelayRtpPacket *packet, guint8 id,
                                             guint16 *seq);

/* RFC 7983: which protocol a datagram on the bundled transport carries. */
typedef enum {
  RELAY_DATAGRAM_UNKNOWN,
  RELAY_DATAGRAM_STUN,  /* 0..3 */
  RELAY_DATAGRAM_DTLS,  /* 20..63 */
  RELAY_DATAGRAM_RTP,   /* 128..191 and not RTCP */
  RELAY_DATAGRAM_RTCP,  /* 128..191 with packet type 192..223 (RFC 5761) */
} RelayDatagramKind;

RelayDatagramKind relay_datagram_classify (const guint8 *data, gsize len);

/* RFC 4588: turns an RTX packet back into the original packet, writing into
 * out (at least rtx->len bytes). Returns the original length, 0 if the RTX
 * payload is too short. The original sequence number is the first two
 * payload bytes; header extensions are kept. */
gsize relay_rtx_restore (const RelayRtpPacket *rtx, guint8 original_pt, guint32 original_ssrc,
                         guint8 *out);

/* Modular comparison of 16-bit sequence numbers: TRUE when a is after b. */
static inline gboolean
relay_seq_newer (guint16 a, guint16 b)
{
  return a != b && (guint16) (a - b) < 0x8000;
}

G_END_DECLS
