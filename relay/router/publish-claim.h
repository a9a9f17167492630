/* Who may publish as an office when it already has a session: the rule
 * that keeps two devices of one office from replacing each other forever.
 *
 * A session is *in use* while it is connecting or live and its network
 * path answers; it is *stale* once it is lost (no media for
 * media-timeout-ms) or its path stopped answering consent checks. A new
 * WHIP POST for an office with a session in use is refused unless it is
 * the same device reconnecting (it names the session it replaces, whose
 * id only that device was given) or it explicitly takes over; a stale
 * session is replaced by anyone with the office's token, so that no office
 * is locked out after a network cut. docs/API.md, WHIP, "One device at a
 * time", documents it.
 *
 * Pure: no state, no locks, any thread. The caller (the province
 * registry) gathers the facts under its lock; strings are borrowed. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The office's current session, as the registry sees it. */
typedef struct {
  gboolean has_session;
  gboolean live_or_connecting;     /* FALSE when the session is lost */
  gboolean transport_disconnected; /* ICE failed or consent expired */
  const char *session_id;          /* NULL without a session */
} RelayPublishCurrent;

/* What the new POST says about itself. */
typedef struct {
  gboolean takeover;            /* Briefing-Takeover: true */
  const char *replaces;         /* Briefing-Replaces: <session id>, or NULL */
  gboolean replaces_taken_over; /* that id is a session another device took over */
} RelayPublishRequest;

typedef enum {
  RELAY_PUBLISH_NEW,               /* no session: accepted */
  RELAY_PUBLISH_RECONNECT,         /* the device replaces its own session */
  RELAY_PUBLISH_REPLACE_STALE,     /* the session was lost or its path is gone */
  RELAY_PUBLISH_TAKE_OVER,         /* explicit: the session in use is ended */
  RELAY_PUBLISH_REFUSE_ELSEWHERE,  /* 409 office-live-elsewhere */
  RELAY_PUBLISH_REFUSE_TAKEN_OVER, /* 409 taken-over: this device was displaced */
} RelayPublishDecision;

RelayPublishDecision relay_publish_decide (const RelayPublishCurrent *current,
                                           const RelayPublishRequest *request);

/* TRUE for the two refusals. */
gboolean relay_publish_decision_refuses (RelayPublishDecision decision);

/* "new", "reconnect", "replace-stale", "take-over", "refuse-elsewhere",
 * "refuse-taken-over": for the log. */
const char *relay_publish_decision_name (RelayPublishDecision decision);

/* The value of a Briefing-Takeover header: TRUE for "true" or "1" (any
 * case, surrounding spaces ignored), FALSE for "false" or "0"; anything
 * else is not a flag (returns FALSE with *valid FALSE). NULL: absent, not
 * a takeover, valid. */
gboolean relay_publish_parse_takeover (const char *header, gboolean *valid);

/* A Briefing-Replaces value is a session id: 1..64 lower-case hex digits.
 * Anything else is refused rather than compared. */
gboolean relay_publish_valid_session_id (const char *text);

G_END_DECLS
