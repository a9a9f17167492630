/* The WHIP HTTP exchange (RFC 9725): POST the offer, read the answer and
 * session URL, DELETE the session on exit.  libsoup 3, on the main loop. */
#include "whip-publish-peer.h"

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
  text = tool_http_body_text (body);
  if (pub->status != SOUP_STATUS_CREATED) {
    whip_peer_fail (pub, "post", pub->status, text, "POST %s: %d %s",
        pub->post_url, pub->status, soup_message_get_reason_phrase (msg));
    whip_peer_set_outcome (pub, pub->status == expected ?
        WHIP_OUTCOME_DONE_OK : WHIP_OUTCOME_FAILED);
    return;
  }

  headers = soup_message_get_response_headers (msg);
  /* Location may be relative (RFC 9725 section 4.2). */
  pub->location = tool_http_session_url (msg, pub->label);
  g_free (pub->etag);
  pub->etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));

  b = whip_event_begin (pub->province, "answered");
  tool_event_add_int (b, "status", pub->status);
  tool_event_add_string (b, "location", pub->location);
  tool_event_add_string (b, "etag", pub->etag);
  {
    /* The relay's certificate this session was answered with. */
    const char *fp = text ? strstr (text, "a=fingerprint:") : NULL;
    g_autofree char *line = fp ? g_strndup (fp + 14, strcspn (fp + 14, "\r\n")) : NULL;

    tool_event_add_string (b, "fingerprint", line);
  }
  tool_event_add_int (b, "ms",
      (g_get_monotonic_time () - pub->started_us) / 1000);
  tool_event_end (b);

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
  g_autoptr (GBytes) body = g_bytes_new_take (sdp, strlen (sdp));

  pub->post_msg = tool_http_new_request (SOUP_METHOD_POST, pub->post_url,
      pub->token, pub->config->insecure);
  if (pub->post_msg) {
    if (pub->config->takeover)
      soup_message_headers_replace (
          soup_message_get_request_headers (pub->post_msg),
          "Briefing-Takeover", "true");
    soup_message_set_request_body_from_bytes (pub->post_msg,
        "application/sdp", body);
    soup_session_send_and_read_async (pub->session, pub->post_msg,
        G_PRIORITY_DEFAULT, pub->cancellable, post_done, pub);
  } else {
    whip_peer_fail (pub, "post", -1, NULL, "invalid URL %s", pub->post_url);
    whip_peer_set_outcome (pub, WHIP_OUTCOME_FAILED);
  }
}

static JsonBuilder *
publisher_event_begin (gpointer publisher, const char *event)
{
  return whip_event_begin (((WhipPublisher *) publisher)->province, event);
}

gboolean
whip_publisher_delete_async (gpointer publisher, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  WhipPublisher *pub = publisher;

  if (!pub->location || !pub->session)
    return FALSE;
  return tool_http_delete_async (pub->session, pub->location, pub->token,
      pub->config->insecure, publisher_event_begin, pub, cancellable,
      callback, user_data);
}
