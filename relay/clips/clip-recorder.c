#include "relay/clips/clip-recorder.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "relay/clips/clip-writer.h"
#include "webrtc/base/log.h"
#include "webrtc/base/media.h"
#include "relay/figures/database.h"

#define VAD_POLL_MS 100
#define VAD_SILENCE_US (2 * G_USEC_PER_SEC)
#define VAD_LEVEL_DBOV (-40)
/* Audio is 50 packets/s, but video of the province shares the channel:
 * room for a second or two of both while the thread writes the index,
 * and at most as many full-size packets in bytes (2.4 MB). */
#define CHANNEL_CAPACITY 2048

typedef struct _Turn Turn;

struct _RelayClipRecorder {
  RelayConfig *config;
  RelayOfficeRegistry *registry;
  RelayEventBus *events;
  guint bus_id;
  GTimeZone *bangkok;

  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;

  /* The recorder's thread only. */
  sqlite3 *db;
  GHashTable *turns;       /* code -> Turn* */
  char *floor;             /* the floor holder, as last told */
  gboolean floor_used;     /* the chair has used the floor: no more voice activity */
  GHashTable *vad;         /* code -> Vad* */
  GSource *vad_timer;

  GMutex read_lock;        /* guards reader */
  sqlite3 *reader;
};

struct _Turn {
  RelayClipRecorder *recorder;
  char *code;
  gboolean by_floor;
  RelayPacketChannel *channel;
  RelayClipWriter *writer;
  GDateTime *started;      /* UTC */
  char *date;              /* Asia/Bangkok, of the start */
  char *relative_path;     /* under the data dir */
};

typedef struct {
  guint64 packets;
  gint64 last_voice_us;
} Vad;

void
relay_clip_row_free (RelayClipRow *row)
{
  if (!row)
    return;
  g_free (row->province);
  g_free (row->date);
  g_free (row->started_at);
  g_free (row->ended_at);
  g_free (row->path);
  g_free (row->reason);
  g_free (row);
}

static char *
iso_utc (GDateTime *t)
{
  return g_date_time_format (t, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/* --- the recorder's thread --- */

static void
on_packet (const RelayChannelPacket *packet, gpointer user_data)
{
  Turn *turn = user_data;
  if (packet->kind == RELAY_FORWARD_AUDIO)
    relay_clip_writer_push (turn->writer, packet->data, packet->len);
}

static void
turn_free (Turn *turn)
{
  if (turn->channel)
    {
      relay_packet_channel_close (turn->channel);
      relay_office_registry_unsubscribe (turn->recorder->registry, turn->code, turn->channel);
      relay_packet_channel_unref (turn->channel);
    }
  relay_clip_writer_free (turn->writer);
  g_date_time_unref (turn->started);
  g_free (turn->code);
  g_free (turn->date);
  g_free (turn->relative_path);
  g_free (turn);
}

static void
start_turn (RelayClipRecorder *self, const char *code, gboolean by_floor)
{
  if (g_hash_table_contains (self->turns, code))
    return;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) local = g_date_time_to_timezone (now, self->bangkok);
  g_autofree char *date = g_date_time_format (local, "%Y-%m-%d");
  g_autofree char *hms = g_date_time_format (local, "%H%M%S");
  g_autofree char *dir = g_build_filename (self->config->data_dir, "clips", date, NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      relay_warn (code, "clip not recorded: %s: %s", dir, g_strerror (errno));
      return;
    }
  g_autofree char *name = g_strdup_printf ("%s-%s-%03d.ogg", code, hms,
                                           g_date_time_get_microsecond (local) / 1000);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  RelayClipWriter *writer = relay_clip_writer_new (path, &error);
  if (!writer)
    {
      relay_warn (code, "clip not recorded: %s", error->message);
      return;
    }
  Turn *turn = g_new0 (Turn, 1);
  turn->recorder = self;
  turn->code = g_strdup (code);
  turn->by_floor = by_floor;
  turn->writer = writer;
  turn->started = g_date_time_ref (now);
  turn->date = g_steal_pointer (&date);
  turn->relative_path = g_build_filename ("clips", turn->date, name, NULL);
  turn->channel = relay_packet_channel_new (self->context, CHANNEL_CAPACITY,
                                            RELAY_PACKET_CHANNEL_BYTES_FOR (CHANNEL_CAPACITY),
                                            on_packet, turn);
  relay_office_registry_subscribe (self->registry, code, turn->channel);
  g_hash_table_insert (self->turns, turn->code, turn);
  relay_info (code, "clip started (%s): %s", by_floor ? "floor" : "voice activity",
              turn->relative_path);
}

static gboolean
store (RelayClipRecorder *self, Turn *turn, const char *ended_at, guint64 duration_ms,
       gint64 bytes, const char *reason, gint64 *id, GError **error)
{
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO clips (province, date, started_at, ended_at, duration_ms,"
                          " path, bytes, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                          -1, &st, NULL) != SQLITE_OK)
    {
      relay_database_set_error (self->db, "clips", error);
      return FALSE;
    }
  g_autofree char *started_at = iso_utc (turn->started);
  sqlite3_bind_text (st, 1, turn->code, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, turn->date, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, started_at, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 4, ended_at, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 5, (sqlite3_int64) duration_ms);
  sqlite3_bind_text (st, 6, turn->relative_path, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 7, bytes);
  sqlite3_bind_text (st, 8, reason, -1, SQLITE_STATIC);
  gboolean ok = sqlite3_step (st) == SQLITE_DONE;
  if (ok)
    *id = sqlite3_last_insert_rowid (self->db);
  else
    relay_database_set_error (self->db, "clips", error);
  sqlite3_finalize (st);
  return ok;
}

static void
publish (RelayClipRecorder *self, Turn *turn, gint64 id, const char *ended_at,
         guint64 duration_ms, const char *reason)
{
  g_autofree char *url = g_strdup_printf ("/api/v1/clips/%" G_GINT64_FORMAT ".ogg", id);
  g_autofree char *started_at = iso_utc (turn->started);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "province");
  json_builder_add_string_value (b, turn->code);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, id);
  json_builder_set_member_name (b, "date");
  json_builder_add_string_value (b, turn->date);
  json_builder_set_member_name (b, "start");
  json_builder_add_string_value (b, started_at);
  json_builder_set_member_name (b, "end");
  json_builder_add_string_value (b, ended_at);
  json_builder_set_member_name (b, "duration_ms");
  json_builder_add_int_value (b, (gint64) duration_ms);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, url);
  json_builder_end_object (b);
  relay_event_bus_publish (self->events, "clip", json_builder_get_root (b));
}

