/* webrtcbin helpers shared by the test tools: promises bounced to the main
 * context, SDP in and out, ICE agent tuning and the pipeline's bus.  Not a
 * public interface. */
#pragma once

#include <gst/gst.h>

#define GST_USE_UNSTABLE_API
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

G_BEGIN_DECLS

/* --- promises ---
 * webrtcbin resolves promises on its own threads; bounce() hands a
 * resolved one to @func on the main context as a ToolPromiseReply, freed
 * after @func has run. */
typedef struct {
  gpointer peer;
  GstPromise *promise;
} ToolPromiseReply;

void tool_promise_bounce (GstPromise *promise, gpointer peer,
    GSourceFunc func);
/* The error a resolved promise carries, if any. */
GError *tool_promise_error (GstPromise *promise);
/* The session description under @field ("offer", "answer") of a
 * create-offer/create-answer reply; NULL with @error set otherwise. */
GstWebRTCSessionDescription *tool_promise_description (GstPromise *promise,
    const char *field, GError **error);

/* --- descriptions --- */

/* Emits @signal ("create-offer", "create-answer") with @done as the
 * promise's change function. */
void tool_webrtc_create (GstElement *webrtc, const char *signal,
    GstPromiseChangeFunc done, gpointer data);
/* Sets @desc (not taken) as the local description. */
void tool_webrtc_set_local (GstElement *webrtc,
    const GstWebRTCSessionDescription *desc, GstPromiseChangeFunc done,
    gpointer data);
/* Parses @text and sets it as the remote description; FALSE, with nothing
 * set, when it is not SDP with at least one m-line. */
gboolean tool_webrtc_set_remote (GstElement *webrtc, GstWebRTCSDPType type,
    const char *text, GstPromiseChangeFunc done, gpointer data);
/* The local description as SDP text, with every candidate gathered so far
 * (webrtcbin adds them as they come); NULL before there is one. */
char *tool_webrtc_local_sdp (GstElement *webrtc);
gboolean tool_webrtc_gathering_complete (GstElement *webrtc);

/* --- the local description ---
 * WHIP and WHEP here do not trickle: the one offer (or answer) must carry
 * every candidate, but a host with a dead interface must not hold a test up
 * for long.  A ToolOffer, embedded in a peer, runs create-offer (or
 * create-answer), set-local-description and the wait for gathering, all
 * on the main context, and hands the finished SDP to the peer. */

#define TOOL_GATHER_TIMEOUT_MS 3000

typedef struct {
  /* Whether to go on: not shutting down, not failed, nothing else decided. */
  gboolean (*active) (gpointer peer);
  /* A step failed: report an error event (stage "offer") with @message
   * and fail the peer. */
  void (*fail) (gpointer peer, const char *message);
  /* The local description with its candidates, as SDP text (taken). */
  void (*ready) (gpointer peer, char *sdp);
} ToolOfferHooks;

typedef struct {
  const ToolOfferHooks *hooks;
  gpointer peer;
  GstElement *webrtc;
  const char *label;            /* for stderr; the peer's */
  const char *kind;             /* "offer" or "answer" */
  gboolean local_set;
  gboolean taken;               /* handed to ready () or failed */
  guint gather_timeout;
} ToolOffer;

/* Emits create-@kind on @webrtc; the rest follows from its reply. */
void tool_offer_create (ToolOffer *offer, const ToolOfferHooks *hooks,
    gpointer peer, GstElement *webrtc, const char *label, const char *kind);
/* For notify::ice-gathering-state (on the main context): hands the
 * description over if gathering has completed since. */
void tool_offer_check (ToolOffer *offer);
/* Stops waiting; nothing is handed over after this. */
void tool_offer_clear (ToolOffer *offer);

/* --- setup --- */

/* Turns off libnice's UPnP and ICE-TCP; see the definition for why. */
void tool_webrtc_quiet_ice_agent (GstElement *webrtc);
/* The nick of an enum value ("connected"), or "unknown". */
const char *tool_enum_nick (GType type, int value);

/* An error message on the bus: the element's name and the error.  Called
 * on the main context; the debug text is already on stderr. */
typedef void (*ToolBusErrorFunc) (gpointer peer, const char *source,
    const GError *error);

/* Watches @pipeline's bus: errors go to @on_error, and their debug text
 * and warnings to stderr after "@label: ".  Returns the watch's id. */
guint tool_bus_watch (GstElement *pipeline, const char *label,
    ToolBusErrorFunc on_error, gpointer peer);

G_END_DECLS
