#include "relay/figures/figures-validate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "relay/figures/figures-plausibility.h"
#include "relay/json-input.h"
#include "relay/figures/figures-service.h"

#define MAX_ID_CHARS 64
/* A list of confirmed codes is a handful; its bound keeps it so. */
#define MAX_CONFIRMED_CODES 64
#define MAX_CODE_CHARS 128

typedef struct {
  JsonBuilder *errors;
  guint count;
} Errors;

static void
add_error (Errors *e, const char *field, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static void
add_error (Errors *e, const char *field, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *reason = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  json_builder_begin_object (e->errors);
  json_builder_set_member_name (e->errors, "field");
  if (field)
    json_builder_add_string_value (e->errors, field);
  else
    json_builder_add_null_value (e->errors);
  json_builder_set_member_name (e->errors, "reason");
  json_builder_add_string_value (e->errors, reason);
  json_builder_end_object (e->errors);
  e->count++;
}

void
relay_figures_today (GDate *out)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (7 * 3600);
  g_autoptr (GDateTime) now = g_date_time_new_now (tz);
  g_date_clear (out, 1);
  g_date_set_dmy (out, (GDateDay) g_date_time_get_day_of_month (now),
                  (GDateMonth) g_date_time_get_month (now), (GDateYear) g_date_time_get_year (now));
}

static gboolean
is_string (JsonNode *n)
{
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING;
}

