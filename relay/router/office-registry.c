#include "relay/router/office-registry.h"

#include <string.h>

#include "relay/conference/conference.h"
#include "relay/json-members.h"
#include "relay/router/office-decoder.h"
#include "webrtc/base/log.h"
#include "webrtc/base/media.h"
#include "relay/router/producer.h"

/* Sessions another device took over, remembered per office so that the
 * displaced device learns why (its session URL answers 410, its next POST
 * 409 taken-over) rather than retrying. A few are enough: one office has
 * few devices, and an older one only hears "live elsewhere" instead. */
#define TAKEN_OVER_KEPT 4

typedef struct {
  char id[65];
  gint64 at_unix_us;
} TakenOver;

typedef struct {
  RelayOfficeConfig *config;
  RelayOfficeState state;
  gint64 since_unix_us;
  RelayPublisherSession *session;
  /* SFU viewers; its own lock, taken for every forwarded packet, does not
   * contend with the API reading the whole registry. */
  RelayProducer *producer;
  /* The session whose media is forwarded, read per packet without the
   * registry lock: an old session still sending during a reconnect must not
   * interleave with the new one. Compared only, never dereferenced. */
  gpointer forwarding;
  /* Its sessions that ended, added up: the counters of
   * relay_office_registry_get_counters() never go back at a reconnect. */
  RelayOfficeCounters ended;
  TakenOver taken_over[TAKEN_OVER_KEPT]; /* a ring; id "" for an empty slot */
  guint taken_over_next;
  guint takeovers;                 /* since the relay started */
  gint64 last_takeover_unix_us;    /* 0 before any */
} ProvinceEntry;

struct _RelayOfficeRegistry {
  RelayConfig *config;
  /* The central room publishes like an office (/whip/central) but is not
   * one of the roster's: its entry has this configuration of its own. */
  RelayOfficeConfig central;
  RelayEventBus *events;
  GMutex lock;
  GHashTable *entries; /* code -> ProvinceEntry* */
  RelayMetricsHistogram *join_time;
};

/* From a few hundred milliseconds on a LAN to the seconds an office behind
 * a slow link or a TURN server takes: where an operator would draw the
 * line between "fine" and "the morning's roll call waits". */
static const double join_time_bounds_s[] = { 0.25, 0.5, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 30, 60 };

const char *
relay_office_state_name (RelayOfficeState state)
{
  static const char *const names[] = { "offline", "connecting", "live", "lost" };
  return names[state];
}

static void
entry_free (ProvinceEntry *e)
{
  if (e->session)
    {
      relay_publisher_session_close (e->session);
      relay_publisher_session_unref (e->session);
    }
  relay_producer_free (e->producer);
  g_free (e);
}

RelayOfficeRegistry *
relay_office_registry_new (RelayConfig *config, RelayEventBus *events)
{
  RelayOfficeRegistry *r = g_new0 (RelayOfficeRegistry, 1);
  r->config = config;
  r->events = events;
  g_mutex_init (&r->lock);
  r->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) entry_free);
  r->join_time = relay_metrics_histogram_new (join_time_bounds_s, G_N_ELEMENTS (join_time_bounds_s));
  r->central.code = (char *) RELAY_CENTRAL_ROOM;
  r->central.name_th = (char *) "ศูนย์ปฏิบัติการ กระทรวงแรงงาน";
  r->central.name_en = (char *) "Operations centre";
  r->central.region = (char *) "central";
  gint64 now = g_get_real_time ();
  for (guint i = 0; i <= config->provinces->len; i++)
    {
      ProvinceEntry *e = g_new0 (ProvinceEntry, 1);
      e->config = i < config->provinces->len ? config->provinces->pdata[i] : &r->central;
      e->state = RELAY_OFFICE_OFFLINE;
      e->since_unix_us = now;
      e->producer = relay_producer_new ();
      g_hash_table_insert (r->entries, e->config->code, e);
    }
  return r;
}

