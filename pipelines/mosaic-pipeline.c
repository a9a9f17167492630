#include "pipelines/mosaic-pipeline.h"

#include <math.h>
#include <string.h>

#include "pipelines/gst-util.h"
#include "pipelines/output-common.h"
#include "pipelines/picture-output.h"
#include "pipelines/tile-renderer.h"
#include "relay/config/roster.h"
#include "webrtc/base/log.h"

/* How the mosaic is fed, and why:
 *
 * Each participant has a source pad of ours linked to a fixed compositor
 * sink pad (no appsrc: 77 of them would be 77 queues and threads). Pushing
 * into an aggregator pad blocks while that pad still holds an unconsumed
 * buffer, so the decoder threads never push themselves: push_frame scales
 * the decoded frame to its tile on the decoder's thread (once per frame,
 * a few hundred µs), draws the name band into it and leaves it as the
 * slot's latest picture. One feeder thread wakes half a frame after each
 * compositor deadline and pushes, for every slot whose picture changed
 * (new frame, or a card), the latest one. Pushes at that point find the
 * pads empty (the compositor consumed them at its deadline), so the feeder
 * does not wait either; if it ever does, only the feeder is late.
 *
 * Buffers have no duration: the compositor keeps showing a pad's last
 * buffer until the next one, so an unchanged tile costs nothing upstream
 * and a stalled province keeps its last frame until the 2 s lost card. */

/* On the pipeline's clock (output-common.h): frames' arrival and the
 * feeder's ticks are clock times. */
#define SIGNAL_LOST (2 * GST_SECOND)
#define MOSAIC_SSRC 0x4d4f5341u /* "MOSA" */
#define EVEN(x) ((x) & ~1)

typedef struct {
  int x, y, w, h;
} Rect;

typedef struct {
  GstBuffer *buf;
  int w, h;
} Picture;

/* The borders drawn around a tile, each a pad of one colour under the
 * tiles that shows in the gap around its tile. */
typedef enum {
  MARK_FLOOR,
  MARK_SPEAKER,
  N_MARKS,
} MarkKind;

typedef struct {
  GstPad *src, *pad; /* ours, and the compositor's */
} Mark;

typedef enum {
  CARD_OFFLINE,
  CARD_LOST,
  CARD_OVER_LIMIT,
  N_CARDS,
} CardKind;

typedef struct {
  char *id, *name_th, *name_en;
  GstPad *src;       /* ours; pushed by the feeder only */
  GstPad *mixer_pad; /* the compositor's */
  Rect cell, rect;   /* under the mosaic's layout_lock */

  GMutex lock; /* guards the fields up to scale_lock */
  int w, h;    /* what frames are scaled to: the rect in the current layout */
  gboolean connected;
  gboolean muted;   /* out of the conference mix: the badge on its picture */
  gboolean refused; /* over the ingest limits: not decoded */
  GstClockTime last_frame_at; /* clock time of the last frame (or of connecting) */
  Picture frame;
  gint64 frame_capture_us;    /* monotonic, for the latency figures */

  GMutex scale_lock; /* the pushing thread's scaler and labels */
  RelayFrameScaler *scaler;
  Picture labels[2]; /* name bands for the last two sizes (grid, spotlight) */
  Picture badges[2]; /* muted badges, likewise */

  /* Feeder thread only. */
  Picture cards[N_CARDS][2]; /* [CardKind][last two sizes] */
  GstBuffer *shown;    /* last pushed (a ref, so the pointer is not reused) */
  int shown_w, shown_h;
} Slot;

struct _RelayMosaic {
  int width, height, fps;
  /* Pipeline, clock, encoder and feeder; the compositor is in its
   * pipeline. */
  RelayPictureOutput out;
  GstElement *compositor;
  GPtrArray *slots;    /* Slot*, tile order (central first) */
  GHashTable *by_id;   /* id -> Slot* (borrowed); read-only after new */
  Mark marks[N_MARKS];

  GMutex layout_lock;
  RelayLayout layout;
  char *spotlight, *floor, *speaker;

  GMutex lock; /* stats, newest capture */
  guint64 frames_in;
  gint64 newest_capture_us; /* newest input pushed since the last output frame */
};

