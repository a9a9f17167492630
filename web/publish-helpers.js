/* briefing-relay: stateless building blocks of the WHIP and WHEP sessions
 * (relay-session.js, publish-session.js, view-session.js; no DOM, no session
 * state): the sendonly transceivers (audio then video, VP8 first), the offer
 * once ICE gathering is complete, the POST / DELETE with the bearer token and
 * timeouts, the relay's error body, and statistics snapshots.
 */

const ICE_GATHER_CAP_MS = 2000;
const POST_TIMEOUT_MS = 10000;
const DELETE_TIMEOUT_MS = 5000;
const PROBE_TIMEOUT_MS = 5000;

/* ------------------------------------------------------- WebRTC helpers */

function preferVp8(transceiver) {
  if (typeof transceiver.setCodecPreferences !== 'function') {
    return;
  }
  const sources = [];
  if (globalThis.RTCRtpSender && RTCRtpSender.getCapabilities) {
    sources.push(RTCRtpSender.getCapabilities('video'));
  }
  if (globalThis.RTCRtpReceiver && RTCRtpReceiver.getCapabilities) {
    sources.push(RTCRtpReceiver.getCapabilities('video'));
  }
  for (const caps of sources) {
    if (!caps || !caps.codecs) {
      continue;
    }
    const isVp8 = (c) => c.mimeType.toLowerCase() === 'video/vp8';
    const vp8 = caps.codecs.filter(isVp8);
    if (vp8.length === 0) {
      return;
    }
    try {
      transceiver.setCodecPreferences(vp8.concat(caps.codecs.filter((c) => !isVp8(c))));
      return;
    } catch (e) {
      /* try the next capability list */
    }
  }
}

function waitIceGathering(conn, capMs) {
  return new Promise((resolve) => {
    if (conn.iceGatheringState === 'complete') {
      resolve();
      return;
    }
    const timer = setTimeout(done, capMs);
    function done() {
      clearTimeout(timer);
      conn.removeEventListener('icegatheringstatechange', check);
      resolve();
    }
    function check() {
      if (conn.iceGatheringState === 'complete') {
        done();
      }
    }
    conn.addEventListener('icegatheringstatechange', check);
  });
}

/* Adds the stream's tracks to the fresh peer connection conn: audio, then
 * video preferring VP8. */
export function addSendTransceivers(conn, stream, audio, video) {
  if (audio) {
    conn.addTransceiver(audio, { direction: 'sendonly', streams: [stream] });
  }
  if (video) {
    const tr = conn.addTransceiver(video, { direction: 'sendonly', streams: [stream] });
    preferVp8(tr);
  }
}

/* Non-trickle: the offer is sent with every candidate, so wait for ICE
 * gathering to complete (at most 2 s). Resolves to the offer SDP. */
export async function gatheredOffer(conn) {
  await conn.setLocalDescription(await conn.createOffer());
  await waitIceGathering(conn, ICE_GATHER_CAP_MS);
  return conn.localDescription.sdp;
}

/* The operations centre wants a stable 640x360 picture: under pressure let
 * the encoder lower frame rate / quality rather than resolution. */
export async function keepResolution(conn) {
  for (const sender of conn.getSenders()) {
    if (!sender.track || sender.track.kind !== 'video') {
      continue;
    }
    try {
      const params = sender.getParameters();
      params.degradationPreference = 'maintain-resolution';
      await sender.setParameters(params);
    } catch (e) {
      /* not supported: keep the browser default */
    }
  }
}

/* --------------------------------------------------------- HTTP helpers */

async function fetchWithTimeout(url, options, ms) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), ms);
  try {
    return await fetch(url, Object.assign({}, options, { signal: ctrl.signal }));
  } finally {
    clearTimeout(timer);
  }
}

/* The WHIP POST of the offer (10 s timeout); extraHeaders: the endpoint's
 * own (a WHIP POST's Briefing-Takeover and Briefing-Replaces). No token:
 * the page is signed in, and the browser sends its session cookie. */
export function postOffer(endpoint, token, offerSdp, extraHeaders = {}) {
  const headers = { ...extraHeaders, 'Content-Type': 'application/sdp' };
  if (token) {
    headers.Authorization = 'Bearer ' + token;
  }
  return fetchWithTimeout(endpoint, {
    method: 'POST',
    headers: headers,
    body: offerSdp,
    cache: 'no-store',
  }, POST_TIMEOUT_MS);
}

