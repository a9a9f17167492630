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

/* One line of text, centred horizontally at y (top), ellipsized to width. */
static void
draw_line (cairo_t *cr, const char *text, int width, int y, int px, gboolean bold)
{
  PangoContext *context = pango_font_map_create_context (font_map);
  pango_cairo_update_context (cr, context);
  PangoLayout *layout = pango_layout_new (context);
  /* "Sans" lets fontconfig pick a face with Thai glyphs (TLWG). */
  PangoFontDescription *font = pango_font_description_from_string ("Sans");
  pango_font_description_set_absolute_size (font, MAX (px, 4) * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, MAX (width - 4, 1) * PANGO_SCALE);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, 2, y);
  pango_cairo_show_layout (cr, layout);
  pango_font_description_free (font);
  g_object_unref (layout);
  g_object_unref (context);
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
  int px = MAX (height / 9, 6);
  int sizes[3] = { px, px * 4 / 5, px * 4 / 5 };
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

int
relay_tile_label_height (int frame_height)
{
  /* Readable on a 120-line grid tile without covering a spotlight picture. */
  return EVEN (CLAMP (frame_height / 4, 12, 56));
}

typedef struct {
  const char *th, *en;
} LabelData;

static void
draw_label (cairo_t *cr, int width, int height, gpointer data)
{
  LabelData *label = data;
  cairo_set_source_rgb (cr, 0.08, 0.08, 0.08);
  cairo_paint (cr);
  int px = MAX (height * 2 / 5 - 1, 4);
  /* Thai glyphs of the TLWG faces look smaller than Latin at one size. */
  int px_th = px * 6 / 5;
  cairo_set_source_rgb (cr, 1, 1, 1);
  /* Pango's Thai line box has room for stacked marks above the glyphs:
   * start it a little above the band and put the Latin line on the lower
   * part of that box. */
  int y = (height - (px_th + px + px / 3)) / 2 - px / 3;
  draw_line (cr, label->th, width, y, px_th, FALSE);
  draw_line (cr, label->en, width, y + px_th + px / 2, px, FALSE);
}

GstBuffer *
relay_tile_render_label (int width, int height, const char *name_th, const char *name_en)
{
  LabelData label = { name_th ? name_th : "", name_en ? name_en : "" };
  return render_with_cairo (width, height, draw_label, &label);
}

void
relay_tile_blit_label (GstBuffer *frame, const GstVideoInfo *info, GstBuffer *label,
                       int label_height)
{
  int width = GST_VIDEO_INFO_WIDTH (info), height = GST_VIDEO_INFO_HEIGHT (info);
  label_height = EVEN (MIN (label_height, height));
  GstVideoInfo label_info;
  gst_video_info_set_format (&label_info, GST_VIDEO_FORMAT_I420, width, label_height);
  if (gst_buffer_get_size (label) < GST_VIDEO_INFO_SIZE (&label_info))
    return;
  GstVideoFrame dst, src;
  if (!gst_video_frame_map (&dst, info, frame, GST_MAP_WRITE))
    return;
  if (!gst_video_frame_map (&src, &label_info, label, GST_MAP_READ))
    {
      gst_video_frame_unmap (&dst);
      return;
    }
  for (int p = 0; p < 3; p++)
    {
      int rows = GST_VIDEO_FRAME_COMP_HEIGHT (&src, p);
      int first = GST_VIDEO_FRAME_COMP_HEIGHT (&dst, p) - rows;
      int cols = GST_VIDEO_FRAME_COMP_WIDTH (&src, p);
      for (int r = 0; r < rows; r++)
        memcpy ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&dst, p)
                    + (first + r) * GST_VIDEO_FRAME_PLANE_STRIDE (&dst, p),
                (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&src, p)
                    + r * GST_VIDEO_FRAME_PLANE_STRIDE (&src, p),
                cols);
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
