#include "relay/figures/figures-schema.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "config/briefing-resources.h"
#include "relay/config/config-group.h"

#define EMBEDDED_CONFIG "/briefing/config/relay.ini"
#define DEFAULT_TEXT_LENGTH 1000

static const char *const figure_keys[] = { "label-th", "label-en", "type", "unit", "min", "max",
  "warn-min", "warn-max", "values", "required", "max-length", "total", NULL };
static const char *const type_names[] = { "integer", "decimal", "percent", "enum", "text" };

static gboolean
get_number (RelayConfigGroup *r, const char *key, gboolean *has, double *out)
{
  g_autofree char *value = relay_config_group_get_string (r, key);
  if (!value)
    return TRUE;
  char *end;
  double d = g_ascii_strtod (value, &end);
  if (*end || !isfinite (d))
    return relay_config_group_fail (r, key, "\"%s\" is not a number", value);
  *has = TRUE;
  *out = d;
  return TRUE;
}

static void
field_free (RelayFigureField *f)
{
  g_free (f->name);
  g_free (f->label_th);
  g_free (f->label_en);
  g_free (f->unit);
  g_strfreev (f->values);
  g_free (f);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayFigureField, field_free)

RelayFiguresSchema *
relay_figures_schema_new (void)
{
  RelayFiguresSchema *s = g_new0 (RelayFiguresSchema, 1);
  s->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) field_free);
  s->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  s->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) relay_figure_rule_free);
  return s;
}

void
relay_figures_schema_free (RelayFiguresSchema *s)
{
  if (!s)
    return;
  g_hash_table_unref (s->by_name);
  g_ptr_array_unref (s->fields);
  g_ptr_array_unref (s->rules);
  g_free (s);
}

const char *
relay_figure_type_name (RelayFigureType type)
{
  return type_names[type];
}

const RelayFigureField *
relay_figures_schema_find (const RelayFiguresSchema *s, const char *name)
{
  return g_hash_table_lookup (s->by_name, name);
}

/* Field names become JSON members, CSV headers and form ids: keep them
 * plain so that none of those needs quoting. */
