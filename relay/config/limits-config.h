/* The [limits] group of the configuration: how many sessions the relay and
 * each credential may hold, how fast a credential or a client address may
 * ask for new ones, how many failed sign-ins an address gets, how long a
 * session may take to connect, how many event clients there may be, and
 * the sign-in sessions and one-time links.
 * config/relay.ini documents the keys and why each default is what it is.
 * Parsed once at start (main thread); read-only afterwards, from any
 * thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint max_sessions;           /* WHIP + WHEP sessions in all */
  guint viewer_sessions;        /* WHEP sessions per viewer credential */
  guint office_viewer_sessions; /* WHEP sessions per office token (the program) */
  /* POST/PATCH on /whip and /whep: a token bucket per credential. */
  guint session_requests_per_s, session_requests_burst;
  /* Any other POST/PUT/PATCH/DELETE: per credential. */
  guint api_requests_per_s, api_requests_burst;
  /* Every POST/PUT/PATCH/DELETE from one client address (an IPv6 client
   * counts by its /64). */
  guint address_requests_per_s, address_requests_burst;
  /* Presented tokens that were wrong: `auth_failures` in a burst, then one
   * more each `auth_failure_refill_s`. */
  guint auth_failures, auth_failure_refill_s;
  /* A WHIP or WHEP session with no ICE + DTLS by then ends. */
  guint connect_timeout_s;
  /* The events WebSocket: clients in all, per credential, and the bytes one
   * client may leave unread before it is dropped. */
  guint event_clients, event_clients_per_credential, event_queue_kb;
  /* A client without a token in its upgrade has this long to send it. */
  guint event_auth_timeout_s;
  /* Figures submissions per office, whichever way they come (HTTPS or
   * the data channel): per minute, and at once. */
  guint figures_per_minute, figures_burst;
  /* Remote ICE candidate addresses never checked (RelayIceRefusedRanges). */
  guint refused_candidate_ranges;
  /* Sign-in (relay/signin/signin-store.h): sessions held at once, in all and per
   * viewer, and how long one lasts; one-time links waiting at once, and how
   * long one may wait. */
  guint signin_sessions, signin_sessions_per_viewer, signin_session_lifetime_s;
  guint signin_links, signin_link_lifetime_s;
} RelayLimitsConfig;

void relay_limits_config_init (RelayLimitsConfig *limits);
/* Reads [limits] from `kf`; errors read "<source>: [limits] <key>: <what>". */
gboolean relay_limits_config_read (RelayLimitsConfig *limits, GKeyFile *kf, const char *source,
                                   GError **error);

G_END_DECLS
