/* An SCTP association (RFC 8261: SCTP over DTLS) with usrsctp in AF_CONN
 * mode: the caller feeds the DTLS application data it receives and sends
 * the packets this layer produces as DTLS application data. Owned by one
 * GMainContext (the session's transport worker); every callback runs
 * there, whatever thread usrsctp produced the event on. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAY_SCTP_DEFAULT_PORT 5000
/* What the relay announces in a=max-message-size and reassembles at most. */
#define RELAY_SCTP_MAX_MESSAGE_SIZE 262144

typedef enum {
  RELAY_SCTP_CONNECTING,
  RELAY_SCTP_CONNECTED,
  RELAY_SCTP_CLOSED, /* shutdown, abort, or the peer is unreachable: final */
} RelaySctpState;

typedef struct {
  /* An SCTP packet to send as one DTLS application data record. */
  void (*output) (const guint8 *data, gsize len, gpointer user_data);
  /* A complete user message on stream sid. */
  void (*message) (guint16 sid, guint32 ppid, const guint8 *data, gsize len, gpointer user_data);
  /* The peer reset its outgoing stream sid (RFC 6525). */
  void (*incoming_reset) (guint16 sid, gpointer user_data);
  void (*state_changed) (RelaySctpState state, gpointer user_data);
} RelaySctpCallbacks;

typedef struct {
  guint64 messages_in, messages_out;
  guint64 send_failures;  /* not connected, or the backlog is full */
  guint64 backlogged;     /* messages that waited for send buffer space */
  guint64 oversized_dropped; /* incoming messages over the announced size */
} RelaySctpStats;

typedef struct _RelaySctpAssociation RelaySctpAssociation;

/* Both ports as in the SDP (a=sctp-port; 5000 by default). */
RelaySctpAssociation *relay_sctp_association_new (GMainContext *context, guint16 local_port,
                                                  guint16 remote_port,
                                                  const RelaySctpCallbacks *callbacks,
                                                  gpointer user_data, GError **error);
/* Starts the (simultaneous-open) handshake; call once DTLS is connected. */
void relay_sctp_association_connect (RelaySctpAssociation *assoc);
/* One DTLS application data record. */
void relay_sctp_association_receive (RelaySctpAssociation *assoc, const guint8 *data, gsize len);
/* One user message, ordered and reliable unless `unordered`. When the send
 * buffer is full it waits in a backlog (up to 4 MiB, order kept) and goes
 * out as the peer acknowledges; FALSE when not connected or over that. */
gboolean relay_sctp_association_send (RelaySctpAssociation *assoc, guint16 sid, guint32 ppid,
                                      gboolean unordered, const guint8 *data, gsize len);
void relay_sctp_association_reset_stream (RelaySctpAssociation *assoc, guint16 sid);
RelaySctpState relay_sctp_association_get_state (RelaySctpAssociation *assoc);
void relay_sctp_association_get_stats (RelaySctpAssociation *assoc, RelaySctpStats *stats);
/* Aborts the association (its ABORT goes out through `output` during this
 * call); no callback runs after. Not from inside this association's
 * callbacks. */
void relay_sctp_association_free (RelaySctpAssociation *assoc);

G_END_DECLS
