/* WHIP requests against the real relay: every refusal has its documented
 * status and reason, and a valid session keeps working through them. */
#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "relay-process.h"
#include "webrtc/sdp/sdp-offer.h"

/* A wall display: the lowest viewer role, which still sees every status
 * detail. */
#define VIEWER "wall-display-token"

static RelayProcess *relay;
static SoupSession *http;
static char *chrome_offer;

typedef struct {
  guint status;
  char *body;
  SoupMessageHeaders *headers;
} Reply;

static void
reply_free (Reply *r)
{
  g_free (r->body);
  soup_message_headers_unref (r->headers);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

/* extra: NULL, or header names and values, NULL-terminated. */
static Reply *
request_with (const char *method, const char *path, const char *token, const char *content_type,
              const char *body, gsize body_len, const char *if_match, const char *const *extra)
{
  g_autofree char *url = g_strconcat (relay->base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_assert_nonnull (msg);
  SoupMessageHeaders *h = soup_message_get_request_headers (msg);
  for (guint i = 0; extra && extra[i]; i += 2)
    soup_message_headers_replace (h, extra[i], extra[i + 1]);
  if (token)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (h, "Authorization", auth);
    }
  if (if_match)
    soup_message_headers_replace (h, "If-Match", if_match);
  if (body)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, body_len);
      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) response = soup_session_send_and_read (http, msg, NULL, &error);
  g_assert_no_error (error);
  Reply *r = g_new0 (Reply, 1);
  r->status = soup_message_get_status (msg);
  gsize len;
  const char *data = g_bytes_get_data (response, &len);
  r->body = g_strndup (data, len);
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return r;
}

static Reply *
request (const char *method, const char *path, const char *token, const char *content_type,
         const char *body, gsize body_len, const char *if_match)
{
  return request_with (method, path, token, content_type, body, body_len, if_match, NULL);
}

static Reply *
post_offer_with (const char *code, const char *token, const char *offer, const char *const *extra)
{
  g_autofree char *path = g_strconcat ("/whip/", code, NULL);
  return request_with ("POST", path, token, "application/sdp", offer, strlen (offer), NULL, extra);
}

static Reply *
post_offer (const char *code, const char *token, const char *offer)
{
  return post_offer_with (code, token, offer, NULL);
}

static const char *const TAKE_OVER[] = { "Briefing-Takeover", "true", NULL };

/* A refusal: status, a JSON body with error and reason containing `reason`. */
static void
assert_refusal (Reply *r, guint status, const char *reason)
{
  if (r->status != status)
    g_error ("expected %u, got %u: %s", status, r->status, r->body);
  g_autoptr (JsonParser) p = json_parser_new ();
  g_assert_true (json_parser_load_from_data (p, r->body, -1, NULL));
  JsonObject *o = json_node_get_object (json_parser_get_root (p));
  g_assert_true (json_object_has_member (o, "error"));
  const char *got = json_object_get_string_member (o, "reason");
  if (reason && !strstr (got, reason))
    g_error ("reason \"%s\" lacks \"%s\"", got, reason);
}

/* A refusal with its error code. */
static void
assert_error (Reply *r, guint status, const char *error)
{
  assert_refusal (r, status, NULL);
  g_autoptr (JsonParser) p = json_parser_new ();
  g_assert_true (json_parser_load_from_data (p, r->body, -1, NULL));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json_parser_get_root (p)),
                                                  "error"),
                   ==, error);
}