static void
picture_clear (Picture *p)
{
  gst_clear_buffer (&p->buf);
  p->w = p->h = 0;
}

/* Two-entry cache by size: switching between the grid and the spotlight
 * re-renders nothing. */
static Picture *
cached (Picture cache[2], int w, int h)
{
  if (cache[0].buf && cache[0].w == w && cache[0].h == h)
    return &cache[0];
  if (!(cache[1].buf && cache[1].w == w && cache[1].h == h))
    {
      picture_clear (&cache[1]);
      cache[1].w = w;
      cache[1].h = h;
    }
  Picture tmp = cache[0];
  cache[0] = cache[1];
  cache[1] = tmp;
  return &cache[0]; /* buf NULL: the caller renders */
}

static void
slot_free (Slot *slot)
{
  relay_output_pad_free (slot->src);
  g_clear_object (&slot->mixer_pad);
  picture_clear (&slot->frame);
  for (int i = 0; i < 2; i++)
    {
      picture_clear (&slot->labels[i]);
      picture_clear (&slot->badges[i]);
      for (int k = 0; k < N_CARDS; k++)
        picture_clear (&slot->cards[k][i]);
    }
  gst_clear_buffer (&slot->shown);
  relay_frame_scaler_free (slot->scaler);
  g_mutex_clear (&slot->lock);
  g_mutex_clear (&slot->scale_lock);
  g_free (slot->id);
  g_free (slot->name_th);
  g_free (slot->name_en);
  g_free (slot);
}

static GstPad *
new_input (RelayMosaic *self, const char *name, guint zorder, GstPad **mixer_pad, GError **error)
{
  *mixer_pad = gst_element_request_pad_simple (self->compositor, "sink_%u");
  if (*mixer_pad)
    g_object_set (*mixer_pad, "zorder", zorder, NULL);
  return relay_output_pad_new (name, *mixer_pad, error);
}

/* ---- layout ---- */

/* The gap around a tile's picture, where its marks show: 8 px on a
 * 1920x1080 grid tile, wide enough to be seen across the operations room
 * and to keep its colour through the encoder. */
static int
border_of (Rect cell)
{
  return cell.h >= 60 ? EVEN (CLAMP (cell.h / 15, 4, 16)) : 1;
}

static Rect
shrink (Rect r, int by)
{
  Rect in = { r.x + by, r.y + by, EVEN (r.w - 2 * by), EVEN (r.h - 2 * by) };
  in.w = MAX (in.w, 2);
  in.h = MAX (in.h, 2);
  return in;
}

static Rect
inset (Rect cell)
{
  return shrink (cell, border_of (cell));
}

static void
layout_grid (RelayMosaic *self)
{
  guint n = self->slots->len;
  guint cols = (guint) ceil (sqrt ((double) n));
  guint rows = (n + cols - 1) / cols;
  int cw = self->width / (int) cols, ch = self->height / (int) rows;
  int ox = (self->width - cw * (int) cols) / 2, oy = (self->height - ch * (int) rows) / 2;
  for (guint i = 0; i < n; i++)
    {
      Slot *slot = self->slots->pdata[i];
      slot->cell = (Rect) { ox + (int) (i % cols) * cw, oy + (int) (i / cols) * ch, cw, ch };
    }
}

static guint
capacity (const Rect *regions, int nregions, int tw, int th)
{
  guint n = 0;
  for (int i = 0; i < nregions; i++)
    n += (guint) ((regions[i].w / tw) * (regions[i].h / th));
  return n;
}

/* The spotlight (or, without one, the central room) in the top-left two
 * thirds, the central room beside it, everyone else as small 16:9 tiles in
 * the band below and the column under the central room. */