void
relay_office_registry_close_all (RelayOfficeRegistry *r)
{
  g_mutex_lock (&r->lock);
  GHashTableIter it;
  ProvinceEntry *e;
  g_hash_table_iter_init (&it, r->entries);
  while (g_hash_table_iter_next (&it, NULL, (gpointer *) &e))
    {
      g_atomic_pointer_set (&e->forwarding, NULL);
      /* Only queued on the session's worker: safe under the lock. */
      if (e->session)
        relay_publisher_session_close (e->session);
    }
  g_mutex_unlock (&r->lock);
}

void
relay_office_registry_free (RelayOfficeRegistry *r)
{
  if (!r)
    return;
  g_hash_table_unref (r->entries);
  relay_metrics_histogram_free (r->join_time);
  g_mutex_clear (&r->lock);
  g_free (r);
}

static char *iso_time (gint64 unix_us);

/* Adds a session's counters (its snapshot) to `into`. */
static void
add_session_counters (RelayOfficeCounters *into, RelayPublisherSession *session)
{
  RelayPublisherSnapshot s;
  relay_publisher_session_get_snapshot (session, &s);
  RelayIngestStats decoded;
  relay_office_decoder_get_stats (relay_office_decoder_of (session), &decoded, NULL);
  into->video_bytes += s.video_bytes;
  into->video_packets += s.video_packets;
  into->video_lost += s.video_lost;
  into->video_rtx_packets += s.video_rtx_packets;
  into->nacks_sent += s.nacks_sent;
  into->nacked_seqs += s.nacked_seqs;
  into->plis_sent += s.plis_sent;
  into->audio_bytes += s.audio_bytes;
  into->audio_packets += s.audio_packets;
  into->audio_lost += s.audio_lost;
  into->video_frames += decoded.video_frames;
  into->audio_frames += decoded.audio_frames;
}

/* Called with the lock held; publishing only takes the bus's own lock. */
static void
set_state_locked (RelayOfficeRegistry *r, ProvinceEntry *e, RelayOfficeState state)
{
  if (e->state == state)
    return;
  relay_info (e->config->code, "%s -> %s", relay_office_state_name (e->state),
              relay_office_state_name (state));
  RelayOfficeState previous = e->state;
  e->state = state;
  e->since_unix_us = g_get_real_time ();
  if (!r->events)
    return;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *since = iso_time (e->since_unix_us);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "province");
  json_builder_add_string_value (b, e->config->code);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, relay_office_state_name (state));
  json_builder_set_member_name (b, "previous");
  json_builder_add_string_value (b, relay_office_state_name (previous));
  json_builder_set_member_name (b, "since");
  json_builder_add_string_value (b, since);
  json_builder_end_object (b);
  relay_event_bus_publish (r->events, "province-state", json_builder_get_root (b));
}

/* Called with the lock held: the old session is remembered as taken over
 * and the event published (before the state change it causes). */
static void
record_takeover_locked (RelayOfficeRegistry *r, ProvinceEntry *e, RelayPublisherSession *old)
{
  gint64 now = g_get_real_time ();
  TakenOver *slot = &e->taken_over[e->taken_over_next];
  e->taken_over_next = (e->taken_over_next + 1) % TAKEN_OVER_KEPT;
  g_strlcpy (slot->id, relay_publisher_session_get_id (old), sizeof slot->id);
  slot->at_unix_us = now;
  e->takeovers++;
  e->last_takeover_unix_us = now;
  if (!r->events)
    return;
  /* No session id nor address: the events carry neither (docs/API.md). */
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "province");
  json_builder_add_string_value (b, e->config->code);
  json_builder_set_member_name (b, "previous_state");
  json_builder_add_string_value (b, relay_office_state_name (e->state));
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, e->takeovers);
  json_builder_end_object (b);
  relay_event_bus_publish (r->events, "takeover", json_builder_get_root (b));
}

