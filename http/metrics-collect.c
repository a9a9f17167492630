#include "http/metrics-collect.h"

#include "relay/briefing/briefing-service.h"
#include "relay/metrics/limit-refusals.h"
#include "relay/router/output-router.h"
#include "relay/metrics/process-stats.h"
#include "relay/recording/briefing-recorder.h"
#include "relay/figures/figures-service.h"
#include "http/http-answer-counts.h"

/* Label pairs as relay_metrics_text_sample takes them. */
#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })

typedef RelayMetricsText Text;

static void
family (Text *t, const char *name, RelayMetricType type, const char *help)
{
  relay_metrics_text_family (t, name, type, help);
}

/* ---- offices and what they send ---------------------------------------- */

typedef struct {
  const char *code;
  RelayOfficeCounters c;
} Office;

/* The roster's offices in roster order, then the central room. */
static GArray *
read_offices (RelayApp *app)
{
  GPtrArray *roster = app->config->provinces;
  GArray *offices = g_array_sized_new (FALSE, TRUE, sizeof (Office), roster->len + 1);
  for (guint i = 0; i <= roster->len; i++)
    {
      Office o = { i < roster->len ? ((RelayOfficeConfig *) roster->pdata[i])->code
                                   : RELAY_CENTRAL_ROOM };
      if (relay_office_registry_get_counters (app->registry, o.code, &o.c))
        g_array_append_val (offices, o);
    }
  return offices;
}

#define OFFICE(i) (&g_array_index (offices, Office, i))

static void
write_office_states (Text *t, RelayApp *app, GArray *offices)
{
  guint counts[4];
  relay_office_registry_count (app->registry, counts);
  family (t, "briefing_relay_offices", RELAY_METRIC_GAUGE,
          "Offices of the roster in each state (the central room is not counted).");
  for (guint s = 0; s < 4; s++)
    relay_metrics_text_sample_uint (t, L ("state", relay_office_state_name (s)), counts[s]);

  family (t, "briefing_relay_office_state", RELAY_METRIC_GAUGE,
          "1 for the state each office (and the central room, province=\"central\") is in, "
          "0 for the other states.");
  for (guint i = 0; i < offices->len; i++)
    for (guint s = 0; s < 4; s++)
      relay_metrics_text_sample_uint (
          t, L ("province", OFFICE (i)->code, "state", relay_office_state_name (s)),
          OFFICE (i)->c.state == s);
}

/* Which pair of an office's counters a family shows, video and audio. */
typedef void (*PickKinds) (const RelayOfficeCounters *c, guint64 *video, guint64 *audio);

static void
pick_bytes (const RelayOfficeCounters *c, guint64 *video, guint64 *audio)
{
  *video = c->video_bytes;
  *audio = c->audio_bytes;
}

static void
pick_packets (const RelayOfficeCounters *c, guint64 *video, guint64 *audio)
{
  *video = c->video_packets;
  *audio = c->audio_packets;
}

static void
pick_lost (const RelayOfficeCounters *c, guint64 *video, guint64 *audio)
{
  *video = c->video_lost;
  *audio = c->audio_lost;
}

static void
pick_frames (const RelayOfficeCounters *c, guint64 *video, guint64 *audio)
{
  *video = c->video_frames;
  *audio = c->audio_frames;
}

/* One sample per office and kind; with `direction` as a label when given. */
static void
per_office_kind (Text *t, GArray *offices, const char *direction, PickKinds pick)
{
  static const char *const kinds[] = { "video", "audio" };
  for (guint i = 0; i < offices->len; i++)
    {
      guint64 values[2];
      pick (&OFFICE (i)->c, &values[0], &values[1]);
      for (guint k = 0; k < 2; k++)
        relay_metrics_text_sample_uint (
            t,
            direction ? L ("direction", direction, "province", OFFICE (i)->code, "kind", kinds[k])
                      : L ("province", OFFICE (i)->code, "kind", kinds[k]),
            values[k]);
    }
}

static const char *const source_names[RELAY_VIEWER_SOURCE_N] = {
  [RELAY_VIEWER_SOURCE_PROVINCE] = "province",
  [RELAY_VIEWER_SOURCE_MOSAIC] = "mosaic",
  [RELAY_VIEWER_SOURCE_PROGRAM] = "program",
};

/* The traffic both ways: from the offices (direction="in", by province and
 * kind) and to the viewers (direction="out", by output). */
