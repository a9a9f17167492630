/* The figures schema from config: the shipped default, and every kind of
 * mistake named by file, group and key. */
#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "relay/config/config.h"
#include "relay/figures/figures-schema.h"

static RelayConfig *
load (const char *figures, GError **error)
{
  g_autofree char *text = g_strconcat ("[relay]\nhttp-port=0\n", figures, NULL);
  return relay_config_load_data (text, strlen (text), "test.ini", NULL, error);
}

static void
test_default (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) c = load ("", &error);
  g_assert_no_error (error);
  RelayFiguresSchema *s = c->figures;
  g_assert_cmpuint (s->fields->len, ==, 14);
  const RelayFigureField *status = relay_figures_schema_find (s, "overall_status");
  g_assert_nonnull (status);
  g_assert_cmpint (status->type, ==, RELAY_FIGURE_ENUM);
  g_assert_cmpuint (g_strv_length (status->values), ==, 3);
  g_assert_true (status->required);
  const RelayFigureField *rate = relay_figures_schema_find (s, "unemployment_rate");
  g_assert_cmpint (rate->type, ==, RELAY_FIGURE_PERCENT);
  g_assert_cmpfloat (rate->min, ==, 0);
  g_assert_cmpfloat (rate->max, ==, 100);
  g_assert_cmpint (rate->total, ==, RELAY_FIGURE_TOTAL_AVERAGE);
  const RelayFigureField *note = relay_figures_schema_find (s, "note");
  g_assert_cmpint (note->type, ==, RELAY_FIGURE_TEXT);
  g_assert_false (note->required);
  g_assert_cmpstr (((RelayFigureField *) s->fields->pdata[0])->name, ==, "job_seekers");
  g_assert_cmpstr (((RelayFigureField *) s->fields->pdata[0])->label_th, ==, "ผู้สมัครงานที่ลงทะเบียน");
}

static void
test_site_schema_replaces_default (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) c = load ("[figure a]\nlabel-th=ก\nlabel-en=A\ntype=integer\nmin=0\n"
                                    "[figure b]\nlabel-th=ข\nlabel-en=B\ntype=text\nmax-length=5\n",
                                    &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c->figures->fields->len, ==, 2);
  const RelayFigureField *b = relay_figures_schema_find (c->figures, "b");
  g_assert_cmpuint (b->max_length, ==, 5);
  g_assert_null (relay_figures_schema_find (c->figures, "note"));
}

#define OK_FIELD "label-th=ก\nlabel-en=A\n"

