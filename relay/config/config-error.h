/* The error domain of the configuration: every parser of the config file
 * and of the files it names (relay/config/config.c, the roster, the groups with a
 * parser of their own) sets RELAY_CONFIG_ERROR_INVALID, with a message
 * naming the file, the group and the key. Any thread; no state. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAY_CONFIG_ERROR (relay_config_error_quark ())
GQuark relay_config_error_quark (void);
typedef enum {
  RELAY_CONFIG_ERROR_INVALID,
} RelayConfigError;

G_END_DECLS
