#include "relay/recording/fmp4-reader.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "relay/recording/fmp4-sidx.h"
#include "relay/recording/read-source.h"
#include "relay/recording/write-util.h"

#define FOURCC(a, b, c, d) (((guint32) (a) << 24) | ((guint32) (b) << 16) | ((guint32) (c) << 8) | (d))
/* Largest moov or moof read into memory: ours are a few kB. */
#define MAX_BOX_READ (64u << 20)
/* Times beyond this (in any timescale) are not from a recording. */
#define MAX_TIME (G_GUINT64_CONSTANT (1) << 50)

typedef struct {
  guint32 type;
  const guint8 *body;
  gsize len;
  gsize body_at; /* offset of the body in the buffer iterated */
} Box;

/* The next child box of data[0..len) at *pos; FALSE at the end or (with
 * *bad set) when the box does not fit. */
static gboolean
next_box (const guint8 *data, gsize len, gsize *pos, Box *box, gboolean *bad)
{
  if (*pos >= len)
    return FALSE;
  gsize left = len - *pos, header = 8;
  if (left < 8)
    goto bad;
  guint64 size = get_u32 (data + *pos);
  if (size == 1)
    {
      if (left < 16)
        goto bad;
      size = get_u64 (data + *pos + 8);
      header = 16;
    }
  else if (size == 0)
    size = left;
  if (size < header || size > left)
    goto bad;
  box->type = get_u32 (data + *pos + 4);
  box->body = data + *pos + header;
  box->len = (gsize) size - header;
  box->body_at = *pos + header;
  *pos += (gsize) size;
  return TRUE;
bad:
  *bad = TRUE;
  return FALSE;
}

typedef struct {
  guint32 track_id, duration, flags;
} Trex;

typedef struct {
  RelayFmp4Index *index;
  Trex trex[RELAY_FMP4_MAX_TRACKS];
  guint n_trex;
  guint64 track_end[RELAY_FMP4_MAX_TRACKS];
  gboolean has_video;
} Parser;

static int
track_index (RelayFmp4Index *index, guint32 track_id)
{
  for (guint i = 0; i < index->n_tracks; i++)
    if (index->tracks[i].track_id == track_id)
      return (int) i;
  return -1;
}

/* A full box's version, and whether its body holds `need` bytes. */
static gboolean
full_box (const Box *b, gsize need_v0, gsize need_v1, guint8 *version)
{
  if (b->len < 4)
    return FALSE;
  *version = b->body[0];
  return *version <= 1 && b->len >= (*version ? need_v1 : need_v0);
}

static gboolean
parse_trak (Parser *p, const Box *trak, guint64 base)
{
  RelayFmp4Index *index = p->index;
  if (index->n_tracks >= RELAY_FMP4_MAX_TRACKS)
    return FALSE;
  guint n = index->n_tracks;
  RelayFmp4Track *t = &index->tracks[n];
  memset (t, 0, sizeof *t);
  gboolean bad = FALSE;
  Box b, m, i, s;
  gsize pos = 0;
  while (next_box (trak->body, trak->len, &pos, &b, &bad))
    {
      guint64 at = base + b.body_at;
      guint8 v;
      if (b.type == FOURCC ('t', 'k', 'h', 'd'))
        {
          if (!full_box (&b, 24, 36, &v))
            return FALSE;
          t->track_id = get_u32 (b.body + (v ? 20 : 12));
          index->tkhd_duration_at[n] = at + (v ? 28 : 20);
          index->tkhd_version[n] = v;
        }
      else if (b.type == FOURCC ('m', 'd', 'i', 'a'))
        {
          gsize mpos = 0;
          while (next_box (b.body, b.len, &mpos, &m, &bad))
            {
              guint64 mat = at + m.body_at;
              if (m.type == FOURCC ('m', 'd', 'h', 'd'))
                {
                  if (!full_box (&m, 20, 32, &v))
                    return FALSE;
                  t->timescale = get_u32 (m.body + (v ? 20 : 12));
                  index->mdhd_duration_at[n] = mat + (v ? 24 : 16);
                  index->mdhd_version[n] = v;
                }
              else if (m.type == FOURCC ('h', 'd', 'l', 'r') && m.len >= 12)
                t->handler = get_u32 (m.body + 8);
              else if (m.type == FOURCC ('m', 'i', 'n', 'f'))
                {
                  gsize ipos = 0;
                  while (next_box (m.body, m.len, &ipos, &i, &bad))
                    {
                      if (i.type != FOURCC ('s', 't', 'b', 'l'))
                        continue;
                      gsize spos = 0;
                      while (next_box (i.body, i.len, &spos, &s, &bad))
                        if (s.type == FOURCC ('s', 't', 's', 'd') && s.len >= 16
                            && get_u32 (s.body + 4) >= 1)
                          t->codec = get_u32 (s.body + 12);
                    }
                }
            }
        }
    }
  if (bad || t->track_id == 0 || t->timescale == 0 || track_index (index, t->track_id) >= 0)
    return FALSE;
  if (t->handler == FOURCC ('v', 'i', 'd', 'e'))
    p->has_video = TRUE;
  index->n_tracks++;
  return TRUE;
}

