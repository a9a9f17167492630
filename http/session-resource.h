/* The HTTP side of a WHIP or WHEP session resource (RFC 9725), written
 * once for http/whip-endpoint.c and http/whep-endpoint.c:
 *
 *  - a POST's SDP offer and its refusals (415, 413, 400, 406), and the
 *    "201 Created" that answers it: Location (the session URL),
 *    ETag, Accept-Patch, the ice-server Links and the SDP answer;
 *  - DELETE and PATCH on the session URL, once the endpoint has
 *    authorised the caller and found the session: DELETE ends it and
 *    answers 200; PATCH checks If-Match against the ETag (428, 412),
 *    reads the trickle-ice-sdpfrag body (415, 413, 400), hands it to the
 *    session (trickled candidates, or an ICE restart) and answers 204, or
 *    200 with the restart's fragment and the new ETag, or the error (404
 *    once the session is closed, else 400).
 *
 * The endpoints keep what differs: the session URL's shape, who may act
 * on it, the lookup and its refusals, OPTIONS and 405.
 *
 * Main thread (libsoup's). The session is its registry's; a PATCH in
 * flight holds a reference to its message, paused until the session's
 * worker has answered on reply_context. */
#pragma once

#include <libsoup/soup.h>
#include "relay/config/config.h"
#include "webrtc/sdp/sdp-answer.h"

G_BEGIN_DECLS

/* A session type's own functions, cast to these (the session, its own
 * type, comes first: relay_publisher_session_dup_etag,
 * relay_viewer_session_patch_async, ...). */
typedef char *(*RelaySessionDupEtagFunc) (gpointer session);
typedef void (*RelaySessionPatchedFunc) (gpointer session, gboolean restarted,
                                         const char *fragment_answer, const GError *error,
                                         gpointer user_data);
/* Takes ownership of fragment; done runs on reply_context. */
typedef void (*RelaySessionPatchAsyncFunc) (gpointer session, RelaySdpFragment *fragment,
                                            GMainContext *reply_context,
                                            RelaySessionPatchedFunc done, gpointer user_data);

/* Who owns the sessions (the registry, the viewer registry) ends one, for
 * a reason its logs and events give. */
typedef void (*RelaySessionEndFunc) (gpointer owner, gpointer session, const char *reason);

/* What the resource asks of a session type (publisher or viewer). */
typedef struct {
  RelaySessionDupEtagFunc dup_etag;
  RelaySessionPatchAsyncFunc patch_async;
  RelaySessionEndFunc end; /* DELETE: with "DELETE from the <who>" */
  const char *ended_by_delete;
} RelaySessionResourceClass;

/* A POST's SDP offer: Content-Type application/sdp (else 415), at most
 * RELAY_MAX_SDP_BODY (else 413), parsed under `policy`. NULL after
 * answering, then with *error set when the offer itself was refused (400
 * bad-sdp when malformed, 406 when it fits nothing the relay does), for
 * the endpoint's log. */
RelaySdpOffer *relay_session_resource_read_offer (SoupServerMessage *msg,
                                                  const RelaySdpPolicy *policy, GError **error);

/* The 201 to a POST that created `session`, at `location`. */
void relay_session_resource_created (SoupServerMessage *msg, RelayConfig *config,
                                     const RelaySessionResourceClass *klass, gpointer session,
                                     const char *location, const char *answer);

/* DELETE or PATCH (`method`, already checked to be one of them) on
 * `session`, which the caller may act on; DELETE has `owner` end it. */
void relay_session_resource_answer (SoupServerMessage *msg, const char *method,
                                    const RelaySessionResourceClass *klass, gpointer owner,
                                    gpointer session, GMainContext *reply_context);

G_END_DECLS
