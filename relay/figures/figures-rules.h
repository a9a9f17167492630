/* Cross-field rules of the figures schema, one [figure-rule <name>] group
 * each (config/relay.ini documents the keys). A rule's `check` compares two
 * sums of terms, each a number, a figure, or a number times a figure:
 *
 *   complaints_resolved <= complaints_received
 *   job_placements <= 2 * job_seekers + 10
 *
 * That grammar is all there is: nothing from the config is evaluated as
 * code. Parsed at config load (the field names are checked against the
 * schema afterwards, by figures-schema.c, once every [figure] group is
 * read); immutable after load, read from any thread. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  RELAY_FIGURE_RULE_ERROR,   /* broken: the submission is refused */
  RELAY_FIGURE_RULE_WARNING, /* broken: stored only once the office confirms */
} RelayFigureRuleSeverity;

typedef enum {
  RELAY_FIGURE_RULE_LE,
  RELAY_FIGURE_RULE_LT,
  RELAY_FIGURE_RULE_GE,
  RELAY_FIGURE_RULE_GT,
  RELAY_FIGURE_RULE_EQ,
  RELAY_FIGURE_RULE_NE,
} RelayFigureRuleOp;

typedef struct {
  double factor;
  char *field; /* NULL: the constant `factor` */
} RelayFigureTerm;

typedef struct {
  char *name;
  char *check;            /* as written */
  GArray *left, *right;   /* RelayFigureTerm; the sides' sums */
  RelayFigureRuleOp op;
  RelayFigureRuleSeverity severity;
  char *field;            /* the figure the message goes beside */
  char *message_th, *message_en;
  char *source, *group;   /* where it was read, for errors found later */
} RelayFigureRule;

typedef enum {
  RELAY_FIGURE_RULE_HOLDS,
  RELAY_FIGURE_RULE_BROKEN,
  RELAY_FIGURE_RULE_SKIPPED, /* a figure of the check was not reported */
} RelayFigureRuleResult;

/* Reads the group "figure-rule <name>" of `kf`; errors read
 * "<source>: [figure-rule <name>] <key>: <what>". */
RelayFigureRule *relay_figure_rule_parse (GKeyFile *kf, const char *source, const char *group,
                                          GError **error);
void relay_figure_rule_free (RelayFigureRule *rule);

/* `values`: the submission's values, each already valid for its field.
 * The sides' sums in *left and *right (when not skipped). */
RelayFigureRuleResult relay_figure_rule_evaluate (const RelayFigureRule *rule, JsonObject *values,
                                                  double *left, double *right);

const char *relay_figure_rule_op_name (RelayFigureRuleOp op);

/* The rule as a JSON object for GET /api/v1/figures/schema: the form
 * evaluates the same terms before it sends. */
void relay_figure_rule_to_json (const RelayFigureRule *rule, JsonBuilder *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayFigureRule, relay_figure_rule_free)

G_END_DECLS
