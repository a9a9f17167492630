/* Sign-in: the store of sessions and one-time links on the test's own
 * clock (relay/signin/signin-store.c), the cookie as the relay reads and writes it
 * (http/session-cookie.c), and the QR code of a link, read back by a
 * decoder that is not ours (zbarimg) from the SVG the relay serves
 * (relay/signin/qr-svg.c). */
#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "relay/signin/qr-svg.h"
#include "relay/signin/signin-store.h"
#include "http/session-cookie.h"

#define S ((gint64) G_USEC_PER_SEC)
#define T0 (1000 * S)

static const RelaySigninLimits limits = {
  .max_sessions = 4,
  .max_sessions_per_viewer = 2,
  .max_links = 2,
  .session_lifetime_us = 3600 * S,
  .link_lifetime_us = 300 * S,
};

typedef struct {
  GPtrArray *ended; /* "<id> <why>" */
} Ended;

static void
on_ended (const RelaySigninSession *session, RelaySigninEnd why, gpointer data)
{
  Ended *e = data;
  g_ptr_array_add (e->ended, g_strdup_printf ("%s %d", session->id, why));
}

static void
test_session_lifetime (void)
{
  g_autoptr (RelaySigninStore) store = relay_signin_store_new (&limits);
  Ended e = { g_ptr_array_new_with_free_func (g_free) };
  relay_signin_store_watch (store, on_ended, &e);
  g_autofree char *secret = NULL;
  const RelaySigninSession *s = relay_signin_store_open (store, "minister", RELAY_ROLE_MINISTER,
                                                         RELAY_SIGNIN_BY_TOKEN, T0, &secret, NULL);
  g_assert_nonnull (s);
  g_autofree char *id = g_strdup (s->id);
  /* 256 bits in base64url, nothing a cookie would need escaped. */
  g_assert_cmpuint (strlen (secret), ==, 43);
  for (const char *p = secret; *p; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
  g_assert_cmpint (s->expires_us, ==, T0 + 3600 * S);

  const RelaySigninSession *found = relay_signin_store_lookup (store, secret, T0 + 10 * S);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->viewer.name, ==, "minister");
  g_assert_cmpint (found->viewer.role, ==, RELAY_ROLE_MINISTER);
  g_assert_cmpint (found->via, ==, RELAY_SIGNIN_BY_TOKEN);
  /* A near miss is nobody. */
  g_autofree char *other = g_strdup (secret);
  other[0] = other[0] == 'A' ? 'B' : 'A';
  g_assert_null (relay_signin_store_lookup (store, other, T0 + 10 * S));
  g_assert_null (relay_signin_store_lookup (store, "", T0));
  g_assert_null (relay_signin_store_lookup (store, NULL, T0));

  /* Still there a microsecond before its end, gone at it; the watcher is
   * told it expired. */
  g_assert_nonnull (relay_signin_store_lookup (store, secret, T0 + 3600 * S - 1));
  g_assert_null (relay_signin_store_lookup (store, secret, T0 + 3600 * S));
  g_assert_cmpuint (e.ended->len, ==, 1);
  g_autofree char *want = g_strdup_printf ("%s %d", id, RELAY_SIGNIN_END_EXPIRED);
  g_assert_cmpstr (e.ended->pdata[0], ==, want);
  g_assert_cmpuint (relay_signin_store_count_sessions (store), ==, 0);
  g_ptr_array_unref (e.ended);
}

static void
test_sign_out (void)
{
  g_autoptr (RelaySigninStore) store = relay_signin_store_new (&limits);
  Ended e = { g_ptr_array_new_with_free_func (g_free) };
  relay_signin_store_watch (store, on_ended, &e);
  g_autofree char *secret = NULL;
  g_assert_nonnull (relay_signin_store_open (store, "chair", RELAY_ROLE_CHAIR,
                                             RELAY_SIGNIN_BY_TOKEN, T0, &secret, NULL));
  g_assert_true (relay_signin_store_revoke (store, secret));
  g_assert_null (relay_signin_store_lookup (store, secret, T0 + S));
  g_assert_false (relay_signin_store_revoke (store, secret));
  g_assert_cmpuint (e.ended->len, ==, 1);
  g_assert_true (g_str_has_suffix (e.ended->pdata[0], " 0")); /* SIGNED_OUT */
  /* A store whose watcher is gone tells nobody. */
  relay_signin_store_unwatch (store, on_ended, &e);
  g_autofree char *again = NULL;
  g_assert_nonnull (relay_signin_store_open (store, "chair", RELAY_ROLE_CHAIR,
                                             RELAY_SIGNIN_BY_TOKEN, T0, &again, NULL));
  relay_signin_store_revoke (store, again);
  g_assert_cmpuint (e.ended->len, ==, 1);
  g_ptr_array_unref (e.ended);
}

