#include "webrtc/base/log.h"

#include <stdio.h>
#include <string.h>

static gboolean log_debug_enabled;
/* Set when stderr is the journal's stream (systemd sets JOURNAL_STREAM):
 * lines then go to journald as entries with their fields, PROVINCE among
 * them, so `journalctl PROVINCE=TH-50` finds one office's lines. */
static gboolean log_to_journal;

static const char *
level_name (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "ERROR";
  if (level & G_LOG_LEVEL_CRITICAL)
    return "CRIT ";
  if (level & G_LOG_LEVEL_WARNING)
    return "WARN ";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "MSG  ";
  if (level & G_LOG_LEVEL_INFO)
    return "INFO ";
  return "DEBUG";
}

char *
relay_log_escape (const char *text)
{
  if (!text)
    return g_strdup ("");
  GString *out = g_string_sized_new (strlen (text));
  for (const guchar *p = (const guchar *) text; *p; p++)
    {
      if (*p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "\\x%02x", *p);
      else
        g_string_append_c (out, (char) *p);
    }
  return g_string_free (out, FALSE);
}

static GLogWriterOutput
relay_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const char *message = NULL, *province = NULL, *domain = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "PROVINCE") == 0)
        province = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
    }

  if ((level & G_LOG_LEVEL_DEBUG) && !log_debug_enabled
      && g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;

  if (log_to_journal)
    {
      /* Lines about no province carry PROVINCE=- for the console's sake;
       * the journal gets no field rather than a placeholder. */
      GLogField *kept = g_newa (GLogField, n_fields);
      gsize n_kept = 0;
      for (gsize i = 0; i < n_fields; i++)
        if (!(g_strcmp0 (fields[i].key, "PROVINCE") == 0 && g_strcmp0 (province, "-") == 0))
          kept[n_kept++] = fields[i];
      if (g_log_writer_journald (level, kept, n_kept, user_data) == G_LOG_WRITER_HANDLED)
        return G_LOG_WRITER_HANDLED;
      /* journald unreachable: the console line below still reaches it. */
    }

  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  int ms = g_date_time_get_microsecond (now) / 1000;

  g_autofree char *text = relay_log_escape (message);
  /* One fprintf per line keeps lines from different threads whole. */
  if (province && strcmp (province, "-") != 0)
    {
      g_autofree char *code = relay_log_escape (province);
      fprintf (stderr, "%s.%03dZ %s [%s] %s\n", stamp, ms, level_name (level), code, text);
    }
  else
    fprintf (stderr, "%s.%03dZ %s %s%s%s\n", stamp, ms, level_name (level),
             domain && strcmp (domain, RELAY_LOG_DOMAIN) != 0 ? domain : "",
             domain && strcmp (domain, RELAY_LOG_DOMAIN) != 0 ? ": " : "", text);
  return G_LOG_WRITER_HANDLED;
}

void
relay_log_init (gboolean debug)
{
  log_debug_enabled = debug;
  log_to_journal = g_log_writer_is_journald (fileno (stderr));
  g_log_set_writer_func (relay_log_writer, NULL, NULL);
}
