/* What the decoded media looks and sounds like, for tests that must tell
 * one publisher's picture or tone from another's:
 *   --sample-rects  mean colour of pixel rectangles in the latest decoded
 *                   video frame, measured on the decoder's planar YUV and
 *                   converted to RGB (BT.601, limited range)
 *   --tones         level of given frequencies (Goertzel on the mono
 *                   downmix) and the RMS level of the decoded audio, over
 *                   the window since the previous stats event
 *   --snapshot      the latest decoded video frame kept, written as a PNG
 *                   when asked (SIGUSR1): a test's picture of what it
 *                   checked
 * Fed from the fakesink probes on streaming threads; read by the stats
 * timer on the main context. */
#include "whep-view.h"

#include <gst/audio/audio.h>
#include <gst/video/video.h>
#include <math.h>
#include <string.h>

/* Floor for levels of silence, which have no finite logarithm. */
#define LEVEL_FLOOR_DB -150.0

typedef struct {
  double freq;
  double coeff;                 /* 2 cos (2 pi f / rate) */
  double s1, s2;
} Tone;

struct _WhepMeasure {
  GMutex lock;

  /* video */
  GArray *rects;                /* WhepRect, not owned */
  GstVideoInfo vinfo;
  gboolean vinfo_valid;
  gboolean vformat_warned;
  double *rgb;                  /* 3 per rect */
  gboolean *rgb_valid;          /* per rect */
  gboolean keep_latest;         /* --snapshot */
  GstCaps *latest_caps;
  GstBuffer *latest;

  /* audio */
  GArray *tones;                /* Tone */
  GstAudioInfo ainfo;
  gboolean ainfo_valid;
  gboolean aformat_warned;
  guint64 samples;              /* mono samples in the window */
  double sum_squares;
};

WhepMeasure *
whep_measure_new (const WhepConfig *config)
{
  WhepMeasure *m;
  gboolean rects = config->sample_rects && config->sample_rects->len > 0;
  gboolean tones = config->tones && config->tones->len > 0;

  if (!rects && !tones && !config->snapshot)
    return NULL;
  m = g_new0 (WhepMeasure, 1);
  g_mutex_init (&m->lock);
  m->keep_latest = config->snapshot != NULL;
  if (rects) {
    m->rects = config->sample_rects;
    m->rgb = g_new0 (double, 3 * m->rects->len);
    m->rgb_valid = g_new0 (gboolean, m->rects->len);
  }
  if (tones) {
    m->tones = g_array_sized_new (FALSE, TRUE, sizeof (Tone),
        config->tones->len);
    for (guint i = 0; i < config->tones->len; i++) {
      Tone t = { g_array_index (config->tones, double, i), 0, 0, 0 };

      g_array_append_val (m->tones, t);
    }
  }
  return m;
}

void
whep_measure_free (WhepMeasure *m)
{
  if (!m)
    return;
  g_mutex_clear (&m->lock);
  g_free (m->rgb);
  g_free (m->rgb_valid);
  gst_clear_caps (&m->latest_caps);
  gst_clear_buffer (&m->latest);
  g_clear_pointer (&m->tones, g_array_unref);
  g_free (m);
}

/* --- video --- */

void
whep_measure_video_caps (WhepMeasure *m, GstCaps *caps)
{
  if (!m || (!m->rects && !m->keep_latest))
    return;
  g_mutex_lock (&m->lock);
  m->vinfo_valid = gst_video_info_from_caps (&m->vinfo, caps);
  /* A new size or format: old means describe another picture. */
  if (m->rects)
    memset (m->rgb_valid, 0, sizeof (gboolean) * m->rects->len);
  if (m->keep_latest) {
    gst_caps_replace (&m->latest_caps, caps);
    gst_clear_buffer (&m->latest);
  }
  g_mutex_unlock (&m->lock);
}

/* Mean of component @comp over the luma rectangle [x0,x1)x[y0,y1), mapped
 * onto the component's own (possibly subsampled) grid. */
static double
component_mean (GstVideoFrame *frame, guint comp, int x0, int y0, int x1,
    int y1)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  guint wsub = GST_VIDEO_FORMAT_INFO_W_SUB (finfo, comp);
  guint hsub = GST_VIDEO_FORMAT_INFO_H_SUB (finfo, comp);
  const guint8 *data = GST_VIDEO_FRAME_COMP_DATA (frame, comp);
  int stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, comp);
  int pstride = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, comp);
  int cw = GST_VIDEO_FRAME_COMP_WIDTH (frame, comp);
  int ch = GST_VIDEO_FRAME_COMP_HEIGHT (frame, comp);
  int cx0 = x0 >> wsub, cy0 = y0 >> hsub;
  int cx1 = MIN ((x1 + (1 << wsub) - 1) >> wsub, cw);
  int cy1 = MIN ((y1 + (1 << hsub) - 1) >> hsub, ch);
  guint64 sum = 0;

  if (cx1 <= cx0 || cy1 <= cy0)
    return 0;
  for (int y = cy0; y < cy1; y++) {
    const guint8 *row = data + (gsize) y * stride + (gsize) cx0 * pstride;

    for (int x = cx0; x < cx1; x++, row += pstride)
      sum += *row;
  }
  return (double) sum / ((double) (cx1 - cx0) * (cy1 - cy0));
}

