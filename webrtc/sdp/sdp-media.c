/* What one offered audio/video m-line can give the relay: the codec and
 * payload type by policy, its RTX, the rtcp-fb and header extensions worth
 * answering, and the client's SSRCs. */
#include "webrtc/sdp/sdp-media.h"

#include <gio/gio.h>
#include <string.h>

#define PROTO_SAVPF "UDP/TLS/RTP/SAVPF"

const char *
relay_sdp_candidate_address_refusal (const char *value)
{
  g_auto (GStrv) t = relay_sdp_split_ws (value);
  if (g_strv_length (t) < 5)
    return NULL;
  g_autoptr (GInetAddress) address = g_inet_address_new_from_string (t[4]);
  if (!address)
    return NULL;
  if (g_inet_address_get_is_any (address))
    return "the unspecified address";
  if (g_inet_address_get_is_multicast (address))
    return "a multicast address";
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4
      && memcmp (g_inet_address_to_bytes (address), "\xff\xff\xff\xff", 4) == 0)
    return "the broadcast address";
  return NULL;
}

/* Whitespace-separated tokens without the empty ones that doubled spaces
 * would give. */
GStrv
relay_sdp_split_ws (const char *s)
{
  g_auto (GStrv) raw = g_strsplit_set (s != NULL ? s : "", " \t", -1);
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; raw[i] != NULL; i++)
    if (raw[i][0] != '\0')
      g_strv_builder_add (b, raw[i]);
  return g_strv_builder_end (b);
}

/* Stricter than strtoul: no sign, no spaces, nothing after the digits. */
gboolean
relay_sdp_parse_uint (const char *s, guint64 max, guint64 *out)
{
  return s != NULL && g_ascii_isdigit (s[0]) &&
         g_ascii_string_to_unsigned (s, 10, 0, max, out, NULL);
}

/* ---- payload types ---- */

typedef struct {
  char encoding[32];
  guint clock_rate;
  guint channels;
} Rtpmap;

/* "<pt> <rest>" as used by a=rtpmap and a=fmtp. */
static gboolean
split_pt (const char *value, guint *pt, const char **rest)
{
  char *end = NULL;
  guint64 v;

  if (value == NULL || !g_ascii_isdigit (value[0]))
    return FALSE;
  v = g_ascii_strtoull (value, &end, 10);
  if (v > 127 || (*end != ' ' && *end != '\0'))
    return FALSE;
  while (*end == ' ')
    end++;
  *pt = (guint) v;
  *rest = end;
  return TRUE;
}

static gboolean
find_rtpmap (const GstSDPMedia *m, guint pt, Rtpmap *out)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (m); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, i);
    const char *rest;
    guint apt;
    guint64 clock, ch = 1;

    if (g_strcmp0 (a->key, "rtpmap") != 0 || !split_pt (a->value, &apt, &rest) || apt != pt)
      continue;
    g_auto (GStrv) parts = g_strsplit (rest, "/", 3);
    if (parts[0] == NULL || parts[1] == NULL || strlen (parts[0]) >= sizeof out->encoding ||
        !relay_sdp_parse_uint (parts[1], G_MAXUINT, &clock) ||
        (parts[2] != NULL && !relay_sdp_parse_uint (parts[2], 255, &ch)))
      return FALSE;
    g_strlcpy (out->encoding, parts[0], sizeof out->encoding);
    out->clock_rate = (guint) clock;
    out->channels = (guint) ch;
    return TRUE;
  }
  return FALSE;
}

static const char *
find_fmtp (const GstSDPMedia *m, guint pt)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (m); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, i);
    const char *rest;
    guint fpt;

    if (g_strcmp0 (a->key, "fmtp") == 0 && split_pt (a->value, &fpt, &rest) && fpt == pt)
      return rest;
  }
  return NULL;
}

/* One "name=value" of a ';'-separated fmtp, or NULL. */
static char *
fmtp_param (const char *fmtp, const char *name)
{
  if (fmtp == NULL)
    return NULL;
  g_auto (GStrv) params = g_strsplit (fmtp, ";", -1);
  for (guint i = 0; params[i] != NULL; i++) {
    char *eq = strchr (params[i], '=');
    if (eq == NULL)
      continue;
    *eq = '\0';
    if (g_ascii_strcasecmp (g_strstrip (params[i]), name) == 0)
      return g_strdup (g_strstrip (eq + 1));
  }
  return NULL;
}