void
relay_office_registry_attach (RelayOfficeRegistry *r, RelayPublisherSession *session,
                                gboolean takeover)
{
  RelayPublisherSession *old = NULL;
  g_mutex_lock (&r->lock);
  ProvinceEntry *e = g_hash_table_lookup (r->entries, relay_publisher_session_get_province (session));
  g_assert (e);
  old = e->session;
  if (old)
    add_session_counters (&e->ended, old);
  if (old && takeover)
    record_takeover_locked (r, e, old);
  e->session = relay_publisher_session_ref (session);
  g_atomic_pointer_set (&e->forwarding, session);
  set_state_locked (r, e, RELAY_OFFICE_CONNECTING);
  g_mutex_unlock (&r->lock);
  if (old)
    {
      relay_info (e->config->code, "new session %.8s %s %.8s",
                  relay_publisher_session_get_id (session),
                  takeover ? "takes over from" : "replaces", relay_publisher_session_get_id (old));
      relay_publisher_session_close (old);
      relay_publisher_session_unref (old);
    }
}

static gboolean
taken_over_locked (ProvinceEntry *e, const char *session_id, gint64 *at_unix_us)
{
  for (guint i = 0; i < TAKEN_OVER_KEPT; i++)
    if (e->taken_over[i].id[0] && strcmp (e->taken_over[i].id, session_id) == 0)
      {
        if (at_unix_us)
          *at_unix_us = e->taken_over[i].at_unix_us;
        return TRUE;
      }
  return FALSE;
}

gboolean
relay_office_registry_taken_over (RelayOfficeRegistry *r, const char *code,
                                    const char *session_id, gint64 *at_unix_us)
{
  g_mutex_lock (&r->lock);
  ProvinceEntry *e = g_hash_table_lookup (r->entries, code);
  gboolean found = e && session_id && taken_over_locked (e, session_id, at_unix_us);
  g_mutex_unlock (&r->lock);
  return found;
}

RelayPublishDecision
relay_office_registry_claim (RelayOfficeRegistry *r, const char *code, gboolean takeover,
                               const char *replaces)
{
  RelayPublishCurrent current = { 0 };
  RelayPublishRequest request = { .takeover = takeover, .replaces = replaces };
  g_mutex_lock (&r->lock);
  ProvinceEntry *e = g_hash_table_lookup (r->entries, code);
  if (e && e->session)
    {
      RelayPublisherSnapshot snap;
      relay_publisher_session_get_snapshot (e->session, &snap);
      current.has_session = TRUE;
      current.live_or_connecting
          = e->state == RELAY_OFFICE_LIVE || e->state == RELAY_OFFICE_CONNECTING;
      current.transport_disconnected = g_strcmp0 (snap.transport, "disconnected") == 0;
      current.session_id = relay_publisher_session_get_id (e->session);
    }
  if (e && replaces)
    request.replaces_taken_over = taken_over_locked (e, replaces, NULL);
  RelayPublishDecision decision = relay_publish_decide (&current, &request);
  g_mutex_unlock (&r->lock);
  return decision;
}

RelayPublisherSession *
relay_office_registry_lookup (RelayOfficeRegistry *r, const char *code, const char *session_id)
{
  RelayPublisherSession *found = NULL;
  g_mutex_lock (&r->lock);
  ProvinceEntry *e = g_hash_table_lookup (r->entries, code);
  if (e && e->session && g_strcmp0 (relay_publisher_session_get_id (e->session), session_id) == 0)
    found = relay_publisher_session_ref (e->session);
  g_mutex_unlock (&r->lock);
  return found;
}

void
relay_office_registry_end (RelayOfficeRegistry *r, RelayPublisherSession *session,
                             const char *reason)
{
  gboolean current = FALSE;
  g_mutex_lock (&r->lock);
  ProvinceEntry *e = g_hash_table_lookup (r->entries, relay_publisher_session_get_province (session));
  if (e && e->session == session)
    {
      current = TRUE;
      add_session_counters (&e->ended, session);
      e->session = NULL;
      g_atomic_pointer_set (&e->forwarding, NULL);
      set_state_locked (r, e, RELAY_OFFICE_OFFLINE);
    }
  g_mutex_unlock (&r->lock);
  relay_publisher_session_close (session);
  if (current)
    {
      relay_info (relay_publisher_session_get_province (session), "session %.8s ended: %s",
                  relay_publisher_session_get_id (session), reason);
      relay_publisher_session_unref (session); /* the registry's reference */
    }
}