static void
assert_healthy (void)
{
  g_autoptr (Reply) r = request ("GET", "/api/v1/health", NULL, NULL, NULL, 0, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_nonnull (strstr (r->body, "\"ok\""));
}

static void
test_auth (void)
{
  g_autoptr (Reply) missing = post_offer ("TH-50", NULL, chrome_offer);
  assert_refusal (missing, 401, "Bearer");
  g_assert_nonnull (soup_message_headers_get_one (missing->headers, "WWW-Authenticate"));

  g_autoptr (Reply) wrong = post_offer ("TH-50", "not-the-token", chrome_offer);
  assert_refusal (wrong, 401, "not valid");
  g_assert_nonnull (strstr (soup_message_headers_get_one (wrong->headers, "WWW-Authenticate"),
                            "invalid_token"));

  g_autoptr (Reply) other = post_offer ("TH-50", "token-of-samut-prakan", chrome_offer);
  assert_refusal (other, 403, "another province");

  g_autoptr (Reply) unknown = post_offer ("TH-99", "token-of-chiang-mai", chrome_offer);
  assert_refusal (unknown, 404, "TH-99");
  assert_healthy ();
}

static void
test_bad_bodies (void)
{
  g_autoptr (Reply) garbage = post_offer ("TH-50", "token-of-chiang-mai", "hello, relay");
  assert_refusal (garbage, 400, NULL);

  g_autoptr (Reply) json = request ("POST", "/whip/TH-50", "token-of-chiang-mai",
                                    "application/json", "{}", 2, NULL);
  assert_refusal (json, 415, "application/sdp");

  gsize big_len = 65 * 1024;
  g_autofree char *big = g_malloc (big_len);
  memset (big, 'a', big_len);
  g_autoptr (Reply) large = request ("POST", "/whip/TH-50", "token-of-chiang-mai",
                                     "application/sdp", big, big_len, NULL);
  assert_refusal (large, 413, "64 KiB");

  g_autofree char *vp9_path = g_build_filename (SDP_FIXTURES, "vp9-only.sdp", NULL);
  g_autofree char *vp9 = NULL;
  g_assert_true (g_file_get_contents (vp9_path, &vp9, NULL, NULL));
  g_autoptr (Reply) unsupported = post_offer ("TH-50", "token-of-chiang-mai", vp9);
  assert_refusal (unsupported, 406, NULL);

  /* Truncated offers: every prefix cut in the middle of a line is refused
   * or accepted, never a crash. Each one accepted takes the office over
   * from the one before (that one never connects, so it stays in use). */
  gsize len = strlen (chrome_offer);
  for (gsize cut = 10; cut < len; cut += len / 12)
    {
      g_autofree char *part = g_strndup (chrome_offer, cut);
      g_autoptr (Reply) r = post_offer_with ("TH-11", "token-of-samut-prakan", part, TAKE_OVER);
      g_assert_true (r->status == 400 || r->status == 406 || r->status == 201);
    }
  assert_healthy ();
}

static void
test_methods_and_cors (void)
{
  g_autoptr (Reply) put = request ("PUT", "/whip/TH-50", "token-of-chiang-mai", "application/sdp",
                                   "x", 1, NULL);
  assert_refusal (put, 405, NULL);
  g_assert_nonnull (soup_message_headers_get_one (put->headers, "Allow"));

  g_autoptr (Reply) options = request ("OPTIONS", "/whip/TH-50", NULL, NULL, NULL, 0, NULL);
  g_assert_cmpuint (options->status, ==, 204);
  g_assert_cmpstr (soup_message_headers_get_one (options->headers, "Access-Control-Allow-Origin"),
                   ==, "*");
  g_assert_nonnull (strstr (soup_message_headers_get_one (options->headers,
                                                          "Access-Control-Allow-Headers"),
                            "Authorization"));
  g_assert_nonnull (strstr (soup_message_headers_get_one (options->headers,
                                                          "Access-Control-Expose-Headers"),
                            "Location"));
}

static void
test_session_lifecycle (void)
{
  g_autoptr (Reply) created = post_offer ("TH-50", "token-of-chiang-mai", chrome_offer);
  g_assert_cmpuint (created->status, ==, 201);
  const char *location = soup_message_headers_get_one (created->headers, "Location");
  const char *etag = soup_message_headers_get_one (created->headers, "ETag");
  g_assert_nonnull (location);
  g_assert_true (g_str_has_prefix (location, "/whip/TH-50/"));
  g_assert_nonnull (etag);
  g_assert_cmpstr (soup_message_headers_get_content_type (created->headers, NULL), ==,
                   "application/sdp");
  g_assert_nonnull (strstr (created->body, "a=setup:passive"));
  g_assert_nonnull (strstr (created->body, "a=candidate:"));
  g_assert_nonnull (strstr (created->body, "a=fingerprint:sha-256 "));

  /* The session URL needs the same province's token. */
  const char *frag = "a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
                     "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
                     "a=candidate:1 1 udp 2122260223 127.0.0.1 61665 typ host\r\n";
  g_autoptr (Reply) noauth = request ("PATCH", location, NULL, "application/trickle-ice-sdpfrag",
                                      frag, strlen (frag), etag);
  assert_refusal (noauth, 401, NULL);
  g_autoptr (Reply) other = request ("PATCH", location, "token-of-samut-prakan",
                                     "application/trickle-ice-sdpfrag", frag, strlen (frag), etag);
  assert_refusal (other, 403, NULL);
  g_autoptr (Reply) stale = request ("PATCH", location, "token-of-chiang-mai",
                                     "application/trickle-ice-sdpfrag", frag, strlen (frag),
                                     "\"not-the-etag\"");
  assert_refusal (stale, 412, "If-Match");
  g_autoptr (Reply) unconditional = request ("PATCH", location, "token-of-chiang-mai",
                                             "application/trickle-ice-sdpfrag", frag, strlen (frag),
                                             NULL);
  assert_refusal (unconditional, 428, "If-Match");
  g_autoptr (Reply) wrong_type = request ("PATCH", location, "token-of-chiang-mai",
                                          "application/sdp", frag, strlen (frag), etag);
  assert_refusal (wrong_type, 415, NULL);
  g_autoptr (Reply) bad_frag = request ("PATCH", location, "token-of-chiang-mai",
                                        "application/trickle-ice-sdpfrag", "\x01\x02garbage", 9,
                                        etag);
  assert_refusal (bad_frag, 400, NULL);

  /* Trickle with the ICE credentials of the offer: 204. */
  g_autofree char *ufrag = NULL, *pwd = NULL;
  g_auto (GStrv) lines = g_strsplit (chrome_offer, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_strstrip (lines[i]);
      if (!ufrag && g_str_has_prefix (lines[i], "a=ice-ufrag:"))
        ufrag = g_strdup (lines[i] + 12);
      if (!pwd && g_str_has_prefix (lines[i], "a=ice-pwd:"))
        pwd = g_strdup (lines[i] + 10);
    }
  g_assert_nonnull (ufrag);
  g_assert_nonnull (pwd);
  g_autofree char *trickle = g_strdup_printf (
      "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
      "a=candidate:1 1 udp 2122260223 127.0.0.1 61665 typ host\r\na=end-of-candidates\r\n",
      ufrag, pwd);
  g_autoptr (Reply) trickled = request ("PATCH", location, "token-of-chiang-mai",
                                        "application/trickle-ice-sdpfrag", trickle,
                                        strlen (trickle), etag);
  g_assert_cmpuint (trickled->status, ==, 204);

  /* An address no ICE check may go to: refused. */
  const char *nowhere = "a=candidate:2 1 udp 2122260223 0.0.0.0 61666 typ host\r\n";
  g_autoptr (Reply) unspecified = request ("PATCH", location, "token-of-chiang-mai",
                                           "application/trickle-ice-sdpfrag", nowhere,
                                           strlen (nowhere), etag);
  assert_refusal (unspecified, 400, "no check may go");
  /* Candidates for these credentials: the offer's 3, 1 trickled, then up to
   * 64 in all, however they are split into PATCHes; the 65th is refused. */
  guint given = 3 + 1;
  for (guint round = 0; round < 3; round++)
    {
      guint n = round == 2 ? 1 : MIN (RELAY_SDP_MAX_CANDIDATES, 64 - given);
      g_autoptr (GString) many = g_string_new (NULL);
      for (guint i = 0; i < n; i++)
        g_string_append_printf (many, "a=candidate:%u 1 udp 2122260223 127.0.0.1 %u typ host\r\n",
                                100 + given + i, 40000 + given + i);
      g_autoptr (Reply) r = request ("PATCH", location, "token-of-chiang-mai",
                                     "application/trickle-ice-sdpfrag", many->str, many->len, etag);
      if (round < 2)
        g_assert_cmpuint (r->status, ==, 204);
      else
        assert_refusal (r, 400, "more than 64 remote candidates");
      given += n;
    }

  /* New credentials: an ICE restart, 200 with ours and a new ETag. */
  g_autoptr (Reply) restarted = request ("PATCH", location, "token-of-chiang-mai",
                                         "application/trickle-ice-sdpfrag", frag, strlen (frag),
                                         etag);
  g_assert_cmpuint (restarted->status, ==, 200);
  const char *new_etag = soup_message_headers_get_one (restarted->headers, "ETag");
  g_assert_nonnull (new_etag);
  g_assert_cmpstr (new_etag, !=, etag);
  g_assert_nonnull (strstr (restarted->body, "a=ice-ufrag:"));
  g_assert_nonnull (strstr (restarted->body, "a=candidate:"));

  /* The province is connecting (nobody answers ICE at 127.0.0.1:61665). */
  g_autoptr (Reply) status = request ("GET", "/api/v1/provinces/TH-50", NULL, NULL, NULL, 0, NULL);
  g_assert_nonnull (strstr (status->body, "\"state\":\"connecting\""));

  /* A second device while the session is in use (connecting: nobody
   * answers ICE at 127.0.0.1:61665) is refused, and the session kept. */
  g_autoptr (Reply) second = post_offer ("TH-50", "token-of-chiang-mai", chrome_offer);
  assert_error (second, 409, "office-live-elsewhere");
  g_assert_nonnull (strstr (second->body, "Briefing-Takeover: true"));
  g_autoptr (Reply) kept = request ("GET", location, "token-of-chiang-mai", NULL, NULL, 0, NULL);
  g_assert_cmpuint (kept->status, ==, 200);
  g_assert_nonnull (strstr (kept->body, "\"state\":\"connecting\""));
  g_autoptr (Reply) kept_other = request ("GET", location, "token-of-samut-prakan", NULL, NULL, 0,
                                          NULL);
  assert_refusal (kept_other, 403, NULL);

  /* Claims that are not what they should be. */
  const char *const odd_flag[] = { "Briefing-Takeover", "please", NULL };
  g_autoptr (Reply) odd = post_offer_with ("TH-50", "token-of-chiang-mai", chrome_offer, odd_flag);
  assert_refusal (odd, 400, "Briefing-Takeover");
  const char *const odd_id[] = { "Briefing-Replaces", "/whip/TH-50/x", NULL };
  g_autoptr (Reply) odd2 = post_offer_with ("TH-50", "token-of-chiang-mai", chrome_offer, odd_id);
  assert_refusal (odd2, 400, "Briefing-Replaces");

  /* The device that has the session reconnects by naming it: accepted. */
  const char *session_id = strrchr (location, '/') + 1;
  const char *const own[] = { "Briefing-Replaces", session_id, NULL };
  g_autoptr (Reply) again = post_offer_with ("TH-50", "token-of-chiang-mai", chrome_offer, own);
  g_assert_cmpuint (again->status, ==, 201);
  const char *location2 = soup_message_headers_get_one (again->headers, "Location");
  g_assert_cmpstr (location2, !=, location);
  /* Replaced by its own device, not taken over: simply gone. */
  g_autoptr (Reply) old = request ("DELETE", location, "token-of-chiang-mai", NULL, NULL, 0, NULL);
  assert_error (old, 404, "not-found");

  /* Another device takes over on purpose: the displaced session's URL
   * then says why, to every method, and so does its device's next POST. */
  g_autoptr (Reply) taken = post_offer_with ("TH-50", "token-of-chiang-mai", chrome_offer, TAKE_OVER);
  g_assert_cmpuint (taken->status, ==, 201);
  const char *location3 = soup_message_headers_get_one (taken->headers, "Location");
  g_autoptr (Reply) displaced = request ("GET", location2, "token-of-chiang-mai", NULL, NULL, 0, NULL);
  assert_error (displaced, 410, "taken-over");
  g_autoptr (Reply) displaced_patch = request ("PATCH", location2, "token-of-chiang-mai",
                                               "application/trickle-ice-sdpfrag", frag,
                                               strlen (frag), "*");
  assert_error (displaced_patch, 410, "taken-over");
  g_autoptr (Reply) displaced_delete = request ("DELETE", location2, "token-of-chiang-mai", NULL,
                                                NULL, 0, NULL);
  assert_error (displaced_delete, 410, "taken-over");
  /* ... but only to the office's own token. */
  g_autoptr (Reply) displaced_other = request ("GET", location2, "token-of-samut-prakan", NULL,
                                               NULL, 0, NULL);
  assert_refusal (displaced_other, 403, NULL);
  const char *const displaced_claim[] = { "Briefing-Replaces", strrchr (location2, '/') + 1, NULL };
  g_autoptr (Reply) back = post_offer_with ("TH-50", "token-of-chiang-mai", chrome_offer,
                                            displaced_claim);
  assert_error (back, 409, "taken-over");
  g_autoptr (Reply) counted = request ("GET", "/api/v1/provinces/TH-50", "token-of-chiang-mai",
                                       NULL, NULL, 0, NULL);
  g_assert_nonnull (strstr (counted->body, "\"takeover\":{\"count\":1,"));
  g_autoptr (Reply) public_view = request ("GET", "/api/v1/provinces/TH-50", NULL, NULL, NULL, 0,
                                           NULL);
  g_assert_null (strstr (public_view->body, "takeover"));

  g_autoptr (Reply) deleted = request ("DELETE", location3, "token-of-chiang-mai", NULL, NULL, 0,
                                       NULL);
  g_assert_cmpuint (deleted->status, ==, 200);
  g_autoptr (Reply) gone = request ("DELETE", location3, "token-of-chiang-mai", NULL, NULL, 0, NULL);
  assert_refusal (gone, 404, NULL);
  g_autoptr (Reply) after = request ("GET", "/api/v1/provinces/TH-50", NULL, NULL, NULL, 0, NULL);
  g_assert_nonnull (strstr (after->body, "\"state\":\"offline\""));
}

static void
test_status_api (void)
{
  g_autoptr (Reply) all = request ("GET", "/api/v1/provinces", NULL, NULL, NULL, 0, NULL);
  g_assert_cmpuint (all->status, ==, 200);
  g_autoptr (JsonParser) p = json_parser_new ();
  g_assert_true (json_parser_load_from_data (p, all->body, -1, NULL));
  JsonArray *list = json_object_get_array_member (json_node_get_object (json_parser_get_root (p)),
                                                  "provinces");
  g_assert_cmpuint (json_array_get_length (list), ==, 76);
  g_autoptr (Reply) unknown = request ("GET", "/api/v1/provinces/TH-00", NULL, NULL, NULL, 0, NULL);
  assert_refusal (unknown, 404, "TH-00");
  g_autoptr (Reply) post = request ("POST", "/api/v1/provinces", NULL, "application/json", "{}", 2,
                                    NULL);
  assert_refusal (post, 405, NULL);
  g_autoptr (Reply) page = request ("GET", "/province.html", NULL, NULL, NULL, 0, NULL);
  g_assert_cmpuint (page->status, ==, 200);
  g_autoptr (Reply) escape = request ("GET", "/../config/relay.ini", NULL, NULL, NULL, 0, NULL);
  g_assert_cmpuint (escape->status, ==, 404);
}

/* The status documents anyone can read; the last two are about the
 * process, not about any office. */
static const char *const status_paths[] = { "/api/v1/provinces/TH-50", "/api/v1/provinces",
                                            "/api/v1/health", "/api/v1/outputs", NULL };
static const char *const *const process_paths = status_paths + 2;

/* Members that only the viewer roles (and an office, about itself) see:
 * who connects from where, the path's timing, the counters, the process. */
static const char *const detail_members[] = {
  "\"session\"", "\"remote_address\"", "\"srtp_profile\"", "\"join_ms\"", "\"rtt_ms\"",
  "\"frames_decoded\"", "\"bytes_received\"", "\"packets_received\"", "\"packets_lost\"",
  "\"nacks_sent\"", "\"plis_sent\"", "\"bitrate_kbps\"", "\"decoded_level_dbov\"",
  "\"version\"", "\"uptime_s\"", "\"transport_threads\"", "\"threads\"", "\"cpu_s\"",
  "\"max_rss_kib\"", "\"frames\"", "\"frames_in\"", "\"keyframes_forced\"",
  "\"latency_p50_ms\"", "\"viewers\"", "\"underruns\"", "\"recording\"",
  "\"rtp_dropped_oversized\"", "\"rtp_largest_oversized\"", "\"remb_kbps\"",
  "\"limit_refusals\"", NULL
};

static Reply *
status_get (const char *path, const char *token)
{
  Reply *r = request ("GET", path, token, NULL, NULL, 0, NULL);
  if (r->status != 200)
    g_error ("GET %s with %s: %u %s", path, token ? token : "no token", r->status, r->body);
  return r;
}

static void
assert_has_members (const char *path, const char *text, const char *const *members)
{
  for (guint i = 0; members[i]; i++)
    if (!strstr (text, members[i]))
      g_error ("%s lacks %s: %s", path, members[i], text);
}

/* Nothing but the public part anywhere in the text, whatever the key. */
static void
assert_public_only (const char *path, const char *text, const char *session_id)
{
  if (strstr (text, session_id))
    g_error ("%s shows the session id: %s", path, text);
  for (guint i = 0; detail_members[i]; i++)
    if (strstr (text, detail_members[i]))
      g_error ("%s shows %s: %s", path, detail_members[i], text);
}

/* The entry of `code` in a GET /api/v1/provinces document. */
static JsonObject *
entry_of (JsonParser *p, const char *code)
{
  JsonArray *list = json_object_get_array_member (json_node_get_object (json_parser_get_root (p)),
                                                  "provinces");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *o = json_array_get_object_element (list, i);
      if (strcmp (json_object_get_string_member (o, "code"), code) == 0)
        return o;
    }
  g_error ("no %s in the list", code);
}

