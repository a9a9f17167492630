/* One full-ICE agent (libnice, RFC 8445) for one bundled, rtcp-muxed
 * transport: a single stream with a single component. Created and used only
 * on its worker's thread; libnice dispatches on that worker's context, so no
 * thread is created per peer. */
#pragma once

#include <glib.h>
#include "webrtc/worker/worker-pool.h"

G_BEGIN_DECLS

typedef enum {
  RELAY_ICE_STATE_NEW,
  RELAY_ICE_STATE_CHECKING,
  RELAY_ICE_STATE_CONNECTED,
  RELAY_ICE_STATE_FAILED, /* checks failed, or consent expired (RFC 7675) */
} RelayIceState;

/* Remote candidate addresses the agent will not send checks to. */
typedef enum {
  RELAY_ICE_REFUSE_LOOPBACK = 1 << 0,   /* 127.0.0.0/8, ::1 */
  RELAY_ICE_REFUSE_LINK_LOCAL = 1 << 1, /* 169.254.0.0/16, fe80::/10 */
  RELAY_ICE_REFUSE_PRIVATE = 1 << 2,    /* 10/8, 172.16/12, 192.168/16, fc00::/7 */
  RELAY_ICE_REFUSE_METADATA = 1 << 3,   /* cloud metadata: 169.254.169.254, fd00:ec2::254 */
} RelayIceRefusedRanges;

typedef struct {
  guint port_min, port_max;               /* 0, 0: any */
  /* Candidates at these addresses are skipped (the peer's own checks from
   * there still connect, as peer-reflexive): the relay sends nothing to an
   * address a client merely named. */
  RelayIceRefusedRanges refused_ranges;
  const char *const *announced_addresses; /* NULL or empty: none */
  const char *const *interfaces;          /* NULL or empty: libnice's choice */
} RelayIceSettings;

typedef struct {
  /* A datagram that is not STUN (libnice consumes STUN itself). The buffer
   * may be modified in place by the callee. */
  void (*receive) (guint8 *data, gsize len, gpointer user_data);
  void (*state_changed) (RelayIceState state, gpointer user_data);
  /* "ip:port" of the selected remote candidate. */
  void (*selected_pair) (const char *remote_address, gpointer user_data);
} RelayIceCallbacks;

typedef struct _RelayIceAgent RelayIceAgent;

RelayIceAgent *relay_ice_agent_new (RelayWorker *worker, const RelayIceSettings *settings,
                                    const RelayIceCallbacks *callbacks, gpointer user_data,
                                    GError **error);
void relay_ice_agent_free (RelayIceAgent *agent);

const char *relay_ice_agent_get_ufrag (RelayIceAgent *agent);
const char *relay_ice_agent_get_pwd (RelayIceAgent *agent);
/* "candidate:..." values for SDP, announced addresses applied. */
GStrv relay_ice_agent_get_local_candidates (RelayIceAgent *agent);

gboolean relay_ice_agent_set_remote_credentials (RelayIceAgent *agent, const char *ufrag,
                                                 const char *pwd, GError **error);
/* A remote candidate ("candidate:..." value). mDNS (.local) candidates are
 * skipped: the peer's checks reveal its address as peer-reflexive; so are
 * those in the settings' refused ranges. */
gboolean relay_ice_agent_add_remote_candidate (RelayIceAgent *agent, const char *candidate,
                                               GError **error);

/* ICE restart: new local credentials; the caller then sets the remote ones. */
gboolean relay_ice_agent_restart (RelayIceAgent *agent, GError **error);

/* Sends one datagram on the selected pair; FALSE when not connected. */
gboolean relay_ice_agent_send (RelayIceAgent *agent, const guint8 *data, gsize len);

RelayIceState relay_ice_agent_get_state (RelayIceAgent *agent);

G_END_DECLS
