/* Internal to relay/sdp: reading one offered m-line, shared by the offer
 * parser. Not for other layers. */
#pragma once

#include <glib.h>
#include <gst/sdp/sdp.h>
#include "webrtc/sdp/sdp-offer.h"

G_BEGIN_DECLS

/* Whitespace-separated tokens, empty ones dropped. */
GStrv relay_sdp_split_ws (const char *s);

/* A decimal number with nothing around it, at most max. */
gboolean relay_sdp_parse_uint (const char *s, guint64 max, guint64 *out);

const char *relay_sdp_direction_name (RelayDirection d);

/* Why a candidate's connection address cannot be one an ICE check may be
 * sent to (the unspecified address, a multicast or the broadcast address:
 * a relay checking those would send STUN wherever a client names), or
 * NULL when it can. `value` is the candidate-attribute without "candidate:";
 * names (mDNS .local, FQDN) pass: the ICE agent resolves or skips them. */
const char *relay_sdp_candidate_address_refusal (const char *value);

/* Checks protocol, port and direction of an audio/video m-line and picks its
 * codec by policy, RTX, rtcp-fb, extensions and SSRCs into rm. Returns NULL
 * when the m-line can be relayed, else why not (free it). */
char *relay_sdp_media_choose (const GstSDPMedia *m, RelaySdpMedia *rm,
                              const RelaySdpPolicy *policy);

G_END_DECLS
