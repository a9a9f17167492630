#include "relay/signin/signin-store.h"

#include <openssl/rand.h>
#include <string.h>

#include "webrtc/base/random-id.h"

G_DEFINE_QUARK (relay-signin-error-quark, relay_signin_error)

/* A cookie value carries 256 random bits, a link's code 128: the code
 * lives minutes and works once, the cookie lives hours. */
#define SESSION_SECRET_BYTES 32
#define LINK_CODE_BYTES 16
/* Used and expired links remembered (to say "used" or "expired" rather
 * than "unknown") besides the waiting ones, as a multiple of max_links,
 * and for how long after they expire. */
#define REMEMBERED_LINKS_FACTOR 4
#define REMEMBER_LINK_US ((gint64) 3600 * G_USEC_PER_SEC)

typedef struct {
  char *id;
  RelayViewerRole role;
  gint64 created_us, expires_us;
  gboolean used;
} SigninLink;

typedef struct {
  RelaySigninEndedFunc func;
  gpointer user_data;
} Watcher;

struct _RelaySigninStore {
  RelaySigninLimits limits;
  GHashTable *sessions; /* hex SHA-256 of the secret -> RelaySigninSession* */
  GHashTable *links;    /* hex SHA-256 of the code -> SigninLink* */
  GArray *watchers;     /* Watcher */
};

static void
session_free (gpointer data)
{
  RelaySigninSession *s = data;
  g_free (s->id);
  g_free (s->viewer.name);
  g_free (s);
}

static void
link_free (gpointer data)
{
  SigninLink *l = data;
  g_free (l->id);
  g_free (l);
}

/* `bytes` random bytes as base64url without padding: what fits a cookie
 * value and a URL fragment as it is. */
static char *
random_secret (guint bytes)
{
  guint8 raw[SESSION_SECRET_BYTES];
  g_assert (bytes <= sizeof raw);
  if (RAND_bytes (raw, (int) bytes) != 1)
    g_error ("the system has no randomness to give");
  char *text = g_base64_encode (raw, bytes);
  memset (raw, 0, sizeof raw);
  for (char *p = text; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return text;
}

static char *
digest_of (const char *secret)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, secret, -1);
}

RelaySigninStore *
relay_signin_store_new (const RelaySigninLimits *limits)
{
  RelaySigninStore *self = g_new0 (RelaySigninStore, 1);
  self->limits = *limits;
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, session_free);
  self->links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, link_free);
  self->watchers = g_array_new (FALSE, FALSE, sizeof (Watcher));
  return self;
}

void
relay_signin_store_free (RelaySigninStore *self)
{
  if (!self)
    return;
  g_hash_table_unref (self->sessions);
  g_hash_table_unref (self->links);
  g_array_unref (self->watchers);
  g_free (self);
}

void
relay_signin_store_watch (RelaySigninStore *self, RelaySigninEndedFunc func, gpointer user_data)
{
  Watcher w = { func, user_data };
  g_array_append_val (self->watchers, w);
}

void
relay_signin_store_unwatch (RelaySigninStore *self, RelaySigninEndedFunc func, gpointer user_data)
{
  for (guint i = 0; i < self->watchers->len; i++)
    {
      Watcher *w = &g_array_index (self->watchers, Watcher, i);
      if (w->func == func && w->user_data == user_data)
        {
          g_array_remove_index (self->watchers, i);
          return;
        }
    }
}

/* Removes the session under `key`, telling the watchers first (they may
 * still read it). */
static void
end_session (RelaySigninStore *self, const char *key, RelaySigninEnd why)
{
  RelaySigninSession *s = g_hash_table_lookup (self->sessions, key);
  if (!s)
    return;
  for (guint i = 0; i < self->watchers->len; i++)
    {
      Watcher *w = &g_array_index (self->watchers, Watcher, i);
      w->func (s, why, w->user_data);
    }
  g_hash_table_remove (self->sessions, key);
}

