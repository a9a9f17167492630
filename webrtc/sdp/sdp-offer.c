/* Reading a WHIP/WHEP offer: GstSDPMessage does the tokenising, but it
 * accepts nearly anything, so every check a client can fail is made here. */
#include "webrtc/sdp/sdp-offer.h"

#include <string.h>
#include <gst/sdp/sdp.h>

#include "webrtc/dtls/dtls-fingerprint.h"
#include "webrtc/sdp/sdp-media.h"

/* Far above any browser offer (Chrome's is ~6 KiB) but small enough that a
 * hostile body cannot make the parser allocate much. */
#define MAX_OFFER_BYTES (256 * 1024)

G_DEFINE_QUARK (relay-sdp-error-quark, relay_sdp_error)

void
relay_sdp_policy_init_default (RelaySdpPolicy *policy)
{
  g_return_if_fail (policy != NULL);
  memset (policy, 0, sizeof *policy);
  policy->video_codecs[0] = RELAY_CODEC_VP8;
  policy->video_codecs[1] = RELAY_CODEC_H264;
  policy->video_codecs[2] = RELAY_CODEC_NONE;
  policy->enable_twcc = TRUE;
  policy->enable_remb = TRUE;
  policy->need_send = TRUE;
  policy->accept_data_channel = TRUE;
}

static void
media_free (gpointer data)
{
  RelaySdpMedia *m = data;

  g_free (m->kind_name);
  g_free (m->mid);
  g_free (m->reject_reason);
  g_free (m->fmtp);
  g_free (m->msid);
  g_free (m->proto);
  g_free (m->first_format);
  g_free (m);
}

void
relay_sdp_offer_free (RelaySdpOffer *offer)
{
  if (offer == NULL)
    return;
  g_free (offer->ice_ufrag);
  g_free (offer->ice_pwd);
  g_strfreev (offer->fingerprints);
  g_free (offer->setup);
  g_clear_pointer (&offer->candidates, g_ptr_array_unref);
  g_clear_pointer (&offer->media, g_ptr_array_unref);
  g_free (offer);
}

/* RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/". */
static gboolean
ice_chars_ok (const char *s, gsize min, gsize max)
{
  gsize n = strlen (s);

  if (n < min || n > max)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isalnum (s[i]) && s[i] != '+' && s[i] != '/')
      return FALSE;
  return TRUE;
}

/* 32 colon-separated hex octets (RFC 8122 for sha-256). */
static gboolean
fail (GError **error, RelaySdpError code, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError **error, RelaySdpError code, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, RELAY_SDP_ERROR, code, msg);
  return FALSE;
}

/* GstSDPMessage silently skips lines it does not understand and ends lines
 * at a bare CR, so the raw text is checked line by line first. */