static gboolean
valid_name (const char *name)
{
  if (!g_ascii_islower (*name) || strlen (name) > 64)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

static gboolean
read_type (RelayConfigGroup *r, RelayFigureField *f)
{
  g_autofree char *type = relay_config_group_get_string (r, "type");
  if (!type)
    return relay_config_group_fail (r, "type", "missing (integer, decimal, percent, enum or text)");
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    if (strcmp (type, type_names[i]) == 0)
      {
        f->type = (RelayFigureType) i;
        return TRUE;
      }
  return relay_config_group_fail (r, "type", "\"%s\" is not integer, decimal, percent, enum or text", type);
}

/* Soft bounds lie within the hard ones: outside them they would never
 * be reached, since the value is refused first. */
static gboolean
read_warn_limits (RelayConfigGroup *r, RelayFigureField *f)
{
  if (!get_number (r, "warn-min", &f->has_warn_min, &f->warn_min)
      || !get_number (r, "warn-max", &f->has_warn_max, &f->warn_max))
    return FALSE;
  if (f->has_warn_min && f->has_min && f->warn_min < f->min)
    return relay_config_group_fail (r, "warn-min", "warn-min %g is below min %g", f->warn_min,
                                    f->min);
  if (f->has_warn_min && f->has_max && f->warn_min > f->max)
    return relay_config_group_fail (r, "warn-min", "warn-min %g is above max %g", f->warn_min,
                                    f->max);
  if (f->has_warn_max && f->has_max && f->warn_max > f->max)
    return relay_config_group_fail (r, "warn-max", "warn-max %g is above max %g", f->warn_max,
                                    f->max);
  if (f->has_warn_max && f->has_min && f->warn_max < f->min)
    return relay_config_group_fail (r, "warn-max", "warn-max %g is below min %g", f->warn_max,
                                    f->min);
  if (f->has_warn_min && f->has_warn_max && f->warn_min > f->warn_max)
    return relay_config_group_fail (r, "warn-max", "warn-max %g is below warn-min %g",
                                    f->warn_max, f->warn_min);
  return TRUE;
}

static gboolean
read_limits (RelayConfigGroup *r, RelayFigureField *f)
{
  gboolean numeric = f->type <= RELAY_FIGURE_PERCENT;
  static const char *const numeric_keys[] = { "min", "max", "warn-min", "warn-max" };
  for (guint i = 0; i < G_N_ELEMENTS (numeric_keys); i++)
    {
      const char *key = numeric_keys[i];
      if (!numeric && g_key_file_has_key (r->kf, r->group, key, NULL))
        return relay_config_group_fail (r, key, "only integer, decimal and percent fields have a %s", key);
    }
  if (!numeric)
    return TRUE;
  if (!get_number (r, "min", &f->has_min, &f->min) || !get_number (r, "max", &f->has_max, &f->max))
    return FALSE;
  if (f->type == RELAY_FIGURE_PERCENT)
    {
      /* A percentage is 0..100 whatever the config says; min/max may narrow it. */
      if ((f->has_min && (f->min < 0 || f->min > 100)))
        return relay_config_group_fail (r, "min", "a percent field's min is from 0 to 100");
      if ((f->has_max && (f->max < 0 || f->max > 100)))
        return relay_config_group_fail (r, "max", "a percent field's max is from 0 to 100");
      if (!f->has_min)
        f->min = 0;
      if (!f->has_max)
        f->max = 100;
      f->has_min = f->has_max = TRUE;
    }
  if (f->type == RELAY_FIGURE_INTEGER)
    {
      if (f->has_min && f->min != floor (f->min))
        return relay_config_group_fail (r, "min", "an integer field's min is a whole number");
      if (f->has_max && f->max != floor (f->max))
        return relay_config_group_fail (r, "max", "an integer field's max is a whole number");
    }
  if (f->has_min && f->has_max && f->min > f->max)
    return relay_config_group_fail (r, "max", "max %g is below min %g", f->max, f->min);
  return read_warn_limits (r, f);
}

static gboolean
read_enum_and_text (RelayConfigGroup *r, RelayFigureField *f)
{
  gboolean has_values = g_key_file_has_key (r->kf, r->group, "values", NULL);
  if (f->type != RELAY_FIGURE_ENUM && has_values)
    return relay_config_group_fail (r, "values", "only enum fields have values");
  if (f->type == RELAY_FIGURE_ENUM)
    {
      g_autofree char *list = relay_config_group_get_string (r, "values");
      if (!list)
        return relay_config_group_fail (r, "values", "missing (the allowed values, comma separated)");
      g_auto (GStrv) parts = g_strsplit (list, ",", -1);
      g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; parts[i]; i++)
        {
          g_strstrip (parts[i]);
          if (!*parts[i])
            return relay_config_group_fail (r, "values", "an empty value in \"%s\"", list);
          for (guint k = 0; k < out->len; k++)
            if (strcmp (out->pdata[k], parts[i]) == 0)
              return relay_config_group_fail (r, "values", "\"%s\" listed twice", parts[i]);
          g_ptr_array_add (out, g_strdup (parts[i]));
        }
      g_ptr_array_add (out, NULL);
      f->values = (char **) g_ptr_array_steal (out, NULL);
    }
  gboolean has_length = g_key_file_has_key (r->kf, r->group, "max-length", NULL);
  if (f->type != RELAY_FIGURE_TEXT && has_length)
    return relay_config_group_fail (r, "max-length", "only text fields have a max-length");
  if (f->type == RELAY_FIGURE_TEXT)
    {
      f->max_length = DEFAULT_TEXT_LENGTH;
      g_autofree char *len = relay_config_group_get_string (r, "max-length");
      guint64 n;
      if (len && !g_ascii_string_to_unsigned (len, 10, 1, 8000, &n, NULL))
        return relay_config_group_fail (r, "max-length", "\"%s\" is not a whole number from 1 to 8000", len);
      if (len)
        f->max_length = (guint) n;
    }
  return TRUE;
}

