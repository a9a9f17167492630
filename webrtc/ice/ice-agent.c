#include "webrtc/ice/ice-agent.h"

#include <agent.h>
#include <interfaces.h>
#include <string.h>

#include "webrtc/base/log.h"

#define COMPONENT_ID 1

struct _RelayIceAgent {
  RelayWorker *worker;
  NiceAgent *agent;
  guint stream_id;
  RelayIceState state;
  RelayIceCallbacks callbacks;
  gpointer user_data;
  char *ufrag;
  char *pwd;
  GStrv announced;
  RelayIceRefusedRanges refused_ranges;
  gboolean failed_after_connected; /* until connected again: see restore_consent */
  gboolean restoring;              /* inside restore_consent (libnice signals READY again) */
};

static void
set_state (RelayIceAgent *self, RelayIceState state)
{
  if (self->state == state)
    return;
  self->state = state;
  if (self->callbacks.state_changed)
    self->callbacks.state_changed (state, self->user_data);
}

/* libnice ends consent (RFC 7675) on a pair for good once 10 s pass without
 * an answer to its consent checks: nice_agent_send then refuses that pair
 * even when checks succeed again, while the component reports CONNECTED.
 * A peer whose network came back a little later (a router restarting, a
 * busy machine) would keep sending to us and never hear from us again:
 * no SCTP acknowledgement, no RTCP, no viewer media. The component only
 * becomes CONNECTED again after a check of ours was answered, which is
 * fresh consent, so the pair in use is selected anew: libnice grants
 * consent to a selected pair and its consent checks start over. */
static gboolean
restore_consent (RelayIceAgent *self)
{
  /* libnice queues its signals and emits them after it let go of the
   * agent: by the time a CONNECTED arrives here the component may have
   * failed again. Selecting a pair makes it READY, and libnice aborts the
   * process (g_assert) on any way to READY but from CONNECTED: only then. */
  NiceComponentState now = nice_agent_get_component_state (self->agent, self->stream_id,
                                                           COMPONENT_ID);
  if (now != NICE_COMPONENT_STATE_CONNECTED && now != NICE_COMPONENT_STATE_READY)
    return FALSE;
  NiceCandidate *local = NULL, *remote = NULL;
  if (!nice_agent_get_selected_pair (self->agent, self->stream_id, COMPONENT_ID, &local, &remote))
    return FALSE;
  g_autofree char *lfoundation = g_strdup (local->foundation);
  g_autofree char *rfoundation = g_strdup (remote->foundation);
  nice_agent_set_selected_pair (self->agent, self->stream_id, COMPONENT_ID, lfoundation,
                                rfoundation);
  return TRUE;
}

static void
on_component_state_changed (NiceAgent *agent, guint stream_id, guint component_id, guint state,
                            gpointer data)
{
  RelayIceAgent *self = data;
  switch (state)
    {
    case NICE_COMPONENT_STATE_CONNECTING:
      set_state (self, RELAY_ICE_STATE_CHECKING);
      break;
    case NICE_COMPONENT_STATE_CONNECTED:
    case NICE_COMPONENT_STATE_READY:
      /* Before anyone hears "connected": what they send must go out. */
      if (self->failed_after_connected && !self->restoring)
        {
          self->restoring = TRUE;
          /* Not restored (failed again meanwhile): the next CONNECTED will. */
          if (restore_consent (self))
            self->failed_after_connected = FALSE;
          self->restoring = FALSE;
        }
      set_state (self, RELAY_ICE_STATE_CONNECTED);
      break;
    case NICE_COMPONENT_STATE_FAILED:
      /* libnice may go through CONNECTING on the way back. */
      if (self->state == RELAY_ICE_STATE_CONNECTED)
        self->failed_after_connected = TRUE;
      set_state (self, RELAY_ICE_STATE_FAILED);
      break;
    default:
      break;
    }
}

static void
on_selected_pair (NiceAgent *agent, guint stream_id, guint component_id, NiceCandidate *local,
                  NiceCandidate *remote, gpointer data)
{
  RelayIceAgent *self = data;
  char ip[NICE_ADDRESS_STRING_LEN];
  nice_address_to_string (&remote->addr, ip);
  g_autofree char *addr
      = g_strdup_printf (strchr (ip, ':') ? "[%s]:%u" : "%s:%u", ip,
                         nice_address_get_port (&remote->addr));
  if (self->callbacks.selected_pair)
    self->callbacks.selected_pair (addr, self->user_data);
}

static void
on_receive (NiceAgent *agent, guint stream_id, guint component_id, guint len, gchar *buf,
            gpointer data)
{
  RelayIceAgent *self = data;
  if (len > 0 && self->callbacks.receive)
    self->callbacks.receive ((guint8 *) buf, len, self->user_data);
}

static void
refresh_credentials (RelayIceAgent *self)
{
  g_clear_pointer (&self->ufrag, g_free);
  g_clear_pointer (&self->pwd, g_free);
  nice_agent_get_local_credentials (self->agent, self->stream_id, &self->ufrag, &self->pwd);
}

