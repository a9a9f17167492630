#include "webrtc/peer/ingest-policer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "webrtc/base/session-refusals.h"
#include "webrtc/base/log.h"
#include "webrtc/rtp/rtp-codec-info.h"

#define VIDEO_CLOCK 90000
/* The frame rate is measured over 2 s of the sender's own timeline: its
 * timestamps say when each frame was captured, so network jitter and a
 * burst after a stall do not change it. */
#define FPS_WINDOW_TICKS (2 * VIDEO_CLOCK)
/* Timestamps that jump further than this are a pause (or a new clock),
 * not 5 s of frames: the window starts again. */
#define FPS_MAX_GAP_TICKS (5 * VIDEO_CLOCK)
/* A measured rate older than this describes a stream that stopped. */
#define FPS_STALE_US (3 * G_USEC_PER_SEC)
/* 30 fps cameras measure 30.3 now and then: over means more than 5 %
 * over. */
#define FPS_MARGIN 1.05
/* Below this a video encoder cannot send anything useful; libwebrtc's own
 * floor is 30 kbit/s. */
#define REMB_FLOOR_KBPS 50
/* While over, the REMB shrinks to 70 % each second; back within, it grows
 * by a tenth of the target each second, so a stream that fits only at the
 * lower bitrate is not pushed straight back over. */
#define REMB_DECAY_PER_S 0.7
#define REMB_RECOVER_PER_S 0.1
#define OVERSIZED_LOG_EVERY_US (10 * G_USEC_PER_SEC)

struct _RelayIngestPolicer {
  RelayIngestLimits limits;
  guint target_kbps;
  char *log_id;

  RelayIngestLimitState state;
  gint64 over_since_us; /* when it went over; 0 when within */
  char reason[128];     /* the latest words for why, while not within */
  double remb_kbps;
  gint64 last_tick_us;
  guint refusals;

  /* Picture size: from keyframes, or the decoder's while they said none. */
  guint width, height;
  gboolean size_from_rtp;

  /* Frame rate from RTP timestamps. */
  gboolean have_frame;
  guint32 window_start_ts, last_ts;
  guint window_frames;
  double fps;
  gint64 fps_at_us;

  guint64 oversized_packets, oversized_bytes;
  guint largest_oversized;
  guint64 oversized_unlogged; /* dropped since the last log line */
  gint64 oversized_logged_us;
};

void
relay_ingest_limits_init_default (RelayIngestLimits *limits)
{
  limits->max_rtp_size = RELAY_INGEST_DEFAULT_MAX_RTP_SIZE;
  limits->max_width = RELAY_INGEST_DEFAULT_MAX_WIDTH;
  limits->max_height = RELAY_INGEST_DEFAULT_MAX_HEIGHT;
  limits->max_framerate = RELAY_INGEST_DEFAULT_MAX_FRAMERATE;
  limits->grace_s = RELAY_INGEST_DEFAULT_GRACE_S;
}

const char *
relay_ingest_limit_state_name (RelayIngestLimitState state)
{
  switch (state)
    {
    case RELAY_INGEST_WITHIN:
      return "within";
    case RELAY_INGEST_OVER:
      return "over";
    case RELAY_INGEST_REFUSED:
      return "refused";
    }
  return "unknown";
}

RelayIngestPolicer *
relay_ingest_policer_new (const RelayIngestLimits *limits, guint target_kbps, const char *log_id)
{
  RelayIngestPolicer *self = g_new0 (RelayIngestPolicer, 1);
  self->limits = *limits;
  self->target_kbps = target_kbps;
  self->remb_kbps = target_kbps;
  self->log_id = g_strdup (log_id);
  return self;
}

void
relay_ingest_policer_free (RelayIngestPolicer *self)
{
  if (!self)
    return;
  g_free (self->log_id);
  g_free (self);
}

/* ---- packet size -------------------------------------------------------- */

static void
log_oversized (RelayIngestPolicer *self, gint64 now_us)
{
  if (self->oversized_unlogged == 0)
    return;
  if (self->oversized_packets == self->oversized_unlogged)
    relay_warn (self->log_id, "dropped an RTP packet of %u bytes: over the %u-byte limit "
                "(max-rtp-size); further ones are counted, and logged every 10 s",
                self->largest_oversized, self->limits.max_rtp_size);
  else
    relay_warn (self->log_id, "dropped %" G_GUINT64_FORMAT " more RTP packets over %u bytes "
                "(%" G_GUINT64_FORMAT " in this session, the largest %u bytes)",
                self->oversized_unlogged, self->limits.max_rtp_size, self->oversized_packets,
                self->largest_oversized);
  self->oversized_unlogged = 0;
  self->oversized_logged_us = now_us;
}

