/* The roster: the labour offices the relay knows, read from the roster CSV
 * (code,name_th,name_en,region) at config load, and the order in which the
 * operations room sees them. Parsed on the main thread at load; the
 * offices are read-only after, from any thread. The config owns the
 * offices (RelayConfig.provinces); an order array only borrows them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One office on the roster, with its credential from the config. */
typedef struct {
  char *code;    /* ISO 3166-2:TH, e.g. "TH-50" */
  char *name_th;
  char *name_en;
  char *region;
  /* SHA-256 of the token; has_token FALSE when no credential is configured. */
  gboolean has_token;
  guint8 token_sha256[32];
} RelayOfficeConfig;

/* Parses roster CSV (header code,name_th,name_en,region): a GPtrArray of
 * RelayOfficeConfig*, owning them, in the file's order. Errors are
 * RELAY_CONFIG_ERROR (relay/config-error.h) and name `source` and line. */
GPtrArray *relay_roster_parse (const char *data, gsize len, const char *source, GError **error);

void relay_office_config_free (RelayOfficeConfig *province);

/* The offices of `roster` in the order the operations room sees them (the
 * mosaic's tiles, the default agenda): by region then code when
 * `by_region` (the config's [mosaic] order=region), else the roster's own
 * order. Borrowed RelayOfficeConfig*; free the array only. */
GPtrArray *relay_roster_dup_office_order (GPtrArray *roster, gboolean by_region);

G_END_DECLS