static double
clamp_255 (double value)
{
  return CLAMP (value, 0.0, 255.0);
}

void
whep_measure_video_frame (WhepMeasure *m, GstBuffer *buffer)
{
  const GstVideoFormatInfo *finfo;
  GstVideoFrame frame;

  if (!m || (!m->rects && !m->keep_latest))
    return;
  g_mutex_lock (&m->lock);
  if (m->keep_latest)
    gst_buffer_replace (&m->latest, buffer);
  if (!m->vinfo_valid || !m->rects)
    goto out;
  finfo = m->vinfo.finfo;
  /* Any 8-bit YUV layout works the same way; I420 is what vp8dec and
   * avdec_h264 give for our streams. */
  if (!GST_VIDEO_FORMAT_INFO_IS_YUV (finfo) ||
      GST_VIDEO_FORMAT_INFO_DEPTH (finfo, 0) != 8 ||
      GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo) < 3) {
    if (!m->vformat_warned)
      g_printerr ("whep-view: warning: decoded video is %s, not 8-bit YUV; "
          "--sample-rects reports null\n",
          GST_VIDEO_FORMAT_INFO_NAME (finfo));
    m->vformat_warned = TRUE;
    goto out;
  }
  if (!gst_video_frame_map (&frame, &m->vinfo, buffer, GST_MAP_READ))
    goto out;

  for (guint i = 0; i < m->rects->len; i++) {
    const WhepRect *r = &g_array_index (m->rects, WhepRect, i);
    int width = GST_VIDEO_FRAME_WIDTH (&frame);
    int height = GST_VIDEO_FRAME_HEIGHT (&frame);
    int x0 = CLAMP (r->x, 0, width), y0 = CLAMP (r->y, 0, height);
    int x1 = CLAMP ((gint64) r->x + r->w, 0, width);
    int y1 = CLAMP ((gint64) r->y + r->h, 0, height);
    double y, u, v;

    if (x1 <= x0 || y1 <= y0) {
      m->rgb_valid[i] = FALSE;
      continue;
    }
    y = component_mean (&frame, GST_VIDEO_COMP_Y, x0, y0, x1, y1) - 16;
    u = component_mean (&frame, GST_VIDEO_COMP_U, x0, y0, x1, y1) - 128;
    v = component_mean (&frame, GST_VIDEO_COMP_V, x0, y0, x1, y1) - 128;
    m->rgb[3 * i] = clamp_255 (1.164 * y + 1.596 * v);
    m->rgb[3 * i + 1] = clamp_255 (1.164 * y - 0.392 * u - 0.813 * v);
    m->rgb[3 * i + 2] = clamp_255 (1.164 * y + 2.017 * u);
    m->rgb_valid[i] = TRUE;
  }
  gst_video_frame_unmap (&frame);
out:
  g_mutex_unlock (&m->lock);
}

gboolean
whep_measure_write_snapshot (WhepMeasure *m, const char *path, int *width,
    int *height, GError **error)
{
  g_autoptr (GstSample) sample = NULL;
  g_autoptr (GstSample) png = NULL;
  g_autoptr (GstCaps) png_caps = NULL;
  GstMapInfo map;
  gboolean ok;

  if (m && m->keep_latest) {
    g_mutex_lock (&m->lock);
    if (m->latest && m->latest_caps)
      sample = gst_sample_new (m->latest, m->latest_caps, NULL, NULL);
    g_mutex_unlock (&m->lock);
  }
  if (!sample) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
        "no video frame decoded yet");
    return FALSE;
  }
  png_caps = gst_caps_new_empty_simple ("image/png");
  png = gst_video_convert_sample (sample, png_caps, 10 * GST_SECOND, error);
  if (!png)
    return FALSE;
  if (!gst_buffer_map (gst_sample_get_buffer (png), &map, GST_MAP_READ)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot map the PNG");
    return FALSE;
  }
  ok = g_file_set_contents (path, (const char *) map.data, map.size, error);
  gst_buffer_unmap (gst_sample_get_buffer (png), &map);
  if (ok) {
    GstVideoInfo info;

    gst_video_info_from_caps (&info, gst_sample_get_caps (sample));
    *width = GST_VIDEO_INFO_WIDTH (&info);
    *height = GST_VIDEO_INFO_HEIGHT (&info);
  }
  return ok;
}

/* --- audio --- */

static void
reset_audio_window (WhepMeasure *m)
{
  m->samples = 0;
  m->sum_squares = 0;
  for (guint i = 0; i < m->tones->len; i++) {
    Tone *t = &g_array_index (m->tones, Tone, i);

    t->s1 = t->s2 = 0;
  }
}

