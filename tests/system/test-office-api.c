/* The office's own view (GET /api/v1/office) on the real relay: an office's
 * token sees its own state and the public conference state (the floor and
 * since when, its microphone, the briefing and whether it is recorded),
 * never another office's; every other caller is refused with the
 * documented status. */
#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "relay-process.h"

#define CHAIR "chair-token-for-office-view"
#define MINISTER "minister-token-for-office-view"
#define CHIANG_MAI "token-of-chiang-mai"
#define SAMUT_PRAKAN "token-of-samut-prakan"

static RelayProcess *relay;
static SoupSession *http;

typedef struct {
  guint status;
  char *body;
  JsonParser *parser;
} Reply;

static void
reply_free (Reply *r)
{
  g_free (r->body);
  g_clear_object (&r->parser);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static Reply *
call (const char *method, const char *path, const char *token, const char *body)
{
  g_autofree char *url = g_strconcat (relay->base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  if (token)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = soup_session_send_and_read (http, msg, NULL, &error);
  g_assert_no_error (error);
  Reply *r = g_new0 (Reply, 1);
  r->status = soup_message_get_status (msg);
  gsize len;
  const char *data = g_bytes_get_data (reply, &len);
  r->body = g_strndup (data, len);
  return r;
}

static void
assert_refused (const char *method, const char *path, const char *token, guint status,
                const char *error, const char *fragment)
{
  g_autoptr (Reply) r = call (method, path, token, NULL);
  if (r->status != status || !strstr (r->body, error) || (fragment && !strstr (r->body, fragment)))
    g_error ("%s %s: expected %u %s (\"%s\"), got %u: %s", method, path, status, error,
             fragment ? fragment : "", r->status, r->body);
}

/* The view of the office whose token this is, parsed. */
static JsonObject *
view (const char *token, Reply **out)
{
  Reply *r = call ("GET", "/api/v1/office", token, NULL);
  if (r->status != 200)
    g_error ("GET /api/v1/office: %u %s", r->status, r->body);
  r->parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (r->parser, r->body, -1, NULL));
  *out = r;
  return json_node_get_object (json_parser_get_root (r->parser));
}

static void
chair (const char *method, const char *path, const char *body, guint status)
{
  g_autoptr (Reply) r = call (method, path, CHAIR, body);
  if (r->status != status)
    g_error ("%s %s: expected %u, got %u: %s", method, path, status, r->status, r->body);
}

static void
test_refusals (void)
{
  assert_refused ("GET", "/api/v1/office", NULL, 401, "unauthorized", "Bearer");
  assert_refused ("GET", "/api/v1/office", "not-anybody's-token", 401, "unauthorized", NULL);
  /* Viewers have the whole API; this view is an office's own. */
  assert_refused ("GET", "/api/v1/office", CHAIR, 403, "forbidden", "office's own view");
  assert_refused ("GET", "/api/v1/office", MINISTER, 403, "forbidden", "office's own view");
  assert_refused ("POST", "/api/v1/office", CHIANG_MAI, 405, "method-not-allowed", NULL);
  assert_refused ("GET", "/api/v1/office/TH-11", CHIANG_MAI, 404, "not-found", NULL);
  assert_refused ("GET", "/api/v1/office?token=" CHIANG_MAI, NULL, 400, "token-in-url", NULL);
}

static void
test_own_state_only (void)
{
  g_autoptr (Reply) r = NULL;
  JsonObject *o = view (CHIANG_MAI, &r);
  g_assert_cmpstr (json_object_get_string_member (o, "office"), ==, "TH-50");
  JsonObject *status = json_object_get_object_member (o, "status");
  g_assert_cmpstr (json_object_get_string_member (status, "code"), ==, "TH-50");
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "offline");
  /* Its own entry in full: the members only it and the viewers see. */
  g_assert_true (json_object_has_member (status, "takeover"));
  JsonObject *floor = json_object_get_object_member (o, "floor");
  g_assert_true (json_object_get_null_member (floor, "holder"));
  g_assert_true (json_object_get_null_member (floor, "held_ms"));
  g_assert_false (json_object_get_boolean_member (o, "has_floor"));
  g_assert_cmpstr (json_object_get_string_member (o, "microphone"), ==, "closed");
  g_assert_true (json_object_get_null_member (o, "briefing"));
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (o, "recording"),
                                                  "active"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "clips")), ==, 0);
  /* Nothing of the other office. */
  g_assert_null (strstr (r->body, "TH-11"));
}