static gboolean
parse_moov (Parser *p, const guint8 *data, gsize len, guint64 base)
{
  RelayFmp4Index *index = p->index;
  gboolean bad = FALSE;
  Box b, x;
  gsize pos = 0;
  while (next_box (data, len, &pos, &b, &bad))
    {
      guint8 v;
      if (b.type == FOURCC ('m', 'v', 'h', 'd'))
        {
          if (!full_box (&b, 20, 32, &v))
            return FALSE;
          index->movie_timescale = get_u32 (b.body + (v ? 20 : 12));
          index->mvhd_duration_at = base + b.body_at + (v ? 24 : 16);
          index->mvhd_version = v;
        }
      else if (b.type == FOURCC ('t', 'r', 'a', 'k'))
        {
          if (!parse_trak (p, &b, base + b.body_at))
            return FALSE;
        }
      else if (b.type == FOURCC ('m', 'v', 'e', 'x'))
        {
          gsize xpos = 0;
          while (next_box (b.body, b.len, &xpos, &x, &bad))
            {
              if (x.type == FOURCC ('m', 'e', 'h', 'd') && full_box (&x, 8, 12, &v))
                {
                  index->mehd_duration_at = base + b.body_at + x.body_at + 4;
                  index->mehd_version = v;
                }
              else if (x.type == FOURCC ('t', 'r', 'e', 'x') && x.len >= 24
                       && p->n_trex < RELAY_FMP4_MAX_TRACKS)
                {
                  Trex *t = &p->trex[p->n_trex++];
                  t->track_id = get_u32 (x.body + 4);
                  t->duration = get_u32 (x.body + 12);
                  t->flags = get_u32 (x.body + 20);
                }
            }
        }
    }
  return !bad && index->n_tracks > 0 && index->movie_timescale > 0;
}

/* sample_is_non_sync_sample, ISO/IEC 14496-12 §8.8.3.1. */
static gboolean
is_sync (guint32 flags)
{
  return (flags & 0x00010000) == 0;
}

