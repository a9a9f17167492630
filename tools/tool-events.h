/* Event lines shared by the test tools (whip-publish, whep-view): one JSON
 * object per line on stdout, which the integration tests and benchmarks
 * parse.  Not a public interface. */
#pragma once

#include <stdarg.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Sets the origin of every event's t_ms.  Must run before any thread that
 * reports starts: those threads read it without a lock. */
void tool_event_set_start_time (void);

/* An event is built in three steps, so that each tool can put its own
 * identifying member (viewer, province) first: open() starts the object,
 * stamp() adds the event and t_ms members, end() prints the line.  Safe
 * from any thread. */
JsonBuilder *tool_event_open (void);
void tool_event_stamp (JsonBuilder *builder, const char *event);
void tool_event_end (JsonBuilder *builder);

void tool_event_add_int (JsonBuilder *builder, const char *name,
    gint64 value);
/* NULL @value is written as null. */
void tool_event_add_string (JsonBuilder *builder, const char *name,
    const char *value);
void tool_event_add_bool (JsonBuilder *builder, const char *name,
    gboolean value);

/* Finishes an "error" event opened by the caller: stage, then status
 * (left out when < 0), body (left out when NULL) and message (left out
 * when @format is NULL); prints it. */
void tool_event_end_error (JsonBuilder *builder, const char *stage,
    int status, const char *body, const char *format, va_list args)
    G_GNUC_PRINTF (5, 0);

/* Opens an event about one peer (a viewer, a publisher): the shared code
 * below reports through this without knowing which tool it runs in. */
typedef JsonBuilder *(*ToolEventBeginFunc) (gpointer peer,
    const char *event);

G_END_DECLS
