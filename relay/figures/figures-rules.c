#include "relay/figures/figures-rules.h"

#include <math.h>
#include <string.h>

#include "relay/config/config-group.h"

/* Bounds that keep a rule readable and its arithmetic exact enough: a
 * check is one line, a constant is a count, not a float's extreme. */
#define MAX_CHECK_CHARS 256
#define MAX_TERMS_PER_SIDE 16
#define MAX_NAME_CHARS 64
#define MAX_CONSTANT 1e15
#define MAX_MESSAGE_CHARS 500

static const char *const rule_keys[] = { "check", "severity", "field", "message-th", "message-en",
  NULL };
static const char *const op_names[] = { "<=", "<", ">=", ">", "==", "!=" };

const char *
relay_figure_rule_op_name (RelayFigureRuleOp op)
{
  return op_names[op];
}

static void
term_clear (RelayFigureTerm *t)
{
  g_free (t->field);
}

static GArray *
side_new (void)
{
  GArray *side = g_array_new (FALSE, TRUE, sizeof (RelayFigureTerm));
  g_array_set_clear_func (side, (GDestroyNotify) term_clear);
  return side;
}

void
relay_figure_rule_free (RelayFigureRule *rule)
{
  if (!rule)
    return;
  g_free (rule->name);
  g_free (rule->check);
  g_clear_pointer (&rule->left, g_array_unref);
  g_clear_pointer (&rule->right, g_array_unref);
  g_free (rule->field);
  g_free (rule->message_th);
  g_free (rule->message_en);
  g_free (rule->source);
  g_free (rule->group);
  g_free (rule);
}

/* A hand-written scanner over the check, one character at a time: the
 * text only ever becomes numbers, names and one of six comparisons. */
typedef struct {
  const char *text;
  const char *p;
  RelayConfigGroup *r;
} Scanner;

static gboolean
fail_at (Scanner *s, const char *what)
{
  if (*s->p)
    return relay_config_group_fail (s->r, "check", "\"%s\": %s at \"%s\"", s->text, what, s->p);
  return relay_config_group_fail (s->r, "check", "\"%s\": %s at the end", s->text, what);
}

static void
skip_blanks (Scanner *s)
{
  while (*s->p == ' ' || *s->p == '\t')
    s->p++;
}

static gboolean
read_number (Scanner *s, double *out)
{
  const char *start = s->p;
  while (g_ascii_isdigit (*s->p))
    s->p++;
  if (*s->p == '.')
    {
      s->p++;
      if (!g_ascii_isdigit (*s->p))
        return fail_at (s, "a digit must follow the decimal point");
      while (g_ascii_isdigit (*s->p))
        s->p++;
    }
  g_autofree char *digits = g_strndup (start, (gsize) (s->p - start));
  *out = g_ascii_strtod (digits, NULL);
  if (!isfinite (*out) || *out > MAX_CONSTANT)
    {
      s->p = start;
      return fail_at (s, "a number above 10^15");
    }
  return TRUE;
}

static gboolean
read_name (Scanner *s, char **out)
{
  const char *start = s->p;
  if (!g_ascii_islower (*s->p))
    return fail_at (s, "a figure name (lower-case letters, digits and _) expected");
  while (g_ascii_islower (*s->p) || g_ascii_isdigit (*s->p) || *s->p == '_')
    s->p++;
  if (s->p - start > MAX_NAME_CHARS)
    {
      s->p = start;
      return fail_at (s, "a figure name longer than 64 characters");
    }
  if (g_ascii_isupper (*s->p))
    return fail_at (s, "figure names are lower-case");
  *out = g_strndup (start, (gsize) (s->p - start));
  return TRUE;
}

/* term := NUMBER | FIGURE | NUMBER '*' FIGURE */
static gboolean
read_term (Scanner *s, double sign, GArray *side)
{
  RelayFigureTerm t = { sign, NULL };
  skip_blanks (s);
  if (g_ascii_isdigit (*s->p))
    {
      double n = 0;
      if (!read_number (s, &n))
        return FALSE;
      t.factor = sign * n;
      skip_blanks (s);
      if (*s->p == '*')
        {
          s->p++;
          skip_blanks (s);
          if (!read_name (s, &t.field))
            return FALSE;
        }
    }
  else if (g_ascii_islower (*s->p))
    {
      if (!read_name (s, &t.field))
        return FALSE;
      skip_blanks (s);
      if (*s->p == '*')
        {
          g_free (t.field);
          return fail_at (s, "write the number first (2 * name)");
        }
    }
  else
    return fail_at (s, "a figure or a number expected");
  if (side->len == MAX_TERMS_PER_SIDE)
    {
      g_free (t.field);
      return fail_at (s, "more than 16 terms on one side");
    }
  g_array_append_val (side, t);
  return TRUE;
}

