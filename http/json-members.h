/* Typed members of a request's JSON object, for the HTTP layer: the
 * forms that answer 400 bad-request for a member that is absent, null or
 * of another type, with the member's name in the reason. The typed reads
 * and writes themselves are relay/json-members.h.
 *
 * Any thread for reading and writing; the forms that answer run where the
 * message is handled (libsoup's main thread). Nothing is copied: a string
 * read belongs to the object. */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include "relay/json-members.h"

G_BEGIN_DECLS


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

G_END_DECLS
