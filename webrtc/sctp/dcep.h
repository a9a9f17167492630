/* RFC 8832 Data Channel Establishment Protocol: DATA_CHANNEL_OPEN and
 * DATA_CHANNEL_ACK, parsed and built as pure functions (no SCTP here), so
 * that malformed input from a peer is tested without a network. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* RFC 8831 section 8 payload protocol identifiers. */
#define RELAY_PPID_DCEP 50
#define RELAY_PPID_STRING 51
#define RELAY_PPID_BINARY 53
#define RELAY_PPID_STRING_EMPTY 56
#define RELAY_PPID_BINARY_EMPTY 57

#define RELAY_DCEP_ACK 0x02
#define RELAY_DCEP_OPEN 0x03

/* Channel types (RFC 8832 5.1); bit 7 set means unordered. */
#define RELAY_DCEP_RELIABLE 0x00
#define RELAY_DCEP_PARTIAL_RELIABLE_REXMIT 0x01
#define RELAY_DCEP_PARTIAL_RELIABLE_TIMED 0x02
#define RELAY_DCEP_UNORDERED_BIT 0x80

typedef struct {
  guint8 channel_type;
  guint16 priority;
  guint32 reliability; /* retransmissions or lifetime in ms, per type */
  char *label;         /* NUL-terminated copies; may contain any UTF-8 */
  char *protocol;
} RelayDcepOpen;

#define RELAY_DCEP_ERROR (relay_dcep_error_quark ())
GQuark relay_dcep_error_quark (void);

/* Parses a DATA_CHANNEL_OPEN. Fails on short input, a wrong message type,
 * lengths that run past the end, an unknown channel type, or a label or
 * protocol that is not UTF-8 or holds a NUL. Trailing bytes are refused. */
gboolean relay_dcep_parse_open (const guint8 *data, gsize len, RelayDcepOpen *open,
                                GError **error);
void relay_dcep_open_clear (RelayDcepOpen *open);

/* Builds a DATA_CHANNEL_OPEN (for tests and for channels we would open). */
GBytes *relay_dcep_build_open (const RelayDcepOpen *open);

/* The one-byte DATA_CHANNEL_ACK. */
GBytes *relay_dcep_build_ack (void);
gboolean relay_dcep_is_ack (const guint8 *data, gsize len);

gboolean relay_dcep_channel_ordered (guint8 channel_type);

G_END_DECLS
