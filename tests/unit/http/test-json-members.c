/* Typed JSON members (http/json-members.c): a member of another type than
 * asked for reads as absent, whatever the client put there, without the
 * critical json-glib's own getters log for an object or an array; and a
 * member written with no value is null. The forms that answer 400 are
 * exercised through the relay by control-api, signin and the briefing
 * tests. */
#include <glib.h>
#include <string.h>

#include "http/json-members.h"

static JsonObject *
parse_object (JsonParser *parser, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_read_typed (void)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = parse_object (parser, "{\"s\":\"text\",\"i\":7,\"b\":true,\"n\":null,"
                                        "\"o\":{\"s\":\"inner\"},\"a\":[\"x\"],\"d\":1.5}");
  g_assert_cmpstr (relay_json_member_string (o, "s"), ==, "text");
  /* Present but not a string: as if absent. A critical here would abort
   * the test (g_test_init makes criticals fatal). */
  for (const char *const *name = (const char *const[]){ "i", "b", "n", "o", "a", "d", "absent",
                                                         NULL };
       *name; name++)
    g_assert_null (relay_json_member_string (o, *name));

  JsonNode *i = relay_json_member_value (o, "i", G_TYPE_INT64);
  g_assert_nonnull (i);
  g_assert_cmpint (json_node_get_int (i), ==, 7);
  g_assert_null (relay_json_member_value (o, "d", G_TYPE_INT64));
  g_assert_null (relay_json_member_value (o, "s", G_TYPE_INT64));
  JsonNode *b = relay_json_member_value (o, "b", G_TYPE_BOOLEAN);
  g_assert_nonnull (b);
  g_assert_true (json_node_get_boolean (b));
  g_assert_null (relay_json_member_value (o, "i", G_TYPE_BOOLEAN));
  g_assert_null (relay_json_member_value (o, "n", G_TYPE_BOOLEAN));
  g_assert_null (relay_json_member_value (o, "o", G_TYPE_STRING));
  g_assert_null (relay_json_member_value (o, "a", G_TYPE_STRING));
}

static void
test_write_or_null (void)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  relay_json_member_add_string (b, "name", "TH-50");
  relay_json_member_add_string (b, "none", NULL);
  relay_json_member_add_count (b, "zero", 0);
  relay_json_member_add_count (b, "count", 12);
  relay_json_member_add_count (b, "unknown", -1);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, root);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  g_assert_cmpstr (text, ==,
                   "{\"name\":\"TH-50\",\"none\":null,\"zero\":0,\"count\":12,\"unknown\":null}");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-members/read-typed", test_read_typed);
  g_test_add_func ("/json-members/write-or-null", test_write_or_null);
  return g_test_run ();
}
