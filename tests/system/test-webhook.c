/* Webhooks against the real relay: a receiver in this process (a SoupServer
 * on the main context) checks every signature and records every attempt
 * (refused ones too) and what it accepts. Delivered and signed; held while
 * the receiver answers 503 or is not listening, then delivered in order per
 * province (a version is never sent before the previous one got a 2xx);
 * across a SIGTERM and a SIGKILL of the relay, each version exactly once.
 * Exact counts are taken once the relay says nothing is pending (its own
 * count of attempts against the receiver's), never after a fixed delay. */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#include "relay-process.h"
#include "tests/unit/relay/figures/report-test-util.h"
#include "relay/config/config.h"
#include "relay/figures/webhook-config.h"

#define CM "token-of-chiang-mai"
#define SP "token-of-samut-prakan"
#define CHAIR "chair-token-for-tests"
#define VIEWER "viewer-token-for-tests"
#define SECRET "a-secret-shared-with-the-data-centre"
#define WAIT_MS 15000

typedef struct {
  char *delivery_id;
  char *province;
  gint64 version;
  char *client_id;
} Delivery;

/* A signed POST that reached the receiver, and what it answered. */
typedef struct {
  char *province;
  gint64 version;
  guint answer;
} Attempt;

/* The receiver: main context only. */
static struct {
  SoupServer *server;
  guint port;
  guint answer;         /* 200, or e.g. 503 to refuse */
  GPtrArray *accepted;  /* Delivery*, in arrival order */
  GPtrArray *attempts;  /* Attempt*, every valid POST in arrival order */
  guint requests;       /* every POST seen, accepted or not */
  guint bad;            /* a signature or header that does not check out */
} rx;

static SoupSession *http;
static char *today;

static void
delivery_free (Delivery *d)
{
  g_free (d->delivery_id);
  g_free (d->province);
  g_free (d->client_id);
  g_free (d);
}

static void
attempt_free (Attempt *a)
{
  g_free (a->province);
  g_free (a);
}

/* What a receiver at the data centre does (docs/API.md): HMAC of the
 * timestamp, a dot and the raw body, compared before the body is trusted,
 * and the timestamp recent. */
static gboolean
verify (SoupServerMessage *msg, GBytes *body, JsonObject **out)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  const char *signature = soup_message_headers_get_one (h, "X-Briefing-Signature");
  const char *delivery = soup_message_headers_get_one (h, "X-Briefing-Delivery");
  const char *timestamp = soup_message_headers_get_one (h, "X-Briefing-Timestamp");
  if (!signature || !delivery || !timestamp)
    return FALSE;
  gsize len;
  const guchar *data = g_bytes_get_data (body, &len);
  g_autoptr (GString) signed_text = g_string_new (timestamp);
  g_string_append_c (signed_text, '.');
  g_string_append_len (signed_text, (const char *) data, len);
  g_autofree char *hex = g_compute_hmac_for_data (G_CHECKSUM_SHA256, (const guchar *) SECRET,
                                                  strlen (SECRET),
                                                  (const guchar *) signed_text->str,
                                                  signed_text->len);
  g_autofree char *expected = g_strconcat ("sha256=", hex, NULL);
  if (strcmp (signature, expected) != 0)
    return FALSE;
  gint64 sent = g_ascii_strtoll (timestamp, NULL, 10);
  if (ABS (g_get_real_time () / G_USEC_PER_SEC - sent) > 300)
    return FALSE;
  g_autofree char *text = g_strndup ((const char *) data, len);
  JsonNode *root = json_from_string (text, NULL);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  JsonObject *o = json_node_dup_object (root);
  json_node_unref (root);
  if (g_strcmp0 (json_object_get_string_member_with_default (o, "delivery_id", ""), delivery) != 0
      || !json_object_has_member (o, "values") || !json_object_has_member (o, "received_at"))
    {
      json_object_unref (o);
      return FALSE;
    }
  *out = o;
  return TRUE;
}