/* Stops the turn's packets, closes its file and indexes it. A turn in
 * which no audio came leaves no clip. */
static void
end_turn (RelayClipRecorder *self, const char *code, const char *reason)
{
  Turn *turn = g_hash_table_lookup (self->turns, code);
  if (!turn)
    return;
  g_hash_table_steal (self->turns, code);
  relay_packet_channel_close (turn->channel);
  relay_office_registry_unsubscribe (self->registry, code, turn->channel);
  g_clear_pointer (&turn->channel, relay_packet_channel_unref);

  g_autofree char *path = g_build_filename (self->config->data_dir, turn->relative_path, NULL);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *ended_at = iso_utc (now);
  guint64 duration_ms = 0;
  g_autoptr (GError) error = NULL;
  gboolean ok = relay_clip_writer_finish (turn->writer, &duration_ms, &error);
  GStatBuf st;
  if (relay_clip_writer_get_packets (turn->writer) == 0 || g_stat (path, &st) != 0)
    {
      relay_info (code, "clip ended (%s) without audio: not kept", reason);
      g_unlink (path);
    }
  else if (!ok)
    {
      relay_warn (code, "clip %s failed: %s", turn->relative_path, error->message);
      g_unlink (path);
    }
  else
    {
      gint64 id = 0;
      if (store (self, turn, ended_at, duration_ms, (gint64) st.st_size, reason, &id, &error))
        {
          relay_info (code, "clip %" G_GINT64_FORMAT " ended (%s): %" G_GUINT64_FORMAT " ms, %s",
                      id, reason, duration_ms, turn->relative_path);
          publish (self, turn, id, ended_at, duration_ms, reason);
        }
      else
        relay_warn (code, "clip %s not indexed: %s", turn->relative_path, error->message);
    }
  turn_free (turn);
}

static void
end_all (RelayClipRecorder *self, gboolean only_voice, const char *reason)
{
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, self->turns);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (!only_voice || !((Turn *) value)->by_floor)
      g_ptr_array_add (codes, g_strdup (key));
  for (guint i = 0; i < codes->len; i++)
    end_turn (self, codes->pdata[i], reason);
}

