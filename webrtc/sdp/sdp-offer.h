/* Reading a WHIP/WHEP offer (JSEP, RFC 8829) into what the relay needs, on
 * GStreamer's GstSDPMessage, and choosing what the relay will accept. */
#pragma once

#include <glib.h>
#include "webrtc/base/media.h"

G_BEGIN_DECLS

#define RELAY_SDP_ERROR (relay_sdp_error_quark ())
GQuark relay_sdp_error_quark (void);
typedef enum {
  RELAY_SDP_ERROR_MALFORMED,   /* not parseable or missing mandatory lines: HTTP 400 */
  RELAY_SDP_ERROR_UNSUPPORTED, /* well-formed but cannot be served: HTTP 406 */
} RelaySdpError;

/* RTP header extension URIs the relay understands. */
#define RELAY_EXT_MID "urn:ietf:params:rtp-hdrext:sdes:mid"
#define RELAY_EXT_AUDIO_LEVEL "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
#define RELAY_EXT_TWCC "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"

/* One m-line of the offer and what we accepted of it. */
typedef struct {
  guint index;
  RelayMediaKind kind;
  char *kind_name;          /* "audio", "video", "application", ... */
  char *mid;
  RelayDirection direction; /* as offered */
  gboolean accepted;        /* FALSE: answered with port 0 */
  char *reject_reason;      /* why not accepted, for logs */
  gboolean no_common_codec; /* rejected for its codecs alone: the client wanted it */
  /* Chosen codec (accepted audio/video only). */
  RelayCodec codec;
  guint8 payload_type;
  guint clock_rate;
  guint channels;
  char *fmtp;               /* offered fmtp of the chosen payload type, or NULL */
  gint rtx_payload_type;    /* -1 when no RTX for the chosen codec */
  /* rtcp-fb offered for the chosen payload type (or "*"). */
  gboolean fb_nack, fb_nack_pli, fb_ccm_fir, fb_goog_remb, fb_transport_cc;
  /* Extension ids offered (0 = not offered). */
  guint8 ext_mid, ext_audio_level, ext_twcc;
  /* From a=ssrc / a=ssrc-group:FID when present (0 = learn from packets). */
  guint32 ssrc, rtx_ssrc;
  char *msid;               /* a=msid, or NULL */
  /* What a rejected m-line is answered with ("m=<kind> 0 <proto> <fmt>"),
   * and whether the answer may carry a=rtcp-rsize. */
  char *proto;              /* as offered, e.g. "UDP/DTLS/SCTP" */
  char *first_format;       /* first format of the m-line, as offered */
  gboolean rtcp_rsize;      /* a=rtcp-rsize offered */
  /* recvonly when the relay receives (WHIP), sendonly when it sends (WHEP),
   * inactive for a rejected m-line. */
  RelayDirection answer_direction;
  /* Accepted m=application (UDP/DTLS/SCTP webrtc-datachannel) only:
   * a=sctp-port (5000 when absent) and a=max-message-size (RFC 8841: 65536
   * when absent, 0 means no limit). */
  guint16 sctp_port;
  guint64 max_message_size;
} RelaySdpMedia;

/* Candidates read from one offer (the rest are left out) or one trickle
 * PATCH (more is refused): a browser gathers a handful; each one is an
 * address the relay sends ICE checks to, so a client must not be able to
 * name thousands. */
#define RELAY_SDP_MAX_CANDIDATES 32

/* a=fingerprint lines read from one offer (RFC 8122 allows one per hash
 * function and certificate; each costs a comparison in every handshake). */
#define RELAY_SDP_MAX_FINGERPRINTS 16

typedef struct {
  char *ice_ufrag;
  char *ice_pwd;
  gboolean ice_lite;
  gboolean ice_trickle;        /* a=ice-options:trickle */
  char **fingerprints;         /* the a=fingerprint lines whose hash the relay
                                * accepts, "<hash> <value>" as written (at
                                * least one, at most RELAY_SDP_MAX_FINGERPRINTS;
                                * lines with other hashes are left out) */
  char *setup;                 /* "actpass", "active" or "passive" */
  gboolean bundle;             /* a=group:BUNDLE covering all accepted m-lines */
  GPtrArray *candidates;       /* char*, "candidate:..." attribute values,
                                * at most RELAY_SDP_MAX_CANDIDATES, none
                                * with an address no check may go to */
  gboolean end_of_candidates;
  GPtrArray *media;            /* RelaySdpMedia*, in m-line order */
  RelaySdpMedia *audio;        /* the accepted audio m-line, or NULL */
  RelaySdpMedia *video;        /* the accepted video m-line, or NULL */
  RelaySdpMedia *application;  /* the accepted data channel m-line, or NULL */
} RelaySdpOffer;

typedef struct {
  /* Video codecs in order of preference (RELAY_CODEC_VP8 / _H264),
   * terminated by RELAY_CODEC_NONE. */
  RelayCodec video_codecs[4];
  gboolean enable_twcc;  /* accept transport-cc feedback and the TWCC extension */
  gboolean enable_remb;  /* accept goog-remb */
  gboolean need_send;    /* the peer must send (WHIP); FALSE: must receive (WHEP) */
  /* Answer one WebRTC data channel m-line (SCTP over DTLS). Only where the
   * peer sends (WHIP): the reporting channel is the province's. */
  gboolean accept_data_channel;
} RelaySdpPolicy;

void relay_sdp_policy_init_default (RelaySdpPolicy *policy);

/* What the relay announces in the answer's a=max-message-size. */
#define RELAY_SDP_MAX_MESSAGE_SIZE 262144

/* Parses and checks the offer. Missing ice-ufrag/pwd, no a=fingerprint with
 * a hash the relay accepts (or a malformed one, or too many), no rtcp-mux, no BUNDLE, no acceptable audio or video, a direction
 * that does not fit need_send: errors with a human-readable reason. At most
 * one audio and one video m-line are accepted, and one data channel m-line
 * when the policy allows; others are rejected (port 0). */
RelaySdpOffer *relay_sdp_offer_parse (const char *text, gsize len, const RelaySdpPolicy *policy,
                                      GError **error);
void relay_sdp_offer_free (RelaySdpOffer *offer);


G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelaySdpOffer, relay_sdp_offer_free)

G_END_DECLS
