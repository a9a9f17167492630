/* JSON event lines for the test tools; see tool-events.h. */
#include "tool-events.h"

#include <stdio.h>

static GMutex event_lock;
static gint64 event_start_us;

/* Written once, before any reporting thread exists (g_thread_new orders
 * the write before anything that thread reads), so no lock is needed. */
void
tool_event_set_start_time (void)
{
  event_start_us = g_get_monotonic_time ();
}

JsonBuilder *
tool_event_open (void)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  return b;
}

void
tool_event_stamp (JsonBuilder *b, const char *event)
{
  tool_event_add_string (b, "event", event);
  tool_event_add_int (b, "t_ms",
      (g_get_monotonic_time () - event_start_us) / 1000);
}

void
tool_event_add_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

void
tool_event_add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
tool_event_add_bool (JsonBuilder *b, const char *name, gboolean value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

void
tool_event_end (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *line = NULL;

  json_builder_end_object (b);
  root = json_builder_get_root (b);
  line = json_to_string (root, FALSE);
  g_object_unref (b);

  /* Streaming threads print too; a reader must only ever see whole lines. */
  g_mutex_lock (&event_lock);
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
  g_mutex_unlock (&event_lock);
}

void
tool_event_end_error (JsonBuilder *b, const char *stage, int status,
    const char *body, const char *format, va_list args)
{
  tool_event_add_string (b, "stage", stage);
  if (status >= 0)
    tool_event_add_int (b, "status", status);
  if (body)
    tool_event_add_string (b, "body", body);
  if (format) {
    g_autofree char *message = g_strdup_vprintf (format, args);

    tool_event_add_string (b, "message", message);
  }
  tool_event_end (b);
}
