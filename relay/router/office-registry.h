/* Who is connected: one entry per office of the roster, and one for the
 * central room ("central") with its state
 * (offline, connecting, live, lost), since when, and its current WHIP
 * session; and each one's media counters since the relay started (its
 * ended sessions' added up when they end, for GET /metrics), and the
 * histogram of join times its sessions observe into. Thread-safe: HTTP
 * handlers and transport workers both use it (one mutex; the histogram
 * is lock-free). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include "relay/config/config.h"
#include "relay/event-bus.h"
#include "webrtc/base/metrics-histogram.h"
#include "webrtc/worker/packet-channel.h"
#include "webrtc/peer/publisher-session.h"
#include "relay/router/publish-claim.h"
#include "relay/status-audience.h"

G_BEGIN_DECLS

typedef enum {
  RELAY_OFFICE_OFFLINE,
  RELAY_OFFICE_CONNECTING,
  RELAY_OFFICE_LIVE,
  RELAY_OFFICE_LOST,
} RelayOfficeState;

typedef struct _RelayOfficeRegistry RelayOfficeRegistry;

/* State changes are published on `events` (may be NULL). */
RelayOfficeRegistry *relay_office_registry_new (RelayConfig *config, RelayEventBus *events);
/* Shutdown, first step: stops forwarding and asks every session to close.
 * The closes run on the sessions' workers, whose transports call into the
 * registry until then: free it only once the worker pool is gone. States
 * stay as they are (no events): a stop is not an office leaving. */
void relay_office_registry_close_all (RelayOfficeRegistry *registry);
/* Closes every session (if close_all did not) and drops them. Transport
 * workers must no longer run (relay_worker_pool_free). */
void relay_office_registry_free (RelayOfficeRegistry *registry);

/* Makes session the province's current one (the registry takes a
 * reference) and closes the one it replaces, if any. With `takeover` (the
 * POST's claim was RELAY_PUBLISH_TAKE_OVER) the one replaced is remembered
 * as taken over, counted in the office's status, and a "takeover" event
 * says so. */
void relay_office_registry_attach (RelayOfficeRegistry *registry, RelayPublisherSession *session,
                                     gboolean takeover);

/* Decides a new WHIP POST's claim on the office `code` from the state of
 * its current session (relay/router/publish-claim.h). Takes the lock. */
RelayPublishDecision relay_office_registry_claim (RelayOfficeRegistry *registry,
                                                    const char *code, gboolean takeover,
                                                    const char *replaces);

/* Whether `session_id` was one of `code`'s sessions that another device
 * took over (the last few are remembered); *at_unix_us: when. */
gboolean relay_office_registry_taken_over (RelayOfficeRegistry *registry, const char *code,
                                             const char *session_id, gint64 *at_unix_us);

/* The current session of `code` if its id is `session_id` (new reference). */
RelayPublisherSession *relay_office_registry_lookup (RelayOfficeRegistry *registry,
                                                       const char *code, const char *session_id);

/* Ends the session if it is still current: the province goes offline. */
void relay_office_registry_end (RelayOfficeRegistry *registry, RelayPublisherSession *session,
                                  const char *reason);

/* The RelayPublisherStateFunc for sessions; user_data is the registry. */
void relay_office_registry_on_session_state (RelayPublisherSession *session,
                                               RelayPublisherState state, const char *reason,
                                               gpointer user_data);

/* The RelayPublisherMediaFunc for sessions: hands each packet to the
 * province's subscribers (SFU viewers). user_data is the registry. */
void relay_office_registry_on_session_media (RelayPublisherSession *session, RelayCodec codec,
                                               gboolean keyframe, gint64 arrival_us,
                                               const guint8 *rtp, gsize len, gpointer user_data);

/* The RelayPublisherLimitFunc for sessions: an "ingest-limit" event when
 * the current session's video goes over the ingest limits, is refused, or
 * comes back within them. user_data is the registry. */
void relay_office_registry_on_session_limit (RelayPublisherSession *session,
                                               RelayIngestLimitState previous,
                                               const RelayIngestStatus *status,
                                               gpointer user_data);

/* SFU viewers of a province; the registry holds a reference to the channel
 * while subscribed. They stay subscribed across publisher reconnects. */
void relay_office_registry_subscribe (RelayOfficeRegistry *registry, const char *code,
                                        RelayPacketChannel *channel);
void relay_office_registry_unsubscribe (RelayOfficeRegistry *registry, const char *code,
                                          RelayPacketChannel *channel);
/* A viewer asked for a keyframe: passed to the current publisher, if any. */
void relay_office_registry_request_keyframe (RelayOfficeRegistry *registry, const char *code);
/* The codec the province's current session sends, RELAY_CODEC_NONE if none. */
RelayCodec relay_office_registry_get_video_codec (RelayOfficeRegistry *registry,
                                                    const char *code);

/* The configuration of a roster office or of the central room
 * ("central"), NULL for anything else. Borrowed; lives as the registry. */
const RelayOfficeConfig *relay_office_registry_find (RelayOfficeRegistry *registry,
                                                         const char *code);

typedef struct {
  RelayOfficeState state;
  gboolean has_audio;
  gint audio_level_dbov;    /* RFC 6464: 0 loudest .. -127, the loudest of 300 ms */
  gboolean voice_activity;  /* RFC 6464 V flag in any packet of those */
  guint64 audio_packets;    /* live count (wraps), to tell a fresh level from a stale one */
  guint64 level_packets;    /* those that carried an RFC 6464 level (live, wraps) */
  gboolean video_refused;   /* over the ingest limits: its video is not decoded */
} RelayOfficeActivity;

/* What the mix and the mosaic need to know, cheaply, several times a
 * second. FALSE for an unknown code. */
gboolean relay_office_registry_get_activity (RelayOfficeRegistry *registry, const char *code,
                                               RelayOfficeActivity *activity);

/* Status documents of the API (see docs/API.md), each entry in full or in
 * its public part as `audience` may see it. */
JsonNode *relay_office_registry_describe (RelayOfficeRegistry *registry, const char *code,
                                            const RelayStatusAudience *audience);
JsonNode *relay_office_registry_describe_all (RelayOfficeRegistry *registry,
                                                const RelayStatusAudience *audience);
/* Counts per state, for health. */
void relay_office_registry_count (RelayOfficeRegistry *registry, guint counts[4]);

/* One office's (or the central room's) media since the relay started: the
 * counters of its sessions that ended plus those of its current one (as
 * its statistics snapshot, at most half a second old, has them), so that
 * they only grow across reconnects. The gauges are the current session's,
 * negative when unknown or without a session. */
typedef struct {
  RelayOfficeState state;
  guint64 video_bytes, video_packets, video_lost, video_rtx_packets;
  guint64 nacks_sent, nacked_seqs, plis_sent;
  guint64 audio_bytes, audio_packets, audio_lost;
  guint64 video_frames, audio_frames; /* decoded */
  gint rtt_ms;
  double video_jitter_ms, audio_jitter_ms;
} RelayOfficeCounters;

/* FALSE for a code that is neither a roster office nor "central". */
gboolean relay_office_registry_get_counters (RelayOfficeRegistry *registry, const char *code,
                                               RelayOfficeCounters *counters);

/* Join times (the WHIP POST to the first decoded video frame) of every
 * session: RelayPublisherSettings.join_time. Lives as the registry. */
RelayMetricsHistogram *relay_office_registry_get_join_time (RelayOfficeRegistry *registry);

const char *relay_office_state_name (RelayOfficeState state);

G_END_DECLS
