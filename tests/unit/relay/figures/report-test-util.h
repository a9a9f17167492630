/* Shared by the figures HTTP tests: a message of today's figures, a POST,
 * and counts read straight from the relay's SQLite file. */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>
#include <string.h>

#include "relay/figures/figures-validate.h"
#include "relay/figures/figures-service.h"

static inline char *
report_today (void)
{
  GDate today;
  relay_figures_today (&today);
  char date[16];
  g_date_strftime (date, sizeof date, "%Y-%m-%d", &today);
  return g_strdup (date);
}

/* Every required field of the default schema, with `extra` members added. */
static inline char *
report_message (const char *id, const char *date, int seekers, const char *extra)
{
  return g_strdup_printf (
      "{\"type\":\"figures\",\"id\":\"%s\",\"date\":\"%s\",\"values\":{\"job_seekers\":%d,"
      "\"job_placements\":3,\"layoffs\":1,\"establishments_closed\":0,\"complaints_received\":4,"
      "\"complaints_resolved\":2,\"workplace_accidents\":0,\"unemployment_rate\":2,"
      "\"overall_status\":\"normal\"%s}}",
      id, date, seekers, extra ? extra : "");
}

/* POST /api/v1/reports; the reply body in *body_out. */
static inline guint
report_post (SoupSession *http, const char *base_url, const char *token, const char *type,
             const char *body, gsize len, char **body_out)
{
  g_autofree char *url = g_strconcat (base_url, "/api/v1/reports", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  if (token)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  g_autoptr (GBytes) bytes = g_bytes_new (body, len);
  soup_message_set_request_body_from_bytes (msg, type, bytes);
  g_autoptr (GBytes) reply = soup_session_send_and_read (http, msg, NULL, NULL);
  if (body_out)
    {
      gsize n = 0;
      const char *data = reply ? g_bytes_get_data (reply, &n) : "";
      *body_out = g_strndup (data, n);
    }
  return soup_message_get_status (msg);
}

/* SELECT COUNT(*) FROM <table> WHERE <where>, on a connection of its own. */
static inline gint64
report_count (const char *data_dir, const char *table, const char *where)
{
  g_autofree char *path = g_build_filename (data_dir, "briefing.sqlite", NULL);
  sqlite3 *db;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM %s WHERE %s", table, where);
  sqlite3_stmt *st;
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  gint64 n = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return n;
}