static void
layout_spotlight (RelayMosaic *self, Slot *spot)
{
  Slot *central = self->slots->pdata[0];
  int big_w = EVEN (self->width * 2 / 3), big_h = EVEN (self->height * 2 / 3);
  int side_w = self->width - big_w, side_h = big_h / 2;
  Rect regions[2];
  regions[0] = (Rect) { 0, big_h, self->width, self->height - big_h };
  if (spot)
    {
      spot->cell = (Rect) { 0, 0, big_w, big_h };
      central->cell = (Rect) { big_w, 0, side_w, side_h };
      regions[1] = (Rect) { big_w, side_h, side_w, big_h - side_h };
    }
  else
    {
      central->cell = (Rect) { 0, 0, big_w, big_h };
      regions[1] = (Rect) { big_w, 0, side_w, big_h };
    }
  guint others = self->slots->len - 1 - (spot ? 1 : 0);
  int th = MAX (regions[0].h, regions[1].h), tw = 0;
  for (; th > 4; th--)
    {
      tw = MAX (th * 16 / 9, 1);
      if (capacity (regions, 2, tw, th) >= others)
        break;
    }
  th = MAX (th, 4);
  tw = MAX (th * 16 / 9, 4);
  int region = 0, col = 0, row = 0;
  for (guint i = 1; i < self->slots->len; i++)
    {
      Slot *slot = self->slots->pdata[i];
      if (slot == spot)
        continue;
      while (region < 2 && (row + 1) * th > regions[region].h)
        {
          region++;
          col = row = 0;
        }
      if (region >= 2)
        {
          /* Does not fit (tiny outputs): stacked out of sight. */
          slot->cell = (Rect) { 0, 0, 0, 0 };
          continue;
        }
      slot->cell = (Rect) { regions[region].x + col * tw, regions[region].y + row * th, tw, th };
      if ((++col + 1) * tw > regions[region].w)
        {
          col = 0;
          row++;
        }
    }
}

static void
place_mark (RelayMosaic *self, MarkKind kind, Slot *slot, Rect where)
{
  GstPad *pad = self->marks[kind].pad;
  if (slot && slot->cell.w > 0)
    g_object_set (pad, "xpos", where.x, "ypos", where.y, "width", where.w, "height", where.h,
                  "alpha", 1.0, NULL);
  else
    g_object_set (pad, "alpha", 0.0, NULL);
}

/* The floor holder's border fills the gap around its tile; the active
 * speaker's lies over it (a higher zorder), the whole gap when it is
 * another office, the inner half when the floor holder speaks itself, so
 * that both show. layout_lock held. */
static void
place_marks (RelayMosaic *self)
{
  Slot *floor = self->floor ? g_hash_table_lookup (self->by_id, self->floor) : NULL;
  Slot *speaker = self->speaker ? g_hash_table_lookup (self->by_id, self->speaker) : NULL;
  place_mark (self, MARK_FLOOR, floor, floor ? floor->cell : (Rect) { 0 });
  Rect around = speaker ? speaker->cell : (Rect) { 0 };
  if (speaker && speaker == floor)
    around = shrink (around, EVEN (border_of (around) / 2));
  place_mark (self, MARK_SPEAKER, speaker, around);
}

/* Moves the pads: properties only, no pad comes or goes. layout_lock held. */
static void
apply_layout (RelayMosaic *self)
{
  Slot *spot = NULL;
  if (self->layout == RELAY_LAYOUT_SPOTLIGHT)
    {
      if (self->spotlight)
        spot = g_hash_table_lookup (self->by_id, self->spotlight);
      if (spot == self->slots->pdata[0])
        spot = NULL;
      layout_spotlight (self, spot);
    }
  else
    layout_grid (self);
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = self->slots->pdata[i];
      gboolean visible = slot->cell.w > 0;
      slot->rect = visible ? inset (slot->cell) : (Rect) { 0, 0, 0, 0 };
      g_object_set (slot->mixer_pad, "xpos", slot->rect.x, "ypos", slot->rect.y, "width",
                    MAX (slot->rect.w, 1), "height", MAX (slot->rect.h, 1), "alpha",
                    visible ? 1.0 : 0.0, NULL);
      g_mutex_lock (&slot->lock);
      if (visible)
        {
          slot->w = slot->rect.w;
          slot->h = slot->rect.h;
        }
      g_mutex_unlock (&slot->lock);
    }
  place_marks (self);
}

/* ---- feeding ---- */