static void
check_without_token (const char *session_id)
{
  for (guint i = 0; status_paths[i]; i++)
    {
      g_autoptr (Reply) r = status_get (status_paths[i], NULL);
      assert_public_only (status_paths[i], r->body, session_id);
    }
  /* The state stays public (connecting, or lost once ICE gives up on a
   * candidate nobody answers at). */
  g_autoptr (Reply) one = status_get ("/api/v1/provinces/TH-50", NULL);
  g_assert_true (strstr (one->body, "\"state\":\"connecting\"")
                 || strstr (one->body, "\"state\":\"lost\""));
  assert_has_members ("/api/v1/provinces/TH-50", one->body,
                      (const char *const[]){ "\"code\":\"TH-50\"", "\"name_en\"", "\"since\"",
                                             "\"transport\"", "\"video\"", "\"audio\"", NULL });
  g_autoptr (Reply) health = status_get ("/api/v1/health", NULL);
  assert_has_members ("/api/v1/health", health->body,
                      (const char *const[]){ "\"status\":\"ok\"", "\"provinces\"", "\"live\"",
                                             NULL });
}

/* A token nobody has is refused as on every other endpoint. */
static void
check_unknown_token (void)
{
  for (guint i = 0; status_paths[i]; i++)
    {
      g_autoptr (Reply) r = request ("GET", status_paths[i], "not-the-token", NULL, NULL, 0, NULL);
      assert_refusal (r, 401, "not valid");
      g_assert_nonnull (strstr (soup_message_headers_get_one (r->headers, "WWW-Authenticate"),
                                "invalid_token"));
    }
}

