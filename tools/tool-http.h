/* The HTTP side shared by the test tools: WHIP and WHEP POST an SDP body
 * with a bearer token and DELETE the session URL from the 201's Location.
 * libsoup 3, asynchronous, on the main loop.  Not a public interface. */
#pragma once

#include <libsoup/soup.h>

#include "tool-events.h"

G_BEGIN_DECLS

/* NULL when @url cannot be parsed.  A NULL @token sends no Authorization;
 * @insecure accepts any TLS certificate. */
SoupMessage *tool_http_new_request (const char *method, const char *url,
    const char *token, gboolean insecure);

/* Sends @sdp (taken) as an application/sdp body; @accept, when not NULL,
 * goes into an Accept header.  Returns the message (the caller owns it and
 * finishes with soup_session_send_and_read_finish), or NULL for an
 * unusable @url, in which case nothing is sent. */
SoupMessage *tool_http_send_sdp (SoupSession *session, const char *method,
    const char *url, const char *token, gboolean insecure,
    const char *accept, char *sdp, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer data);

/* A response body as valid UTF-8, for JSON strings; "" for NULL. */
char *tool_http_body_text (GBytes *body);

/* The answered message's Location, resolved against the URL finally
 * requested (after any redirect): RFC 9725 allows a relative one.  NULL
 * without a usable header; a bad one is logged under @label. */
char *tool_http_session_url (SoupMessage *msg, const char *label);

/* DELETEs @url; reports a "deleted" event (status) on 2xx, else an
 * "error" event with stage "delete", both opened through @begin for
 * @peer.  Returns FALSE, and does nothing, for an unusable @url. */
gboolean tool_http_delete_async (SoupSession *session, const char *url,
    const char *token, gboolean insecure, ToolEventBeginFunc begin,
    gpointer peer, GCancellable *cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
/* Failures were already reported as events. */
void tool_http_delete_finish (GAsyncResult *result);

G_END_DECLS
