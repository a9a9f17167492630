/* whip-publish: runs N WHIP publishers in one process, replaying canned
 * VP8/H.264 + Opus to a relay.  Used by the integration tests and the
 * benchmarks, and shipped as scripts/whip-publish.  See --help. */
#include "whip-publish.h"

#include <locale.h>
#include <string.h>

/* --- events --- */

JsonBuilder *
whip_event_begin (const char *province, const char *event)
{
  JsonBuilder *b = tool_event_open ();

  if (province)
    tool_event_add_string (b, "province", province);
  tool_event_stamp (b, event);
  return b;
}

/* --- options --- */

static char *opt_base_url;
static char **opt_provinces;
static char *opt_token;
static char *opt_tokens_file;
static char *opt_codec;
static char *opt_media_dir;
static char *opt_audio_file;
static char *opt_video_file;
static int opt_duration;
static gboolean opt_delete_on_exit;
static int opt_expect_status = -1;
static gboolean opt_wrong_fingerprint;
static gboolean opt_decoy_fingerprints;
static double opt_drop_percent;
static int opt_join_interval_ms;
static gboolean opt_insecure;
static gboolean opt_dry_run;
static gboolean opt_log_keyframes;
static int opt_start_frame;
static gboolean opt_audio_level;
static gboolean opt_takeover;
static int opt_oversized_every;
static int opt_oversized_bytes = 2000;

static const GOptionEntry entries[] = {
  {"base-url", 0, 0, G_OPTION_ARG_STRING, &opt_base_url,
      "Relay base URL; publishers POST to URL/whip/CODE", "URL"},
  {"province", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_provinces,
      "Province code(s) to publish as, comma-separated; repeatable",
      "CODE[,CODE...]"},
  {"token", 0, 0, G_OPTION_ARG_STRING, &opt_token,
      "Bearer token (for provinces not in --tokens-file)", "TOKEN"},
  {"tokens-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_tokens_file,
      "Key file with [province CODE] groups holding token=", "FILE"},
  {"codec", 0, 0, G_OPTION_ARG_STRING, &opt_codec,
      "Video codec: vp8 (default) or h264", "CODEC"},
  {"media-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_media_dir,
      "Directory made by tools/make-test-media (default var/test-media)",
      "DIR"},
  {"video-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_video_file,
      "Video file in the media dir, in the --codec format (default "
      "vp8-640x360.ivf or h264-640x360.h264)", "NAME"},
  {"audio-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_audio_file,
      "Opus file in the media dir (default opus-48k.ogg)", "NAME"},
  {"duration", 0, 0, G_OPTION_ARG_INT, &opt_duration,
      "Seconds to run; 0 (default) runs until SIGINT/SIGTERM", "SECONDS"},
  {"delete-on-exit", 0, 0, G_OPTION_ARG_NONE, &opt_delete_on_exit,
      "DELETE each session URL before exiting", NULL},
  {"expect-status", 0, 0, G_OPTION_ARG_INT, &opt_expect_status,
      "Succeed iff every POST returns N (ICE is then not required)", "N"},
  {"drop-percent", 0, 0, G_OPTION_ARG_DOUBLE, &opt_drop_percent,
      "Drop this share (0-100) of outgoing video RTP after the retransmission "
      "history, so the relay must NACK and receive RTX", "PERCENT"},
  {"wrong-fingerprint", 0, 0, G_OPTION_ARG_NONE, &opt_wrong_fingerprint,
      "POST a DTLS fingerprint that does not match our certificate", NULL},
  {"decoy-fingerprints", 0, 0, G_OPTION_ARG_NONE, &opt_decoy_fingerprints,
      "Put a stranger's sha-256 and a sha-1 a=fingerprint line before each of "
      "ours (RFC 8122 allows several; ours must still be found)", NULL},
  {"join-interval-ms", 0, 0, G_OPTION_ARG_INT, &opt_join_interval_ms,
      "Delay between publisher joins (default 0)", "MS"},
  {"insecure", 0, 0, G_OPTION_ARG_NONE, &opt_insecure,
      "Accept any TLS certificate for https URLs", NULL},
  {"dry-run", 0, 0, G_OPTION_ARG_NONE, &opt_dry_run,
      "Print each SDP offer as a JSON line and exit; no HTTP", NULL},
  {"audio-level", 0, 0, G_OPTION_ARG_NONE, &opt_audio_level,
      "Send each audio packet's level in the RFC 6464 header extension "
      "(measured once on the decoded --audio-file), as browsers do; the "
      "relay's active speaker and voice activity need it", NULL},
  {"takeover", 0, 0, G_OPTION_ARG_NONE, &opt_takeover,
      "Take the office over from another device that is live as it "
      "(Briefing-Takeover: true); without it such a POST is refused "
      "with 409 office-live-elsewhere", NULL},
  {"oversized-every", 0, 0, G_OPTION_ARG_INT, &opt_oversized_every,
      "Hostile publisher: grow every Nth video RTP packet to "
      "--oversized-bytes (zeros after its payload) before it is encrypted "
      "and sent; its retransmissions are as big", "N"},
  {"oversized-bytes", 0, 0, G_OPTION_ARG_INT, &opt_oversized_bytes,
      "Size of the packets --oversized-every makes (default 2000)", "BYTES"},
  {"log-keyframes", 0, 0, G_OPTION_ARG_NONE, &opt_log_keyframes,
      "Print a keyframe-sent event for every video key frame pushed into a "
      "publisher's pipeline (for end-to-end latency with whep-view "
      "--log-keyframes)", NULL},
  {"start-frame", 0, 0, G_OPTION_ARG_INT, &opt_start_frame,
      "Start the video at this frame of the file (from 0; default 0, its "
      "first key frame): a stream that begins mid-GOP, as a camera's may "
      "when it reconnects, so the receiver must wait for a key frame", "N"},
  {NULL}
};

