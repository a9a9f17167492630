#include "pipelines/picture-output.h"

gboolean
relay_picture_output_init (RelayPictureOutput *out, const char *name, RelayCodec codec, int fps,
                           guint bitrate_kbps, guint32 ssrc, RelayRtpOutputFunc output,
                           gpointer user_data, GError **error)
{
  out->name = g_strdup (name);
  out->fps = fps;
  out->pipeline = relay_output_pipeline_new (name);
  out->clock = gst_pipeline_get_clock (GST_PIPELINE (out->pipeline));
  out->encoder = relay_video_encoder_output_new (GST_BIN (out->pipeline), name, codec,
                                                 (guint) fps, bitrate_kbps, ssrc, output,
                                                 user_data, error);
  return out->encoder != NULL;
}

gboolean
relay_picture_output_play (RelayPictureOutput *out, GError **error)
{
  if (gst_element_set_state (out->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
                   "%s pipeline refused to start", out->name);
      return FALSE;
    }
  out->base_time = gst_element_get_base_time (out->pipeline);
  return TRUE;
}

void
relay_picture_output_start_feeder (RelayPictureOutput *out, GstClockTime offset,
                                   RelayTickFunc feed, gpointer data)
{
  g_autofree char *thread_name = g_strdup_printf ("%s-feed", out->name);
  out->feeder = relay_ticker_start (thread_name, out->pipeline, GST_SECOND / (guint) out->fps,
                                    offset, feed, data);
}

void
relay_picture_output_stop (RelayPictureOutput *out)
{
  /* The feeder may be blocked pushing into the compositor (or the
   * encoder's queue): it is told to stop, the pipeline flushes, which
   * returns its push, and only then is it joined. */
  relay_ticker_request_stop (out->feeder);
  if (out->pipeline)
    gst_element_set_state (out->pipeline, GST_STATE_NULL);
  relay_ticker_stop (out->feeder);
  out->feeder = NULL;
}

void
relay_picture_output_clear (RelayPictureOutput *out)
{
  g_clear_pointer (&out->pipeline, relay_output_pipeline_free);
  g_clear_pointer (&out->encoder, relay_video_encoder_output_free);
  g_clear_object (&out->clock);
  g_clear_pointer (&out->name, g_free);
}