static void
test_errors (void)
{
  struct {
    const char *ini, *message;
  } cases[] = {
    { "[figure x]\n" OK_FIELD "type=integer\ncolour=red\n", "test.ini: [figure x] colour: unknown key" },
    { "[figure x]\n" OK_FIELD, "test.ini: [figure x] type: missing" },
    { "[figure x]\n" OK_FIELD "type=number\n", "test.ini: [figure x] type: \"number\" is not" },
    { "[figure x]\nlabel-en=A\ntype=integer\n", "test.ini: [figure x] label-th: missing" },
    { "[figure x]\nlabel-th=ก\ntype=integer\n", "test.ini: [figure x] label-en: missing" },
    { "[figure x]\n" OK_FIELD "type=integer\nmin=ten\n", "test.ini: [figure x] min: \"ten\" is not a number" },
    { "[figure x]\n" OK_FIELD "type=integer\nmin=5\nmax=1\n", "test.ini: [figure x] max: max 1 is below min 5" },
    { "[figure x]\n" OK_FIELD "type=integer\nmax=1.5\n", "test.ini: [figure x] max: an integer field's max" },
    { "[figure x]\n" OK_FIELD "type=percent\nmax=150\n", "test.ini: [figure x] max: a percent field's max" },
    { "[figure x]\n" OK_FIELD "type=text\nmin=0\n", "test.ini: [figure x] min: only integer" },
    { "[figure x]\n" OK_FIELD "type=enum\n", "test.ini: [figure x] values: missing" },
    { "[figure x]\n" OK_FIELD "type=enum\nvalues=a,,b\n", "test.ini: [figure x] values: an empty value" },
    { "[figure x]\n" OK_FIELD "type=enum\nvalues=a,b,a\n", "test.ini: [figure x] values: \"a\" listed twice" },
    { "[figure x]\n" OK_FIELD "type=integer\nvalues=a\n", "test.ini: [figure x] values: only enum" },
    { "[figure x]\n" OK_FIELD "type=text\nmax-length=0\n", "test.ini: [figure x] max-length: \"0\" is not" },
    { "[figure x]\n" OK_FIELD "type=integer\nmax-length=5\n", "test.ini: [figure x] max-length: only text" },
    { "[figure x]\n" OK_FIELD "type=integer\nrequired=yes\n", "test.ini: [figure x] required: \"yes\" is not true or false" },
    { "[figure x]\n" OK_FIELD "type=integer\ntotal=max\n", "test.ini: [figure x] total: \"max\" is not" },
    { "[figure x]\n" OK_FIELD "type=enum\nvalues=a\ntotal=sum\n", "test.ini: [figure x] total: only integer" },
    { "[figure Bad-Name]\n" OK_FIELD "type=integer\n", "test.ini: [figure Bad-Name]: a figure name is" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (RelayConfig) c = load (cases[i].ini, &error);
      g_assert_null (c);
      g_assert_nonnull (error);
      if (!g_str_has_prefix (error->message, cases[i].message))
        g_error ("case %u: expected \"%s...\", got \"%s\"", i, cases[i].message, error->message);
    }
}

static void
test_schema_json (void)
{
  g_autoptr (RelayConfig) c = load ("", NULL);
  g_autofree char *json = relay_figures_schema_to_json (c->figures);
  g_assert_nonnull (strstr (json, "\"name\":\"overall_status\""));
  g_assert_nonnull (strstr (json, "\"values\":[\"normal\",\"watch\",\"urgent\"]"));
  g_assert_nonnull (strstr (json, "\"label_en\":\"Note\""));
}

/* The shipped plausibility: soft bounds and the complaints rule. */
static void
test_default_plausibility (void)
{
  g_autoptr (RelayConfig) c = load ("", NULL);
  const RelayFigureField *rate = relay_figures_schema_find (c->figures, "unemployment_rate");
  g_assert_true (rate->has_warn_max);
  g_assert_cmpfloat (rate->warn_max, ==, 10);
  g_assert_false (rate->has_warn_min);
  const RelayFigureField *inflation = relay_figures_schema_find (c->figures, "inflation");
  g_assert_true (inflation->has_warn_min && inflation->has_warn_max);
  g_assert_cmpuint (c->figures->rules->len, >=, 1);
  const RelayFigureRule *rule = NULL;
  for (guint i = 0; i < c->figures->rules->len; i++)
    if (strcmp (((RelayFigureRule *) c->figures->rules->pdata[i])->name,
                "complaints_resolved_within_received") == 0)
      rule = c->figures->rules->pdata[i];
  g_assert_nonnull (rule);
  g_assert_cmpint (rule->severity, ==, RELAY_FIGURE_RULE_WARNING);
  g_assert_cmpint (rule->op, ==, RELAY_FIGURE_RULE_LE);
  g_assert_cmpstr (rule->field, ==, "complaints_resolved");
  g_assert_cmpuint (rule->left->len, ==, 1);
  g_assert_cmpstr (g_array_index (rule->left, RelayFigureTerm, 0).field, ==, "complaints_resolved");
  g_assert_cmpstr (g_array_index (rule->right, RelayFigureTerm, 0).field, ==, "complaints_received");
  g_assert_nonnull (rule->message_th);
  g_assert_nonnull (rule->message_en);
}

#define FIGURES                                                                          \
  "[figure a]\nlabel-th=ก\nlabel-en=A\ntype=integer\nmin=0\nmax=100\n"                      \
  "[figure b]\nlabel-th=ข\nlabel-en=B\ntype=decimal\n"                                     \
  "[figure s]\nlabel-th=ค\nlabel-en=S\ntype=enum\nvalues=x,y\n"
#define RULE(check) "[figure-rule r]\ncheck=" check "\nseverity=warning\nmessage-th=ต\nmessage-en=T\n"

static void
test_rules (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelayConfig) c = load (FIGURES RULE ("-a + 2.5 * b - 3 >= 10 - b")
                                    "[figure-rule hard]\ncheck=a<b\nseverity=error\nfield=b\n"
                                    "message-th=ต\nmessage-en=T\n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c->figures->rules->len, ==, 2);
  const RelayFigureRule *r = c->figures->rules->pdata[0];
  g_assert_cmpstr (r->name, ==, "r");
  g_assert_cmpint (r->op, ==, RELAY_FIGURE_RULE_GE);
  g_assert_cmpuint (r->left->len, ==, 3);
  g_assert_cmpfloat (g_array_index (r->left, RelayFigureTerm, 0).factor, ==, -1);
  g_assert_cmpstr (g_array_index (r->left, RelayFigureTerm, 0).field, ==, "a");
  g_assert_cmpfloat (g_array_index (r->left, RelayFigureTerm, 1).factor, ==, 2.5);
  g_assert_cmpstr (g_array_index (r->left, RelayFigureTerm, 1).field, ==, "b");
  g_assert_cmpfloat (g_array_index (r->left, RelayFigureTerm, 2).factor, ==, -3);
  g_assert_null (g_array_index (r->left, RelayFigureTerm, 2).field);
  g_assert_cmpuint (r->right->len, ==, 2);
  g_assert_cmpfloat (g_array_index (r->right, RelayFigureTerm, 1).factor, ==, -1);
  g_assert_cmpstr (r->field, ==, "a"); /* the first figure of the check */
  const RelayFigureRule *hard = c->figures->rules->pdata[1];
  g_assert_cmpint (hard->severity, ==, RELAY_FIGURE_RULE_ERROR);
  g_assert_cmpint (hard->op, ==, RELAY_FIGURE_RULE_LT);
  g_assert_cmpstr (hard->field, ==, "b");

  /* A site's own figures get none of the default's rules... */
  g_autoptr (RelayConfig) own = load (FIGURES, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (own->figures->rules->len, ==, 0);
  /* ... and a site's own rules replace the default's, on its figures. */
  g_autoptr (RelayConfig) rules_only = load (RULE ("complaints_received >= 2 * workplace_accidents"),
                                             &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rules_only->figures->fields->len, ==, 14);
  g_assert_cmpuint (rules_only->figures->rules->len, ==, 1);
  g_assert_cmpstr (((RelayFigureRule *) rules_only->figures->rules->pdata[0])->name, ==, "r");
}

/* Every mistake in a rule or a soft bound stops the load, naming the
 * file, the group and the key. */
static void
test_rule_errors (void)
{
  struct {
    const char *ini, *message;
  } cases[] = {
    { FIGURES RULE ("a <= c"), "test.ini: [figure-rule r] check: \"a <= c\": there is no [figure c]" },
    { FIGURES RULE ("a <= s"), "test.ini: [figure-rule r] check: \"a <= s\": s is an enum field" },
    { FIGURES RULE ("a <== b"), "test.ini: [figure-rule r] check: \"a <== b\": a figure or a number expected at \"= b\"" },
    { FIGURES RULE ("a = b"), "test.ini: [figure-rule r] check: \"a = b\": a comparison" },
    { FIGURES RULE ("a <="), "test.ini: [figure-rule r] check: \"a <=\": a figure or a number expected at the end" },
    { FIGURES RULE ("a <= b b"), "test.ini: [figure-rule r] check: \"a <= b b\": +, - or the end expected at \"b\"" },
    { FIGURES RULE ("a * 2 <= b"), "test.ini: [figure-rule r] check: \"a * 2 <= b\": write the number first" },
    { FIGURES RULE ("A <= b"), "test.ini: [figure-rule r] check: \"A <= b\": a figure or a number expected" },
    { FIGURES RULE ("a <= 1.x"), "test.ini: [figure-rule r] check: \"a <= 1.x\": a digit must follow" },
    { FIGURES RULE ("1 <= 2"), "test.ini: [figure-rule r] check: \"1 <= 2\" compares no figure" },
    { FIGURES RULE ("a <= 99999999999999999"), "test.ini: [figure-rule r] check: \"a <= 99999999999999999\": a number above 10^15" },
    { FIGURES RULE ("a <= b; drop table"), "test.ini: [figure-rule r] check: \"a <= b; drop table\": +, - or the end expected at \"; drop table\"" },
    { FIGURES "[figure-rule r]\nseverity=warning\nmessage-th=ต\nmessage-en=T\n", "test.ini: [figure-rule r] check: missing" },
    { FIGURES "[figure-rule r]\ncheck=a<b\nmessage-th=ต\nmessage-en=T\n", "test.ini: [figure-rule r] severity: missing" },
    { FIGURES "[figure-rule r]\ncheck=a<b\nseverity=soft\nmessage-th=ต\nmessage-en=T\n", "test.ini: [figure-rule r] severity: \"soft\" is not error or warning" },
    { FIGURES "[figure-rule r]\ncheck=a<b\nseverity=error\nmessage-en=T\n", "test.ini: [figure-rule r] message-th: missing" },
    { FIGURES "[figure-rule r]\ncheck=a<b\nseverity=error\nmessage-th=ต\n", "test.ini: [figure-rule r] message-en: missing" },
    { FIGURES "[figure-rule r]\ncheck=a<b\nseverity=error\nfield=s\nmessage-th=ต\nmessage-en=T\n", "test.ini: [figure-rule r] field: \"s\" is not a figure of the check" },
    { FIGURES RULE ("a<b") "colour=red\n", "test.ini: [figure-rule r] colour: unknown key" },
    { FIGURES "[figure-rule Bad]\ncheck=a<b\n", "test.ini: [figure-rule Bad]: a rule name is" },
    { FIGURES "[figure-rule a.warn-max]\ncheck=a<b\n", "test.ini: [figure-rule a.warn-max]: a rule name is" },
    { "[figure x]\n" OK_FIELD "type=integer\nmin=0\nwarn-min=-1\n", "test.ini: [figure x] warn-min: warn-min -1 is below min 0" },
    { "[figure x]\n" OK_FIELD "type=percent\nwarn-max=150\n", "test.ini: [figure x] warn-max: warn-max 150 is above max 100" },
    { "[figure x]\n" OK_FIELD "type=decimal\nwarn-min=5\nwarn-max=1\n", "test.ini: [figure x] warn-max: warn-max 1 is below warn-min 5" },
    { "[figure x]\n" OK_FIELD "type=decimal\nwarn-max=lots\n", "test.ini: [figure x] warn-max: \"lots\" is not a number" },
    { "[figure x]\n" OK_FIELD "type=text\nwarn-max=3\n", "test.ini: [figure x] warn-max: only integer" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (RelayConfig) c = load (cases[i].ini, &error);
      if (c)
        g_error ("case %u: loaded, expected \"%s...\"", i, cases[i].message);
      g_assert_nonnull (error);
      if (!g_str_has_prefix (error->message, cases[i].message))
        g_error ("case %u: expected \"%s...\", got \"%s\"", i, cases[i].message, error->message);
    }
}

/* The form evaluates the rules itself before sending: the schema carries
 * the soft bounds and each rule's terms. */
static void
test_rules_json (void)
{
  g_autoptr (RelayConfig) c = load ("", NULL);
  g_autofree char *json = relay_figures_schema_to_json (c->figures);
  g_autoptr (JsonNode) root = json_from_string (json, NULL);
  JsonObject *o = json_node_get_object (root);
  JsonArray *fields = json_object_get_array_member (o, "fields");
  gboolean seen_rate = FALSE;
  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonObject *f = json_array_get_object_element (fields, i);
      if (strcmp (json_object_get_string_member (f, "name"), "unemployment_rate") == 0)
        {
          seen_rate = TRUE;
          g_assert_cmpfloat (json_object_get_double_member (f, "warn_max"), ==, 10);
          g_assert_false (json_object_has_member (f, "warn_min"));
        }
    }
  g_assert_true (seen_rate);
  JsonArray *rules = json_object_get_array_member (o, "rules");
  g_assert_cmpuint (json_array_get_length (rules), ==, c->figures->rules->len);
  JsonObject *rule = json_array_get_object_element (rules, 0);
  g_assert_cmpstr (json_object_get_string_member (rule, "name"), ==, "complaints_resolved_within_received");
  g_assert_cmpstr (json_object_get_string_member (rule, "severity"), ==, "warning");
  g_assert_cmpstr (json_object_get_string_member (rule, "op"), ==, "<=");
  g_assert_cmpstr (json_object_get_string_member (rule, "field"), ==, "complaints_resolved");
  g_assert_nonnull (json_object_get_string_member (rule, "message_th"));
  JsonObject *term = json_array_get_object_element (json_object_get_array_member (rule, "right"), 0);
  g_assert_cmpstr (json_object_get_string_member (term, "field"), ==, "complaints_received");
  g_assert_cmpfloat (json_object_get_double_member (term, "factor"), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/figures-schema/default", test_default);
  g_test_add_func ("/figures-schema/site-schema-replaces-default", test_site_schema_replaces_default);
  g_test_add_func ("/figures-schema/errors", test_errors);
  g_test_add_func ("/figures-schema/json", test_schema_json);
  g_test_add_func ("/figures-schema/default-plausibility", test_default_plausibility);
  g_test_add_func ("/figures-schema/rules", test_rules);
  g_test_add_func ("/figures-schema/rule-errors", test_rule_errors);
  g_test_add_func ("/figures-schema/rules-json", test_rules_json);
  return g_test_run ();
}
