#include "relay/reports/config-group.h"

#include "relay/config.h"

gboolean
relay_config_group_fail (RelayConfigGroup *g, const char *key, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (key)
    g_set_error (g->error, RELAY_CONFIG_ERROR, RELAY_CONFIG_ERROR_INVALID, "%s: [%s] %s: %s",
                 g->source, g->group, key, what);
  else
    g_set_error (g->error, RELAY_CONFIG_ERROR, RELAY_CONFIG_ERROR_INVALID, "%s: [%s]: %s",
                 g->source, g->group, what);
  return FALSE;
}

char *
relay_config_group_get_string (RelayConfigGroup *g, const char *key)
{
  g_autofree char *value = g_key_file_get_string (g->kf, g->group, key, NULL);
  if (!value)
    return NULL;
  g_strstrip (value);
  if (!*value)
    return NULL;
  return g_steal_pointer (&value);
}

gboolean
relay_config_group_check_keys (RelayConfigGroup *g, const char *const *allowed)
{
  g_auto (GStrv) keys = g_key_file_get_keys (g->kf, g->group, NULL, NULL);
  for (guint i = 0; keys && keys[i]; i++)
    if (!g_strv_contains (allowed, keys[i]))
      return relay_config_group_fail (g, keys[i], "unknown key");
  return TRUE;
}