static gboolean
parse_traf (Parser *p, const Box *traf, RelayFmp4Fragment *frag, gboolean *first_sync)
{
  if (frag->n_runs >= RELAY_FMP4_MAX_TRACKS)
    return FALSE;
  RelayFmp4TrackRun *run = &frag->runs[frag->n_runs];
  memset (run, 0, sizeof *run);
  int track = -1;
  guint32 default_duration = 0, default_flags = 0;
  gboolean have_tfdt = FALSE, have_first = FALSE;
  gboolean bad = FALSE;
  Box b;
  gsize pos = 0;
  while (next_box (traf->body, traf->len, &pos, &b, &bad))
    {
      guint8 v;
      if (b.type == FOURCC ('t', 'f', 'h', 'd'))
        {
          if (b.len < 8 || track >= 0)
            return FALSE;
          guint32 flags = get_u32 (b.body) & 0xffffff;
          run->track_id = get_u32 (b.body + 4);
          if ((track = track_index (p->index, run->track_id)) < 0)
            return FALSE;
          for (guint i = 0; i < p->n_trex; i++)
            if (p->trex[i].track_id == run->track_id)
              {
                default_duration = p->trex[i].duration;
                default_flags = p->trex[i].flags;
              }
          gsize at = 8;
          if (flags & 0x000001) /* base-data-offset: an absolute position */
            {
              frag->copyable = FALSE;
              at += 8;
            }
          if (flags & 0x000002)
            at += 4;
          if (flags & 0x000008)
            {
              if (at + 4 > b.len)
                return FALSE;
              default_duration = get_u32 (b.body + at);
              at += 4;
            }
          if (flags & 0x000010)
            at += 4;
          if (flags & 0x000020)
            {
              if (at + 4 > b.len)
                return FALSE;
              default_flags = get_u32 (b.body + at);
              at += 4;
            }
          if (at > b.len)
            return FALSE;
        }
      else if (b.type == FOURCC ('t', 'f', 'd', 't'))
        {
          if (!full_box (&b, 8, 12, &v))
            return FALSE;
          run->base_time = v ? get_u64 (b.body + 4) : get_u32 (b.body + 4);
          run->tfdt_at = (guint32) (traf->body_at + b.body_at + 4);
          run->tfdt_version = v;
          have_tfdt = TRUE;
        }
      else if (b.type == FOURCC ('t', 'r', 'u', 'n'))
        {
          if (track < 0 || b.len < 8)
            return FALSE;
          guint32 flags = get_u32 (b.body) & 0xffffff;
          guint32 count = get_u32 (b.body + 4);
          gsize at = 8;
          guint32 first_flags = 0;
          if (flags & 0x000001)
            at += 4;
          if (flags & 0x000004)
            {
              if (at + 4 > b.len)
                return FALSE;
              first_flags = get_u32 (b.body + at);
              at += 4;
            }
          guint per = 4 * (!!(flags & 0x100) + !!(flags & 0x200) + !!(flags & 0x400) + !!(flags & 0x800));
          if (at > b.len || (guint64) count * per > b.len - at)
            return FALSE;
          if (per == 0 && count > (1u << 24))
            return FALSE;
          for (guint32 i = 0; i < count; i++)
            {
              const guint8 *s = b.body + at + (gsize) i * per;
              guint32 duration = (flags & 0x100) ? get_u32 (s) : default_duration;
              guint32 sflags = (flags & 0x400)
                                 ? get_u32 (s + 4 * (!!(flags & 0x100) + !!(flags & 0x200)))
                                 : default_flags;
              if (i == 0 && (flags & 0x000004))
                sflags = first_flags;
              if (!have_first)
                {
                  have_first = TRUE;
                  *first_sync = is_sync (sflags);
                }
              run->duration += duration;
              run->samples++;
            }
        }
    }
  if (bad || track < 0 || run->duration > MAX_TIME)
    return FALSE;
  if (!have_tfdt)
    run->base_time = p->track_end[track];
  if (run->base_time > MAX_TIME)
    return FALSE;
  p->track_end[track] = run->base_time + run->duration;
  frag->n_runs++;
  return TRUE;
}