/* side := ['-'] term (('+' | '-') term)* */
static gboolean
read_side (Scanner *s, GArray *side)
{
  skip_blanks (s);
  double sign = 1;
  if (*s->p == '-')
    {
      sign = -1;
      s->p++;
    }
  if (!read_term (s, sign, side))
    return FALSE;
  for (;;)
    {
      skip_blanks (s);
      if (*s->p != '+' && *s->p != '-')
        return TRUE;
      sign = *s->p == '-' ? -1 : 1;
      s->p++;
      if (!read_term (s, sign, side))
        return FALSE;
    }
}

static gboolean
read_op (Scanner *s, RelayFigureRuleOp *op)
{
  skip_blanks (s);
  /* Two-character comparisons first, so that "<=" is not read as "<". */
  static const RelayFigureRuleOp order[] = { RELAY_FIGURE_RULE_LE, RELAY_FIGURE_RULE_GE,
    RELAY_FIGURE_RULE_EQ, RELAY_FIGURE_RULE_NE, RELAY_FIGURE_RULE_LT, RELAY_FIGURE_RULE_GT };
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      const char *name = op_names[order[i]];
      if (strncmp (s->p, name, strlen (name)) == 0)
        {
          s->p += strlen (name);
          *op = order[i];
          return TRUE;
        }
    }
  return fail_at (s, "a comparison (<=, <, >=, >, ==, !=) expected");
}

static gboolean
side_has_field (GArray *side, const char *name)
{
  for (guint i = 0; i < side->len; i++)
    {
      const char *field = g_array_index (side, RelayFigureTerm, i).field;
      if (field && (!name || strcmp (field, name) == 0))
        return TRUE;
    }
  return FALSE;
}

static const char *
first_field (RelayFigureRule *rule)
{
  for (guint k = 0; k < 2; k++)
    {
      GArray *side = k ? rule->right : rule->left;
      for (guint i = 0; i < side->len; i++)
        if (g_array_index (side, RelayFigureTerm, i).field)
          return g_array_index (side, RelayFigureTerm, i).field;
    }
  return NULL;
}

static gboolean
read_check (RelayConfigGroup *r, RelayFigureRule *rule)
{
  rule->check = relay_config_group_get_string (r, "check");
  if (!rule->check)
    return relay_config_group_fail (r, "check", "missing (e.g. complaints_resolved <= complaints_received)");
  if (strlen (rule->check) > MAX_CHECK_CHARS)
    return relay_config_group_fail (r, "check", "longer than %d characters", MAX_CHECK_CHARS);
  Scanner s = { rule->check, rule->check, r };
  if (!read_side (&s, rule->left) || !read_op (&s, &rule->op) || !read_side (&s, rule->right))
    return FALSE;
  skip_blanks (&s);
  if (*s.p)
    return fail_at (&s, "+, - or the end expected");
  if (!side_has_field (rule->left, NULL) && !side_has_field (rule->right, NULL))
    return relay_config_group_fail (r, "check", "\"%s\" compares no figure", rule->check);
  return TRUE;
}

static gboolean
read_message (RelayConfigGroup *r, const char *key, const char *language, char **out)
{
  *out = relay_config_group_get_string (r, key);
  if (!*out)
    return relay_config_group_fail (r, key, "missing (what the form shows, in %s)", language);
  if (g_utf8_strlen (*out, -1) > MAX_MESSAGE_CHARS)
    return relay_config_group_fail (r, key, "longer than %d characters", MAX_MESSAGE_CHARS);
  return TRUE;
}