void
relay_office_registry_on_session_state (RelayPublisherSession *session, RelayPublisherState state,
                                          const char *reason, gpointer user_data)
{
  RelayOfficeRegistry *r = user_data;
  if (state == RELAY_PUBLISHER_CLOSED)
    {
      relay_office_registry_end (r, session, reason ? reason : "closed");
      return;
    }
  g_mutex_lock (&r->lock);
  ProvinceEntry *e = g_hash_table_lookup (r->entries, relay_publisher_session_get_province (session));
  if (e && e->session == session)
    set_state_locked (r, e, state == RELAY_PUBLISHER_LIVE   ? RELAY_OFFICE_LIVE
                         : state == RELAY_PUBLISHER_LOST ? RELAY_OFFICE_LOST
                                                         : RELAY_OFFICE_CONNECTING);
  g_mutex_unlock (&r->lock);
}

/* The entries table never changes after creation, so looking an entry up
 * needs no lock. */
static ProvinceEntry *
entry_of (RelayOfficeRegistry *r, const char *code)
{
  return g_hash_table_lookup (r->entries, code);
}

void
relay_office_registry_on_session_media (RelayPublisherSession *session, RelayCodec codec,
                                          gboolean keyframe, gint64 arrival_us, const guint8 *rtp,
                                          gsize len, gpointer user_data)
{
  ProvinceEntry *e = entry_of (user_data, relay_publisher_session_get_province (session));
  if (!e || g_atomic_pointer_get (&e->forwarding) != session)
    return;
  guint8 kind = relay_forward_kind_of_codec (codec);
  relay_producer_send (e->producer, kind, keyframe, arrival_us, rtp, len);
}

void
relay_office_registry_on_session_limit (RelayPublisherSession *session,
                                          RelayIngestLimitState previous,
                                          const RelayIngestStatus *status, gpointer user_data)
{
  RelayOfficeRegistry *r = user_data;
  const char *code = relay_publisher_session_get_province (session);
  g_mutex_lock (&r->lock);
  ProvinceEntry *e = entry_of (r, code);
  gboolean current = e && e->session == session;
  g_mutex_unlock (&r->lock);
  if (!current || !r->events)
    return;
  const RelayIngestLimits *limits = &r->config->ingest;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "province");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, relay_ingest_limit_state_name (status->state));
  json_builder_set_member_name (b, "previous");
  json_builder_add_string_value (b, relay_ingest_limit_state_name (previous));
  json_builder_set_member_name (b, "reason");
  if (status->reason[0])
    json_builder_add_string_value (b, status->reason);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, status->width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, status->height);
  json_builder_set_member_name (b, "fps");
  json_builder_add_double_value (b, ((int) (status->fps * 10 + 0.5)) / 10.0);
  json_builder_set_member_name (b, "remb_kbps");
  json_builder_add_int_value (b, status->remb_kbps);
  json_builder_set_member_name (b, "max_width");
  json_builder_add_int_value (b, limits->max_width);
  json_builder_set_member_name (b, "max_height");
  json_builder_add_int_value (b, limits->max_height);
  json_builder_set_member_name (b, "max_framerate");
  json_builder_add_int_value (b, limits->max_framerate);
  json_builder_end_object (b);
  relay_event_bus_publish (r->events, "ingest-limit", json_builder_get_root (b));
}

void
relay_office_registry_subscribe (RelayOfficeRegistry *r, const char *code,
                                   RelayPacketChannel *channel)
{
  ProvinceEntry *e = entry_of (r, code);
  g_return_if_fail (e);
  relay_producer_subscribe (e->producer, channel);
}

