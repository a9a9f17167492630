/* whep-view: runs N WHEP viewers of one relay endpoint in this process,
 * decodes what they receive and reports it as JSON lines.  Used by the
 * integration tests (frames arrive byte-exact, PLIs travel upstream) and
 * the benchmarks (many viewers).  See --help. */
#include "whep-view.h"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <string.h>

#define MAX_VIEWERS 10000

/* --- events --- */

JsonBuilder *
whep_event_begin (int viewer, const char *event)
{
  JsonBuilder *b = tool_event_open ();

  if (viewer >= 0)
    tool_event_add_int (b, "viewer", viewer);
  tool_event_stamp (b, event);
  return b;
}

/* --- options --- */

static char *opt_url;
static char *opt_token;
static int opt_duration;
static int opt_expect_status = -1;
static char *opt_reference_ivf;
static char **opt_keyframe_at;
static char *opt_keyframe_request;
static int opt_min_frames = 1;
static gboolean opt_insecure;
static int opt_count = 1;
static char *opt_sample_rects;
static char *opt_tones;
static gboolean opt_no_decode;
static gboolean opt_server_offer;
static gboolean opt_log_keyframes;
static int opt_nack_flood;
static char *opt_snapshot;

static const GOptionEntry entries[] = {
  {"url", 0, 0, G_OPTION_ARG_STRING, &opt_url,
      "WHEP endpoint to POST the offer to, e.g. "
      "http://127.0.0.1:8080/whep/province/TH-50", "URL"},
  {"token", 0, 0, G_OPTION_ARG_STRING, &opt_token,
      "Bearer token for the POST and the DELETE", "TOKEN"},
  {"duration", 0, 0, G_OPTION_ARG_INT, &opt_duration,
      "Seconds to run; 0 (default) runs until SIGINT/SIGTERM.  Sessions are "
      "DELETEd on exit either way", "SECONDS"},
  {"expect-status", 0, 0, G_OPTION_ARG_INT, &opt_expect_status,
      "Succeed iff every POST returns N; no media is then required", "N"},
  {"reference-ivf", 0, 0, G_OPTION_ARG_FILENAME, &opt_reference_ivf,
      "VP8 IVF file the publisher sent: count received frames that are "
      "byte-identical to one of its frames", "FILE"},
  {"log-keyframes", 0, 0, G_OPTION_ARG_NONE, &opt_log_keyframes,
      "Report every received key frame with its place in the stream; with "
      "--reference-ivf also, for one found in the file, its index there and "
      "the wall-clock time it was depayloaded (pairs with whip-publish "
      "--log-keyframes)", NULL},
  {"request-keyframe-at", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_keyframe_at,
      "Ask the relay for a key frame (RTCP PLI/FIR) this many seconds after "
      "the first decoded video frame; repeatable, comma-separated",
      "SECONDS[,SECONDS...]"},
  {"keyframe-request", 0, 0, G_OPTION_ARG_STRING, &opt_keyframe_request,
      "How to ask: pli (default; upstream force-key-unit without "
      "all-headers) or fir (with all-headers, which rtpsession sends as FIR "
      "when the answer allowed \"ccm fir\", else as PLI)", "pli|fir"},
  {"min-frames", 0, 0, G_OPTION_ARG_INT, &opt_min_frames,
      "Decoded video frames each viewer needs to succeed (default 1)", "N"},
  {"insecure", 0, 0, G_OPTION_ARG_NONE, &opt_insecure,
      "Accept any TLS certificate for https URLs", NULL},
  {"count", 0, 0, G_OPTION_ARG_INT, &opt_count,
      "Independent viewers to run in this process (default 1)", "N"},
  {"sample-rects", 0, 0, G_OPTION_ARG_STRING, &opt_sample_rects,
      "Report the mean RGB colour of these rectangles of the latest decoded "
      "video frame in each stats event (\"rects\")", "X,Y,W,H[;X,Y,W,H...]"},
  {"no-decode", 0, 0, G_OPTION_ARG_NONE, &opt_no_decode,
      "Do not decode (load generation): frames are counted whole at the "
      "depayloader and reported as decoded", NULL},
  {"server-offer", 0, 0, G_OPTION_ARG_NONE, &opt_server_offer,
      "Server-offer mode (early WHEP drafts; used by bench/compare-janus): "
      "POST an empty body, take the server's SDP offer from the 201 and "
      "PATCH the answer (every candidate in it) to the session URL", NULL},
  {"tones", 0, 0, G_OPTION_ARG_STRING, &opt_tones,
      "Report the level of these frequencies in the decoded audio of the "
      "last second in each stats event (\"tones\", \"audio_rms_dbfs\")",
      "HZ[,HZ...]"},
  {"nack-flood", 0, 0, G_OPTION_ARG_INT, &opt_nack_flood,
      "Hostile viewer: add to every RTCP report a NACK listing the newest "
      "video packet received N times (as many as fit); stats events count "
      "them (flood_nacks, flood_entries)", "N"},
  {"snapshot", 0, 0, G_OPTION_ARG_FILENAME, &opt_snapshot,
      "Write the first viewer's latest decoded video frame to FILE (PNG) "
      "each time the process gets SIGUSR1, then a snapshot event", "FILE"},
  {NULL}
};