void
whep_measure_audio_caps (WhepMeasure *m, GstCaps *caps)
{
  if (!m || !m->tones)
    return;
  g_mutex_lock (&m->lock);
  m->ainfo_valid = gst_audio_info_from_caps (&m->ainfo, caps);
  if (m->ainfo_valid)
    for (guint i = 0; i < m->tones->len; i++) {
      Tone *t = &g_array_index (m->tones, Tone, i);

      t->coeff = 2 * cos (2 * G_PI * t->freq / GST_AUDIO_INFO_RATE (&m->ainfo));
    }
  reset_audio_window (m);
  g_mutex_unlock (&m->lock);
}

void
whep_measure_audio (WhepMeasure *m, GstBuffer *buffer)
{
  GstAudioFormat format;
  GstMapInfo map;
  int channels;
  gsize frames;

  if (!m || !m->tones)
    return;
  g_mutex_lock (&m->lock);
  if (!m->ainfo_valid)
    goto out;
  format = GST_AUDIO_INFO_FORMAT (&m->ainfo);
  channels = GST_AUDIO_INFO_CHANNELS (&m->ainfo);
  if ((format != GST_AUDIO_FORMAT_S16 && format != GST_AUDIO_FORMAT_F32) ||
      GST_AUDIO_INFO_LAYOUT (&m->ainfo) != GST_AUDIO_LAYOUT_INTERLEAVED) {
    if (!m->aformat_warned)
      g_printerr ("whep-view: warning: decoded audio is %s, not S16 or F32 "
          "interleaved; --tones reports null\n",
          gst_audio_format_to_string (format));
    m->aformat_warned = TRUE;
    goto out;
  }
  if (channels < 1 || !gst_buffer_map (buffer, &map, GST_MAP_READ))
    goto out;

  frames = map.size / GST_AUDIO_INFO_BPF (&m->ainfo);
  for (gsize f = 0; f < frames; f++) {
    double sample = 0;

    for (int c = 0; c < channels; c++) {
      gsize at = f * channels + c;

      sample += format == GST_AUDIO_FORMAT_S16 ?
          ((const gint16 *) map.data)[at] / 32768.0 :
          ((const float *) map.data)[at];
    }
    sample /= channels;
    m->sum_squares += sample * sample;
    for (guint i = 0; i < m->tones->len; i++) {
      Tone *t = &g_array_index (m->tones, Tone, i);
      double s0 = sample + t->coeff * t->s1 - t->s2;

      t->s2 = t->s1;
      t->s1 = s0;
    }
  }
  m->samples += frames;
  gst_buffer_unmap (buffer, &map);
out:
  g_mutex_unlock (&m->lock);
}

static double
level_db (double amplitude)
{
  return amplitude > 0 ? MAX (20 * log10 (amplitude), LEVEL_FLOOR_DB) :
      LEVEL_FLOOR_DB;
}

/* Rounded to 0.1 dB: finer digits are noise and only make logs longer. */
static void
add_db (JsonBuilder *b, double db)
{
  json_builder_add_double_value (b, round (db * 10) / 10);
}

/* --- stats --- */

void
whep_measure_add_stats (WhepMeasure *m, JsonBuilder *b)
{
  if (!m)
    return;
  g_mutex_lock (&m->lock);
  if (m->rects) {
    json_builder_set_member_name (b, "rects");
    json_builder_begin_array (b);
    for (guint i = 0; i < m->rects->len; i++) {
      if (!m->rgb_valid[i]) {
        json_builder_add_null_value (b);
        continue;
      }
      json_builder_begin_object (b);
      tool_event_add_int (b, "r", lround (m->rgb[3 * i]));
      tool_event_add_int (b, "g", lround (m->rgb[3 * i + 1]));
      tool_event_add_int (b, "b", lround (m->rgb[3 * i + 2]));
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
  }
  if (m->tones) {
    json_builder_set_member_name (b, "tones");
    json_builder_begin_object (b);
    for (guint i = 0; i < m->tones->len; i++) {
      const Tone *t = &g_array_index (m->tones, Tone, i);
      char name[G_ASCII_DTOSTR_BUF_SIZE];
      double power;

      g_ascii_formatd (name, sizeof name, "%g", t->freq);
      json_builder_set_member_name (b, name);
      if (m->samples == 0) {
        json_builder_add_null_value (b);
        continue;
      }
      /* |X(f)| of a sine of amplitude A over N samples is A N / 2. */
      power = t->s1 * t->s1 + t->s2 * t->s2 - t->coeff * t->s1 * t->s2;
      add_db (b, level_db (2 * sqrt (MAX (power, 0)) / m->samples));
    }
    json_builder_end_object (b);
    json_builder_set_member_name (b, "audio_rms_dbfs");
    if (m->samples == 0)
      json_builder_add_null_value (b);
    else
      add_db (b, level_db (sqrt (m->sum_squares / m->samples)));
    reset_audio_window (m);
  }
  g_mutex_unlock (&m->lock);
}
