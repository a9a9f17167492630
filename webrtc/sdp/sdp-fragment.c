/* Trickle ICE fragments (RFC 8840, application/trickle-ice-sdpfrag) as
 * carried by WHIP/WHEP PATCH requests. Read line by line: a fragment is not
 * a session description, so GstSDPMessage has nothing to offer here. */
#include "webrtc/sdp/sdp-answer.h"

#include <string.h>

#include "webrtc/sdp/sdp-media.h"

/* A PATCH carries a handful of candidates; anything near this is abuse. */
#define MAX_FRAGMENT_BYTES (64 * 1024)
#define MAX_LINE_BYTES 4096

void
relay_sdp_fragment_free (RelaySdpFragment *frag)
{
  if (frag == NULL)
    return;
  g_free (frag->ice_ufrag);
  g_free (frag->ice_pwd);
  g_clear_pointer (&frag->candidates, g_ptr_array_unref);
  g_free (frag);
}

static gboolean
bad (GError **error, guint lineno, const char *what)
{
  if (lineno > 0)
    g_set_error (error, RELAY_SDP_ERROR, RELAY_SDP_ERROR_MALFORMED, "fragment line %u: %s",
                 lineno, what);
  else
    g_set_error (error, RELAY_SDP_ERROR, RELAY_SDP_ERROR_MALFORMED, "fragment: %s", what);
  return FALSE;
}

/* RFC 8839: 4..256 (ufrag) or 22..256 (pwd) of ALPHA / DIGIT / "+" / "/".
 * The same value may repeat per m-line; different values cannot both hold. */
static gboolean
set_credential (char **slot, const char *value, gsize min, guint lineno, GError **error)
{
  gsize n = strlen (value);

  if (n < min || n > 256)
    return bad (error, lineno, "ICE credential has a bad length");
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isalnum (value[i]) && value[i] != '+' && value[i] != '/')
      return bad (error, lineno, "ICE credential has characters outside A-Z a-z 0-9 + /");
  if (*slot != NULL && strcmp (*slot, value) != 0)
    return bad (error, lineno, "conflicting ICE credentials");
  if (*slot == NULL)
    *slot = g_strdup (value);
  return TRUE;
}

/* RFC 8839 candidate-attribute: foundation, component, transport, priority,
 * address, port, "typ", type. Only the shape is checked; the ICE agent reads
 * the values. */
static gboolean
candidate_ok (const char *value)
{
  g_auto (GStrv) t = relay_sdp_split_ws (value);
  guint64 v;

  return g_strv_length (t) >= 8 && t[0][0] != '\0' && relay_sdp_parse_uint (t[1], 256, &v) &&
         relay_sdp_parse_uint (t[3], G_MAXUINT32, &v) &&
         relay_sdp_parse_uint (t[5], 65535, &v) && strcmp (t[6], "typ") == 0;
}

static gboolean
parse_line (RelaySdpFragment *frag, const char *line, guint lineno, GError **error)
{
  if (g_str_has_prefix (line, "a=ice-ufrag:"))
    return set_credential (&frag->ice_ufrag, line + strlen ("a=ice-ufrag:"), 4, lineno, error);
  if (g_str_has_prefix (line, "a=ice-pwd:"))
    return set_credential (&frag->ice_pwd, line + strlen ("a=ice-pwd:"), 22, lineno, error);
  if (g_str_has_prefix (line, "a=candidate:")) {
    if (!candidate_ok (line + strlen ("a=candidate:")))
      return bad (error, lineno, "a=candidate is not an ICE candidate");
    const char *refusal = relay_sdp_candidate_address_refusal (line + strlen ("a=candidate:"));
    if (refusal) {
      g_autofree char *why = g_strdup_printf ("a=candidate with %s, where no check may go", refusal);
      return bad (error, lineno, why);
    }
    if (frag->candidates->len >= RELAY_SDP_MAX_CANDIDATES) {
      g_autofree char *why = g_strdup_printf ("more than %u candidates", RELAY_SDP_MAX_CANDIDATES);
      return bad (error, lineno, why);
    }
    g_ptr_array_add (frag->candidates, g_strdup (line + 2));
    return TRUE;
  }
  if (strcmp (line, "a=end-of-candidates") == 0) {
    frag->end_of_candidates = TRUE;
    return TRUE;
  }
  /* m=, a=mid, a=ice-options, a=group and the rest: the relay has one
   * bundled transport, so which m-line a candidate names does not matter. */
  return TRUE;
}

RelaySdpFragment *
relay_sdp_fragment_parse (const char *text, gsize len, GError **error)
{
  g_autoptr (RelaySdpFragment) frag = NULL;
  const char *p = text, *end;
  guint lineno = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (text == NULL || len == 0) {
    bad (error, 0, "empty body");
    return NULL;
  }
  if (len > MAX_FRAGMENT_BYTES || memchr (text, '\0', len) != NULL ||
      !g_utf8_validate_len (text, len, NULL)) {
    bad (error, 0, len > MAX_FRAGMENT_BYTES ? "too large" : "not UTF-8 text");
    return NULL;
  }

  frag = g_new0 (RelaySdpFragment, 1);
  frag->candidates = g_ptr_array_new_with_free_func (g_free);
  end = text + len;
  while (p < end) {
    const char *nl = memchr (p, '\n', end - p);
    gsize n = (nl != NULL ? nl : end) - p;

    lineno++;
    if (n > 0 && p[n - 1] == '\r')
      n--;
    if (n > MAX_LINE_BYTES) {
      bad (error, lineno, "longer than 4096 bytes");
      return NULL;
    }
    if (n > 0) {
      if (n < 2 || !g_ascii_islower (p[0]) || p[1] != '=') {
        bad (error, lineno, "not an SDP <type>=<value> line");
        return NULL;
      }
      for (gsize i = 0; i < n; i++)
        if (((guchar) p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f) {
          bad (error, lineno, "control characters");
          return NULL;
        }
      g_autofree char *line = g_strndup (p, n);
      if (!parse_line (frag, line, lineno, error))
        return NULL;
    }
    p = nl != NULL ? nl + 1 : end;
  }
  return g_steal_pointer (&frag);
}

char *
relay_sdp_fragment_build (const char *ice_ufrag, const char *ice_pwd,
                          const char *const *candidates, const char *mid)
{
  GString *s = g_string_new (NULL);

  if (ice_ufrag != NULL)
    g_string_append_printf (s, "a=ice-ufrag:%s\r\n", ice_ufrag);
  if (ice_pwd != NULL)
    g_string_append_printf (s, "a=ice-pwd:%s\r\n", ice_pwd);
  /* RFC 8840 needs an m-line to hang a=mid on; its values are not read. */
  if (mid != NULL)
    g_string_append_printf (s, "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:%s\r\n", mid);
  for (guint i = 0; candidates != NULL && candidates[i] != NULL; i++) {
    const char *c = candidates[i];
    if (g_str_has_prefix (c, "a="))
      c += 2;
    g_string_append_printf (s, "a=%s%s\r\n", g_str_has_prefix (c, "candidate:") ? "" : "candidate:",
                            c);
  }
  g_string_append (s, "a=end-of-candidates\r\n");
  return g_string_free (s, FALSE);
}