/* 0: constrained baseline, 1: plain baseline, -1: not decodable by the
 * relay's baseline decoders or not packetized as the relay expects. Plain
 * baseline is taken because browsers offer 42001f and constrained streams
 * are a subset of it. */
static int
h264_rank (const char *fmtp)
{
  g_autofree char *mode = fmtp_param (fmtp, "packetization-mode");
  g_autofree char *plid = fmtp_param (fmtp, "profile-level-id");
  guint64 profile, iop;
  char hex[3] = { 0 };

  if (mode == NULL || strcmp (mode, "1") != 0)
    return -1;
  if (plid == NULL)
    return 1; /* RFC 6184: the default profile is baseline */
  if (strlen (plid) != 6)
    return -1;
  memcpy (hex, plid, 2);
  if (!g_ascii_string_to_unsigned (hex, 16, 0, 255, &profile, NULL))
    return -1;
  memcpy (hex, plid + 2, 2);
  if (!g_ascii_string_to_unsigned (hex, 16, 0, 255, &iop, NULL) || !g_ascii_isxdigit (plid[4]) ||
      !g_ascii_isxdigit (plid[5]) || profile != 0x42)
    return -1;
  return (iop & 0x40) != 0 ? 0 : 1; /* constraint_set1_flag */
}

static int
codec_rank (RelayCodec codec, const Rtpmap *map, const char *fmtp)
{
  switch (codec) {
  case RELAY_CODEC_OPUS:
    return g_ascii_strcasecmp (map->encoding, "opus") == 0 && map->clock_rate == 48000 &&
                   map->channels == 2 ? 0 : -1;
  case RELAY_CODEC_VP8:
    return g_ascii_strcasecmp (map->encoding, "VP8") == 0 && map->clock_rate == 90000 ? 0 : -1;
  case RELAY_CODEC_H264:
    if (g_ascii_strcasecmp (map->encoding, "H264") != 0 || map->clock_rate != 90000)
      return -1;
    return h264_rank (fmtp);
  case RELAY_CODEC_NONE: break;
  }
  return -1;
}

static gboolean
fmt_pt (const GstSDPMedia *m, guint idx, guint *pt)
{
  guint64 v;

  if (!relay_sdp_parse_uint (gst_sdp_media_get_format (m, idx), 127, &v))
    return FALSE;
  *pt = (guint) v;
  return TRUE;
}

static gint
find_rtx (const GstSDPMedia *m, guint pt, guint clock_rate)
{
  for (guint i = 0; i < gst_sdp_media_formats_len (m); i++) {
    Rtpmap map;
    guint rtx;
    guint64 apt;

    if (!fmt_pt (m, i, &rtx) || !find_rtpmap (m, rtx, &map) ||
        g_ascii_strcasecmp (map.encoding, "rtx") != 0 || map.clock_rate != clock_rate)
      continue;
    g_autofree char *apt_s = fmtp_param (find_fmtp (m, rtx), "apt");
    if (relay_sdp_parse_uint (apt_s, 127, &apt) && apt == pt)
      return (gint) rtx;
  }
  return -1;
}

/* Within one codec: the best rank, and among equals the first offered. */
static gboolean
pick_codec (const GstSDPMedia *m, RelayCodec codec, RelaySdpMedia *rm)
{
  int best_rank = G_MAXINT;
  guint best_pt = 0;
  Rtpmap best = { { 0 }, 0, 0 };

  for (guint i = 0; i < gst_sdp_media_formats_len (m); i++) {
    Rtpmap map;
    guint pt;
    int rank;

    if (!fmt_pt (m, i, &pt) || !find_rtpmap (m, pt, &map))
      continue;
    rank = codec_rank (codec, &map, find_fmtp (m, pt));
    if (rank >= 0 && rank < best_rank) {
      best_rank = rank;
      best_pt = pt;
      best = map;
    }
  }
  if (best_rank == G_MAXINT)
    return FALSE;
  rm->codec = codec;
  rm->payload_type = (guint8) best_pt;
  rm->clock_rate = best.clock_rate;
  rm->channels = best.channels;
  rm->fmtp = g_strdup (find_fmtp (m, best_pt));
  rm->rtx_payload_type = find_rtx (m, best_pt, best.clock_rate);
  return TRUE;
}

