#include "relay/recording/rtp-frame-assembler.h"

#include <string.h>

#define DEFAULT_WINDOW_PACKETS 30
#define DEFAULT_WINDOW_MS 100
/* A sequence number this far from the stream's is a restart of the
 * numbering (a sender that kept its SSRC), not a late or early packet. */
#define SEQ_RESTART_DISTANCE 3000

typedef struct {
  gint64 seq;      /* extended */
  guint32 ts;
  gboolean marker;
  guint8 *payload; /* without header, extensions, padding */
  gsize len;
} Packet;

struct _RelayRtpFrameAssembler {
  RelayMediaCodec codec;
  guint clock;
  guint window_packets;
  guint32 window_ts;

  /* The current source and its reordering. */
  gboolean have_source;
  guint32 ssrc;
  gint64 max_seq;      /* highest extended sequence number received */
  guint32 max_seq_ts;  /* its RTP timestamp */
  gint64 released_seq; /* last extended sequence number handed on */
  gboolean released;   /* any packet of the source handed on yet */
  GQueue pending;      /* Packet*, ascending seq */

  /* Timeline: the source's RTP time made continuous with earlier sources. */
  gboolean source_has_ts;
  gint64 source_first_ts, source_last_ts; /* extended RTP timestamps */
  gint64 source_offset;                   /* timeline at the source's first packet */
  gboolean have_timeline;
  gint64 timeline_last;  /* timeline of the last frame (out or dropped) */
  gint64 last_interval;  /* between the last two frames */
  gboolean have_out;
  gint64 last_out;       /* timestamp of the last frame out */
  gint64 start_timestamp;

  /* The frame being put together. */
  gboolean in_frame, frame_key, frame_broken;
  guint32 frame_rtp_ts;
  gint64 frame_ts;
  GByteArray *vp8;
  GPtrArray *nals;
  GByteArray *fu;      /* H.264 FU-A NAL being reassembled */
  GBytes *sps, *pps;

  gboolean need_key;
  GQueue out;          /* RelayMediaFrame* */
  RelayRtpFrameAssemblerStats stats;
};

static gint64
extend (gint64 reference, guint32 value, guint bits)
{
  guint64 modulus = G_GUINT64_CONSTANT (1) << bits;
  gint64 delta = (gint64) ((value - (guint64) reference) & (modulus - 1));
  if (delta >= (gint64) (modulus / 2))
    delta -= (gint64) modulus;
  return reference + delta;
}

static gboolean
is_video (RelayRtpFrameAssembler *self)
{
  return self->codec != RELAY_MEDIA_OPUS;
}

RelayRtpFrameAssembler *
relay_rtp_frame_assembler_new (RelayMediaCodec codec, gint64 start_timestamp)
{
  RelayRtpFrameAssembler *self = g_new0 (RelayRtpFrameAssembler, 1);
  self->codec = codec;
  self->clock = codec == RELAY_MEDIA_OPUS ? RELAY_AUDIO_CLOCK : RELAY_VIDEO_CLOCK;
  self->start_timestamp = start_timestamp;
  /* Until two frames were seen: 30 fps video, 20 ms audio. */
  self->last_interval = self->clock / (codec == RELAY_MEDIA_OPUS ? 50 : 30);
  self->need_key = is_video (self);
  g_queue_init (&self->pending);
  g_queue_init (&self->out);
  relay_rtp_frame_assembler_set_window (self, 0, 0);
  return self;
}

void
relay_rtp_frame_assembler_set_window (RelayRtpFrameAssembler *self, guint packets, guint ms)
{
  self->window_packets = packets ? packets : DEFAULT_WINDOW_PACKETS;
  self->window_ts = (guint32) ((guint64) (ms ? ms : DEFAULT_WINDOW_MS) * self->clock / 1000);
}

static void
packet_free (Packet *p)
{
  g_free (p->payload);
  g_free (p);
}

/* The last frame's place on the timeline, out or dropped: where a next
 * source carries on from. Intervals over a second are pauses, not frames. */
static void
note_timeline (RelayRtpFrameAssembler *self, gint64 ts)
{
  if (self->have_timeline && ts > self->timeline_last)
    self->last_interval = MIN (ts - self->timeline_last, (gint64) self->clock);
  self->have_timeline = TRUE;
  self->timeline_last = ts;
}

static void
emit (RelayRtpFrameAssembler *self, RelayMediaFrame *frame, gint64 ts)
{
  frame->codec = self->codec;
  frame->ssrc = self->ssrc;
  /* Strictly increasing, whatever the sender's timestamps did. */
  if (self->have_out && ts <= self->last_out)
    ts = self->last_out + 1;
  frame->timestamp = ts;
  self->have_out = TRUE;
  self->last_out = ts;
  self->stats.frames_out++;
  g_queue_push_tail (&self->out, frame);
}

