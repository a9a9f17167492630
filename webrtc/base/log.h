/* Structured logging on g_log_structured. Lines about a province carry its
 * code as the PROVINCE field, and the writer prints it up front, so that
 * `grep TH-50` finds everything about one office. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAY_LOG_DOMAIN "relay"

/* Installs the writer: "2026-11-20T07:30:01.123Z INFO  [TH-50] message" on
 * stderr; under systemd (stderr is the journal stream) journal entries with
 * the PROVINCE field instead. Called on the main thread before any other;
 * the writer runs on whichever thread logs.
 * Debug lines only when `debug` (or G_MESSAGES_DEBUG covers the domain). */
void relay_log_init (gboolean debug);

/* `text` with every control byte (below 0x20, and 0x7f) written as \xNN;
 * other bytes, UTF-8 included, as they are. The writer applies it to every
 * message and province field: what a client sends (a data channel label, a
 * user agent, a figures note) cannot forge a log line or drive a
 * terminal. */
char *relay_log_escape (const char *text);

#define relay_log_province(level, code, ...)                                          \
  g_log_structured (RELAY_LOG_DOMAIN, level, "PROVINCE", (code) ? (code) : "-", \
                    "MESSAGE", __VA_ARGS__)

#define relay_info(code, ...) relay_log_province (G_LOG_LEVEL_INFO, code, __VA_ARGS__)
#define relay_warn(code, ...) relay_log_province (G_LOG_LEVEL_WARNING, code, __VA_ARGS__)
#define relay_debug(code, ...) relay_log_province (G_LOG_LEVEL_DEBUG, code, __VA_ARGS__)

G_END_DECLS
