/* How the configuration keeps a credential: a token= value is hashed at
 * load and only its SHA-256 is kept and compared; a token-sha256= value
 * is that digest written out. Shared by the core groups (relay/config/config.c),
 * [metrics] (relay/config/metrics-config.c) and the development tokens. Pure
 * functions, any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The shortest token= a configuration may hold. */
#define RELAY_CONFIG_TOKEN_MIN_CHARS 8

/* SHA-256 of a token: what the config keeps and compares. */
void relay_config_token_digest (const char *token, guint8 out[32]);
/* A token-sha256 value (64 hexadecimal digits) into its 32 bytes; FALSE
 * for anything else. */
gboolean relay_config_parse_token_sha256 (const char *hex, guint8 out[32]);

G_END_DECLS