/* Voice activity, for briefings without floor control: see the header. */
static gboolean
poll_voice (gpointer data)
{
  RelayClipRecorder *self = data;
  gint64 now = g_get_monotonic_time ();
  for (guint i = 0; i < self->config->provinces->len; i++)
    {
      const char *code = ((RelayOfficeConfig *) self->config->provinces->pdata[i])->code;
      RelayOfficeActivity a;
      if (!relay_office_registry_get_activity (self->registry, code, &a))
        continue;
      Vad *v = g_hash_table_lookup (self->vad, code);
      if (!v)
        {
          v = g_new0 (Vad, 1);
          v->packets = a.audio_packets;
          g_hash_table_insert (self->vad, g_strdup (code), v);
          continue;
        }
      gboolean fresh = a.audio_packets != v->packets;
      v->packets = a.audio_packets;
      gboolean speaking = fresh && a.state == RELAY_OFFICE_LIVE
                          && (a.voice_activity || a.audio_level_dbov >= VAD_LEVEL_DBOV);
      if (speaking)
        {
          v->last_voice_us = now;
          start_turn (self, code, FALSE);
        }
      else if (g_hash_table_contains (self->turns, code) && now - v->last_voice_us >= VAD_SILENCE_US)
        end_turn (self, code, "silence");
    }
  return G_SOURCE_CONTINUE;
}

typedef enum {
  COMMAND_FLOOR,
  COMMAND_STATE,
  COMMAND_STOP,
} CommandKind;

typedef struct {
  RelayClipRecorder *recorder;
  CommandKind kind;
  char *province;
  char *state;
} Command;

static void
command_free (gpointer data)
{
  Command *c = data;
  g_free (c->province);
  g_free (c->state);
  g_free (c);
}

static void
on_floor (RelayClipRecorder *self, const char *holder)
{
  if (!self->floor_used)
    {
      /* The chair runs the briefing: turns are the floor's from now on. */
      self->floor_used = TRUE;
      g_clear_pointer (&self->vad_timer, g_source_destroy);
      end_all (self, TRUE, "floor-control");
    }
  if (self->floor && g_strcmp0 (self->floor, holder) != 0)
    end_turn (self, self->floor, holder ? "floor-passed" : "floor-taken-back");
  g_free (self->floor);
  self->floor = g_strdup (holder);
  if (holder)
    start_turn (self, holder, TRUE);
}

static gboolean
run_command (gpointer data)
{
  Command *c = data;
  RelayClipRecorder *self = c->recorder;
  switch (c->kind)
    {
    case COMMAND_FLOOR:
      on_floor (self, c->province);
      break;
    case COMMAND_STATE:
      if (g_strcmp0 (c->state, "offline") == 0 || g_strcmp0 (c->state, "lost") == 0)
        end_turn (self, c->province, "disconnected");
      else if (g_strcmp0 (c->state, "live") == 0 && g_strcmp0 (c->province, self->floor) == 0)
        start_turn (self, c->province, TRUE); /* back, still holding the floor */
      break;
    case COMMAND_STOP:
      g_clear_pointer (&self->vad_timer, g_source_destroy);
      end_all (self, FALSE, "shutdown");
      g_main_loop_quit (self->loop);
      break;
    }
  return G_SOURCE_REMOVE;
}

static void
send_command (RelayClipRecorder *self, CommandKind kind, const char *province, const char *state)
{
  Command *c = g_new0 (Command, 1);
  c->recorder = self;
  c->kind = kind;
  c->province = g_strdup (province);
  c->state = g_strdup (state);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, run_command, c, command_free);
}

