/* A province's figures, from either way in (the WebRTC data channel
 * labelled "report", or HTTPS POST /api/v1/reports): one validation against
 * the schema from config, stored durably in SQLite before the answer is
 * given, idempotent by the client's id, corrections kept as new versions.
 *
 * Messages: {"type":"figures","id":"<client id>","date":"YYYY-MM-DD",
 * "values":{...}[,"confirm_warnings":true|[codes]]}. Replies:
 * {"type":"ack","id":..,"ok":true,"version":n[,"warnings":[..]]} or
 * {"type":"ack","id":..,"ok":false,"errors":[{"field":..,"reason":..}]
 * [,"warnings":[..]][,"needs_confirmation":true]}: a submission whose
 * figures are implausible is stored, with its warnings, only once it
 * confirms them (figures-plausibility.h). */
#pragma once

#include <glib.h>
#include "relay/config/config.h"
#include "relay/event-bus.h"
#include "relay/figures/figures-schema.h"
#include "relay/figures/figures-store.h"
#include "relay/figures/webhook-delivery.h"

G_BEGIN_DECLS

#define RELAY_REPORT_MAX_BYTES (16 * 1024)

typedef enum {
  RELAY_REPORT_VIA_DATA_CHANNEL,
  RELAY_REPORT_VIA_HTTPS,
} RelayReportVia;

typedef struct _RelayFiguresService RelayFiguresService;

/* Runs on the service's writer thread once the submission is refused or
 * durably stored. reply_json: the reply document. http_status: 201 stored
 * (a new version), 200 a retry of an id already stored (same reply as the
 * first time), 400 not JSON / not UTF-8 / wrong message type, 413 over
 * RELAY_REPORT_MAX_BYTES, 422 schema errors or warnings not confirmed
 * (the reply's needs_confirmation), 429 over the office's rate, 503
 * storage failed. */
typedef void (*RelayReportDoneFunc) (const char *reply_json, guint http_status, gpointer user_data);

/* Any thread; never blocks on storage (group commit on the writer thread).
 * `message` need not be NUL-terminated; it is copied. */
void relay_figures_service_submit (RelayFiguresService *service, const char *province,
                                  const char *message, gsize len, RelayReportVia via,
                                  const char *remote_address, RelayReportDoneFunc done,
                                  gpointer user_data);

/* Opens <data-dir>/briefing.sqlite (migrating it) and starts the writer
 * thread. `config` and `events` must outlive the service. */
RelayFiguresService *relay_figures_service_new (RelayConfig *config, RelayEventBus *events,
                                              GError **error);
/* Answers everything queued (stored or not), then stops the writer. */
void relay_figures_service_free (RelayFiguresService *service);

const RelayFiguresSchema *relay_figures_service_get_schema (RelayFiguresService *service);

/* Reads for the figures API (any thread; a connection of their own, so they
 * do not wait for the writer). RelayReportRow*, see report-store.h. */
GPtrArray *relay_figures_service_latest (RelayFiguresService *service, const char *date,
                                        GError **error);
GPtrArray *relay_figures_service_history (RelayFiguresService *service, const char *province,
                                         const char *date, GError **error);

/* The webhook deliveries (their counts for the API); NULL without any
 * [webhook] group. */
RelayWebhookDelivery *relay_figures_service_get_webhooks (RelayFiguresService *service);

/* What became of the submissions since the relay started, by the way they
 * came, for GET /metrics: counted as each is answered (writer thread),
 * read from any thread. */
typedef enum {
  RELAY_REPORT_STORED,         /* 201: a new version */
  RELAY_REPORT_REPEATED,       /* 200: a retry of a known id, or the latest values again */
  RELAY_REPORT_INVALID,        /* 400, 413, 422 with errors: not figures the schema takes */
  RELAY_REPORT_UNCONFIRMED,    /* 422 needs_confirmation: warnings not confirmed */
  RELAY_REPORT_RATE_LIMITED,   /* 429: over [limits] figures-per-minute */
  RELAY_REPORT_STORAGE_FAILED, /* 503 */
  RELAY_REPORT_RESULT_N,
} RelayReportResult;
guint64 relay_figures_service_count (RelayFiguresService *service, RelayReportVia via,
                                    RelayReportResult result);
/* "stored", "repeated", "invalid", "unconfirmed", "rate-limited", "storage-failed". */
const char *relay_report_result_name (RelayReportResult result);
/* "data-channel", "https". */
const char *relay_report_via_name (RelayReportVia via);

G_END_DECLS
