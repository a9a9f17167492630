/* The one check every submission goes through, whichever way it came in
 * (data channel or HTTPS): the envelope {"type":"figures","id","date",
 * "values"[,"confirm_warnings"]}, each value against the schema, then
 * their plausibility (figures-plausibility.h): a warning refuses the
 * submission until it comes back confirming it. Any thread. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "relay/figures/figures-schema.h"

G_BEGIN_DECLS

/* How far the reported day may be from today (Asia/Bangkok): a correction
 * of last week is fine, a typo of the year is not. */
#define RELAY_FIGURES_DATE_WINDOW_DAYS 7

typedef struct {
  guint status;        /* 0: valid; else 400 (not JSON, not UTF-8, not a figures
                        * message), 413 (too large) or 422 (schema errors, or
                        * warnings not confirmed) */
  char *id;            /* the client id when it could be read (also when invalid) */
  char *date;          /* YYYY-MM-DD */
  char *values_json;   /* valid only: the values in schema order, compact */
  JsonNode *errors;    /* refused only: [{"field":..,"reason":..}] */
  /* The warnings of values that passed their fields' checks, NULL when
   * none: [{"code","field","reason","reason_th"}]. Valid: all confirmed,
   * stored with the version; refused: for the office to see. */
  JsonNode *warnings;
  gboolean needs_confirmation; /* 422 only because warnings were not confirmed */
} RelayFiguresCheck;

/* `today` NULL: today in Asia/Bangkok. */
void relay_figures_validate (const RelayFiguresSchema *schema, const char *message, gsize len,
                             const GDate *today, RelayFiguresCheck *out);
void relay_figures_check_clear (RelayFiguresCheck *check);

/* Today's date in Asia/Bangkok (UTC+7, no daylight saving). */
void relay_figures_today (GDate *out);

G_END_DECLS