static void
test_bounds (void)
{
  g_autoptr (RelaySigninStore) store = relay_signin_store_new (&limits);
  Ended e = { g_ptr_array_new_with_free_func (g_free) };
  relay_signin_store_watch (store, on_ended, &e);
  /* One viewer on a third device: its oldest session ends. */
  g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL;
  relay_signin_store_open (store, "minister", RELAY_ROLE_MINISTER, RELAY_SIGNIN_BY_TOKEN, T0, &m1,
                           NULL);
  relay_signin_store_open (store, "minister", RELAY_ROLE_MINISTER, RELAY_SIGNIN_BY_TOKEN, T0 + S,
                           &m2, NULL);
  relay_signin_store_open (store, "minister", RELAY_ROLE_MINISTER, RELAY_SIGNIN_BY_TOKEN,
                           T0 + 2 * S, &m3, NULL);
  g_assert_null (relay_signin_store_lookup (store, m1, T0 + 3 * S));
  g_assert_nonnull (relay_signin_store_lookup (store, m2, T0 + 3 * S));
  g_assert_nonnull (relay_signin_store_lookup (store, m3, T0 + 3 * S));
  g_assert_cmpuint (e.ended->len, ==, 1);
  g_assert_true (g_str_has_suffix (e.ended->pdata[0], " 2")); /* REPLACED */

  /* The store in all: 4 sessions, then refusals, which end nobody. */
  g_autofree char *c1 = NULL, *c2 = NULL, *c3 = NULL;
  g_assert_nonnull (relay_signin_store_open (store, "chair", RELAY_ROLE_CHAIR,
                                             RELAY_SIGNIN_BY_TOKEN, T0 + 3 * S, &c1, NULL));
  g_assert_nonnull (relay_signin_store_open (store, "wall", RELAY_ROLE_VIEWER,
                                             RELAY_SIGNIN_BY_TOKEN, T0 + 3 * S, &c2, NULL));
  g_autoptr (GError) error = NULL;
  g_assert_null (relay_signin_store_open (store, "link-x", RELAY_ROLE_VIEWER, RELAY_SIGNIN_BY_LINK,
                                          T0 + 3 * S, &c3, &error));
  g_assert_error (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_FULL);
  g_assert_null (c3);
  g_assert_cmpuint (relay_signin_store_count_sessions (store), ==, 4);
  g_assert_cmpuint (e.ended->len, ==, 1);
  /* Once one has expired, there is room again. */
  g_clear_error (&error);
  g_assert_nonnull (relay_signin_store_open (store, "link-x", RELAY_ROLE_VIEWER,
                                             RELAY_SIGNIN_BY_LINK, T0 + S + 3600 * S, &c3,
                                             &error));
  g_assert_no_error (error);
  g_ptr_array_unref (e.ended);
}

static void
test_link_once (void)
{
  g_autoptr (RelaySigninStore) store = relay_signin_store_new (&limits);
  g_autofree char *code = NULL, *id = NULL;
  gint64 expires = 0;
  g_assert_true (relay_signin_store_create_link (store, RELAY_ROLE_MINISTER, T0, &code, &id,
                                                 &expires, NULL));
  g_assert_cmpuint (strlen (code), ==, 22); /* 128 bits */
  g_assert_cmpuint (strlen (id), ==, 16);
  g_assert_cmpint (expires, ==, T0 + 300 * S);
  g_assert_cmpuint (relay_signin_store_count_links (store, T0), ==, 1);

  RelayViewerRole role = RELAY_ROLE_CHAIR;
  g_autofree char *used_id = NULL;
  g_assert_true (relay_signin_store_redeem_link (store, code, T0 + 10 * S, &role, &used_id, NULL));
  g_assert_cmpint (role, ==, RELAY_ROLE_MINISTER);
  g_assert_cmpstr (used_id, ==, id);
  g_assert_cmpuint (relay_signin_store_count_links (store, T0 + 10 * S), ==, 0);

  /* A second scan of the same code. */
  g_autoptr (GError) error = NULL;
  g_assert_false (relay_signin_store_redeem_link (store, code, T0 + 11 * S, &role, NULL, &error));
  g_assert_error (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_USED);
  /* Said so still long after the link would have expired. */
  g_clear_error (&error);
  g_assert_false (relay_signin_store_redeem_link (store, code, T0 + 3000 * S, &role, NULL, &error));
  g_assert_error (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_USED);
  /* Forgotten an hour after it expired: then nobody's. */
  g_clear_error (&error);
  g_assert_false (relay_signin_store_redeem_link (store, code, T0 + 300 * S + 3600 * S, &role,
                                                  NULL, &error));
  g_assert_error (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_UNKNOWN_CODE);
  g_clear_error (&error);
  g_assert_false (relay_signin_store_redeem_link (store, "not-a-code", T0, &role, NULL, &error));
  g_assert_error (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_UNKNOWN_CODE);
  g_clear_error (&error);
  g_assert_false (relay_signin_store_redeem_link (store, NULL, T0, &role, NULL, &error));
  g_assert_error (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_UNKNOWN_CODE);
}