static void
write_traffic (Text *t, GArray *offices, const RelayViewerTotals *viewers)
{
  family (t, "briefing_relay_rtp_bytes_total", RELAY_METRIC_COUNTER,
          "RTP bytes (headers and payload, after SRTP decryption or before encryption): "
          "received from each office (direction=\"in\"), sent to the viewers of each output "
          "(direction=\"out\", resent packets included).");
  per_office_kind (t, offices, "in", pick_bytes);
  for (guint s = 0; viewers && s < RELAY_VIEWER_SOURCE_N; s++)
    relay_metrics_text_sample_uint (t, L ("direction", "out", "output", source_names[s]),
                                    viewers[s].bytes_sent);

  family (t, "briefing_relay_rtp_packets_total", RELAY_METRIC_COUNTER,
          "RTP packets received from each office (direction=\"in\", retransmissions included) "
          "and forwarded to the viewers of each output (direction=\"out\", retransmissions "
          "not included).");
  per_office_kind (t, offices, "in", pick_packets);
  for (guint s = 0; viewers && s < RELAY_VIEWER_SOURCE_N; s++)
    {
      relay_metrics_text_sample_uint (
          t, L ("direction", "out", "output", source_names[s], "kind", "video"),
          viewers[s].video_packets);
      relay_metrics_text_sample_uint (
          t, L ("direction", "out", "output", source_names[s], "kind", "audio"),
          viewers[s].audio_packets);
    }

  family (t, "briefing_relay_rtp_lost_packets_total", RELAY_METRIC_COUNTER,
          "RTP packets an office sent that never arrived (RFC 3550: expected minus "
          "received).");
  per_office_kind (t, offices, NULL, pick_lost);

  family (t, "briefing_relay_rtx_packets_total", RELAY_METRIC_COUNTER,
          "Video retransmissions (RFC 4588): received from each office (direction=\"in\"), "
          "resent to viewers that asked (direction=\"out\").");
  for (guint i = 0; i < offices->len; i++)
    relay_metrics_text_sample_uint (t, L ("direction", "in", "province", OFFICE (i)->code),
                                    OFFICE (i)->c.video_rtx_packets);
  for (guint s = 0; viewers && s < RELAY_VIEWER_SOURCE_N; s++)
    relay_metrics_text_sample_uint (t, L ("direction", "out", "output", source_names[s]),
                                    viewers[s].retransmitted);

  family (t, "briefing_relay_nacks_total", RELAY_METRIC_COUNTER,
          "RTCP NACK packets: sent to each office for its missing video (direction=\"out\"), "
          "received from the viewers of each output (direction=\"in\").");
  for (guint i = 0; i < offices->len; i++)
    relay_metrics_text_sample_uint (t, L ("direction", "out", "province", OFFICE (i)->code),
                                    OFFICE (i)->c.nacks_sent);
  for (guint s = 0; viewers && s < RELAY_VIEWER_SOURCE_N; s++)
    relay_metrics_text_sample_uint (t, L ("direction", "in", "output", source_names[s]),
                                    viewers[s].nacks_received);

  family (t, "briefing_relay_nacked_packets_total", RELAY_METRIC_COUNTER,
          "Video sequence numbers the relay asked each office to send again.");
  for (guint i = 0; i < offices->len; i++)
    relay_metrics_text_sample_uint (t, L ("province", OFFICE (i)->code),
                                    OFFICE (i)->c.nacked_seqs);

  family (t, "briefing_relay_plis_total", RELAY_METRIC_COUNTER,
          "Key frame requests (PLI, or FIR where only that was negotiated): sent to each "
          "office (direction=\"out\"), received from the viewers of each output "
          "(direction=\"in\").");
  for (guint i = 0; i < offices->len; i++)
    relay_metrics_text_sample_uint (t, L ("direction", "out", "province", OFFICE (i)->code),
                                    OFFICE (i)->c.plis_sent);
  for (guint s = 0; viewers && s < RELAY_VIEWER_SOURCE_N; s++)
    relay_metrics_text_sample_uint (t, L ("direction", "in", "output", source_names[s]),
                                    viewers[s].plis_received);
}

