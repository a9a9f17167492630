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
  gsize len;
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

G_END_DECLS