/* Ends the frame being put together: out if whole and decodable, else
 * dropped (video then waits for a key frame). */
static void
finish_frame (RelayRtpFrameAssembler *self)
{
  if (!self->in_frame)
    return;
  self->in_frame = FALSE;
  if (self->fu)
    {
      self->frame_broken = TRUE; /* a NAL unit's fragments stopped short */
      g_clear_pointer (&self->fu, g_byte_array_unref);
    }
  g_autoptr (GByteArray) vp8 = g_steal_pointer (&self->vp8);
  g_autoptr (GPtrArray) nals = g_steal_pointer (&self->nals);
  if (self->codec == RELAY_MEDIA_H264 && !self->frame_broken && nals->len == 0)
    return; /* parameter sets or delimiters alone: not a picture */

  gint64 ts = self->frame_ts;
  note_timeline (self, ts);

  gboolean empty = self->codec == RELAY_MEDIA_VP8 && vp8->len == 0;
  gboolean no_params = self->codec == RELAY_MEDIA_H264 && self->frame_key && !(self->sps && self->pps);
  if (self->frame_broken || empty || no_params)
    {
      self->stats.frames_dropped++;
      self->need_key = TRUE;
      return;
    }
  if (self->need_key && !self->frame_key)
    {
      self->stats.frames_dropped++;
      return;
    }
  self->need_key = FALSE;

  RelayMediaFrame *frame = g_new0 (RelayMediaFrame, 1);
  frame->keyframe = self->frame_key;
  frame->rtp_timestamp = self->frame_rtp_ts;
  if (self->codec == RELAY_MEDIA_VP8)
    frame->data = g_byte_array_free_to_bytes (g_steal_pointer (&vp8));
  else
    {
      frame->nals = g_steal_pointer (&nals);
      frame->sps = self->sps ? g_bytes_ref (self->sps) : NULL;
      frame->pps = self->pps ? g_bytes_ref (self->pps) : NULL;
    }
  emit (self, frame, ts);
}

