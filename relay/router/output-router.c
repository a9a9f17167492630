#include "relay/router/output-router.h"

#include <string.h>

#include "pipelines/conference-mixer.h"
#include "pipelines/mosaic-pipeline.h"
#include "pipelines/program-pipeline.h"
#include "relay/conference/active-speaker.h"
#include "webrtc/rtp/audio-level.h"
#include "webrtc/base/log.h"
#include "webrtc/base/media.h"
#include "relay/router/producer.h"

/* How often levels and connection states are looked at. */
#define WATCH_INTERVAL_MS 200

typedef struct {
  RelayPacketChannel *channel; /* owned reference */
  RelayOutput output;
  char *listener;              /* NULL: outside the conference */
  RelayProducer *audio;        /* the mix it is subscribed to (borrowed) */
} Viewer;

typedef struct {
  const char *id; /* borrowed from the registry's configuration */
  gboolean connected;
  gboolean video_refused;
  guint64 level_packets;  /* RFC 6464 levels received, at the last look */
  guint64 decoded_frames; /* decoded audio frames measured, at the last look */
} Watched;

/* The level of a participant's decoded audio (only members of the mix are
 * decoded), measured by its decoder's thread: the loudest of 300 ms, as
 * for the levels in RTP. */
typedef struct {
  RelayLevelHold hold;
  guint64 frames;
} DecodedLevel;

struct _RelayOutputRouter {
  RelayApp *app;
  RelayDecodedSink sink;
  RelayMosaic *mosaic;
  RelayProgram *program;
  RelayConferenceMixer *mixer;
  RelayProducer *mosaic_video;
  RelayProducer *program_video;

  /* Mix name -> RelayProducer*. Read by the mixer's streaming thread for
   * every packet; producers are created on demand and kept until the end,
   * so a pointer taken under the lock stays valid. */
  GMutex mixes_lock;
  GHashTable *mixes;

  /* Who is in the mix, read per audio packet by decoder threads. */
  GRWLock members_lock;
  GHashTable *members; /* id (owned) */

  /* Indexed as `watched`; written by decoder threads, read by the watch. */
  GMutex decoded_lock;
  DecodedLevel *decoded;
  GHashTable *watched_index; /* id -> index + 1; read-only after new */

  GPtrArray *viewers; /* Viewer*, main context */
  GArray *watched;    /* Watched */
  GArray *levels;     /* RelaySpeakerLevel, the watch's scratch */
  guint watch_source;
  RelayActiveSpeaker *speaker;
};

const char *
relay_output_name (RelayOutput output)
{
  return output == RELAY_OUTPUT_MOSAIC ? "mosaic" : "program";
}

static void
viewer_free (Viewer *v)
{
  relay_packet_channel_unref (v->channel);
  g_free (v->listener);
  g_free (v);
}

static RelayProducer *
mix_producer (RelayOutputRouter *self, const char *mix)
{
  g_mutex_lock (&self->mixes_lock);
  RelayProducer *p = g_hash_table_lookup (self->mixes, mix);
  if (!p)
    {
      p = relay_producer_new ();
      g_hash_table_insert (self->mixes, g_strdup (mix), p);
    }
  g_mutex_unlock (&self->mixes_lock);
  return p;
}

/* ---- from the pipelines (streaming threads) ----------------------------- */

/* Packets enter the fan-out stamped with the time they left the encoder, so
 * a viewer's forwarding latency (GET /api/v1/viewers) is the fan-out's own,
 * comparable with the SFU path; the pipelines keep the capture-to-encoded
 * latency in their own statistics (GET /api/v1/outputs). */

static void
on_mosaic_rtp (guint8 kind, gboolean keyframe, gint64 capture_us, const guint8 *rtp, gsize len,
               gpointer data)
{
  RelayOutputRouter *self = data;
  relay_producer_send (self->mosaic_video, kind, keyframe, g_get_monotonic_time (), rtp, len);
}

static void
on_program_rtp (guint8 kind, gboolean keyframe, gint64 capture_us, const guint8 *rtp, gsize len,
                gpointer data)
{
  RelayOutputRouter *self = data;
  relay_producer_send (self->program_video, kind, keyframe, g_get_monotonic_time (), rtp, len);
}

static void
on_mix_rtp (const char *mix, gint64 capture_us, const guint8 *rtp, gsize len, gpointer data)
{
  RelayOutputRouter *self = data;
  relay_producer_send (mix_producer (self, mix), RELAY_FORWARD_AUDIO, FALSE,
                       g_get_monotonic_time (), rtp, len);
}

/* ---- from the decoders (streaming threads) ------------------------------ */

