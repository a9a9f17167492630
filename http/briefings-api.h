/* The briefing over HTTP (docs/API.md, "Briefings"):
 *
 *   POST /api/v1/briefings                  start (or plan) one      chair
 *   GET  /api/v1/briefings?from=&to=&limit=  the list                 any token
 *   GET  /api/v1/briefings/live             the live one             any token
 *   GET  /api/v1/briefings/<id>             roll call, agenda, turns, recordings, figures
 *   POST /api/v1/briefings/<id>/start|end|next                       chair
 *   PUT  /api/v1/briefings/<id>/agenda      the items to come        chair
 *
 * and its media (http/briefing-media.c): recordings with Range,
 * chapters.vtt, report.csv, export.mp4. The viewer roles see everything; an
 * office's own token sees the public part, its own roll-call line, turns,
 * clips and turn recordings. Main context. */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"

G_BEGIN_DECLS

/* A briefing or an agenda as JSON (http/body-limits.c refuses more as
 * it arrives). */
#define RELAY_BRIEFINGS_MAX_BODY (64 * 1024)

void relay_briefings_api_register (SoupServer *server, RelayApp *app);

G_END_DECLS
