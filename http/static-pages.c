#include "http/static-pages.h"

#include <string.h>

#include "config/briefing-resources.h"
#include "http/http-util.h"

static const struct {
  const char *suffix;
  const char *type;
} content_types[] = {
  { ".html", "text/html; charset=utf-8" },
  { ".js", "text/javascript; charset=utf-8" },
  { ".css", "text/css; charset=utf-8" },
  { ".svg", "image/svg+xml" },
  { ".png", "image/png" },
};

static void
static_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                gpointer data)
{
  const char *method = soup_server_message_get_method (msg);
  if (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    "GET, HEAD");
      relay_http_error (msg, 405, "method-not-allowed", "pages are read-only");
      return;
    }
  if (strcmp (path, "/") == 0)
    {
      soup_server_message_set_redirect (msg, 302, "/province.html");
      return;
    }
  /* Only flat names: no way out of /briefing/web. */
  const char *name = path + 1;
  if (strchr (name, '/') || strstr (name, "..") || !*name)
    {
      relay_http_error (msg, 404, "not-found", "no such page");
      return;
    }
  g_autofree char *resource = g_strconcat ("/briefing/web/", name, NULL);
  g_autoptr (GBytes) bytes = g_resource_lookup_data (briefing_get_resource (), resource, 0, NULL);
  if (!bytes)
    {
      relay_http_error (msg, 404, "not-found", "no such page");
      return;
    }
  const char *type = "application/octet-stream";
  for (guint i = 0; i < G_N_ELEMENTS (content_types); i++)
    if (g_str_has_suffix (name, content_types[i].suffix))
      type = content_types[i].type;
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (h, "Cache-Control", "no-cache");
  soup_message_headers_replace (h, "X-Content-Type-Options", "nosniff");
  gsize len;
  const char *content = g_bytes_get_data (bytes, &len);
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, content, len);
}

void
relay_static_pages_register (SoupServer *server)
{
  soup_server_add_handler (server, "/", static_handler, NULL, NULL);
}
