#include "relay/figures/figures-summary.h"

#include <string.h>

#include "relay/figures/figures-store.h"
#include "relay/figures/figures-schema.h"

/* Running total of one field over some provinces. */
typedef struct {
  double sum;
  guint n;
  GHashTable *counts; /* enum value -> count */
} Acc;

typedef struct {
  guint reporting;
  Acc *acc; /* one per schema field */
} Scope;

static Scope *
scope_new (RelayFiguresSchema *schema)
{
  Scope *s = g_new0 (Scope, 1);
  s->acc = g_new0 (Acc, schema->fields->len);
  for (guint i = 0; i < schema->fields->len; i++)
    s->acc[i].counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return s;
}

static void
scope_free (Scope *s, guint n_fields)
{
  for (guint i = 0; i < n_fields; i++)
    g_hash_table_unref (s->acc[i].counts);
  g_free (s->acc);
  g_free (s);
}

static void
scope_add (Scope *s, RelayFiguresSchema *schema, JsonObject *values)
{
  s->reporting++;
  for (guint i = 0; i < schema->fields->len; i++)
    {
      const RelayFigureField *f = schema->fields->pdata[i];
      JsonNode *n = json_object_get_member (values, f->name);
      if (!n || !JSON_NODE_HOLDS_VALUE (n))
        continue;
      Acc *a = &s->acc[i];
      if (f->total == RELAY_FIGURE_TOTAL_COUNT && json_node_get_value_type (n) == G_TYPE_STRING)
        {
          const char *v = json_node_get_string (n);
          guint c = GPOINTER_TO_UINT (g_hash_table_lookup (a->counts, v));
          g_hash_table_replace (a->counts, g_strdup (v), GUINT_TO_POINTER (c + 1));
        }
      else if (f->total == RELAY_FIGURE_TOTAL_SUM || f->total == RELAY_FIGURE_TOTAL_AVERAGE)
        {
          a->sum += json_node_get_double (n);
          a->n++;
        }
    }
}

/* The total of field i, or NULL when it has none (text, total=none, or no
 * province reported it for an average). */
static JsonNode *
acc_value (const RelayFigureField *f, Acc *a)
{
  switch (f->total)
    {
    case RELAY_FIGURE_TOTAL_SUM:
      if (f->type == RELAY_FIGURE_INTEGER)
        return json_node_init_int (json_node_alloc (), (gint64) a->sum);
      return json_node_init_double (json_node_alloc (), a->sum);
    case RELAY_FIGURE_TOTAL_AVERAGE:
      if (!a->n)
        return NULL;
      /* Two decimals: more would pretend a precision the inputs lack. */
      return json_node_init_double (json_node_alloc (),
                                    (double) (gint64) (a->sum / a->n * 100 + 0.5) / 100);
    case RELAY_FIGURE_TOTAL_COUNT:
      {
        JsonObject *o = json_object_new ();
        for (guint k = 0; f->values[k]; k++)
          json_object_set_int_member (
              o, f->values[k], GPOINTER_TO_UINT (g_hash_table_lookup (a->counts, f->values[k])));
        JsonNode *n = json_node_alloc ();
        json_node_init_object (n, o);
        json_object_unref (o);
        return n;
      }
    case RELAY_FIGURE_TOTAL_NONE:
      break;
    }
  return NULL;
}

static JsonNode *
scope_json (Scope *s, RelayFiguresSchema *schema)
{
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "reporting", s->reporting);
  JsonObject *values = json_object_new ();
  for (guint i = 0; i < schema->fields->len; i++)
    {
      const RelayFigureField *f = schema->fields->pdata[i];
      JsonNode *v = acc_value (f, &s->acc[i]);
      if (v)
        json_object_set_member (values, f->name, v);
    }
  json_object_set_object_member (o, "values", values);
  JsonNode *n = json_node_alloc ();
  json_node_init_object (n, o);
  json_object_unref (o);
  return n;
}

typedef struct {
  RelayConfig *config;
  GHashTable *by_province;  /* code -> RelayReportRow* (borrowed) */
  GHashTable *parsed;       /* code -> JsonNode* (object of values) */
  Scope *national;
  GHashTable *regions;      /* region -> Scope* */
} Day;

