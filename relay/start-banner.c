#include "relay/start-banner.h"

#include <string.h>

#include "config/briefing-resources.h"

/* What a newcomer looks for, in the order of the README; a page missing
 * here is still listed, under its file name. */
static const struct {
  const char *page;
  const char *label;
} known_pages[] = {
  { "province.html", "province page" },
  { "watch.html", "minister page" },
  { "ops.html", "ops room" },
  { "figures.html", "figures" },
  { "review.html", "review" },
  { "briefing-report.html", "briefing report" },
};

static int
known_rank (const char *page)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_pages); i++)
    if (strcmp (page, known_pages[i].page) == 0)
      return (int) i;
  return -1;
}

static gint
page_order (gconstpointer a, gconstpointer b)
{
  const char *pa = *(const char *const *) a, *pb = *(const char *const *) b;
  const int unknown = (int) G_N_ELEMENTS (known_pages);
  int ra = known_rank (pa), rb = known_rank (pb);
  ra = ra < 0 ? unknown : ra;
  rb = rb < 0 ? unknown : rb;
  if (ra != rb)
    return ra - rb;
  return strcmp (pa, pb);
}

GPtrArray *
relay_start_banner_pages (void)
{
  GPtrArray *pages = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) names = g_resource_enumerate_children (briefing_get_resource (), "/briefing/web",
                                                        0, NULL);
  for (guint i = 0; names && names[i]; i++)
    if (g_str_has_suffix (names[i], ".html"))
      g_ptr_array_add (pages, g_strdup (names[i]));
  g_ptr_array_sort (pages, page_order);
  return pages;
}

static char *
label_of (const char *page)
{
  int rank = known_rank (page);
  if (rank >= 0)
    return g_strdup (known_pages[rank].label);
  return g_strndup (page, strlen (page) - strlen (".html"));
}

void
relay_start_banner_print (FILE *out, const char *url, const RelayConfig *config,
                          const char *token_file)
{
  /* The test harness and scripts/run read this line. */
  fprintf (out, "briefing-relay: listening on %s\n", url);
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  int port = uri ? g_uri_get_port (uri) : (int) config->http_port;
  const char *scheme = config->tls_certificate ? "https" : "http";
  g_autoptr (GPtrArray) pages = relay_start_banner_pages ();
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  int width = (int) strlen ("status");
  for (guint i = 0; i < pages->len; i++)
    {
      char *label = label_of (pages->pdata[i]);
      width = MAX (width, (int) strlen (label));
      g_ptr_array_add (labels, label);
    }
  for (guint i = 0; i < pages->len; i++)
    fprintf (out, "briefing-relay: %-*s %s://localhost:%d/%s\n", width, (char *) labels->pdata[i],
             scheme, port, (char *) pages->pdata[i]);
  fprintf (out, "briefing-relay: %-*s %s://localhost:%d/api/v1/provinces\n", width, "status",
           scheme, port);
  if (token_file)
    fprintf (out, "briefing-relay: development tokens in %s\n", token_file);
  fflush (out);
}
