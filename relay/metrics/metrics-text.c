#include "relay/metrics/metrics-text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _RelayMetricsText {
  GString *out;
  GHashTable *announced; /* family names, each written once */
  char *family;          /* the one samples belong to now, or NULL */
  RelayMetricType type;
};

RelayMetricsText *
relay_metrics_text_new (void)
{
  RelayMetricsText *t = g_new0 (RelayMetricsText, 1);
  t->out = g_string_sized_new (16 * 1024);
  t->announced = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return t;
}

void
relay_metrics_text_free (RelayMetricsText *t)
{
  if (!t)
    return;
  g_string_free (t->out, TRUE);
  g_hash_table_unref (t->announced);
  g_free (t->family);
  g_free (t);
}

static gboolean
valid_name (const char *name, gboolean colon)
{
  if (!name || !*name)
    return FALSE;
  for (const char *p = name; *p; p++)
    {
      gboolean letter = g_ascii_isalpha (*p) || *p == '_' || (colon && *p == ':');
      if (!letter && !(p > name && g_ascii_isdigit (*p)))
        return FALSE;
    }
  return TRUE;
}

gboolean
relay_metrics_valid_metric_name (const char *name)
{
  return valid_name (name, TRUE);
}

gboolean
relay_metrics_valid_label_name (const char *name)
{
  /* Names beginning with __ are Prometheus' own. */
  return valid_name (name, FALSE) && !g_str_has_prefix (name, "__");
}

