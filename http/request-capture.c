#include "http/request-capture.h"

#include <string.h>

#include "webrtc/base/input-capture.h"

static void
on_request_read (SoupServer *server, SoupServerMessage *msg, gpointer data)
{
  (void) server;
  (void) data;
  GUri *uri = soup_server_message_get_uri (msg);
  const char *query = uri ? g_uri_get_query (uri) : NULL;
  if (query)
    relay_input_capture_item ("http-query", query, strlen (query));
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  const char *range = soup_message_headers_get_one (h, "Range");
  if (range)
    relay_input_capture_item ("http-range", range, strlen (range));
  const char *type = soup_message_headers_get_content_type (h, NULL);
  const char *kind = NULL;
  if (g_strcmp0 (type, "application/sdp") == 0)
    kind = "sdp-offer";
  else if (g_strcmp0 (type, "application/trickle-ice-sdpfrag") == 0)
    kind = "sdp-fragment";
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  if (kind && body && body->length > 0)
    {
      g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
      relay_input_capture_item (kind, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
}

void
relay_input_capture_watch_server (SoupServer *server)
{
  if (relay_input_capture_enabled ())
    g_signal_connect (server, "request-read", G_CALLBACK (on_request_read), NULL);
}