/* For the reject reason: the distinct encodings the client offered. */
static char *
offered_encodings (const GstSDPMedia *m)
{
  g_autoptr (GString) s = g_string_new (NULL);
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < gst_sdp_media_formats_len (m) && seen->len < 12; i++) {
    Rtpmap map;
    guint pt;

    if (!fmt_pt (m, i, &pt) || !find_rtpmap (m, pt, &map) ||
        g_ascii_strcasecmp (map.encoding, "rtx") == 0 ||
        g_ptr_array_find_with_equal_func (seen, map.encoding, g_str_equal, NULL))
      continue;
    g_ptr_array_add (seen, g_strdup (map.encoding));
    g_string_append_printf (s, "%s%s", s->len > 0 ? ", " : "", map.encoding);
  }
  return g_strdup (s->len > 0 ? s->str : "nothing usable");
}

/* ---- per m-line attributes ---- */

static void
read_rtcp_fb (const GstSDPMedia *m, const RelaySdpPolicy *policy, RelaySdpMedia *rm)
{
  g_autofree char *pt = g_strdup_printf ("%u", rm->payload_type);

  for (guint i = 0; i < gst_sdp_media_attributes_len (m); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, i);
    if (g_strcmp0 (a->key, "rtcp-fb") != 0)
      continue;
    g_auto (GStrv) t = relay_sdp_split_ws (a->value);
    if (t[0] == NULL || t[1] == NULL || (strcmp (t[0], pt) != 0 && strcmp (t[0], "*") != 0))
      continue;
    if (strcmp (t[1], "nack") == 0 && t[2] == NULL)
      rm->fb_nack = TRUE;
    else if (strcmp (t[1], "nack") == 0 && g_strcmp0 (t[2], "pli") == 0)
      rm->fb_nack_pli = TRUE;
    else if (strcmp (t[1], "ccm") == 0 && g_strcmp0 (t[2], "fir") == 0)
      rm->fb_ccm_fir = TRUE;
    else if (strcmp (t[1], "goog-remb") == 0 && policy->enable_remb)
      rm->fb_goog_remb = TRUE;
    else if (strcmp (t[1], "transport-cc") == 0 && policy->enable_twcc)
      rm->fb_transport_cc = TRUE;
  }
}

/* a=extmap:<id>[/<direction>] <uri> [<attributes>]; ids up to 255 because
 * two-byte headers (RFC 8285) are fine for the relay. */
static void
read_extmaps (const GstSDPMedia *m, const RelaySdpPolicy *policy, RelaySdpMedia *rm)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (m); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, i);
    guint64 id;

    if (g_strcmp0 (a->key, "extmap") != 0)
      continue;
    g_auto (GStrv) t = relay_sdp_split_ws (a->value);
    if (t[0] == NULL || t[1] == NULL)
      continue;
    char *slash = strchr (t[0], '/');
    if (slash != NULL)
      *slash = '\0';
    if (!relay_sdp_parse_uint (t[0], 255, &id) || id == 0)
      continue;
    if (strcmp (t[1], RELAY_EXT_MID) == 0 && rm->ext_mid == 0)
      rm->ext_mid = (guint8) id;
    else if (strcmp (t[1], RELAY_EXT_AUDIO_LEVEL) == 0 && rm->kind == RELAY_MEDIA_AUDIO &&
             rm->ext_audio_level == 0)
      rm->ext_audio_level = (guint8) id;
    else if (strcmp (t[1], RELAY_EXT_TWCC) == 0 && policy->enable_twcc && rm->ext_twcc == 0)
      rm->ext_twcc = (guint8) id;
  }
}