static void
on_hook (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
         gpointer data)
{
  rx.requests++;
  g_autoptr (GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  JsonObject *o = NULL;
  if (strcmp (soup_server_message_get_method (msg), "POST") != 0 || !verify (msg, body, &o))
    {
      rx.bad++;
      soup_server_message_set_status (msg, 401, NULL);
      return;
    }
  Attempt *a = g_new0 (Attempt, 1);
  a->province = g_strdup (json_object_get_string_member (o, "province"));
  a->version = json_object_get_int_member (o, "version");
  a->answer = rx.answer;
  g_ptr_array_add (rx.attempts, a);
  if (rx.answer < 200 || rx.answer >= 300)
    {
      json_object_unref (o);
      soup_server_message_set_status (msg, rx.answer, NULL);
      return;
    }
  Delivery *d = g_new0 (Delivery, 1);
  d->delivery_id = g_strdup (json_object_get_string_member (o, "delivery_id"));
  d->province = g_strdup (json_object_get_string_member (o, "province"));
  d->version = json_object_get_int_member (o, "version");
  d->client_id = g_strdup (json_object_get_string_member (o, "client_id"));
  g_ptr_array_add (rx.accepted, d);
  json_object_unref (o);
  soup_server_message_set_status (msg, rx.answer, NULL);
}

/* port 0: any free port, remembered for receiver_up (rx.port) later. */
static void
receiver_up (guint port)
{
  g_assert_null (rx.server);
  rx.server = soup_server_new (NULL, NULL);
  soup_server_add_handler (rx.server, "/hook", on_hook, NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (soup_server_listen_local (rx.server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  GSList *uris = soup_server_get_uris (rx.server);
  rx.port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
receiver_down (void)
{
  soup_server_disconnect (rx.server);
  g_clear_object (&rx.server);
}

static void
receiver_reset (guint answer)
{
  g_clear_pointer (&rx.accepted, g_ptr_array_unref);
  rx.accepted = g_ptr_array_new_with_free_func ((GDestroyNotify) delivery_free);
  g_clear_pointer (&rx.attempts, g_ptr_array_unref);
  rx.attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) attempt_free);
  rx.requests = rx.bad = 0;
  rx.answer = answer;
}

static char *
webhook_config (const char *more)
{
  return g_strdup_printf ("[viewer chair]\nrole=chair\ntoken=" CHAIR "\n"
                          "[viewer wall]\nrole=viewer\ntoken=" VIEWER "\n"
                          "[webhook datacentre]\nurl=http://127.0.0.1:%u/hook\nsecret=" SECRET "\n"
                          "timeout-s=30\nretry-min-ms=50\nretry-max-ms=400\n%s",
                          rx.port, more ? more : "");
}

/* The relay again on the same config and data dir (relay_process_start
 * always makes a new one). */
static void
relay_respawn (RelayProcess *rp)
{
  g_clear_object (&rp->stdout_lines);
  g_clear_object (&rp->process);
  g_clear_pointer (&rp->base_url, g_free);
  g_autofree char *ini = g_build_filename (rp->dir, "relay.ini", NULL);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, relay_process_child_setup, NULL, NULL);
  g_autoptr (GError) error = NULL;
  rp->process = g_subprocess_launcher_spawn (launcher, &error, RELAY_BINARY, "--config", ini, NULL);
  g_assert_no_error (error);
  rp->stdout_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (rp->process));
  for (int i = 0; i < 10 && !rp->base_url; i++)
    {
      g_autofree char *line = g_data_input_stream_read_line (rp->stdout_lines, NULL, NULL, NULL);
      g_assert_nonnull (line);
      char *at = strstr (line, "listening on ");
      if (at)
        {
          rp->base_url = g_strdup (at + strlen ("listening on "));
          if (g_str_has_suffix (rp->base_url, "/"))
            rp->base_url[strlen (rp->base_url) - 1] = '\0';
        }
    }
  g_assert_nonnull (rp->base_url);
}

static void
relay_end (RelayProcess *rp, int signal_number)
{
  g_subprocess_send_signal (rp->process, signal_number);
  g_assert_true (g_subprocess_wait (rp->process, NULL, NULL));
  if (signal_number == SIGTERM)
    g_assert_cmpint (g_subprocess_get_exit_status (rp->process), ==, 0);
}

static void
submit (RelayProcess *rp, const char *token, const char *id, int seekers, guint status)
{
  g_autofree char *msg = report_message (id, today, seekers, NULL);
  g_autofree char *reply = NULL;
  guint got = report_post (http, rp->base_url, token, "application/json", msg, strlen (msg), &reply);
  if (got != status)
    g_error ("%s: expected %u, got %u: %s", id, status, got, reply);
}

/* Runs the receiver until `n` deliveries are in, or fails the test. */
static void
wait_accepted (guint n)
{
  gint64 end = g_get_monotonic_time () + WAIT_MS * 1000;
  while (rx.accepted->len < n)
    {
      if (g_get_monotonic_time () > end)
        g_error ("%u of %u deliveries after %d ms (%u requests, %u bad)", rx.accepted->len, n,
                 WAIT_MS, rx.requests, rx.bad);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
wait_requests (guint n)
{
  gint64 end = g_get_monotonic_time () + WAIT_MS * 1000;
  while (rx.requests < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Every attempt for the province, refused or not, is for the lowest
 * version that has not had a 2xx yet: version v+1 never goes out before v
 * was answered 2xx (none is given up in these tests), and a delivered
 * version is not sent again. n versions got their 2xx in the end. */
static void
assert_lane_order (const char *province, gint64 n)
{
  gint64 head = 1;
  for (guint i = 0; i < rx.attempts->len; i++)
    {
      Attempt *a = rx.attempts->pdata[i];
      if (strcmp (a->province, province) != 0)
        continue;
      if (a->version != head)
        g_error ("%s: attempt %u is for version %" G_GINT64_FORMAT " while version %" G_GINT64_FORMAT
                 " had no 2xx yet",
                 province, i, a->version, head);
      if (a->answer >= 200 && a->answer < 300)
        head++;
    }
  g_assert_cmpint (head - 1, ==, n);
}

/* Each province's deliveries are its versions 1..n in order, each once. */
static void
assert_in_order (const char *province, gint64 n)
{
  gint64 next = 1;
  for (guint i = 0; i < rx.accepted->len; i++)
    {
      Delivery *d = rx.accepted->pdata[i];
      if (strcmp (d->province, province) != 0)
        continue;
      if (d->version != next)
        g_error ("%s: delivery %u is version %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT,
                 province, i, d->version, next);
      next++;
    }
  g_assert_cmpint (next - 1, ==, n);
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < rx.accepted->len; i++)
    g_assert_true (g_hash_table_add (ids, ((Delivery *) rx.accepted->pdata[i])->delivery_id));
}

static void
on_read (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

/* GET /api/v1/webhooks; the first webhook's object when 200. */
static JsonObject *
webhook_stats (RelayProcess *rp, const char *token, guint status)
{
  g_autofree char *url = g_strconcat (rp->base_url, "/api/v1/webhooks", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  if (token)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  /* Asynchronous, the main context running meanwhile: the receiver keeps
   * answering the relay (blocked, it would make the relay time out and
   * send again, as it should). */
  GAsyncResult *result = NULL;
  soup_session_send_and_read_async (http, msg, G_PRIORITY_DEFAULT, NULL, on_read, &result);
  while (!result)
    g_main_context_iteration (NULL, TRUE);
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (http, result, NULL);
  g_object_unref (result);
  g_assert_cmpuint (soup_message_get_status (msg), ==, status);
  if (status != 200)
    return NULL;
  g_autoptr (JsonNode) root = json_from_string (g_bytes_get_data (body, NULL), NULL);
  JsonArray *hooks = json_object_get_array_member (json_node_get_object (root), "webhooks");
  g_assert_cmpuint (json_array_get_length (hooks), ==, 1);
  JsonObject *o = json_array_get_object_element (hooks, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "datacentre");
  return json_object_ref (o);
}

static gint64
stat_of (RelayProcess *rp, const char *member)
{
  g_autoptr (JsonObject) stats = webhook_stats (rp, CHAIR, 200);
  return json_object_get_int_member (stats, member);
}

/* Serves the receiver until the relay's figure `member` is at least `n`
 * (at most, with at_most): e.g. until nothing is pending, after which no
 * attempt can come. */
static void
wait_stat (RelayProcess *rp, const char *member, gboolean at_most, gint64 n)
{
  gint64 end = g_get_monotonic_time () + WAIT_MS * 1000;
  for (;;)
    {
      gint64 v = stat_of (rp, member);
      if (at_most ? v <= n : v >= n)
        return;
      if (g_get_monotonic_time () > end)
        g_error ("webhook %s is %" G_GINT64_FORMAT " after %d ms, expected %s %" G_GINT64_FORMAT
                 " (%u requests, %u accepted)",
                 member, v, WAIT_MS, at_most ? "at most" : "at least", n, rx.requests,
                 rx.accepted->len);
      /* Serve the relay's attempts for a moment between two looks. */
      gint64 next = g_get_monotonic_time () + 20 * 1000;
      while (g_get_monotonic_time () < next)
        g_main_context_iteration (NULL, TRUE);
    }
}

/* Nothing left to send: every attempt the relay counted (its delivered
 * plus failed attempts) was served by the receiver, and nothing else came. */
static void
assert_all_attempts_seen (RelayProcess *rp, gint64 delivered)
{
  wait_stat (rp, "pending", TRUE, 0);
  g_autoptr (JsonObject) stats = webhook_stats (rp, CHAIR, 200);
  g_assert_cmpint (json_object_get_int_member (stats, "delivered"), ==, delivered);
  g_assert_cmpuint (rx.accepted->len, ==, delivered);
  g_assert_cmpint (rx.requests, ==,
                   delivered + json_object_get_int_member (stats, "failed_attempts"));
  g_assert_cmpuint (rx.bad, ==, 0);
}

static void
test_delivered_signed (void)
{
  receiver_reset (200);
  receiver_up (0);
  g_autofree char *extra = webhook_config (NULL);
  RelayProcess *rp = relay_process_start (extra);
  submit (rp, CM, "cm-1", 10, 201);
  wait_accepted (1);
  Delivery *first = rx.accepted->pdata[0];
  g_assert_cmpstr (first->province, ==, "TH-50");
  g_assert_cmpint (first->version, ==, 1);
  g_assert_cmpstr (first->client_id, ==, "cm-1");

  /* A retry and an unchanged re-send are no new version: nothing to send. */
  submit (rp, CM, "cm-1", 10, 200);
  submit (rp, CM, "cm-2", 10, 200);
  submit (rp, CM, "cm-3", 12, 201);
  submit (rp, SP, "sp-1", 30, 201);
  wait_accepted (3);
  assert_all_attempts_seen (rp, 3);
  assert_in_order ("TH-50", 2);
  assert_in_order ("TH-11", 1);
  /* TH-50's version 2 is the correction (lanes of other provinces may
   * deliver in between: they do not wait for each other). */
  const char *th50_v2 = NULL;
  for (guint i = 0; i < rx.accepted->len; i++)
    {
      Delivery *d = rx.accepted->pdata[i];
      if (strcmp (d->province, "TH-50") == 0 && d->version == 2)
        th50_v2 = d->client_id;
    }
  g_assert_cmpstr (th50_v2, ==, "cm-3");

  g_autofree char *data_dir = g_build_filename (rp->dir, "var", NULL);
  g_assert_cmpint (report_count (data_dir, "webhook_outbox", "delivered_at IS NOT NULL"), ==, 3);
  g_assert_cmpint (report_count (data_dir, "webhook_outbox", "1"), ==, 3);
  g_autoptr (JsonObject) stats = webhook_stats (rp, CHAIR, 200);
  g_assert_cmpint (json_object_get_int_member (stats, "pending"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (stats, "delivered"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (stats, "failed_attempts"), ==, 0);
  webhook_stats (rp, VIEWER, 403);
  webhook_stats (rp, CM, 403);
  webhook_stats (rp, NULL, 401);
  relay_process_stop (rp);
  receiver_down ();
}

static void
test_receiver_refuses (void)
{
  receiver_reset (503);
  receiver_up (0);
  g_autofree char *extra = webhook_config (NULL);
  RelayProcess *rp = relay_process_start (extra);
  submit (rp, CM, "a-1", 1, 201);
  submit (rp, SP, "b-1", 1, 201);
  submit (rp, CM, "a-2", 2, 201);
  submit (rp, CM, "a-3", 3, 201);
  submit (rp, SP, "b-2", 2, 201);
  /* Both lanes retrying, each one row at a time: only the heads (version
   * 1 of each) are tried while the receiver refuses. */
  wait_requests (6);
  g_assert_cmpuint (rx.accepted->len, ==, 0);
  for (guint i = 0; i < rx.attempts->len; i++)
    g_assert_cmpint (((Attempt *) rx.attempts->pdata[i])->version, ==, 1);
  g_autoptr (JsonObject) down = webhook_stats (rp, CHAIR, 200);
  g_assert_cmpint (json_object_get_int_member (down, "pending"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (down, "delivered"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (down, "failed_attempts"), >=, 4);
  g_assert_nonnull (strstr (json_object_get_string_member (down, "last_error"), "503"));

  rx.answer = 200;
  wait_accepted (5);
  assert_all_attempts_seen (rp, 5);
  assert_lane_order ("TH-50", 3);
  assert_lane_order ("TH-11", 2);
  assert_in_order ("TH-50", 3);
  assert_in_order ("TH-11", 2);
  relay_process_stop (rp);
  receiver_down ();
}

static void
test_across_restart (void)
{
  /* A port that refuses connections now and is ours to listen on later. */
  receiver_reset (200);
  receiver_up (0);
  guint port = rx.port;
  receiver_down ();
  g_autofree char *extra = webhook_config (NULL);
  RelayProcess *rp = relay_process_start (extra);
  g_autofree char *data_dir = g_build_filename (rp->dir, "var", NULL);
  submit (rp, CM, "r-1", 1, 201);
  submit (rp, SP, "s-1", 1, 201);
  /* A clean stop with retries armed: both lanes have failed once. */
  wait_stat (rp, "failed_attempts", FALSE, 2);
  relay_end (rp, SIGTERM);
  relay_respawn (rp);
  submit (rp, CM, "r-2", 2, 201);
  submit (rp, CM, "r-3", 3, 201);
  g_assert_cmpint (report_count (data_dir, "webhook_outbox", "delivered_at IS NULL"), ==, 4);
  /* Dead at once, as in a power cut: only the database remains. */
  relay_end (rp, SIGKILL);

  receiver_up (port);
  relay_respawn (rp);
  wait_accepted (4);
  /* The attempts before the receiver was up never reached it: from now on
   * every attempt is one delivery, each version once. */
  wait_stat (rp, "pending", TRUE, 0);
  g_assert_cmpuint (rx.accepted->len, ==, 4);
  g_assert_cmpuint (rx.requests, ==, 4);
  g_assert_cmpuint (rx.bad, ==, 0);
  assert_lane_order ("TH-50", 3);
  assert_lane_order ("TH-11", 1);
  assert_in_order ("TH-50", 3);
  assert_in_order ("TH-11", 1);
  g_assert_cmpint (report_count (data_dir, "webhook_outbox", "delivered_at IS NULL"), ==, 0);
  /* The ids delivered are the ids queued at acceptance. */
  for (guint i = 0; i < rx.accepted->len; i++)
    {
      g_autofree char *where = g_strdup_printf (
          "delivery_id = '%s'", ((Delivery *) rx.accepted->pdata[i])->delivery_id);
      g_assert_cmpint (report_count (data_dir, "webhook_outbox", where), ==, 1);
    }
  g_autoptr (JsonObject) stats = webhook_stats (rp, CHAIR, 200);
  g_assert_cmpint (json_object_get_int_member (stats, "delivered"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (stats, "failed_attempts"), >=, 2);
  relay_process_stop (rp);
  receiver_down ();
}

/* A receiver that refuses (400) is retried like any failure; with
 * max-attempts the row is given up and the province's next version goes. */
static void
test_max_attempts (void)
{
  receiver_reset (400);
  receiver_up (0);
  g_autofree char *extra = webhook_config ("max-attempts=3\n");
  RelayProcess *rp = relay_process_start (extra);
  submit (rp, CM, "m-1", 1, 201);
  /* Given up: no attempt can follow, so the receiver's count is final. */
  wait_stat (rp, "abandoned", FALSE, 1);
  g_assert_cmpuint (rx.requests, ==, 3);
  g_autoptr (JsonObject) stats = webhook_stats (rp, CHAIR, 200);
  g_assert_cmpint (json_object_get_int_member (stats, "abandoned"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (stats, "pending"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (stats, "failed_attempts"), ==, 3);
  g_assert_nonnull (strstr (json_object_get_string_member (stats, "last_error"), "400"));
  rx.answer = 200;
  submit (rp, CM, "m-2", 2, 201);
  wait_accepted (1);
  g_assert_cmpint (((Delivery *) rx.accepted->pdata[0])->version, ==, 2);
  /* Version 1 three times, refused, then version 2. */
  g_assert_cmpuint (rx.attempts->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      Attempt *a = rx.attempts->pdata[i];
      g_assert_cmpint (a->version, ==, i < 3 ? 1 : 2);
      g_assert_cmpuint (a->answer, ==, i < 3 ? 400 : 200);
    }
  g_autofree char *data_dir = g_build_filename (rp->dir, "var", NULL);
  g_assert_cmpint (report_count (data_dir, "webhook_outbox",
                                 "version = 1 AND abandoned_at IS NOT NULL AND attempts = 3"), ==, 1);
  relay_process_stop (rp);
  receiver_down ();
}

static void
expect_config_error (const char *group, const char *fragment)
{
  g_autofree char *text = g_strdup_printf ("[relay]\n%s", group);
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) config = relay_config_load_data (text, -1, "test.ini", NULL, &error);
  g_assert_null (config);
  if (!strstr (error->message, fragment))
    g_error ("expected \"%s\" in: %s", fragment, error->message);
}

static void
test_config (void)
{
  expect_config_error ("[webhook dc]\nsecret=" SECRET "\n", "test.ini: [webhook dc] url: missing");
  expect_config_error ("[webhook dc]\nurl=ftp://x/\nsecret=" SECRET "\n",
                       "[webhook dc] url: \"ftp://x/\" is not an http:// or https:// URL");
  expect_config_error ("[webhook dc]\nurl=https://dc.example/\n", "needs secret or secret-file");
  expect_config_error ("[webhook dc]\nurl=https://dc.example/\nsecret=short\n",
                       "[webhook dc] secret: a secret needs at least 16 characters");
  expect_config_error ("[webhook dc]\nurl=https://dc.example/\nsecret-file=/nonexistent/key\n",
                       "[webhook dc] secret-file: ");
  expect_config_error ("[webhook dc]\nurl=https://dc.example/\nsecret=" SECRET "\nretries=3\n",
                       "[webhook dc] retries: unknown key");
  expect_config_error ("[webhook dc]\nurl=https://dc.example/\nsecret=" SECRET
                       "\nretry-min-ms=500\nretry-max-ms=100\n",
                       "[webhook dc] retry-max-ms: 100 is below retry-min-ms");

  g_autofree char *dir = g_dir_make_tmp ("webhook-config-XXXXXX", NULL);
  g_autofree char *key = g_build_filename (dir, "dc.key", NULL);
  g_assert_true (g_file_set_contents (key, SECRET "\n", -1, NULL));
  const char *text = "[relay]\n[webhook dc]\nurl=https://dc.example/in\nsecret-file=dc.key\n"
                     "max-attempts=7\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) config = relay_config_load_data (text, -1, "test.ini", dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (config->webhooks->len, ==, 1);
  RelayWebhookConfig *w = config->webhooks->pdata[0];
  g_assert_cmpstr (w->name, ==, "dc");
  g_assert_cmpuint (w->max_attempts, ==, 7);
  g_assert_cmpuint (w->retry_min_ms, ==, 1000);
  g_assert_cmpuint (w->retry_max_ms, ==, 300000);
  /* The file's newline is not part of the key. */
  g_assert_cmpuint (g_bytes_get_size (w->secret), ==, strlen (SECRET));
  g_unlink (key);
  g_rmdir (dir);
}

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  today = report_today ();
  http = soup_session_new_with_options ("timeout", 20, NULL);
  /* The waits iterate the main context; this bounds each iteration. */
  g_timeout_add (10, tick, NULL);
  g_test_add_func ("/webhook/config", test_config);
  g_test_add_func ("/webhook/delivered-signed", test_delivered_signed);
  g_test_add_func ("/webhook/receiver-refuses", test_receiver_refuses);
  g_test_add_func ("/webhook/across-restart", test_across_restart);
  g_test_add_func ("/webhook/max-attempts", test_max_attempts);
  int rc = g_test_run ();
  g_clear_pointer (&rx.accepted, g_ptr_array_unref);
  g_clear_pointer (&rx.attempts, g_ptr_array_unref);
  g_object_unref (http);
  g_free (today);
  return rc;
}
