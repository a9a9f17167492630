#include "relay/recording/briefing-recorder.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "webrtc/base/log.h"
#include "relay/recording/capture.h"
#include "relay/recording/recording-repair.h"
#include "relay/figures/database.h"

/* Room for ~20 s of the program (1.5 Mbit/s video in ~150 packets/s and
 * 50 audio packets/s) while the disk stalls; past it packets are dropped
 * (counted) and the live path never waits. The same count of full-size
 * packets in bytes (4.9 MB, RELAY_PACKET_CHANNEL_BYTES_FOR) bounds it too. */
#define CHANNEL_CAPACITY 4096

typedef struct {
  RelayBriefingRecorder *recorder;
  RelayCapture *capture;
  RelayPacketChannel *channel;
  RelayOutput output;   /* program or mosaic; for office: unused */
  char *office;         /* office turns: subscribed to its province */
} Subscription;

struct _RelayBriefingRecorder {
  RelayConfig *config;
  RelayOutputRouter *outputs;
  RelayOfficeRegistry *registry;
  RelayEventBus *events;

  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  sqlite3 *db;             /* the thread's */

  /* Main context: what is subscribed, to unsubscribe it. */
  GPtrArray *subscriptions; /* Subscription* */

  GMutex lock;             /* guards reader and the figures below */
  sqlite3 *reader;
  guint64 bytes_closed;    /* of captures gone */
  guint64 failures_closed;
  guint64 skipped_closed;  /* frames not written: before a key frame, incomplete */
  guint64 dropped_closed;  /* packets the queue dropped: the disk did not keep up */
  guint captures_open;
  /* Of the open captures, as the thread last added them up (each second). */
  guint64 bytes_open, failures_open, skipped_open, dropped_open;
  guint files_recording;
  guint64 bytes_tallied;   /* closed + open at the latest tally */
  gint64 last_write_unix_us;
  GPtrArray *live;         /* the thread's: Subscription* of open captures */
  GSource *tally;          /* the thread's */
};

/* How often the thread adds up its captures' figures for the API. */
#define TALLY_INTERVAL_MS 1000

/* ---- on the recorder's thread ----------------------------------------------- */

typedef struct {
  RelayBriefingRecorder *recorder;
  Subscription *subscription; /* start/stop */
  gint64 keep_briefing;       /* retention */
} Job;

static void
run_on_thread (RelayBriefingRecorder *self, GSourceFunc func, Job *job)
{
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, func, job, g_free);
}

static void
request_keyframe (RelayCapture *capture, gpointer user_data)
{
  Subscription *s = user_data;
  if (s->office)
    relay_office_registry_request_keyframe (s->recorder->registry, s->office);
  else
    relay_output_router_request_keyframe (s->recorder->outputs, s->output);
}

static gboolean
start_on_thread (gpointer data)
{
  Job *job = data;
  g_ptr_array_add (job->recorder->live, job->subscription);
  return G_SOURCE_REMOVE;
}

static void
add_totals (RelayBriefingRecorder *self, Subscription *s)
{
  RelayCaptureStats st;
  relay_capture_get_stats (s->capture, &st);
  g_mutex_lock (&self->lock);
  self->bytes_closed += st.bytes_written;
  self->failures_closed += st.failures;
  self->skipped_closed += st.frames_dropped;
  self->dropped_closed += relay_packet_channel_get_dropped (s->channel);
  g_mutex_unlock (&self->lock);
}

static void
subscription_free (Subscription *s)
{
  relay_capture_free (s->capture);
  relay_packet_channel_unref (s->channel);
  g_free (s->office);
  g_free (s);
}

static gboolean
stop_on_thread (gpointer data)
{
  Job *job = data;
  RelayBriefingRecorder *self = job->recorder;
  Subscription *s = job->subscription;
  /* No packet is delivered after this: the capture can finish. */
  relay_packet_channel_close (s->channel);
  relay_capture_finish (s->capture);
  add_totals (self, s);
  g_ptr_array_remove (self->live, s);
  g_mutex_lock (&self->lock);
  self->captures_open--;
  g_mutex_unlock (&self->lock);
  subscription_free (s);
  return G_SOURCE_REMOVE;
}

