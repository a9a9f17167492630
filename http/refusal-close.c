#include "http/refusal-close.h"

#include <libsoup/soup.h>

#include "http/http-answer-counts.h"
#include "http/http-util.h"

/* A client that does not read a 300-byte answer within this is not going
 * to. */
#define WRITE_TIMEOUT_MS 5000
/* Reading a refused client's input before closing: long enough for the
 * answer to reach a client that is still sending, short enough that a
 * refused connection goes soon. */
#define LINGER_MS 2000
#define LINGER_BYTES (256 * 1024)
#define DRAIN_BLOCK 8192

typedef struct {
  GIOStream *stream;
  GSocket *socket;
  GCancellable *cancellable;
  GSource *timer;  /* the write's deadline, then the lingering's */
  GSource *drain;  /* the socket is readable */
  char *answer;
  gsize answer_len;
  gsize drained;
} Closing;

static void
clear_source (GSource **source)
{
  if (*source)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
closing_finish (Closing *c)
{
  clear_source (&c->timer);
  clear_source (&c->drain);
  /* The socket first: closing a TLS stream would try to send close_notify,
   * and the client has had its answer. */
  g_socket_close (c->socket, NULL);
  g_io_stream_close (c->stream, NULL, NULL);
  g_object_unref (c->stream);
  g_object_unref (c->socket);
  g_object_unref (c->cancellable);
  g_free (c->answer);
  g_free (c);
}

static gboolean
on_linger_over (gpointer data)
{
  Closing *c = data;
  g_clear_pointer (&c->timer, g_source_unref);
  closing_finish (c);
  return G_SOURCE_REMOVE;
}

static gboolean
on_readable (GSocket *socket, GIOCondition condition, gpointer data)
{
  Closing *c = data;
  char buf[DRAIN_BLOCK];
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      gssize n = g_socket_receive_with_blocking (socket, buf, sizeof buf, FALSE, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      if (n > 0)
        c->drained += (gsize) n;
      if (n <= 0 || c->drained >= LINGER_BYTES)
        break;
    }
  /* The client closed its side, failed, or keeps sending: done either way. */
  g_clear_pointer (&c->drain, g_source_unref);
  closing_finish (c);
  return G_SOURCE_REMOVE;
}

static void
on_written (GObject *source, GAsyncResult *result, gpointer data)
{
  Closing *c = data;
  clear_source (&c->timer);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      closing_finish (c);
      return;
    }
  /* FIN after the answer; the client's input is read until it closes too. */
  g_socket_shutdown (c->socket, FALSE, TRUE, NULL);
  c->drain = g_socket_create_source (c->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (c->drain, G_SOURCE_FUNC (on_readable), c, NULL);
  g_source_attach (c->drain, g_main_context_get_thread_default ());
  c->timer = g_timeout_source_new (LINGER_MS);
  g_source_set_callback (c->timer, on_linger_over, c, NULL);
  g_source_attach (c->timer, g_main_context_get_thread_default ());
}

static gboolean
on_write_timeout (gpointer data)
{
  Closing *c = data;
  g_clear_pointer (&c->timer, g_source_unref);
  /* on_written runs with the cancellation and closes. */
  g_cancellable_cancel (c->cancellable);
  return G_SOURCE_REMOVE;
}

char *
relay_refusal_text (guint status, const char *error, const char *reason, gsize *len)
{
  gsize body_len;
  g_autofree char *body = relay_http_error_text (error, reason, &body_len);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = soup_date_time_to_string (now, SOUP_DATE_HTTP);
  /* What relay_http_error and relay_http_set_cors give every other
   * refusal: a page on another origin can read it. */
  GString *text = g_string_new (NULL);
  g_string_append_printf (text,
                          "HTTP/1.1 %u %s\r\n"
                          "Server: briefing-relay\r\n"
                          "Date: %s\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "Cache-Control: no-store\r\n"
                          "Access-Control-Allow-Origin: *\r\n"
                          "Connection: close\r\n"
                          "\r\n",
                          status, soup_status_get_phrase (status), date, body_len);
  g_string_append_len (text, body, (gssize) body_len);
  *len = text->len;
  return g_string_free (text, FALSE);
}

void
relay_refusal_close (GIOStream *stream, GSocket *socket, guint status, const char *error,
                     const char *reason)
{
  Closing *c = g_new0 (Closing, 1);
  c->stream = stream;
  c->socket = g_object_ref (socket);
  c->cancellable = g_cancellable_new ();
  c->answer = relay_refusal_text (status, error, reason, &c->answer_len);
  relay_http_answer_counts_note (status);
  c->timer = g_timeout_source_new (WRITE_TIMEOUT_MS);
  g_source_set_callback (c->timer, on_write_timeout, c, NULL);
  g_source_attach (c->timer, g_main_context_get_thread_default ());
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream), c->answer,
                                   c->answer_len, G_PRIORITY_DEFAULT, c->cancellable, on_written,
                                   c);
}