static gboolean
add_interface_addresses (NiceAgent *agent, const char *const *interfaces, GError **error)
{
  gboolean any = FALSE;
  for (guint i = 0; interfaces[i]; i++)
    {
      g_autofree char *ip = nice_interfaces_get_ip_for_interface ((char *) interfaces[i]);
      if (!ip)
        continue;
      NiceAddress addr;
      if (nice_address_set_from_string (&addr, ip))
        {
          nice_agent_add_local_address (agent, &addr);
          any = TRUE;
        }
    }
  if (!any)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 "none of the configured interfaces has an IPv4 address");
  return any;
}

RelayIceAgent *
relay_ice_agent_new (RelayWorker *worker, const RelayIceSettings *settings,
                     const RelayIceCallbacks *callbacks, gpointer user_data, GError **error)
{
  RelayIceAgent *self = g_new0 (RelayIceAgent, 1);
  self->worker = worker;
  self->callbacks = *callbacks;
  self->user_data = user_data;
  self->state = RELAY_ICE_STATE_NEW;
  self->announced = g_strdupv ((char **) settings->announced_addresses);

  /* Full ICE (not lite): the relay runs its own checks, which lets it find
   * peer-reflexive paths to publishers behind NAT and keeps consent
   * freshness (RFC 7675) running both ways. */
  self->agent = nice_agent_new_full (relay_worker_get_context (worker), NICE_COMPATIBILITY_RFC5245,
                                     NICE_AGENT_OPTION_ICE_TRICKLE
                                         | NICE_AGENT_OPTION_CONSENT_FRESHNESS);
  g_object_set (self->agent, "controlling-mode", FALSE, "upnp", FALSE, "ice-tcp", FALSE,
                "keepalive-conncheck", TRUE, NULL);

  if (settings->interfaces && settings->interfaces[0]
      && !add_interface_addresses (self->agent, settings->interfaces, error))
    {
      relay_ice_agent_free (self);
      return NULL;
    }

  self->stream_id = nice_agent_add_stream (self->agent, 1);
  if (self->stream_id == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libnice could not add a stream");
      relay_ice_agent_free (self);
      return NULL;
    }
  nice_agent_set_stream_name (self->agent, self->stream_id, "application");
  self->refused_ranges = settings->refused_ranges;
  if (settings->port_min && settings->port_max)
    nice_agent_set_port_range (self->agent, self->stream_id, COMPONENT_ID, settings->port_min,
                               settings->port_max);

  g_signal_connect (self->agent, "component-state-changed",
                    G_CALLBACK (on_component_state_changed), self);
  g_signal_connect (self->agent, "new-selected-pair-full", G_CALLBACK (on_selected_pair), self);
  nice_agent_attach_recv (self->agent, self->stream_id, COMPONENT_ID,
                          relay_worker_get_context (worker), on_receive, self);

  /* Host candidates are gathered synchronously; with no STUN/TURN on the
   * relay side (a server has a public or announced address) nothing else
   * needs waiting for. */
  if (!nice_agent_gather_candidates (self->agent, self->stream_id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "could not bind ICE candidates (port range exhausted?)");
      relay_ice_agent_free (self);
      return NULL;
    }
  refresh_credentials (self);
  return self;
}

void
relay_ice_agent_free (RelayIceAgent *self)
{
  if (!self)
    return;
  if (self->agent)
    {
      g_signal_handlers_disconnect_by_data (self->agent, self);
      if (self->stream_id)
        {
          nice_agent_attach_recv (self->agent, self->stream_id, COMPONENT_ID,
                                  relay_worker_get_context (self->worker), NULL, NULL);
          nice_agent_remove_stream (self->agent, self->stream_id);
        }
      /* Closing sockets and timers is asynchronous in libnice; the context
       * keeps running, so dropping our reference is enough. */
      g_object_unref (self->agent);
    }
  g_free (self->ufrag);
  g_free (self->pwd);
  g_strfreev (self->announced);
  g_free (self);
}

const char *
relay_ice_agent_get_ufrag (RelayIceAgent *self)
{
  return self->ufrag;
}

const char *
relay_ice_agent_get_pwd (RelayIceAgent *self)
{
  return self->pwd;
}

