#include "http/http-answer-counts.h"

#include <stdatomic.h>

static _Atomic guint64 counts[6]; /* by status / 100; 0 unused */

void
relay_http_answer_counts_note (guint status)
{
  guint status_class = status / 100;
  if (status_class >= 1 && status_class <= 5)
    atomic_fetch_add_explicit (&counts[status_class], 1, memory_order_relaxed);
}

guint64
relay_http_answer_counts_get (guint status_class)
{
  g_return_val_if_fail (status_class >= 1 && status_class <= 5, 0);
  return atomic_load_explicit (&counts[status_class], memory_order_relaxed);
}

static void
on_request_finished (SoupServer *server, SoupServerMessage *msg, gpointer data)
{
  /* 0: nothing was answered (a connection taken over answers by itself). */
  relay_http_answer_counts_note (soup_server_message_get_status (msg));
}

void
relay_http_answer_counts_install (SoupServer *server)
{
  g_signal_connect (server, "request-finished", G_CALLBACK (on_request_finished), NULL);
}
