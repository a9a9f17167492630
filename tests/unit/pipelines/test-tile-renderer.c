/* What the relay draws into the mosaic's tiles (pipelines/tile-renderer.c):
 * name labels large enough to read on the operations room's screen, the
 * muted badge, and the copy of both into a picture. */
#include <gst/gst.h>
#include <gst/video/video.h>

#include "pipelines/tile-renderer.h"

/* The picture of a grid tile at the default 1920x1080 (213x120 cells less
 * the 8-px gap of the marks). */
#define GRID_W 196
#define GRID_H 104

typedef struct {
  GstVideoFrame frame;
  GstVideoInfo info;
} Mapped;

static void
map (Mapped *m, GstBuffer *buf, int w, int h)
{
  gst_video_info_set_format (&m->info, GST_VIDEO_FORMAT_I420, w, h);
  g_assert_true (gst_video_frame_map (&m->frame, &m->info, buf, GST_MAP_READ));
}

static int
luma (Mapped *m, int x, int y)
{
  return ((const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&m->frame, 0))
      [y * GST_VIDEO_FRAME_PLANE_STRIDE (&m->frame, 0) + x];
}

static void
chroma (Mapped *m, int x, int y, int *u, int *v)
{
  *u = ((const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&m->frame, 1))
      [(y / 2) * GST_VIDEO_FRAME_PLANE_STRIDE (&m->frame, 1) + x / 2];
  *v = ((const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&m->frame, 2))
      [(y / 2) * GST_VIDEO_FRAME_PLANE_STRIDE (&m->frame, 2) + x / 2];
}

static gboolean
row_has_text (Mapped *m, int y)
{
  for (int x = 0; x < GST_VIDEO_INFO_WIDTH (&m->info); x++)
    if (luma (m, x, y) > 128)
      return TRUE;
  return FALSE;
}

static void
test_label_legible (void)
{
  /* A fifth of the picture: 20 px, 17 px on a 1600x900 screen showing the
   * mosaic (the label was 13 px before, glyphs about 6 px high there). */
  g_assert_cmpint (relay_tile_label_text_px (GRID_H), ==, 20);
  int band = relay_tile_label_height (GRID_H);
  g_assert_cmpint (band % 2, ==, 0);
  g_assert_cmpint (band, <=, GRID_H / 2);
  g_autoptr (GstBuffer) label = relay_tile_render_label (GRID_W, GRID_H, "เชียงใหม่", "Chiang Mai");
  Mapped m;
  map (&m, label, GRID_W, band);

  /* The text in two runs of rows, light on dark, neither touching the
   * band's edges (nothing clipped). */
  int runs[2][2] = { { -1, -1 }, { -1, -1 } }, nruns = 0;
  gboolean in = FALSE;
  for (int y = 0; y < band; y++)
    {
      gboolean text = row_has_text (&m, y);
      if (text && !in)
        {
          g_assert_cmpint (nruns, <, 2);
          runs[nruns][0] = y;
          nruns++;
        }
      if (text)
        runs[nruns - 1][1] = y;
      in = text;
    }
  g_test_message ("band %d: Thai rows %d-%d, English rows %d-%d", band, runs[0][0], runs[0][1],
                  runs[1][0], runs[1][1]);
  g_assert_cmpint (nruns, ==, 2);
  g_assert_cmpint (runs[0][0], >, 0);
  g_assert_cmpint (runs[1][1], <, band - 1);
  /* เชียงใหม่ from the tone mark over ม to the foot of its consonants;
   * "Chiang Mai" from the cap height to the descender of g. */
  int thai = runs[0][1] - runs[0][0] + 1, english = runs[1][1] - runs[1][0] + 1;
  g_assert_cmpint (thai, >=, 16);
  g_assert_cmpint (english, >=, 13);
  g_assert_cmpint (luma (&m, 0, 0), <, 40); /* the dark band */
  gst_video_frame_unmap (&m.frame);

  /* A tiny picture: the band never covers more than half of it. */
  g_assert_cmpint (relay_tile_label_height (40), <=, 20);
  g_autoptr (GstBuffer) tiny = relay_tile_render_label (70, 40, "เชียงใหม่", "Chiang Mai");
  GstVideoInfo tiny_info;
  gst_video_info_set_format (&tiny_info, GST_VIDEO_FORMAT_I420, 70, relay_tile_label_height (40));
  g_assert_cmpuint (gst_buffer_get_size (tiny), ==, GST_VIDEO_INFO_SIZE (&tiny_info));
}

