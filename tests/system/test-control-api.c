/* The chair's controls on the real relay: floor, mutes and layout change
 * the conference status and publish events; everyone else is refused. Each
 * test has a relay of its own (the controls change its state), so none
 * depends on another or on the order they run in. */
#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "relay-process.h"

static RelayProcess *relay;
static SoupSession *http;

#include "events-client.h"

#define CHAIR "chair-token-for-tests"
#define MINISTER "minister-token-for-tests"

typedef struct {
  guint status;
  char *body;
} Reply;

typedef struct {
  int unused;
} Fixture;

static void
relay_up (Fixture *f, gconstpointer data)
{
  relay = relay_process_start ("[viewer chair]\nrole=chair\ntoken=" CHAIR "\n"
                               "[viewer minister]\nrole=minister\ntoken=" MINISTER "\n");
}

static void
relay_down (Fixture *f, gconstpointer data)
{
  relay_process_stop (g_steal_pointer (&relay));
}

static void
reply_free (Reply *r)
{
  g_free (r->body);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static Reply *
call (const char *method, const char *path, const char *token, const char *type, const char *body)
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
      soup_message_set_request_body_from_bytes (msg, type, bytes);
    }
  g_autoptr (GBytes) reply = soup_session_send_and_read (http, msg, NULL, NULL);
  Reply *r = g_new0 (Reply, 1);
  r->status = soup_message_get_status (msg);
  gsize len;
  const char *data = reply ? g_bytes_get_data (reply, &len) : "";
  r->body = g_strndup (data, reply ? len : 0);
  return r;
}

#define PUT_JSON(path, token, json) call ("PUT", path, token, "application/json", json)

static void
assert_status (Reply *r, guint status, const char *fragment)
{
  if (r->status != status || (fragment && !strstr (r->body, fragment)))
    g_error ("expected %u with \"%s\", got %u: %s", status, fragment ? fragment : "", r->status,
             r->body);
}

static void
test_defaults (Fixture *f, gconstpointer data)
{
  g_autoptr (Reply) r = call ("GET", "/api/v1/conference", NULL, NULL, NULL);
  assert_status (r, 200, "\"floor\":null");
  g_assert_nonnull (strstr (r->body, "\"layout\":\"mosaic\""));
  g_assert_nonnull (strstr (r->body, "\"unmuted\":[\"central\"]"));
}

static void
test_floor_mutes_layout_and_events (Fixture *f, gconstpointer data)
{
  Client *events = client_connect_with (NULL, CHAIR, TRUE);

  g_autoptr (Reply) give = PUT_JSON ("/api/v1/conference/floor", CHAIR, "{\"province\":\"TH-50\"}");
  assert_status (give, 200, "\"floor\":\"TH-50\"");
  g_assert_nonnull (strstr (give->body, "\"unmuted\":[\"central\",\"TH-50\"]"));
  g_assert_nonnull (strstr (give->body, "\"spotlight\":\"TH-50\""));

  /* Passing the floor mutes the previous holder. */
  g_autoptr (Reply) pass = PUT_JSON ("/api/v1/conference/floor", CHAIR, "{\"province\":\"TH-11\"}");
  assert_status (pass, 200, "\"unmuted\":[\"central\",\"TH-11\"]");

  g_autoptr (Reply) unmute = PUT_JSON ("/api/v1/conference/participants/TH-50", CHAIR,
                                       "{\"muted\":false}");
  assert_status (unmute, 200, "\"unmuted\":[\"central\",\"TH-11\",\"TH-50\"]");
  g_autoptr (Reply) mute_central = PUT_JSON ("/api/v1/conference/participants/central", CHAIR,
                                             "{\"muted\":true}");
  assert_status (mute_central, 200, "\"unmuted\":[\"TH-11\",\"TH-50\"]");

  g_autoptr (Reply) layout = PUT_JSON ("/api/v1/conference/layout", CHAIR, "{\"layout\":\"spotlight\"}");
  assert_status (layout, 200, "\"layout\":\"spotlight\"");
  g_autoptr (Reply) back = call ("DELETE", "/api/v1/conference/floor", CHAIR, NULL, NULL);
  assert_status (back, 200, "\"floor\":null");
  g_assert_nonnull (strstr (back->body, "\"unmuted\":[\"TH-50\"]"));

  /* hello; mute+floor (give); mute, mute, floor (pass); mute (TH-50);
   * mute (central); layout; mute+floor (take back). */
  wait_messages (events, 11);
  g_autoptr (GString) types = g_string_new (NULL);
  for (guint i = 1; i < events->messages->len; i++)
    {
      g_autoptr (JsonParser) p = json_parser_new ();
      JsonObject *o = message_object (events, i, p);
      g_string_append_printf (types, "%s,", json_object_get_string_member (o, "type"));
    }
  g_assert_cmpstr (types->str, ==,
                   "mute,floor,mute,mute,floor,mute,mute,layout,mute,floor,");
  client_free (events);
}