static gboolean
check_text (const char *text, gsize len, GError **error)
{
  const char *p = text, *end = text + len;
  guint lineno = 0;
  gboolean seen_first = FALSE;

  if (text == NULL || len == 0)
    return fail (error, RELAY_SDP_ERROR_MALFORMED, "empty offer");
  if (len > MAX_OFFER_BYTES)
    return fail (error, RELAY_SDP_ERROR_MALFORMED, "offer larger than %u bytes",
                 (guint) MAX_OFFER_BYTES);
  if (memchr (text, '\0', len) != NULL)
    return fail (error, RELAY_SDP_ERROR_MALFORMED, "offer is not text (contains NUL bytes)");
  if (!g_utf8_validate_len (text, len, NULL))
    return fail (error, RELAY_SDP_ERROR_MALFORMED, "offer is not valid UTF-8");

  while (p < end) {
    const char *nl = memchr (p, '\n', end - p);
    gsize n = (nl != NULL ? nl : end) - p;

    lineno++;
    if (n > 0 && p[n - 1] == '\r')
      n--;
    if (n > 0) {
      if (n < 2 || !g_ascii_islower (p[0]) || p[1] != '=')
        return fail (error, RELAY_SDP_ERROR_MALFORMED,
                     "line %u is not an SDP <type>=<value> line", lineno);
      for (gsize i = 0; i < n; i++)
        if (((guchar) p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
          return fail (error, RELAY_SDP_ERROR_MALFORMED,
                       "line %u contains control characters", lineno);
      if (!seen_first && (n != 3 || memcmp (p, "v=0", 3) != 0))
        return fail (error, RELAY_SDP_ERROR_MALFORMED, "offer does not start with v=0");
      seen_first = TRUE;
    }
    p = nl != NULL ? nl + 1 : end;
  }
  if (!seen_first)
    return fail (error, RELAY_SDP_ERROR_MALFORMED, "empty offer");
  return TRUE;
}

static RelayDirection
read_direction (const GstSDPMessage *msg, const GstSDPMedia *m)
{
  for (guint d = 0; d < 4; d++)
    if (gst_sdp_media_get_attribute_val (m, relay_sdp_direction_name (d)) != NULL)
      return d;
  for (guint d = 0; d < 4; d++)
    if (gst_sdp_message_get_attribute_val (msg, relay_sdp_direction_name (d)) != NULL)
      return d;
  return RELAY_DIRECTION_SENDRECV;
}

static RelayMediaKind
kind_from_name (const char *name)
{
  if (strcmp (name, "audio") == 0)
    return RELAY_MEDIA_AUDIO;
  if (strcmp (name, "video") == 0)
    return RELAY_MEDIA_VIDEO;
  if (strcmp (name, "application") == 0)
    return RELAY_MEDIA_APPLICATION;
  return RELAY_MEDIA_OTHER;
}

static RelaySdpMedia *
read_media_line (const GstSDPMessage *msg, const GstSDPMedia *m, guint index, GError **error)
{
  const char *kind = gst_sdp_media_get_media (m);
  const char *proto = gst_sdp_media_get_proto (m);
  const char *fmt0 = gst_sdp_media_get_format (m, 0);
  RelaySdpMedia *rm;

  if (kind == NULL || *kind == '\0' || proto == NULL || *proto == '\0' || fmt0 == NULL ||
      *fmt0 == '\0') {
    fail (error, RELAY_SDP_ERROR_MALFORMED,
          "m-line %u is incomplete (needs media, port, protocol and a format)", index);
    return NULL;
  }
  rm = g_new0 (RelaySdpMedia, 1);
  rm->index = index;
  rm->kind = kind_from_name (kind);
  rm->kind_name = g_strdup (kind);
  rm->mid = g_strdup (gst_sdp_media_get_attribute_val (m, "mid"));
  rm->direction = read_direction (msg, m);
  rm->proto = g_strdup (proto);
  rm->first_format = g_strdup (fmt0);
  rm->rtcp_rsize = gst_sdp_media_get_attribute_val (m, "rtcp-rsize") != NULL;
  rm->rtx_payload_type = -1;
  rm->answer_direction = RELAY_DIRECTION_INACTIVE;
  return rm;
}

/* ---- transport (ICE, DTLS) ---- */

/* Media level wins over session level (RFC 8839 / RFC 8842). */
static const char *
transport_attr (const GstSDPMessage *msg, const GstSDPMedia *tm, const char *key)
{
  const char *v = gst_sdp_media_get_attribute_val (tm, key);
  return v != NULL ? v : gst_sdp_message_get_attribute_val (msg, key);
}

/* Every a=fingerprint of the transport (RFC 8122 section 5: one per hash
 * function and certificate). Lines with a hash the relay does not accept
 * are left out, as RFC 8122 lets an endpoint ignore them; the DTLS layer
 * accepts the peer's certificate when it matches any line kept. */
static gboolean
read_fingerprint (const GstSDPMessage *msg, const GstSDPMedia *tm, RelaySdpOffer *offer,
                  GError **error)
{
  gboolean media_level = gst_sdp_media_get_attribute_val (tm, "fingerprint") != NULL;
  g_autoptr (GPtrArray) usable = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *other = NULL;
  guint n;

  for (n = 0;; n++) {
    const char *v = media_level ? gst_sdp_media_get_attribute_val_n (tm, "fingerprint", n)
                                : gst_sdp_message_get_attribute_val_n (msg, "fingerprint", n);
    if (v == NULL)
      break;
    if (n == RELAY_SDP_MAX_FINGERPRINTS)
      return fail (error, RELAY_SDP_ERROR_MALFORMED, "more than %u a=fingerprint lines",
                   RELAY_SDP_MAX_FINGERPRINTS);
    g_auto (GStrv) t = relay_sdp_split_ws (v);
    if (t[0] == NULL || t[1] == NULL)
      return fail (error, RELAY_SDP_ERROR_MALFORMED, "a=fingerprint needs a hash and a value");
    guint len = relay_dtls_fingerprint_hash_len (t[0]);
    if (len == 0) {
      if (other == NULL)
        other = g_strdup (t[0]);
      continue;
    }
    if (!relay_dtls_fingerprint_value_ok (t[1], len))
      return fail (error, RELAY_SDP_ERROR_MALFORMED,
                   "a=fingerprint:%s value is not %u colon-separated hex octets", t[0], len);
    g_ptr_array_add (usable, g_strdup_printf ("%s %s", t[0], t[1]));
  }
  if (usable->len == 0 && n == 0)
    return fail (error, RELAY_SDP_ERROR_MALFORMED, "no a=fingerprint");
  if (usable->len == 0)
    return fail (error, RELAY_SDP_ERROR_MALFORMED,
                 "no a=fingerprint with a hash function the relay accepts (%s); "
                 "the offer has %.32s", relay_dtls_fingerprint_supported_hashes (), other);
  g_ptr_array_add (usable, NULL);
  offer->fingerprints = (char **) g_ptr_array_free (g_steal_pointer (&usable), FALSE);
  return TRUE;
}

static gboolean
read_transport (const GstSDPMessage *msg, const GstSDPMedia *tm, RelaySdpOffer *offer,
                GError **error)
{
  const char *ufrag = transport_attr (msg, tm, "ice-ufrag");
  const char *pwd = transport_attr (msg, tm, "ice-pwd");
  const char *setup = transport_attr (msg, tm, "setup");
  const char *options = transport_attr (msg, tm, "ice-options");

  if (ufrag == NULL || *ufrag == '\0')
    return fail (error, RELAY_SDP_ERROR_MALFORMED, "no a=ice-ufrag");
  if (pwd == NULL || *pwd == '\0')
    return fail (error, RELAY_SDP_ERROR_MALFORMED, "no a=ice-pwd");
  if (!ice_chars_ok (ufrag, 4, 256))
    return fail (error, RELAY_SDP_ERROR_MALFORMED,
                 "a=ice-ufrag must be 4 to 256 characters of A-Z a-z 0-9 + /");
  if (!ice_chars_ok (pwd, 22, 256))
    return fail (error, RELAY_SDP_ERROR_MALFORMED,
                 "a=ice-pwd must be 22 to 256 characters of A-Z a-z 0-9 + /");
  offer->ice_ufrag = g_strdup (ufrag);
  offer->ice_pwd = g_strdup (pwd);
  offer->ice_lite = gst_sdp_message_get_attribute_val (msg, "ice-lite") != NULL;
  if (options != NULL) {
    g_auto (GStrv) t = relay_sdp_split_ws (options);
    offer->ice_trickle = g_strv_contains ((const char *const *) t, "trickle");
  }

  if (!read_fingerprint (msg, tm, offer, error))
    return FALSE;

  /* RFC 4145: no a=setup means active. The relay is always the DTLS server. */
  if (setup == NULL || strcmp (setup, "actpass") == 0 || strcmp (setup, "active") == 0)
    offer->setup = g_strdup (setup != NULL ? setup : "active");
  else if (strcmp (setup, "passive") == 0 || strcmp (setup, "holdconn") == 0)
    return fail (error, RELAY_SDP_ERROR_UNSUPPORTED,
                 "a=setup:%s is not supported; the relay is passive, so the client must be "
                 "actpass or active", setup);
  else
    return fail (error, RELAY_SDP_ERROR_MALFORMED, "a=setup has an unknown value");
  return TRUE;
}

/* Candidates of the bundled transport: the first accepted m-line's (and
 * session-level ones). A client that put them only elsewhere still gets
 * them used, since all bundled m-lines share one ufrag. */
/* Past the limit, candidates are left out rather than the offer refused: a
 * browser on a machine with many interfaces may gather more, and the first
 * ones (host candidates come first) are the ones that work. One that no
 * check may be sent to is left out too: it could never work. */
static void
add_candidate (RelaySdpOffer *offer, const char *value)
{
  if (offer->candidates->len < RELAY_SDP_MAX_CANDIDATES
      && relay_sdp_candidate_address_refusal (value) == NULL)
    g_ptr_array_add (offer->candidates, g_strconcat ("candidate:", value, NULL));
}

static void
read_candidates (const GstSDPMessage *msg, const GstSDPMedia *tm, RelaySdpOffer *offer)
{
  for (guint i = 0; i < gst_sdp_message_attributes_len (msg); i++) {
    const GstSDPAttribute *a = gst_sdp_message_get_attribute (msg, i);
    if (g_strcmp0 (a->key, "candidate") == 0 && a->value != NULL && *a->value != '\0')
      add_candidate (offer, a->value);
    else if (g_strcmp0 (a->key, "end-of-candidates") == 0)
      offer->end_of_candidates = TRUE;
  }
  for (guint pass = 0; pass < 2; pass++) {
    for (guint j = 0; j < gst_sdp_message_medias_len (msg); j++) {
      const GstSDPMedia *m = gst_sdp_message_get_media (msg, j);
      if (pass == 0 && m != tm)
        continue;
      for (guint i = 0; i < gst_sdp_media_attributes_len (m); i++) {
        const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, i);
        if (g_strcmp0 (a->key, "candidate") == 0 && a->value != NULL && *a->value != '\0')
          add_candidate (offer, a->value);
        else if (g_strcmp0 (a->key, "end-of-candidates") == 0)
          offer->end_of_candidates = TRUE;
      }
    }
    if (offer->candidates->len > 0)
      break;
  }
}

static gboolean
check_mux_and_bundle (const GstSDPMessage *msg, RelaySdpOffer *offer, GError **error)
{
  gboolean session_mux = gst_sdp_message_get_attribute_val (msg, "rtcp-mux") != NULL;

  for (guint i = 0; i < offer->media->len; i++) {
    RelaySdpMedia *rm = g_ptr_array_index (offer->media, i);
    const GstSDPMedia *m = gst_sdp_message_get_media (msg, rm->index);
    if (!rm->accepted)
      continue;
    /* SCTP has no RTCP: rtcp-mux does not apply to a data channel. */
    if (!session_mux && rm->kind != RELAY_MEDIA_APPLICATION && gst_sdp_media_get_attribute_val (m, "rtcp-mux") == NULL)
      return fail (error, RELAY_SDP_ERROR_UNSUPPORTED,
                   "m-line %u (%s) has no a=rtcp-mux; the relay needs RTP and RTCP on one port",
                   rm->index, rm->kind_name);
    if (rm->mid == NULL || *rm->mid == '\0')
      return fail (error, RELAY_SDP_ERROR_UNSUPPORTED,
                   "m-line %u (%s) has no a=mid, so it cannot be bundled", rm->index,
                   rm->kind_name);
  }
  for (guint n = 0; !offer->bundle; n++) {
    const char *v = gst_sdp_message_get_attribute_val_n (msg, "group", n);
    if (v == NULL)
      break;
    g_auto (GStrv) t = relay_sdp_split_ws (v);
    if (t[0] == NULL || strcmp (t[0], "BUNDLE") != 0)
      continue;
    offer->bundle = TRUE;
    for (guint i = 0; i < offer->media->len; i++) {
      RelaySdpMedia *rm = g_ptr_array_index (offer->media, i);
      if (rm->accepted && !g_strv_contains ((const char *const *) t + 1, rm->mid))
        offer->bundle = FALSE;
    }
  }
  if (!offer->bundle)
    return fail (error, RELAY_SDP_ERROR_UNSUPPORTED,
                 "no a=group:BUNDLE covers the accepted m-lines; the relay uses one bundled "
                 "transport");
  return TRUE;
}

/* RFC 8841: "m=application <port> UDP/DTLS/SCTP webrtc-datachannel"
 * (the older "DTLS/SCTP 5000" form with a=sctpmap is not accepted). */
static char *
choose_data_channel (const GstSDPMedia *m, RelaySdpMedia *rm, const RelaySdpPolicy *policy)
{
  if (!policy->accept_data_channel || !policy->need_send)
    return g_strdup ("data channels are accepted on WHIP sessions only");
  if (g_strcmp0 (rm->proto, "UDP/DTLS/SCTP") != 0)
    return g_strdup_printf ("application protocol %.32s is not UDP/DTLS/SCTP", rm->proto);
  if (g_strcmp0 (rm->first_format, "webrtc-datachannel") != 0)
    return g_strdup ("application m-line is not webrtc-datachannel");
  const char *port = gst_sdp_media_get_attribute_val (m, "sctp-port");
  const char *size = gst_sdp_media_get_attribute_val (m, "max-message-size");
  guint64 v = 0;
  if (port == NULL)
    rm->sctp_port = 5000;
  else if (g_ascii_string_to_unsigned (port, 10, 1, G_MAXUINT16, &v, NULL))
    rm->sctp_port = (guint16) v;
  else
    return g_strdup ("a=sctp-port is not a port number");
  if (size == NULL)
    rm->max_message_size = 65536;
  else if (g_ascii_string_to_unsigned (size, 10, 0, G_MAXUINT64, &v, NULL))
    rm->max_message_size = v;
  else
    return g_strdup ("a=max-message-size is not a number");
  return NULL;
}

/* Only the first acceptable audio and the first acceptable video m-line
 * are taken; everything else is answered with port 0 but does not fail the
 * offer. */
static void
decide (const GstSDPMedia *m, RelaySdpMedia *rm, RelaySdpOffer *offer,
        const RelaySdpPolicy *policy)
{
  RelaySdpMedia **slot = NULL;

  if (rm->kind == RELAY_MEDIA_AUDIO)
    slot = &offer->audio;
  else if (rm->kind == RELAY_MEDIA_VIDEO)
    slot = &offer->video;
  else if (rm->kind == RELAY_MEDIA_APPLICATION)
    slot = &offer->application;

  if (slot == NULL) {
    rm->reject_reason = g_strdup_printf ("%.32s m-lines are not relayed", rm->kind_name);
    return;
  }
  if (*slot != NULL) {
    rm->reject_reason = g_strdup_printf ("only one %.32s m-line is relayed", rm->kind_name);
    return;
  }
  rm->reject_reason = rm->kind == RELAY_MEDIA_APPLICATION ? choose_data_channel (m, rm, policy)
                                                           : relay_sdp_media_choose (m, rm, policy);
  if (rm->reject_reason == NULL) {
    rm->accepted = TRUE;
    *slot = rm;
  }
}

RelaySdpOffer *
relay_sdp_offer_parse (const char *text, gsize len, const RelaySdpPolicy *policy,
                       GError **error)
{
  RelaySdpPolicy defaults;
  g_autoptr (GstSDPMessage) msg = NULL;
  g_autoptr (RelaySdpOffer) offer = NULL;
  const GstSDPMedia *tm = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (policy == NULL) {
    relay_sdp_policy_init_default (&defaults);
    policy = &defaults;
  }
  if (!check_text (text, len, error))
    return NULL;

  /* Some GStreamer releases read up to a NUL rather than size bytes. */
  g_autofree char *copy = g_strndup (text, len);
  gst_sdp_message_new (&msg);
  if (gst_sdp_message_parse_buffer ((const guint8 *) copy, (guint) len, msg) != GST_SDP_OK) {
    fail (error, RELAY_SDP_ERROR_MALFORMED, "offer is not parseable SDP");
    return NULL;
  }
  if (gst_sdp_message_medias_len (msg) == 0) {
    fail (error, RELAY_SDP_ERROR_MALFORMED, "offer has no m-lines");
    return NULL;
  }

  offer = g_new0 (RelaySdpOffer, 1);
  offer->candidates = g_ptr_array_new_with_free_func (g_free);
  offer->media = g_ptr_array_new_with_free_func (media_free);
  for (guint i = 0; i < gst_sdp_message_medias_len (msg); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (msg, i);
    RelaySdpMedia *rm = read_media_line (msg, m, i, error);
    if (rm == NULL)
      return NULL;
    g_ptr_array_add (offer->media, rm);
    decide (m, rm, offer, policy);
    if (rm->accepted && tm == NULL)
      tm = m;
  }

  /* Without an accepted m-line the first one stands in, so that a broken
   * transport is still reported as malformed rather than unsupported. */
  if (!read_transport (msg, tm != NULL ? tm : gst_sdp_message_get_media (msg, 0), offer, error))
    return NULL;

  if (offer->audio == NULL && offer->video == NULL) {
    g_autoptr (GString) why = g_string_new ("no acceptable audio or video m-line:");
    for (guint i = 0; i < offer->media->len; i++) {
      RelaySdpMedia *rm = g_ptr_array_index (offer->media, i);
      g_string_append_printf (why, "%s m-line %u (%.32s): %s", i > 0 ? ";" : "", rm->index,
                              rm->kind_name, rm->reject_reason);
    }
    fail (error, RELAY_SDP_ERROR_UNSUPPORTED, "%s", why->str);
    return NULL;
  }
  if (!check_mux_and_bundle (msg, offer, error))
    return NULL;
  read_candidates (msg, tm, offer);
  return g_steal_pointer (&offer);
}
