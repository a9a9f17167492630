#include "relay/config/config-group.h"

#include "relay/config/config-error.h"

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

gboolean
relay_config_group_get_uint (RelayConfigGroup *g, const char *key, guint min, guint max,
                             guint *out)
{
  g_autofree char *value = relay_config_group_get_string (g, key);
  if (!value)
    return TRUE;
  guint64 n;
  if (!g_ascii_string_to_unsigned (value, 10, min, max, &n, NULL))
    return relay_config_group_fail (g, key, "\"%s\" is not a whole number from %u to %u", value,
                                    min, max);
  *out = (guint) n;
  return TRUE;
}

gboolean
relay_config_group_get_boolean (RelayConfigGroup *g, const char *key, gboolean *out)
{
  g_autofree char *value = relay_config_group_get_string (g, key);
  if (!value)
    return TRUE;
  if (g_ascii_strcasecmp (value, "true") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp (value, "false") == 0)
    *out = FALSE;
  else
    return relay_config_group_fail (g, key, "\"%s\" is neither true nor false", value);
  return TRUE;
}