/* Splits the repeatable, comma-separated --request-keyframe-at values into
 * milliseconds. */
static GArray *
parse_keyframe_times (GError **error)
{
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (guint));

  for (char **arg = opt_keyframe_at; arg && *arg; arg++) {
    g_auto (GStrv) parts = g_strsplit (*arg, ",", -1);

    for (char **p = parts; *p; p++) {
      char *text = g_strstrip (*p), *end = NULL;
      double seconds;
      guint ms;

      if (!*text)
        continue;
      seconds = g_ascii_strtod (text, &end);
      if (end == text || *end || !(seconds >= 0) || seconds > 86400) {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
            "--request-keyframe-at: '%s' is not a number of seconds "
            "(0-86400)", text);
        return NULL;
      }
      ms = (guint) (seconds * 1000 + 0.5);
      g_array_append_val (times, ms);
    }
  }
  return g_steal_pointer (&times);
}

/* --sample-rects: "x,y,w,h;x,y,w,h;..." with w, h > 0. */
static GArray *
parse_sample_rects (const char *text, GError **error)
{
  g_autoptr (GArray) rects = g_array_new (FALSE, FALSE, sizeof (WhepRect));
  g_auto (GStrv) items = g_strsplit (text, ";", -1);

  for (char **item = items; *item; item++) {
    g_auto (GStrv) parts = NULL;
    gint64 values[4];
    WhepRect rect;

    if (!*g_strstrip (*item))
      continue;
    parts = g_strsplit (*item, ",", -1);
    if (g_strv_length (parts) != 4)
      goto bad;
    for (int i = 0; i < 4; i++) {
      char *end = NULL;
      char *part = g_strstrip (parts[i]);

      values[i] = g_ascii_strtoll (part, &end, 10);
      if (end == part || *end || values[i] < (i < 2 ? -100000 : 1) ||
          values[i] > 100000)
        goto bad;
    }
    rect.x = values[0];
    rect.y = values[1];
    rect.w = values[2];
    rect.h = values[3];
    g_array_append_val (rects, rect);
    continue;
  bad:
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--sample-rects: '%s' is not X,Y,W,H in pixels (W, H > 0)", *item);
    return NULL;
  }
  if (rects->len == 0) {
    g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--sample-rects: no rectangle given");
    return NULL;
  }
  return g_steal_pointer (&rects);
}

/* --tones: "440,880", in Hz. */
static GArray *
parse_tones (const char *text, GError **error)
{
  g_autoptr (GArray) tones = g_array_new (FALSE, FALSE, sizeof (double));
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);

  for (char **p = parts; *p; p++) {
    char *part = g_strstrip (*p), *end = NULL;
    double hz;

    if (!*part)
      continue;
    hz = g_ascii_strtod (part, &end);
    if (end == part || *end || !(hz > 0) || hz > 96000) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "--tones: '%s' is not a frequency in Hz (0-96000)", part);
      return NULL;
    }
    g_array_append_val (tones, hz);
  }
  if (tones->len == 0) {
    g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--tones: no frequency given");
    return NULL;
  }
  return g_steal_pointer (&tones);
}