static const Picture *
card_for (Slot *slot, CardKind kind, int w, int h)
{
  static const struct {
    guint32 rgb;
    const char *text;
  } cards[N_CARDS] = {
    [CARD_OFFLINE] = { RELAY_TILE_OFFLINE_RGB, "ออฟไลน์ / offline" },
    [CARD_LOST] = { RELAY_TILE_LOST_RGB, "สัญญาณขาดหาย / signal lost" },
    [CARD_OVER_LIMIT] = { RELAY_TILE_OVER_LIMIT_RGB, "เกินขีดจำกัด / over limit" },
  };
  Picture *card = cached (slot->cards[kind], w, h);
  if (!card->buf)
    card->buf = relay_tile_render_card (w, h, cards[kind].rgb, slot->name_th, slot->name_en,
                                        cards[kind].text);
  return card;
}

static void
feed_slot (RelayMosaic *self, Slot *slot, GstClockTime now, GstClockTime pts, gint64 *newest)
{
  GstBuffer *buf = NULL;
  int w = 0, h = 0, tw, th;
  gboolean live, lost;
  g_mutex_lock (&slot->lock);
  tw = slot->w;
  th = slot->h;
  /* (A frame may be newer than the tick: the feeder runs late.) */
  gboolean fresh = now <= slot->last_frame_at + SIGNAL_LOST;
  /* Refused: its last frames are not what it sends now, and the room
   * must see why the picture stopped. */
  gboolean refused = slot->connected && slot->refused;
  live = slot->connected && !refused && slot->frame.buf && fresh;
  /* Just connected, no picture yet: still the offline card for the 2 s
   * a first keyframe may take, then "signal lost". */
  lost = slot->connected && !refused && !fresh;
  if (live && slot->frame.buf != slot->shown)
    {
      buf = gst_buffer_ref (slot->frame.buf);
      w = slot->frame.w;
      h = slot->frame.h;
      *newest = MAX (*newest, slot->frame_capture_us);
    }
  g_mutex_unlock (&slot->lock);
  if (!live)
    {
      const Picture *card = card_for (slot, refused ? CARD_OVER_LIMIT
                                            : lost  ? CARD_LOST
                                                    : CARD_OFFLINE, tw, th);
      if (card->buf == slot->shown)
        return;
      buf = gst_buffer_ref (card->buf);
      w = card->w;
      h = card->h;
    }
  if (!buf)
    return;
  if (w != slot->shown_w || h != slot->shown_h)
    {
      relay_output_pad_set_size (slot->src, w, h, 0);
      slot->shown_w = w;
      slot->shown_h = h;
    }
  gst_clear_buffer (&slot->shown);
  slot->shown = buf;
  relay_output_pad_push (slot->src, buf, pts, GST_CLOCK_TIME_NONE);
}

static void
feed (GstClockTime running_time, gpointer data)
{
  RelayMosaic *self = data;
  /* The tick's own time, however late the thread woke: the cards follow
   * the stream. */
  GstClockTime now = self->out.base_time + running_time;
  gint64 newest = 0;
  for (guint i = 0; i < self->slots->len; i++)
    feed_slot (self, self->slots->pdata[i], now, running_time, &newest);
  if (newest)
    {
      g_mutex_lock (&self->lock);
      self->newest_capture_us = MAX (self->newest_capture_us, newest);
      g_mutex_unlock (&self->lock);
    }
}

/* Each output frame carries the newest input pushed before it was made. */
static GstPadProbeReturn
on_mixed_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  RelayMosaic *self = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  g_mutex_lock (&self->lock);
  gint64 capture = self->newest_capture_us;
  self->newest_capture_us = 0;
  g_mutex_unlock (&self->lock);
  relay_video_encoder_output_note_capture (self->out.encoder, GST_BUFFER_PTS (buf), capture);
  return GST_PAD_PROBE_OK;
}

/* ---- construction ---- */

