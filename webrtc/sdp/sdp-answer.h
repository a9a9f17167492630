/* Building the relay's SDP answer (and trickle/restart fragments, RFC 8840)
 * with GstSDPMessage. */
#pragma once

#include <glib.h>
#include "webrtc/sdp/sdp-offer.h"

G_BEGIN_DECLS

typedef struct {
  const char *ice_ufrag;
  const char *ice_pwd;
  const char *fingerprint;       /* our sha-256 fingerprint */
  const char *const *candidates; /* NULL-terminated "candidate:..." values */
  guint video_bitrate_kbps;      /* b=AS and b=TIAS on video; 0 = none */
  guint32 audio_ssrc, video_ssrc; /* our SSRCs when we send (WHEP); 0 = none */
  const char *cname;             /* for a=ssrc cname; may be NULL */
} RelaySdpAnswerParams;

/* The answer: a=setup:passive, BUNDLE of the accepted mids, rtcp-mux,
 * direction reversed (sendonly offer -> recvonly), only the chosen codec and
 * its RTX, the accepted rtcp-fb and extmaps with the offered ids,
 * a=end-of-candidates. Rejected m-lines keep their kind with port 0. */
char *relay_sdp_answer_build (const RelaySdpOffer *offer, const RelaySdpAnswerParams *params);

/* A trickle-ice-sdpfrag (RFC 8840) body from a PATCH. */
typedef struct {
  char *ice_ufrag;    /* NULL when absent */
  char *ice_pwd;
  GPtrArray *candidates; /* char*, "candidate:..." values */
  gboolean end_of_candidates;
} RelaySdpFragment;

RelaySdpFragment *relay_sdp_fragment_parse (const char *text, gsize len, GError **error);
void relay_sdp_fragment_free (RelaySdpFragment *frag);

/* The 200 answer to an ICE restart PATCH: our new credentials and candidates. */
char *relay_sdp_fragment_build (const char *ice_ufrag, const char *ice_pwd,
                                const char *const *candidates, const char *mid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelaySdpFragment, relay_sdp_fragment_free)

G_END_DECLS
