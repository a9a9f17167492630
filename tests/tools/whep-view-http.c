/* The WHEP HTTP exchange: POST the offer with a bearer token, take the
 * answer and the session URL from a 201, DELETE the session on exit.
 * libsoup 3, asynchronous, on the main loop. */
#include "whep-view.h"

#include <string.h>

static gboolean
accept_any_certificate (SoupMessage *msg, GTlsCertificate *cert,
    GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

static SoupMessage *
new_request (WhepViewer *v, const char *method, const char *url)
{
  SoupMessage *msg = soup_message_new (method, url);

  if (!msg)
    return NULL;
  if (v->config->token) {
    g_autofree char *auth = g_strconcat ("Bearer ", v->config->token, NULL);

    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "Authorization", auth);
  }
  if (v->config->insecure)
    g_signal_connect (msg, "accept-certificate",
        G_CALLBACK (accept_any_certificate), NULL);
  return msg;
}

/* Bodies go into JSON strings, which must be valid UTF-8. */
static char *
body_text (GBytes *body)
{
  gsize size = 0;
  const char *data = body ? g_bytes_get_data (body, &size) : NULL;

  return g_utf8_make_valid (data ? data : "", size);
}

static void
report_answered (WhepViewer *v, SoupMessageHeaders *headers)
{
  JsonBuilder *b = whep_event_begin (v->index, "answered");

  whep_event_add_int (b, "status", v->status);
  whep_event_add_string (b, "location", v->location);
  whep_event_add_string (b, "content_type",
      soup_message_headers_get_content_type (headers, NULL));
  whep_event_add_int (b, "ms", (g_get_monotonic_time () - v->posted_us) /
      1000);
  whep_event_end (b);
}

static void
post_done (GObject *source, GAsyncResult *result, gpointer data)
{
  WhepViewer *v = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = g_steal_pointer (&v->post_msg);
  g_autofree char *text = NULL;
  SoupMessageHeaders *headers;
  const char *location;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error) {
    /* No HTTP status at all: unreachable, refused, or TLS failed. */
    v->status = 0;
    whep_viewer_fail (v, "post", 0, NULL, "POST %s: %s", v->config->url,
        error->message);
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
    return;
  }

  v->status = soup_message_get_status (msg);
  text = body_text (body);
  if (v->status != SOUP_STATUS_CREATED) {
    whep_viewer_fail (v, "post", v->status, text, "POST %s: %d %s",
        v->config->url, v->status, soup_message_get_reason_phrase (msg));
    whep_viewer_set_outcome (v, v->status == v->config->expect_status ?
        WHEP_OUTCOME_DONE : WHEP_OUTCOME_FAILED);
    return;
  }

  headers = soup_message_get_response_headers (msg);
  location = soup_message_headers_get_one (headers, "Location");
  if (location) {
    g_autoptr (GError) uri_error = NULL;
    g_autofree char *base = g_uri_to_string (soup_message_get_uri (msg));

    /* A relative Location resolves against the URL finally POSTed to,
     * after any redirect. */
    v->location = g_uri_resolve_relative (base, location, G_URI_FLAGS_NONE,
        &uri_error);
    if (!v->location)
      g_printerr ("whep-view: viewer %d: bad Location '%s': %s\n", v->index,
          location, uri_error->message);
  }
  report_answered (v, headers);

  if (v->config->expect_status >= 0) {
    /* The status was the question; keep receiving anyway so that a test
     * can watch what follows, and so DELETE finds a live session. */
    if (v->config->expect_status != v->status)
      whep_viewer_fail (v, "post", v->status, NULL, "expected status %d",
          v->config->expect_status);
    whep_viewer_set_outcome (v, v->config->expect_status == v->status ?
        WHEP_OUTCOME_DONE : WHEP_OUTCOME_FAILED);
  } else if (!v->location) {
    /* A session that cannot be deleted leaks on the relay. */
    whep_viewer_fail (v, "post", v->status, NULL,
        "201 without a usable Location header");
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
    return;
  }
  if (v->config->server_offer)
    whep_viewer_apply_offer (v, text);
  else
    whep_viewer_apply_answer (v, text);
}