static void
test_refusals (Fixture *f, gconstpointer data)
{
  struct {
    const char *method, *path, *token, *type, *body;
    guint status;
    const char *fragment;
  } cases[] = {
    { "PUT", "/api/v1/conference/floor", NULL, "application/json", "{\"province\":\"TH-50\"}", 401, "Bearer" },
    { "PUT", "/api/v1/conference/floor", "not-a-token", "application/json", "{\"province\":\"TH-50\"}", 401, "not valid" },
    { "PUT", "/api/v1/conference/floor", MINISTER, "application/json", "{\"province\":\"TH-50\"}", 403, "only the chair" },
    { "PUT", "/api/v1/conference/floor", "token-of-chiang-mai", "application/json", "{\"province\":\"TH-50\"}", 403, "only the chair" },
    { "PUT", "/api/v1/conference/floor", CHAIR, "application/json", "{\"province\":\"TH-99\"}", 404, "TH-99" },
    { "PUT", "/api/v1/conference/floor", CHAIR, "application/json", "{\"province\":50}", 400, "must be a string" },
    { "PUT", "/api/v1/conference/floor", CHAIR, "application/json", "{\"province\":", 400, NULL },
    { "PUT", "/api/v1/conference/floor", CHAIR, "application/json", "[1,2]", 400, "JSON object" },
    /* json-glib took the first of two values (and leaked the second) and
     * decoded a lone surrogate into bytes that are not UTF-8. */
    { "PUT", "/api/v1/conference/floor", CHAIR, "application/json",
      "{\"province\":\"TH-50\"} {\"x\":1}", 400, "one JSON value" },
    { "PUT", "/api/v1/conference/floor", CHAIR, "application/json",
      "{\"province\":\"TH-\\ud800\"}", 400, "surrogate" },
    { "PUT", "/api/v1/conference/floor", CHAIR, "text/plain", "TH-50", 415, "application/json" },
    { "PUT", "/api/v1/conference/layout", CHAIR, "application/json", "{\"layout\":\"grid\"}", 400, "spotlight" },
    { "PUT", "/api/v1/conference/participants/TH-00", CHAIR, "application/json", "{\"muted\":true}", 404, "TH-00" },
    { "PUT", "/api/v1/conference/participants/TH-50", CHAIR, "application/json", "{\"muted\":\"yes\"}", 400, "true or false" },
    { "POST", "/api/v1/conference/floor", CHAIR, "application/json", "{}", 405, NULL },
    { "PUT", "/api/v1/conference", CHAIR, "application/json", "{}", 405, NULL },
    { "GET", "/api/v1/conference/elsewhere", NULL, NULL, NULL, 404, NULL },
    /* Methods match whole: a part of an allowed name is not that method. */
    { "PU", "/api/v1/conference/floor", CHAIR, "application/json", "{\"province\":\"TH-50\"}", 405, "Allow" },
    { "T", "/api/v1/conference/floor", CHAIR, "application/json", "{\"province\":\"TH-50\"}", 405, "Allow" },
    { "GE", "/api/v1/conference", NULL, NULL, NULL, 405, "Allow" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (Reply) r = call (cases[i].method, cases[i].path, cases[i].token, cases[i].type,
                                  cases[i].body);
      assert_status (r, cases[i].status, cases[i].fragment);
    }
  gsize big_len = 5000;
  g_autofree char *big = g_malloc (big_len + 1);
  memset (big, ' ', big_len);
  big[big_len] = '\0';
  big[0] = '{';
  big[big_len - 1] = '}';
  g_autoptr (Reply) large = PUT_JSON ("/api/v1/conference/layout", CHAIR, big);
  assert_status (large, 413, "4 KiB");
  g_autoptr (Reply) health = call ("GET", "/api/v1/health", NULL, NULL, NULL);
  assert_status (health, 200, "\"ok\"");
  /* None of the refused requests gave the floor. */
  g_autoptr (Reply) state = call ("GET", "/api/v1/conference", NULL, NULL, NULL);
  assert_status (state, 200, "\"floor\":null");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  http = soup_session_new_with_options ("timeout", 20, NULL);
  g_test_add ("/conference/defaults", Fixture, NULL, relay_up, test_defaults, relay_down);
  g_test_add ("/conference/floor-mutes-layout-and-events", Fixture, NULL, relay_up,
              test_floor_mutes_layout_and_events, relay_down);
  g_test_add ("/conference/refusals", Fixture, NULL, relay_up, test_refusals, relay_down);
  int rc = g_test_run ();
  g_object_unref (http);
  return rc;
}