/* --- application --- */

typedef struct {
  WhepConfig config;
  SoupSession *session;
  GPtrArray *viewers;           /* WhepViewer* */
  ToolLoop run;
  guint stats_timer;
  guint snapshot_signal;        /* --snapshot: SIGUSR1 */
} App;

/* Nothing left to wait for once every viewer has either failed or got the
 * status it was told to expect; receiving viewers keep the run going. */
static void
on_outcome (WhepViewer *viewer, gpointer data)
{
  App *app = data;

  for (guint i = 0; i < app->viewers->len; i++) {
    WhepViewer *v = g_ptr_array_index (app->viewers, i);

    if (v->outcome != WHEP_OUTCOME_DONE && v->outcome != WHEP_OUTCOME_FAILED)
      return;
  }
  tool_loop_quit (&app->run);
}

static gboolean
on_stats (gpointer data)
{
  App *app = data;

  for (guint i = 0; i < app->viewers->len; i++) {
    WhepViewer *v = g_ptr_array_index (app->viewers, i);
    JsonBuilder *b;

    /* Before the answer there is nothing to count. */
    if (v->status != SOUP_STATUS_CREATED)
      continue;
    b = whep_event_begin (v->index, "stats");
    whep_viewer_add_counters (v, b);
    whep_measure_add_stats (v->measure, b);
    tool_event_end (b);
  }
  return G_SOURCE_CONTINUE;
}

/* SIGUSR1 with --snapshot: the picture a test is looking at, kept as a file
 * it can show. */
static gboolean
on_snapshot (gpointer data)
{
  App *app = data;
  WhepViewer *v = g_ptr_array_index (app->viewers, 0);
  g_autoptr (GError) error = NULL;
  JsonBuilder *b = whep_event_begin (v->index, "snapshot");
  int width = 0, height = 0;

  tool_event_add_string (b, "file", app->config.snapshot);
  if (whep_measure_write_snapshot (v->measure, app->config.snapshot, &width,
          &height, &error)) {
    tool_event_add_int (b, "width", width);
    tool_event_add_int (b, "height", height);
  } else {
    tool_event_add_string (b, "error", error->message);
  }
  tool_event_end (b);
  return G_SOURCE_CONTINUE;
}

/* A viewer that was answered and never failed, but saw too few frames,
 * gets one error line saying so: the summary alone would not say why. */
static void
report_short_media (App *app)
{
  for (guint i = 0; i < app->viewers->len; i++) {
    WhepViewer *v = g_ptr_array_index (app->viewers, i);

    if (v->outcome == WHEP_OUTCOME_RECEIVING && !whep_viewer_succeeded (v))
      whep_viewer_fail (v, "media", -1, NULL,
          "%d decoded video frames, fewer than --min-frames %u",
          g_atomic_int_get (&v->counters.video_frames),
          app->config.min_frames);
  }
}