static void
write_reception (Text *t, GArray *offices)
{
  family (t, "briefing_relay_jitter_seconds", RELAY_METRIC_GAUGE,
          "RFC 3550 interarrival jitter of each connected office's media (absent without a "
          "session or before its first packets).");
  for (guint i = 0; i < offices->len; i++)
    {
      const RelayOfficeCounters *c = &OFFICE (i)->c;
      if (c->video_jitter_ms >= 0)
        relay_metrics_text_sample (t, L ("province", OFFICE (i)->code, "kind", "video"),
                                   c->video_jitter_ms / 1000.0);
      if (c->audio_jitter_ms >= 0)
        relay_metrics_text_sample (t, L ("province", OFFICE (i)->code, "kind", "audio"),
                                   c->audio_jitter_ms / 1000.0);
    }

  family (t, "briefing_relay_rtt_seconds", RELAY_METRIC_GAUGE,
          "Round-trip time to each connected office, from its answers to the relay's RTCP "
          "XR RRTR (absent when it does not answer them).");
  for (guint i = 0; i < offices->len; i++)
    if (OFFICE (i)->c.rtt_ms >= 0)
      relay_metrics_text_sample (t, L ("province", OFFICE (i)->code),
                                 OFFICE (i)->c.rtt_ms / 1000.0);

  family (t, "briefing_relay_decoded_frames_total", RELAY_METRIC_COUNTER,
          "Frames decoded from each office: video pictures, and Opus frames (audio is "
          "decoded only while the office is in the conference mix).");
  per_office_kind (t, offices, NULL, pick_frames);
}

/* ---- what the relay produces -------------------------------------------- */

static void
write_viewers (Text *t, const RelayViewerTotals *viewers)
{
  family (t, "briefing_relay_viewers", RELAY_METRIC_GAUGE,
          "WHEP viewer sessions now, connecting or connected, by what they watch: the "
          "mosaic, the program, or a province forwarded as sent (output=\"province\").");
  for (guint s = 0; s < RELAY_VIEWER_SOURCE_N; s++)
    relay_metrics_text_sample_uint (t, L ("output", source_names[s]), viewers[s].sessions);
}

static void
write_outputs (Text *t, RelayApp *app)
{
  if (!app->outputs)
    return;
  RelayOutputRouterStats s;
  relay_output_router_get_stats (app->outputs, &s);

  family (t, "briefing_relay_output_frames_total", RELAY_METRIC_COUNTER,
          "Video frames encoded for each of the relay's own outputs.");
  relay_metrics_text_sample_uint (t, L ("output", "mosaic"), s.mosaic.encoded.frames_out);
  relay_metrics_text_sample_uint (t, L ("output", "program"), s.program.encoded.frames_out);

  family (t, "briefing_relay_output_keyframes_forced_total", RELAY_METRIC_COUNTER,
          "Key frames the encoders were made to produce for viewers that asked (at most one a "
          "second per output).");
  relay_metrics_text_sample_uint (t, L ("output", "mosaic"), s.mosaic.encoded.keyframes_forced);
  relay_metrics_text_sample_uint (t, L ("output", "program"), s.program.encoded.keyframes_forced);

  family (t, "briefing_relay_mosaic_input_frames_total", RELAY_METRIC_COUNTER,
          "Decoded frames of the participants taken into the mosaic.");
  relay_metrics_text_sample_uint (t, NULL, s.mosaic.frames_in);

  family (t, "briefing_relay_mix_rounds_total", RELAY_METRIC_COUNTER,
          "20 ms rounds of the conference audio mix.");
  relay_metrics_text_sample_uint (t, NULL, s.mix.ticks);
  family (t, "briefing_relay_mix_members", RELAY_METRIC_GAUGE,
          "Participants in the conference audio mix now (the unmuted).");
  relay_metrics_text_sample_uint (t, NULL, s.mix.members);
  family (t, "briefing_relay_mix_underruns_total", RELAY_METRIC_COUNTER,
          "Mix rounds in which a member that had been playing had no audio.");
  relay_metrics_text_sample_uint (t, NULL, s.mix.underruns);
  family (t, "briefing_relay_mix_dropped_seconds_total", RELAY_METRIC_COUNTER,
          "Audio of members discarded because it ran ahead of the mix.");
  relay_metrics_text_sample (t, NULL, s.mix.dropped_ms / 1000.0);

  family (t, "briefing_relay_output_latency_seconds", RELAY_METRIC_HISTOGRAM,
          "Inside the relay, from a participant's decoded frame (output=\"mosaic\", "
          "\"program\") or decoded audio (output=\"mix\") being taken in to the first RTP "
          "packet that carries it leaving the encoder: one observation per encoded frame, "
          "per packet of each mix.");
  if (s.mosaic.encoded.latency)
    relay_metrics_text_histogram (t, L ("output", "mosaic"), s.mosaic.encoded.latency);
  if (s.program.encoded.latency)
    relay_metrics_text_histogram (t, L ("output", "program"), s.program.encoded.latency);
  if (s.mix.latency)
    relay_metrics_text_histogram (t, L ("output", "mix"), s.mix.latency);
}

