/* GET /api/v1/office: an office's own view, with its own token, of what
 * its page tells it: its connection (its own status entry in full, with any
 * takeover by another device), the public conference state (who holds the
 * floor and since when), whether it holds the floor, whether its
 * microphone is open, closed or muted by the chair, the live briefing and
 * whether it is being recorded, and its own spoken-status clips of that
 * briefing (or of today) with signed links for its own scope. Never
 * another office's data: other offices appear only as the floor holder's
 * code, which GET /api/v1/conference shows anyone. A viewer's token is
 * refused (403): viewers have the whole API. docs/API.md, "The office's
 * own view".
 *
 * Runs on the main context (libsoup's handlers), where the conference and
 * the briefing service live. Nothing is kept between requests. */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"

G_BEGIN_DECLS

void relay_office_api_register (SoupServer *server, RelayApp *app);

G_END_DECLS