static gboolean
parse_moof (Parser *p, const guint8 *data, gsize len, RelayFmp4Fragment *frag)
{
  RelayFmp4Index *index = p->index;
  gboolean bad = FALSE, seen_video = FALSE;
  frag->copyable = TRUE;
  frag->keyframe = !p->has_video;
  Box b;
  gsize pos = 0;
  while (next_box (data, len, &pos, &b, &bad))
    {
      if (b.type == FOURCC ('m', 'f', 'h', 'd'))
        {
          if (b.len < 8)
            return FALSE;
          frag->sequence = get_u32 (b.body + 4);
          frag->sequence_at = (guint32) (8 + b.body_at + 4);
        }
      else if (b.type == FOURCC ('t', 'r', 'a', 'f'))
        {
          gboolean sync = FALSE;
          b.body_at += 8; /* offsets from the moof's start, its header included */
          if (!parse_traf (p, &b, frag, &sync))
            return FALSE;
          RelayFmp4TrackRun *run = &frag->runs[frag->n_runs - 1];
          int t = track_index (index, run->track_id);
          if (index->tracks[t].handler == FOURCC ('v', 'i', 'd', 'e') && !seen_video && run->samples)
            {
              seen_video = TRUE;
              frag->keyframe = sync;
            }
        }
    }
  if (bad || frag->n_runs == 0 || frag->sequence_at == 0)
    return FALSE;
  gint64 start = G_MAXINT64, end = 0;
  for (guint i = 0; i < frag->n_runs; i++)
    {
      RelayFmp4TrackRun *run = &frag->runs[i];
      guint scale = index->tracks[track_index (index, run->track_id)].timescale;
      /* Past 2^32 s (136 years) the µs would overflow: not a recording. */
      if ((run->base_time + run->duration) / scale >= (G_GUINT64_CONSTANT (1) << 32))
        return FALSE;
      start = MIN (start, relay_rec_to_us ((gint64) run->base_time, scale));
      end = MAX (end, relay_rec_to_us ((gint64) (run->base_time + run->duration), scale));
    }
  frag->start_us = start;
  frag->duration_us = end - start;
  return TRUE;
}

static RelayFmp4Index *
index_source (const RelayReadSource *src, GError **error)
{
  g_autoptr (RelayFmp4Index) index = g_new0 (RelayFmp4Index, 1);
  index->fragments = g_array_new (FALSE, FALSE, sizeof (RelayFmp4Fragment));
  index->file_size = src->size;
  Parser p = { .index = index };
  gboolean have_moov = FALSE, pending = FALSE;
  RelayFmp4Fragment frag;
  guint64 off = 0;
  while (off < src->size)
    {
      guint8 h[16];
      guint64 header = 8, size;
      if (!relay_read_source_read (src, off, h, 8))
        break;
      size = get_u32 (h);
      if (size == 1)
        {
          if (!relay_read_source_read (src, off + 8, h + 8, 8))
            break;
          size = get_u64 (h + 8);
          header = 16;
        }
      else if (size == 0)
        size = src->size - off;
      if (size < header || size > src->size - off)
        break; /* cut short (or garbage) */
      guint32 type = get_u32 (h + 4);
      if (type == FOURCC ('m', 'o', 'o', 'v') || type == FOURCC ('m', 'o', 'o', 'f'))
        {
          if (size - header > MAX_BOX_READ)
            break;
          g_autofree guint8 *body = relay_read_source_dup (src, off + header, (gsize) (size - header));
          if (!body)
            break;
          if (type == FOURCC ('m', 'o', 'o', 'v'))
            {
              if (have_moov || !parse_moov (&p, body, (gsize) (size - header), off + header))
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad moov");
                  return NULL;
                }
              have_moov = TRUE;
              index->init_size = off + size;
            }
          else
            {
              if (!have_moov || header != 8)
                break;
              memset (&frag, 0, sizeof frag);
              frag.offset = off;
              if (!parse_moof (&p, body, (gsize) (size - header), &frag))
                break;
              pending = TRUE;
            }
        }
      else if ((type == FOURCC ('s', 'i', 'd', 'x') || type == FOURCC ('f', 'r', 'e', 'e'))
               && have_moov && !pending && index->fragments->len == 0 && !index->sidx_size
               && off == index->init_size)
        {
          index->sidx_at = off;
          index->sidx_size = size;
        }
      else if (type == FOURCC ('m', 'd', 'a', 't') && pending)
        {
          frag.size = off + size - frag.offset;
          g_array_append_val (index->fragments, frag);
          index->duration_us = MAX (index->duration_us, frag.start_us + frag.duration_us);
          pending = FALSE;
        }
      off += size;
    }
  if (!have_moov)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not an MP4 file (no moov)");
      return NULL;
    }
  RelayFmp4Fragment *last = index->fragments->len
                              ? &g_array_index (index->fragments, RelayFmp4Fragment,
                                                index->fragments->len - 1)
                              : NULL;
  guint64 head_end = index->sidx_size ? index->sidx_at + index->sidx_size : index->init_size;
  index->truncated = (last ? last->offset + last->size : head_end) < src->size;
  return g_steal_pointer (&index);
}

