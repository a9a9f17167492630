/* The data channels of one peer connection: the SCTP association carried
 * in the transport's DTLS (webrtc/sctp/sctp-association.h), the registry of
 * channels with DCEP (webrtc/sctp/data-channel.h), and the link between
 * them and the transport. What the channels are for is not decided here: a
 * handler (RelayPeerChannelHandler, given by whoever creates the session)
 * accepts or refuses each channel the peer opens, gets its messages, and
 * answers through relay_peer_data_channels_send_text(). Without a handler
 * every channel is refused.
 *
 * Lives on the session's worker: every call here and every handler
 * callback happens there. The object owns the association and the
 * registry; the handler owns the per-peer state it returns from `attach`
 * and frees it in `detach`. */
#pragma once

#include <glib.h>
#include "webrtc/peer/webrtc-transport.h"
#include "webrtc/sctp/data-channel.h"
#include "webrtc/sctp/sctp-association.h"
#include "webrtc/sdp/sdp-offer.h"
#include "webrtc/worker/worker-pool.h"

G_BEGIN_DECLS

typedef struct _RelayPeerDataChannels RelayPeerDataChannels;

/* What a product does with a peer's data channels. Channels are named by
 * their SCTP stream id, which stays valid to look up later (a reply that
 * arrives after the channel closed simply finds nothing). Every callback
 * may be NULL except `opened`. */
typedef struct {
  /* The data channels of a new peer connection: returns the handler's
   * state for this peer (`peer` below), which may be NULL. peer_name names
   * the peer (the session's code: a province's for WHIP). handler_data is
   * the session settings' channels_data. */
  gpointer (*attach) (RelayPeerDataChannels *channels, const char *peer_name,
                      gpointer handler_data);
  /* The peer opened a channel on stream sid: TRUE accepts it (DCEP ACK),
   * FALSE refuses it (its stream is reset and nothing of it is kept). */
  gboolean (*opened) (gpointer peer, guint16 sid, const char *label, const char *protocol);
  /* A complete message on an accepted channel; text is UTF-8 as sent (not
   * validated, not NUL-terminated). */
  void (*message) (gpointer peer, guint16 sid, gboolean binary, const guint8 *data, gsize len);
  /* An accepted channel is gone (both sides reset its stream). */
  void (*closed) (gpointer peer, guint16 sid);
  /* The peer connection ends: free `peer`. No callback runs after. */
  void (*detach) (gpointer peer);
} RelayPeerChannelHandler;

typedef struct {
  RelaySctpState sctp;
  guint channels_open;         /* accepted and not yet closed */
  RelayDataChannelStats channels; /* opened, refused, messages and bytes */
} RelayPeerDataChannelsStats;

/* application: the accepted m=application of the offer. handler may be
 * NULL (every channel refused); it and handler_data must outlive the
 * object. The transport must outlive it too. */
RelayPeerDataChannels *relay_peer_data_channels_new (RelayWorker *worker,
                                                     RelayWebrtcTransport *transport,
                                                     const RelaySdpMedia *application,
                                                     const RelayPeerChannelHandler *handler,
                                                     gpointer handler_data, const char *peer_name,
                                                     GError **error);

/* What the channels need of their transport; relay_peer_data_channels_new
 * gives the session's DTLS transport. Called on the worker. */
typedef struct {
  /* One SCTP packet to the peer (a DTLS application data record). */
  void (*send) (const guint8 *data, gsize len, gpointer link_data);
  /* The peer's address ("" when unknown). */
  void (*remote_address) (char *address, gsize size, gpointer link_data);
} RelayPeerDataChannelsLink;

/* The same on any link (link_data must outlive the object); sctp_port is
 * the m=application's a=sctp-port, ours and the peer's. Tests wire it to a
 * peer association of their own. */
RelayPeerDataChannels *relay_peer_data_channels_new_on_link (RelayWorker *worker,
                                                             const RelayPeerDataChannelsLink *link,
                                                             gpointer link_data, guint16 sctp_port,
                                                             const RelayPeerChannelHandler *handler,
                                                             gpointer handler_data,
                                                             const char *peer_name,
                                                             GError **error);

/* DTLS is up: SCTP starts (idempotent; later reconnects change nothing). */
void relay_peer_data_channels_transport_connected (RelayPeerDataChannels *channels);
/* A DTLS application data record from the transport. */
void relay_peer_data_channels_receive (RelayPeerDataChannels *channels, const guint8 *data,
                                       gsize len);

/* Text on the accepted channel on stream sid; FALSE when there is no open
 * channel there or the send buffer is full. */
gboolean relay_peer_data_channels_send_text (RelayPeerDataChannels *channels, guint16 sid,
                                             const char *text, gsize len);
/* Whether an accepted channel is open on stream sid. */
gboolean relay_peer_data_channels_is_open (RelayPeerDataChannels *channels, guint16 sid);
/* Closes the channel on stream sid (our side's reset; `closed` runs when
 * the peer resets its side). Nothing when there is none. */
void relay_peer_data_channels_close (RelayPeerDataChannels *channels, guint16 sid);

/* For the handler: the worker the object lives on (to come back to it from
 * another thread), the peer's address, and the state `attach` returned. */
RelayWorker *relay_peer_data_channels_get_worker (RelayPeerDataChannels *channels);
void relay_peer_data_channels_get_remote_address (RelayPeerDataChannels *channels,
                                                  char *address, gsize size);
gpointer relay_peer_data_channels_get_handler_state (RelayPeerDataChannels *channels);

void relay_peer_data_channels_get_stats (RelayPeerDataChannels *channels,
                                         RelayPeerDataChannelsStats *stats);

/* Aborts the association (its ABORT goes out through the link, so before
 * the transport is freed), then detaches the handler. */
void relay_peer_data_channels_free (RelayPeerDataChannels *channels);

G_END_DECLS
