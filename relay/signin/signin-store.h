/* Sign-in sessions and one-time sign-in links (docs/API.md, "Sign-in"):
 * what a session cookie stands for (a viewer's name and role) and until
 * when, and the single-use codes the chair hands to a phone.
 *
 * Only SHA-256 digests of the secrets (cookie values, link codes) are kept,
 * so a dump of the process's memory or a log of the table gives nobody a
 * usable cookie. Everything is bounded: sessions in all and per viewer, and
 * links waiting at once; sessions and links expire. The caller passes the
 * time (monotonic microseconds), which keeps the rules testable; expired
 * entries are dropped whenever the store is used, and by
 * relay_signin_store_expire.
 *
 * Main thread only (the HTTP server's context). The store owns its sessions
 * and links; a session pointer it returns is valid until the next call
 * that may end sessions (open, lookup, revoke, expire). Watchers hear of
 * every session that ends, whatever ends it. */
#pragma once

#include <glib.h>
#include "relay/config/config.h"

G_BEGIN_DECLS

#define RELAY_SIGNIN_ERROR (relay_signin_error_quark ())
GQuark relay_signin_error_quark (void);
typedef enum {
  RELAY_SIGNIN_ERROR_FULL,          /* max sessions held, none of them expired */
  RELAY_SIGNIN_ERROR_TOO_MANY_LINKS, /* max links waiting */
  RELAY_SIGNIN_ERROR_UNKNOWN_CODE,  /* a code nobody was given (or long gone) */
  RELAY_SIGNIN_ERROR_USED,          /* a code that already signed a device in */
  RELAY_SIGNIN_ERROR_EXPIRED,       /* a code past its lifetime */
  RELAY_SIGNIN_ERROR_ROLE,          /* a link may not grant this role */
} RelaySigninError;

typedef struct {
  guint max_sessions;            /* held at once, in all */
  guint max_sessions_per_viewer; /* per viewer name: its oldest ends first */
  guint max_links;               /* links waiting to be used (or to expire) */
  gint64 session_lifetime_us;
  gint64 link_lifetime_us;
} RelaySigninLimits;

typedef enum {
  RELAY_SIGNIN_BY_TOKEN, /* a viewer's token was exchanged for it */
  RELAY_SIGNIN_BY_LINK,  /* a one-time link was */
} RelaySigninVia;

typedef struct {
  char *id;                 /* public: names the session in logs, never a secret */
  RelayViewerConfig viewer; /* name and role it acts as (token_sha256 unused) */
  RelaySigninVia via;
  gint64 created_us, expires_us;
} RelaySigninSession;

/* Why a session ended, for its watchers and the log. */
typedef enum {
  RELAY_SIGNIN_END_SIGNED_OUT,
  RELAY_SIGNIN_END_EXPIRED,
  RELAY_SIGNIN_END_REPLACED, /* its viewer signed in once too often: the oldest goes */
} RelaySigninEnd;

typedef void (*RelaySigninEndedFunc) (const RelaySigninSession *session, RelaySigninEnd why,
                                      gpointer user_data);

typedef struct _RelaySigninStore RelaySigninStore;

RelaySigninStore *relay_signin_store_new (const RelaySigninLimits *limits);
void relay_signin_store_free (RelaySigninStore *store);

/* Calls `func` for each session that ends from now on. */
void relay_signin_store_watch (RelaySigninStore *store, RelaySigninEndedFunc func,
                               gpointer user_data);
void relay_signin_store_unwatch (RelaySigninStore *store, RelaySigninEndedFunc func,
                                 gpointer user_data);

/* A new session acting as `name` with `role`: its secret (the cookie's
 * value, 43 base64url characters) in *secret_out. When `name` already holds
 * max_sessions_per_viewer, its oldest session ends (REPLACED). NULL with
 * RELAY_SIGNIN_ERROR_FULL when the store holds max_sessions. */
const RelaySigninSession *relay_signin_store_open (RelaySigninStore *store, const char *name,
                                                   RelayViewerRole role, RelaySigninVia via,
                                                   gint64 now_us, char **secret_out,
                                                   GError **error);

/* The session a cookie value stands for, or NULL (unknown, ended or
 * expired). */
const RelaySigninSession *relay_signin_store_lookup (RelaySigninStore *store, const char *secret,
                                                     gint64 now_us);

/* Ends the session of `secret` (SIGNED_OUT); FALSE when there was none. */
gboolean relay_signin_store_revoke (RelaySigninStore *store, const char *secret);

/* A one-time link granting `role` (minister or viewer: never the chair's;
 * RELAY_SIGNIN_ERROR_ROLE otherwise): its code (22 base64url characters) in
 * *code_out, its public id (16 hex) in *id_out, and when it expires.
 * RELAY_SIGNIN_ERROR_TOO_MANY_LINKS while max_links are waiting. */
gboolean relay_signin_store_create_link (RelaySigninStore *store, RelayViewerRole role,
                                         gint64 now_us, char **code_out, char **id_out,
                                         gint64 *expires_us, GError **error);

/* Uses a link's code, once: TRUE with the role it grants and its id. A code
 * already used answers USED, one past its lifetime EXPIRED, for as long as
 * the store remembers it (an hour after it expires, and at most 4 times
 * max_links used or expired ones, the oldest forgotten first), then
 * UNKNOWN_CODE. */
gboolean relay_signin_store_redeem_link (RelaySigninStore *store, const char *code,
                                         gint64 now_us, RelayViewerRole *role, char **id_out,
                                         GError **error);

/* Drops what has expired (sessions: their watchers are told). */
void relay_signin_store_expire (RelaySigninStore *store, gint64 now_us);

guint relay_signin_store_count_sessions (RelaySigninStore *store);
/* Links still waiting to be used at `now_us`. */
guint relay_signin_store_count_links (RelaySigninStore *store, gint64 now_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelaySigninStore, relay_signin_store_free)

G_END_DECLS