RelayFmp4Index *
relay_fmp4_index_parse (const guint8 *data, gsize len, GError **error)
{
  RelayReadSource src = { -1, data, len };
  return index_source (&src, error);
}

static gboolean
open_source (const char *path, RelayReadSource *src, GError **error)
{
  src->fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  src->data = NULL;
  GStatBuf st;
  if (src->fd < 0 || fstat (src->fd, &st) != 0)
    {
      int err = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err), "cannot read %s: %s", path,
                   g_strerror (err));
      if (src->fd >= 0)
        close (src->fd);
      src->fd = -1;
      return FALSE;
    }
  src->size = (guint64) st.st_size;
  return TRUE;
}

RelayFmp4Index *
relay_fmp4_index_read (const char *path, GError **error)
{
  RelayReadSource src;
  if (!open_source (path, &src, error))
    return NULL;
  GError *e = NULL;
  RelayFmp4Index *index = index_source (&src, &e);
  close (src.fd);
  if (e)
    g_propagate_prefixed_error (error, e, "%s: ", path);
  return index;
}

void
relay_fmp4_index_free (RelayFmp4Index *index)
{
  if (!index)
    return;
  g_array_unref (index->fragments);
  g_free (index);
}

/* Writes a duration field of `version` (0: 32 bits, 1: 64 bits) at `at`
 * (0: absent) of buf[0..len). */
static void
patch_field (guint8 *buf, gsize len, guint64 at, guint8 version, guint64 value)
{
  gsize width = version ? 8 : 4;
  if (at == 0 || at > len || width > len - at)
    return;
  if (version)
    set_u64 (buf + at, value);
  else
    set_u32 (buf + at, (guint32) MIN (value, G_MAXUINT32));
}

/* The durations of an init segment (mvhd, mehd, tkhd, mdhd) set to `us`. */
static void
set_durations (guint8 *init, gsize len, const RelayFmp4Index *index, gint64 us)
{
  guint64 movie = (guint64) relay_rec_from_us (us, index->movie_timescale);
  patch_field (init, len, index->mvhd_duration_at, index->mvhd_version, movie);
  patch_field (init, len, index->mehd_duration_at, index->mehd_version, movie);
  for (guint t = 0; t < index->n_tracks; t++)
    {
      patch_field (init, len, index->tkhd_duration_at[t], index->tkhd_version[t], movie);
      patch_field (init, len, index->mdhd_duration_at[t], index->mdhd_version[t],
                   (guint64) relay_rec_from_us (us, index->tracks[t].timescale));
    }
}

/* The segment index of a repaired file lists exactly the complete
 * fragments it keeps (a crash may have left it listing fewer, or, when the
 * disk lost writes the index's reached, more). */
