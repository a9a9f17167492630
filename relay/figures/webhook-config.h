/* [webhook <name>] groups of the config: where each accepted submission is
 * POSTed (the national labour data centre), the HMAC key and the retry
 * policy. config/relay.ini documents the keys. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *name;          /* the group's name, also the outbox's key */
  char *url;           /* http:// or https:// */
  GBytes *secret;      /* HMAC-SHA256 key */
  guint timeout_s;     /* per attempt, connect to last byte */
  guint max_attempts;  /* 0: retry forever */
  guint retry_min_ms;  /* first retry delay; doubles per failed attempt */
  guint retry_max_ms;  /* cap of the delay */
} RelayWebhookConfig;

/* A GPtrArray of RelayWebhookConfig*, owning them. */
GPtrArray *relay_webhook_configs_new (void);

/* Reads the group "webhook <name>" of `kf` into `webhooks`. Relative
 * secret-file paths are resolved against `base_dir` (may be NULL). Errors
 * read "<source>: [webhook <name>] <key>: <what>" like every config error. */
gboolean relay_webhook_config_add_group (GPtrArray *webhooks, GKeyFile *kf, const char *source,
                                         const char *base_dir, const char *group,
                                         GError **error);

G_END_DECLS
