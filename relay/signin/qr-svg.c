#include "relay/signin/qr-svg.h"

#include <errno.h>
#include <gio/gio.h>
#include <qrencode.h>
#include <string.h>

/* ISO/IEC 18004 asks for four light modules around the symbol. */
#define QUIET_ZONE 4

char *
relay_qr_svg (const char *text, guint *modules_out, GError **error)
{
  /* Byte mode, case kept: the text is a URL whose code is case-sensitive. */
  QRcode *qr = QRcode_encodeString8bit (text, 0, QR_ECLEVEL_M);
  if (!qr)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot encode %zu bytes as a QR code: %s", strlen (text),
                   g_strerror (saved));
      return NULL;
    }
  guint width = (guint) qr->width;
  guint size = width + 2 * QUIET_ZONE;
  GString *svg = g_string_new (NULL);
  g_string_append_printf (svg,
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %u %u\" "
                          "shape-rendering=\"crispEdges\">"
                          "<rect width=\"%u\" height=\"%u\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
                          size, size, size, size);
  /* One rectangle per run of dark modules in a row: a tenth of the path a
   * square per module would make. libqrencode's bit 0 is "dark". */
  for (guint y = 0; y < width; y++)
    {
      guint x = 0;
      while (x < width)
        {
          if (!(qr->data[y * width + x] & 1))
            {
              x++;
              continue;
            }
          guint run = 0;
          while (x + run < width && (qr->data[y * width + x + run] & 1))
            run++;
          g_string_append_printf (svg, "M%u %uh%uv1h-%uz", x + QUIET_ZONE, y + QUIET_ZONE, run,
                                  run);
          x += run;
        }
    }
  g_string_append (svg, "\"/></svg>");
  if (modules_out)
    *modules_out = width;
  QRcode_free (qr);
  return g_string_free (svg, FALSE);
}