static void
write_latencies (Text *t, RelayApp *app, RelayViewerRegistry *viewers)
{
  family (t, "briefing_relay_join_time_seconds", RELAY_METRIC_HISTOGRAM,
          "For each WHIP session: from its POST reaching the relay to its first decoded video "
          "frame (sessions without video are not observed).");
  relay_metrics_text_histogram (t, NULL, relay_office_registry_get_join_time (app->registry));
  if (!viewers)
    return;
  family (t, "briefing_relay_forwarding_latency_seconds", RELAY_METRIC_HISTOGRAM,
          "Forwarding a province as sent (WHEP /whep/province/<code>): for each packet and "
          "viewer, from the office's packet being decrypted on its transport thread to the "
          "viewer's copy being encrypted and sent on the viewer's transport thread.");
  relay_metrics_text_histogram (t, NULL, relay_viewer_registry_get_forwarding_latency (viewers));
}

/* ---- the briefing, figures, webhooks, recording ---------------------------- */

static void
write_briefing (Text *t, RelayApp *app)
{
  const RelayBriefing *live = app->briefings ? relay_briefing_service_get_live (app->briefings)
                                             : NULL;
  family (t, "briefing_relay_briefing_live", RELAY_METRIC_GAUGE,
          "1 while a briefing is live, else 0.");
  relay_metrics_text_sample_uint (t, NULL, live != NULL);

  /* The roll call as the operations room sees it, every roster office. */
  guint by_status[3] = { 0 };
  g_autoptr (GPtrArray) here = g_ptr_array_new ();
  gint64 now_ms = g_get_real_time () / 1000;
  GPtrArray *roster = app->config->provinces;
  for (guint i = 0; live && i <= roster->len; i++)
    {
      const char *code
          = i < roster->len ? ((RelayOfficeConfig *) roster->pdata[i])->code : RELAY_CENTRAL_ROOM;
      RelayAttendance a;
      relay_briefing_attendance ((RelayBriefing *) live, code, now_ms, &a);
      if (i < roster->len)
        by_status[a.status]++;
      if (a.intervals > 0)
        {
          g_ptr_array_add (here, (gpointer) code);
          g_ptr_array_add (here, GINT_TO_POINTER (a.here));
        }
    }
  family (t, "briefing_relay_briefing_attendance", RELAY_METRIC_GAUGE,
          "Roster offices by their roll call in the live briefing: present (joined by the "
          "deadline), late, absent. All 0 without a live briefing.");
  for (guint s = 0; s < 3; s++)
    relay_metrics_text_sample_uint (t, L ("status", relay_attendance_status_name (s)),
                                    by_status[s]);
  family (t, "briefing_relay_briefing_office_here", RELAY_METRIC_GAUGE,
          "For each office that joined the live briefing: 1 while it is live, 0 once it "
          "has gone (lost or offline). Absent for offices that never joined.");
  for (guint i = 0; i < here->len; i += 2)
    relay_metrics_text_sample_uint (t, L ("province", here->pdata[i]),
                                    GPOINTER_TO_INT (here->pdata[i + 1]));
}

