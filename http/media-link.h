/* Links for media a browser fetches by itself (<video src>, <audio src>,
 * a download), which cannot carry an Authorization header: the API that
 * lists a recording signs its URL for the caller, with who may use it
 * (scope: "all" for the viewer roles, an office code for an office's own
 * token) and until when. The key is random per run of the relay: a link
 * dies with the process at the latest. HMAC-SHA256 over the path, scope
 * and expiry; compared in constant time. Any thread (immutable). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Long enough to watch a recording that was opened, short enough that a
 * link copied out of a page is soon worthless; the review page asks for
 * fresh links when one fails. */
#define RELAY_MEDIA_LINK_TTL_S (30 * 60)

typedef struct _RelayMediaLinks RelayMediaLinks;

RelayMediaLinks *relay_media_links_new (void);
void relay_media_links_free (RelayMediaLinks *links);

/* "<path>?scope=<scope>&expires=<unix s>&sig=<hex>" valid for
 * RELAY_MEDIA_LINK_TTL_S from now. `path` is absolute ("/api/v1/..."), with
 * no query. */
char *relay_media_links_sign (RelayMediaLinks *links, const char *path, const char *scope);

typedef enum {
  RELAY_MEDIA_LINK_ABSENT,  /* no sig= in the query */
  RELAY_MEDIA_LINK_VALID,
  RELAY_MEDIA_LINK_EXPIRED,
  RELAY_MEDIA_LINK_INVALID, /* malformed or not ours */
} RelayMediaLinkResult;

/* Checks the query of a request for `path`; on VALID, *scope (borrowed from
 * the query) says whose it is. */
RelayMediaLinkResult relay_media_links_verify (RelayMediaLinks *links, const char *path,
                                               GHashTable *query, const char **scope);

G_END_DECLS
