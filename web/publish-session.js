/* briefing-relay: WHIP publishing session (RFC 9725), without any DOM access.
 *
 * Publishes a local MediaStream to the relay, non-trickle: the offer is POSTed
 * once ICE gathering completes (or after 2 s), the answer carries the relay's
 * candidates. Reconnects by itself with a fresh RTCPeerConnection and a new
 * POST (the relay replaces the old session), backing off 1 s .. 15 s; errors
 * that a retry cannot fix (401, 403, 404, other 4xx, media, ...) stop it.
 *
 * The page renders what this reports. WhipSession is an EventTarget:
 *   'statechange'  detail {state, info}: state is 'idle' | 'connecting' |
 *                  'live' | 'reconnecting' | 'error'; info says why:
 *                    {kind: 'attempt', attempt}      (1-based attempt number)
 *                    {kind: 'retry', error, delayMs} (next attempt after delayMs)
 *                    {kind: 'interrupted'}           (ICE disconnected, waiting)
 *                    {kind: 'live', province}
 *                    {kind: 'failed', error}         (permanent error)
 *                    {kind: 'input', field}          ('province' or 'token' missing)
 *                    {kind: 'stopping', closing}     (closing: a session is released)
 *   'stats'        detail: the new stats snapshot (null when reset)
 *   'accepted'     detail {province, token}: the relay accepted this token
 *   'notice'       detail {kind: 'no-location'} or {kind: 'stopped', released}
 * Listeners run synchronously, after the getters already show the new values.
 *
 * Errors are frozen {status, error, reason, message} objects (status 0 = no
 * HTTP); the message text comes from the describeError option, which receives
 * {status, error, reason, cause} (cause: the exception behind a 'media' error,
 * or the missing field of an 'input' error).
 *
 * The stateless pieces (offer, HTTP requests, stats snapshots) are in
 * publish-helpers.js. (No page file may be called whip*: the relay's /whip
 * endpoint answers every path that starts with /whip, e.g. /whip-session.js.)
 */

import {
  prepareOffer, postOffer, readErrorBody, deleteSession, keepResolution, summarizeStats,
} from './publish-helpers.js';

const CONNECT_TIMEOUT_MS = 15000;
const DISCONNECT_GRACE_MS = 3000;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 15000;
const STATS_INTERVAL_MS = 1000;
const STABLE_MS = 10000;        /* live this long: backoff starts over */

/* What #step() resolves to when the attempt is over. */
const STALE = Symbol('stale');

function makeError(status, error, reason, message) {
  return Object.freeze({
    status: status,
    error: error || null,
    reason: reason || null,
    message: message,
  });
}

function defaultDescribeError(e) {
  return e.status ? 'HTTP ' + e.status : String(e.error);
}

/* ------------------------------------------------------------- session */

export class WhipSession extends EventTarget {
  /* The current publishing attempt. Every async step checks that its
   * generation is still current, so stop() / retry cancel stale work. */
  #gen = 0;
  #wantLive = false;
  #attempt = 0;             /* consecutive failures, for backoff */
  #state = 'idle';
  #lastError = null;
  #stats = null;
  #pc = null;
  #reportChannel = null;
  #sessionUrl = null;       /* absolute Location of the WHIP session */
  #sessionToken = null;     /* token the session was created with */
  #sessionProvince = null;
  #retryTimer = null;
  #disconnectTimer = null;
  #connectTimer = null;
  #stableTimer = null;
  #statsTimer = null;
  #prevOutbound = null;     /* {video, audio} previous outbound-rtp */

  #baseUrl;
  #getStream;
  #credentials;
  #describeError;

  /**
   * baseUrl:       the WHIP endpoint is new URL('whip/<province>', baseUrl)
   * getStream:     () => Promise<MediaStream>, called on every attempt
   * credentials:   () => ({province, token}), read on every attempt
   * describeError: ({status, error, reason, cause}) => message text
   */
  constructor({ baseUrl, getStream, credentials, describeError }) {
    super();
    this.#baseUrl = baseUrl;
    this.#getStream = getStream;
    this.#credentials = credentials;
    this.#describeError = describeError || defaultDescribeError;
  }