void
relay_office_registry_unsubscribe (RelayOfficeRegistry *r, const char *code,
                                     RelayPacketChannel *channel)
{
  ProvinceEntry *e = entry_of (r, code);
  g_return_if_fail (e);
  relay_producer_unsubscribe (e->producer, channel);
}

void
relay_office_registry_request_keyframe (RelayOfficeRegistry *r, const char *code)
{
  RelayPublisherSession *session = NULL;
  g_mutex_lock (&r->lock);
  ProvinceEntry *e = entry_of (r, code);
  if (e && e->session)
    session = relay_publisher_session_ref (e->session);
  g_mutex_unlock (&r->lock);
  if (session)
    {
      relay_publisher_session_request_keyframe (session);
      relay_publisher_session_unref (session);
    }
}

RelayCodec
relay_office_registry_get_video_codec (RelayOfficeRegistry *r, const char *code)
{
  RelayCodec codec = RELAY_CODEC_NONE;
  g_mutex_lock (&r->lock);
  ProvinceEntry *e = entry_of (r, code);
  if (e && e->session)
    {
      RelayPublisherSnapshot snap;
      relay_publisher_session_get_snapshot (e->session, &snap);
      codec = snap.has_video ? snap.video_codec : RELAY_CODEC_NONE;
    }
  g_mutex_unlock (&r->lock);
  return codec;
}

static char *
iso_time (gint64 unix_us)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC);
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}




/* A non-negative figure, or null when unknown (negative). */

static void
member_fps (JsonBuilder *b, const char *name, double fps)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, ((int) (fps * 10 + 0.5)) / 10.0);
}

/* What is on the screen, and why a tile may say "over limit": public. */
static void
add_video_public (JsonBuilder *b, const RelayPublisherSnapshot *s, const RelayIngestStats *d)
{
  relay_json_member_add_string (b, "codec", relay_codec_name (s->video_codec));
  relay_json_member_add_int (b, "width", d->width);
  relay_json_member_add_int (b, "height", d->height);
  member_fps (b, "fps", d->fps);
  /* As sent, read without decoding: still known while refused. */
  relay_json_member_add_int (b, "sent_width", s->limits.width);
  relay_json_member_add_int (b, "sent_height", s->limits.height);
  member_fps (b, "sent_fps", s->limits.fps);
  relay_json_member_add_string (b, "limit", relay_ingest_limit_state_name (s->limits.state));
  relay_json_member_add_string (b, "limit_reason", s->limits.reason[0] ? s->limits.reason : NULL);
  g_autofree char *since = s->limit_since_unix_us ? iso_time (s->limit_since_unix_us) : NULL;
  relay_json_member_add_string (b, "limit_since", since);
}

/* How the connection is doing: details. */
static void
add_video_details (JsonBuilder *b, const RelayPublisherSnapshot *s, const RelayIngestStats *d)
{
  relay_json_member_add_int (b, "frames_decoded", d->video_frames);
  relay_json_member_add_int (b, "bytes_received", s->video_bytes);
  relay_json_member_add_int (b, "packets_received", s->video_packets);
  relay_json_member_add_int (b, "packets_lost", s->video_lost);
  relay_json_member_add_int (b, "retransmissions_received", s->video_rtx_packets);
  relay_json_member_add_int (b, "nacks_sent", s->nacks_sent);
  relay_json_member_add_int (b, "nacked_packets", s->nacked_seqs);
  relay_json_member_add_int (b, "plis_sent", s->plis_sent);
  relay_json_member_add_int (b, "bitrate_kbps", (gint64) (s->video_bitrate_kbps + 0.5));
  relay_json_member_add_int (b, "remb_kbps", s->limits.remb_kbps);
  relay_json_member_add_int (b, "limit_refusals", s->limits.refusals);
}

static void
add_video (JsonBuilder *b, const RelayPublisherSnapshot *s, const RelayIngestStats *d,
           gboolean details)
{
  json_builder_set_member_name (b, "video");
  if (!s || !s->has_video)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  add_video_public (b, s, d);
  if (details)
    add_video_details (b, s, d);
  json_builder_end_object (b);
}