static int
print_summary (App *app)
{
  guint ok = 0, failed = 0;
  int status;
  JsonBuilder *b = whep_event_begin (-1, "summary");

  json_builder_set_member_name (b, "per_viewer");
  json_builder_begin_array (b);
  for (guint i = 0; i < app->viewers->len; i++) {
    WhepViewer *v = g_ptr_array_index (app->viewers, i);
    gboolean good = whep_viewer_succeeded (v);

    good ? ok++ : failed++;
    json_builder_begin_object (b);
    tool_event_add_int (b, "viewer", v->index);
    tool_event_add_bool (b, "ok", good);
    tool_event_add_int (b, "status", v->status);
    whep_viewer_add_counters (v, b);
    tool_event_add_int (b, "first_video_ms", v->first_frame_ms[0]);
    tool_event_add_int (b, "first_audio_ms", v->first_frame_ms[1]);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  status = failed == 0 ? 0 : 1;
  tool_event_add_int (b, "viewers", app->viewers->len);
  tool_event_add_int (b, "ok", ok);
  tool_event_add_int (b, "failed", failed);
  if (app->config.reference)
    tool_event_add_int (b, "reference_frames",
        g_hash_table_size (app->config.reference));
  tool_event_add_int (b, "exit", status);
  tool_event_end (b);
  return status;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GUri) uri = NULL;
  App app = { 0 };
  int status;

  setlocale (LC_ALL, "");
  g_set_prgname ("whep-view");
  context = g_option_context_new ("- watch a relay's WHEP endpoint");
  g_option_context_set_summary (context,
      "Runs --count WHEP viewers of --url in this process, decodes what "
      "they receive and prints one JSON event per line on stdout.\n"
      "Exit status: 0 when every viewer got the expected HTTP status "
      "(--expect-status) or, without it, a 201 and at least --min-frames "
      "decoded video frames; 1 otherwise; 2 on usage errors.");
  g_option_context_set_description (context,
      "Events (\"event\" member; all carry t_ms since start, and all but "
      "summary the viewer index):\n"
      "  answered            201: status, location, content_type, ms\n"
      "  connected           ICE+DTLS up: ms since start, ms_after_answer\n"
      "  state               peer connection disconnected/failed/closed\n"
      "  stream              incoming stream: media, encoding-name, payload,\n"
      "                      clock-rate, ssrc, rtcp-fb (as negotiated)\n"
      "  first-frame         first decoded frame: media, ms since POST\n"
      "  stats               every second: video_frames, audio_frames,\n"
      "                      width, height, framerate (\"N/D\" as the\n"
      "                      decoded caps announce it, when they do),\n"
      "                      received_frames,\n"
      "                      keyframes_received, matched_reference_frames,\n"
      "                      unmatched_frames, keyframes_requested,\n"
      "                      suppressed_keyframe_requests (the\n"
      "                      depayloader's and decoder's own, never sent),\n"
      "                      rtp_packets, largest_rtp (bytes of the\n"
      "                      biggest decrypted RTP packet received);\n"
      "                      with --sample-rects also rects: [{r,g,b} or\n"
      "                      null per rectangle] (mean colour in the latest\n"
      "                      decoded frame, BT.601 limited range); with\n"
      "                      --tones also tones: {\"HZ\": dB re a\n"
      "                      full-scale sine} and audio_rms_dbfs\n"
      "                      (20 log10 RMS, full scale 1.0; a full-scale\n"
      "                      sine is -3), both over the audio decoded since\n"
      "                      the previous stats event, null without any\n"
      "                      decoded audio)\n"
      "  keyframe-requested  at_ms, count, feedback (pli, fir or none, from\n"
      "                      the answer's rtcp-fb), handled (rtpsession\n"
      "                      took the request)\n"
      "  keyframe-received   a key frame arrived; ms_after_request when it\n"
      "                      is the first after a request; with\n"
      "                      --log-keyframes (on every key frame) frame\n"
      "                      (its place among received_frames, from 1),\n"
      "                      and with a --reference-ivf match also index\n"
      "                      (frame number in the file, from 0), wall_us\n"
      "                      (g_get_real_time () as the whole frame left\n"
      "                      the depayloader) and first_frame (the\n"
      "                      stream's first, held by the jitter buffer for\n"
      "                      its initial latency)\n"
      "  error               stage (pipeline, offer, post, answer,\n"
      "                      connection, stream, media, delete), status,\n"
      "                      body, message\n"
      "  deleted             DELETE answered 2xx: status\n"
      "  snapshot            --snapshot written after SIGUSR1: file, width,\n"
      "                      height, or error (no frame decoded yet)\n"
      "  summary             last line: viewers, ok, failed, exit,\n"
      "                      per_viewer totals\n");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return tool_usage_error ("%s", error->message);
  if (argc > 1)
    return tool_usage_error ("unexpected argument '%s'", argv[1]);
  if (!opt_url)
    return tool_usage_error ("--url is required");
  uri = tool_parse_http_url (opt_url, "--url", &error);
  if (!uri)
    return tool_usage_error ("%s", error->message);
  if (opt_duration < 0 || (guint) opt_duration > G_MAXUINT / 1000)
    return tool_usage_error ("--duration must be between 0 and %u",
        G_MAXUINT / 1000);
  if (opt_expect_status != -1 &&
      (opt_expect_status < 100 || opt_expect_status > 599))
    return tool_usage_error (
        "--expect-status must be an HTTP status (100-599)");
  if (opt_min_frames < 0)
    return tool_usage_error ("--min-frames must be >= 0");
  if (opt_nack_flood < 0 || opt_nack_flood > 16384)
    return tool_usage_error ("--nack-flood must be between 0 and 16384");
  app.config.nack_flood = (guint) opt_nack_flood;
  if (opt_count < 1 || opt_count > MAX_VIEWERS)
    return tool_usage_error ("--count must be between 1 and %d", MAX_VIEWERS);
  if (opt_keyframe_request && g_strcmp0 (opt_keyframe_request, "pli") != 0 &&
      g_strcmp0 (opt_keyframe_request, "fir") != 0)
    return tool_usage_error ("--keyframe-request must be pli or fir, not '%s'",
        opt_keyframe_request);
  app.config.keyframe_fir = g_strcmp0 (opt_keyframe_request, "fir") == 0;
  app.config.log_keyframes = opt_log_keyframes;
  app.config.no_decode = opt_no_decode;
  app.config.server_offer = opt_server_offer;
  app.config.keyframe_at_ms = parse_keyframe_times (&error);
  if (!app.config.keyframe_at_ms)
    return tool_usage_error ("%s", error->message);

  if (opt_sample_rects) {
    app.config.sample_rects = parse_sample_rects (opt_sample_rects, &error);
    if (!app.config.sample_rects)
      return tool_usage_error ("%s", error->message);
  }
  if (opt_tones) {
    app.config.tones = parse_tones (opt_tones, &error);
    if (!app.config.tones)
      return tool_usage_error ("%s", error->message);
  }
  app.config.snapshot = opt_snapshot;
  tool_event_set_start_time ();
  if (opt_reference_ivf) {
    app.config.reference = whep_reference_load (opt_reference_ivf, &error);
    if (!app.config.reference) {
      g_printerr ("whep-view: %s\n", error->message);
      return 1;
    }
  }
  app.config.url = opt_url;
  app.config.token = opt_token;
  app.config.insecure = opt_insecure;
  app.config.expect_status = opt_expect_status;
  app.config.min_frames = opt_min_frames;

  app.session = soup_session_new_with_options (
      /* Every viewer POSTs at once; libsoup's default of two connections
       * per host would queue the joins one behind the other. */
      "max-conns", opt_count + 8, "max-conns-per-host", opt_count + 8,
      "timeout", 15, "user-agent", "whep-view/0.1", NULL);
  app.viewers = g_ptr_array_new_with_free_func (
      (GDestroyNotify) whep_viewer_free);
  for (int i = 0; i < opt_count; i++)
    g_ptr_array_add (app.viewers, whep_viewer_new (i, &app.config,
            app.session, on_outcome, &app));

  tool_loop_init (&app.run, opt_duration);
  app.stats_timer = g_timeout_add_seconds (1, on_stats, &app);
  if (opt_snapshot)
    app.snapshot_signal = g_unix_signal_add (SIGUSR1, on_snapshot, &app);

  for (guint i = 0; i < app.viewers->len && !app.run.quitting; i++)
    whep_viewer_start (g_ptr_array_index (app.viewers, i));
  tool_loop_run (&app.run);

  g_clear_handle_id (&app.stats_timer, g_source_remove);
  g_clear_handle_id (&app.snapshot_signal, g_source_remove);
  for (guint i = 0; i < app.viewers->len; i++)
    whep_viewer_halt (g_ptr_array_index (app.viewers, i));
  tool_loop_delete_sessions (&app.run, app.viewers,
      whep_viewer_delete_async);
  report_short_media (&app);
  /* Halted viewers' counters no longer move, and a failed DELETE is
   * reported as an event but is not what a viewer is judged on. */
  status = print_summary (&app);

  /* Nothing iterates the main loop after this point, so sources still
   * queued for a viewer can never run on a freed one. */
  g_ptr_array_unref (app.viewers);
  g_clear_object (&app.session);
  tool_loop_clear (&app.run);
  g_clear_pointer (&app.config.reference, g_hash_table_unref);
  g_array_unref (app.config.keyframe_at_ms);
  g_clear_pointer (&app.config.sample_rects, g_array_unref);
  g_clear_pointer (&app.config.tones, g_array_unref);
  return status;
}