static gpointer
thread_main (gpointer data)
{
  RelayClipRecorder *self = data;
  g_main_context_push_thread_default (self->context);
  self->vad_timer = g_timeout_source_new (VAD_POLL_MS);
  g_source_set_callback (self->vad_timer, poll_voice, self, NULL);
  g_source_attach (self->vad_timer, self->context);
  g_source_unref (self->vad_timer); /* the context keeps it until destroyed */
  g_main_loop_run (self->loop);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* --- the main context --- */

static void
on_event (guint64 seq, const char *json, gpointer user_data)
{
  RelayClipRecorder *self = user_data;
  /* Cheap test first: most events are neither. */
  if (!strstr (json, "\"type\":\"floor\"") && !strstr (json, "\"type\":\"province-state\""))
    return;
  g_autoptr (JsonNode) root = json_from_string (json, NULL);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  JsonObject *o = json_node_get_object (root);
  const char *type = json_object_get_string_member_with_default (o, "type", "");
  JsonNode *province = json_object_get_member (o, "province");
  const char *code = province && JSON_NODE_HOLDS_VALUE (province) ? json_node_get_string (province)
                                                                  : NULL;
  if (strcmp (type, "floor") == 0)
    send_command (self, COMMAND_FLOOR, code, NULL);
  else if (strcmp (type, "province-state") == 0 && code)
    send_command (self, COMMAND_STATE, code,
                  json_object_get_string_member_with_default (o, "state", ""));
}

RelayClipRecorder *
relay_clip_recorder_new (RelayConfig *config, RelayOfficeRegistry *registry,
                         RelayEventBus *events, GError **error)
{
  sqlite3 *db = relay_database_open (config->data_dir, error);
  if (!db)
    return NULL;
  sqlite3 *reader = relay_database_open_reader (config->data_dir, error);
  if (!reader)
    {
      sqlite3_close (db);
      return NULL;
    }
  RelayClipRecorder *self = g_new0 (RelayClipRecorder, 1);
  self->config = config;
  self->registry = registry;
  self->events = events;
  self->db = db;
  self->reader = reader;
  g_mutex_init (&self->read_lock);
  self->bangkok = g_time_zone_new_offset (7 * 3600); /* no daylight saving */
  self->turns = g_hash_table_new (g_str_hash, g_str_equal);
  self->vad = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("clips", thread_main, self);
  self->bus_id = relay_event_bus_subscribe (events, on_event, self);
  return self;
}

void
relay_clip_recorder_free (RelayClipRecorder *self)
{
  if (!self)
    return;
  relay_event_bus_unsubscribe (self->events, self->bus_id);
  send_command (self, COMMAND_STOP, NULL, NULL);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  /* Commands sent after STOP (none should be) are dropped with the context. */
  g_main_context_unref (self->context);
  g_hash_table_destroy (self->turns);
  g_hash_table_destroy (self->vad);
  g_time_zone_unref (self->bangkok);
  g_free (self->floor);
  sqlite3_close (self->db);
  sqlite3_close (self->reader);
  g_mutex_clear (&self->read_lock);
  g_free (self);
}

/* --- reads, any thread --- */

static RelayClipRow *
read_row (RelayClipRecorder *self, sqlite3_stmt *st)
{
  RelayClipRow *row = g_new0 (RelayClipRow, 1);
  row->id = sqlite3_column_int64 (st, 0);
  row->province = g_strdup ((const char *) sqlite3_column_text (st, 1));
  row->date = g_strdup ((const char *) sqlite3_column_text (st, 2));
  row->started_at = g_strdup ((const char *) sqlite3_column_text (st, 3));
  row->ended_at = g_strdup ((const char *) sqlite3_column_text (st, 4));
  row->duration_ms = sqlite3_column_int64 (st, 5);
  row->path = g_build_filename (self->config->data_dir, (const char *) sqlite3_column_text (st, 6),
                                NULL);
  row->bytes = sqlite3_column_int64 (st, 7);
  row->reason = g_strdup ((const char *) sqlite3_column_text (st, 8));
  return row;
}

#define COLUMNS "id, province, date, started_at, ended_at, duration_ms, path, bytes, reason"

/* Runs a prepared query; the lock must be held. */
static GPtrArray *
collect (RelayClipRecorder *self, sqlite3_stmt *st, GError **error)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) relay_clip_row_free);
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    g_ptr_array_add (rows, read_row (self, st));
  if (rc != SQLITE_DONE)
    {
      relay_database_set_error (self->reader, "clips", error);
      g_clear_pointer (&rows, g_ptr_array_unref);
    }
  sqlite3_finalize (st);
  return rows;
}

GPtrArray *
relay_clip_recorder_list (RelayClipRecorder *self, const char *date, const char *province,
                          GError **error)
{
  g_mutex_lock (&self->read_lock);
  sqlite3_stmt *st = NULL;
  GPtrArray *rows = NULL;
  if (sqlite3_prepare_v2 (self->reader,
                          "SELECT " COLUMNS " FROM clips WHERE date = ?1"
                          " AND (?2 IS NULL OR province = ?2) ORDER BY started_at, id",
                          -1, &st, NULL) != SQLITE_OK)
    relay_database_set_error (self->reader, "clips", error);
  else
    {
      sqlite3_bind_text (st, 1, date, -1, SQLITE_TRANSIENT);
      if (province)
        sqlite3_bind_text (st, 2, province, -1, SQLITE_TRANSIENT);
      rows = collect (self, st, error);
    }
  g_mutex_unlock (&self->read_lock);
  return rows;
}

RelayClipRow *
relay_clip_recorder_get (RelayClipRecorder *self, gint64 id, GError **error)
{
  g_mutex_lock (&self->read_lock);
  sqlite3_stmt *st = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  if (sqlite3_prepare_v2 (self->reader, "SELECT " COLUMNS " FROM clips WHERE id = ?", -1, &st,
                          NULL) != SQLITE_OK)
    relay_database_set_error (self->reader, "clips", error);
  else
    {
      sqlite3_bind_int64 (st, 1, id);
      rows = collect (self, st, error);
    }
  g_mutex_unlock (&self->read_lock);
  return rows && rows->len ? g_ptr_array_steal_index (rows, 0) : NULL;
}