/* An office sees its own connection, never another's, nor the process. */
static void
check_office_tokens (const char *session_id)
{
  g_autoptr (Reply) own = status_get ("/api/v1/provinces/TH-50", "token-of-chiang-mai");
  g_assert_nonnull (strstr (own->body, session_id));
  g_assert_nonnull (strstr (own->body, "\"rtt_ms\""));
  g_assert_nonnull (strstr (own->body, "\"remote_address\""));

  g_autoptr (Reply) list = status_get ("/api/v1/provinces", "token-of-chiang-mai");
  g_autoptr (JsonParser) p = json_parser_new ();
  g_assert_true (json_parser_load_from_data (p, list->body, -1, NULL));
  g_assert_cmpstr (json_object_get_string_member (entry_of (p, "TH-50"), "session"), ==, session_id);
  g_assert_false (json_object_has_member (entry_of (p, "TH-11"), "session"));
  g_assert_false (json_object_has_member (entry_of (p, "TH-11"), "rtt_ms"));
  JsonObject *central = json_object_get_object_member (
      json_node_get_object (json_parser_get_root (p)), "central");
  g_assert_false (json_object_has_member (central, "session"));
  for (guint i = 0; process_paths[i]; i++)
    {
      g_autoptr (Reply) r = status_get (process_paths[i], "token-of-chiang-mai");
      assert_public_only (process_paths[i], r->body, session_id);
    }

  /* Another office: TH-50 public only, wherever it appears. */
  for (guint i = 0; status_paths[i]; i++)
    {
      g_autoptr (Reply) r = status_get (status_paths[i], "token-of-samut-prakan");
      if (strstr (r->body, session_id))
        g_error ("TH-11's token sees TH-50's session in %s: %s", status_paths[i], r->body);
    }
  g_autoptr (Reply) other = status_get ("/api/v1/provinces/TH-50", "token-of-samut-prakan");
  assert_public_only ("/api/v1/provinces/TH-50", other->body, session_id);
  g_autoptr (Reply) itself = status_get ("/api/v1/provinces/TH-11", "token-of-samut-prakan");
  /* Its own (an earlier test left TH-11 a session, or none: null). */
  assert_has_members ("/api/v1/provinces/TH-11", itself->body,
                      (const char *const[]){ "\"session\":", "\"rtt_ms\":", NULL });
}

