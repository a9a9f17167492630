/* The figures a province reports each morning, as configured by
 * [figure <name>] groups (config/relay.ini documents the keys), and what
 * makes them plausible: soft bounds per field (warn-min, warn-max) and
 * [figure-rule <name>] groups across fields (figures-rules.h). The order of
 * the figure groups is the order of the form, the CSV columns and the
 * stored JSON. Built at config load on the main thread; read-only after,
 * from any thread. */
#pragma once

#include <glib.h>

#include "relay/figures/figures-rules.h"

G_BEGIN_DECLS

typedef enum {
  RELAY_FIGURE_INTEGER,
  RELAY_FIGURE_DECIMAL,
  RELAY_FIGURE_PERCENT,
  RELAY_FIGURE_ENUM,
  RELAY_FIGURE_TEXT,
} RelayFigureType;

/* How a field adds up over provinces in the national and regional totals. */
typedef enum {
  RELAY_FIGURE_TOTAL_NONE,
  RELAY_FIGURE_TOTAL_SUM,
  RELAY_FIGURE_TOTAL_AVERAGE,
  RELAY_FIGURE_TOTAL_COUNT, /* enum: how many provinces chose each value */
} RelayFigureTotal;

typedef struct {
  char *name;
  char *label_th;
  char *label_en;
  RelayFigureType type;
  char *unit;           /* may be NULL */
  gboolean has_min, has_max;
  double min, max;
  /* Soft bounds: outside them a value is stored only once the office
   * confirms it (warning codes "<name>.warn-min", "<name>.warn-max"). */
  gboolean has_warn_min, has_warn_max;
  double warn_min, warn_max;
  char **values;        /* enum: the allowed values */
  gboolean required;
  guint max_length;     /* text: in characters */
  RelayFigureTotal total;
} RelayFigureField;

typedef struct _RelayFiguresSchema RelayFiguresSchema;
struct _RelayFiguresSchema {
  GPtrArray *fields;     /* RelayFigureField*, config order */
  GHashTable *by_name;   /* name -> RelayFigureField* (borrowed) */
  GPtrArray *rules;      /* RelayFigureRule*, config order */
};

RelayFiguresSchema *relay_figures_schema_new (void);
void relay_figures_schema_free (RelayFiguresSchema *schema);

/* Reads the group "figure <name>" of `kf`. Errors read
 * "<source>: [figure <name>] <key>: <what>" like every config error. */
gboolean relay_figures_schema_add_group (RelayFiguresSchema *schema, GKeyFile *kf,
                                         const char *source, const char *group, GError **error);

/* Reads the group "figure-rule <name>" of `kf` (its figures are checked
 * by relay_figures_schema_finish, when every [figure] group is known). */
gboolean relay_figures_schema_add_rule_group (RelayFiguresSchema *schema, GKeyFile *kf,
                                              const char *source, const char *group,
                                              GError **error);

/* After all groups: a config without any [figure] group gets the embedded
 * default's (config/relay.ini), so a site config need not repeat them, and
 * with them the default's rules unless it has [figure-rule] groups of its
 * own (a site's own figures never get the default's rules). Then every
 * rule's figures must exist and be numbers. */
gboolean relay_figures_schema_finish (RelayFiguresSchema *schema, GError **error);

const RelayFigureField *relay_figures_schema_find (const RelayFiguresSchema *schema,
                                                   const char *name);
const char *relay_figure_type_name (RelayFigureType type);

/* The schema as JSON, for the province page's form (GET /api/v1/figures/schema). */
char *relay_figures_schema_to_json (const RelayFiguresSchema *schema);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayFiguresSchema, relay_figures_schema_free)

G_END_DECLS