static void
test_link_expiry_and_bounds (void)
{
  g_autoptr (RelaySigninStore) store = relay_signin_store_new (&limits);
  g_autoptr (GError) error = NULL;
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
  RelayViewerRole role;
  /* Never the chair's role. */
  g_assert_false (relay_signin_store_create_link (store, RELAY_ROLE_CHAIR, T0, &a, NULL, NULL,
                                                  &error));
  g_assert_error (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_ROLE);
  g_assert_null (a);
  g_clear_error (&error);

  g_assert_true (relay_signin_store_create_link (store, RELAY_ROLE_VIEWER, T0, &a, NULL, NULL,
                                                 NULL));
  g_assert_true (relay_signin_store_create_link (store, RELAY_ROLE_MINISTER, T0 + S, &b, NULL,
                                                 NULL, NULL));
  /* Two waiting: the third is refused until one is used or expires. */
  g_assert_false (relay_signin_store_create_link (store, RELAY_ROLE_MINISTER, T0 + 2 * S, &c, NULL,
                                                  NULL, &error));
  g_assert_error (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_TOO_MANY_LINKS);
  g_clear_error (&error);
  g_assert_true (relay_signin_store_redeem_link (store, b, T0 + 3 * S, &role, NULL, NULL));
  g_assert_true (relay_signin_store_create_link (store, RELAY_ROLE_MINISTER, T0 + 4 * S, &c, NULL,
                                                 NULL, NULL));

  /* `a` expires 300 s after it was made: refused as expired then. */
  g_assert_false (relay_signin_store_redeem_link (store, a, T0 + 300 * S, &role, NULL, &error));
  g_assert_error (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_EXPIRED);
  g_clear_error (&error);
  /* ...and no longer counts as waiting. */
  g_assert_true (relay_signin_store_create_link (store, RELAY_ROLE_MINISTER, T0 + 301 * S, &d,
                                                 NULL, NULL, NULL));

  /* However many links are made and used, the store keeps a bounded
   * number: 2 waiting and 4 x 2 remembered. */
  for (int i = 0; i < 200; i++)
    {
      g_autofree char *code = NULL;
      gint64 now = T0 + 400 * S + i;
      if (!relay_signin_store_create_link (store, RELAY_ROLE_MINISTER, now, &code, NULL, NULL,
                                           NULL))
        continue;
      relay_signin_store_redeem_link (store, code, now, &role, NULL, NULL);
    }
  g_assert_cmpuint (relay_signin_store_count_links (store, T0 + 400 * S + 200), <=, 2);
}

static void
test_cookie_parse (void)
{
  g_autofree char *a = relay_session_cookie_parse ("briefing_session=abc-DEF_123");
  g_assert_cmpstr (a, ==, "abc-DEF_123");
  g_autofree char *b = relay_session_cookie_parse (
      "theme=dark; briefing_session=xyz ; other=1");
  g_assert_cmpstr (b, ==, "xyz");
  /* Only our name, whole, and only values the relay could have set. */
  g_assert_null (relay_session_cookie_parse ("xbriefing_session=abc"));
  g_assert_null (relay_session_cookie_parse ("briefing_sessionx=abc"));
  g_assert_null (relay_session_cookie_parse ("briefing_session="));
  g_assert_null (relay_session_cookie_parse ("briefing_session=a b"));
  g_assert_null (relay_session_cookie_parse ("briefing_session=\"quoted\""));
  g_assert_null (relay_session_cookie_parse ("briefing_session"));
  g_assert_null (relay_session_cookie_parse (""));
  g_assert_null (relay_session_cookie_parse (NULL));
  g_autofree char *long_value = g_strnfill (129, 'a');
  g_autofree char *header = g_strconcat ("briefing_session=", long_value, NULL);
  g_assert_null (relay_session_cookie_parse (header));
  /* A malformed one first does not hide a good one after it. */
  g_autofree char *c = relay_session_cookie_parse ("briefing_session=bad value; briefing_session=ok");
  g_assert_cmpstr (c, ==, "ok");
}

