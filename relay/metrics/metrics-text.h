/* The Prometheus text exposition format (version 0.0.4), written: what
 * GET /metrics answers. A family is announced by its # HELP and # TYPE
 * lines, then its samples follow, each `name{label="value",...} value`.
 * This unit knows the format only (escaping, number formatting, the
 * histogram's cumulative buckets, _sum and _count); which figures exist is
 * http/metrics-collect.c's business.
 *
 * Rules it holds to: metric and label names as Prometheus allows them; a
 * counter's name ends in _total; a family is announced once and its
 * samples come together; label values escape backslash, double quote and
 * newline; HELP text escapes backslash and newline; numbers in C locale,
 * whole counters exactly, NaN and infinities as Prometheus spells them.
 * A call that breaks a rule is a programming error: it is refused with a
 * GLib critical and writes nothing.
 *
 * Threads: one writer belongs to one thread (the HTTP handler's). */
#pragma once

#include <glib.h>
#include "webrtc/base/metrics-histogram.h"

G_BEGIN_DECLS

typedef enum {
  RELAY_METRIC_COUNTER,
  RELAY_METRIC_GAUGE,
  RELAY_METRIC_HISTOGRAM,
} RelayMetricType;

typedef struct _RelayMetricsText RelayMetricsText;

RelayMetricsText *relay_metrics_text_new (void);
void relay_metrics_text_free (RelayMetricsText *text);

/* Announces a family; the samples written next belong to it. `help` is
 * one sentence (escaped here). */
void relay_metrics_text_family (RelayMetricsText *text, const char *name, RelayMetricType type,
                                const char *help);

/* Labels are NULL, or name/value pairs ending with NULL:
 *   (const char *const[]) { "province", "TH-50", "kind", "video", NULL } */
void relay_metrics_text_sample (RelayMetricsText *text, const char *const *labels, double value);
/* The same for a whole count, written exactly (a double would round one
 * past 2^53). */
void relay_metrics_text_sample_uint (RelayMetricsText *text, const char *const *labels,
                                     guint64 value);

/* A histogram family's series: its `le` buckets, cumulative, the last one
 * +Inf, then _sum (in seconds) and _count. */
void relay_metrics_text_histogram (RelayMetricsText *text, const char *const *labels,
                                   const RelayMetricsHistogram *histogram);
/* The same from counts already read: `buckets` per bucket (n_bounds + 1,
 * not cumulative), `sum` in the unit of the bounds. */
void relay_metrics_text_histogram_counts (RelayMetricsText *text, const char *const *labels,
                                          const double *bounds, guint n_bounds,
                                          const guint64 *buckets, double sum);

/* The text so far (NUL-terminated; `len` without the NUL). The writer
 * stays usable. */
const char *relay_metrics_text_get (RelayMetricsText *text, gsize *len);

/* A number as the format writes it: the shortest decimal that reads back
 * as the same double, "NaN", "+Inf", "-Inf". Into `buf`, returned. */
#define RELAY_METRICS_NUMBER_LEN 32
char *relay_metrics_format_number (double value, char buf[RELAY_METRICS_NUMBER_LEN]);

/* TRUE for a name Prometheus takes as a metric name / as a label name. */
gboolean relay_metrics_valid_metric_name (const char *name);
gboolean relay_metrics_valid_label_name (const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayMetricsText, relay_metrics_text_free)

G_END_DECLS