GStrv
relay_ice_agent_get_local_candidates (RelayIceAgent *self)
{
  GSList *cands = nice_agent_get_local_candidates (self->agent, self->stream_id, COMPONENT_ID);
  GPtrArray *out = g_ptr_array_new ();
  for (GSList *l = cands; l; l = l->next)
    {
      NiceCandidate *c = l->data;
      if (c->addr.s.addr.sa_family == AF_INET6 && self->announced && self->announced[0])
        continue;
      g_autofree char *line = nice_agent_generate_local_candidate_sdp (self->agent, c);
      if (!line)
        continue;
      const char *value = g_str_has_prefix (line, "a=") ? line + 2 : line;
      if (self->announced && self->announced[0] && c->type == NICE_CANDIDATE_TYPE_HOST)
        {
          /* 1:1 NAT: same port on each announced address. Foundation and
           * priority stay those of the real candidate. */
          char ip[NICE_ADDRESS_STRING_LEN];
          nice_address_to_string (&c->addr, ip);
          g_auto (GStrv) fields = g_strsplit (value, " ", -1);
          for (guint a = 0; self->announced[a]; a++)
            {
              if (g_strv_length (fields) > 4 && strcmp (fields[4], ip) == 0)
                {
                  g_free (fields[4]);
                  fields[4] = g_strdup (self->announced[a]);
                }
              g_ptr_array_add (out, g_strjoinv (" ", fields));
            }
        }
      else
        g_ptr_array_add (out, g_strdup (value));
    }
  g_slist_free_full (cands, (GDestroyNotify) nice_candidate_free);
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (out, FALSE);
}

gboolean
relay_ice_agent_set_remote_credentials (RelayIceAgent *self, const char *ufrag, const char *pwd,
                                        GError **error)
{
  if (!nice_agent_set_remote_credentials (self->agent, self->stream_id, ufrag, pwd))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "ICE credentials refused by libnice");
      return FALSE;
    }
  return TRUE;
}

static gboolean
in_refused_range (RelayIceRefusedRanges refused, const NiceAddress *nice_address)
{
  if (!refused)
    return FALSE;
  char text[NICE_ADDRESS_STRING_LEN];
  nice_address_to_string (nice_address, text);
  g_autoptr (GInetAddress) a = g_inet_address_new_from_string (text);
  if (!a)
    return FALSE;
  const guint8 *b = g_inet_address_to_bytes (a);
  gboolean v4 = g_inet_address_get_family (a) == G_SOCKET_FAMILY_IPV4;
  if ((refused & RELAY_ICE_REFUSE_LOOPBACK) && g_inet_address_get_is_loopback (a))
    return TRUE;
  if ((refused & RELAY_ICE_REFUSE_LINK_LOCAL) && g_inet_address_get_is_link_local (a))
    return TRUE;
  if ((refused & RELAY_ICE_REFUSE_PRIVATE)
      && (v4 ? g_inet_address_get_is_site_local (a) : (b[0] & 0xfe) == 0xfc))
    return TRUE;
  if (refused & RELAY_ICE_REFUSE_METADATA)
    {
      static const guint8 aws6[16] = { 0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0,
                                       0,    0,    0,    0,    0, 0, 0x02, 0x54 };
      if (v4 ? memcmp (b, "\xa9\xfe\xa9\xfe", 4) == 0 : memcmp (b, aws6, 16) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
relay_ice_agent_add_remote_candidate (RelayIceAgent *self, const char *candidate, GError **error)
{
  g_autofree char *line = g_str_has_prefix (candidate, "a=") ? g_strdup (candidate)
                                                             : g_strconcat ("a=", candidate, NULL);
  NiceCandidate *c = nice_agent_parse_remote_candidate_sdp (self->agent, self->stream_id, line);
  if (!c)
    {
      /* Unresolvable mDNS names and TCP candidates are normal, not errors. */
      if (strstr (candidate, ".local") || strstr (candidate, " tcp ") || strstr (candidate, " TCP "))
        return TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unparseable candidate");
      return FALSE;
    }
  if (c->component_id != COMPONENT_ID)
    {
      /* rtcp-mux: a component 2 candidate is never used. */
      nice_candidate_free (c);
      return TRUE;
    }
  if (in_refused_range (self->refused_ranges, &c->addr))
    {
      relay_debug (NULL, "remote candidate in a refused range skipped: %s", candidate);
      nice_candidate_free (c);
      return TRUE;
    }
  GSList *list = g_slist_append (NULL, c);
  int added = nice_agent_set_remote_candidates (self->agent, self->stream_id, COMPONENT_ID, list);
  g_slist_free_full (list, (GDestroyNotify) nice_candidate_free);
  if (added < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "candidate refused by libnice");
      return FALSE;
    }
  return TRUE;
}

gboolean
relay_ice_agent_restart (RelayIceAgent *self, GError **error)
{
  if (!nice_agent_restart_stream (self->agent, self->stream_id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libnice could not restart ICE");
      return FALSE;
    }
  refresh_credentials (self);
  /* New credentials, new checks: consent starts over with them. */
  self->failed_after_connected = FALSE;
  return TRUE;
}

gboolean
relay_ice_agent_send (RelayIceAgent *self, const guint8 *data, gsize len)
{
  /* A DTLS ClientHello can arrive before libnice reports the pair as
   * connected on our (controlled) side; libnice itself refuses when no
   * pair is usable yet. */
  if (self->state == RELAY_ICE_STATE_FAILED)
    return FALSE;
  return nice_agent_send (self->agent, self->stream_id, COMPONENT_ID, len, (const gchar *) data)
         >= 0;
}

RelayIceState
relay_ice_agent_get_state (RelayIceAgent *self)
{
  return self->state;
}
