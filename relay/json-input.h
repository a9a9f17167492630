/* JSON from clients (a figures message, the events endpoint's first
 * message), parsed with json-glib after the checks json-glib 1.6 does not
 * make on hostile input:
 *
 *  - Text after the first value. json-glib reads it as further
 *    "statements" (it accepts JavaScript's "var x = ...;" too) and leaks
 *    each one's tree: "{} {...}" cost the relay some hundred bytes per
 *    message, without bound over messages. Exactly one value, with only
 *    JSON whitespace around it, is accepted; '/' outside a string (a
 *    comment, which JSON does not have) is refused.
 *  - A \u escape of a lone UTF-16 surrogate ("\ud800"): json-glib decodes
 *    it into bytes that are not UTF-8 (and swallows the character after
 *    it), in a message whose bytes were, and leaks its string when what
 *    follows is not an escape. A high surrogate must be followed by a low
 *    one; escapes JSON does not have and raw control characters in a
 *    string are refused before json-glib sees them. Every string, member
 *    names included, must then be UTF-8 once decoded.
 *
 * Found by the fuzz harnesses (tests/fuzz, docs/FUZZING.md). Pure; any
 * thread. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define RELAY_JSON_ERROR (relay_json_error_quark ())
GQuark relay_json_error_quark (void);
typedef enum {
  RELAY_JSON_ERROR_SYNTAX, /* not one JSON value */
  RELAY_JSON_ERROR_UTF8,   /* not UTF-8, as bytes or once decoded */
} RelayJsonError;

/* The value (owned by the caller), or NULL with an error whose message is
 * UTF-8 (it goes back to the client). */
JsonNode *relay_json_parse (const char *text, gsize len, GError **error);

G_END_DECLS