/* A viewer role sees every detail, as the API showed everyone before. */
static void
check_viewer_token (const char *session_id)
{
  g_autoptr (Reply) one = status_get ("/api/v1/provinces/TH-50", VIEWER);
  g_autoptr (Reply) list = status_get ("/api/v1/provinces", VIEWER);
  g_autoptr (Reply) health = status_get ("/api/v1/health", VIEWER);
  g_autoptr (Reply) outputs = status_get ("/api/v1/outputs", VIEWER);
  g_assert_nonnull (strstr (one->body, session_id));
  g_assert_nonnull (strstr (list->body, session_id));
  assert_has_members ("/api/v1/provinces/TH-50", one->body,
                      (const char *const[]){ "\"remote_address\"", "\"srtp_profile\"",
                                             "\"join_ms\"", "\"rtt_ms\"",
                                             "\"rtp_dropped_oversized\"", "\"remb_kbps\"",
                                             NULL });
  assert_has_members ("/api/v1/health", health->body,
                      (const char *const[]){ "\"version\"", "\"uptime_s\"",
                                             "\"transport_threads\"", "\"threads\"",
                                             "\"cpu_s\"", "\"max_rss_kib\"", NULL });
  assert_has_members ("/api/v1/outputs", outputs->body,
                      (const char *const[]){ "\"frames\"", "\"latency_p50_ms\"", "\"viewers\"",
                                             "\"underruns\"", "\"recording\"", NULL });
}

