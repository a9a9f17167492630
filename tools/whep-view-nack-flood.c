/* --nack-flood: a hostile viewer for the relay's NACK policing.  Each RTCP
 * report webrtcbin sends gets an extra generic NACK (RFC 4585 6.2.1)
 * listing the newest video packet received, again and again, as many times
 * as fit (--nack-flood N at most).  A relay that resends every entry sends
 * that packet hundreds of times a second; a sound one resends it once per
 * round trip.
 *
 * The probe runs on webrtcbin's receive thread and the RTCP hook on its
 * RTCP thread; they share the packet's numbers through atomics. */
#include "whep-view.h"

#include <gst/rtp/rtp.h>

static GstPadProbeReturn
newest_packet_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  WhepViewer *v = data;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  if (buffer && gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp)) {
    g_atomic_int_set (&v->flood_seq, gst_rtp_buffer_get_seq (&rtp));
    g_atomic_int_set (&v->flood_ssrc, (gint) gst_rtp_buffer_get_ssrc (&rtp));
    g_atomic_int_set (&v->flood_ready, 1);
    gst_rtp_buffer_unmap (&rtp);
  }
  return GST_PAD_PROBE_OK;
}

void
whep_viewer_watch_newest_video_packet (WhepViewer *v, GstPad *pad)
{
  if (v->config->nack_flood > 0)
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, newest_packet_probe, v,
        NULL);
}

/* rtpsession "on-sending-rtcp": TRUE when a packet was added. */
static gboolean
on_sending_rtcp (GObject *session, GstBuffer *buffer, gboolean early,
    gpointer data)
{
  WhepViewer *v = data;
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  GstRTCPPacket packet;
  guint sender_ssrc = 0;
  guint entries = v->config->nack_flood;
  guint16 seq;
  guint8 *fci;

  if (!g_atomic_int_get (&v->flood_ready))
    return FALSE;
  seq = (guint16) g_atomic_int_get (&v->flood_seq);
  g_object_get (session, "internal-ssrc", &sender_ssrc, NULL);
  if (!gst_rtcp_buffer_map (buffer, GST_MAP_READWRITE, &rtcp))
    return FALSE;
  if (!gst_rtcp_buffer_add_packet (&rtcp, GST_RTCP_TYPE_RTPFB, &packet)) {
    gst_rtcp_buffer_unmap (&rtcp);
    return FALSE;
  }
  gst_rtcp_packet_fb_set_type (&packet, GST_RTCP_RTPFB_TYPE_NACK);
  gst_rtcp_packet_fb_set_sender_ssrc (&packet, sender_ssrc);
  gst_rtcp_packet_fb_set_media_ssrc (&packet,
      (guint32) g_atomic_int_get (&v->flood_ssrc));
  /* As many entries as the report's buffer (its MTU) leaves room for. */
  while (entries > 0 && !gst_rtcp_packet_fb_set_fci_length (&packet, entries))
    entries = entries > 16 ? entries - 16 : entries - 1;
  if (entries == 0) {
    gst_rtcp_packet_remove (&packet);
    gst_rtcp_buffer_unmap (&rtcp);
    return FALSE;
  }
  fci = gst_rtcp_packet_fb_get_fci (&packet);
  for (guint i = 0; i < entries; i++) {
    GST_WRITE_UINT16_BE (fci + 4 * i, seq);
    GST_WRITE_UINT16_BE (fci + 4 * i + 2, 0);
  }
  gst_rtcp_buffer_unmap (&rtcp);
  g_atomic_int_inc (&v->counters.flood_nacks);
  g_atomic_int_add (&v->counters.flood_entries, (gint) entries);
  return TRUE;
}

/* rtpbin "on-new-ssrc": the session exists by then; hook it once. */
static void
on_new_ssrc (GstElement *rtpbin, guint session_id, guint ssrc, gpointer data)
{
  WhepViewer *v = data;
  GObject *session = NULL;

  if (!g_atomic_int_compare_and_exchange (&v->flood_hooked, 0, 1))
    return;
  g_signal_emit_by_name (rtpbin, "get-internal-session", session_id, &session);
  if (!session) {
    g_atomic_int_set (&v->flood_hooked, 0);
    return;
  }
  g_signal_connect (session, "on-sending-rtcp", G_CALLBACK (on_sending_rtcp),
      v);
  /* Reports every ~200 ms rather than every ~5 s: a flood, not a trickle. */
  g_object_set (session, "rtcp-min-interval", (guint64) 200 * GST_MSECOND,
      NULL);
  g_object_unref (session);
}

void
whep_viewer_arm_nack_flood (WhepViewer *v, GstElement *rtpbin)
{
  if (v->config->nack_flood > 0)
    g_signal_connect (rtpbin, "on-new-ssrc", G_CALLBACK (on_new_ssrc), v);
}