/* --- application --- */

typedef struct {
  WhipConfig config;
  WhipMedia media;
  WhipPacer *pacer;
  SoupSession *session;
  GPtrArray *publishers;    /* WhipPublisher* */
  ToolLoop run;
  guint next_join;
  guint join_timer;
} App;

static gboolean
outcome_settled (WhipOutcome outcome)
{
  return outcome == WHIP_OUTCOME_DONE_OK || outcome == WHIP_OUTCOME_FAILED;
}

static void
on_outcome (WhipPublisher *pub, gpointer data)
{
  App *app = data;

  /* Nothing left to wait for once every publisher has either finished
   * (dry run, expected refusal) or failed; streaming ones keep us going. */
  for (guint i = 0; i < app->publishers->len; i++)
    if (!outcome_settled (whip_publisher_get_outcome (
                g_ptr_array_index (app->publishers, i))))
      return;
  tool_loop_quit (&app->run);
}

static gboolean
join_next (gpointer data)
{
  App *app = data;

  if (app->run.quitting || app->next_join >= app->publishers->len) {
    app->join_timer = 0;
    return G_SOURCE_REMOVE;
  }
  whip_publisher_start (g_ptr_array_index (app->publishers,
          app->next_join++));
  if (app->next_join >= app->publishers->len) {
    app->join_timer = 0;
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

/* --- setup --- */

/* Splits the repeatable, comma-separated --province values. */
static GPtrArray *
collect_provinces (GError **error)
{
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

  for (char **arg = opt_provinces; arg && *arg; arg++) {
    g_auto (GStrv) parts = g_strsplit (*arg, ",", -1);

    for (char **p = parts; *p; p++) {
      char *code = g_strstrip (*p);

      if (!*code)
        continue;
      for (const char *c = code; *c; c++) {
        if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_') {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
              "bad province code '%s'", code);
          return NULL;
        }
      }
      g_ptr_array_add (codes, g_strdup (code));
    }
  }
  if (codes->len == 0) {
    g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--province is required");
    return NULL;
  }
  return g_steal_pointer (&codes);
}

/* Accepts http(s)://host[:port][/prefix] and drops trailing slashes so
 * that "/whip/CODE" can simply be appended. */
static char *
normalize_base_url (const char *url, GError **error)
{
  g_autoptr (GUri) uri = tool_parse_http_url (url, "--base-url", error);
  g_autofree char *text = NULL;
  gsize len;

  if (!uri)
    return NULL;
  if (g_uri_get_query (uri) || g_uri_get_fragment (uri)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--base-url must not have a query or fragment");
    return NULL;
  }
  text = g_uri_to_string (uri);
  len = strlen (text);
  while (len > 0 && text[len - 1] == '/')
    text[--len] = '\0';
  return g_steal_pointer (&text);
}

