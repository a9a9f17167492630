#include "http/file-response.h"

#include <errno.h>
#include <string.h>

#include "http/http-util.h"

static gboolean
parse_offset (const char *text, const char *end, guint64 *out)
{
  if (text == end || !g_ascii_isdigit (*text))
    return FALSE;
  char *stop;
  errno = 0;
  *out = g_ascii_strtoull (text, &stop, 10);
  return errno == 0 && stop == end;
}

/* One byte range (RFC 9110 §14): a-b, a- or -n. An invalid header, or
 * several ranges (no multipart here), is ignored, as the RFC allows; the
 * client gets the whole file. */
RelayRangeResult
relay_http_parse_range (const char *header, guint64 size, guint64 *first, guint64 *last)
{
  if (!header)
    return RELAY_RANGE_NONE;
  while (*header == ' ')
    header++;
  if (g_ascii_strncasecmp (header, "bytes=", 6) != 0 || strchr (header, ','))
    return RELAY_RANGE_NONE;
  const char *spec = header + 6;
  const char *end = spec + strlen (spec);
  while (end > spec && end[-1] == ' ')
    end--;
  const char *dash = memchr (spec, '-', (gsize) (end - spec));
  if (!dash)
    return RELAY_RANGE_NONE;
  guint64 a, b;
  if (dash == spec)
    {
      if (!parse_offset (dash + 1, end, &b))
        return RELAY_RANGE_NONE;
      if (b == 0 || size == 0)
        return RELAY_RANGE_UNSATISFIABLE;
      *first = b >= size ? 0 : size - b;
      *last = size - 1;
      return RELAY_RANGE_OK;
    }
  if (!parse_offset (spec, dash, &a))
    return RELAY_RANGE_NONE;
  if (dash + 1 == end)
    b = G_MAXUINT64;
  else if (!parse_offset (dash + 1, end, &b) || b < a)
    return RELAY_RANGE_NONE;
  if (a >= size)
    return RELAY_RANGE_UNSATISFIABLE;
  *first = a;
  *last = MIN (b, size - 1);
  return RELAY_RANGE_OK;
}

gboolean
relay_http_serve_file (SoupServerMessage *msg, const char *path, const char *content_type,
                       const char *cache_control, const char *download_name)
{
  g_autoptr (GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);
  if (!file)
    return FALSE;
  g_autoptr (GBytes) bytes = g_mapped_file_get_bytes (file);
  guint64 size = g_bytes_get_size (bytes);
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (h, "Accept-Ranges", "bytes");
  if (cache_control)
    soup_message_headers_replace (h, "Cache-Control", cache_control);
  if (download_name)
    {
      g_autofree char *cd = g_strdup_printf ("attachment; filename=\"%s\"", download_name);
      soup_message_headers_replace (h, "Content-Disposition", cd);
    }
  guint64 first = 0, last = size ? size - 1 : 0;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  const char *range = soup_message_headers_get_one (request_headers, "Range");
  RelayRangeResult r = relay_http_parse_range (range, size, &first, &last);
  /* libsoup answers a 200 to a Range request itself, as multipart/byteranges
   * for several ranges, overlapping ones included: "bytes=0-,0-,..." would
   * make one small request cost the file's size many times over. An ignored
   * header must stay ignored. */
  if (r == RELAY_RANGE_NONE && range)
    soup_message_headers_remove (request_headers, "Range");
  if (r == RELAY_RANGE_UNSATISFIABLE)
    {
      g_autofree char *cr = g_strdup_printf ("bytes */%" G_GUINT64_FORMAT, size);
      soup_message_headers_replace (h, "Content-Range", cr);
      soup_message_headers_replace (h, "Cache-Control", "no-store");
      soup_message_headers_remove (h, "Content-Disposition");
      relay_http_error (msg, 416, "range-not-satisfiable",
                        "the range starts past the end of the file");
      return TRUE;
    }
  g_autoptr (GBytes) body = NULL;
  if (r == RELAY_RANGE_OK)
    {
      g_autofree char *cr = g_strdup_printf ("bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                                             "/%" G_GUINT64_FORMAT, first, last, size);
      soup_message_headers_replace (h, "Content-Range", cr);
      body = g_bytes_new_from_bytes (bytes, first, last - first + 1);
      soup_server_message_set_status (msg, 206, NULL);
    }
  else
    {
      body = g_bytes_ref (bytes);
      soup_server_message_set_status (msg, 200, NULL);
    }
  soup_message_headers_set_content_type (h, content_type, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
  return TRUE;
}