static gboolean
is_number (JsonNode *n)
{
  if (!n || !JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  GType t = json_node_get_value_type (n);
  return t == G_TYPE_INT64 || t == G_TYPE_DOUBLE;
}

static void
check_id (JsonNode *n, Errors *e, RelayFiguresCheck *out)
{
  if (!n)
    return add_error (e, "id", "missing (the client's id of this submission, 1 to 64 characters)");
  if (!is_string (n))
    return add_error (e, "id", "must be a string");
  const char *id = json_node_get_string (n);
  glong chars = g_utf8_strlen (id, -1);
  if (chars < 1 || chars > MAX_ID_CHARS)
    return add_error (e, "id", "must be 1 to %d characters", MAX_ID_CHARS);
  for (const char *p = id; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return add_error (e, "id", "must not contain control characters");
  out->id = g_strdup (id);
}

static void
check_date (JsonNode *n, const GDate *today, Errors *e, RelayFiguresCheck *out)
{
  if (!n)
    return add_error (e, "date", "missing (YYYY-MM-DD)");
  if (!is_string (n))
    return add_error (e, "date", "must be a string YYYY-MM-DD");
  const char *s = json_node_get_string (n);
  guint y, m, d;
  int used = 0;
  if (strlen (s) != 10 || sscanf (s, "%4u-%2u-%2u%n", &y, &m, &d, &used) != 3 || used != 10
      || s[4] != '-' || s[7] != '-' || !g_ascii_isdigit (s[5]) || !g_ascii_isdigit (s[8]))
    return add_error (e, "date", "\"%s\" is not YYYY-MM-DD", s);
  if (!g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return add_error (e, "date", "%s is not a day of the calendar", s);
  GDate date;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  int diff = g_date_days_between (today, &date);
  if (ABS (diff) > RELAY_FIGURES_DATE_WINDOW_DAYS)
    return add_error (e, "date", "%s is more than %d days from today", s,
                      RELAY_FIGURES_DATE_WINDOW_DAYS);
  out->date = g_strdup (s);
}

static gboolean
check_range (const RelayFigureField *f, double v, const char *field, Errors *e)
{
  g_autofree char *unit = f->unit ? g_strconcat (" ", f->unit, NULL) : g_strdup ("");
  if (f->has_min && v < f->min)
    {
      add_error (e, field, "%g is below the minimum %g%s", v, f->min, unit);
      return FALSE;
    }
  if (f->has_max && v > f->max)
    {
      add_error (e, field, "%g is above the maximum %g%s", v, f->max, unit);
      return FALSE;
    }
  return TRUE;
}

/* One value; on success adds it to `b` (member name already set). */
static gboolean
check_value (const RelayFigureField *f, JsonNode *n, const char *field, Errors *e, JsonBuilder *b)
{
  switch (f->type)
    {
    case RELAY_FIGURE_INTEGER:
      {
        if (!is_number (n))
          return add_error (e, field, "must be a whole number"), FALSE;
        double v = json_node_get_double (n);
        /* 12.0 is a whole number; 12.5 and 1e300 are not counts. */
        if (v != floor (v) || fabs (v) > 9007199254740992.0)
          return add_error (e, field, "%g is not a whole number", v), FALSE;
        if (!check_range (f, v, field, e))
          return FALSE;
        json_builder_add_int_value (b, (gint64) v);
        return TRUE;
      }
    case RELAY_FIGURE_DECIMAL:
    case RELAY_FIGURE_PERCENT:
      {
        if (!is_number (n))
          return add_error (e, field, "must be a number"), FALSE;
        double v = json_node_get_double (n);
        if (!isfinite (v) || !check_range (f, v, field, e))
          return FALSE;
        if (json_node_get_value_type (n) == G_TYPE_INT64)
          json_builder_add_int_value (b, json_node_get_int (n));
        else
          json_builder_add_double_value (b, v);
        return TRUE;
      }
    case RELAY_FIGURE_ENUM:
      {
        if (!is_string (n))
          return add_error (e, field, "must be a string"), FALSE;
        const char *v = json_node_get_string (n);
        if (!g_strv_contains ((const char *const *) f->values, v))
          {
            g_autofree char *allowed = g_strjoinv (", ", f->values);
            return add_error (e, field, "\"%s\" is not one of %s", v, allowed), FALSE;
          }
        json_builder_add_string_value (b, v);
        return TRUE;
      }
    case RELAY_FIGURE_TEXT:
      {
        if (!is_string (n))
          return add_error (e, field, "must be a string"), FALSE;
        const char *v = json_node_get_string (n);
        glong chars = g_utf8_strlen (v, -1);
        if ((guint) chars > f->max_length)
          return add_error (e, field, "%ld characters, more than the %u allowed", chars,
                            f->max_length), FALSE;
        json_builder_add_string_value (b, v);
        return TRUE;
      }
    }
  return FALSE;
}

/* The values object when each value passed its field's checks. */
static JsonObject *
check_values (const RelayFiguresSchema *schema, JsonNode *n, Errors *e, RelayFiguresCheck *out)
{
  if (!n)
    return add_error (e, "values", "missing (an object of the figures)"), NULL;
  if (!JSON_NODE_HOLDS_OBJECT (n))
    return add_error (e, "values", "must be an object"), NULL;
  JsonObject *values = json_node_get_object (n);
  guint before = e->count;
  g_autoptr (GList) members = json_object_get_members (values);
  for (GList *l = members; l; l = l->next)
    if (!relay_figures_schema_find (schema, l->data))
      {
        g_autofree char *field = g_strconcat ("values.", (char *) l->data, NULL);
        add_error (e, field, "unknown field");
      }

  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  for (guint i = 0; i < schema->fields->len; i++)
    {
      const RelayFigureField *f = schema->fields->pdata[i];
      g_autofree char *field = g_strconcat ("values.", f->name, NULL);
      JsonNode *v = json_object_get_member (values, f->name);
      /* null is "not reported", the same as leaving the field out. */
      if (!v || JSON_NODE_HOLDS_NULL (v))
        {
          if (f->required)
            add_error (e, field, "required");
          continue;
        }
      json_builder_set_member_name (b, f->name);
      if (!check_value (f, v, field, e, b))
        json_builder_add_null_value (b); /* keeps the builder balanced; discarded */
    }
  json_builder_end_object (b);
  if (e->count != before)
    return NULL;
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  out->values_json = json_to_string (root, FALSE);
  return values;
}

typedef struct {
  gboolean all;
  GPtrArray *codes; /* borrowed from the message */
} Confirmation;

/* "confirm_warnings": true (whatever they are), or the codes the office
 * saw; a code that no longer applies confirms nothing and harms nothing. */
static void
check_confirmation (JsonNode *n, Errors *e, Confirmation *c)
{
  if (!n || JSON_NODE_HOLDS_NULL (n))
    return;
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_BOOLEAN)
    {
      c->all = json_node_get_boolean (n);
      return;
    }
  const char *what = "must be true, false or a list of warning codes";
  if (!JSON_NODE_HOLDS_ARRAY (n))
    return add_error (e, "confirm_warnings", "%s", what);
  JsonArray *a = json_node_get_array (n);
  if (json_array_get_length (a) > MAX_CONFIRMED_CODES)
    return add_error (e, "confirm_warnings", "more than %d codes", MAX_CONFIRMED_CODES);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *code = json_array_get_element (a, i);
      if (!is_string (code) || strlen (json_node_get_string (code)) > MAX_CODE_CHARS)
        return add_error (e, "confirm_warnings", "%s (strings of at most %d bytes)", what,
                          MAX_CODE_CHARS);
      g_ptr_array_add (c->codes, (gpointer) json_node_get_string (code));
    }
}

static gboolean
confirmed (const Confirmation *c, JsonArray *warnings)
{
  if (c->all)
    return TRUE;
  for (guint i = 0; i < json_array_get_length (warnings); i++)
    {
      const char *code = json_object_get_string_member (json_array_get_object_element (warnings, i),
                                                        "code");
      gboolean found = FALSE;
      for (guint k = 0; k < c->codes->len && !found; k++)
        found = strcmp (c->codes->pdata[k], code) == 0;
      if (!found)
        return FALSE;
    }
  return TRUE;
}

/* Hard rules join the errors; warnings are kept for the reply, and refuse
 * the submission (needs_confirmation) when it is otherwise valid and did
 * not confirm them all. */
static void
check_plausibility (const RelayFiguresSchema *schema, JsonObject *values,
                    const Confirmation *confirmation, Errors *e, RelayFiguresCheck *out)
{
  g_autoptr (JsonArray) errors = json_array_new ();
  g_autoptr (JsonArray) warnings = json_array_new ();
  relay_figures_plausibility_check (schema, values, errors, warnings);
  for (guint i = 0; i < json_array_get_length (errors); i++)
    {
      json_builder_add_value (e->errors, json_node_copy (json_array_get_element (errors, i)));
      e->count++;
    }
  if (!json_array_get_length (warnings))
    return;
  out->warnings = json_node_init_array (json_node_alloc (), warnings);
  if (e->count || confirmed (confirmation, warnings))
    return;
  guint n = json_array_get_length (warnings);
  add_error (e, "confirm_warnings",
             "%u warning%s to confirm (see \"warnings\"): check the figures, then send them "
             "again with \"confirm_warnings\": true or the list of the codes confirmed", n,
             n == 1 ? "" : "s");
  out->needs_confirmation = TRUE;
}

static void
refuse (RelayFiguresCheck *out, guint status, const char *field, const char *reason)
{
  Errors e = { json_builder_new (), 0 };
  json_builder_begin_array (e.errors);
  add_error (&e, field, "%s", reason);
  json_builder_end_array (e.errors);
  out->status = status;
  out->errors = json_builder_get_root (e.errors);
  g_object_unref (e.errors);
}

void
relay_figures_validate (const RelayFiguresSchema *schema, const char *message, gsize len,
                        const GDate *today, RelayFiguresCheck *out)
{
  memset (out, 0, sizeof *out);
  if (len > RELAY_REPORT_MAX_BYTES)
    {
      g_autofree char *reason = g_strdup_printf ("%" G_GSIZE_FORMAT " bytes, over the %d allowed",
                                                 len, RELAY_REPORT_MAX_BYTES);
      return refuse (out, 413, NULL, reason);
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = relay_json_parse (message, len, &error);
  if (!root)
    {
      g_autofree char *reason = g_error_matches (error, RELAY_JSON_ERROR, RELAY_JSON_ERROR_SYNTAX)
                                    ? g_strdup_printf ("not JSON: %s", error->message)
                                    : g_strdup (error->message);
      return refuse (out, 400, NULL, reason);
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return refuse (out, 400, NULL, "the message must be a JSON object");
  JsonObject *o = json_node_get_object (root);
  JsonNode *type = json_object_get_member (o, "type");
  if (!is_string (type) || strcmp (json_node_get_string (type), "figures") != 0)
    return refuse (out, 400, "type", "must be \"figures\"");

  GDate now;
  if (!today)
    {
      relay_figures_today (&now);
      today = &now;
    }
  Errors e = { json_builder_new (), 0 };
  json_builder_begin_array (e.errors);
  g_autoptr (GList) members = json_object_get_members (o);
  for (GList *l = members; l; l = l->next)
    {
      const char *name = l->data;
      if (strcmp (name, "type") && strcmp (name, "id") && strcmp (name, "date")
          && strcmp (name, "values") && strcmp (name, "confirm_warnings"))
        add_error (&e, name, "unknown field");
    }
  check_id (json_object_get_member (o, "id"), &e, out);
  check_date (json_object_get_member (o, "date"), today, &e, out);
  g_autoptr (GPtrArray) codes = g_ptr_array_new ();
  Confirmation confirmation = { FALSE, codes };
  check_confirmation (json_object_get_member (o, "confirm_warnings"), &e, &confirmation);
  JsonObject *values = check_values (schema, json_object_get_member (o, "values"), &e, out);
  if (values)
    check_plausibility (schema, values, &confirmation, &e, out);
  json_builder_end_array (e.errors);
  if (e.count)
    {
      out->status = 422;
      out->errors = json_builder_get_root (e.errors);
      g_clear_pointer (&out->values_json, g_free);
    }
  g_object_unref (e.errors);
}

void
relay_figures_check_clear (RelayFiguresCheck *check)
{
  g_clear_pointer (&check->id, g_free);
  g_clear_pointer (&check->date, g_free);
  g_clear_pointer (&check->values_json, g_free);
  g_clear_pointer (&check->errors, json_node_unref);
  g_clear_pointer (&check->warnings, json_node_unref);
  check->needs_confirmation = FALSE;
}