/* Runs of rows with text (luma over 128), at most `max`; returns how many. */
static int
text_runs (Mapped *m, int height, int runs[][2], int max)
{
  int n = 0;
  gboolean in = FALSE;
  for (int y = 0; y < height; y++)
    {
      gboolean text = row_has_text (m, y);
      if (text && !in && n < max)
        {
          runs[n][0] = y;
          n++;
        }
      if (text && n > 0)
        runs[n - 1][1] = y;
      in = text;
    }
  return n;
}

/* An office that is offline shows its card: its name as legible as on a
 * live tile's label. */
static void
test_card_legible (void)
{
  g_autoptr (GstBuffer) card = relay_tile_render_card (GRID_W, GRID_H, RELAY_TILE_OFFLINE_RGB,
                                                       "เชียงใหม่", "Chiang Mai", "ออฟไลน์ / offline");
  Mapped m;
  map (&m, card, GRID_W, GRID_H);
  int runs[3][2];
  g_assert_cmpint (text_runs (&m, GRID_H, runs, 3), ==, 3);
  g_test_message ("card: rows %d-%d, %d-%d, %d-%d", runs[0][0], runs[0][1], runs[1][0],
                  runs[1][1], runs[2][0], runs[2][1]);
  g_assert_cmpint (runs[0][1] - runs[0][0] + 1, >=, 16);
  g_assert_cmpint (runs[1][1] - runs[1][0] + 1, >=, 11);
  g_assert_cmpint (runs[0][0], >, 0);
  g_assert_cmpint (runs[2][1], <, GRID_H - 1);
  gst_video_frame_unmap (&m.frame);
}

static void
test_muted_badge (void)
{
  int size = relay_tile_badge_size (GRID_H);
  g_assert_cmpint (size, ==, 20);
  g_autoptr (GstBuffer) badge = relay_tile_render_muted_badge (size);
  Mapped m;
  map (&m, badge, size, size);
  /* Red, with a white microphone in the middle. */
  int u, v;
  chroma (&m, 1, 1, &u, &v);
  g_assert_cmpint (v, >, 200);
  g_assert_cmpint (u, <, 128);
  int white = 0;
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      white += luma (&m, x, y) > 200;
  g_assert_cmpint (white, >, size * size / 10);
  gst_video_frame_unmap (&m.frame);
}

static void
test_blit (void)
{
  g_autoptr (GstBuffer) frame = relay_tile_render_solid (64, 48, 0x000000);
  g_autoptr (GstBuffer) white = relay_tile_render_solid (16, 8, 0xffffff);
  GstVideoInfo info;
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, 64, 48);
  relay_tile_blit (frame, &info, white, 16, 8, 10, 20);
  /* Clipped at the right and bottom edges, and nothing written past them. */
  relay_tile_blit (frame, &info, white, 16, 8, 56, 44);
  relay_tile_blit (frame, &info, white, 16, 8, 70, 50);
  Mapped m;
  map (&m, frame, 64, 48);
  g_assert_cmpint (luma (&m, 10, 20), >, 200);
  g_assert_cmpint (luma (&m, 25, 27), >, 200);
  g_assert_cmpint (luma (&m, 26, 20), <, 40);
  g_assert_cmpint (luma (&m, 10, 28), <, 40);
  g_assert_cmpint (luma (&m, 9, 20), <, 40);
  g_assert_cmpint (luma (&m, 63, 47), >, 200);
  g_assert_cmpint (luma (&m, 55, 47), <, 40);
  gst_video_frame_unmap (&m.frame);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tile-renderer/label-legible", test_label_legible);
  g_test_add_func ("/tile-renderer/card-legible", test_card_legible);
  g_test_add_func ("/tile-renderer/muted-badge", test_muted_badge);
  g_test_add_func ("/tile-renderer/blit", test_blit);
  return g_test_run ();
}