static void
day_init (Day *d, RelayConfig *config, GPtrArray *latest)
{
  RelayFiguresSchema *schema = config->figures;
  d->config = config;
  d->by_province = g_hash_table_new (g_str_hash, g_str_equal);
  d->parsed = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) json_node_unref);
  d->national = scope_new (schema);
  d->regions = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < latest->len; i++)
    {
      RelayReportRow *row = latest->pdata[i];
      RelayOfficeConfig *p = relay_config_find_province (config, row->province);
      JsonNode *values = json_from_string (row->values_json, NULL);
      /* A province removed from the roster since it reported: not counted. */
      if (!p || !values || !JSON_NODE_HOLDS_OBJECT (values))
        {
          g_clear_pointer (&values, json_node_unref);
          continue;
        }
      g_hash_table_insert (d->by_province, p->code, row);
      g_hash_table_insert (d->parsed, p->code, values);
      scope_add (d->national, schema, json_node_get_object (values));
      Scope *region = g_hash_table_lookup (d->regions, p->region);
      if (!region)
        g_hash_table_insert (d->regions, p->region, region = scope_new (schema));
      scope_add (region, schema, json_node_get_object (values));
    }
}

static void
day_clear (Day *d)
{
  guint n = d->config->figures->fields->len;
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, d->regions);
  while (g_hash_table_iter_next (&it, NULL, &value))
    scope_free (value, n);
  g_hash_table_unref (d->regions);
  scope_free (d->national, n);
  g_hash_table_unref (d->parsed);
  g_hash_table_unref (d->by_province);
}

/* The required fields a province has not given (all of them when it has
 * not reported; some when the schema gained a required field since). */
static JsonArray *
missing_fields (Day *d, RelayOfficeConfig *p)
{
  JsonNode *values = g_hash_table_lookup (d->parsed, p->code);
  JsonArray *missing = json_array_new ();
  for (guint i = 0; i < d->config->figures->fields->len; i++)
    {
      const RelayFigureField *f = d->config->figures->fields->pdata[i];
      if (f->required
          && (!values || !json_object_has_member (json_node_get_object (values), f->name)))
        json_array_add_string_element (missing, f->name);
    }
  return missing;
}

JsonNode *
relay_figures_summary (RelayConfig *config, const char *date, GPtrArray *latest)
{
  Day d;
  day_init (&d, config, latest);
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "date", date);
  JsonArray *provinces = json_array_new ();
  JsonArray *missing = json_array_new ();
  for (guint i = 0; i < config->provinces->len; i++)
    {
      RelayOfficeConfig *p = config->provinces->pdata[i];
      RelayReportRow *row = g_hash_table_lookup (d.by_province, p->code);
      JsonArray *lacking = missing_fields (&d, p);
      if (json_array_get_length (lacking))
        {
          JsonObject *m = json_object_new ();
          json_object_set_string_member (m, "code", p->code);
          json_object_set_string_member (m, "name_th", p->name_th);
          json_object_set_string_member (m, "name_en", p->name_en);
          json_object_set_string_member (m, "region", p->region);
          json_object_set_boolean_member (m, "reported", row != NULL);
          json_object_set_array_member (m, "fields", json_array_ref (lacking));
          json_array_add_object_element (missing, m);
        }
      json_array_unref (lacking);
      if (!row)
        continue;
      JsonObject *e = json_object_new ();
      json_object_set_string_member (e, "code", p->code);
      json_object_set_string_member (e, "name_th", p->name_th);
      json_object_set_string_member (e, "name_en", p->name_en);
      json_object_set_string_member (e, "region", p->region);
      json_object_set_int_member (e, "version", row->version);
      json_object_set_string_member (e, "received_at", row->received_at);
      json_object_set_string_member (e, "channel", row->channel);
      json_object_set_member (e, "values", json_node_copy (g_hash_table_lookup (d.parsed, p->code)));
      json_object_set_member (e, "warnings", relay_figures_warnings_node (row->warnings_json));
      json_array_add_object_element (provinces, e);
    }
  json_object_set_array_member (o, "provinces", provinces);
  JsonObject *totals = json_object_new ();
  json_object_set_member (totals, "national", scope_json (d.national, config->figures));
  JsonObject *regions = json_object_new ();
  g_autoptr (GList) names = g_list_sort (g_hash_table_get_keys (d.regions), (GCompareFunc) strcmp);
  for (GList *l = names; l; l = l->next)
    json_object_set_member (regions, l->data,
                            scope_json (g_hash_table_lookup (d.regions, l->data), config->figures));
  json_object_set_object_member (totals, "regions", regions);
  json_object_set_object_member (o, "totals", totals);
  json_object_set_array_member (o, "missing", missing);
  day_clear (&d);
  JsonNode *root = json_node_alloc ();
  json_node_init_object (root, o);
  json_object_unref (o);
  return root;
}