  get state() { return this.#state; }
  get location() { return this.#sessionUrl; }
  get lastError() { return this.#lastError; }
  get pc() { return this.#pc; }
  /** the data channel labelled "report" of the current connection, or null */
  get reportChannel() { return this.#reportChannel; }
  get stats() { return this.#stats; }
  /** true from start() until stop() or a permanent error */
  get active() { return this.#wantLive; }

  /**
   * Start publishing. Returns null, or the missing credential ('province' or
   * 'token'); then the state is 'error' with an 'input' error.
   */
  start() {
    if (this.#wantLive) {
      return null;
    }
    const { province, token } = this.#credentials();
    for (const [field, value] of [['province', province], ['token', token]]) {
      if (!value) {
        this.#lastError = this.#error(0, 'input', null, field);
        this.#setState('error', { kind: 'input', field: field });
        return field;
      }
    }
    this.#wantLive = true;
    this.#attempt = 0;
    this.#lastError = null;
    this.#setStats(null);
    this.#connect();
    return null;
  }

  /** Stop publishing: DELETE the session, then close the peer connection. */
  async stop() {
    const url = this.#sessionUrl;
    const token = this.#sessionToken;
    const oldPc = this.#pc;
    this.#wantLive = false;
    this.#gen++;
    this.#clearTimers();
    this.#stopStats();
    if (oldPc) {
      oldPc.onconnectionstatechange = null;
    }
    this.#pc = null;
    this.#sessionUrl = null;
    this.#attempt = 0;
    this.#lastError = null;
    this.#setState('idle', { kind: 'stopping', closing: Boolean(url) });
    /* DELETE first, then close the peer connection: the relay ends the
     * session on the DELETE rather than on a DTLS close or a timeout. */
    let res = null;
    if (url) {
      res = await deleteSession(url, token, false);
    }
    if (oldPc) {
      try {
        oldPc.close();
      } catch (e) {
        /* ignore */
      }
    }
    if (url && this.#state === 'idle' && !this.#wantLive) {
      this.#notify({ kind: 'stopped', released: Boolean(res && res.ok) });
    }
  }

  /** The page is going away: release the session with a keepalive DELETE. */
  releaseOnUnload() {
    if (this.#sessionUrl) {
      deleteSession(this.#sessionUrl, this.#sessionToken, true);
    }
  }

  /** Send `track` instead of the current track of that kind, if connected. */
  async replaceTrack(kind, track) {
    const conn = this.#pc;
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

  /* ------------------------------------------------------------ private */

  #error(status, error, reason, cause) {
    const message = this.#describeError({
      status: status, error: error || null, reason: reason || null, cause: cause,
    });
    return makeError(status, error, reason, message);
  }

  #setState(next, info) {
    this.#state = next;
    this.dispatchEvent(new CustomEvent('statechange', {
      detail: { state: next, info: info || {} },
    }));
  }

  #setStats(snap) {
    this.#stats = snap;
    this.dispatchEvent(new CustomEvent('stats', { detail: snap }));
  }

  #notify(detail) {
    this.dispatchEvent(new CustomEvent('notice', { detail: detail }));
  }

  #clearTimers() {
    for (const t of [this.#retryTimer, this.#disconnectTimer, this.#connectTimer,
      this.#stableTimer]) {
      if (t !== null) {
        clearTimeout(t);
      }
    }
    this.#retryTimer = this.#disconnectTimer = this.#connectTimer = this.#stableTimer = null;
  }

  #stopStats() {
    if (this.#statsTimer !== null) {
      clearInterval(this.#statsTimer);
      this.#statsTimer = null;
    }
    this.#prevOutbound = null;
  }

  #closePc() {
    this.#stopStats();
    this.#reportChannel = null;
    if (this.#pc) {
      this.#pc.onconnectionstatechange = null;
      try {
        this.#pc.close();
      } catch (e) {
        /* ignore */
      }
      this.#pc = null;
    }
  }

  /* Permanent error: stop trying and show it. */
  #fail(err) {
    this.#wantLive = false;
    this.#gen++;
    this.#clearTimers();
    this.#closePc();
    const url = this.#sessionUrl;
    const token = this.#sessionToken;
    this.#sessionUrl = null;
    this.#lastError = err;
    this.#setState('error', { kind: 'failed', error: err });
    if (url) {
      deleteSession(url, token, false);
    }
  }

  #scheduleRetry(err) {
    if (!this.#wantLive) {
      return;
    }
    this.#gen++;
    this.#clearTimers();
    this.#closePc();
    this.#sessionUrl = null;
    this.#lastError = err;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, this.#attempt));
    this.#attempt++;
    this.#setState('reconnecting', { kind: 'retry', error: err, delayMs: delay });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#connect();
    }, delay);
  }

  #onConnectionStateChange(myGen, conn) {
    if (myGen !== this.#gen || conn !== this.#pc) {
      return;
    }
    switch (conn.connectionState) {
      case 'connected':
        if (this.#disconnectTimer !== null) {
          clearTimeout(this.#disconnectTimer);
          this.#disconnectTimer = null;
        }
        if (this.#connectTimer !== null) {
          clearTimeout(this.#connectTimer);
          this.#connectTimer = null;
        }
        /* Reset the backoff only once the session has proved stable, so a
         * relay that accepts and drops at once is not hammered every 1 s. */
        if (this.#stableTimer === null) {
          this.#stableTimer = setTimeout(() => {
            this.#stableTimer = null;
            if (myGen === this.#gen) {
              this.#attempt = 0;
            }
          }, STABLE_MS);
        }
        this.#lastError = null;
        this.#setState('live', { kind: 'live', province: this.#sessionProvince });
        this.#startStats(myGen);
        break;
      case 'disconnected':
        this.#setState('reconnecting', { kind: 'interrupted' });
        if (this.#disconnectTimer === null) {
          this.#disconnectTimer = setTimeout(() => {
            this.#disconnectTimer = null;
            if (myGen === this.#gen && this.#pc === conn && conn.connectionState !== 'connected') {
              this.#scheduleRetry(this.#error(0, 'disconnected', null));
            }
          }, DISCONNECT_GRACE_MS);
        }
        break;
      case 'failed':
        this.#scheduleRetry(this.#error(0, 'failed', null));
        break;
      default:
        break;
    }
  }

  /* Awaits step() for attempt myGen. Resolves to its value, or to STALE when
   * the attempt is no longer current or step failed (then onError(e) ran,
   * unless the attempt was superseded meanwhile). */
  async #step(myGen, step, onError) {
    let value;
    try {
      value = await step();
    } catch (e) {
      if (myGen === this.#gen) {
        onError(e);
      }
      return STALE;
    }
    return myGen === this.#gen ? value : STALE;
  }

  async #connect() {
    const myGen = ++this.#gen;
    this.#clearTimers();
    this.#closePc();
    this.#sessionUrl = null;
    const { province, token } = this.#credentials();
    this.#sessionProvince = province;
    this.#sessionToken = token;
    this.#setState(this.#attempt > 0 ? 'reconnecting' : 'connecting',
      { kind: 'attempt', attempt: this.#attempt + 1 });
    const failWith = (error) => (e) => this.#fail(this.#error(0, error, e && e.message));
    const retryNetwork = (e) => this.#scheduleRetry(this.#error(0, 'network', e && e.message));

    const stream = await this.#step(myGen, () => this.#getStream(),
      (e) => this.#fail(this.#error(0, 'media', e && e.message, e)));
    if (stream === STALE) {
      return;
    }
    const audio = stream.getAudioTracks()[0];
    const video = stream.getVideoTracks()[0];
    if (!audio && !video) {
      this.#fail(this.#error(0, 'media', null, { name: 'NotFoundError' }));
      return;
    }

    const conn = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    this.#pc = conn;
    /* Before the offer, so that it carries the m=application line: the
     * figures form sends on this channel while the connection is up. */
    this.#reportChannel = conn.createDataChannel('report');
    conn.onconnectionstatechange = () => this.#onConnectionStateChange(myGen, conn);
    const offerSdp = await this.#step(myGen,
      () => prepareOffer(conn, stream, audio, video), failWith('webrtc'));
    if (offerSdp === STALE) {
      return;
    }

    const endpoint = new URL('whip/' + encodeURIComponent(province), this.#baseUrl);
    const res = await this.#step(myGen, () => postOffer(endpoint, token, offerSdp),
      retryNetwork);
    if (res === STALE) {
      return;
    }

    if (res.status !== 201) {
      const body = await this.#step(myGen, () => readErrorBody(res), () => null);
      if (body === STALE) {
        return;
      }
      const err = this.#error(res.status, body.error, body.reason);
      /* Only overload and timeouts are worth retrying: 401/403/404 and the
       * other 4xx will not get better by themselves. */
      if (res.status >= 500 || res.status === 408 || res.status === 429) {
        this.#scheduleRetry(err);
      } else {
        this.#fail(err);
      }
      return;
    }

    const loc = res.headers.get('Location');
    const answer = await this.#step(myGen, () => res.text(), retryNetwork);
    if (answer === STALE) {
      return;
    }
    if (loc) {
      this.#sessionUrl = new URL(loc, res.url || endpoint).href;
    }
    /* The relay accepted the token: the page may remember it. */
    this.dispatchEvent(new CustomEvent('accepted', {
      detail: { province: province, token: token },
    }));

    const answered = await this.#step(myGen,
      () => conn.setRemoteDescription({ type: 'answer', sdp: answer }), failWith('answer'));
    if (answered === STALE) {
      return;
    }
    if (!this.#sessionUrl) {
      /* Still usable, but stop() cannot release the session early. */
      this.#notify({ kind: 'no-location' });
    }
    keepResolution(conn);
    this.#watchDtls(myGen, conn);

    if (conn.connectionState === 'connected') {
      this.#onConnectionStateChange(myGen, conn);
    } else {
      this.#connectTimer = setTimeout(() => {
        this.#connectTimer = null;
        if (myGen === this.#gen && this.#pc === conn && conn.connectionState !== 'connected') {
          this.#scheduleRetry(this.#error(0, 'timeout', null));
        }
      }, CONNECT_TIMEOUT_MS);
    }
  }

  /* The relay ending the session (DTLS close_notify) can leave ICE up and
   * connectionState "connected" with no media flowing: watch DTLS too. */
  #watchDtls(myGen, conn) {
    const sender = conn.getSenders().find((x) => x.transport);
    const dtls = sender && sender.transport;
    if (!dtls || typeof dtls.addEventListener !== 'function') {
      return;
    }
    dtls.addEventListener('statechange', () => {
      if (myGen !== this.#gen || this.#pc !== conn) {
        return;
      }
      if (dtls.state === 'closed' || dtls.state === 'failed') {
        this.#scheduleRetry(this.#error(0, 'dtls-' + dtls.state, null));
      }
    });
  }

  #startStats(myGen) {
    this.#stopStats();
    this.#statsTimer = setInterval(() => {
      if (myGen !== this.#gen || !this.#pc) {
        this.#stopStats();
        return;
      }
      this.#collectStats(this.#pc).catch(() => null);
    }, STATS_INTERVAL_MS);
  }

  async #collectStats(conn) {
    const report = await conn.getStats();
    if (conn !== this.#pc) {
      return;
    }
    const { snap, outbound } = summarizeStats(report, this.#prevOutbound || {});
    this.#prevOutbound = outbound;
    this.#setStats(Object.freeze(snap));
  }
}