static gboolean
rewrite_segment_index (int fd, const char *path, const RelayFmp4Index *index, GError **error)
{
  if (index->sidx_size < 8 || index->sidx_size > G_MAXUINT32 || index->n_tracks == 0)
    return TRUE;
  guint r = 0;
  for (guint t = 0; t < index->n_tracks; t++)
    if (index->tracks[t].handler == FOURCC ('v', 'i', 'd', 'e'))
      {
        r = t;
        break;
      }
  guint capacity = relay_fmp4_sidx_capacity (index->sidx_size);
  g_autoptr (GByteArray) b = g_byte_array_new ();
  g_byte_array_set_size (b, RELAY_FMP4_SIDX_HEADER_SIZE);
  guint n = 0;
  guint64 expected_at = index->sidx_at + index->sidx_size, listed_end = 0;
  for (guint i = 0; i < index->fragments->len && n < capacity; i++)
    {
      const RelayFmp4Fragment *f = &g_array_index (index->fragments, RelayFmp4Fragment, i);
      if (f->offset != expected_at || f->size > G_MAXINT32)
        break; /* the index lists contiguous fragments from the region's end */
      guint64 end = listed_end;
      for (guint k = 0; k < f->n_runs; k++)
        if (f->runs[k].track_id == index->tracks[r].track_id)
          end = MAX (end, f->runs[k].base_time + f->runs[k].duration);
      guint8 entry[RELAY_FMP4_SIDX_ENTRY_SIZE];
      relay_fmp4_sidx_set_entry (entry, (guint32) f->size,
                                 (guint32) MIN (end - listed_end, G_MAXUINT32), f->keyframe);
      g_byte_array_append (b, entry, sizeof entry);
      listed_end = end;
      expected_at += f->size;
      n++;
    }
  if (n == 0)
    {
      /* Nothing to list: the region is a 'free' box again. */
      guint8 head[8];
      set_u32 (head, (guint32) index->sidx_size);
      memcpy (head + 4, "free", 4);
      return relay_rec_pwrite (fd, head, sizeof head, index->sidx_at, path, error);
    }
  relay_fmp4_sidx_set_header (b->data, (guint32) index->sidx_size, index->tracks[r].track_id,
                              index->tracks[r].timescale, (guint16) n);
  return relay_rec_pwrite (fd, b->data, b->len, index->sidx_at, path, error);
}

gboolean
relay_fmp4_repair (const char *path, gint64 *duration_us, GError **error)
{
  int fd = g_open (path, O_RDWR | O_CLOEXEC, 0);
  GStatBuf st;
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int err = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err), "cannot open %s: %s", path,
                   g_strerror (err));
      if (fd >= 0)
        close (fd);
      return FALSE;
    }
  RelayReadSource src = { fd, NULL, (guint64) st.st_size };
  GError *e = NULL;
  g_autoptr (RelayFmp4Index) index = index_source (&src, &e);
  gboolean ok = index != NULL;
  if (!ok)
    g_propagate_prefixed_error (error, e, "%s: ", path);
  else if (index->init_size > MAX_BOX_READ)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: init segment too large", path);
      ok = FALSE;
    }
  else
    {
      gsize len = (gsize) index->init_size;
      g_autofree guint8 *init = relay_read_source_dup (&src, 0, len);
      guint n = index->fragments->len;
      RelayFmp4Fragment *last = n ? &g_array_index (index->fragments, RelayFmp4Fragment, n - 1) : NULL;
      guint64 end = last ? last->offset + last->size
                         : index->sidx_size ? index->sidx_at + index->sidx_size : index->init_size;
      ok = init != NULL;
      if (!ok)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: cannot read", path);
      else
        {
          set_durations (init, len, index, index->duration_us);
          ok = relay_rec_pwrite (fd, init, len, 0, path, error)
               && rewrite_segment_index (fd, path, index, error);
        }
      if (ok && end < src.size && ftruncate (fd, (off_t) end) != 0)
        {
          int err = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err), "cannot truncate %s: %s",
                       path, g_strerror (err));
          ok = FALSE;
        }
      if (ok && duration_us)
        *duration_us = index->duration_us;
    }
  if (close (fd) != 0 && ok)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot close %s", path);
      ok = FALSE;
    }
  return ok;
}