JsonNode *
relay_figures_warnings_node (const char *warnings_json)
{
  JsonNode *n = warnings_json ? json_from_string (warnings_json, NULL) : NULL;
  if (n && JSON_NODE_HOLDS_ARRAY (n))
    return n;
  g_clear_pointer (&n, json_node_unref);
  n = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (n, json_array_new ());
  return n;
}

/* The codes of the warnings confirmed with a version, space separated
 * ("unemployment_rate.warn-max complaints_resolved_within_received"):
 * a column Excel can filter on; the reasons are in the JSON API. */
static char *
warning_codes (const char *warnings_json)
{
  if (!warnings_json)
    return NULL;
  g_autoptr (JsonNode) n = relay_figures_warnings_node (warnings_json);
  JsonArray *a = json_node_get_array (n);
  g_autoptr (GString) codes = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *w = json_array_get_element (a, i);
      const char *code = JSON_NODE_HOLDS_OBJECT (w)
                             ? json_object_get_string_member_with_default (
                                   json_node_get_object (w), "code", NULL)
                             : NULL;
      if (code)
        g_string_append_printf (codes, "%s%s", codes->len ? " " : "", code);
    }
  return codes->len ? g_string_free (g_steal_pointer (&codes), FALSE) : NULL;
}

static void
csv_field (GString *out, gboolean *first, const char *text)
{
  if (!*first)
    g_string_append_c (out, ',');
  *first = FALSE;
  if (!text)
    return;
  if (!strpbrk (text, ",\"\r\n"))
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* A JSON value as a CSV cell: numbers as JSON writes them, strings bare. */
static char *
cell (JsonNode *n)
{
  if (!n || JSON_NODE_HOLDS_NULL (n))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    {
      /* A province's note is opened in Excel at the ministry: text that
       * would start a formula is kept as text. */
      const char *text = json_node_get_string (n);
      if (strchr ("=+-@\t\r", text[0]) && text[0])
        return g_strconcat ("'", text, NULL);
      return g_strdup (text);
    }
  if (JSON_NODE_HOLDS_OBJECT (n))
    {
      /* An enum's counts: "normal=70 watch=5 urgent=1". */
      g_autoptr (GString) s = g_string_new (NULL);
      JsonObject *o = json_node_get_object (n);
      g_autoptr (GList) members = json_object_get_members (o);
      for (GList *l = members; l; l = l->next)
        g_string_append_printf (s, "%s%s=%" G_GINT64_FORMAT, s->len ? " " : "",
                                (char *) l->data, json_object_get_int_member (o, l->data));
      return g_string_free (g_steal_pointer (&s), FALSE);
    }
  return json_to_string (n, FALSE);
}

static void
csv_totals_row (GString *out, RelayFiguresSchema *schema, const char *date, const char *code,
                const char *name_th, const char *name_en, const char *region, JsonNode *scope,
                const RelayFiguresCsvExtra *extra)
{
  gboolean first = TRUE;
  JsonObject *totals = json_object_get_object_member (json_node_get_object (scope), "values");
  const char *row[] = { date, code, name_th, name_en, region, NULL, NULL };
  for (guint i = 0; i < G_N_ELEMENTS (row); i++)
    csv_field (out, &first, row[i]);
  for (guint i = 0; extra && extra->names[i]; i++)
    csv_field (out, &first, NULL);
  for (guint k = 0; k < schema->fields->len; k++)
    {
      const RelayFigureField *f = schema->fields->pdata[k];
      g_autofree char *text = cell (json_object_get_member (totals, f->name));
      csv_field (out, &first, text);
    }
  csv_field (out, &first, NULL); /* warnings: a total has none */
  g_string_append (out, "\r\n");
}

char *
relay_figures_csv (RelayConfig *config, const char *date, GPtrArray *latest, gsize *len)
{
  return relay_figures_csv_full (config, date, latest, NULL, FALSE, len);
}

char *
relay_figures_csv_full (RelayConfig *config, const char *date, GPtrArray *latest,
                        const RelayFiguresCsvExtra *extra, gboolean regions, gsize *len)
{
  RelayFiguresSchema *schema = config->figures;
  Day d;
  day_init (&d, config, latest);
  GString *out = g_string_new ("\xEF\xBB\xBF");
  gboolean first = TRUE;
  const char *fixed[] = { "date", "province", "name_th", "name_en", "region", "version",
                          "received_at" };
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    csv_field (out, &first, fixed[i]);
  for (guint i = 0; extra && extra->names[i]; i++)
    csv_field (out, &first, extra->names[i]);
  for (guint i = 0; i < schema->fields->len; i++)
    csv_field (out, &first, ((RelayFigureField *) schema->fields->pdata[i])->name);
  /* Last, so that the figures keep their columns for whoever reads them
   * by position. */
  csv_field (out, &first, "warnings");
  g_string_append (out, "\r\n");
  first = TRUE;
  g_autoptr (GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < config->provinces->len; i++)
    {
      RelayOfficeConfig *p = config->provinces->pdata[i];
      RelayReportRow *row = g_hash_table_lookup (d.by_province, p->code);
      JsonNode *values = g_hash_table_lookup (d.parsed, p->code);
      g_autofree char *version = row ? g_strdup_printf ("%" G_GINT64_FORMAT, row->version) : NULL;
      csv_field (out, &first, date);
      csv_field (out, &first, p->code);
      csv_field (out, &first, p->name_th);
      csv_field (out, &first, p->name_en);
      csv_field (out, &first, p->region);
      csv_field (out, &first, version);
      csv_field (out, &first, row ? row->received_at : NULL);
      if (extra)
        {
          g_ptr_array_set_size (cells, 0);
          extra->cells (p->code, cells, extra->user_data);
          for (guint k = 0; extra->names[k]; k++)
            csv_field (out, &first, k < cells->len ? cells->pdata[k] : NULL);
        }
      for (guint k = 0; k < schema->fields->len; k++)
        {
          const RelayFigureField *f = schema->fields->pdata[k];
          g_autofree char *text = values ? cell (json_object_get_member (
                                               json_node_get_object (values), f->name))
                                         : NULL;
          csv_field (out, &first, text);
        }
      g_autofree char *codes = row ? warning_codes (row->warnings_json) : NULL;
      csv_field (out, &first, codes);
      g_string_append (out, "\r\n");
      first = TRUE;
    }
  if (regions)
    {
      /* Every region of the roster, reported or not: a report of the
       * meeting lists them all. */
      for (guint i = 0; i < config->provinces->len; i++)
        {
          RelayOfficeConfig *p = config->provinces->pdata[i];
          if (!g_hash_table_contains (d.regions, p->region))
            g_hash_table_insert (d.regions, p->region, scope_new (schema));
        }
      g_autoptr (GList) names
          = g_list_sort (g_hash_table_get_keys (d.regions), (GCompareFunc) strcmp);
      for (GList *l = names; l; l = l->next)
        {
          g_autoptr (JsonNode) scope
              = scope_json (g_hash_table_lookup (d.regions, l->data), schema);
          g_autofree char *code = g_strconcat ("TH-", (const char *) l->data, NULL);
          csv_totals_row (out, schema, date, code, l->data, l->data, l->data, scope, extra);
        }
    }
  /* National totals: sums, averages for percent (and total=average) fields. */
  g_autoptr (JsonNode) national = scope_json (d.national, schema);
  csv_totals_row (out, schema, date, "TH", "ทั้งประเทศ", "National", "", national, extra);
  day_clear (&d);
  *len = out->len;
  return g_string_free (out, FALSE);
}