/* The levels are public: what the room hears, and the active-speaker
 * events carry them anyway. The counters and the decoder's own level are
 * details. */
static void
add_audio (JsonBuilder *b, const RelayPublisherSnapshot *s, const RelayIngestStats *d,
           gboolean details)
{
  json_builder_set_member_name (b, "audio");
  if (!s || !s->has_audio)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  relay_json_member_add_string (b, "codec", "opus");
  relay_json_member_add_int (b, "level_dbov", s->audio_level_dbov);
  relay_json_member_add_boolean (b, "voice_activity", s->voice_activity);
  if (details)
    {
      relay_json_member_add_int (b, "frames_decoded", d->audio_frames);
      relay_json_member_add_int (b, "bytes_received", s->audio_bytes);
      relay_json_member_add_int (b, "packets_received", s->audio_packets);
      relay_json_member_add_int (b, "packets_lost", s->audio_lost);
      relay_json_member_add_int (b, "decoded_level_dbov", (gint64) d->audio_rms_dbov);
    }
  json_builder_end_object (b);
}

/* Who connects from where, and the path's timing: details. */
static void
add_session_details (JsonBuilder *b, ProvinceEntry *e, const RelayPublisherSnapshot *s,
                     gint join_ms)
{
  relay_json_member_add_string (b, "session", s ? relay_publisher_session_get_id (e->session) : NULL);
  relay_json_member_add_string (b, "remote_address", s && s->remote_address[0] ? s->remote_address : NULL);
  relay_json_member_add_string (b, "srtp_profile", s ? s->srtp_profile : NULL);
  relay_json_member_add_count (b, "join_ms", s ? join_ms : -1);
  relay_json_member_add_count (b, "rtt_ms", s ? s->rtt_ms : -1);
  /* RTP packets over [ingest] max-rtp-size, dropped before anything used
   * them (audio and video alike). */
  relay_json_member_add_count (b, "rtp_dropped_oversized", s ? (gint64) s->limits.oversized_packets : -1);
  relay_json_member_add_count (b, "rtp_largest_oversized",
                      s && s->limits.largest_oversized ? (gint64) s->limits.largest_oversized : -1);
}

/* Devices replacing each other by an explicit takeover: which office had
 * two, and when it last happened. */
static void
add_takeover (JsonBuilder *b, ProvinceEntry *e)
{
  json_builder_set_member_name (b, "takeover");
  if (!e->takeovers)
    {
      json_builder_add_null_value (b);
      return;
    }
  g_autofree char *at = iso_time (e->last_takeover_unix_us);
  json_builder_begin_object (b);
  relay_json_member_add_int (b, "count", e->takeovers);
  relay_json_member_add_string (b, "last_at", at);
  json_builder_end_object (b);
}

/* Called with the lock held; the snapshot read takes the session's lock. */
static void
describe_entry (JsonBuilder *b, ProvinceEntry *e, const RelayStatusAudience *audience)
{
  RelayPublisherSnapshot snap;
  const RelayPublisherSnapshot *s = NULL;
  RelayIngestStats decoded = { 0 };
  gint join_ms = -1;
  if (e->session)
    {
      relay_publisher_session_get_snapshot (e->session, &snap);
      relay_office_decoder_get_stats (relay_office_decoder_of (e->session), &decoded, &join_ms);
      s = &snap;
    }
  gboolean details = relay_status_audience_sees_details (audience, e->config->code);
  g_autofree char *since = iso_time (e->since_unix_us);

  json_builder_begin_object (b);
  relay_json_member_add_string (b, "code", e->config->code);
  relay_json_member_add_string (b, "name_th", e->config->name_th);
  relay_json_member_add_string (b, "name_en", e->config->name_en);
  relay_json_member_add_string (b, "region", e->config->region);
  relay_json_member_add_string (b, "state", relay_office_state_name (e->state));
  relay_json_member_add_string (b, "since", since);
  relay_json_member_add_string (b, "transport", s ? s->transport : NULL);
  if (details)
    {
      add_session_details (b, e, s, join_ms);
      add_takeover (b, e);
    }
  add_video (b, s, &decoded, details);
  add_audio (b, s, &decoded, details);
  json_builder_end_object (b);
}