/* Why a session whose connection dropped is over, asked of its URL (GET,
 * 5 s timeout): {status, error, reason} when the relay says it ended for
 * good (410, another device took over), null when it may be retried (it is
 * still the office's, it is unknown, or the relay cannot be reached). */
export async function probeEndedSession(url, token) {
  let res;
  try {
    res = await fetchWithTimeout(url, {
      method: 'GET',
      headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' },
      cache: 'no-store',
    }, PROBE_TIMEOUT_MS);
  } catch (e) {
    return null;
  }
  if (res.status !== 410) {
    return null;
  }
  const body = await readErrorBody(res);
  return { status: 410, error: body.error, reason: body.reason };
}

/* {error, reason} from a failed POST: the relay's JSON body, or short plain text. */
export async function readErrorBody(res) {
  let text = '';
  try {
    text = await res.text();
  } catch (e) {
    return { error: null, reason: null };
  }
  try {
    const j = JSON.parse(text);
    return {
      error: j && typeof j.error === 'string' ? j.error : null,
      reason: j && typeof j.reason === 'string' ? j.reason : null,
    };
  } catch (e) {
    /* Not the relay's JSON (a proxy's error page?): only short plain text. */
    const type = (res.headers.get('Content-Type') || '').toLowerCase();
    const plain = type.startsWith('text/plain') ? text.trim().slice(0, 200) : '';
    return { error: null, reason: plain || res.statusText || null };
  }
}

/* DELETE of the WHIP session (5 s timeout; keepalive: may outlive the page).
 * Resolves to the response, or null on a network error. */
export function deleteSession(url, token, keepalive) {
  const options = {
    method: 'DELETE',
    headers: token ? { Authorization: 'Bearer ' + token } : {},
    cache: 'no-store',
  };
  if (keepalive) {
    options.keepalive = true;
    return fetch(url, options).catch(() => null);
  }
  return fetchWithTimeout(url, options, DELETE_TIMEOUT_MS).catch(() => null);
}

/* --------------------------------------------------------------- stats */

/* What a send and a receive snapshot have alike, from the video and audio
 * rtp stats and prev, the previous {video, audio}; bytesKey: 'bytesSent' or
 * 'bytesReceived'. */
export function rtpSnapshot(video, audio, prev, bytesKey) {
  const kbps = (cur, old) => {
    if (!cur || !old || cur.timestamp <= old.timestamp) {
      return null;
    }
    return ((cur[bytesKey] - old[bytesKey]) * 8) / (cur.timestamp - old.timestamp);
  };
  return {
    bitrateKbps: kbps(video, prev.video),
    audioKbps: kbps(audio, prev.audio),
    width: video && video.frameWidth ? video.frameWidth : null,
    height: video && video.frameHeight ? video.frameHeight : null,
    fps: video && typeof video.framesPerSecond === 'number' ? video.framesPerSecond : null,
  };
}

/* One snapshot from a getStats() report; prev is the previous
 * {video, audio} outbound-rtp pair. Returns {snap, sample}: sample is the
 * next call's prev. */
export function summarizeStats(report, prev) {
  let video = null;
  let audio = null;
  let rtt = null;
  let availableOut = null;
  report.forEach((s) => {
    if (s.type === 'outbound-rtp' && !s.rid && s.kind === 'video') {
      video = s;
    } else if (s.type === 'outbound-rtp' && s.kind === 'audio') {
      audio = s;
    } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' &&
               typeof s.currentRoundTripTime === 'number') {
      rtt = s.currentRoundTripTime;
      if (typeof s.availableOutgoingBitrate === 'number') {
        availableOut = s.availableOutgoingBitrate;
      }
    }
  });
  if (video === null) {
    report.forEach((s) => {
      if (video === null && s.type === 'outbound-rtp' && s.kind === 'video') {
        video = s;
      }
    });
  }
  const snap = {
    ...rtpSnapshot(video, audio, prev, 'bytesSent'),
    codec: null,
    framesSent: video ? video.framesSent || 0 : 0,
    qualityLimitationReason: video ? video.qualityLimitationReason || null : null,
    rttMs: rtt === null ? null : rtt * 1000,
    /* encoder target and bandwidth estimate, kbit/s (diagnostics) */
    targetKbps: video && typeof video.targetBitrate === 'number' ? video.targetBitrate / 1000 : null,
    availableKbps: availableOut === null ? null : availableOut / 1000,
  };
  if (video && video.codecId && report.get(video.codecId)) {
    snap.codec = report.get(video.codecId).mimeType.replace(/^video\//i, '');
  }
  return { snap: snap, sample: { video: video, audio: audio } };
}