static void
read_ssrcs (const GstSDPMedia *m, RelaySdpMedia *rm)
{
  guint64 a, b;

  for (guint i = 0; i < gst_sdp_media_attributes_len (m) && rm->ssrc == 0; i++) {
    const GstSDPAttribute *attr = gst_sdp_media_get_attribute (m, i);
    if (g_strcmp0 (attr->key, "ssrc-group") != 0)
      continue;
    g_auto (GStrv) t = relay_sdp_split_ws (attr->value);
    if (t[0] != NULL && strcmp (t[0], "FID") == 0 && t[1] != NULL && t[2] != NULL &&
        relay_sdp_parse_uint (t[1], G_MAXUINT32, &a) &&
        relay_sdp_parse_uint (t[2], G_MAXUINT32, &b)) {
      rm->ssrc = (guint32) a;
      rm->rtx_ssrc = (guint32) b;
    }
  }
  for (guint i = 0; i < gst_sdp_media_attributes_len (m) && rm->ssrc == 0; i++) {
    const GstSDPAttribute *attr = gst_sdp_media_get_attribute (m, i);
    if (g_strcmp0 (attr->key, "ssrc") != 0)
      continue;
    g_auto (GStrv) t = relay_sdp_split_ws (attr->value);
    if (relay_sdp_parse_uint (t[0], G_MAXUINT32, &a))
      rm->ssrc = (guint32) a;
  }
  rm->msid = g_strdup (gst_sdp_media_get_attribute_val (m, "msid"));
}

const char *
relay_sdp_direction_name (RelayDirection d)
{
  static const char *const names[] = { "sendrecv", "sendonly", "recvonly", "inactive" };
  return (guint) d < G_N_ELEMENTS (names) ? names[d] : "inactive";
}

char *
relay_sdp_media_choose (const GstSDPMedia *m, RelaySdpMedia *rm, const RelaySdpPolicy *policy)
{
  gboolean dir_ok;

  if (g_ascii_strcasecmp (rm->proto, PROTO_SAVPF) != 0)
    return g_strdup_printf ("protocol %.64s is not " PROTO_SAVPF, rm->proto);
  /* Port 0 without a=bundle-only (RFC 8843) means the client disabled it. */
  if (gst_sdp_media_get_port (m) == 0 &&
      gst_sdp_media_get_attribute_val (m, "bundle-only") == NULL)
    return g_strdup ("disabled by the client (port 0)");
  if (policy->need_send)
    dir_ok = rm->direction == RELAY_DIRECTION_SENDONLY || rm->direction == RELAY_DIRECTION_SENDRECV;
  else
    dir_ok = rm->direction == RELAY_DIRECTION_RECVONLY || rm->direction == RELAY_DIRECTION_SENDRECV;
  if (!dir_ok)
    return g_strdup_printf ("direction %s, but the client must %s",
                            relay_sdp_direction_name (rm->direction),
                            policy->need_send ? "send (sendonly or sendrecv)"
                                              : "receive (recvonly or sendrecv)");

  if (rm->kind == RELAY_MEDIA_AUDIO) {
    if (!pick_codec (m, RELAY_CODEC_OPUS, rm)) {
      g_autofree char *have = offered_encodings (m);
      rm->no_common_codec = TRUE;
      return g_strdup_printf ("no supported audio codec (offered %s; the relay takes opus/48000/2)",
                              have);
    }
  } else {
    gboolean found = FALSE;
    g_autoptr (GString) want = g_string_new (NULL);

    for (guint i = 0; i < G_N_ELEMENTS (policy->video_codecs); i++) {
      RelayCodec c = policy->video_codecs[i];
      if (c == RELAY_CODEC_NONE)
        break;
      g_string_append_printf (want, "%s%s", want->len > 0 ? ", " : "",
                              c == RELAY_CODEC_H264
                                  ? "H264 constrained baseline with packetization-mode=1"
                                  : relay_codec_name (c));
      if (!found && (c == RELAY_CODEC_VP8 || c == RELAY_CODEC_H264))
        found = pick_codec (m, c, rm);
    }
    if (!found) {
      g_autofree char *have = offered_encodings (m);
      rm->no_common_codec = TRUE;
      return g_strdup_printf ("no supported video codec (offered %s; the relay takes %s)", have,
                              want->len > 0 ? want->str : "no video");
    }
  }
  rm->answer_direction = policy->need_send ? RELAY_DIRECTION_RECVONLY : RELAY_DIRECTION_SENDONLY;
  read_rtcp_fb (m, policy, rm);
  read_extmaps (m, policy, rm);
  read_ssrcs (m, rm);
  return NULL;
}
