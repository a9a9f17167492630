#include "relay/figures/webhook-config.h"

#include <string.h>

#include "relay/config/config-group.h"

/* Shorter keys are guessable; the data centre's key is generated anyway. */
#define MIN_SECRET_BYTES 16

static const char *const webhook_keys[] = { "url", "secret", "secret-file", "timeout-s",
  "max-attempts", "retry-min-ms", "retry-max-ms", NULL };

static void
webhook_free (RelayWebhookConfig *w)
{
  g_free (w->name);
  g_free (w->url);
  g_clear_pointer (&w->secret, g_bytes_unref);
  g_free (w);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayWebhookConfig, webhook_free)

GPtrArray *
relay_webhook_configs_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) webhook_free);
}

static gboolean
read_url (RelayConfigGroup *r, RelayWebhookConfig *w)
{
  g_autofree char *url = relay_config_group_get_string (r, "url");
  if (!url)
    return relay_config_group_fail (r, "url", "missing");
  g_autoptr (GError) parse_error = NULL;
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, &parse_error);
  if (!uri)
    return relay_config_group_fail (r, "url", "%s", parse_error->message);
  const char *scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    return relay_config_group_fail (r, "url", "\"%s\" is not an http:// or https:// URL", url);
  if (!g_uri_get_host (uri) || !*g_uri_get_host (uri))
    return relay_config_group_fail (r, "url", "\"%s\" names no host", url);
  w->url = g_steal_pointer (&url);
  return TRUE;
}

static gboolean
read_secret (RelayConfigGroup *r, const char *base_dir, RelayWebhookConfig *w)
{
  g_autofree char *secret = relay_config_group_get_string (r, "secret");
  g_autofree char *file = relay_config_group_get_string (r, "secret-file");
  if (secret && file)
    return relay_config_group_fail (r, "secret", "set secret or secret-file, not both");
  if (!secret && !file)
    return relay_config_group_fail (r, NULL, "needs secret or secret-file");
  const char *key = secret ? "secret" : "secret-file";
  if (file)
    {
      g_autofree char *path = g_path_is_absolute (file) || !base_dir
                                  ? g_strdup (file)
                                  : g_build_filename (base_dir, file, NULL);
      g_autoptr (GError) io_error = NULL;
      if (!g_file_get_contents (path, &secret, NULL, &io_error))
        return relay_config_group_fail (r, key, "%s", io_error->message);
      /* `echo key > file` leaves a newline the receiver's copy lacks. */
      g_strchomp (secret);
    }
  if (strlen (secret) < MIN_SECRET_BYTES)
    return relay_config_group_fail (r, key, "a secret needs at least %d characters", MIN_SECRET_BYTES);
  gsize len = strlen (secret);
  w->secret = g_bytes_new_take (g_steal_pointer (&secret), len);
  return TRUE;
}

gboolean
relay_webhook_config_add_group (GPtrArray *webhooks, GKeyFile *kf, const char *source,
                                const char *base_dir, const char *group, GError **error)
{
  RelayConfigGroup r = { kf, source, group, error };
  const char *name = group + strlen ("webhook ");
  if (!*name || strpbrk (name, " \t/"))
    return relay_config_group_fail (&r, NULL, "a webhook name is one word");
  if (!relay_config_group_check_keys (&r, webhook_keys))
    return FALSE;

  g_autoptr (RelayWebhookConfig) w = g_new0 (RelayWebhookConfig, 1);
  w->name = g_strdup (name);
  w->timeout_s = 10;
  w->max_attempts = 0;
  w->retry_min_ms = 1000;
  w->retry_max_ms = 5 * 60 * 1000;
  if (!read_url (&r, w) || !read_secret (&r, base_dir, w)
      || !relay_config_group_get_uint (&r, "timeout-s", 1, 600, &w->timeout_s)
      || !relay_config_group_get_uint (&r, "max-attempts", 0, G_MAXINT, &w->max_attempts)
      || !relay_config_group_get_uint (&r, "retry-min-ms", 10, 3600 * 1000, &w->retry_min_ms)
      || !relay_config_group_get_uint (&r, "retry-max-ms", 10, 24 * 3600 * 1000, &w->retry_max_ms))
    return FALSE;
  if (w->retry_max_ms < w->retry_min_ms)
    return relay_config_group_fail (&r, "retry-max-ms", "%u is below retry-min-ms (%u)", w->retry_max_ms,
                 w->retry_min_ms);
  g_ptr_array_add (webhooks, g_steal_pointer (&w));
  return TRUE;
}
