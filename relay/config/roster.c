#include "relay/config/roster.h"

#include <string.h>

#include "relay/config/config-error.h"

static gboolean
is_two_digits (const char *s)
{
  return g_ascii_isdigit (s[0]) && g_ascii_isdigit (s[1]) && s[2] == '\0';
}

/* An office code: the province's ISO 3166-2:TH code ("TH-" and two digits,
 * or TH-S for Pattaya), optionally followed by "-" and an area number of
 * one or two digits for a province with more than one labour office (e.g.
 * Bangkok's area offices, TH-10-1 .. TH-10-10). */
static gboolean
is_office_code (const char *code)
{
  if (!g_str_has_prefix (code, "TH-"))
    return FALSE;
  g_autofree char *province = g_strdup (code + 3);
  char *area = strchr (province, '-');
  if (area)
    {
      *area++ = '\0';
      gsize n = strlen (area);
      if (n < 1 || n > 2 || !g_ascii_isdigit (area[0]) || (n == 2 && !g_ascii_isdigit (area[1]))
          || area[0] == '0')
        return FALSE;
    }
  return strcmp (province, "S") == 0 || is_two_digits (province);
}

/* Simple enough that a full CSV reader is not needed, but quoted fields
 * are still refused loudly rather than misread. */
GPtrArray *
relay_roster_parse (const char *data, gsize len, const char *source, GError **error)
{
  if (!g_utf8_validate_len (data, len, NULL))
    {
      g_set_error (error, RELAY_CONFIG_ERROR, RELAY_CONFIG_ERROR_INVALID,
                   "%s: roster is not valid UTF-8", source);
      return NULL;
    }
  g_autofree char *text = g_strndup (data, len);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GPtrArray) roster = g_ptr_array_new_with_free_func (
      (GDestroyNotify) relay_office_config_free);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean header_seen = FALSE;

  for (guint i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);
      if (g_str_has_prefix (line, "\xEF\xBB\xBF"))
        line += 3;
      if (*line == '\0' || *line == '#')
        continue;
      if (!header_seen)
        {
          if (strcmp (line, "code,name_th,name_en,region") != 0)
            {
              g_set_error (error, RELAY_CONFIG_ERROR, RELAY_CONFIG_ERROR_INVALID,
                           "%s:%u: expected the header \"code,name_th,name_en,region\"", source,
                           i + 1);
              return NULL;
            }
          header_seen = TRUE;
          continue;
        }
      g_auto (GStrv) fields = g_strsplit (line, ",", -1);
      if (g_strv_length (fields) != 4 || strchr (line, '"'))
        {
          g_set_error (error, RELAY_CONFIG_ERROR, RELAY_CONFIG_ERROR_INVALID,
                       "%s:%u: expected 4 unquoted fields", source, i + 1);
          return NULL;
        }
      for (guint f = 0; f < 4; f++)
        g_strstrip (fields[f]);
      if (!is_office_code (fields[0]))
        {
          g_set_error (error, RELAY_CONFIG_ERROR, RELAY_CONFIG_ERROR_INVALID,
                       "%s:%u: \"%s\" is not an ISO 3166-2:TH code (TH-50, TH-S), nor one with an "
                       "area office number (TH-10-3)",
                       source, i + 1, fields[0]);
          return NULL;
        }
      if (g_hash_table_contains (seen, fields[0]))
        {
          g_set_error (error, RELAY_CONFIG_ERROR, RELAY_CONFIG_ERROR_INVALID,
                       "%s:%u: province %s listed twice", source, i + 1, fields[0]);
          return NULL;
        }
      if (!*fields[1] || !*fields[2] || !*fields[3])
        {
          g_set_error (error, RELAY_CONFIG_ERROR, RELAY_CONFIG_ERROR_INVALID,
                       "%s:%u: empty name or region", source, i + 1);
          return NULL;
        }
      RelayOfficeConfig *p = g_new0 (RelayOfficeConfig, 1);
      p->code = g_strdup (fields[0]);
      p->name_th = g_strdup (fields[1]);
      p->name_en = g_strdup (fields[2]);
      p->region = g_strdup (fields[3]);
      g_ptr_array_add (roster, p);
      g_hash_table_add (seen, p->code);
    }
  if (roster->len == 0)
    {
      g_set_error (error, RELAY_CONFIG_ERROR, RELAY_CONFIG_ERROR_INVALID,
                   "%s: the roster lists no province", source);
      return NULL;
    }
  return g_steal_pointer (&roster);
}

void
relay_office_config_free (RelayOfficeConfig *p)
{
  if (!p)
    return;
  g_free (p->code);
  g_free (p->name_th);
  g_free (p->name_en);
  g_free (p->region);
  g_free (p);
}

static int
by_region_then_code (gconstpointer a, gconstpointer b)
{
  const RelayOfficeConfig *pa = *(RelayOfficeConfig *const *) a;
  const RelayOfficeConfig *pb = *(RelayOfficeConfig *const *) b;
  int c = g_strcmp0 (pa->region, pb->region);
  return c ? c : g_strcmp0 (pa->code, pb->code);
}

GPtrArray *
relay_roster_dup_office_order (GPtrArray *roster, gboolean by_region)
{
  /* Not g_ptr_array_copy: that would carry the roster's free function. */
  GPtrArray *order = g_ptr_array_sized_new (roster->len);
  for (guint i = 0; i < roster->len; i++)
    g_ptr_array_add (order, roster->pdata[i]);
  if (by_region)
    g_ptr_array_sort (order, by_region_then_code);
  return order;
}