static gboolean
retention_on_thread (gpointer data)
{
  Job *job = data;
  RelayBriefingRecorder *self = job->recorder;
  relay_recording_apply_retention (self->db, self->config->data_dir, &self->config->recording,
                                   job->keep_briefing);
  return G_SOURCE_REMOVE;
}

static gboolean
tally_on_thread (gpointer data)
{
  RelayBriefingRecorder *self = data;
  guint64 bytes = 0, failures = 0, skipped = 0, dropped = 0;
  guint recording = 0;
  for (guint i = 0; i < self->live->len; i++)
    {
      Subscription *s = self->live->pdata[i];
      RelayCaptureStats st;
      relay_capture_get_stats (s->capture, &st);
      bytes += st.bytes_written;
      failures += st.failures;
      skipped += st.frames_dropped;
      dropped += relay_packet_channel_get_dropped (s->channel);
      recording += st.recording;
    }
  g_mutex_lock (&self->lock);
  self->bytes_open = bytes;
  self->failures_open = failures;
  self->skipped_open = skipped;
  self->dropped_open = dropped;
  self->files_recording = recording;
  /* Bytes move from open to closed when a capture ends: only the sum says
   * whether anything was written. */
  if (self->bytes_closed + bytes != self->bytes_tallied)
    {
      self->bytes_tallied = self->bytes_closed + bytes;
      self->last_write_unix_us = g_get_real_time ();
    }
  g_mutex_unlock (&self->lock);
  return G_SOURCE_CONTINUE;
}

