/* The WHEP HTTP exchange: POST the offer with a bearer token, take the
 * answer and the session URL from a 201, DELETE the session on exit.
 * libsoup 3, asynchronous, on the main loop. */
#include "whep-view.h"

static void
report_answered (WhepViewer *v, SoupMessageHeaders *headers)
{
  JsonBuilder *b = whep_event_begin (v->index, "answered");

  tool_event_add_int (b, "status", v->status);
  tool_event_add_string (b, "location", v->location);
  tool_event_add_string (b, "content_type",
      soup_message_headers_get_content_type (headers, NULL));
  tool_event_add_int (b, "ms", (g_get_monotonic_time () - v->posted_us) /
      1000);
  tool_event_end (b);
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
  text = tool_http_body_text (body);
  if (v->status != SOUP_STATUS_CREATED) {
    whep_viewer_fail (v, "post", v->status, text, "POST %s: %d %s",
        v->config->url, v->status, soup_message_get_reason_phrase (msg));
    whep_viewer_set_outcome (v, v->status == v->config->expect_status ?
        WHEP_OUTCOME_DONE : WHEP_OUTCOME_FAILED);
    return;
  }

  headers = soup_message_get_response_headers (msg);
  v->location = tool_http_session_url (msg, v->label);
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
  v->post_msg = tool_http_send_sdp (v->session, SOUP_METHOD_POST,
      v->config->url, v->config->token, v->config->insecure,
      "application/sdp", sdp, v->cancellable, post_done, v);
  if (!v->post_msg) {
    whep_viewer_fail (v, "post", -1, NULL, "invalid URL %s", v->config->url);
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
  }
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
    g_autofree char *text = tool_http_body_text (body);

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
  v->post_msg = tool_http_send_sdp (v->session, "PATCH", v->location,
      v->config->token, v->config->insecure, NULL, sdp, v->cancellable,
      patch_done, v);
  if (!v->post_msg) {
    whep_viewer_fail (v, "patch", -1, NULL, "invalid URL %s", v->location);
    whep_viewer_set_outcome (v, WHEP_OUTCOME_FAILED);
  }
}

static JsonBuilder *
viewer_event_begin (gpointer viewer, const char *event)
{
  return whep_event_begin (((WhepViewer *) viewer)->index, event);
}

gboolean
whep_viewer_delete_async (gpointer viewer, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  WhepViewer *v = viewer;

  if (!v->location)
    return FALSE;
  return tool_http_delete_async (v->session, v->location, v->config->token,
      v->config->insecure, viewer_event_begin, v, cancellable, callback,
      user_data);
}
