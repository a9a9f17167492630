#include "relay/config/limits-config.h"

#include <string.h>

#include "webrtc/ice/ice-agent.h"
#include "relay/config/config-group.h"

static const char *const limits_keys[] = { "max-sessions", "viewer-sessions",
  "office-viewer-sessions", "session-requests-per-s", "session-requests-burst",
  "api-requests-per-s", "api-requests-burst", "address-requests-per-s",
  "address-requests-burst", "auth-failures", "auth-failure-refill-s", "connect-timeout-s",
  "event-clients", "event-clients-per-credential", "event-queue-kb", "refused-candidate-ranges", "figures-per-minute", "figures-burst", "event-auth-timeout-s",
  "signin-sessions", "signin-sessions-per-viewer", "signin-session-lifetime-s", "signin-links",
  "signin-link-lifetime-s", NULL };

void
relay_limits_config_init (RelayLimitsConfig *l)
{
  /* 76 offices and the central room publishing, each watched by a few:
   * a thousand is far above a morning's needs and far below what exhausts
   * the machine's ports and threads. */
  l->max_sessions = 1000;
  /* A wall of screens in the operations room; the minister on a phone and
   * a laptop. */
  l->viewer_sessions = 16;
  /* The office's own program view, and a second device. */
  l->office_viewer_sessions = 2;
  /* A publisher's POST and its trickle PATCHes come in a burst of a few;
   * nothing legitimate asks ten times a second for long. */
  l->session_requests_per_s = 10;
  l->session_requests_burst = 20;
  /* The chair's console clicks, a clerk's figures: far fewer than this. */
  l->api_requests_per_s = 20;
  l->api_requests_burst = 60;
  /* One address may stand for an office building behind NAT, or the
   * operations room's machines. */
  l->address_requests_per_s = 50;
  l->address_requests_burst = 200;
  /* A typo or a stale token is a handful of failures; guessing needs
   * millions. */
  l->auth_failures = 30;
  l->auth_failure_refill_s = 2;
  /* ICE and DTLS take well under a second on a working path; a session
   * that has not connected by then holds ports and a worker for nothing. */
  l->connect_timeout_s = 10;
  l->event_clients = 512;
  l->event_clients_per_credential = 32;
  l->event_queue_kb = 1024;
  /* A page sends its token as soon as the socket opens. */
  l->event_auth_timeout_s = 10;
  /* An office reports a handful of times a morning, corrections included. */
  l->figures_per_minute = 30;
  l->figures_burst = 60;
  /* A client naming the cloud's metadata service as its address would make
   * the relay send there; offices sit on private networks, and tests and
   * single-machine set-ups on loopback, so those stay allowed. */
  l->refused_candidate_ranges = RELAY_ICE_REFUSE_METADATA;
  /* The chair, the minister and a few wall displays, each on a handful of
   * devices, and the phones signed in by links: far fewer than this. */
  l->signin_sessions = 256;
  /* A viewer's laptop, phone and tablet; signing in on more ends the
   * oldest (a lost phone's cookie does not live on). */
  l->signin_sessions_per_viewer = 8;
  /* A working day: the minister signs in in the morning and is not asked
   * again before the evening. */
  l->signin_session_lifetime_s = 12 * 3600;
  /* The chair hands out a link or two a morning. */
  l->signin_links = 16;
  /* Long enough to scan a code off the chair's screen and open it. */
  l->signin_link_lifetime_s = 300;
}