static void
on_video_frame (const char *participant, GstBuffer *frame, const GstVideoInfo *info,
                gpointer data)
{
  RelayOutputRouter *self = data;
  relay_mosaic_push_frame (self->mosaic, participant, frame, info);
  relay_program_push_frame (self->program, participant, frame, info);
}

/* The level of each decoded buffer: the active speaker's source for a
 * member that sends no RFC 6464 levels (OBS, GStreamer's whipclientsink). */
static void
measure_decoded (RelayOutputRouter *self, const char *participant, GstBuffer *pcm,
                 const GstAudioInfo *info)
{
  guint index = GPOINTER_TO_UINT (g_hash_table_lookup (self->watched_index, participant));
  if (!index || GST_AUDIO_INFO_FORMAT (info) != GST_AUDIO_FORMAT_S16)
    return;
  GstMapInfo map;
  if (!gst_buffer_map (pcm, &map, GST_MAP_READ))
    return;
  guint8 level = relay_audio_level_from_dbov (
      relay_audio_level_dbov_s16 ((const gint16 *) map.data, map.size / 2));
  gst_buffer_unmap (pcm, &map);
  gint64 now = g_get_monotonic_time ();
  g_mutex_lock (&self->decoded_lock);
  DecodedLevel *d = &self->decoded[index - 1];
  relay_level_hold_update (&d->hold, level, FALSE, now);
  d->frames++;
  g_mutex_unlock (&self->decoded_lock);
}

static void
on_audio_frame (const char *participant, GstBuffer *pcm, const GstAudioInfo *info,
                gpointer data)
{
  RelayOutputRouter *self = data;
  measure_decoded (self, participant, pcm, info);
  relay_conference_mixer_push (self->mixer, participant, pcm, info);
}

static gboolean
is_member (RelayOutputRouter *self, const char *participant)
{
  g_rw_lock_reader_lock (&self->members_lock);
  gboolean member = g_hash_table_contains (self->members, participant);
  g_rw_lock_reader_unlock (&self->members_lock);
  return member;
}

static gboolean
audio_wanted (const char *participant, gpointer data)
{
  return is_member (data, participant);
}

/* ---- following the conference ------------------------------------------ */

static RelayProducer *
audio_for (RelayOutputRouter *self, const char *listener)
{
  return mix_producer (self, listener && is_member (self, listener) ? listener : RELAY_MIX_ALL);
}

static void
route_viewer_audio (RelayOutputRouter *self, Viewer *v)
{
  RelayProducer *wanted = audio_for (self, v->listener);
  if (wanted == v->audio)
    return;
  /* Subscribe first: the rewriter turns the change of SSRC into one
   * continuous stream for the viewer. */
  relay_producer_subscribe (wanted, v->channel);
  if (v->audio)
    relay_producer_unsubscribe (v->audio, v->channel);
  v->audio = wanted;
}

/* Mix-minus streams nobody hears are not encoded. */
static void
update_listened (RelayOutputRouter *self)
{
  g_rw_lock_reader_lock (&self->members_lock);
  g_autofree gpointer *ids = g_hash_table_get_keys_as_array (self->members, NULL);
  g_rw_lock_reader_unlock (&self->members_lock);
  for (guint i = 0; ids[i]; i++)
    {
      gboolean heard = FALSE;
      for (guint k = 0; k < self->viewers->len && !heard; k++)
        heard = g_strcmp0 (((Viewer *) self->viewers->pdata[k])->listener, ids[i]) == 0;
      relay_conference_mixer_set_listened (self->mixer, ids[i], heard);
    }
}

static void
on_conference_changed (RelayConference *conference, gpointer data)
{
  RelayOutputRouter *self = data;
  g_auto (GStrv) unmuted = relay_conference_dup_unmuted (conference);
  g_rw_lock_writer_lock (&self->members_lock);
  g_hash_table_remove_all (self->members);
  for (guint i = 0; unmuted[i]; i++)
    g_hash_table_add (self->members, g_strdup (unmuted[i]));
  g_rw_lock_writer_unlock (&self->members_lock);
  relay_conference_mixer_set_members (self->mixer, (const char *const *) unmuted);
  for (guint i = 0; i < self->viewers->len; i++)
    route_viewer_audio (self, self->viewers->pdata[i]);
  update_listened (self);

  RelayLayout layout = relay_conference_get_layout (conference);
  const char *floor = relay_conference_get_floor (conference);
  relay_mosaic_set_layout (self->mosaic, layout, floor);
  relay_mosaic_set_floor (self->mosaic, floor);
  for (guint i = 0; i < self->watched->len; i++)
    {
      const char *id = g_array_index (self->watched, Watched, i).id;
      relay_mosaic_set_muted (self->mosaic, id, relay_conference_is_muted (conference, id));
    }
  /* The provinces see the central room, or the floor holder when the chair
   * puts it in the spotlight. */
  relay_program_set_source (self->program,
                            layout == RELAY_LAYOUT_SPOTLIGHT && floor ? floor : RELAY_CENTRAL_ROOM);
}