static Slot *
add_slot (RelayMosaic *self, const char *id, const char *name_th, const char *name_en,
          GError **error)
{
  if (g_hash_table_contains (self->by_id, id))
    return g_hash_table_lookup (self->by_id, id);
  Slot *slot = g_new0 (Slot, 1);
  g_mutex_init (&slot->lock);
  g_mutex_init (&slot->scale_lock);
  slot->id = g_strdup (id);
  slot->name_th = g_strdup (name_th ? name_th : id);
  slot->name_en = g_strdup (name_en ? name_en : id);
  slot->scaler = relay_frame_scaler_new ();
  g_ptr_array_add (self->slots, slot);
  g_hash_table_insert (self->by_id, slot->id, slot);
  g_autofree char *pad_name = g_strdup_printf ("in_%s", id);
  slot->src = new_input (self, pad_name, 1 + self->slots->len, &slot->mixer_pad, error);
  return slot->src ? slot : NULL;
}

RelayMosaic *
relay_mosaic_new (RelayConfig *config, RelayRtpOutputFunc output, gpointer user_data,
                  GError **error)
{
  RelayMosaic *self = g_new0 (RelayMosaic, 1);
  g_mutex_init (&self->layout_lock);
  g_mutex_init (&self->lock);
  self->width = MAX (EVEN ((int) (config->mosaic_width ? config->mosaic_width : 1920)), 64);
  self->height = MAX (EVEN ((int) (config->mosaic_height ? config->mosaic_height : 1080)), 64);
  self->fps = (int) (config->mosaic_framerate ? config->mosaic_framerate : 15);
  self->slots = g_ptr_array_new_with_free_func ((GDestroyNotify) slot_free);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->layout = RELAY_LAYOUT_MOSAIC;

  if (!relay_picture_output_init (&self->out, "mosaic", config->output_codec, self->fps,
                                  config->mosaic_bitrate_kbps, MOSAIC_SSRC, output, user_data,
                                  error))
    {
      relay_mosaic_free (self);
      return NULL;
    }

  /* force-live: output on the deadline whether or not inputs have new
   * frames. One blending thread: the tiles are opaque, blending is a copy. */
  self->compositor = relay_gst_element_new_with ("compositor", error, "name", "mixer",
                                                 "force-live", TRUE, NULL);
  GstElement *capsfilter
      = self->compositor ? relay_gst_element_new ("capsfilter", "mixed_caps", error) : NULL;
  if (!capsfilter)
    {
      g_clear_object (&self->compositor);
      relay_mosaic_free (self);
      return NULL;
    }
  gst_util_set_object_arg (G_OBJECT (self->compositor), "background", "black");
  g_object_set (self->compositor, "max-threads", 1, NULL);
  g_autoptr (GstCaps) caps = gst_caps_new_simple (
      "video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, self->width, "height",
      G_TYPE_INT, self->height, "framerate", GST_TYPE_FRACTION, self->fps, 1,
      "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, "colorimetry", G_TYPE_STRING,
      RELAY_OUTPUT_COLORIMETRY, NULL);
  g_object_set (capsfilter, "caps", caps, NULL);
  gst_bin_add_many (GST_BIN (self->out.pipeline), self->compositor, capsfilter, NULL);
  if (!gst_element_link_many (self->compositor, capsfilter,
                              relay_video_encoder_output_get_head (self->out.encoder), NULL))
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                   "cannot link the mosaic compositor");
      relay_mosaic_free (self);
      return NULL;
    }
  g_autoptr (GstPad) mixed = gst_element_get_static_pad (capsfilter, "src");
  gst_pad_add_probe (mixed, GST_PAD_PROBE_TYPE_BUFFER, on_mixed_frame, self, NULL);

  static const char *const mark_names[N_MARKS] = { "floor_mark", "speaker_mark" };
  gboolean ok = TRUE;
  for (int k = 0; ok && k < N_MARKS; k++)
    {
      self->marks[k].src = new_input (self, mark_names[k], k, &self->marks[k].pad, error);
      ok = self->marks[k].src != NULL;
    }
  if (ok)
    ok = add_slot (self, RELAY_CENTRAL_ROOM, "ศูนย์ปฏิบัติการ", "Operations centre", error)
         != NULL;
  g_autoptr (GPtrArray) order
      = relay_roster_dup_office_order (config->provinces, config->mosaic_order_by_region);
  for (guint i = 0; ok && i < order->len; i++)
    {
      RelayOfficeConfig *p = order->pdata[i];
      ok = add_slot (self, p->code, p->name_th, p->name_en, error) != NULL;
    }
  if (!ok)
    {
      relay_mosaic_free (self);
      return NULL;
    }
  g_mutex_lock (&self->layout_lock);
  apply_layout (self);
  g_mutex_unlock (&self->layout_lock);

  if (!relay_picture_output_play (&self->out, error))
    {
      relay_mosaic_free (self);
      return NULL;
    }
  static const guint32 mark_rgb[N_MARKS] = { RELAY_TILE_FLOOR_RGB, RELAY_TILE_SPEAKER_RGB };
  for (int k = 0; k < N_MARKS; k++)
    {
      /* One small solid picture each, stretched by the compositor to the
       * tile it marks. */
      relay_output_pad_start (self->marks[k].src, 16, 16, 0);
      g_autoptr (GstBuffer) solid = relay_tile_render_solid (16, 16, mark_rgb[k]);
      relay_output_pad_push (self->marks[k].src, solid, 0, GST_CLOCK_TIME_NONE);
    }
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = self->slots->pdata[i];
      relay_output_pad_start (slot->src, slot->w, slot->h, 0);
      slot->shown_w = slot->w;
      slot->shown_h = slot->h;
      /* Labels and cards for the grid are drawn now, not on the first
       * frames. */
      for (int k = 0; k < N_CARDS; k++)
        card_for (slot, k, slot->w, slot->h);
      Picture *label = cached (slot->labels, slot->w, relay_tile_label_height (slot->h));
      label->buf = relay_tile_render_label (slot->w, slot->h, slot->name_th, slot->name_en);
    }
  /* Half a frame after each compositor deadline (multiples of the
   * period), when its pads have just been emptied. */
  GstClockTime period = GST_SECOND / (guint) self->fps;
  relay_picture_output_start_feeder (&self->out, period / 2, feed, self);
  relay_info (NULL, "mosaic %dx%d at %d fps, %u tiles", self->width, self->height, self->fps,
              self->slots->len);
  return self;
}