static gpointer
thread_main (gpointer data)
{
  RelayBriefingRecorder *self = data;
  g_main_context_push_thread_default (self->context);
  self->tally = g_timeout_source_new (TALLY_INTERVAL_MS);
  g_source_set_callback (self->tally, tally_on_thread, self, NULL);
  g_source_attach (self->tally, self->context);
  g_main_loop_run (self->loop);
  g_source_destroy (self->tally);
  g_source_unref (self->tally);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* ---- main context: following the briefing --------------------------------- */

static Subscription *
subscribe (RelayBriefingRecorder *self, gint64 briefing_id, const char *kind, RelayOutput output,
           const char *office, gint64 turn_id)
{
  Subscription *s = g_new0 (Subscription, 1);
  s->recorder = self;
  s->output = output;
  s->office = g_strdup (office);
  RelayCaptureSettings settings = {
    .briefing_id = briefing_id,
    .kind = kind,
    .office = office,
    .turn_id = turn_id,
    .data_dir = self->config->data_dir,
    .segment_s = self->config->recording.segment_s,
    .db = self->db,
    .events = self->events,
    .request_keyframe = request_keyframe,
    .user_data = s,
  };
  s->capture = relay_capture_new (&settings);
  s->channel = relay_packet_channel_new (self->context, CHANNEL_CAPACITY,
                                         RELAY_PACKET_CHANNEL_BYTES_FOR (CHANNEL_CAPACITY),
                                         relay_capture_on_packet, s->capture);
  g_mutex_lock (&self->lock);
  self->captures_open++;
  g_mutex_unlock (&self->lock);
  Job *job = g_new0 (Job, 1);
  job->recorder = self;
  job->subscription = s;
  run_on_thread (self, start_on_thread, job);
  /* A listener outside the conference: the full mix, as a minister hears it. */
  if (office)
    {
      relay_office_registry_subscribe (self->registry, office, s->channel);
      relay_office_registry_request_keyframe (self->registry, office);
    }
  else
    relay_output_router_add_viewer (self->outputs, output, NULL, s->channel);
  g_ptr_array_add (self->subscriptions, s);
  return s;
}

static void
unsubscribe (RelayBriefingRecorder *self, Subscription *s)
{
  if (s->office)
    relay_office_registry_unsubscribe (self->registry, s->office, s->channel);
  else
    relay_output_router_remove_viewer (self->outputs, s->channel);
  g_ptr_array_remove (self->subscriptions, s);
  Job *job = g_new0 (Job, 1);
  job->recorder = self;
  job->subscription = s;
  run_on_thread (self, stop_on_thread, job);
}

static void
run_retention (RelayBriefingRecorder *self, gint64 keep)
{
  Job *job = g_new0 (Job, 1);
  job->recorder = self;
  job->keep_briefing = keep;
  run_on_thread (self, retention_on_thread, job);
}

static void
on_started (const RelayBriefing *briefing, gpointer user_data)
{
  RelayBriefingRecorder *self = user_data;
  run_retention (self, briefing->id);
  if (!self->config->recording.enabled)
    return;
  subscribe (self, briefing->id, "program", RELAY_OUTPUT_PROGRAM, NULL, 0);
  if (self->config->recording.mosaic)
    subscribe (self, briefing->id, "mosaic", RELAY_OUTPUT_MOSAIC, NULL, 0);
}

static void
on_ended (const RelayBriefing *briefing, gpointer user_data)
{
  RelayBriefingRecorder *self = user_data;
  while (self->subscriptions->len)
    unsubscribe (self, self->subscriptions->pdata[self->subscriptions->len - 1]);
  run_retention (self, 0);
}

static void
on_turn_started (const RelayBriefing *briefing, const RelayTurn *turn, gpointer user_data)
{
  RelayBriefingRecorder *self = user_data;
  if (!self->config->recording.enabled || !self->config->recording.office_turns)
    return;
  subscribe (self, briefing->id, "office", RELAY_OUTPUT_PROGRAM, turn->office, turn->id);
}

static void
on_turn_ended (const RelayBriefing *briefing, const RelayTurn *turn, gpointer user_data)
{
  RelayBriefingRecorder *self = user_data;
  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      Subscription *s = self->subscriptions->pdata[i];
      if (s->office && relay_capture_get_turn (s->capture) == turn->id)
        {
          unsubscribe (self, s);
          return;
        }
    }
}

static const RelayBriefingObserver observer = {
  .started = on_started,
  .ended = on_ended,
  .turn_started = on_turn_started,
  .turn_ended = on_turn_ended,
};

const RelayBriefingObserver *
relay_briefing_recorder_observer (void)
{
  return &observer;
}

/* ---- life ----------------------------------------------------------------------- */

RelayBriefingRecorder *
relay_briefing_recorder_new (RelayConfig *config, RelayOutputRouter *outputs,
                             RelayOfficeRegistry *registry, RelayEventBus *events,
                             GError **error)
{
  sqlite3 *db = relay_database_open (config->data_dir, error);
  if (!db)
    return NULL;
  /* As for the briefing itself: a commit must survive the relay, not a
   * power cut (the files' own fragments are what count). */
  if (!relay_database_exec (db, "PRAGMA synchronous = NORMAL", error))
    {
      sqlite3_close (db);
      return NULL;
    }
  sqlite3 *reader = relay_database_open_reader (config->data_dir, error);
  if (!reader)
    {
      sqlite3_close (db);
      return NULL;
    }
  relay_recording_repair (db, config->data_dir);

  RelayBriefingRecorder *self = g_new0 (RelayBriefingRecorder, 1);
  self->config = config;
  self->outputs = outputs;
  self->registry = registry;
  self->events = events;
  self->db = db;
  self->reader = reader;
  g_mutex_init (&self->lock);
  self->subscriptions = g_ptr_array_new ();
  self->live = g_ptr_array_new ();
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("recorder", thread_main, self);
  run_retention (self, 0);
  return self;
}

