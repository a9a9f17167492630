/* Typed members of JSON objects, for every part of the relay that reads
 * or writes JSON (the HTTP layer's forms that answer 400 are in
 * http/json-members.h): reading a member with its type checked, and
 * writing a member whose value may be absent (null).
 *
 * Reading never calls json-glib's json_object_get_*_member: they log a
 * critical for an object or an array, and the client chooses what it
 * sends. A member that is absent, null or of another type reads as NULL.
 * Pure; any thread. Nothing is copied: a string read belongs to the
 * object. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The member as a JSON value of `type` (G_TYPE_STRING, G_TYPE_INT64,
 * G_TYPE_BOOLEAN, G_TYPE_DOUBLE), or NULL. */
JsonNode *relay_json_member_value (JsonObject *o, const char *name, GType type);
/* The member's string, or NULL. */
const char *relay_json_member_string (JsonObject *o, const char *name);

/* "name": value, or null when value is NULL. */
void relay_json_member_add_string (JsonBuilder *b, const char *name, const char *value);
/* "name": value, or null when value is negative (not known). */
void relay_json_member_add_count (JsonBuilder *b, const char *name, gint64 value);
/* "name": value. */
void relay_json_member_add_int (JsonBuilder *b, const char *name, gint64 value);
void relay_json_member_add_boolean (JsonBuilder *b, const char *name, gboolean value);

G_END_DECLS
