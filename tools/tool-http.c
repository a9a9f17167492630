/* HTTP helpers for the test tools; see tool-http.h. */
#include "tool-http.h"

#include <string.h>

static gboolean
accept_any_certificate (SoupMessage *msg, GTlsCertificate *cert,
    GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

SoupMessage *
tool_http_new_request (const char *method, const char *url,
    const char *token, gboolean insecure)
{
  SoupMessage *msg = url ? soup_message_new (method, url) : NULL;

  if (!msg)
    return NULL;
  if (token) {
    g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);

    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "Authorization", auth);
  }
  if (insecure)
    g_signal_connect (msg, "accept-certificate",
        G_CALLBACK (accept_any_certificate), NULL);
  return msg;
}

SoupMessage *
tool_http_send_sdp (SoupSession *session, const char *method,
    const char *url, const char *token, gboolean insecure,
    const char *accept, char *sdp, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer data)
{
  g_autoptr (GBytes) body = g_bytes_new_take (sdp, strlen (sdp));
  SoupMessage *msg = tool_http_new_request (method, url, token, insecure);

  if (!msg)
    return NULL;
  if (accept)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "Accept", accept);
  soup_message_set_request_body_from_bytes (msg, "application/sdp", body);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT,
      cancellable, callback, data);
  return msg;
}

/* Bodies go into JSON strings, which must be valid UTF-8. */
char *
tool_http_body_text (GBytes *body)
{
  gsize size = 0;
  const char *data = body ? g_bytes_get_data (body, &size) : NULL;

  return g_utf8_make_valid (data ? data : "", size);
}

char *
tool_http_session_url (SoupMessage *msg, const char *label)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  const char *location = soup_message_headers_get_one (headers, "Location");
  g_autoptr (GError) error = NULL;
  g_autofree char *base = NULL;
  char *url;

  if (!location)
    return NULL;
  base = g_uri_to_string (soup_message_get_uri (msg));
  url = g_uri_resolve_relative (base, location, G_URI_FLAGS_NONE, &error);
  if (!url)
    g_printerr ("%s: bad Location '%s': %s\n", label, location,
        error->message);
  return url;
}

/* --- DELETE --- */

typedef struct {
  SoupMessage *msg;
  char *url;
  ToolEventBeginFunc begin;
  gpointer peer;
} DeleteRequest;

static void
delete_request_free (DeleteRequest *req)
{
  g_object_unref (req->msg);
  g_free (req->url);
  g_free (req);
}

G_GNUC_PRINTF (4, 5) static void
delete_failed (DeleteRequest *req, int status, const char *body,
    const char *format, ...)
{
  va_list args;

  va_start (args, format);
  tool_event_end_error (req->begin (req->peer, "error"), "delete", status,
      body, format, args);
  va_end (args);
}

static void
delete_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  DeleteRequest *req = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &error);
  if (error) {
    delete_failed (req, 0, NULL, "DELETE %s: %s", req->url,
        error->message);
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  status = soup_message_get_status (req->msg);
  if (SOUP_STATUS_IS_SUCCESSFUL (status)) {
    JsonBuilder *b = req->begin (req->peer, "deleted");

    tool_event_add_int (b, "status", status);
    tool_event_end (b);
  } else {
    g_autofree char *text = tool_http_body_text (body);

    delete_failed (req, status, text, "DELETE %s: %u %s", req->url,
        status, soup_message_get_reason_phrase (req->msg));
  }
  g_task_return_boolean (task, TRUE);
}

gboolean
tool_http_delete_async (SoupSession *session, const char *url,
    const char *token, gboolean insecure, ToolEventBeginFunc begin,
    gpointer peer, GCancellable *cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  SoupMessage *msg = tool_http_new_request (SOUP_METHOD_DELETE, url, token,
      insecure);
  DeleteRequest *req;
  GTask *task;

  if (!msg)
    return FALSE;
  req = g_new0 (DeleteRequest, 1);
  req->msg = msg;
  req->url = g_strdup (url);
  req->begin = begin;
  req->peer = peer;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_task_data (task, req, (GDestroyNotify) delete_request_free);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT,
      cancellable, delete_done, task);
  return TRUE;
}

void
tool_http_delete_finish (GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;

  /* Failures were already reported as events. */
  g_task_propagate_boolean (G_TASK (result), &error);
}
