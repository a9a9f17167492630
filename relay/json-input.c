/* Client JSON through json-glib, with the checks it lacks (see the header). */
#include "relay/json-input.h"

#include <string.h>

G_DEFINE_QUARK (relay-json-error-quark, relay_json_error)

#define LONE_SURROGATE "a \\u escape is not valid UTF-16 (a lone surrogate)"

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Four hex digits at text[at..at+4) into *out. */
static gboolean
hex4 (const char *text, gsize len, gsize at, guint *out)
{
  if (at + 4 > len)
    return FALSE;
  *out = 0;
  for (gsize k = at; k < at + 4; k++)
    {
      if (!g_ascii_isxdigit (text[k]))
        return FALSE;
      *out = (*out << 4) | (guint) g_ascii_xdigit_value (text[k]);
    }
  return TRUE;
}

typedef enum {
  SCAN_OK,
  SCAN_SYNTAX,    /* not one JSON value */
  SCAN_SURROGATE, /* a \u escape of a lone surrogate */
} ScanResult;

/* The escape at text[*i] (a backslash); *i is left on its last character.
 * json-glib's scanner leaks its string on a \u escape of a surrogate that
 * is not a high one followed by a low one. */
static ScanResult
scan_escape (const char *text, gsize len, gsize *i)
{
  if (*i + 1 >= len)
    return SCAN_SYNTAX;
  char e = text[*i + 1];
  if (e != 'u')
    {
      *i += 1;
      return e != '\0' && strchr ("\"\\/bfnrt", e) ? SCAN_OK : SCAN_SYNTAX;
    }
  guint unit;
  if (!hex4 (text, len, *i + 2, &unit))
    return SCAN_SYNTAX;
  *i += 5;
  if (unit >= 0xDC00 && unit <= 0xDFFF)
    return SCAN_SURROGATE;
  if (unit < 0xD800 || unit > 0xDBFF)
    return SCAN_OK;
  guint low;
  if (*i + 6 >= len || text[*i + 1] != '\\' || text[*i + 2] != 'u'
      || !hex4 (text, len, *i + 3, &low) || low < 0xDC00 || low > 0xDFFF)
    return SCAN_SURROGATE;
  *i += 6;
  return SCAN_OK;
}

/* SCAN_OK when text[0..len) is whitespace, one value, whitespace. The value
 * is delimited as JSON delimits it (brackets counted outside strings,
 * escapes skipped); json-glib checks the rest of the grammar. */
static ScanResult
one_value (const char *text, gsize len)
{
  gsize i = 0;
  while (i < len && is_space (text[i]))
    i++;
  if (i == len)
    return SCAN_SYNTAX;
  if (text[i] == '{' || text[i] == '[' || text[i] == '"')
    {
      guint depth = 0;
      gboolean in_string = FALSE;
      for (; i < len; i++)
        {
          char c = text[i];
          if (in_string)
            {
              if (c == '\\')
                {
                  ScanResult r = scan_escape (text, len, &i);
                  if (r != SCAN_OK)
                    return r;
                }
              else if ((guchar) c < 0x20)
                return SCAN_SYNTAX; /* a raw control character */
              else if (c == '"')
                {
                  in_string = FALSE;
                  if (depth == 0)
                    break;
                }
              continue;
            }
          if (c == '"')
            in_string = TRUE;
          else if (c == '/')
            return SCAN_SYNTAX;
          else if (c == '{' || c == '[')
            depth++;
          else if (c == '}' || c == ']')
            {
              if (depth == 0 || --depth == 0)
                break;
            }
        }
      if (i >= len)
        return SCAN_SYNTAX; /* an unterminated string or bracket */
      i++;
    }
  else
    {
      /* A number or a literal: up to whitespace or a delimiter. */
      while (i < len && !is_space (text[i]) && !strchr ("{}[]\",:/", text[i]))
        i++;
    }
  while (i < len && is_space (text[i]))
    i++;
  return i == len ? SCAN_OK : SCAN_SYNTAX;
}

/* Depth is bounded by the input's size, which callers bound. */
static gboolean
strings_are_utf8 (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          if (!g_utf8_validate (name, -1, NULL) || !strings_are_utf8 (member))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!strings_are_utf8 (json_array_get_element (array, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      return json_node_get_value_type (node) != G_TYPE_STRING
             || g_utf8_validate (json_node_get_string (node), -1, NULL);
    case JSON_NODE_NULL:
      return TRUE;
    }
  return FALSE;
}

JsonNode *
relay_json_parse (const char *text, gsize len, GError **error)
{
  if (!g_utf8_validate_len (text, len, NULL))
    {
      g_set_error (error, RELAY_JSON_ERROR, RELAY_JSON_ERROR_UTF8, "the text is not valid UTF-8");
      return NULL;
    }
  switch (one_value (text, len))
    {
    case SCAN_OK:
      break;
    case SCAN_SYNTAX:
      g_set_error (error, RELAY_JSON_ERROR, RELAY_JSON_ERROR_SYNTAX,
                   "not exactly one JSON value, or not a complete one");
      return NULL;
    case SCAN_SURROGATE:
      g_set_error (error, RELAY_JSON_ERROR, RELAY_JSON_ERROR_UTF8, LONE_SURROGATE);
      return NULL;
    }
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) parse_error = NULL;
  if (!json_parser_load_from_data (parser, text, (gssize) len, &parse_error))
    {
      /* json-glib quotes the offending token decoded: it may hold a lone
       * surrogate's bytes. */
      g_autofree char *what = g_utf8_make_valid (parse_error->message, -1);
      g_set_error (error, RELAY_JSON_ERROR, RELAY_JSON_ERROR_SYNTAX, "%s", what);
      return NULL;
    }
  JsonNode *root = json_parser_steal_root (parser);
  if (!root || !strings_are_utf8 (root))
    {
      g_clear_pointer (&root, json_node_unref);
      g_set_error (error, RELAY_JSON_ERROR, RELAY_JSON_ERROR_UTF8, LONE_SURROGATE);
      return NULL;
    }
  return root;
}
