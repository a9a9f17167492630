/* A WHIP/WHEP session resource's 201, DELETE and PATCH (see the header). */
#include "http/session-resource.h"

#include <gio/gio.h>
#include <string.h>

#include "http/http-util.h"

#define TRICKLE_TYPE "application/trickle-ice-sdpfrag"

/* Link: <url>; rel="ice-server" for each configured STUN/TURN server. They
 * carry TURN credentials: only the authenticated 201 gives them (RFC 9725
 * section 4.6), never a pre-flight. */
static void
add_ice_server_links (SoupServerMessage *msg, RelayConfig *config)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  for (guint i = 0; i < config->ice_servers->len; i++)
    {
      RelayIceServer *s = config->ice_servers->pdata[i];
      g_autoptr (GString) link = g_string_new (NULL);
      g_string_append_printf (link, "<%s>; rel=\"ice-server\"", s->urls);
      if (s->username)
        g_string_append_printf (link, "; username=\"%s\"; credential=\"%s\"; credential-type=\"password\"",
                                s->username, s->credential ? s->credential : "");
      soup_message_headers_append (h, "Link", link->str);
    }
}

RelaySdpOffer *
relay_session_resource_read_offer (SoupServerMessage *msg, const RelaySdpPolicy *policy,
                                   GError **error)
{
  g_autoptr (GBytes) body = NULL;
  if (!relay_http_read_body (msg, "application/sdp", RELAY_MAX_SDP_BODY, &body))
    return NULL;
  gsize len;
  const char *text = g_bytes_get_data (body, &len);
  GError *refusal = NULL;
  RelaySdpOffer *offer = relay_sdp_offer_parse (text, len, policy, &refusal);
  if (!offer)
    {
      gboolean malformed = g_error_matches (refusal, RELAY_SDP_ERROR, RELAY_SDP_ERROR_MALFORMED);
      relay_http_error (msg, malformed ? 400 : 406, malformed ? "bad-sdp" : "not-acceptable",
                        refusal->message);
      g_propagate_error (error, refusal);
    }
  return offer;
}

void
relay_session_resource_created (SoupServerMessage *msg, RelayConfig *config,
                                const RelaySessionResourceClass *klass, gpointer session,
                                const char *location, const char *answer)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  g_autofree char *etag = klass->dup_etag (session);
  soup_message_headers_replace (h, "Location", location);
  soup_message_headers_replace (h, "ETag", etag);
  soup_message_headers_replace (h, "Accept-Patch", TRICKLE_TYPE);
  add_ice_server_links (msg, config);
  soup_server_message_set_status (msg, 201, NULL);
  soup_server_message_set_response (msg, "application/sdp", SOUP_MEMORY_COPY, answer,
                                    strlen (answer));
}

/* If-Match against the session's ETag: FALSE after answering 428 (none
 * given) or 412 (another). */
static gboolean
check_if_match (SoupServerMessage *msg, const char *etag)
{
  const char *if_match = soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), "If-Match");
  /* RFC 9725 4.3.1: a client PATCHes with the ETag it last saw (or "*" to
   * restart ICE); one that sends none may be working from a session state
   * that is gone, so it is asked to say which (RFC 6585 428). */
  if (!if_match)
    {
      relay_http_error (msg, 428, "precondition-required",
                        "PATCH needs If-Match: the session's ETag, or * for an ICE restart");
      return FALSE;
    }
  if (strcmp (if_match, "*") != 0 && strcmp (if_match, etag) != 0)
    {
      relay_http_error (msg, 412, "precondition-failed", "If-Match does not match the ETag");
      return FALSE;
    }
  return TRUE;
}

/* The PATCH body, or NULL after answering 415/413/400. */
static RelaySdpFragment *
read_fragment (SoupServerMessage *msg)
{
  g_autoptr (GBytes) body = NULL;
  if (!relay_http_read_body (msg, TRICKLE_TYPE, RELAY_MAX_SDPFRAG_BODY, &body))
    return NULL;
  gsize len;
  const char *text = g_bytes_get_data (body, &len);
  g_autoptr (GError) error = NULL;
  RelaySdpFragment *frag = relay_sdp_fragment_parse (text, len, &error);
  if (!frag)
    relay_http_error (msg, 400, "bad-sdpfrag", error->message);
  return frag;
}

typedef struct {
  SoupServerMessage *msg; /* paused until the session answers */
  const RelaySessionResourceClass *klass;
} PatchRequest;

static void
on_patched (gpointer session, gboolean restarted, const char *fragment, const GError *error,
            gpointer data)
{
  PatchRequest *req = data;
  SoupServerMessage *msg = req->msg;
  if (error)
    relay_http_error (msg, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED) ? 404 : 400,
                      "patch-failed", error->message);
  else if (restarted)
    {
      /* An ICE restart changed the ETag: the client's next If-Match. */
      g_autofree char *etag = req->klass->dup_etag (session);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "ETag", etag);
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, TRICKLE_TYPE, SOUP_MEMORY_COPY, fragment,
                                        strlen (fragment));
    }
  else
    {
      soup_server_message_set_status (msg, 204, NULL);
      /* libsoup 3.2 closes the connection after this 204 (it reads a
       * response with neither body length nor body as ended by EOF, even
       * with the encoding set): saying so keeps a client from sending its
       * next request on a connection being closed ("other side closed"). */
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                    "close");
    }
  soup_server_message_unpause (msg);
  g_object_unref (msg);
  g_free (req);
}

static void
patch (SoupServerMessage *msg, const RelaySessionResourceClass *klass, gpointer session,
       GMainContext *reply_context)
{
  g_autofree char *etag = klass->dup_etag (session);
  if (!check_if_match (msg, etag))
    return;
  RelaySdpFragment *frag = read_fragment (msg);
  if (!frag)
    return;
  PatchRequest *req = g_new0 (PatchRequest, 1);
  req->msg = g_object_ref (msg);
  req->klass = klass;
  soup_server_message_pause (msg);
  klass->patch_async (session, frag, reply_context, on_patched, req);
}

void
relay_session_resource_answer (SoupServerMessage *msg, const char *method,
                               const RelaySessionResourceClass *klass, gpointer owner,
                               gpointer session, GMainContext *reply_context)
{
  if (strcmp (method, "DELETE") == 0)
    {
      klass->end (owner, session, klass->ended_by_delete);
      soup_server_message_set_status (msg, 200, NULL);
      return;
    }
  patch (msg, klass, session, reply_context);
}