static gboolean
read_total (RelayConfigGroup *r, RelayFigureField *f)
{
  switch (f->type)
    {
    case RELAY_FIGURE_INTEGER:
    case RELAY_FIGURE_DECIMAL:
      f->total = RELAY_FIGURE_TOTAL_SUM;
      break;
    case RELAY_FIGURE_PERCENT:
      f->total = RELAY_FIGURE_TOTAL_AVERAGE;
      break;
    case RELAY_FIGURE_ENUM:
      f->total = RELAY_FIGURE_TOTAL_COUNT;
      break;
    case RELAY_FIGURE_TEXT:
      f->total = RELAY_FIGURE_TOTAL_NONE;
      break;
    }
  g_autofree char *total = relay_config_group_get_string (r, "total");
  if (!total)
    return TRUE;
  if (f->type > RELAY_FIGURE_PERCENT)
    return relay_config_group_fail (r, "total", "only integer, decimal and percent fields have a total");
  if (strcmp (total, "sum") == 0)
    f->total = RELAY_FIGURE_TOTAL_SUM;
  else if (strcmp (total, "average") == 0)
    f->total = RELAY_FIGURE_TOTAL_AVERAGE;
  else if (strcmp (total, "none") == 0)
    f->total = RELAY_FIGURE_TOTAL_NONE;
  else
    return relay_config_group_fail (r, "total", "\"%s\" is not sum, average or none", total);
  return TRUE;
}

gboolean
relay_figures_schema_add_group (RelayFiguresSchema *schema, GKeyFile *kf, const char *source,
                                const char *group, GError **error)
{
  RelayConfigGroup rd = { kf, source, group, error }, *r = &rd;
  const char *name = group + strlen ("figure ");
  if (!valid_name (name))
    return relay_config_group_fail (r, NULL, "a figure name is lower-case letters, digits and _ (up to 64), "
                 "starting with a letter");
  if (g_hash_table_contains (schema->by_name, name))
    return relay_config_group_fail (r, NULL, "figure %s is defined twice", name);
  if (!relay_config_group_check_keys (r, figure_keys))
    return FALSE;

  g_autoptr (RelayFigureField) f = g_new0 (RelayFigureField, 1);
  f->name = g_strdup (name);
  f->label_th = relay_config_group_get_string (r, "label-th");
  f->label_en = relay_config_group_get_string (r, "label-en");
  if (!f->label_th)
    return relay_config_group_fail (r, "label-th", "missing (the Thai label of the form)");
  if (!f->label_en)
    return relay_config_group_fail (r, "label-en", "missing (the English label of the form)");
  f->unit = relay_config_group_get_string (r, "unit");
  if (!read_type (r, f) || !read_limits (r, f) || !read_enum_and_text (r, f) || !read_total (r, f))
    return FALSE;
  g_autofree char *required = relay_config_group_get_string (r, "required");
  if (required && strcmp (required, "true") == 0)
    f->required = TRUE;
  else if (required && strcmp (required, "false") != 0)
    return relay_config_group_fail (r, "required", "\"%s\" is not true or false", required);

  g_hash_table_insert (schema->by_name, f->name, f);
  g_ptr_array_add (schema->fields, g_steal_pointer (&f));
  return TRUE;
}

gboolean
relay_figures_schema_add_rule_group (RelayFiguresSchema *schema, GKeyFile *kf, const char *source,
                                     const char *group, GError **error)
{
  RelayConfigGroup r = { kf, source, group, error };
  const char *name = group + strlen ("figure-rule ");
  /* The name is the warning's code the office confirms: plain, like a
   * figure's, and never containing the "." of "<figure>.warn-max". */
  if (!valid_name (name))
    return relay_config_group_fail (&r, NULL, "a rule name is lower-case letters, digits and _ "
                                    "(up to 64), starting with a letter");
  for (guint i = 0; i < schema->rules->len; i++)
    if (strcmp (((RelayFigureRule *) schema->rules->pdata[i])->name, name) == 0)
      return relay_config_group_fail (&r, NULL, "rule %s is defined twice", name);
  RelayFigureRule *rule = relay_figure_rule_parse (kf, source, group, error);
  if (!rule)
    return FALSE;
  g_ptr_array_add (schema->rules, rule);
  return TRUE;
}