/* Who sees what of a province with a session (docs/API.md, "Status"). */
static void
test_status_redaction (void)
{
  g_autoptr (Reply) created = post_offer ("TH-50", "token-of-chiang-mai", chrome_offer);
  g_assert_cmpuint (created->status, ==, 201);
  const char *location = soup_message_headers_get_one (created->headers, "Location");
  const char *session_id = strrchr (location, '/') + 1;
  g_assert_cmpuint (strlen (session_id), >=, 16);

  check_without_token (session_id);
  check_unknown_token ();
  check_office_tokens (session_id);
  check_viewer_token (session_id);

  g_autoptr (Reply) deleted = request ("DELETE", location, "token-of-chiang-mai", NULL, NULL, 0,
                                       NULL);
  g_assert_cmpuint (deleted->status, ==, 200);
}

/* A relay behind 1:1 NAT: announced address and a fixed port range in the
 * candidates, and the configured STUN/TURN servers in Link headers. */
static void
test_nat_settings (void)
{
  RelayProcess *nat = relay_process_start (
      "[transport]\nport-min=42100\nport-max=42199\nannounced-addresses=203.0.113.10\n"
      "[ice-server stun]\nurls=stun:stun.example.org:3478\n"
      "[ice-server turn]\nurls=turn:turn.example.org:3478?transport=udp\n"
      "username=briefing\ncredential=secret\n");
  RelayProcess *main_relay = relay;
  relay = nat;
  g_autoptr (Reply) created = post_offer ("TH-50", "token-of-chiang-mai", chrome_offer);
  /* A pre-flight needs no token, so it must not carry the TURN credentials
   * (RFC 9725 section 4.6): on no endpoint, WHIP or WHEP. */
  const char *preflights[] = { "/whip/TH-50", "/whep/province/TH-50", "/whep/mosaic",
                               "/whep/program" };
  for (guint i = 0; i < G_N_ELEMENTS (preflights); i++)
    {
      g_autoptr (Reply) options = request ("OPTIONS", preflights[i], NULL, NULL, NULL, 0, NULL);
      g_assert_cmpuint (options->status, ==, 204);
      g_assert_null (soup_message_headers_get_one (options->headers, "Link"));
    }
  relay = main_relay;
  g_assert_cmpuint (created->status, ==, 201);

  guint candidates = 0;
  g_auto (GStrv) lines = g_strsplit (created->body, "\r\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      if (!g_str_has_prefix (lines[i], "a=candidate:"))
        continue;
      g_auto (GStrv) f = g_strsplit (lines[i], " ", -1);
      g_assert_cmpuint (g_strv_length (f), >=, 8);
      g_assert_cmpstr (f[4], ==, "203.0.113.10");
      guint port = atoi (f[5]);
      g_assert_cmpuint (port, >=, 42100);
      g_assert_cmpuint (port, <=, 42199);
      candidates++;
    }
  g_assert_cmpuint (candidates, >, 0);

  g_autoptr (GString) links = g_string_new (NULL);
  SoupMessageHeadersIter it;
  const char *name, *value;
  soup_message_headers_iter_init (&it, created->headers);
  while (soup_message_headers_iter_next (&it, &name, &value))
    if (g_ascii_strcasecmp (name, "Link") == 0)
      g_string_append_printf (links, "%s\n", value);
  g_assert_nonnull (strstr (links->str, "<stun:stun.example.org:3478>; rel=\"ice-server\""));
  g_assert_nonnull (strstr (links->str, "<turn:turn.example.org:3478?transport=udp>; rel=\"ice-server\""));
  g_assert_nonnull (strstr (links->str, "username=\"briefing\""));
  relay_process_stop (nat);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autofree char *offer_path = g_build_filename (SDP_FIXTURES, "chrome-whip.sdp", NULL);
  g_assert_true (g_file_get_contents (offer_path, &chrome_offer, NULL, NULL));
  /* The tests below send more session requests with one office's token
   * than a device would in a second; the rate limit has its own test
   * (tests/integration/limits.test.mjs), so it is lifted here. */
  relay = relay_process_start ("[viewer wall]\nrole=viewer\ntoken=" VIEWER "\n"
                               "[limits]\nsession-requests-burst=1000\n");
  http = soup_session_new_with_options ("timeout", 20, NULL);

  g_test_add_func ("/whip/auth", test_auth);
  g_test_add_func ("/whip/bad-bodies", test_bad_bodies);
  g_test_add_func ("/whip/methods-and-cors", test_methods_and_cors);
  g_test_add_func ("/whip/session-lifecycle", test_session_lifecycle);
  g_test_add_func ("/api/status", test_status_api);
  g_test_add_func ("/api/status-redaction", test_status_redaction);
  g_test_add_func ("/whip/nat-settings", test_nat_settings);
  int rc = g_test_run ();

  g_object_unref (http);
  relay_process_stop (relay);
  g_free (chrome_offer);
  return rc;
}
