/* The process side shared by the test tools: usage errors, the main loop
 * with its SIGINT/SIGTERM and --duration handling, and DELETEing every
 * session on the way out.  Not a public interface. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TOOL_EXIT_USAGE 2

/* Prints "PRGNAME: message" and a --help hint; returns TOOL_EXIT_USAGE.
 * The program name is g_get_prgname (), set by main. */
int tool_usage_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* Parses an http:// or https:// URL; @option names it in the error. */
GUri *tool_parse_http_url (const char *url, const char *option,
    GError **error);

typedef struct {
  GMainLoop *loop;
  gboolean quitting;
  guint deletes_pending;
  guint delete_timer;
  GCancellable *delete_cancellable;
} ToolLoop;

/* Makes the loop; SIGINT and SIGTERM end it, and so does the end of
 * @duration_s seconds when that is > 0. */
void tool_loop_init (ToolLoop *loop, int duration_s);
/* Makes tool_loop_run () return, or not run at all; idempotent. */
void tool_loop_quit (ToolLoop *loop);
void tool_loop_run (ToolLoop *loop);
void tool_loop_clear (ToolLoop *loop);

/* Starts the DELETE of one peer's session; FALSE when there is none. */
typedef gboolean (*ToolDeleteFunc) (gpointer peer, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer user_data);

/* DELETEs the sessions of every peer in @peers at once and runs the loop
 * until all are answered, a few seconds have passed or a second signal
 * came. */
void tool_loop_delete_sessions (ToolLoop *loop, GPtrArray *peers,
    ToolDeleteFunc start_delete);

G_END_DECLS
