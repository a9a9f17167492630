/* Reading one key-file group of the configuration that has a parser of its
 * own ([figure NAME], [webhook NAME]): errors name the file, the group and
 * the key, as relay/config/config.c does for the core groups. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  GKeyFile *kf;
  const char *source;
  const char *group;
  GError **error;
} RelayConfigGroup;

/* Sets "<source>: [<group>] <key>: <what>" (key NULL: the group itself) and
 * returns FALSE. */
gboolean relay_config_group_fail (RelayConfigGroup *g, const char *key, const char *fmt, ...)
    G_GNUC_PRINTF (3, 4);

/* The value stripped of blanks; NULL when absent or empty. */
char *relay_config_group_get_string (RelayConfigGroup *g, const char *key);

/* An unsigned whole number from min to max, left as it is when absent;
 * FALSE after failing on anything else. */
gboolean relay_config_group_get_uint (RelayConfigGroup *g, const char *key, guint min, guint max,
                                      guint *out);
/* true or false, left as it is when absent. */
gboolean relay_config_group_get_boolean (RelayConfigGroup *g, const char *key, gboolean *out);

/* FALSE (after failing on the first one) when the group has a key not in
 * `allowed`: a typo is worth stopping for. */
gboolean relay_config_group_check_keys (RelayConfigGroup *g, const char *const *allowed);

G_END_DECLS