static void
start_frame (RelayRtpFrameAssembler *self, const Packet *p, gint64 ts)
{
  self->in_frame = TRUE;
  self->frame_key = FALSE;
  self->frame_broken = FALSE;
  self->frame_rtp_ts = p->ts;
  self->frame_ts = ts;
  if (self->codec == RELAY_MEDIA_VP8)
    self->vp8 = g_byte_array_new ();
  else
    self->nals = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static void
malformed (RelayRtpFrameAssembler *self)
{
  self->stats.packets_malformed++;
  if (self->in_frame)
    self->frame_broken = TRUE;
}

static void
add_nal (RelayRtpFrameAssembler *self, const guint8 *nal, gsize len)
{
  if (len < 1)
    {
      malformed (self);
      return;
    }
  switch (nal[0] & 0x1f)
    {
    case 7:
      g_clear_pointer (&self->sps, g_bytes_unref);
      self->sps = g_bytes_new (nal, len);
      return;
    case 8:
      g_clear_pointer (&self->pps, g_bytes_unref);
      self->pps = g_bytes_new (nal, len);
      return;
    case 9: /* access unit delimiter: the container delimits samples */
      return;
    case 5:
      self->frame_key = TRUE;
      break;
    default:
      break;
    }
  g_ptr_array_add (self->nals, g_bytes_new (nal, len));
}

/* RFC 6184 §5.7.1 (STAP-A), §5.8 (FU-A); other aggregation and
 * fragmentation units are not used in packetization-mode 1. */
static void
depacketize_h264 (RelayRtpFrameAssembler *self, const guint8 *p, gsize len)
{
  guint type = p[0] & 0x1f;
  if (type >= 1 && type <= 23)
    add_nal (self, p, len);
  else if (type == 24)
    {
      gsize off = 1;
      while (off < len)
        {
          if (off + 2 > len)
            {
              malformed (self);
              return;
            }
          gsize size = (p[off] << 8) | p[off + 1];
          off += 2;
          if (size == 0 || size > len - off)
            {
              malformed (self);
              return;
            }
          add_nal (self, p + off, size);
          off += size;
        }
    }
  else if (type == 28)
    {
      if (len < 3)
        {
          malformed (self);
          return;
        }
      gboolean start = p[1] & 0x80, end = p[1] & 0x40;
      if (start)
        {
          if (self->fu)
            self->frame_broken = TRUE; /* the previous one never ended */
          g_clear_pointer (&self->fu, g_byte_array_unref);
          self->fu = g_byte_array_new ();
          guint8 header = (p[0] & 0xe0) | (p[1] & 0x1f);
          g_byte_array_append (self->fu, &header, 1);
        }
      else if (!self->fu)
        {
          self->frame_broken = TRUE; /* its start was not seen */
          return;
        }
      g_byte_array_append (self->fu, p + 2, (guint) (len - 2));
      if (end)
        {
          g_autoptr (GByteArray) nal = g_steal_pointer (&self->fu);
          add_nal (self, nal->data, nal->len);
        }
    }
  else
    malformed (self);
}

/* RFC 7741 §4.2: the payload descriptor, then the VP8 data. */
static void
depacketize_vp8 (RelayRtpFrameAssembler *self, const Packet *pk, gint64 ts)
{
  const guint8 *p = pk->payload;
  gsize len = pk->len, off = 1;
  gboolean start = (p[0] & 0x10) && (p[0] & 0x07) == 0;
  if (p[0] & 0x80)
    {
      if (off >= len)
        goto bad;
      guint8 x = p[off++];
      if (x & 0x80) /* I: PictureID, 7 or 15 bits */
        {
          if (off >= len)
            goto bad;
          off += (p[off] & 0x80) ? 2 : 1;
        }
      if (x & 0x40) /* L: TL0PICIDX */
        off++;
      if (x & 0x30) /* T or K: TID/Y/KEYIDX */
        off++;
    }
  if (off >= len)
    goto bad;
  if (start)
    {
      if (self->in_frame)
        {
          /* A new frame with no end to the previous one. */
          self->frame_broken = TRUE;
          finish_frame (self);
        }
      start_frame (self, pk, ts);
      self->frame_key = (p[off] & 1) == 0;
    }
  else if (!self->in_frame)
    {
      /* The rest of a frame whose start was lost: counted as dropped. */
      start_frame (self, pk, ts);
      self->frame_broken = TRUE;
    }
  g_byte_array_append (self->vp8, p + off, (guint) (len - off));
  if (pk->marker)
    finish_frame (self);
  return;
bad:
  malformed (self);
}

/* Hands on one packet in sequence order. */
static void
release (RelayRtpFrameAssembler *self, Packet *p)
{
  if (self->released && p->seq != self->released_seq + 1)
    {
      self->stats.packets_lost += (guint64) (p->seq - self->released_seq - 1);
      if (is_video (self))
        {
          if (self->in_frame)
            self->frame_broken = TRUE;
          self->need_key = TRUE;
        }
    }
  self->released_seq = p->seq;
  self->released = TRUE;

  if (!self->source_has_ts)
    {
      self->source_first_ts = self->source_last_ts = (gint64) p->ts + (G_GINT64_CONSTANT (1) << 32);
      self->source_has_ts = TRUE;
    }
  else
    self->source_last_ts = extend (self->source_last_ts, p->ts, 32);
  gint64 ts = self->source_offset + (self->source_last_ts - self->source_first_ts);

  if (p->len == 0)
    ; /* padding only (bandwidth probing): takes a sequence number, no media */
  else if (self->codec == RELAY_MEDIA_OPUS)
    {
      RelayMediaFrame *frame = g_new0 (RelayMediaFrame, 1);
      frame->keyframe = TRUE;
      frame->data = g_bytes_new_take (g_steal_pointer (&p->payload), p->len);
      frame->rtp_timestamp = p->ts;
      note_timeline (self, ts);
      emit (self, frame, ts);
    }
  else
    {
      if (self->in_frame && p->ts != self->frame_rtp_ts)
        finish_frame (self); /* the frame ended without a marker */
      if (self->codec == RELAY_MEDIA_VP8)
        depacketize_vp8 (self, p, ts);
      else
        {
          if (!self->in_frame)
            start_frame (self, p, ts);
          depacketize_h264 (self, p->payload, p->len);
          if (p->marker)
            finish_frame (self);
        }
    }
  packet_free (p);
}

/* Hands on what is in order, and what waited longer than the window. */
static void
drain (RelayRtpFrameAssembler *self, gboolean all)
{
  Packet *head;
  while ((head = g_queue_peek_head (&self->pending)))
    {
      /* A source's first packets wait for the window: one that was sent
       * before them may still come. */
      gboolean in_order = self->released && head->seq == self->released_seq + 1;
      gboolean waited = self->pending.length > self->window_packets
                        || (gint32) (self->max_seq_ts - head->ts) > (gint32) self->window_ts;
      if (!in_order && !waited && !all)
        break;
      release (self, g_queue_pop_head (&self->pending));
    }
}

static void
new_source (RelayRtpFrameAssembler *self, guint32 ssrc, guint16 seq)
{
  drain (self, TRUE);
  if (self->in_frame)
    {
      self->frame_broken = TRUE;
      finish_frame (self);
    }
  g_clear_pointer (&self->fu, g_byte_array_unref);
  if (self->have_source)
    {
      self->stats.source_changes++;
      if (is_video (self))
        self->need_key = TRUE;
    }
  self->have_source = TRUE;
  self->ssrc = ssrc;
  self->max_seq = (gint64) seq + (1 << 16);
  self->released = FALSE;
  self->source_has_ts = FALSE;
  self->source_offset = self->have_timeline ? self->timeline_last + self->last_interval
                                            : self->start_timestamp;
}

void
relay_rtp_frame_assembler_push (RelayRtpFrameAssembler *self, const guint8 *data, gsize len)
{
  /* RFC 3550 §5.1. */
  if (len < 12 || (data[0] >> 6) != 2)
    {
      self->stats.packets_malformed++;
      return;
    }
  gsize off = 12 + 4 * (gsize) (data[0] & 0x0f), end = len;
  if (off > len)
    goto bad;
  if (data[0] & 0x10)
    {
      if (off + 4 > len)
        goto bad;
      off += 4 + 4 * (gsize) ((data[off + 2] << 8) | data[off + 3]);
      if (off > len)
        goto bad;
    }
  if (data[0] & 0x20)
    {
      guint8 pad = data[len - 1];
      if (pad == 0 || pad > len - off)
        goto bad;
      end -= pad;
    }
  guint16 seq = (guint16) ((data[2] << 8) | data[3]);
  guint32 ts = ((guint32) data[4] << 24) | ((guint32) data[5] << 16) | ((guint32) data[6] << 8) | data[7];
  guint32 ssrc = ((guint32) data[8] << 24) | ((guint32) data[9] << 16) | ((guint32) data[10] << 8)
                 | data[11];

  if (!self->have_source || ssrc != self->ssrc)
    new_source (self, ssrc, seq);
  gint64 ext = extend (self->max_seq, seq, 16);
  gint64 low = self->released ? self->released_seq : self->max_seq;
  if (ext > self->max_seq + SEQ_RESTART_DISTANCE || ext < low - SEQ_RESTART_DISTANCE)
    {
      new_source (self, ssrc, seq);
      ext = self->max_seq;
    }
  if (self->released && ext <= self->released_seq)
    {
      self->stats.packets_duplicate++;
      return;
    }
  GList *at = self->pending.tail;
  while (at && ((Packet *) at->data)->seq > ext)
    at = at->prev;
  if (at && ((Packet *) at->data)->seq == ext)
    {
      self->stats.packets_duplicate++;
      return;
    }
  self->stats.packets++;
  Packet *p = g_new (Packet, 1);
  p->seq = ext;
  p->ts = ts;
  p->marker = (data[1] & 0x80) != 0;
  p->len = end - off;
  p->payload = g_memdup2 (data + off, p->len);
  if (at)
    g_queue_insert_after (&self->pending, at, p);
  else
    g_queue_push_head (&self->pending, p);
  if (ext >= self->max_seq)
    {
      self->max_seq = MAX (self->max_seq, ext);
      self->max_seq_ts = ts;
    }
  drain (self, FALSE);
  return;
bad:
  self->stats.packets_malformed++;
}

void
relay_rtp_frame_assembler_flush (RelayRtpFrameAssembler *self)
{
  drain (self, TRUE);
  /* A frame whose marker never came is complete if nothing was lost. */
  finish_frame (self);
}

RelayMediaFrame *
relay_rtp_frame_assembler_pop (RelayRtpFrameAssembler *self)
{
  return g_queue_pop_head (&self->out);
}

gboolean
relay_rtp_frame_assembler_needs_keyframe (RelayRtpFrameAssembler *self)
{
  return is_video (self) && self->need_key;
}

GBytes *
relay_rtp_frame_assembler_get_sps (RelayRtpFrameAssembler *self)
{
  return self->sps ? g_bytes_ref (self->sps) : NULL;
}

GBytes *
relay_rtp_frame_assembler_get_pps (RelayRtpFrameAssembler *self)
{
  return self->pps ? g_bytes_ref (self->pps) : NULL;
}

void
relay_rtp_frame_assembler_get_stats (RelayRtpFrameAssembler *self, RelayRtpFrameAssemblerStats *stats)
{
  *stats = self->stats;
}

void
relay_rtp_frame_assembler_free (RelayRtpFrameAssembler *self)
{
  if (!self)
    return;
  g_queue_clear_full (&self->pending, (GDestroyNotify) packet_free);
  g_queue_clear_full (&self->out, (GDestroyNotify) relay_media_frame_free);
  g_clear_pointer (&self->vp8, g_byte_array_unref);
  g_clear_pointer (&self->nals, g_ptr_array_unref);
  g_clear_pointer (&self->fu, g_byte_array_unref);
  g_clear_pointer (&self->sps, g_bytes_unref);
  g_clear_pointer (&self->pps, g_bytes_unref);
  g_free (self);
}