static gboolean
quit_on_thread (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
relay_briefing_recorder_free (RelayBriefingRecorder *self)
{
  if (!self)
    return;
  /* The briefing stays live (the next start marks it interrupted); its
   * files are closed properly. */
  while (self->subscriptions->len)
    unsubscribe (self, self->subscriptions->pdata[self->subscriptions->len - 1]);
  g_main_context_invoke (self->context, quit_on_thread, self->loop);
  g_thread_join (self->thread);
  /* Jobs queued behind the quit, if any. */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_ptr_array_unref (self->subscriptions);
  g_ptr_array_unref (self->live);
  sqlite3_close (self->db);
  sqlite3_close (self->reader);
  g_mutex_clear (&self->lock);
  g_free (self);
}

GPtrArray *
relay_briefing_recorder_list (RelayBriefingRecorder *self, gint64 briefing_id, GError **error)
{
  g_mutex_lock (&self->lock);
  GPtrArray *rows = relay_recording_index_list (self->reader, briefing_id, error);
  g_mutex_unlock (&self->lock);
  return rows;
}

RelayRecordingRow *
relay_briefing_recorder_get (RelayBriefingRecorder *self, gint64 id, GError **error)
{
  g_mutex_lock (&self->lock);
  RelayRecordingRow *row = relay_recording_index_get (self->reader, id, error);
  g_mutex_unlock (&self->lock);
  return row;
}

char *
relay_briefing_recorder_path (RelayBriefingRecorder *self, const RelayRecordingRow *row)
{
  return g_build_filename (self->config->data_dir, row->path, NULL);
}

JsonNode *
relay_briefing_recorder_describe (RelayBriefingRecorder *self)
{
  g_mutex_lock (&self->lock);
  guint captures = self->captures_open, files = self->files_recording;
  guint64 bytes = self->bytes_closed + self->bytes_open;
  guint64 failures = self->failures_closed + self->failures_open;
  guint64 skipped = self->skipped_closed + self->skipped_open;
  guint64 dropped = self->dropped_closed + self->dropped_open;
  g_mutex_unlock (&self->lock);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "enabled");
  json_builder_add_boolean_value (b, self->config->recording.enabled);
  json_builder_set_member_name (b, "captures");
  json_builder_add_int_value (b, captures);
  json_builder_set_member_name (b, "files_recording");
  json_builder_add_int_value (b, files);
  json_builder_set_member_name (b, "bytes_written");
  json_builder_add_int_value (b, (gint64) bytes);
  json_builder_set_member_name (b, "failures");
  json_builder_add_int_value (b, (gint64) failures);
  json_builder_set_member_name (b, "frames_skipped");
  json_builder_add_int_value (b, (gint64) skipped);
  json_builder_set_member_name (b, "packets_dropped");
  json_builder_add_int_value (b, (gint64) dropped);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
relay_briefing_recorder_get_stats (RelayBriefingRecorder *self, RelayRecorderStats *stats)
{
  memset (stats, 0, sizeof *stats);
  stats->enabled = self->config->recording.enabled;
  g_mutex_lock (&self->lock);
  stats->captures = self->captures_open;
  stats->files_recording = self->files_recording;
  stats->bytes_written = self->bytes_closed + self->bytes_open;
  stats->failures = self->failures_closed + self->failures_open;
  stats->frames_skipped = self->skipped_closed + self->skipped_open;
  stats->packets_dropped = self->dropped_closed + self->dropped_open;
  stats->last_write_unix_us = self->last_write_unix_us;
  g_mutex_unlock (&self->lock);
  g_autofree char *folder = g_build_filename (self->config->data_dir, "recordings", NULL);
  struct statvfs fs;
  if (statvfs (folder, &fs) == 0 || statvfs (self->config->data_dir, &fs) == 0)
    {
      stats->disk_free_bytes = (guint64) fs.f_bavail * fs.f_frsize;
      stats->disk_size_bytes = (guint64) fs.f_blocks * fs.f_frsize;
    }
}
