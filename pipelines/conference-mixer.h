/* The conference audio: a mix of the unmuted participants (by default the
 * central room and the floor holder), and for each of them a mix-minus (the
 * mix without its own voice), so that no participant hears itself. Every
 * listener outside the mix shares the one full-mix encode; each member's
 * mix-minus is encoded once for all that member's listeners. Mixing runs on
 * a 20 ms tick of its own thread; encoding (Opus) and payloading are
 * GStreamer's.
 *
 * Mixes are named by the member they leave out; RELAY_MIX_ALL ("") is the
 * full mix. */
#pragma once

#include <glib.h>
#include <gst/gst.h>
#include <gst/audio/audio.h>
#include "pipelines/rtp-output.h"
#include "webrtc/base/metrics-histogram.h"

G_BEGIN_DECLS

#define RELAY_MIX_ALL ""

typedef struct _RelayConferenceMixer RelayConferenceMixer;

/* mix: RELAY_MIX_ALL or the member left out. kind is RELAY_FORWARD_AUDIO.
 * Each mix has its own SSRC. Called from a streaming thread. */
typedef void (*RelayMixOutputFunc) (const char *mix, gint64 capture_us, const guint8 *rtp,
                                    gsize len, gpointer user_data);

typedef struct {
  guint64 ticks;          /* 20 ms mixing rounds */
  guint members;
  guint64 underruns;      /* a member had no audio for a round (once it has played) */
  guint64 dropped_ms;     /* audio discarded because a member ran ahead (FIFO over
                           * 200 ms, or audio held a whole second: cut back) */
  /* From a member's audio being pushed to the mixed packet leaving, µs. */
  gint64 latency_p50_us, latency_p99_us;
  /* The same for GET /metrics, one observation per packet of each mix
   * (borrowed, lives as the mixer). */
  const RelayMetricsHistogram *latency;
} RelayConferenceMixerStats;

RelayConferenceMixer *relay_conference_mixer_new (guint bitrate_kbps, RelayMixOutputFunc output,
                                                  gpointer user_data, GError **error);
void relay_conference_mixer_free (RelayConferenceMixer *mixer);

/* Who is in the mix (NULL-terminated ids). Mix-minus outputs exist for
 * exactly these; the full mix always exists. Any thread. */
void relay_conference_mixer_set_members (RelayConferenceMixer *mixer, const char *const *members);

/* Whether anyone listens to `member`'s mix-minus (every member is heard
 * until told otherwise). An unheard mix-minus is not encoded: an Opus
 * encode per unmuted member costs more than the mixing. Any thread. */
void relay_conference_mixer_set_listened (RelayConferenceMixer *mixer, const char *member,
                                          gboolean listened);

/* Decoded audio of a participant (any thread; S16 interleaved, any rate and
 * channel count GStreamer's opusdec gives, described by info). Audio of
 * non-members is dropped cheaply. Not taken. S16 at 48 kHz is downmixed in
 * place; other interleaved formats and rates go through a GstAudioConverter
 * per member. Playout of a member starts once 40 ms are buffered. */
void relay_conference_mixer_push (RelayConferenceMixer *mixer, const char *participant,
                                  GstBuffer *pcm, const GstAudioInfo *info);

void relay_conference_mixer_get_stats (RelayConferenceMixer *mixer,
                                       RelayConferenceMixerStats *stats);

G_END_DECLS