RelayFigureRule *
relay_figure_rule_parse (GKeyFile *kf, const char *source, const char *group, GError **error)
{
  RelayConfigGroup rd = { kf, source, group, error }, *r = &rd;
  if (!relay_config_group_check_keys (r, rule_keys))
    return NULL;
  g_autoptr (RelayFigureRule) rule = g_new0 (RelayFigureRule, 1);
  rule->name = g_strdup (strchr (group, ' ') + 1);
  rule->source = g_strdup (source);
  rule->group = g_strdup (group);
  rule->left = side_new ();
  rule->right = side_new ();
  if (!read_check (r, rule))
    return NULL;

  g_autofree char *severity = relay_config_group_get_string (r, "severity");
  if (!severity)
    return relay_config_group_fail (r, "severity", "missing (error: refused; warning: stored once "
                                    "confirmed)"), NULL;
  if (strcmp (severity, "error") == 0)
    rule->severity = RELAY_FIGURE_RULE_ERROR;
  else if (strcmp (severity, "warning") == 0)
    rule->severity = RELAY_FIGURE_RULE_WARNING;
  else
    return relay_config_group_fail (r, "severity", "\"%s\" is not error or warning", severity),
           NULL;

  rule->field = relay_config_group_get_string (r, "field");
  if (rule->field && !side_has_field (rule->left, rule->field)
      && !side_has_field (rule->right, rule->field))
    return relay_config_group_fail (r, "field", "\"%s\" is not a figure of the check", rule->field),
           NULL;
  if (!rule->field)
    rule->field = g_strdup (first_field (rule));
  if (!read_message (r, "message-th", "Thai", &rule->message_th)
      || !read_message (r, "message-en", "English", &rule->message_en))
    return NULL;
  return g_steal_pointer (&rule);
}

/* FALSE when a figure of the side was not reported. */
static gboolean
side_sum (GArray *side, JsonObject *values, double *out)
{
  double sum = 0;
  for (guint i = 0; i < side->len; i++)
    {
      const RelayFigureTerm *t = &g_array_index (side, RelayFigureTerm, i);
      if (!t->field)
        {
          sum += t->factor;
          continue;
        }
      JsonNode *n = json_object_get_member (values, t->field);
      if (!n || !JSON_NODE_HOLDS_VALUE (n))
        return FALSE;
      GType type = json_node_get_value_type (n);
      if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
        return FALSE;
      sum += t->factor * json_node_get_double (n);
    }
  *out = sum;
  return TRUE;
}

RelayFigureRuleResult
relay_figure_rule_evaluate (const RelayFigureRule *rule, JsonObject *values, double *left,
                            double *right)
{
  double l, r;
  if (!side_sum (rule->left, values, &l) || !side_sum (rule->right, values, &r))
    return RELAY_FIGURE_RULE_SKIPPED;
  *left = l;
  *right = r;
  /* Sums that overflow cannot be shown to hold. */
  if (!isfinite (l) || !isfinite (r))
    return RELAY_FIGURE_RULE_BROKEN;
  /* Decimals added up (0.1 + 0.2) are not exact: a difference within the
   * last digits is equality. */
  double diff = l - r;
  if (fabs (diff) <= 1e-9 * MAX (1.0, MAX (fabs (l), fabs (r))))
    diff = 0;
  gboolean holds = FALSE;
  switch (rule->op)
    {
    case RELAY_FIGURE_RULE_LE:
      holds = diff <= 0;
      break;
    case RELAY_FIGURE_RULE_LT:
      holds = diff < 0;
      break;
    case RELAY_FIGURE_RULE_GE:
      holds = diff >= 0;
      break;
    case RELAY_FIGURE_RULE_GT:
      holds = diff > 0;
      break;
    case RELAY_FIGURE_RULE_EQ:
      holds = diff == 0;
      break;
    case RELAY_FIGURE_RULE_NE:
      holds = diff != 0;
      break;
    }
  return holds ? RELAY_FIGURE_RULE_HOLDS : RELAY_FIGURE_RULE_BROKEN;
}

static void
side_to_json (GArray *side, JsonBuilder *b)
{
  json_builder_begin_array (b);
  for (guint i = 0; i < side->len; i++)
    {
      const RelayFigureTerm *t = &g_array_index (side, RelayFigureTerm, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "factor");
      json_builder_add_double_value (b, t->factor);
      if (t->field)
        {
          json_builder_set_member_name (b, "field");
          json_builder_add_string_value (b, t->field);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

void
relay_figure_rule_to_json (const RelayFigureRule *rule, JsonBuilder *b)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, rule->name);
  json_builder_set_member_name (b, "check");
  json_builder_add_string_value (b, rule->check);
  json_builder_set_member_name (b, "severity");
  json_builder_add_string_value (b, rule->severity == RELAY_FIGURE_RULE_ERROR ? "error" : "warning");
  json_builder_set_member_name (b, "field");
  json_builder_add_string_value (b, rule->field);
  json_builder_set_member_name (b, "message_th");
  json_builder_add_string_value (b, rule->message_th);
  json_builder_set_member_name (b, "message_en");
  json_builder_add_string_value (b, rule->message_en);
  json_builder_set_member_name (b, "left");
  side_to_json (rule->left, b);
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, op_names[rule->op]);
  json_builder_set_member_name (b, "right");
  side_to_json (rule->right, b);
  json_builder_end_object (b);
}