void
whep_viewer_post_offer (WhepViewer *v, char *sdp)
{
  g_autoptr (GBytes) body = NULL;
  gsize len = strlen (sdp);

  v->post_msg = new_request (v, SOUP_METHOD_POST, v->config->url);
  if (!v->post_msg) {
    g_free (sdp);
    whep_viewer_fail (v, "post", -1, NULL, "invalid URL %s", v->config->url);
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
    return;
  }
  soup_message_headers_replace (soup_message_get_request_headers (v->post_msg),
      "Accept", "application/sdp");
  body = g_bytes_new_take (sdp, len);
  soup_message_set_request_body_from_bytes (v->post_msg, "application/sdp",
      body);
  soup_session_send_and_read_async (v->session, v->post_msg,
      G_PRIORITY_DEFAULT, v->cancellable, post_done, v);
}

static void
patch_done (GObject *source, GAsyncResult *result, gpointer data)
{
  WhepViewer *v = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = g_steal_pointer (&v->post_msg);
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  status = error ? 0 : soup_message_get_status (msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status)) {
    g_autofree char *text = body_text (body);

    whep_viewer_fail (v, "patch", status, error ? NULL : text,
        "PATCH %s: %s", v->location, error ? error->message :
        soup_message_get_reason_phrase (msg));
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
    return;
  }
  if (v->config->expect_status < 0)
    whep_viewer_set_outcome (v, WHEP_OUTCOME_RECEIVING);
}

void
whep_viewer_patch_answer (WhepViewer *v, char *sdp)
{
  g_autoptr (GBytes) body = g_bytes_new_take (sdp, strlen (sdp));

  v->post_msg = new_request (v, "PATCH", v->location);
  if (!v->post_msg) {
    whep_viewer_fail (v, "patch", -1, NULL, "invalid URL %s", v->location);
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
    return;
  }
  soup_message_set_request_body_from_bytes (v->post_msg, "application/sdp",
      body);
  soup_session_send_and_read_async (v->session, v->post_msg,
      G_PRIORITY_DEFAULT, v->cancellable, patch_done, v);
}

typedef struct {
  WhepViewer *viewer;
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
  WhepViewer *v = req->viewer;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &error);
  if (error) {
    whep_viewer_fail (v, "delete", 0, NULL, "DELETE %s: %s", v->location,
        error->message);
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  status = soup_message_get_status (req->msg);
  if (SOUP_STATUS_IS_SUCCESSFUL (status)) {
    JsonBuilder *b = whep_event_begin (v->index, "deleted");

    whep_event_add_int (b, "status", status);
    whep_event_end (b);
  } else {
    g_autofree char *text = body_text (body);

    whep_viewer_fail (v, "delete", status, text, "DELETE %s: %u %s",
        v->location, status, soup_message_get_reason_phrase (req->msg));
  }
  g_task_return_boolean (task, TRUE);
}

gboolean
whep_viewer_delete_async (WhepViewer *v, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  DeleteRequest *req;
  GTask *task;
  SoupMessage *msg;

  if (!v->location)
    return FALSE;
  msg = new_request (v, SOUP_METHOD_DELETE, v->location);
  if (!msg)
    return FALSE;
  req = g_new0 (DeleteRequest, 1);
  req->viewer = v;
  req->msg = msg;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_task_data (task, req, (GDestroyNotify) delete_request_free);
  soup_session_send_and_read_async (v->session, msg, G_PRIORITY_DEFAULT,
      cancellable, delete_done, task);
  return TRUE;
}

void
whep_viewer_delete_finish (GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;

  /* Failures were already reported as events. */
  g_task_propagate_boolean (G_TASK (result), &error);
}
