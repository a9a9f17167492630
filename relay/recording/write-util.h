/* Internal to relay/recording: byte building for the container writers
 * (big-endian fields, ISO BMFF boxes) and file writes that report errno
 * in a GError. Plain functions, any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

static inline void
put_u8 (GByteArray *b, guint8 v)
{
  g_byte_array_append (b, &v, 1);
}

static inline void
put_u16 (GByteArray *b, guint16 v)
{
  guint8 d[2] = { v >> 8, v & 0xff };
  g_byte_array_append (b, d, 2);
}

static inline void
put_u32 (GByteArray *b, guint32 v)
{
  guint8 d[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };
  g_byte_array_append (b, d, 4);
}

static inline void
put_u64 (GByteArray *b, guint64 v)
{
  put_u32 (b, (guint32) (v >> 32));
  put_u32 (b, (guint32) v);
}

static inline void
put_bytes (GByteArray *b, const void *data, gsize len)
{
  g_byte_array_append (b, data, (guint) len);
}

static inline void
set_u32 (guint8 *at, guint32 v)
{
  at[0] = v >> 24;
  at[1] = (v >> 16) & 0xff;
  at[2] = (v >> 8) & 0xff;
  at[3] = v & 0xff;
}

static inline void
set_u64 (guint8 *at, guint64 v)
{
  set_u32 (at, (guint32) (v >> 32));
  set_u32 (at + 4, (guint32) v);
}

static inline guint32
get_u32 (const guint8 *at)
{
  return ((guint32) at[0] << 24) | ((guint32) at[1] << 16) | ((guint32) at[2] << 8) | at[3];
}

static inline guint64
get_u64 (const guint8 *at)
{
  return ((guint64) get_u32 (at) << 32) | get_u32 (at + 4);
}

/* An ISO BMFF box: opens with a size to patch and the type; returns where
 * it starts, for box_close. */
static inline guint
box_open (GByteArray *b, const char *type)
{
  guint at = b->len;
  put_u32 (b, 0);
  put_bytes (b, type, 4);
  return at;
}

static inline guint
full_box_open (GByteArray *b, const char *type, guint8 version, guint32 flags)
{
  guint at = box_open (b, type);
  put_u32 (b, ((guint32) version << 24) | (flags & 0xffffff));
  return at;
}

static inline void
box_close (GByteArray *b, guint at)
{
  set_u32 (b->data + at, b->len - at);
}

/* Opens `path` for writing (created or truncated). -1 and `error` set. */
int relay_rec_open (const char *path, GError **error);

/* Writes all of `data` at `offset` (retrying short writes and EINTR).
 * FALSE with errno's text in `error`, which names `path`. */
gboolean relay_rec_pwrite (int fd, const void *data, gsize len, guint64 offset, const char *path,
                           GError **error);

/* Microseconds of `ts` in a clock of `rate` Hz, and back (rounded down). */
static inline gint64
relay_rec_to_us (gint64 ts, guint rate)
{
  return ts / rate * G_USEC_PER_SEC + ts % rate * G_USEC_PER_SEC / rate;
}

static inline gint64
relay_rec_from_us (gint64 us, guint rate)
{
  return us / G_USEC_PER_SEC * rate + us % G_USEC_PER_SEC * rate / G_USEC_PER_SEC;
}

G_END_DECLS