static gboolean
link_waiting (const SigninLink *l, gint64 now_us)
{
  return !l->used && now_us < l->expires_us;
}

void
relay_signin_store_expire (RelaySigninStore *self, gint64 now_us)
{
  g_autoptr (GPtrArray) ended = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, self->sessions);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (now_us >= ((RelaySigninSession *) value)->expires_us)
      g_ptr_array_add (ended, g_strdup (key));
  for (guint i = 0; i < ended->len; i++)
    end_session (self, ended->pdata[i], RELAY_SIGNIN_END_EXPIRED);
  /* A link is remembered for an hour after it expires, so that a second
   * scan of the same code is told "used" or "expired", not "unknown". */
  g_hash_table_iter_init (&it, self->links);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      SigninLink *l = value;
      if (now_us >= l->expires_us + REMEMBER_LINK_US)
        g_hash_table_iter_remove (&it);
    }
}

/* The key of `name`'s oldest session, or NULL; *count its sessions. */
static const char *
oldest_of (RelaySigninStore *self, const char *name, guint *count)
{
  const char *oldest = NULL;
  gint64 oldest_us = G_MAXINT64;
  *count = 0;
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, self->sessions);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      RelaySigninSession *s = value;
      if (strcmp (s->viewer.name, name) != 0)
        continue;
      (*count)++;
      if (s->created_us < oldest_us)
        {
          oldest_us = s->created_us;
          oldest = key;
        }
    }
  return oldest;
}

const RelaySigninSession *
relay_signin_store_open (RelaySigninStore *self, const char *name, RelayViewerRole role,
                         RelaySigninVia via, gint64 now_us, char **secret_out, GError **error)
{
  relay_signin_store_expire (self, now_us);
  guint held;
  const char *oldest = oldest_of (self, name, &held);
  /* A viewer signing in on yet another device ends its own oldest session:
   * a lost phone's cookie is not kept alive, and one viewer's sign-ins
   * cannot crowd the others out. */
  if (oldest && held >= self->limits.max_sessions_per_viewer)
    {
      g_autofree char *key = g_strdup (oldest);
      end_session (self, key, RELAY_SIGNIN_END_REPLACED);
    }
  if (g_hash_table_size (self->sessions) >= self->limits.max_sessions)
    {
      g_set_error (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_FULL,
                   "the relay holds %u signed-in sessions, its limit; sign in again later",
                   self->limits.max_sessions);
      return NULL;
    }
  RelaySigninSession *s = g_new0 (RelaySigninSession, 1);
  s->id = relay_random_hex (8);
  s->viewer.name = g_strdup (name);
  s->viewer.role = role;
  s->via = via;
  s->created_us = now_us;
  s->expires_us = now_us + self->limits.session_lifetime_us;
  char *secret = random_secret (SESSION_SECRET_BYTES);
  g_hash_table_insert (self->sessions, digest_of (secret), s);
  *secret_out = secret;
  return s;
}

const RelaySigninSession *
relay_signin_store_lookup (RelaySigninStore *self, const char *secret, gint64 now_us)
{
  if (!secret || !*secret)
    return NULL;
  relay_signin_store_expire (self, now_us);
  g_autofree char *key = digest_of (secret);
  return g_hash_table_lookup (self->sessions, key);
}

gboolean
relay_signin_store_revoke (RelaySigninStore *self, const char *secret)
{
  if (!secret || !*secret)
    return FALSE;
  g_autofree char *key = digest_of (secret);
  if (!g_hash_table_contains (self->sessions, key))
    return FALSE;
  end_session (self, key, RELAY_SIGNIN_END_SIGNED_OUT);
  return TRUE;
}

static guint
count_waiting (RelaySigninStore *self, gint64 now_us)
{
  guint n = 0;
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, self->links);
  while (g_hash_table_iter_next (&it, NULL, &value))
    n += link_waiting (value, now_us);
  return n;
}