static void
write_figures (Text *t, RelayApp *app)
{
  if (!app->reports)
    return;
  static const RelayReportVia vias[] = { RELAY_REPORT_VIA_HTTPS, RELAY_REPORT_VIA_DATA_CHANNEL };
  family (t, "briefing_relay_figures_accepted_total", RELAY_METRIC_COUNTER,
          "Figures submissions accepted, by way in: stored as a new version, or repeated "
          "(a retry of a known id, or the latest values again: nothing new stored).");
  for (guint v = 0; v < G_N_ELEMENTS (vias); v++)
    for (RelayReportResult r = RELAY_REPORT_STORED; r <= RELAY_REPORT_REPEATED; r++)
      relay_metrics_text_sample_uint (
          t, L ("channel", relay_report_via_name (vias[v]), "result", relay_report_result_name (r)),
          relay_figures_service_count (app->reports, vias[v], r));
  family (t, "briefing_relay_figures_refused_total", RELAY_METRIC_COUNTER,
          "Figures submissions refused, by way in and reason: invalid (not JSON, not the "
          "schema's, a rule of severity error), unconfirmed (warnings not confirmed), "
          "rate-limited, storage-failed.");
  for (guint v = 0; v < G_N_ELEMENTS (vias); v++)
    for (RelayReportResult r = RELAY_REPORT_INVALID; r < RELAY_REPORT_RESULT_N; r++)
      relay_metrics_text_sample_uint (
          t, L ("channel", relay_report_via_name (vias[v]), "reason", relay_report_result_name (r)),
          relay_figures_service_count (app->reports, vias[v], r));
}

static void
write_webhooks (Text *t, RelayApp *app)
{
  RelayWebhookDelivery *delivery
      = app->reports ? relay_figures_service_get_webhooks (app->reports) : NULL;
  g_autoptr (JsonNode) node = delivery ? relay_webhook_delivery_stats (delivery) : NULL;
  JsonArray *hooks = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  static const struct {
    const char *name, *member, *help;
    RelayMetricType type;
  } families[] = {
    { "briefing_relay_webhook_pending", "pending",
      "Deliveries in the webhook's outbox not yet delivered nor given up (its backlog).",
      RELAY_METRIC_GAUGE },
    { "briefing_relay_webhook_delivered_total", "delivered",
      "Deliveries the webhook's receiver answered 2xx, since the data directory was created.",
      RELAY_METRIC_COUNTER },
    { "briefing_relay_webhook_failed_attempts_total", "failed_attempts",
      "Delivery attempts that did not get a 2xx (network error, timeout, any other status), "
      "since the data directory was created.",
      RELAY_METRIC_COUNTER },
    { "briefing_relay_webhook_abandoned_total", "abandoned",
      "Deliveries given up after [webhook] max-attempts.", RELAY_METRIC_COUNTER },
  };
  for (guint f = 0; f < G_N_ELEMENTS (families); f++)
    {
      family (t, families[f].name, families[f].type, families[f].help);
      for (guint i = 0; hooks && i < json_array_get_length (hooks); i++)
        {
          JsonObject *o = json_array_get_object_element (hooks, i);
          relay_metrics_text_sample_uint (
              t, L ("webhook", json_object_get_string_member (o, "name")),
              (guint64) json_object_get_int_member (o, families[f].member));
        }
    }
}

static void
write_recording (Text *t, RelayApp *app)
{
  if (!app->recorder)
    return;
  RelayRecorderStats s;
  relay_briefing_recorder_get_stats (app->recorder, &s);
  family (t, "briefing_relay_recording_enabled", RELAY_METRIC_GAUGE,
          "1 when live briefings are recorded ([recording] enabled).");
  relay_metrics_text_sample_uint (t, NULL, s.enabled);
  family (t, "briefing_relay_recording_files_open", RELAY_METRIC_GAUGE,
          "Recording files being written now.");
  relay_metrics_text_sample_uint (t, NULL, s.files_recording);
  family (t, "briefing_relay_recording_written_bytes_total", RELAY_METRIC_COUNTER,
          "Bytes written to recording files since the relay started (at most a second old).");
  relay_metrics_text_sample_uint (t, NULL, s.bytes_written);
  family (t, "briefing_relay_recording_last_write_timestamp_seconds", RELAY_METRIC_GAUGE,
          "Unix time of the latest second in which the recording files grew; 0 before any "
          "write since the relay started.");
  relay_metrics_text_sample (t, NULL, s.last_write_unix_us / (double) G_USEC_PER_SEC);
  family (t, "briefing_relay_recording_failures_total", RELAY_METRIC_COUNTER,
          "Recording files closed as failed because the disk refused a write.");
  relay_metrics_text_sample_uint (t, NULL, s.failures);
  family (t, "briefing_relay_recording_dropped_packets_total", RELAY_METRIC_COUNTER,
          "Packets the recorder's queue dropped because the disk did not keep up.");
  relay_metrics_text_sample_uint (t, NULL, s.packets_dropped);
  family (t, "briefing_relay_recording_skipped_frames_total", RELAY_METRIC_COUNTER,
          "Frames not written: before a file's first key frame, or incomplete after a loss.");
  relay_metrics_text_sample_uint (t, NULL, s.frames_skipped);
  family (t, "briefing_relay_recording_disk_free_bytes", RELAY_METRIC_GAUGE,
          "Free space (for an unprivileged writer) on the file system of the recordings "
          "folder.");
  relay_metrics_text_sample_uint (t, NULL, s.disk_free_bytes);
  family (t, "briefing_relay_recording_disk_size_bytes", RELAY_METRIC_GAUGE,
          "Size of the file system of the recordings folder.");
  relay_metrics_text_sample_uint (t, NULL, s.disk_size_bytes);
}