/* ---- watching connections and levels ------------------------------------ */

static void
publish_speaker (RelayOutputRouter *self)
{
  gint level;
  RelayLevelSource source;
  const char *speaker = relay_active_speaker_get (self->speaker, &level, &source);
  relay_mosaic_set_active_speaker (self->mosaic, speaker);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "participant");
  if (speaker)
    json_builder_add_string_value (b, speaker);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "level_dbov");
  if (speaker)
    json_builder_add_int_value (b, level);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "level_source");
  if (speaker)
    json_builder_add_string_value (b, relay_level_source_name (source));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  relay_event_bus_publish (self->app->events, "active-speaker", json_builder_get_root (b));
}

/* A participant's level at this look, if it has a fresh one: RFC 6464 when
 * its packets carry levels, else its decoded audio's while it is decoded
 * (a member of the mix). A level is only news if packets or frames kept
 * coming since the last look. */
static gboolean
fresh_level (RelayOutputRouter *self, guint index, Watched *w, const RelayOfficeActivity *a,
             RelaySpeakerLevel *out)
{
  gboolean rtp = a->level_packets != w->level_packets;
  w->level_packets = a->level_packets;
  g_mutex_lock (&self->decoded_lock);
  DecodedLevel d = self->decoded[index];
  g_mutex_unlock (&self->decoded_lock);
  gboolean decoded = d.frames != w->decoded_frames;
  w->decoded_frames = d.frames;
  if (a->state != RELAY_OFFICE_LIVE || !a->has_audio)
    return FALSE;
  *out = (RelaySpeakerLevel) { .id = w->id };
  if (rtp)
    {
      out->level_dbov = a->audio_level_dbov;
      out->source = RELAY_LEVEL_FROM_RTP;
    }
  else if (decoded)
    {
      out->level_dbov = -(gint) d.hold.level;
      out->source = RELAY_LEVEL_FROM_DECODED;
    }
  return rtp || decoded;
}

static gboolean
on_watch (gpointer data)
{
  RelayOutputRouter *self = data;
  g_array_set_size (self->levels, 0);
  for (guint i = 0; i < self->watched->len; i++)
    {
      Watched *w = &g_array_index (self->watched, Watched, i);
      RelayOfficeActivity a;
      if (!relay_office_registry_get_activity (self->app->registry, w->id, &a))
        continue;
      gboolean connected = a.state != RELAY_OFFICE_OFFLINE;
      if (connected != w->connected)
        {
          w->connected = connected;
          relay_mosaic_set_connected (self->mosaic, w->id, connected);
        }
      gboolean refused = connected && a.video_refused;
      if (refused != w->video_refused)
        {
          w->video_refused = refused;
          relay_mosaic_set_video_refused (self->mosaic, w->id, refused);
        }
      RelaySpeakerLevel level;
      if (fresh_level (self, i, w, &a, &level))
        g_array_append_val (self->levels, level);
    }
  if (relay_active_speaker_look (self->speaker, (const RelaySpeakerLevel *) self->levels->data,
                                 self->levels->len, g_get_monotonic_time ()))
    publish_speaker (self);
  return G_SOURCE_CONTINUE;
}

/* ---- life --------------------------------------------------------------- */