static char *
token_for (GKeyFile *tokens, const char *province)
{
  if (tokens) {
    g_autofree char *group = g_strconcat ("province ", province, NULL);
    char *token = g_key_file_get_string (tokens, group, "token", NULL);

    if (token) {
      g_strstrip (token);
      if (*token)
        return token;
      g_free (token);
    }
  }
  return g_strdup (opt_token);
}

static char *
media_path (const char *name)
{
  if (g_path_is_absolute (name))
    return g_strdup (name);
  return g_build_filename (opt_media_dir ? opt_media_dir : "var/test-media",
      name, NULL);
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) provinces = NULL;
  g_autoptr (GKeyFile) tokens = NULL;
  g_autofree char *video_file = NULL;
  g_autofree char *audio_file = NULL;
  App app = { 0 };
  guint ok = 0, failed = 0;
  int status;
  JsonBuilder *b;

  setlocale (LC_ALL, "");
  g_set_prgname ("whip-publish");
  context = g_option_context_new ("- publish canned media to a WHIP relay");
  g_option_context_set_summary (context,
      "Runs one WHIP publisher per --province in this process.  Prints one "
      "JSON event per line on stdout.\nExit status: 0 when every publisher "
      "got the expected HTTP status (201 unless --expect-status) and, "
      "without --expect-status, reached ICE connected within 10 s of the "
      "answer and never saw its peer connection fail; 1 otherwise; 2 on "
      "usage errors.");
  g_option_context_set_description (context,
      "Events (\"event\" member; all lines carry t_ms since start):\n"
      "  offer             --dry-run only: \"offer\" holds the SDP\n"
      "  answered          201 received: status, location, etag, ms\n"
      "  connected         ICE connected: ms since join, ms_after_answer\n"
      "  state             peer connection (ICE+DTLS) state changes\n"
      "  ice-state         ICE failed/disconnected/closed\n"
      "  keyframe-request  PLI/FIR received (cannot be honoured)\n"
      "  error             stage (pipeline, offer, post, answer, ice,\n"
      "                    connection, delete), status, body, message\n"
      "  deleted           DELETE answered with 2xx\n"
      "  pacer-lag         media pacing fell behind by ms (host overloaded)\n"
      "  keyframe-sent     --log-keyframes: a video key frame was pushed;\n"
      "                    index (frame number in the video file, from 0)\n"
      "                    and wall_us (g_get_real_time () at the push)\n"
      "  summary           last line: publishers, ok, failed, exit\n");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return tool_usage_error ("%s", error->message);
  if (argc > 1)
    return tool_usage_error ("unexpected argument '%s'", argv[1]);

  provinces = collect_provinces (&error);
  if (!provinces)
    return tool_usage_error ("%s", error->message);
  if (opt_codec && strcmp (opt_codec, "vp8") != 0 &&
      strcmp (opt_codec, "h264") != 0)
    return tool_usage_error ("--codec must be vp8 or h264, not '%s'",
        opt_codec);
  if (opt_duration < 0 || (guint) opt_duration > G_MAXUINT / 1000)
    return tool_usage_error ("--duration must be between 0 and %u",
        G_MAXUINT / 1000);
  if (opt_join_interval_ms < 0)
    return tool_usage_error ("--join-interval-ms must be >= 0");
  if (opt_expect_status != -1 &&
      (opt_expect_status < 100 || opt_expect_status > 599))
    return tool_usage_error (
        "--expect-status must be an HTTP status (100-599)");
  if (opt_start_frame < 0)
    return tool_usage_error ("--start-frame must be >= 0");
  if (!opt_dry_run) {
    if (!opt_base_url)
      return tool_usage_error ("--base-url is required (or use --dry-run)");
    app.config.base_url = normalize_base_url (opt_base_url, &error);
    if (!app.config.base_url)
      return tool_usage_error ("%s", error->message);
  }
  if (opt_tokens_file) {
    tokens = g_key_file_new ();
    if (!g_key_file_load_from_file (tokens, opt_tokens_file,
            G_KEY_FILE_NONE, &error))
      return tool_usage_error ("%s: %s", opt_tokens_file, error->message);
  }

  app.config.dry_run = opt_dry_run;
  app.config.insecure = opt_insecure;
  app.config.wrong_fingerprint = opt_wrong_fingerprint;
  app.config.decoy_fingerprints = opt_decoy_fingerprints;
  app.config.drop_percent = CLAMP (opt_drop_percent, 0.0, 100.0);
  app.config.h264 = g_strcmp0 (opt_codec, "h264") == 0;
  app.config.expect_status = opt_expect_status;
  app.config.audio_level = opt_audio_level;
  app.config.takeover = opt_takeover;
  if (opt_oversized_every < 0 || opt_oversized_bytes < 12 ||
      opt_oversized_bytes > 60000)
    return tool_usage_error ("--oversized-every must be >= 0 and "
        "--oversized-bytes from 12 to 60000");
  app.config.oversized_every = opt_oversized_every;
  app.config.oversized_bytes = opt_oversized_bytes;

  tool_event_set_start_time ();
  video_file = media_path (opt_video_file ? opt_video_file :
      app.config.h264 ? "h264-640x360.h264" : "vp8-640x360.ivf");
  audio_file = media_path (opt_audio_file ? opt_audio_file : "opus-48k.ogg");
  if (!whip_media_load (&app.media, video_file, app.config.h264, audio_file,
          app.config.audio_level, &error)) {
    g_printerr ("whip-publish: %s\n", error->message);
    return 1;
  }

  if (!opt_dry_run) {
    app.session = soup_session_new_with_options (
        /* All publishers may POST at once; the default of 2 connections
         * per host would serialize the joins. */
        "max-conns", provinces->len + 8,
        "max-conns-per-host", provinces->len + 8,
        "timeout", 15,
        "user-agent", "whip-publish/0.1", NULL);
    app.pacer = whip_pacer_new (&app.media, opt_log_keyframes,
        (guint) opt_start_frame);
  }

  app.publishers = g_ptr_array_new_with_free_func (
      (GDestroyNotify) whip_publisher_free);
  for (guint i = 0; i < provinces->len; i++) {
    const char *code = g_ptr_array_index (provinces, i);
    g_autofree char *token = token_for (tokens, code);

    if (!token && !opt_dry_run)
      g_printerr ("whip-publish: %s: no token; POSTing without "
          "Authorization\n", code);
    g_ptr_array_add (app.publishers, whip_publisher_new (&app.config, code,
            token, &app.media, app.pacer, app.session, on_outcome, &app));
  }

  tool_loop_init (&app.run, opt_duration);

  if (opt_join_interval_ms > 0) {
    join_next (&app);
    if (app.next_join < app.publishers->len)
      app.join_timer = g_timeout_add (opt_join_interval_ms, join_next, &app);
  } else {
    while (app.next_join < app.publishers->len)
      join_next (&app);
  }

  tool_loop_run (&app.run);

  g_clear_handle_id (&app.join_timer, g_source_remove);
  for (guint i = 0; i < app.publishers->len; i++)
    whip_publisher_halt (g_ptr_array_index (app.publishers, i));
  whip_pacer_free (g_steal_pointer (&app.pacer));
  if (opt_delete_on_exit && !opt_dry_run)
    tool_loop_delete_sessions (&app.run, app.publishers,
        whip_publisher_delete_async);

  for (guint i = 0; i < app.publishers->len; i++) {
    WhipOutcome outcome = whip_publisher_get_outcome (
        g_ptr_array_index (app.publishers, i));

    if (outcome == WHIP_OUTCOME_STREAMING || outcome == WHIP_OUTCOME_DONE_OK)
      ok++;
    else
      failed++;
  }
  status = failed == 0 ? 0 : 1;
  b = whip_event_begin (NULL, "summary");
  tool_event_add_int (b, "publishers", app.publishers->len);
  tool_event_add_int (b, "ok", ok);
  tool_event_add_int (b, "failed", failed);
  tool_event_add_int (b, "exit", status);
  tool_event_end (b);

  /* Pipelines go down only after the DELETEs, which may still need the
   * main loop; nothing iterates the loop after this point. */
  g_ptr_array_unref (app.publishers);
  g_clear_object (&app.session);
  tool_loop_clear (&app.run);
  whip_media_clear (&app.media);
  g_free (app.config.base_url);
  return status;
}