/* Keeps the remembered (used or expired) links within bounds: the oldest
 * is forgotten first. */
static void
forget_old_links (RelaySigninStore *self, gint64 now_us)
{
  guint cap = self->limits.max_links * (REMEMBERED_LINKS_FACTOR + 1);
  while (g_hash_table_size (self->links) >= cap)
    {
      const char *oldest = NULL;
      gint64 oldest_us = G_MAXINT64;
      GHashTableIter it;
      gpointer key, value;
      g_hash_table_iter_init (&it, self->links);
      while (g_hash_table_iter_next (&it, &key, &value))
        {
          SigninLink *l = value;
          if (!link_waiting (l, now_us) && l->created_us < oldest_us)
            {
              oldest_us = l->created_us;
              oldest = key;
            }
        }
      if (!oldest)
        return;
      g_hash_table_remove (self->links, oldest);
    }
}

gboolean
relay_signin_store_create_link (RelaySigninStore *self, RelayViewerRole role, gint64 now_us,
                                char **code_out, char **id_out, gint64 *expires_us,
                                GError **error)
{
  /* A phone signed in by a link only watches: the floor and the briefing
   * stay with a chair who typed a chair's token. */
  if (role != RELAY_ROLE_MINISTER && role != RELAY_ROLE_VIEWER)
    {
      g_set_error (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_ROLE,
                   "a sign-in link grants the minister's or a viewer's role only");
      return FALSE;
    }
  relay_signin_store_expire (self, now_us);
  if (count_waiting (self, now_us) >= self->limits.max_links)
    {
      g_set_error (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_TOO_MANY_LINKS,
                   "%u sign-in links are waiting to be used, the limit; each expires "
                   "%" G_GINT64_FORMAT " s after it was made",
                   self->limits.max_links, self->limits.link_lifetime_us / G_USEC_PER_SEC);
      return FALSE;
    }
  forget_old_links (self, now_us);
  SigninLink *l = g_new0 (SigninLink, 1);
  l->id = relay_random_hex (8);
  l->role = role;
  l->created_us = now_us;
  l->expires_us = now_us + self->limits.link_lifetime_us;
  char *code = random_secret (LINK_CODE_BYTES);
  g_hash_table_insert (self->links, digest_of (code), l);
  *code_out = code;
  if (id_out)
    *id_out = g_strdup (l->id);
  if (expires_us)
    *expires_us = l->expires_us;
  return TRUE;
}

gboolean
relay_signin_store_redeem_link (RelaySigninStore *self, const char *code, gint64 now_us,
                                RelayViewerRole *role, char **id_out, GError **error)
{
  relay_signin_store_expire (self, now_us);
  g_autofree char *key = code && *code ? digest_of (code) : NULL;
  SigninLink *l = key ? g_hash_table_lookup (self->links, key) : NULL;
  if (!l)
    {
      g_set_error (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_UNKNOWN_CODE,
                   "no sign-in link has this code: ask the chair for a new link");
      return FALSE;
    }
  if (l->used)
    {
      g_set_error (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_USED,
                   "this sign-in link was already used; a link signs in one device once: "
                   "ask the chair for a new one");
      return FALSE;
    }
  if (now_us >= l->expires_us)
    {
      g_set_error (error, RELAY_SIGNIN_ERROR, RELAY_SIGNIN_ERROR_EXPIRED,
                   "this sign-in link has expired (links last %" G_GINT64_FORMAT
                   " s): ask the chair for a new one",
                   self->limits.link_lifetime_us / G_USEC_PER_SEC);
      return FALSE;
    }
  l->used = TRUE;
  *role = l->role;
  if (id_out)
    *id_out = g_strdup (l->id);
  return TRUE;
}

guint
relay_signin_store_count_sessions (RelaySigninStore *self)
{
  return g_hash_table_size (self->sessions);
}

guint
relay_signin_store_count_links (RelaySigninStore *self, gint64 now_us)
{
  return count_waiting (self, now_us);
}
