/* Iteration over a compound RTCP packet (RFC 3550 6.1), and the common
 * header writer the per-type files use. One packet type per file:
 * rtcp-sender-report, rtcp-receiver-report, rtcp-nack, rtcp-pli, rtcp-fir,
 * rtcp-remb, rtcp-xr (RRTR/DLRR); transport-cc lives in rtp/twcc-recorder. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

enum {
  RELAY_RTCP_SR = 200,
  RELAY_RTCP_RR = 201,
  RELAY_RTCP_SDES = 202,
  RELAY_RTCP_BYE = 203,
  RELAY_RTCP_APP = 204,
  RELAY_RTCP_RTPFB = 205, /* FMT 1 NACK, 15 transport-cc */
  RELAY_RTCP_PSFB = 206,  /* FMT 1 PLI, 4 FIR, 15 AFB (REMB) */
  RELAY_RTCP_XR = 207,
};

typedef struct {
  guint8 packet_type;
  guint8 count; /* RC / SC / FMT field */
  const guint8 *data; /* whole packet including its 4-byte header */
  gsize len;          /* without trailing padding when the P bit is set */
} RelayRtcpHeader;

typedef struct {
  const guint8 *cursor;
  gsize remaining;
} RelayRtcpIter;

void relay_rtcp_iter_init (RelayRtcpIter *iter, const guint8 *data, gsize len);
/* FALSE at the end or on a malformed packet (length past the buffer,
 * version != 2): iteration stops there. */
gboolean relay_rtcp_iter_next (RelayRtcpIter *iter, RelayRtcpHeader *header);

/* Appends a header for a packet of `len_bytes` total (multiple of 4). */
void relay_rtcp_write_header (GByteArray *out, guint8 count, guint8 packet_type, gsize len_bytes);

/* Big-endian field access shared by the RTCP writers/parsers and the
 * transport-cc builder; callers check bounds before reading. */
static inline guint16
relay_read_be16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
relay_read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

void relay_append_u8 (GByteArray *out, guint8 v);
void relay_append_be16 (GByteArray *out, guint16 v);
void relay_append_be24 (GByteArray *out, guint32 v);
void relay_append_be32 (GByteArray *out, guint32 v);

G_END_DECLS
