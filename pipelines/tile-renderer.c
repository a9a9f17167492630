#include "pipelines/tile-renderer.h"

#include <pango/pangocairo.h>
#include <string.h>

#define EVEN(x) ((x) & ~1)

static GstBuffer *
new_i420 (int width, int height, GstVideoInfo *info)
{
  gst_video_info_set_format (info, GST_VIDEO_FORMAT_I420, width, height);
  gst_video_colorimetry_from_string (&info->colorimetry, "bt601");
  return gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info), NULL);
}

GstBuffer *
relay_tile_render_solid (int width, int height, guint32 rgb)
{
  width = MAX (EVEN (width), 2);
  height = MAX (EVEN (height), 2);
  GstVideoInfo info;
  GstBuffer *buf = new_i420 (width, height, &info);
  /* BT.601 limited range, as the converter would produce. */
  double r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
  guint8 y = (guint8) CLAMP (16 + 0.257 * r + 0.504 * g + 0.098 * b + 0.5, 0, 255);
  guint8 u = (guint8) CLAMP (128 - 0.148 * r - 0.291 * g + 0.439 * b + 0.5, 0, 255);
  guint8 v = (guint8) CLAMP (128 + 0.439 * r - 0.368 * g - 0.071 * b + 0.5, 0, 255);
  GstVideoFrame frame;
  if (!gst_video_frame_map (&frame, &info, buf, GST_MAP_WRITE))
    return buf;
  const guint8 value[3] = { y, u, v };
  for (int p = 0; p < 3; p++)
    {
      guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (&frame, p);
      int stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, p);
      int rows = GST_VIDEO_FRAME_COMP_HEIGHT (&frame, p);
      int cols = GST_VIDEO_FRAME_COMP_WIDTH (&frame, p);
      for (int row = 0; row < rows; row++)
        memset (data + row * stride, value[p], cols);
    }
  gst_video_frame_unmap (&frame);
  return buf;
}

/* Pango's default font map is per thread: decoder threads and the feeder
 * would each build (and, on exit, leak) a fontconfig font set. One shared
 * map instead, used under a lock; drawing is rare (start, layout changes). */
static GMutex render_lock;
static PangoFontMap *font_map;

/* Draws with cairo into xRGB, then converts once to I420. */
typedef void (*DrawFunc) (cairo_t *cr, int width, int height, gpointer data);

static GstBuffer *
render_with_cairo (int width, int height, DrawFunc draw, gpointer data)
{
  width = MAX (EVEN (width), 2);
  height = MAX (EVEN (height), 2);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  g_mutex_lock (&render_lock);
  if (!font_map)
    font_map = pango_cairo_font_map_new ();
  draw (cr, width, height, data);
  g_mutex_unlock (&render_lock);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  GstVideoInfo in_info, out_info;
  /* CAIRO_FORMAT_RGB24 is a native-endian 32-bit xRGB word. */
  gst_video_info_set_format (&in_info,
                             G_BYTE_ORDER == G_LITTLE_ENDIAN ? GST_VIDEO_FORMAT_BGRx
                                                             : GST_VIDEO_FORMAT_xRGB,
                             width, height);
  in_info.stride[0] = cairo_image_surface_get_stride (surface);
  in_info.size = (gsize) in_info.stride[0] * height;
  GstBuffer *in = gst_buffer_new_wrapped_full (GST_MEMORY_FLAG_READONLY,
                                               cairo_image_surface_get_data (surface),
                                               in_info.size, 0, in_info.size, NULL, NULL);
  GstBuffer *out = new_i420 (width, height, &out_info);
  GstVideoFrame in_frame, out_frame;
  if (gst_video_frame_map (&in_frame, &in_info, in, GST_MAP_READ))
    {
      if (gst_video_frame_map (&out_frame, &out_info, out, GST_MAP_WRITE))
        {
          GstVideoConverter *conv = gst_video_converter_new (&in_info, &out_info, NULL);
          gst_video_converter_frame (conv, &in_frame, &out_frame);
          gst_video_converter_free (conv);
          gst_video_frame_unmap (&out_frame);
        }
      gst_video_frame_unmap (&in_frame);
    }
  gst_buffer_unref (in);
  cairo_surface_destroy (surface);
  return out;
}

static void
set_rgb (cairo_t *cr, guint32 rgb)
{
  cairo_set_source_rgb (cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                        (rgb & 0xff) / 255.0);
}