/* µs to ticks, rounded to the nearest: the fragment that starts an
 * export then starts at exactly 0 although its µs time was rounded down. */
static gint64
ticks_rounded (gint64 us, guint scale)
{
  gint64 q = us / G_USEC_PER_SEC, r = us % G_USEC_PER_SEC;
  return q * scale + (r * scale + (r >= 0 ? 1 : -1) * G_USEC_PER_SEC / 2) / G_USEC_PER_SEC;
}

typedef struct {
  RelayReadSource src;
  RelayFmp4Index *index;
  gint64 start_us;
} Segment;

static gboolean
same_tracks (const RelayFmp4Index *a, const RelayFmp4Index *b)
{
  if (a->n_tracks != b->n_tracks)
    return FALSE;
  for (guint i = 0; i < a->n_tracks; i++)
    if (memcmp (&a->tracks[i], &b->tracks[i], sizeof a->tracks[i]) != 0)
      return FALSE;
  return TRUE;
}

static gboolean
export_fragments (Segment *segs, guint n, gint64 start_us, gint64 end_us, int fd,
                  const char *out_path, gint64 *out_start, gint64 *out_duration, GError **error)
{
  /* The first fragment: the latest key fragment at or before the start,
   * else the first key fragment before the end. */
  gint first_seg = -1, first_frag = -1;
  gint64 recorded_end = G_MININT64;
  for (guint s = 0; s < n; s++)
    for (guint f = 0; f < segs[s].index->fragments->len; f++)
      {
        RelayFmp4Fragment *frag = &g_array_index (segs[s].index->fragments, RelayFmp4Fragment, f);
        gint64 at = segs[s].start_us + frag->start_us;
        recorded_end = MAX (recorded_end, at + frag->duration_us);
        if (!frag->keyframe)
          continue;
        if (at <= start_us || (first_seg < 0 && at < end_us))
          {
            first_seg = (gint) s;
            first_frag = (gint) f;
          }
      }
  if (first_seg < 0 || recorded_end <= start_us)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "nothing recorded in that range");
      return FALSE;
    }
  Segment *init_seg = &segs[first_seg];
  RelayFmp4Index *init = init_seg->index;
  RelayFmp4Fragment *head = &g_array_index (init->fragments, RelayFmp4Fragment, first_frag);
  gint64 origin = init_seg->start_us + head->start_us, end = origin;
  for (guint s = (guint) first_seg; s < n; s++)
    for (guint f = s == (guint) first_seg ? (guint) first_frag : 0;
         f < segs[s].index->fragments->len; f++)
      {
        RelayFmp4Fragment *frag = &g_array_index (segs[s].index->fragments, RelayFmp4Fragment, f);
        if (segs[s].start_us + frag->start_us >= end_us && end > origin)
          break;
        end = MAX (end, segs[s].start_us + frag->start_us + frag->duration_us);
      }

  /* The init segment of the first fragment's file, its durations set. */
  if (init->init_size > MAX_BOX_READ)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "init segment too large");
      return FALSE;
    }
  gsize init_len = (gsize) init->init_size;
  g_autofree guint8 *head_bytes = relay_read_source_dup (&init_seg->src, 0, init_len);
  if (!head_bytes)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "cannot read the init segment");
      return FALSE;
    }
  gint64 duration = end - origin;
  set_durations (head_bytes, init_len, init, duration);
  guint64 out = 0;
  if (!relay_rec_pwrite (fd, head_bytes, init_len, out, out_path, error))
    return FALSE;
  out += init_len;

  guint32 sequence = 0;
  for (guint s = (guint) first_seg; s < n; s++)
    for (guint f = s == (guint) first_seg ? (guint) first_frag : 0;
         f < segs[s].index->fragments->len; f++)
      {
        RelayFmp4Fragment *frag = &g_array_index (segs[s].index->fragments, RelayFmp4Fragment, f);
        if (segs[s].start_us + frag->start_us >= end_us && sequence > 0)
          goto done;
        if (!frag->copyable || frag->size > MAX_BOX_READ)
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                         "fragment at %" G_GUINT64_FORMAT " cannot be moved", frag->offset);
            return FALSE;
          }
        g_autofree guint8 *bytes = relay_read_source_dup (&segs[s].src, frag->offset, (gsize) frag->size);
        if (!bytes)
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "cannot read a fragment");
            return FALSE;
          }
        set_u32 (bytes + frag->sequence_at, ++sequence);
        for (guint r = 0; r < frag->n_runs; r++)
          {
            RelayFmp4TrackRun *run = &frag->runs[r];
            guint scale = segs[s].index->tracks[track_index (segs[s].index, run->track_id)].timescale;
            gint64 shift = ticks_rounded (segs[s].start_us - origin, scale);
            gint64 base = MAX ((gint64) run->base_time + shift, 0);
            if (run->tfdt_at == 0)
              continue; /* no tfdt: follows on from the previous fragment */
            if (run->tfdt_version)
              set_u64 (bytes + run->tfdt_at, (guint64) base);
            else if (base <= G_MAXUINT32)
              set_u32 (bytes + run->tfdt_at, (guint32) base);
            else
              {
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "32-bit tfdt overflows");
                return FALSE;
              }
          }
        if (!relay_rec_pwrite (fd, bytes, (gsize) frag->size, out, out_path, error))
          return FALSE;
        out += frag->size;
      }