static void
test_cookie_format (void)
{
  g_autofree char *plain = relay_session_cookie_format ("v4lue", 43200, FALSE);
  g_assert_cmpstr (plain, ==,
                   "briefing_session=v4lue; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict");
  g_autofree char *tls = relay_session_cookie_format ("v4lue", 60, TRUE);
  g_assert_cmpstr (tls, ==,
                   "briefing_session=v4lue; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure");
  g_autofree char *clear = relay_session_cookie_format (NULL, 43200, TRUE);
  g_assert_cmpstr (clear, ==,
                   "briefing_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure");
}

/* Draws the SVG's path ("M x yh n v1h-n z" per run of dark modules) with
 * cairo, `scale` pixels per module, into a PNG. */
static void
rasterize (const char *svg, const char *png, guint scale)
{
  guint size = 0;
  g_assert_cmpint (sscanf (strstr (svg, "viewBox=\"0 0 "), "viewBox=\"0 0 %u", &size), ==, 1);
  cairo_surface_t *surface
      = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) (size * scale), (int) (size * scale));
  cairo_t *cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  const char *d = strstr (svg, " d=\"") + 4;
  guint x, y, run, back;
  int used = 0;
  while (sscanf (d, "M%u %uh%uv1h-%uz%n", &x, &y, &run, &back, &used) == 4)
    {
      g_assert_cmpuint (run, ==, back);
      cairo_rectangle (cr, x * scale, y * scale, run * scale, scale);
      d += used;
    }
  g_assert_cmpint (*d, ==, '"');
  cairo_fill (cr);
  g_assert_cmpint (cairo_surface_write_to_png (surface, png), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static void
test_qr_reads_back (void)
{
  const char *url = "https://relay.example.go.th:8443/watch.html#signin=Zq3-_x9AbCdEfGhIjKlMnO";
  guint modules = 0;
  g_autoptr (GError) error = NULL;
  g_autofree char *svg = relay_qr_svg (url, &modules, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
  /* Version 4 or 5 for 75 bytes at level M: 33 or 37 modules, plus the
   * quiet zone of 4 on each side. */
  g_assert_cmpuint ((modules - 17) % 4, ==, 0);
  g_autofree char *box = g_strdup_printf ("viewBox=\"0 0 %u %u\"", modules + 8, modules + 8);
  g_assert_nonnull (strstr (svg, box));

  g_autofree char *dir = g_dir_make_tmp ("test-signin-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *png = g_build_filename (dir, "qr.png", NULL);
  rasterize (svg, png, 6);
  const char *argv[] = { "zbarimg", "--raw", "-q", png, NULL };
  g_autofree char *out = NULL, *err = NULL;
  int status = -1;
  /* Not skipped without zbarimg: scripts/setup installs zbar-tools. */
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_strchomp (out);
  g_assert_cmpstr (out, ==, url);
  g_unlink (png);
  g_rmdir (dir);

  /* More than a QR code holds is an error, not a crash. */
  g_autofree char *huge = g_strnfill (8000, 'x');
  g_clear_error (&error);
  g_assert_null (relay_qr_svg (huge, NULL, &error));
  g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/signin/session-lifetime", test_session_lifetime);
  g_test_add_func ("/signin/sign-out", test_sign_out);
  g_test_add_func ("/signin/bounds", test_bounds);
  g_test_add_func ("/signin/link-once", test_link_once);
  g_test_add_func ("/signin/link-expiry-and-bounds", test_link_expiry_and_bounds);
  g_test_add_func ("/signin/cookie-parse", test_cookie_parse);
  g_test_add_func ("/signin/cookie-format", test_cookie_format);
  g_test_add_func ("/signin/qr-reads-back", test_qr_reads_back);
  return g_test_run ();
}
