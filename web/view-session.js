/* briefing-relay: WHEP viewing session, without any DOM access. The
 * "province" of the credentials is a province code (POST
 * /whep/province/<code>: the relay forwards the province's own encoded
 * media, no transcoding; a publisher reconnecting does not concern the
 * viewer, the relay continues its stream on the next keyframe), or
 * 'mosaic' / 'program' for the relay's encoded outputs.
 *
 * Two recvonly transceivers (audio, then video), bundle max-bundle; the life
 * of the session (attempts, reconnecting, events, errors) is RelaySession's,
 * see relay-session.js. States: 'idle' | 'connecting' | 'watching' |
 * 'reconnecting' | 'error'; stats are receive statistics. One more event:
 *   'stream'       detail: the MediaStream to show (one per peer connection) or null
 *
 * (No page file may be called whep* or whip*: the relay's endpoints answer
 * every path that starts with /whep or /whip.)
 */

import { RelaySession } from './relay-session.js';
import { rtpSnapshot } from './publish-helpers.js';

/* One snapshot from a getStats() report; prev is the previous {video, audio}
 * inbound-rtp pair. Returns {snap, sample}: sample is the next call's prev. */
export function summarizeInbound(report, prev) {
  let video = null;
  let audio = null;
  report.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      video = s;
    } else if (s.type === 'inbound-rtp' && s.kind === 'audio') {
      audio = s;
    }
  });
  const decoded = video ? video.framesDecoded || 0 : 0;
  const codec = video && video.codecId ? report.get(video.codecId) : null;
  const snap = {
    ...rtpSnapshot(video, audio, prev, 'bytesReceived'),
    codec: codec ? codec.mimeType.replace(/^video\//i, '') : null,
    framesDecoded: decoded,
    /* frames decoded since the previous snapshot: is a picture coming? */
    receiving: Boolean(video) && decoded > (prev.video ? prev.video.framesDecoded || 0 : 0),
    packetsLost: (video ? video.packetsLost || 0 : 0) + (audio ? audio.packetsLost || 0 : 0),
  };
  return { snap: snap, sample: { video: video, audio: audio } };
}

export class WhepSession extends RelaySession {
  #stream = null;

  /* baseUrl: the endpoint is new URL('whep/province/<code>', baseUrl);
   * credentials: () => ({province, token}), read on every attempt;
   * describeError: ({status, error, reason, cause}) => message text. */
  constructor({ baseUrl, credentials, describeError }) {
    super({ baseUrl, credentials, describeError },
      { liveState: 'watching', releaseOnRetry: true, keepStatsOnStop: false });
  }

  get stream() { return this.#stream; }

  #setStream(stream) {
    if (this.#stream !== stream) {
      this.#stream = stream;
      this.dispatchEvent(new CustomEvent('stream', { detail: stream }));
    }
  }

  /* -------------------------------------------- RelaySession's hooks */

  createConnection() {
    const conn = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    const audio = conn.addTransceiver('audio', { direction: 'recvonly' });
    const video = conn.addTransceiver('video', { direction: 'recvonly' });
    this.#setStream(new MediaStream([audio.receiver.track, video.receiver.track]));
    return conn;
  }

  /* 'mosaic' and 'program' are the relay's own outputs; anything else is a
   * province code (its own feed, forwarded). */
  endpointPath(source) {
    return source === 'mosaic' || source === 'program'
      ? 'whep/' + source
      : 'whep/province/' + encodeURIComponent(source);
  }

  connectionDropped() {
    this.#setStream(null);
  }

  summarizeStats(report, prev) {
    return summarizeInbound(report, prev);
  }
}
