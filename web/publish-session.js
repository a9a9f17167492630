/* briefing-relay: WHIP publishing session (RFC 9725), without any DOM access.
 *
 * Publishes a local MediaStream to the relay; the life of the session
 * (attempts, reconnecting, events, errors) is RelaySession's, see
 * relay-session.js. A reconnection POSTs again with a fresh
 * RTCPeerConnection, naming the session it replaces (Briefing-Replaces), so
 * that the relay lets this device back in even while it still believes the
 * old session live; another device of the office is refused (409
 * office-live-elsewhere) unless it was started with {takeover: true}
 * (Briefing-Takeover). A session another device took over is not retried:
 * its URL answers 410 taken-over, which ends this session with that error
 * (docs/API.md, "One device at a time"). States: 'idle' |
 * 'connecting' | 'live' | 'reconnecting' | 'error'; stats are send
 * statistics, and stay on show after stop().
 *
 * The stateless pieces (transceivers, offer, HTTP requests, stats snapshots)
 * are in publish-helpers.js. (No page file may be called whip*: the relay's
 * /whip endpoint answers every path that starts with /whip, e.g.
 * /whip-session.js.)
 */

import { RelaySession } from './relay-session.js';
import { addSendTransceivers, keepResolution, probeEndedSession, summarizeStats as summarizeSent }
  from './publish-helpers.js';

export class WhipSession extends RelaySession {
  #getStream;
  #reportChannel = null;
  #takeover = false;       /* the next POST takes the office over */
  #ownSessionId = null;    /* the id of this device's latest session */

  /**
   * baseUrl:       the WHIP endpoint is new URL('whip/<province>', baseUrl)
   * getStream:     () => Promise<MediaStream>, called on every attempt
   * credentials:   () => ({province, token}), read on every attempt
   * describeError: ({status, error, reason, cause}) => message text
   */
  constructor({ baseUrl, getStream, credentials, describeError }) {
    super({ baseUrl, credentials, describeError },
      { liveState: 'live', releaseOnRetry: false, keepStatsOnStop: true });
    this.#getStream = getStream;
  }

  /** the data channel labelled "report" of the current connection, or null */
  get reportChannel() { return this.#reportChannel; }

  /** Send `track` instead of the current track of that kind, if connected. */
  async replaceTrack(kind, track) {
    const conn = this.pc;
    if (!conn) {
      return;
    }
    /* The receiver track's kind is fixed, the sender's may be null. */
    for (const tr of conn.getTransceivers()) {
      if (tr.receiver.track && tr.receiver.track.kind === kind) {
        await tr.sender.replaceTrack(track);
      }
    }
  }

  /* -------------------------------------------- RelaySession's hooks */

  starting(options) {
    this.#takeover = Boolean(options && options.takeover);
    this.#ownSessionId = null;
  }

  offerHeaders() {
    const headers = {};
    if (this.#takeover) {
      headers['Briefing-Takeover'] = 'true';
    }
    if (this.#ownSessionId) {
      headers['Briefing-Replaces'] = this.#ownSessionId;
    }
    return headers;
  }

  sessionCreated(url) {
    /* Taken over once: a later reconnect of this device is a reconnect,
     * not another takeover. */
    this.#takeover = false;
    this.#ownSessionId = url ? new URL(url).pathname.split('/').pop() : null;
  }

  endedForGood(url, token) {
    return probeEndedSession(url, token);
  }

  async openMedia() {
    const stream = await this.#getStream();
    if (stream.getAudioTracks().length === 0 && stream.getVideoTracks().length === 0) {
      throw new DOMException('', 'NotFoundError');
    }
    return stream;
  }

  createConnection(stream) {
    const conn = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    addSendTransceivers(conn, stream, stream.getAudioTracks()[0], stream.getVideoTracks()[0]);
    /* Before the offer, so that it carries the m=application line: the
     * figures form sends on this channel while the connection is up. */
    this.#reportChannel = conn.createDataChannel('report');
    return conn;
  }

  endpointPath(province) {
    return 'whip/' + encodeURIComponent(province);
  }

  answered(conn) {
    keepResolution(conn);
  }

  connectionDropped() {
    this.#reportChannel = null;
  }

  summarizeStats(report, prev) {
    return summarizeSent(report, prev);
  }
}
