#include "relay/config/config-error.h"

G_DEFINE_QUARK (relay-config-error-quark, relay_config_error)