RelayOutputRouter *
relay_output_router_new (RelayApp *app, GError **error)
{
  RelayOutputRouter *self = g_new0 (RelayOutputRouter, 1);
  self->app = app;
  g_mutex_init (&self->mixes_lock);
  g_rw_lock_init (&self->members_lock);
  self->mixes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) relay_producer_free);
  self->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->viewers = g_ptr_array_new_with_free_func ((GDestroyNotify) viewer_free);
  self->mosaic_video = relay_producer_new ();
  self->program_video = relay_producer_new ();
  self->sink = (RelayDecodedSink){
    .video_frame = on_video_frame,
    .audio_frame = on_audio_frame,
    .audio_wanted = audio_wanted,
    .user_data = self,
  };
  self->watched = g_array_new (FALSE, TRUE, sizeof (Watched));
  Watched central = { .id = RELAY_CENTRAL_ROOM };
  g_array_append_val (self->watched, central);
  for (guint i = 0; i < app->config->provinces->len; i++)
    {
      Watched w = { .id = ((RelayOfficeConfig *) app->config->provinces->pdata[i])->code };
      g_array_append_val (self->watched, w);
    }
  self->levels = g_array_new (FALSE, FALSE, sizeof (RelaySpeakerLevel));
  self->speaker = relay_active_speaker_new ();
  g_mutex_init (&self->decoded_lock);
  self->decoded = g_new0 (DecodedLevel, self->watched->len);
  self->watched_index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < self->watched->len; i++)
    {
      relay_level_hold_init (&self->decoded[i].hold);
      g_hash_table_insert (self->watched_index,
                           (gpointer) g_array_index (self->watched, Watched, i).id,
                           GUINT_TO_POINTER (i + 1));
    }

  self->mosaic = relay_mosaic_new (app->config, on_mosaic_rtp, self, error);
  if (self->mosaic)
    self->program = relay_program_new (app->config, on_program_rtp, self, error);
  if (self->program)
    self->mixer = relay_conference_mixer_new (app->config->audio_bitrate_kbps, on_mix_rtp, self,
                                              error);
  if (!self->mixer)
    {
      relay_output_router_free (self);
      return NULL;
    }
  relay_conference_set_changed_func (app->conference, on_conference_changed, self);
  on_conference_changed (app->conference, self);
  GSource *watch = g_timeout_source_new (WATCH_INTERVAL_MS);
  g_source_set_callback (watch, on_watch, self, NULL);
  self->watch_source = g_source_attach (watch, app->main_context);
  g_source_unref (watch);
  return self;
}

void
relay_output_router_free (RelayOutputRouter *self)
{
  if (!self)
    return;
  if (self->watch_source)
    {
      GSource *s = g_main_context_find_source_by_id (self->app->main_context, self->watch_source);
      if (s)
        g_source_destroy (s);
    }
  if (self->app->conference)
    relay_conference_set_changed_func (self->app->conference, NULL, NULL);
  /* Pipelines first: their streaming threads use the producers. */
  g_clear_pointer (&self->mosaic, relay_mosaic_free);
  g_clear_pointer (&self->program, relay_program_free);
  g_clear_pointer (&self->mixer, relay_conference_mixer_free);
  g_ptr_array_unref (self->viewers);
  g_hash_table_unref (self->mixes);
  g_hash_table_unref (self->members);
  relay_producer_free (self->mosaic_video);
  relay_producer_free (self->program_video);
  g_array_unref (self->watched);
  g_array_unref (self->levels);
  relay_active_speaker_free (self->speaker);
  g_hash_table_unref (self->watched_index);
  g_free (self->decoded);
  g_mutex_clear (&self->decoded_lock);
  g_mutex_clear (&self->mixes_lock);
  g_rw_lock_clear (&self->members_lock);
  g_free (self);
}

const RelayDecodedSink *
relay_output_router_get_decoded_sink (RelayOutputRouter *self)
{
  return &self->sink;
}

void
relay_output_router_add_viewer (RelayOutputRouter *self, RelayOutput output,
                                const char *listener, RelayPacketChannel *channel)
{
  Viewer *v = g_new0 (Viewer, 1);
  v->channel = relay_packet_channel_ref (channel);
  v->output = output;
  v->listener = g_strdup (listener);
  g_ptr_array_add (self->viewers, v);
  relay_producer_subscribe (output == RELAY_OUTPUT_MOSAIC ? self->mosaic_video
                                                          : self->program_video,
                            channel);
  route_viewer_audio (self, v);
  update_listened (self);
  relay_output_router_request_keyframe (self, output);
}

void
relay_output_router_remove_viewer (RelayOutputRouter *self, RelayPacketChannel *channel)
{
  for (guint i = 0; i < self->viewers->len; i++)
    {
      Viewer *v = self->viewers->pdata[i];
      if (v->channel != channel)
        continue;
      relay_producer_unsubscribe (v->output == RELAY_OUTPUT_MOSAIC ? self->mosaic_video
                                                                   : self->program_video,
                                  channel);
      if (v->audio)
        relay_producer_unsubscribe (v->audio, channel);
      g_ptr_array_remove_index_fast (self->viewers, i);
      update_listened (self);
      return;
    }
}

void
relay_output_router_request_keyframe (RelayOutputRouter *self, RelayOutput output)
{
  if (output == RELAY_OUTPUT_MOSAIC)
    relay_mosaic_request_keyframe (self->mosaic);
  else
    relay_program_request_keyframe (self->program);
}

