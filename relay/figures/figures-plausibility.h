/* Whether a submission's figures are plausible, once each has passed its
 * own field's checks (figures-validate.c): the soft bounds of each field
 * ([figure] warn-min, warn-max) and the [figure-rule] checks across fields.
 * A broken rule of severity `error` is an error, refused like any other
 * schema error; a value outside its soft bounds and a broken `warning` rule
 * are warnings, each with a code the office confirms. The reasons come in
 * English ("reason", as every error) and Thai ("reason_th"). Any thread;
 * reads the schema only. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "relay/figures/figures-schema.h"

G_BEGIN_DECLS

/* `values`: the submission's values, each valid for its field. Appends
 * {"field":"values.<figure>","code":"<rule>","reason","reason_th"} to
 * `errors` and {"code","field","reason","reason_th"} to `warnings`, in
 * schema order (fields, then rules). Codes: "<figure>.warn-min",
 * "<figure>.warn-max", or the rule's name. */
void relay_figures_plausibility_check (const RelayFiguresSchema *schema, JsonObject *values,
                                       JsonArray *errors, JsonArray *warnings);

G_END_DECLS