/* ---- HTTP, limits, the process ------------------------------------------ */

static void
write_http_and_limits (Text *t)
{
  family (t, "briefing_relay_http_requests_total", RELAY_METRIC_COUNTER,
          "HTTP requests answered, by status class (1xx is a WebSocket upgrade); refusals of "
          "the connection limits included.");
  static const char *const classes[] = { NULL, "1xx", "2xx", "3xx", "4xx", "5xx" };
  for (guint c = 1; c <= 5; c++)
    relay_metrics_text_sample_uint (t, L ("class", classes[c]), relay_http_answer_counts_get (c));

  family (t, "briefing_relay_limit_refusals_total", RELAY_METRIC_COUNTER,
          "Refusals by the relay's limits, by reason (docs/API.md, \"Limits and refusals\").");
  for (RelayRefusal r = 0; r < RELAY_REFUSAL_N; r++)
    relay_metrics_text_sample_uint (t, L ("reason", relay_limit_refusal_name (r)),
                                    relay_limit_refusals_get (r));
}

static void
write_process (Text *t, RelayApp *app)
{
  RelayProcessStats p;
  relay_process_stats_read (&p);
  family (t, "briefing_relay_build_info", RELAY_METRIC_GAUGE,
          "Always 1; the relay's version as a label.");
  relay_metrics_text_sample_uint (t, L ("version", RELAY_VERSION), 1);
  family (t, "briefing_relay_start_time_seconds", RELAY_METRIC_GAUGE,
          "Unix time at which the relay started.");
  gint64 up_us = g_get_monotonic_time () - app->started_us;
  relay_metrics_text_sample (t, NULL, (g_get_real_time () - up_us) / (double) G_USEC_PER_SEC);
  family (t, "briefing_relay_process_cpu_seconds_total", RELAY_METRIC_COUNTER,
          "CPU time of the relay process, user and system, every thread.");
  relay_metrics_text_sample (t, NULL, p.cpu_s);
  family (t, "briefing_relay_process_resident_memory_bytes", RELAY_METRIC_GAUGE,
          "Resident memory of the relay process now.");
  relay_metrics_text_sample_uint (t, NULL, p.resident_bytes);
  family (t, "briefing_relay_process_threads", RELAY_METRIC_GAUGE,
          "Threads of the relay process.");
  relay_metrics_text_sample_uint (t, NULL, p.threads);
  family (t, "briefing_relay_process_open_fds", RELAY_METRIC_GAUGE,
          "File descriptors the relay process holds open.");
  relay_metrics_text_sample_uint (t, NULL, p.open_fds);
  family (t, "briefing_relay_process_max_fds", RELAY_METRIC_GAUGE,
          "The most file descriptors the relay process may open (its soft RLIMIT_NOFILE).");
  relay_metrics_text_sample_uint (t, NULL, p.max_fds);
}

void
relay_metrics_collect (const RelayMetricsSources *sources, RelayMetricsText *t)
{
  RelayApp *app = sources->app;
  g_autoptr (GArray) offices = read_offices (app);
  RelayViewerTotals viewers[RELAY_VIEWER_SOURCE_N];
  if (sources->viewers)
    relay_viewer_registry_get_totals (sources->viewers, viewers);

  write_office_states (t, app, offices);
  write_briefing (t, app);
  write_traffic (t, offices, sources->viewers ? viewers : NULL);
  write_reception (t, offices);
  if (sources->viewers)
    write_viewers (t, viewers);
  write_outputs (t, app);
  write_latencies (t, app, sources->viewers);
  write_figures (t, app);
  write_webhooks (t, app);
  write_recording (t, app);
  write_http_and_limits (t);
  write_process (t, app);
}