JsonNode *
relay_office_registry_describe (RelayOfficeRegistry *r, const char *code,
                                  const RelayStatusAudience *audience)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_mutex_lock (&r->lock);
  ProvinceEntry *e = g_hash_table_lookup (r->entries, code);
  if (e)
    describe_entry (b, e, audience);
  g_mutex_unlock (&r->lock);
  return e ? json_builder_get_root (b) : NULL;
}

JsonNode *
relay_office_registry_describe_all (RelayOfficeRegistry *r, const RelayStatusAudience *audience)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "provinces");
  json_builder_begin_array (b);
  g_mutex_lock (&r->lock);
  for (guint i = 0; i < r->config->provinces->len; i++)
    {
      RelayOfficeConfig *p = r->config->provinces->pdata[i];
      describe_entry (b, g_hash_table_lookup (r->entries, p->code), audience);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "central");
  describe_entry (b, g_hash_table_lookup (r->entries, RELAY_CENTRAL_ROOM), audience);
  g_mutex_unlock (&r->lock);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
relay_office_registry_count (RelayOfficeRegistry *r, guint counts[4])
{
  counts[0] = counts[1] = counts[2] = counts[3] = 0;
  g_mutex_lock (&r->lock);
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, r->entries);
  while (g_hash_table_iter_next (&it, NULL, &value))
    if (((ProvinceEntry *) value)->config != &r->central)
      counts[((ProvinceEntry *) value)->state]++;
  g_mutex_unlock (&r->lock);
}

gboolean
relay_office_registry_get_counters (RelayOfficeRegistry *r, const char *code,
                                      RelayOfficeCounters *counters)
{
  ProvinceEntry *e = entry_of (r, code);
  if (!e)
    return FALSE;
  g_mutex_lock (&r->lock);
  *counters = e->ended;
  counters->state = e->state;
  counters->rtt_ms = -1;
  counters->video_jitter_ms = counters->audio_jitter_ms = -1;
  if (e->session)
    {
      add_session_counters (counters, e->session);
      RelayPublisherSnapshot s;
      relay_publisher_session_get_snapshot (e->session, &s);
      counters->rtt_ms = s.rtt_ms;
      counters->video_jitter_ms = s.has_video ? s.video_jitter_ms : -1;
      counters->audio_jitter_ms = s.has_audio ? s.audio_jitter_ms : -1;
    }
  g_mutex_unlock (&r->lock);
  return TRUE;
}

RelayMetricsHistogram *
relay_office_registry_get_join_time (RelayOfficeRegistry *r)
{
  return r->join_time;
}

const RelayOfficeConfig *
relay_office_registry_find (RelayOfficeRegistry *r, const char *code)
{
  ProvinceEntry *e = entry_of (r, code);
  return e ? e->config : NULL;
}

gboolean
relay_office_registry_get_activity (RelayOfficeRegistry *r, const char *code,
                                      RelayOfficeActivity *activity)
{
  memset (activity, 0, sizeof *activity);
  activity->audio_level_dbov = -127;
  g_mutex_lock (&r->lock);
  ProvinceEntry *e = entry_of (r, code);
  if (e)
    {
      activity->state = e->state;
      if (e->session)
        {
          RelayPublisherSnapshot snap;
          relay_publisher_session_get_snapshot (e->session, &snap);
          activity->has_audio = snap.has_audio;
          activity->video_refused = snap.limits.state == RELAY_INGEST_REFUSED;
          guint packets, level_packets;
          relay_publisher_session_get_audio_activity (e->session, &packets, &level_packets,
                                                      &activity->audio_level_dbov,
                                                      &activity->voice_activity);
          activity->audio_packets = packets;
          activity->level_packets = level_packets;
        }
    }
  g_mutex_unlock (&r->lock);
  return e != NULL;
}
