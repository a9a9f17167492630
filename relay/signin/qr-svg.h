/* A QR code as an SVG image (libqrencode does the encoding): what the
 * chair's page shows for a phone to scan (docs/API.md, "Sign-in"). One dark
 * path on a white square with the standard quiet zone of four modules, in
 * module units (the page scales it), crisp edges. Pure; any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The SVG document of a QR code of `text` (error correction level M, the
 * smallest version that holds it), newly allocated; NULL with `error` when
 * it cannot be encoded (too long: a QR code holds at most ~2 KB at M).
 * *modules_out, when given, gets the symbol's width in modules (21 for
 * version 1, 4 more per version). */
char *relay_qr_svg (const char *text, guint *modules_out, GError **error);

G_END_DECLS