static gboolean
read_ranges (RelayConfigGroup *g, guint *out)
{
  g_autofree char *value = relay_config_group_get_string (g, "refused-candidate-ranges");
  if (!value)
    return TRUE;
  static const struct {
    const char *name;
    guint flag;
  } names[] = { { "loopback", RELAY_ICE_REFUSE_LOOPBACK },
                { "link-local", RELAY_ICE_REFUSE_LINK_LOCAL },
                { "private", RELAY_ICE_REFUSE_PRIVATE },
                { "metadata", RELAY_ICE_REFUSE_METADATA },
                { "none", 0 } };
  guint ranges = 0;
  g_auto (GStrv) items = g_strsplit (value, ",", -1);
  for (guint i = 0; items[i]; i++)
    {
      const char *item = g_strstrip (items[i]);
      guint j = 0;
      while (j < G_N_ELEMENTS (names) && strcmp (names[j].name, item) != 0)
        j++;
      if (j == G_N_ELEMENTS (names))
        return relay_config_group_fail (g, "refused-candidate-ranges",
                                        "\"%s\" is not loopback, link-local, private, metadata "
                                        "or none", item);
      ranges |= names[j].flag;
    }
  *out = ranges;
  return TRUE;
}

gboolean
relay_limits_config_read (RelayLimitsConfig *l, GKeyFile *kf, const char *source, GError **error)
{
  RelayConfigGroup g = { kf, source, "limits", error };
  return relay_config_group_check_keys (&g, limits_keys)
         && relay_config_group_get_uint (&g, "max-sessions", 1, 100000, &l->max_sessions)
         && relay_config_group_get_uint (&g, "viewer-sessions", 1, 10000, &l->viewer_sessions)
         && relay_config_group_get_uint (&g, "office-viewer-sessions", 0, 10000,
                                         &l->office_viewer_sessions)
         && relay_config_group_get_uint (&g, "session-requests-per-s", 1, 100000,
                                         &l->session_requests_per_s)
         && relay_config_group_get_uint (&g, "session-requests-burst", 1, 1000000,
                                         &l->session_requests_burst)
         && relay_config_group_get_uint (&g, "api-requests-per-s", 1, 100000,
                                         &l->api_requests_per_s)
         && relay_config_group_get_uint (&g, "api-requests-burst", 1, 1000000,
                                         &l->api_requests_burst)
         && relay_config_group_get_uint (&g, "address-requests-per-s", 1, 100000,
                                         &l->address_requests_per_s)
         && relay_config_group_get_uint (&g, "address-requests-burst", 1, 1000000,
                                         &l->address_requests_burst)
         && relay_config_group_get_uint (&g, "auth-failures", 1, 1000000, &l->auth_failures)
         && relay_config_group_get_uint (&g, "auth-failure-refill-s", 1, 3600,
                                         &l->auth_failure_refill_s)
         && relay_config_group_get_uint (&g, "connect-timeout-s", 1, 600, &l->connect_timeout_s)
         && relay_config_group_get_uint (&g, "event-clients", 1, 100000, &l->event_clients)
         && relay_config_group_get_uint (&g, "event-clients-per-credential", 1, 100000,
                                         &l->event_clients_per_credential)
         && relay_config_group_get_uint (&g, "event-queue-kb", 16, 1024 * 1024,
                                         &l->event_queue_kb)
         && relay_config_group_get_uint (&g, "figures-per-minute", 1, 1000000,
                                         &l->figures_per_minute)
         && relay_config_group_get_uint (&g, "figures-burst", 1, 1000000, &l->figures_burst)
         && relay_config_group_get_uint (&g, "event-auth-timeout-s", 1, 600,
                                         &l->event_auth_timeout_s)
         && relay_config_group_get_uint (&g, "signin-sessions", 1, 100000, &l->signin_sessions)
         && relay_config_group_get_uint (&g, "signin-sessions-per-viewer", 1, 1000,
                                         &l->signin_sessions_per_viewer)
         && relay_config_group_get_uint (&g, "signin-session-lifetime-s", 60, 30 * 86400,
                                         &l->signin_session_lifetime_s)
         && relay_config_group_get_uint (&g, "signin-links", 1, 1000, &l->signin_links)
         && relay_config_group_get_uint (&g, "signin-link-lifetime-s", 5, 3600,
                                         &l->signin_link_lifetime_s)
         && read_ranges (&g, &l->refused_candidate_ranges);
}
