#include "http/body-limits.h"

#include <string.h>

#include "relay/metrics/limit-refusals.h"
#include "webrtc/base/log.h"
#include "relay/figures/figures-service.h"
#include "http/briefings-api.h"
#include "http/control-api.h"
#include "http/http-listener.h"
#include "http/http-util.h"
#include "http/refusal-close.h"

/* Any request not in the table: a 404 or 405 answers it, and nothing it
 * could carry needs more. */
#define OTHER_CAP 1024
#define COUNT_KEY "relay-body-count"

typedef struct {
  const char *method;
  const char *path; /* the path itself, or any path under it */
  gsize cap;
} BodyCap;

/* What each endpoint is sent, and the handler's own check of it. */
static const BodyCap caps[] = {
  { "POST", "/whip", RELAY_MAX_SDP_BODY },                 /* an SDP offer */
  { "PATCH", "/whip", RELAY_MAX_SDPFRAG_BODY },            /* trickled candidates */
  { "POST", "/whep", RELAY_MAX_SDP_BODY },
  { "PATCH", "/whep", RELAY_MAX_SDPFRAG_BODY },
  { "POST", "/api/v1/reports", RELAY_REPORT_MAX_BYTES },   /* a day's figures */
  { "PUT", "/api/v1/conference", RELAY_CONTROL_MAX_BODY }, /* floor, mute, layout */
  { "POST", "/api/v1/briefings", RELAY_BRIEFINGS_MAX_BODY }, /* a briefing and its agenda */
  { "PUT", "/api/v1/briefings", RELAY_BRIEFINGS_MAX_BODY },
};

/* Methods whose content has no defined meaning (RFC 9110 9.3): a body there
 * is a mistake, or a request smuggled inside another. */
static const char *const bodyless[] = { "GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT",
                                        NULL };

typedef struct {
  gsize cap;
  guint64 received;
  gboolean refused;
} BodyCount;

static gboolean
path_is_under (const char *path, const char *prefix)
{
  gsize n = strlen (prefix);
  return strncmp (path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

gsize
relay_body_limit_for (const char *method, const char *path)
{
  if (g_strv_contains (bodyless, method))
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (caps); i++)
    if (strcmp (caps[i].method, method) == 0 && path_is_under (path, caps[i].path))
      return caps[i].cap;
  return OTHER_CAP;
}

static void
refuse (SoupServerMessage *msg, BodyCount *count, const char *how)
{
  count->refused = TRUE;
  relay_limit_refusals_note (RELAY_REFUSAL_TOO_LARGE);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  const char *method = soup_server_message_get_method (msg);
  g_autofree char *reason = count->cap == 0 ? g_strdup_printf ("a %s request takes no body", method)
                                            : relay_http_too_large_reason (count->cap);
  relay_info (NULL, "HTTP: %s %s from %s refused (%s): %s", method,
              g_uri_get_path (soup_server_message_get_uri (msg)),
              soup_server_message_get_remote_host (msg), how, reason);

  /* Kept alive while its connection is taken over below. */
  g_autoptr (SoupServerMessage) held G_GNUC_UNUSED = g_object_ref (msg);
  GSocket *socket = relay_http_listener_socket_of (msg);
  /* Taken from libsoup, which would otherwise read the rest of the body
   * before it answers. */
  GIOStream *stream = soup_server_message_steal_connection (msg);
  if (stream && socket)
    relay_refusal_close (stream, socket, 413, "too-large", reason);
  else if (stream)
    {
      g_io_stream_close (stream, NULL, NULL);
      g_object_unref (stream);
    }
}

static void
on_got_headers (SoupServerMessage *msg, gpointer data)
{
  GUri *uri = soup_server_message_get_uri (msg);
  if (!uri)
    return;
  BodyCount *count = g_new0 (BodyCount, 1);
  count->cap = relay_body_limit_for (soup_server_message_get_method (msg), g_uri_get_path (uri));
  g_object_set_data_full (G_OBJECT (msg), COUNT_KEY, count, g_free);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && (guint64) soup_message_headers_get_content_length (headers) > count->cap)
    refuse (msg, count, "Content-Length");
}

static void
on_got_chunk (SoupServerMessage *msg, GBytes *chunk, gpointer data)
{
  BodyCount *count = g_object_get_data (G_OBJECT (msg), COUNT_KEY);
  if (!count || count->refused)
    return;
  count->received += g_bytes_get_size (chunk);
  if (count->received > count->cap)
    refuse (msg, count, "chunked");
}

static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer data)
{
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), NULL);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), NULL);
}

void
relay_body_limits_install (SoupServer *server)
{
  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), NULL);
}
