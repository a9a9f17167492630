#include "relay/figures/figures-plausibility.h"

#include <math.h>

/* A figure as the office typed it: whole numbers without ".0", others with
 * what precision they have (never 1e+06 for a million). */
static char *
format_number (double v)
{
  if (v == floor (v) && fabs (v) < 1e15)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) v);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.10g", v));
}

static char *
with_unit (double v, const char *unit)
{
  g_autofree char *n = format_number (v);
  return unit ? g_strconcat (n, " ", unit, NULL) : g_steal_pointer (&n);
}

static void
add_entry (JsonArray *to, const char *code, const char *figure, const char *reason_en,
           const char *reason_th)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "code", code);
  g_autofree char *field = g_strconcat ("values.", figure, NULL);
  json_object_set_string_member (o, "field", field);
  json_object_set_string_member (o, "reason", reason_en);
  json_object_set_string_member (o, "reason_th", reason_th);
  json_array_add_object_element (to, o);
}

static void
check_bounds (const RelayFigureField *f, JsonObject *values, JsonArray *warnings)
{
  JsonNode *n = json_object_get_member (values, f->name);
  if (!n || !JSON_NODE_HOLDS_VALUE (n))
    return;
  double v = json_node_get_double (n);
  g_autofree char *value = with_unit (v, f->unit);
  if (f->has_warn_min && v < f->warn_min)
    {
      g_autofree char *code = g_strconcat (f->name, ".warn-min", NULL);
      g_autofree char *bound = with_unit (f->warn_min, f->unit);
      g_autofree char *en = g_strdup_printf ("%s is unusually low (expected at least %s): check "
                                             "it, or confirm it is right", value, bound);
      g_autofree char *th = g_strdup_printf ("%s ต่ำผิดปกติ (ปกติไม่ต่ำกว่า %s) กรุณาตรวจสอบ "
                                             "หรือยืนยันว่าถูกต้อง", value, bound);
      add_entry (warnings, code, f->name, en, th);
    }
  if (f->has_warn_max && v > f->warn_max)
    {
      g_autofree char *code = g_strconcat (f->name, ".warn-max", NULL);
      g_autofree char *bound = with_unit (f->warn_max, f->unit);
      g_autofree char *en = g_strdup_printf ("%s is unusually high (expected at most %s): check "
                                             "it, or confirm it is right", value, bound);
      g_autofree char *th = g_strdup_printf ("%s สูงผิดปกติ (ปกติไม่เกิน %s) กรุณาตรวจสอบ "
                                             "หรือยืนยันว่าถูกต้อง", value, bound);
      add_entry (warnings, code, f->name, en, th);
    }
}

/* The rule's message and, in figures both languages read, how the two
 * sides actually compare: "... (12 > 7)". */
static void
check_rule (const RelayFigureRule *rule, JsonObject *values, JsonArray *errors,
            JsonArray *warnings)
{
  double left, right;
  if (relay_figure_rule_evaluate (rule, values, &left, &right) != RELAY_FIGURE_RULE_BROKEN)
    return;
  const char *relation = left > right ? ">" : left < right ? "<" : "=";
  g_autofree char *l = format_number (left);
  g_autofree char *r = format_number (right);
  g_autofree char *en = g_strdup_printf ("%s (%s %s %s)", rule->message_en, l, relation, r);
  g_autofree char *th = g_strdup_printf ("%s (%s %s %s)", rule->message_th, l, relation, r);
  add_entry (rule->severity == RELAY_FIGURE_RULE_ERROR ? errors : warnings, rule->name,
             rule->field, en, th);
}

void
relay_figures_plausibility_check (const RelayFiguresSchema *schema, JsonObject *values,
                                  JsonArray *errors, JsonArray *warnings)
{
  for (guint i = 0; i < schema->fields->len; i++)
    {
      const RelayFigureField *f = schema->fields->pdata[i];
      if (f->has_warn_min || f->has_warn_max)
        check_bounds (f, values, warnings);
    }
  for (guint i = 0; i < schema->rules->len; i++)
    check_rule (schema->rules->pdata[i], values, errors, warnings);
}