static PangoLayout *
new_line_layout (cairo_t *cr, const char *text, int width, int px, gboolean bold)
{
  PangoContext *context = pango_font_map_create_context (font_map);
  pango_cairo_update_context (cr, context);
  PangoLayout *layout = pango_layout_new (context);
  g_object_unref (context);
  /* "Sans" lets fontconfig pick a face with Thai glyphs (TLWG). */
  PangoFontDescription *font = pango_font_description_from_string ("Sans");
  pango_font_description_set_absolute_size (font, MAX (px, 4) * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_width (layout, MAX (width - 4, 1) * PANGO_SCALE);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

/* One line of text, centred horizontally at y (top), ellipsized to width. */
static void
draw_line (cairo_t *cr, const char *text, int width, int y, int px, gboolean bold)
{
  PangoLayout *layout = new_line_layout (cr, text, width, px, bold);
  cairo_move_to (cr, 2, y);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

/* The same with its baseline at `baseline`: lines of two scripts whose
 * fonts have different ascents still sit where the band has room for them. */
static void
draw_line_on (cairo_t *cr, const char *text, int width, int baseline, int px, gboolean bold)
{
  PangoLayout *layout = new_line_layout (cr, text, width, px, bold);
  cairo_move_to (cr, 2, baseline - pango_layout_get_baseline (layout) / PANGO_SCALE);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

static int
line_height (int px)
{
  return px * 3 / 2; /* Thai vowels and tone marks stack above and below */
}

typedef struct {
  guint32 rgb;
  const char *lines[3];
} CardData;

static void
draw_card (cairo_t *cr, int width, int height, gpointer data)
{
  CardData *card = data;
  set_rgb (cr, card->rgb);
  cairo_paint (cr);
  /* The name at least as large as on a live tile's label (a fifth of the
   * height, up to 20 px: an office's card is read across the room as its
   * picture is), a ninth of the height on big cards (the program's); the
   * other lines at 3/4 of it. */
  int px = MAX (height / 9, MAX (MIN (height / 5, 20), 6));
  int sizes[3] = { px, px * 3 / 4, px * 3 / 4 };
  int total = 0;
  for (int i = 0; i < 3; i++)
    if (card->lines[i])
      total += line_height (sizes[i]);
  int y = (height - total) / 2;
  cairo_set_source_rgb (cr, 0.92, 0.92, 0.92);
  for (int i = 0; i < 3; i++)
    if (card->lines[i])
      {
        draw_line (cr, card->lines[i], width, y, sizes[i], i == 0);
        y += line_height (sizes[i]);
      }
}

GstBuffer *
relay_tile_render_card (int width, int height, guint32 rgb, const char *line1, const char *line2,
                        const char *line3)
{
  CardData card = { rgb, { line1, line2, line3 } };
  return render_with_cairo (width, height, draw_card, &card);
}

/* Where the label's lines sit, from the Thai line's size: room above the
 * Thai baseline for a vowel and a tone mark stacked over a consonant,
 * below it for the vowels written under the line, then the English line
 * (3/4 of the size) with its descenders. */
typedef struct {
  int th_px, en_px;
  int th_baseline, en_baseline, height;
} LabelGeometry;

static LabelGeometry
label_geometry (int th_px)
{
  LabelGeometry g = { .th_px = th_px, .en_px = MAX (th_px * 3 / 4, 4) };
  int pad = MAX (th_px / 8, 1);
  g.th_baseline = pad + th_px;
  g.en_baseline = g.th_baseline + th_px * 3 / 10 + g.en_px * 4 / 5;
  g.height = EVEN (g.en_baseline + g.en_px / 4 + pad + 1);
  return g;
}

int
relay_tile_label_text_px (int frame_height)
{
  /* 20 px on the 104-line picture of a 1920x1080 grid tile: 17 px on a
   * 1600x900 screen showing it, ordinary reading size (the old 13 px were
   * glyphs about 6 px high there). Never more than a spotlight needs. */
  return CLAMP (frame_height / 5, 8, 40);
}

int
relay_tile_label_height (int frame_height)
{
  return MIN (label_geometry (relay_tile_label_text_px (frame_height)).height,
              EVEN (frame_height / 2));
}

typedef struct {
  const char *th, *en;
  LabelGeometry geometry;
} LabelData;

static void
draw_label (cairo_t *cr, int width, int height, gpointer data)
{
  LabelData *label = data;
  cairo_set_source_rgb (cr, 0.06, 0.06, 0.06);
  cairo_paint (cr);
  const LabelGeometry *g = &label->geometry;
  /* Centred when the band is clipped to half of a tiny picture. */
  int shift = (height - g->height) / 2;
  cairo_set_source_rgb (cr, 1, 1, 1);
  draw_line_on (cr, label->th, width, g->th_baseline + shift, g->th_px, TRUE);
  cairo_set_source_rgb (cr, 0.85, 0.85, 0.85);
  draw_line_on (cr, label->en, width, g->en_baseline + shift, g->en_px, FALSE);
}

GstBuffer *
relay_tile_render_label (int width, int frame_height, const char *name_th, const char *name_en)
{
  LabelData label = { name_th ? name_th : "", name_en ? name_en : "",
                      label_geometry (relay_tile_label_text_px (frame_height)) };
  return render_with_cairo (width, relay_tile_label_height (frame_height), draw_label, &label);
}

int
relay_tile_badge_size (int frame_height)
{
  /* 20 px on a grid tile: seen at a glance, covering a corner only. */
  return EVEN (CLAMP (frame_height / 5, 12, 48));
}

/* A microphone (a capsule on a stand) struck through, white on red. */
static void
draw_muted_badge (cairo_t *cr, int width, int height, gpointer data)
{
  double s = MIN (width, height);
  set_rgb (cr, RELAY_TILE_MUTED_RGB);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  double cx = s / 2, w = s * 0.3, top = s * 0.12, bottom = s * 0.56;
  cairo_new_sub_path (cr);
  cairo_arc (cr, cx, top + w / 2, w / 2, G_PI, 0);
  cairo_arc (cr, cx, bottom - w / 2, w / 2, 0, G_PI);
  cairo_close_path (cr);
  cairo_fill (cr);
  cairo_set_line_width (cr, MAX (s * 0.08, 1.5));
  double cup = s * 0.24;
  cairo_arc (cr, cx, bottom - w / 2, cup, 0, G_PI);
  cairo_stroke (cr);
  cairo_move_to (cr, cx, bottom - w / 2 + cup);
  cairo_line_to (cr, cx, s * 0.86);
  cairo_move_to (cr, cx - s * 0.16, s * 0.86);
  cairo_line_to (cr, cx + s * 0.16, s * 0.86);
  cairo_stroke (cr);
  /* The stroke through it, edged in the badge's red so that it reads over
   * the microphone. */
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  set_rgb (cr, RELAY_TILE_MUTED_RGB);
  cairo_set_line_width (cr, MAX (s * 0.16, 3));
  cairo_move_to (cr, s * 0.18, s * 0.12);
  cairo_line_to (cr, s * 0.82, s * 0.88);
  cairo_stroke (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, MAX (s * 0.07, 1.2));
  cairo_move_to (cr, s * 0.18, s * 0.12);
  cairo_line_to (cr, s * 0.82, s * 0.88);
  cairo_stroke (cr);
}

GstBuffer *
relay_tile_render_muted_badge (int size)
{
  return render_with_cairo (size, size, draw_muted_badge, NULL);
}

void
relay_tile_blit (GstBuffer *frame, const GstVideoInfo *info, GstBuffer *picture, int width,
                 int height, int x, int y)
{
  width = MAX (EVEN (width), 2);
  height = MAX (EVEN (height), 2);
  x = MAX (EVEN (x), 0);
  y = MAX (EVEN (y), 0);
  int frame_w = GST_VIDEO_INFO_WIDTH (info), frame_h = GST_VIDEO_INFO_HEIGHT (info);
  int cols = MIN (width, frame_w - x), rows = MIN (height, frame_h - y);
  if (cols <= 0 || rows <= 0)
    return;
  GstVideoInfo pic_info;
  gst_video_info_set_format (&pic_info, GST_VIDEO_FORMAT_I420, width, height);
  if (gst_buffer_get_size (picture) < GST_VIDEO_INFO_SIZE (&pic_info))
    return;
  GstVideoFrame dst, src;
  if (!gst_video_frame_map (&dst, info, frame, GST_MAP_WRITE))
    return;
  if (!gst_video_frame_map (&src, &pic_info, picture, GST_MAP_READ))
    {
      gst_video_frame_unmap (&dst);
      return;
    }
  for (int p = 0; p < 3; p++)
    {
      /* Chroma planes are half size both ways; x, y, cols and rows are even. */
      int shift = p == 0 ? 0 : 1;
      guint8 *d = GST_VIDEO_FRAME_PLANE_DATA (&dst, p);
      const guint8 *sp = GST_VIDEO_FRAME_PLANE_DATA (&src, p);
      int dstride = GST_VIDEO_FRAME_PLANE_STRIDE (&dst, p);
      int sstride = GST_VIDEO_FRAME_PLANE_STRIDE (&src, p);
      for (int r = 0; r < rows >> shift; r++)
        memcpy (d + ((y >> shift) + r) * dstride + (x >> shift), sp + r * sstride,
                (gsize) (cols >> shift));
    }
  gst_video_frame_unmap (&src);
  gst_video_frame_unmap (&dst);
}

struct _RelayFrameScaler {
  GstVideoConverter *converter;
  GstVideoInfo in_info, out_info;
};

RelayFrameScaler *
relay_frame_scaler_new (void)
{
  return g_new0 (RelayFrameScaler, 1);
}

void
relay_frame_scaler_free (RelayFrameScaler *scaler)
{
  if (!scaler)
    return;
  g_clear_pointer (&scaler->converter, gst_video_converter_free);
  g_free (scaler);
}

GstBuffer *
relay_frame_scaler_scale (RelayFrameScaler *scaler, GstBuffer *frame, const GstVideoInfo *info,
                          int width, int height)
{
  width = MAX (EVEN (width), 2);
  height = MAX (EVEN (height), 2);
  if (!scaler->converter || !gst_video_info_is_equal (&scaler->in_info, info)
      || GST_VIDEO_INFO_WIDTH (&scaler->out_info) != width
      || GST_VIDEO_INFO_HEIGHT (&scaler->out_info) != height)
    {
      g_clear_pointer (&scaler->converter, gst_video_converter_free);
      scaler->in_info = *info;
      gst_video_info_set_format (&scaler->out_info, GST_VIDEO_FORMAT_I420, width, height);
      /* GstVideoConverter refuses to change these; decoders set them. */
      scaler->out_info.fps_n = info->fps_n;
      scaler->out_info.fps_d = info->fps_d;
      scaler->out_info.interlace_mode = info->interlace_mode;
      /* Tiles and the output are BT.601 (output-common.h): a BT.709
       * camera is converted here, once, not in the compositor. */
      gst_video_colorimetry_from_string (&scaler->out_info.colorimetry, "bt601");
      /* Bilinear luma, nearest chroma, no dithering, on the calling
       * thread: the cheapest scaling that still looks clean at tile size.
       * 76 decoder threads already use both cores. */
      GstStructure *opts = gst_structure_new (
          "options", GST_VIDEO_CONVERTER_OPT_RESAMPLER_METHOD, GST_TYPE_VIDEO_RESAMPLER_METHOD,
          GST_VIDEO_RESAMPLER_METHOD_LINEAR, GST_VIDEO_CONVERTER_OPT_CHROMA_RESAMPLER_METHOD,
          GST_TYPE_VIDEO_RESAMPLER_METHOD, GST_VIDEO_RESAMPLER_METHOD_NEAREST,
          GST_VIDEO_CONVERTER_OPT_DITHER_METHOD, GST_TYPE_VIDEO_DITHER_METHOD,
          GST_VIDEO_DITHER_NONE, GST_VIDEO_CONVERTER_OPT_THREADS, G_TYPE_UINT, 1, NULL);
      scaler->converter = gst_video_converter_new (&scaler->in_info, &scaler->out_info, opts);
      if (!scaler->converter)
        return NULL;
    }
  GstVideoInfo out_info = scaler->out_info;
  GstBuffer *out = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&out_info), NULL);
  GstVideoFrame in_frame, out_frame;
  if (!gst_video_frame_map (&in_frame, info, frame, GST_MAP_READ))
    {
      gst_buffer_unref (out);
      return NULL;
    }
  if (!gst_video_frame_map (&out_frame, &out_info, out, GST_MAP_WRITE))
    {
      gst_video_frame_unmap (&in_frame);
      gst_buffer_unref (out);
      return NULL;
    }
  gst_video_converter_frame (scaler->converter, &in_frame, &out_frame);
  gst_video_frame_unmap (&out_frame);
  gst_video_frame_unmap (&in_frame);
  return out;
}
