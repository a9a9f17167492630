/* The figures schema from config: the shipped default, and every kind of
 * mistake named by file, group and key. */
#include <glib.h>
#include <string.h>

#include "relay/config.h"

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/figures-schema/default", test_default);
  g_test_add_func ("/figures-schema/site-schema-replaces-default", test_site_schema_replaces_default);
  g_test_add_func ("/figures-schema/errors", test_errors);
  g_test_add_func ("/figures-schema/json", test_schema_json);
  return g_test_run ();
}