gboolean
relay_ingest_policer_admit (RelayIngestPolicer *self, gsize len, gint64 now_us)
{
  if (len <= self->limits.max_rtp_size)
    return TRUE;
  self->oversized_packets++;
  self->oversized_bytes += len;
  self->largest_oversized = MAX (self->largest_oversized, (guint) MIN (len, G_MAXUINT));
  self->oversized_unlogged++;
  if (self->oversized_packets == 1 || now_us - self->oversized_logged_us >= OVERSIZED_LOG_EVERY_US)
    log_oversized (self, now_us);
  return FALSE;
}

/* ---- measuring ---------------------------------------------------------- */

static void
on_frame_timestamp (RelayIngestPolicer *self, guint32 ts, gint64 now_us)
{
  if (!self->have_frame)
    {
      self->have_frame = TRUE;
      self->window_start_ts = self->last_ts = ts;
      self->window_frames = 0;
      return;
    }
  gint32 step = (gint32) (ts - self->last_ts);
  /* The same frame's next packet, or an older frame's late or
   * retransmitted one. */
  if (step <= 0)
    return;
  self->last_ts = ts;
  if (step > FPS_MAX_GAP_TICKS)
    {
      self->window_start_ts = ts;
      self->window_frames = 0;
      return;
    }
  self->window_frames++;
  guint32 span = ts - self->window_start_ts;
  if (span >= FPS_WINDOW_TICKS)
    {
      self->fps = self->window_frames * (double) VIDEO_CLOCK / span;
      self->fps_at_us = now_us;
      self->window_start_ts = ts;
      self->window_frames = 0;
    }
}

void
relay_ingest_policer_on_video (RelayIngestPolicer *self, RelayCodec codec, guint32 rtp_timestamp,
                               const guint8 *payload, gsize len, gint64 now_us)
{
  on_frame_timestamp (self, rtp_timestamp, now_us);
  guint w, h;
  if (relay_rtp_payload_get_frame_size (codec, payload, len, &w, &h))
    {
      if (w != self->width || h != self->height)
        relay_debug (self->log_id, "sends %ux%u", w, h);
      self->width = w;
      self->height = h;
      self->size_from_rtp = TRUE;
    }
}

void
relay_ingest_policer_new_stream (RelayIngestPolicer *self)
{
  self->width = self->height = 0;
  self->size_from_rtp = FALSE;
  self->have_frame = FALSE;
  self->fps = 0;
  self->fps_at_us = 0;
}

void
relay_ingest_policer_set_decoded_size (RelayIngestPolicer *self, guint width, guint height)
{
  if (self->size_from_rtp || width == 0 || height == 0)
    return;
  self->width = width;
  self->height = height;
}

/* ---- judging ------------------------------------------------------------ */

/* Either way up: a phone held upright sends 720x1280. The picture's longer
 * side is held to the larger of max-width and max-height, its shorter side
 * to the smaller. */
static void
sides (guint a, guint b, guint *longer, guint *shorter)
{
  *longer = MAX (a, b);
  *shorter = MIN (a, b);
}

static gboolean
fits (const RelayIngestLimits *l, guint w, guint h)
{
  guint long_side, short_side, long_max, short_max;
  sides (w, h, &long_side, &short_side);
  sides (l->max_width, l->max_height, &long_max, &short_max);
  return long_side <= long_max && short_side <= short_max;
}

/* The share of its pixels per second the office may keep: what the REMB
 * is first cut by. */
static double
allowed_share (RelayIngestPolicer *self, gboolean size_over, gboolean fps_over)
{
  const RelayIngestLimits *l = &self->limits;
  double share = 1.0;
  if (size_over)
    {
      guint long_side, short_side, long_max, short_max;
      sides (self->width, self->height, &long_side, &short_side);
      sides (l->max_width, l->max_height, &long_max, &short_max);
      double scale = MIN ((double) long_max / long_side, (double) short_max / short_side);
      share = scale * scale;
    }
  if (fps_over)
    share = MIN (share, l->max_framerate / self->fps);
  return CLAMP (share, 0.05, 1.0);
}

typedef struct {
  gboolean size_known, fps_known;
  gboolean size_over, fps_over;
} Judgement;

static Judgement
judge (RelayIngestPolicer *self, gint64 now_us)
{
  Judgement j = { 0 };
  j.size_known = self->width > 0 && self->height > 0;
  j.fps_known = self->fps > 0 && now_us - self->fps_at_us <= FPS_STALE_US;
  j.size_over = j.size_known && !fits (&self->limits, self->width, self->height);
  j.fps_over = j.fps_known && self->fps > self->limits.max_framerate * FPS_MARGIN;
  return j;
}

static void
describe (RelayIngestPolicer *self, Judgement j, char *out, gsize size)
{
  out[0] = '\0';
  if (j.size_over)
    g_snprintf (out, size, "%ux%u is over the %ux%u limit", self->width, self->height,
                self->limits.max_width, self->limits.max_height);
  if (j.fps_over)
    {
      gsize used = strlen (out);
      g_snprintf (out + used, size - used, "%s%.1f fps is over the %u fps limit",
                  used ? "; " : "", self->fps, self->limits.max_framerate);
    }
}

