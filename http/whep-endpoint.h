/* WHEP (draft-ietf-wish-whep): viewers POST a recvonly offer and get the
 * relay's media. This part serves /whep/province/<code>: that province's
 * own audio and video forwarded without transcoding (the SFU path), for the
 * chair and the minister. /whep/province/<code>/<session> takes PATCH and
 * DELETE; OPTIONS answers CORS preflights. */
#pragma once

#include <libsoup/soup.h>
#include "relay/app.h"
#include "webrtc/base/metrics-histogram.h"

G_BEGIN_DECLS

typedef struct _RelayWhepEndpoint RelayWhepEndpoint;

RelayWhepEndpoint *relay_whep_endpoint_new (SoupServer *server, RelayApp *app);
/* Shutdown, first step: ends every viewer session (unsubscribed at once,
 * closed on its worker). The endpoint stays: hand-offs its sessions queued
 * for the main loop refer to it until the loop has run them. */
void relay_whep_endpoint_close_all (RelayWhepEndpoint *endpoint);
/* Closes every viewer session left, and frees the endpoint. */
void relay_whep_endpoint_free (RelayWhepEndpoint *endpoint);

/* What viewers watch: the SFU path, the mosaic, the program. */
typedef enum {
  RELAY_WHEP_SOURCE_PROVINCE,
  RELAY_WHEP_SOURCE_MOSAIC,
  RELAY_WHEP_SOURCE_PROGRAM,
  RELAY_WHEP_SOURCE_N,
} RelayWhepSource;

/* The viewers of one source: sessions now (connecting or connected), and
 * what was sent to them since the relay started: the counters of the
 * sessions that ended plus the current ones' (their snapshots, at most a
 * tick old), so they never go back when a viewer leaves. */
typedef struct {
  guint sessions;
  guint64 bytes_sent, video_packets, audio_packets;
  guint64 nacks_received, retransmitted, plis_received;
} RelayWhepTotals;

/* Main thread (the endpoint's). */
void relay_whep_endpoint_get_totals (RelayWhepEndpoint *endpoint,
                                     RelayWhepTotals totals[RELAY_WHEP_SOURCE_N]);
/* Forwarding latency of the SFU path (/whep/province/<code>): each packet
 * from its decryption on the publisher's worker to its copy sent on the
 * viewer's worker. Any thread; lives as the endpoint. */
const RelayMetricsHistogram *relay_whep_endpoint_get_forwarding_latency (RelayWhepEndpoint *endpoint);

G_END_DECLS