void
relay_mosaic_free (RelayMosaic *self)
{
  if (!self)
    return;
  /* The feeder and the compositor stop before the pads they push into
   * and take from go. */
  relay_picture_output_stop (&self->out);
  for (int k = 0; k < N_MARKS; k++)
    {
      relay_output_pad_free (self->marks[k].src);
      g_clear_object (&self->marks[k].pad);
    }
  g_clear_pointer (&self->slots, g_ptr_array_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  relay_picture_output_clear (&self->out);
  g_free (self->spotlight);
  g_free (self->floor);
  g_free (self->speaker);
  g_mutex_clear (&self->layout_lock);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
relay_mosaic_push_frame (RelayMosaic *self, const char *participant, GstBuffer *frame,
                         const GstVideoInfo *info)
{
  Slot *slot = participant ? g_hash_table_lookup (self->by_id, participant) : NULL;
  if (!slot || !frame || !info)
    return;
  GstClockTime now = gst_clock_get_time (self->out.clock);
  gint64 capture_us = g_get_monotonic_time ();
  g_mutex_lock (&slot->lock);
  int w = slot->w, h = slot->h;
  gboolean muted = slot->muted;
  g_mutex_unlock (&slot->lock);

  g_mutex_lock (&slot->scale_lock);
  GstBuffer *scaled = relay_frame_scaler_scale (slot->scaler, frame, info, w, h);
  if (scaled)
    {
      GstVideoInfo out_info;
      gst_video_info_set_format (&out_info, GST_VIDEO_FORMAT_I420, w, h);
      int label_h = relay_tile_label_height (h);
      Picture *label = cached (slot->labels, w, label_h);
      if (!label->buf)
        label->buf = relay_tile_render_label (w, h, slot->name_th, slot->name_en);
      relay_tile_blit (scaled, &out_info, label->buf, w, label_h, 0, h - label_h);
      if (muted)
        {
          /* Top right, clear of the name band. */
          int size = relay_tile_badge_size (h), margin = EVEN (MAX (size / 4, 2));
          Picture *badge = cached (slot->badges, size, size);
          if (!badge->buf)
            badge->buf = relay_tile_render_muted_badge (size);
          if (size + 2 * margin <= w && size + 2 * margin + label_h <= h)
            relay_tile_blit (scaled, &out_info, badge->buf, size, size, w - size - margin, margin);
        }
    }
  g_mutex_unlock (&slot->scale_lock);
  if (!scaled)
    return;

  g_mutex_lock (&slot->lock);
  gst_clear_buffer (&slot->frame.buf);
  slot->frame.buf = scaled;
  slot->frame.w = w;
  slot->frame.h = h;
  slot->frame_capture_us = capture_us;
  slot->last_frame_at = now;
  g_mutex_unlock (&slot->lock);
  g_mutex_lock (&self->lock);
  self->frames_in++;
  g_mutex_unlock (&self->lock);
}

void
relay_mosaic_set_connected (RelayMosaic *self, const char *participant, gboolean connected)
{
  Slot *slot = participant ? g_hash_table_lookup (self->by_id, participant) : NULL;
  if (!slot)
    return;
  g_mutex_lock (&slot->lock);
  if (connected && !slot->connected)
    {
      /* A fresh connection gets 2 s before "signal lost", not the age of
       * the last session's last frame. */
      gst_clear_buffer (&slot->frame.buf);
      slot->last_frame_at = gst_clock_get_time (self->out.clock);
    }
  slot->connected = connected;
  g_mutex_unlock (&slot->lock);
}

void
relay_mosaic_set_video_refused (RelayMosaic *self, const char *participant, gboolean refused)
{
  Slot *slot = participant ? g_hash_table_lookup (self->by_id, participant) : NULL;
  if (!slot)
    return;
  g_mutex_lock (&slot->lock);
  slot->refused = refused;
  g_mutex_unlock (&slot->lock);
}

void
relay_mosaic_set_muted (RelayMosaic *self, const char *participant, gboolean muted)
{
  Slot *slot = participant ? g_hash_table_lookup (self->by_id, participant) : NULL;
  if (!slot)
    return;
  g_mutex_lock (&slot->lock);
  slot->muted = muted;
  g_mutex_unlock (&slot->lock);
}

void
relay_mosaic_set_active_speaker (RelayMosaic *self, const char *participant)
{
  g_mutex_lock (&self->layout_lock);
  g_free (self->speaker);
  self->speaker = g_strdup (participant);
  place_marks (self);
  g_mutex_unlock (&self->layout_lock);
}

void
relay_mosaic_set_floor (RelayMosaic *self, const char *participant)
{
  g_mutex_lock (&self->layout_lock);
  g_free (self->floor);
  self->floor = g_strdup (participant);
  place_marks (self);
  g_mutex_unlock (&self->layout_lock);
}

void
relay_mosaic_set_layout (RelayMosaic *self, RelayLayout layout, const char *spotlight)
{
  g_mutex_lock (&self->layout_lock);
  self->layout = layout;
  g_free (self->spotlight);
  self->spotlight = g_strdup (spotlight);
  apply_layout (self);
  g_mutex_unlock (&self->layout_lock);
}

void
relay_mosaic_request_keyframe (RelayMosaic *self)
{
  relay_video_encoder_output_request_keyframe (self->out.encoder);
}

void
relay_mosaic_get_stats (RelayMosaic *self, RelayMosaicStats *stats)
{
  memset (stats, 0, sizeof *stats);
  relay_video_encoder_output_get_stats (self->out.encoder, &stats->encoded);
  g_mutex_lock (&self->lock);
  stats->frames_in = self->frames_in;
  g_mutex_unlock (&self->lock);
}

JsonNode *
relay_mosaic_describe_layout (RelayMosaic *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_array (b);
  g_mutex_lock (&self->layout_lock);
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = self->slots->pdata[i];
      if (slot->rect.w <= 0)
        continue;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, slot->id);
      json_builder_set_member_name (b, "x");
      json_builder_add_int_value (b, slot->rect.x);
      json_builder_set_member_name (b, "y");
      json_builder_add_int_value (b, slot->rect.y);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, slot->rect.w);
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, slot->rect.h);
      json_builder_end_object (b);
    }
  g_mutex_unlock (&self->layout_lock);
  json_builder_end_array (b);
  return json_builder_get_root (b);
}
