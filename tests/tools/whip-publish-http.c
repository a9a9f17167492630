/* The WHIP HTTP exchange (RFC 9725): POST the offer, read the answer and
 * session URL, DELETE the session on exit.  libsoup 3, on the main loop. */
#include "whip-publish-peer.h"

#include <string.h>

static gboolean
accept_any_certificate (SoupMessage *msg, GTlsCertificate *cert,
    GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

static SoupMessage *
new_request (WhipPublisher *pub, const char *method, const char *url)
{
  SoupMessage *msg = soup_message_new (method, url);

  if (!msg)
    return NULL;
  if (pub->token) {
    g_autofree char *auth = g_strconcat ("Bearer ", pub->token, NULL);

    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "Authorization", auth);
  }
  if (pub->config->insecure)
    g_signal_connect (msg, "accept-certificate",
        G_CALLBACK (accept_any_certificate), NULL);
  return msg;
}

static char *
body_text (GBytes *body)
{
  gsize size = 0;
  const char *data = body ? g_bytes_get_data (body, &size) : NULL;

  return g_utf8_make_valid (data ? data : "", size);
}

static void
post_done (GObject *source, GAsyncResult *result, gpointer data)
{
  WhipPublisher *pub = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = g_steal_pointer (&pub->post_msg);
  g_autofree char *text = NULL;
  int expected = pub->config->expect_status >= 0 ?
      pub->config->expect_status : SOUP_STATUS_CREATED;
  SoupMessageHeaders *headers;
  const char *location;
  JsonBuilder *b;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error) {
    /* No HTTP status at all: the relay is unreachable or TLS failed. */
    pub->status = 0;
    whip_peer_fail (pub, "post", 0, NULL, "POST %s: %s", pub->post_url,
        error->message);
    whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
    return;
  }

  pub->status = soup_message_get_status (msg);
  text = body_text (body);
  if (pub->status != SOUP_STATUS_CREATED) {
    whip_peer_fail (pub, "post", pub->status, text, "POST %s: %d %s",
        pub->post_url, pub->status, soup_message_get_reason_phrase (msg));
    whip_peer_set_outcome (pub, pub->status == expected ?
        WHIP_OUTCOME_DONE_OK : WHIP_OUTCOME_FAILED);
    return;
  }

  headers = soup_message_get_response_headers (msg);
  location = soup_message_headers_get_one (headers, "Location");
  if (location) {
    g_autoptr (GError) uri_error = NULL;
    g_autofree char *base = g_uri_to_string (soup_message_get_uri (msg));

    /* Location may be relative (RFC 9725 section 4.2); it resolves against
     * the URL that was finally POSTed to, after any redirect. */
    pub->location = g_uri_resolve_relative (base, location,
        G_URI_FLAGS_NONE, &uri_error);
    if (!pub->location)
      g_printerr ("whip-publish: %s: bad Location '%s': %s\n",
          pub->province, location, uri_error->message);
  }
  g_free (pub->etag);
  pub->etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));

  b = whip_event_begin (pub->province, "answered");
  json_builder_set_member_name (b, "status");
  json_builder_add_int_value (b, pub->status);
  json_builder_set_member_name (b, "location");
  if (pub->location)
    json_builder_add_string_value (b, pub->location);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "etag");
  if (pub->etag)
    json_builder_add_string_value (b, pub->etag);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "ms");
  json_builder_add_int_value (b,
      (g_get_monotonic_time () - pub->started_us) / 1000);
  whip_event_end (b);

  /* Without a session URL the session can never be deleted: a relay bug
   * worth failing a test for, unless only the status was asked about. */
  if (!pub->location) {
    whip_peer_fail (pub, "post", pub->status, NULL,
        "201 without a usable Location header");
    if (pub->config->expect_status < 0) {
      whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
      return;
    }
  }

  if (pub->status != expected) {
    whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
    return;
  }
  if (pub->config->expect_status >= 0) {
    /* The status was all that was asked for; keep streaming anyway so
     * tests can watch what the relay does next. */
    whip_peer_set_outcome (pub, WHIP_OUTCOME_STREAMING);
  }
  whip_peer_apply_answer (pub, text);
}

void
whip_peer_post_offer (WhipPublisher *pub, char *sdp)
{
  g_autoptr (GBytes) body = NULL;
  gsize len = strlen (sdp);

  pub->post_msg = new_request (pub, SOUP_METHOD_POST, pub->post_url);
  if (!pub->post_msg) {
    g_free (sdp);
    whip_peer_fail (pub, "post", -1, NULL, "invalid URL %s", pub->post_url);
    whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
    return;
  }
  body = g_bytes_new_take (sdp, len);
  soup_message_set_request_body_from_bytes (pub->post_msg, "application/sdp",
      body);
  soup_session_send_and_read_async (pub->session, pub->post_msg,
      G_PRIORITY_DEFAULT, pub->cancellable, post_done, pub);
}

typedef struct {
  WhipPublisher *pub;
  SoupMessage *msg;
} DeleteRequest;

static void
delete_request_free (DeleteRequest *req)
{
  g_object_unref (req->msg);
  g_free (req);
}

static void
delete_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  DeleteRequest *req = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  JsonBuilder *b;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &error);
  if (error) {
    whip_peer_fail (req->pub, "delete", 0, NULL, "DELETE %s: %s",
        req->pub->location, error->message);
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  status = soup_message_get_status (req->msg);
  if (SOUP_STATUS_IS_SUCCESSFUL (status)) {
    b = whip_event_begin (req->pub->province, "deleted");
    json_builder_set_member_name (b, "status");
    json_builder_add_int_value (b, status);
    whip_event_end (b);
  } else {
    g_autofree char *text = body_text (body);

    whip_peer_fail (req->pub, "delete", status, text, "DELETE %s: %u %s",
        req->pub->location, status,
        soup_message_get_reason_phrase (req->msg));
  }
  g_task_return_boolean (task, TRUE);
}

gboolean
whip_publisher_delete_async (WhipPublisher *pub, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  DeleteRequest *req;
  GTask *task;
  SoupMessage *msg;

  if (!pub->location || !pub->session)
    return FALSE;
  msg = new_request (pub, SOUP_METHOD_DELETE, pub->location);
  if (!msg)
    return FALSE;
  req = g_new0 (DeleteRequest, 1);
  req->pub = pub;
  req->msg = msg;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_task_data (task, req, (GDestroyNotify) delete_request_free);
  soup_session_send_and_read_async (pub->session, msg, G_PRIORITY_DEFAULT,
      cancellable, delete_done, task);
  return TRUE;
}

void
whip_publisher_delete_finish (GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;

  /* Failures were already reported as events. */
  g_task_propagate_boolean (G_TASK (result), &error);
}