static void
set_state (RelayIngestPolicer *self, RelayIngestLimitState state, gint64 now_us)
{
  const char *reason = self->reason;
  RelayIngestLimitState previous = self->state;
  self->state = state;
  switch (state)
    {
    case RELAY_INGEST_OVER:
      self->over_since_us = now_us;
      relay_warn (self->log_id, "video over the limits: %s; asking it down to %u kbit/s (REMB), "
                  "not decoded if still over in %u s", reason, (guint) self->remb_kbps,
                  self->limits.grace_s);
      break;
    case RELAY_INGEST_REFUSED:
      self->refusals++;
      relay_session_refusals_note (RELAY_SESSION_REFUSAL_INGEST_OVER_LIMIT);
      relay_warn (self->log_id, "video refused, no longer decoded: %s for %u s; decoded again "
                  "once it fits", reason, self->limits.grace_s);
      break;
    case RELAY_INGEST_WITHIN:
      self->over_since_us = 0;
      self->reason[0] = '\0';
      relay_info (self->log_id, "video within the limits again (%ux%u, %.1f fps)%s", self->width,
                  self->height, self->fps,
                  previous == RELAY_INGEST_REFUSED ? ": decoded again" : "");
      break;
    }
}

gboolean
relay_ingest_policer_tick (RelayIngestPolicer *self, gint64 now_us, double bitrate_kbps)
{
  double dt = self->last_tick_us ? (now_us - self->last_tick_us) / (double) G_USEC_PER_SEC : 0;
  self->last_tick_us = now_us;
  if (self->oversized_unlogged && now_us - self->oversized_logged_us >= OVERSIZED_LOG_EVERY_US)
    log_oversized (self, now_us);

  Judgement j = judge (self, now_us);
  gboolean over = j.size_over || j.fps_over;
  RelayIngestLimitState before = self->state;
  /* Kept while refused and no longer measured (the office paused): the
   * last reason known still stands. */
  if (over)
    describe (self, j, self->reason, sizeof self->reason);

  if (over)
    {
      if (self->state == RELAY_INGEST_WITHIN)
        {
          /* At once, in proportion: what it sends, cut to the share of its
           * pixels per second it may keep. */
          double base = bitrate_kbps > 0 ? MIN (self->remb_kbps, bitrate_kbps) : self->remb_kbps;
          self->remb_kbps = base * allowed_share (self, j.size_over, j.fps_over);
          self->remb_kbps = CLAMP (self->remb_kbps, REMB_FLOOR_KBPS, self->target_kbps);
          set_state (self, RELAY_INGEST_OVER, now_us);
        }
      else
        {
          self->remb_kbps = MAX (REMB_FLOOR_KBPS, self->remb_kbps * pow (REMB_DECAY_PER_S, dt));
          if (self->state == RELAY_INGEST_OVER
              && now_us - self->over_since_us >= (gint64) self->limits.grace_s * G_USEC_PER_SEC)
            set_state (self, RELAY_INGEST_REFUSED, now_us);
        }
    }
  else
    {
      /* Refused video is not decoded, so only what the keyframes and the
       * timestamps say can bring it back: both must be known, and fit. */
      gboolean proven = j.size_known && j.fps_known;
      if (self->state == RELAY_INGEST_OVER || (self->state == RELAY_INGEST_REFUSED && proven))
        set_state (self, RELAY_INGEST_WITHIN, now_us);
      if (self->state == RELAY_INGEST_WITHIN)
        self->remb_kbps = MIN (self->target_kbps,
                               self->remb_kbps + self->target_kbps * REMB_RECOVER_PER_S * dt);
    }
  return self->state != before;
}

gboolean
relay_ingest_policer_decoding (RelayIngestPolicer *self)
{
  return self->state != RELAY_INGEST_REFUSED;
}

guint
relay_ingest_policer_get_remb_kbps (RelayIngestPolicer *self)
{
  return (guint) (self->remb_kbps + 0.5);
}

void
relay_ingest_policer_get_status (RelayIngestPolicer *self, RelayIngestStatus *status)
{
  memset (status, 0, sizeof *status);
  gint64 now_us = self->last_tick_us;
  Judgement j = judge (self, now_us);
  status->state = self->state;
  status->width = self->width;
  status->height = self->height;
  status->fps = j.fps_known ? self->fps : 0;
  g_strlcpy (status->reason, self->reason, sizeof status->reason);
  status->remb_kbps = relay_ingest_policer_get_remb_kbps (self);
  status->oversized_packets = self->oversized_packets;
  status->oversized_bytes = self->oversized_bytes;
  status->largest_oversized = self->largest_oversized;
  status->refusals = self->refusals;
}