static void
test_floor_and_microphone (void)
{
  chair ("PUT", "/api/v1/conference/floor", "{\"province\":\"TH-11\"}", 200);
  {
    g_autoptr (Reply) conf = call ("GET", "/api/v1/conference", NULL, NULL);
    g_assert_nonnull (strstr (conf->body, "\"floor\":\"TH-11\",\"floor_since\":\"20"));
    g_autoptr (Reply) r = NULL;
    JsonObject *o = view (SAMUT_PRAKAN, &r);
    g_assert_true (json_object_get_boolean_member (o, "has_floor"));
    g_assert_cmpstr (json_object_get_string_member (o, "microphone"), ==, "open");
    JsonObject *floor = json_object_get_object_member (o, "floor");
    g_assert_cmpstr (json_object_get_string_member (floor, "holder"), ==, "TH-11");
    g_assert_cmpint (json_object_get_int_member (floor, "held_ms"), >=, 0);
    g_assert_true (g_str_has_suffix (json_object_get_string_member (floor, "since"), "Z"));
    /* The other office: the holder's code (public), nothing more of it. */
    g_autoptr (Reply) r50 = NULL;
    JsonObject *o50 = view (CHIANG_MAI, &r50);
    g_assert_false (json_object_get_boolean_member (o50, "has_floor"));
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o50, "floor"),
                                                    "holder"),
                     ==, "TH-11");
    g_assert_null (strstr (r50->body, "Samut"));
  }

  /* The chair cuts the holder off: muted by the chair, still holding the
   * floor. */
  chair ("PUT", "/api/v1/conference/participants/TH-11", "{\"muted\":true}", 200);
  {
    g_autoptr (Reply) r = NULL;
    JsonObject *o = view (SAMUT_PRAKAN, &r);
    g_assert_true (json_object_get_boolean_member (o, "has_floor"));
    g_assert_cmpstr (json_object_get_string_member (o, "microphone"), ==, "muted-by-chair");
  }

  /* The floor passes on: the previous holder is closed by the floor rule,
   * not the chair's doing any more. */
  chair ("PUT", "/api/v1/conference/floor", "{\"province\":\"TH-50\"}", 200);
  {
    g_autoptr (Reply) r = NULL;
    JsonObject *o = view (SAMUT_PRAKAN, &r);
    g_assert_false (json_object_get_boolean_member (o, "has_floor"));
    g_assert_cmpstr (json_object_get_string_member (o, "microphone"), ==, "closed");
  }
  /* Unmuted without the floor (a question from the room), then cut off. */
  chair ("PUT", "/api/v1/conference/participants/TH-11", "{\"muted\":false}", 200);
  {
    g_autoptr (Reply) r = NULL;
    g_assert_cmpstr (json_object_get_string_member (view (SAMUT_PRAKAN, &r), "microphone"), ==,
                     "open");
  }
  chair ("PUT", "/api/v1/conference/participants/TH-11", "{\"muted\":true}", 200);
  {
    g_autoptr (Reply) r = NULL;
    g_assert_cmpstr (json_object_get_string_member (view (SAMUT_PRAKAN, &r), "microphone"), ==,
                     "muted-by-chair");
  }
  chair ("DELETE", "/api/v1/conference/floor", NULL, 200);
  {
    g_autoptr (Reply) conf = call ("GET", "/api/v1/conference", NULL, NULL);
    g_assert_nonnull (strstr (conf->body, "\"floor\":null,\"floor_since\":null"));
  }
}

static void
test_briefing_recorded (void)
{
  chair ("POST", "/api/v1/briefings", "{\"title\":\"office view\"}", 201);
  {
    g_autoptr (Reply) r = NULL;
    JsonObject *o = view (CHIANG_MAI, &r);
    JsonObject *b = json_object_get_object_member (o, "briefing");
    g_assert_cmpstr (json_object_get_string_member (b, "title"), ==, "office view");
    JsonObject *rec = json_object_get_object_member (o, "recording");
    g_assert_true (json_object_get_boolean_member (rec, "active"));
    g_assert_true (json_object_get_boolean_member (rec, "office_turns"));
    JsonObject *of = json_object_get_object_member (o, "clips_of");
    g_assert_cmpint (json_object_get_int_member (of, "briefing"), ==,
                     json_object_get_int_member (b, "id"));
    /* The roll call, the agenda and the other offices are not in it. */
    g_assert_null (strstr (r->body, "attendance"));
    g_assert_null (strstr (r->body, "TH-11"));
  }
  g_autoptr (Reply) live = call ("GET", "/api/v1/briefings/live", CHAIR, NULL);
  g_autoptr (JsonParser) p = json_parser_new ();
  g_assert_true (json_parser_load_from_data (p, live->body, -1, NULL));
  gint64 id = json_object_get_int_member (json_node_get_object (json_parser_get_root (p)), "id");
  g_autofree char *end = g_strdup_printf ("/api/v1/briefings/%" G_GINT64_FORMAT "/end", id);
  chair ("POST", end, NULL, 200);
  {
    g_autoptr (Reply) r = NULL;
    JsonObject *o = view (CHIANG_MAI, &r);
    g_assert_true (json_object_get_null_member (o, "briefing"));
    g_assert_false (json_object_get_boolean_member (json_object_get_object_member (o, "recording"),
                                                    "active"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  http = soup_session_new_with_options ("timeout", 60, NULL);
  relay = relay_process_start ("[viewer chair]\nrole=chair\ntoken=" CHAIR "\n"
                               "[viewer minister]\nrole=minister\ntoken=" MINISTER "\n");
  /* In this order: each starts from the state the one before left. */
  g_test_add_func ("/office-view/refusals", test_refusals);
  g_test_add_func ("/office-view/own-state-only", test_own_state_only);
  g_test_add_func ("/office-view/floor-and-microphone", test_floor_and_microphone);
  g_test_add_func ("/office-view/briefing-recorded", test_briefing_recorded);
  int status = g_test_run ();
  relay_process_stop (g_steal_pointer (&relay));
  g_object_unref (http);
  return status;
}