static gboolean
check_rule_side (const RelayFiguresSchema *schema, const RelayFigureRule *rule, GArray *side,
                 GError **error)
{
  RelayConfigGroup r = { NULL, rule->source, rule->group, error };
  for (guint i = 0; i < side->len; i++)
    {
      const char *name = g_array_index (side, RelayFigureTerm, i).field;
      if (!name)
        continue;
      const RelayFigureField *f = relay_figures_schema_find (schema, name);
      if (!f)
        return relay_config_group_fail (&r, "check", "\"%s\": there is no [figure %s]",
                                        rule->check, name);
      if (f->type > RELAY_FIGURE_PERCENT)
        return relay_config_group_fail (&r, "check", "\"%s\": %s is a%s field, not a number",
                                        rule->check, name, f->type == RELAY_FIGURE_ENUM
                                        ? "n enum" : " text");
    }
  return TRUE;
}

/* The [figure] and [figure-rule] groups of the embedded default. */
static gboolean
add_embedded (RelayFiguresSchema *schema, gboolean rules, GError **error)
{
  g_autoptr (GBytes) bytes = g_resource_lookup_data (briefing_get_resource (), EMBEDDED_CONFIG,
                                                     0, error);
  if (!bytes)
    return FALSE;
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  if (!g_key_file_load_from_data (kf, data, len, G_KEY_FILE_NONE, error))
    return FALSE;
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i]; i++)
    {
      if (g_str_has_prefix (groups[i], "figure ")
          && !relay_figures_schema_add_group (schema, kf, "<embedded>", groups[i], error))
        return FALSE;
      if (rules && g_str_has_prefix (groups[i], "figure-rule ")
          && !relay_figures_schema_add_rule_group (schema, kf, "<embedded>", groups[i], error))
        return FALSE;
    }
  return TRUE;
}

gboolean
relay_figures_schema_finish (RelayFiguresSchema *schema, GError **error)
{
  if (schema->fields->len == 0 && !add_embedded (schema, schema->rules->len == 0, error))
    return FALSE;
  for (guint i = 0; i < schema->rules->len; i++)
    {
      const RelayFigureRule *rule = schema->rules->pdata[i];
      if (!check_rule_side (schema, rule, rule->left, error)
          || !check_rule_side (schema, rule, rule->right, error))
        return FALSE;
    }
  return TRUE;
}

char *
relay_figures_schema_to_json (const RelayFiguresSchema *schema)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "fields");
  json_builder_begin_array (b);
  for (guint i = 0; i < schema->fields->len; i++)
    {
      const RelayFigureField *f = schema->fields->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, f->name);
      json_builder_set_member_name (b, "label_th");
      json_builder_add_string_value (b, f->label_th);
      json_builder_set_member_name (b, "label_en");
      json_builder_add_string_value (b, f->label_en);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, type_names[f->type]);
      json_builder_set_member_name (b, "required");
      json_builder_add_boolean_value (b, f->required);
      if (f->unit)
        {
          json_builder_set_member_name (b, "unit");
          json_builder_add_string_value (b, f->unit);
        }
      if (f->has_min)
        {
          json_builder_set_member_name (b, "min");
          json_builder_add_double_value (b, f->min);
        }
      if (f->has_max)
        {
          json_builder_set_member_name (b, "max");
          json_builder_add_double_value (b, f->max);
        }
      if (f->has_warn_min)
        {
          json_builder_set_member_name (b, "warn_min");
          json_builder_add_double_value (b, f->warn_min);
        }
      if (f->has_warn_max)
        {
          json_builder_set_member_name (b, "warn_max");
          json_builder_add_double_value (b, f->warn_max);
        }
      if (f->values)
        {
          json_builder_set_member_name (b, "values");
          json_builder_begin_array (b);
          for (guint k = 0; f->values[k]; k++)
            json_builder_add_string_value (b, f->values[k]);
          json_builder_end_array (b);
        }
      if (f->type == RELAY_FIGURE_TEXT)
        {
          json_builder_set_member_name (b, "max_length");
          json_builder_add_int_value (b, f->max_length);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "rules");
  json_builder_begin_array (b);
  for (guint i = 0; i < schema->rules->len; i++)
    relay_figure_rule_to_json (schema->rules->pdata[i], b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}