static void
add_latency (JsonBuilder *b, const char *name, gint64 us)
{
  json_builder_set_member_name (b, name);
  if (us >= 0)
    json_builder_add_double_value (b, us / 1000.0);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_fps (JsonBuilder *b, double fps)
{
  json_builder_set_member_name (b, "fps");
  json_builder_add_double_value (b, ((int) (fps * 10 + 0.5)) / 10.0);
}

static guint
count_viewers (RelayOutputRouter *self, RelayOutput output)
{
  guint n = 0;
  for (guint i = 0; i < self->viewers->len; i++)
    n += ((Viewer *) self->viewers->pdata[i])->output == output;
  return n;
}

static void
describe_mosaic (RelayOutputRouter *self, JsonBuilder *b, gboolean details)
{
  RelayMosaicStats ms;
  relay_mosaic_get_stats (self->mosaic, &ms);
  RelayConfig *c = self->app->config;
  json_builder_begin_object (b);
  add_int (b, "width", c->mosaic_width);
  add_int (b, "height", c->mosaic_height);
  json_builder_set_member_name (b, "codec");
  json_builder_add_string_value (b, relay_codec_name (c->output_codec));
  add_fps (b, ms.encoded.fps);
  if (details)
    {
      add_int (b, "frames", ms.encoded.frames_out);
      add_int (b, "frames_in", ms.frames_in);
      add_int (b, "keyframes_forced", ms.encoded.keyframes_forced);
      add_latency (b, "latency_p50_ms", ms.encoded.latency_p50_us);
      add_latency (b, "latency_p99_ms", ms.encoded.latency_p99_us);
      add_int (b, "viewers", count_viewers (self, RELAY_OUTPUT_MOSAIC));
    }
  /* Public: pages map clicks to offices with it. */
  json_builder_set_member_name (b, "tiles");
  json_builder_add_value (b, relay_mosaic_describe_layout (self->mosaic));
  json_builder_end_object (b);
}

static void
describe_program (RelayOutputRouter *self, JsonBuilder *b, gboolean details)
{
  RelayProgramStats ps;
  relay_program_get_stats (self->program, &ps);
  RelayConfig *c = self->app->config;
  json_builder_begin_object (b);
  add_int (b, "width", c->program_width);
  add_int (b, "height", c->program_height);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, ps.source);
  add_fps (b, ps.encoded.fps);
  if (details)
    {
      add_int (b, "frames", ps.encoded.frames_out);
      add_int (b, "keyframes_forced", ps.encoded.keyframes_forced);
      add_int (b, "viewers", count_viewers (self, RELAY_OUTPUT_PROGRAM));
    }
  json_builder_end_object (b);
}

static void
describe_audio (RelayOutputRouter *self, JsonBuilder *b, gboolean details)
{
  json_builder_begin_object (b);
  /* Who is in the mix: public, as the conference's unmuted list is. */
  json_builder_set_member_name (b, "members");
  json_builder_begin_array (b);
  g_rw_lock_reader_lock (&self->members_lock);
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, self->members);
  while (g_hash_table_iter_next (&it, &key, NULL))
    json_builder_add_string_value (b, key);
  g_rw_lock_reader_unlock (&self->members_lock);
  json_builder_end_array (b);
  if (details)
    {
      RelayConferenceMixerStats xs;
      relay_conference_mixer_get_stats (self->mixer, &xs);
      add_int (b, "rounds", xs.ticks);
      add_int (b, "underruns", xs.underruns);
      add_int (b, "dropped_ms", xs.dropped_ms);
      add_latency (b, "latency_p50_ms", xs.latency_p50_us);
      add_latency (b, "latency_p99_ms", xs.latency_p99_us);
    }
  json_builder_end_object (b);
}

JsonNode *
relay_output_router_describe (RelayOutputRouter *self, const RelayStatusAudience *audience)
{
  gboolean details = relay_status_audience_sees_details (audience, NULL);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mosaic");
  describe_mosaic (self, b, details);
  json_builder_set_member_name (b, "program");
  describe_program (self, b, details);
  json_builder_set_member_name (b, "audio");
  describe_audio (self, b, details);
  json_builder_set_member_name (b, "active_speaker");
  const char *speaker = relay_active_speaker_get (self->speaker, NULL, NULL);
  if (speaker)
    json_builder_add_string_value (b, speaker);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
relay_output_router_get_stats (RelayOutputRouter *self, RelayOutputRouterStats *stats)
{
  relay_mosaic_get_stats (self->mosaic, &stats->mosaic);
  relay_program_get_stats (self->program, &stats->program);
  relay_conference_mixer_get_stats (self->mixer, &stats->mix);
}