char *
relay_metrics_format_number (double value, char buf[RELAY_METRICS_NUMBER_LEN])
{
  if (isnan (value))
    return strcpy (buf, "NaN");
  if (isinf (value))
    return strcpy (buf, value > 0 ? "+Inf" : "-Inf");
  /* Whole numbers as such ("10", not "1e+01"), up to where a double
   * still holds every integer. */
  if (value == floor (value) && fabs (value) < 9007199254740992.0)
    {
      g_snprintf (buf, RELAY_METRICS_NUMBER_LEN, "%.0f", value);
      return buf;
    }
  /* Otherwise the shortest that reads back exactly: 0.1 as "0.1", not
   * "0.10000000000000001". */
  for (int precision = 1; precision <= 17; precision++)
    {
      char format[8];
      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buf, RELAY_METRICS_NUMBER_LEN, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  return buf;
}

static void
append_escaped (GString *out, const char *text, gboolean quote)
{
  for (const char *p = text; *p; p++)
    {
      if (*p == '\\')
        g_string_append (out, "\\\\");
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else if (quote && *p == '"')
        g_string_append (out, "\\\"");
      else
        g_string_append_c (out, *p);
    }
}

void
relay_metrics_text_family (RelayMetricsText *t, const char *name, RelayMetricType type,
                           const char *help)
{
  g_return_if_fail (relay_metrics_valid_metric_name (name));
  g_return_if_fail (type != RELAY_METRIC_COUNTER || g_str_has_suffix (name, "_total"));
  /* The format allows a family once: a second block would be refused by
   * the scraper as a whole. */
  g_return_if_fail (!g_hash_table_contains (t->announced, name));
  g_hash_table_add (t->announced, g_strdup (name));
  g_free (t->family);
  t->family = g_strdup (name);
  t->type = type;
  static const char *const types[] = { "counter", "gauge", "histogram" };
  g_string_append_printf (t->out, "# HELP %s ", name);
  append_escaped (t->out, help ? help : "", FALSE);
  g_string_append_printf (t->out, "\n# TYPE %s %s\n", name, types[type]);
}

/* Checks the pairs: names valid, no name twice, values present. */
static gboolean
valid_labels (const char *const *labels, const char *reserved)
{
  for (guint i = 0; labels && labels[i]; i += 2)
    {
      if (!relay_metrics_valid_label_name (labels[i]) || !labels[i + 1]
          || g_strcmp0 (labels[i], reserved) == 0)
        return FALSE;
      for (guint j = 0; j < i; j += 2)
        if (strcmp (labels[j], labels[i]) == 0)
          return FALSE;
    }
  return TRUE;
}

/* name{a="1",b="2"[,le="x"]} */
static void
append_series (GString *out, const char *name, const char *suffix, const char *const *labels,
               const char *le)
{
  g_string_append (out, name);
  g_string_append (out, suffix);
  if ((!labels || !labels[0]) && !le)
    return;
  g_string_append_c (out, '{');
  gboolean first = TRUE;
  for (guint i = 0; labels && labels[i]; i += 2)
    {
      g_string_append_printf (out, "%s%s=\"", first ? "" : ",", labels[i]);
      append_escaped (out, labels[i + 1], TRUE);
      g_string_append_c (out, '"');
      first = FALSE;
    }
  if (le)
    g_string_append_printf (out, "%sle=\"%s\"", first ? "" : ",", le);
  g_string_append_c (out, '}');
}

static gboolean
check_sample (RelayMetricsText *t, const char *const *labels, gboolean histogram)
{
  g_return_val_if_fail (t->family, FALSE);
  g_return_val_if_fail ((t->type == RELAY_METRIC_HISTOGRAM) == histogram, FALSE);
  g_return_val_if_fail (valid_labels (labels, histogram ? "le" : NULL), FALSE);
  return TRUE;
}

void
relay_metrics_text_sample (RelayMetricsText *t, const char *const *labels, double value)
{
  if (!check_sample (t, labels, FALSE))
    return;
  char number[RELAY_METRICS_NUMBER_LEN];
  append_series (t->out, t->family, "", labels, NULL);
  g_string_append_printf (t->out, " %s\n", relay_metrics_format_number (value, number));
}

void
relay_metrics_text_sample_uint (RelayMetricsText *t, const char *const *labels, guint64 value)
{
  if (!check_sample (t, labels, FALSE))
    return;
  append_series (t->out, t->family, "", labels, NULL);
  g_string_append_printf (t->out, " %" G_GUINT64_FORMAT "\n", value);
}

void
relay_metrics_text_histogram_counts (RelayMetricsText *t, const char *const *labels,
                                     const double *bounds, guint n_bounds,
                                     const guint64 *buckets, double sum)
{
  if (!check_sample (t, labels, TRUE))
    return;
  char number[RELAY_METRICS_NUMBER_LEN];
  guint64 cumulative = 0;
  for (guint i = 0; i <= n_bounds; i++)
    {
      cumulative += buckets[i];
      append_series (t->out, t->family, "_bucket", labels,
                     i < n_bounds ? relay_metrics_format_number (bounds[i], number) : "+Inf");
      g_string_append_printf (t->out, " %" G_GUINT64_FORMAT "\n", cumulative);
    }
  append_series (t->out, t->family, "_sum", labels, NULL);
  g_string_append_printf (t->out, " %s\n", relay_metrics_format_number (sum, number));
  /* The count is the +Inf bucket's, from the same read: the two always
   * agree, as Prometheus expects. */
  append_series (t->out, t->family, "_count", labels, NULL);
  g_string_append_printf (t->out, " %" G_GUINT64_FORMAT "\n", cumulative);
}

void
relay_metrics_text_histogram (RelayMetricsText *t, const char *const *labels,
                              const RelayMetricsHistogram *h)
{
  guint n = relay_metrics_histogram_get_n_bounds (h);
  g_autofree guint64 *buckets = g_new (guint64, n + 1);
  guint64 sum_us;
  relay_metrics_histogram_read (h, buckets, &sum_us);
  relay_metrics_text_histogram_counts (t, labels, relay_metrics_histogram_get_bounds (h), n,
                                       buckets, sum_us / (double) G_USEC_PER_SEC);
}

const char *
relay_metrics_text_get (RelayMetricsText *t, gsize *len)
{
  if (len)
    *len = t->out->len;
  return t->out->str;
}