done:
  if (out_start)
    *out_start = origin;
  if (out_duration)
    *out_duration = duration;
  return TRUE;
}

gboolean
relay_fmp4_export (const RelayFmp4Segment *segments, guint n_segments, gint64 start_us,
                   gint64 duration_us, const char *out_path, gint64 *out_start_us,
                   gint64 *out_duration_us, GError **error)
{
  g_return_val_if_fail (n_segments > 0 && duration_us > 0, FALSE);
  Segment *segs = g_new0 (Segment, n_segments);
  for (guint i = 0; i < n_segments; i++)
    segs[i].src.fd = -1;
  gboolean ok = TRUE;
  guint opened = 0;
  for (; opened < n_segments && ok; opened++)
    {
      Segment *s = &segs[opened];
      s->start_us = segments[opened].start_us;
      if (!open_source (segments[opened].path, &s->src, error))
        break;
      GError *e = NULL;
      s->index = index_source (&s->src, &e);
      if (!s->index)
        {
          g_propagate_prefixed_error (error, e, "%s: ", segments[opened].path);
          ok = FALSE;
        }
      else if (opened > 0 && !same_tracks (segs[0].index, s->index))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "%s: other tracks or codecs than %s", segments[opened].path,
                       segments[0].path);
          ok = FALSE;
        }
    }
  ok = ok && opened == n_segments;
  if (ok)
    {
      int fd = relay_rec_open (out_path, error);
      ok = fd >= 0
           && export_fragments (segs, n_segments, start_us,
                                start_us > G_MAXINT64 - duration_us ? G_MAXINT64
                                                                    : start_us + duration_us,
                                fd, out_path, out_start_us, out_duration_us, error);
      if (fd >= 0 && close (fd) != 0 && ok)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot close %s", out_path);
          ok = FALSE;
        }
      if (!ok && fd >= 0)
        g_unlink (out_path);
    }
  for (guint i = 0; i < n_segments; i++)
    {
      if (segs[i].src.fd >= 0)
        close (segs[i].src.fd);
      relay_fmp4_index_free (segs[i].index);
    }
  g_free (segs);
  return ok;
}
