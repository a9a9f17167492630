/* Typed members of JSON objects, for the HTTP layer: reading a request's
 * (or an event's) member with its type checked, and writing an answer's
 * member whose value may be absent (null).
 *
 * Reading never calls json-glib's json_object_get_*_member: they log a
 * critical for an object or an array, and the client chooses what it
 * sends. A member that is absent, null or of another type reads as NULL;
 * the "require"/"optional" forms answer 400 bad-request for it, with the
 * member's name in the reason.
 *
 * Any thread for reading and writing; the forms that answer run where the
 * message is handled (libsoup's main thread). Nothing is copied: a string
 * read belongs to the object. */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The member as a JSON value of `type` (G_TYPE_STRING, G_TYPE_INT64,
 * G_TYPE_BOOLEAN, G_TYPE_DOUBLE), or NULL. */
JsonNode *relay_json_member_value (JsonObject *o, const char *name, GType type);
/* The member's string, or NULL. */
const char *relay_json_member_string (JsonObject *o, const char *name);

/* The member's string; NULL after answering 400 "\"name\" must be a
 * string" when it is absent or not one. */
const char *relay_json_member_require_string (SoupServerMessage *msg, JsonObject *o,
                                              const char *name);
/* TRUE with the member's string in *value, or NULL when absent; FALSE
 * after answering 400 "\"name\" must be a string" when it is another
 * type. */
gboolean relay_json_member_optional_string (SoupServerMessage *msg, JsonObject *o,
                                            const char *name, const char **value);
/* TRUE with the member's boolean in *value; FALSE after answering 400
 * "\"name\" must be true or false" when it is absent or not one. */
gboolean relay_json_member_require_boolean (SoupServerMessage *msg, JsonObject *o,
                                            const char *name, gboolean *value);

/* TRUE with the member's boolean in *value, or FALSE when absent; FALSE
 * after answering 400 "\"name\" must be true or false" when it is
 * another type. */
gboolean relay_json_member_optional_boolean (SoupServerMessage *msg, JsonObject *o,
                                             const char *name, gboolean *value);

/* "name": value, or null when value is NULL. */
void relay_json_member_add_string (JsonBuilder *b, const char *name, const char *value);
/* "name": value, or null when value is negative (not known). */
void relay_json_member_add_count (JsonBuilder *b, const char *name, gint64 value);

G_END_DECLS
