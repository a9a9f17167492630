/* briefing-relay: WHEP viewing session, without any DOM access. The
 * "province" of the credentials is a province code (POST
 * /whep/province/<code>: the relay forwards the province's own encoded
 * media, no transcoding; a publisher reconnecting does not concern the
 * viewer, the relay continues its stream on the next keyframe), or
 * 'mosaic' / 'program' for the relay's encoded outputs.
 *
 * Non-trickle, mirroring publish-session.js: two recvonly transceivers (audio,
 * then video), bundle max-bundle, the offer POSTed once ICE gathering is
 * complete (at most 2 s). Connection failures, timeouts, network errors and
 * 5xx make it reconnect by itself (new peer connection, new POST) backing off
 * 1 s .. 15 s; 401, 403, 404 and the other 4xx stop it.
 *
 * WhepSession is an EventTarget:
 *   'statechange'  detail {state, info}: state is 'idle' | 'connecting' |
 *                  'watching' | 'reconnecting' | 'error'; info says why:
 *                    {kind: 'attempt', attempt, province} (1-based attempt)
 *                    {kind: 'switching', province}  (old session released first)
 *                    {kind: 'retry', error, delayMs} (next attempt after delayMs)
 *                    {kind: 'interrupted'}           (ICE disconnected, waiting)
 *                    {kind: 'watching', province}
 *                    {kind: 'failed', error}         (permanent error)
 *                    {kind: 'input', field}          ('province' or 'token' missing)
 *                    {kind: 'stopping', closing}     (closing: a session is released)
 *   'stream'       detail: the MediaStream to show (one per peer connection) or null
 *   'stats'        detail: the new receive-stats snapshot (null when reset)
 *   'accepted'     detail {province, token}: the relay accepted this token
 *   'notice'       detail {kind: 'no-location'} or {kind: 'stopped', released}
 * Listeners run synchronously, after the getters already show the new values.
 *
 * Errors are frozen {status, error, reason, message} (status 0 = no HTTP); the
 * message comes from the describeError option, given {status, error, reason}.
 * (No page file may be called whep* or whip*: the relay's endpoints answer
 * every path that starts with /whep or /whip.)
 */

import { postOffer, readErrorBody, deleteSession } from './publish-helpers.js';

const ICE_GATHER_CAP_MS = 2000;
const CONNECT_TIMEOUT_MS = 15000;
const DISCONNECT_GRACE_MS = 3000;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 15000;
const STATS_INTERVAL_MS = 1000;
const STABLE_MS = 10000;        /* watching this long: backoff starts over */

/* 'mosaic' and 'program' are the relay's own outputs; anything else is a
 * province code (its own feed, forwarded). */
export function endpointPath(source) {
  return source === 'mosaic' || source === 'program'
    ? 'whep/' + source
    : 'whep/province/' + encodeURIComponent(source);
}

/* What #step() resolves to when the attempt is over. */
const STALE = Symbol('stale');

function makeError(status, error, reason, message) {
  return Object.freeze({ status: status, error: error || null, reason: reason || null, message: message });
}

function defaultDescribeError(e) {
  return e.status ? 'HTTP ' + e.status : String(e.error);
}

/* Only overload and timeouts are worth retrying: 401/403/404 and the other
 * 4xx will not get better by themselves. */
function retryableStatus(status) {
  return status >= 500 || status === 408 || status === 429;
}

/* ------------------------------------------------------- WebRTC helpers */

function waitIceGathering(conn, capMs) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      conn.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = () => {
      if (conn.iceGatheringState === 'complete') {
        done();
      }
    };
    const timer = setTimeout(done, capMs);
    conn.addEventListener('icegatheringstatechange', check);
    check();
  });
}

/* Two recvonly transceivers (audio, then video) on the fresh peer connection
 * conn, the offer, ICE gathering (at most 2 s). Resolves to {sdp, stream}:
 * the offer SDP and a MediaStream of the two receiver tracks. */
export async function prepareRecvOffer(conn) {
  const audio = conn.addTransceiver('audio', { direction: 'recvonly' });
  const video = conn.addTransceiver('video', { direction: 'recvonly' });
  const stream = new MediaStream([audio.receiver.track, video.receiver.track]);
  await conn.setLocalDescription(await conn.createOffer());
  await waitIceGathering(conn, ICE_GATHER_CAP_MS);
  return { sdp: conn.localDescription.sdp, stream: stream };
}

/* One snapshot from a getStats() report; prev is the previous {video, audio}
 * inbound-rtp pair. Returns {snap, inbound}. */
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
  const kbps = (cur, old) => (!cur || !old || cur.timestamp <= old.timestamp ? null
    : ((cur.bytesReceived - old.bytesReceived) * 8) / (cur.timestamp - old.timestamp));
  const decoded = video ? video.framesDecoded || 0 : 0;
  const codec = video && video.codecId ? report.get(video.codecId) : null;
  const snap = {
    bitrateKbps: kbps(video, prev.video),
    audioKbps: kbps(audio, prev.audio),
    width: video && video.frameWidth ? video.frameWidth : null,
    height: video && video.frameHeight ? video.frameHeight : null,
    fps: video && typeof video.framesPerSecond === 'number' ? video.framesPerSecond : null,
    codec: codec ? codec.mimeType.replace(/^video\//i, '') : null,
    framesDecoded: decoded,
    /* frames decoded since the previous snapshot: is a picture coming? */
    receiving: Boolean(video) && decoded > (prev.video ? prev.video.framesDecoded || 0 : 0),
    packetsLost: (video ? video.packetsLost || 0 : 0) + (audio ? audio.packetsLost || 0 : 0),
  };
  return { snap: snap, inbound: { video: video, audio: audio } };
}

/* ------------------------------------------------------------- session */

export class WhepSession extends EventTarget {
  /* The current viewing attempt. Every async step checks that its
   * generation is still current, so stop(), switching and retries cancel
   * stale work. */
  #gen = 0;
  #wantWatch = false;
  #attempt = 0;             /* consecutive failures, for backoff */
  #state = 'idle';
  #lastError = null;
  #stats = null;
  #pc = null;
  #stream = null;
  #sessionUrl = null;       /* absolute Location of the WHEP session */
  #sessionToken = null;     /* token the session was created with */
  #sessionProvince = null;
  #timers = {};             /* retry, disconnect, connect, stable: timeout ids */
  #statsTimer = null;
  #prevInbound = null;      /* {video, audio} previous inbound-rtp */

  #baseUrl;
  #credentials;
  #describeError;

  /* baseUrl: the endpoint is new URL('whep/province/<code>', baseUrl);
   * credentials: () => ({province, token}), read on every attempt;
   * describeError: ({status, error, reason}) => message text. */
  constructor({ baseUrl, credentials, describeError }) {
    super();
    this.#baseUrl = baseUrl;
    this.#credentials = credentials;
    this.#describeError = describeError || defaultDescribeError;
  }

  get state() { return this.#state; }
  get location() { return this.#sessionUrl; }
  get lastError() { return this.#lastError; }
  get pc() { return this.#pc; }
  get stats() { return this.#stats; }
  get stream() { return this.#stream; }
  /** the province of the current (or last attempted) session */
  get province() { return this.#sessionProvince; }
  /** true from start() until stop() or a permanent error */
  get active() { return this.#wantWatch; }

  /**
   * Start watching. Returns null, or the missing credential ('province' or
   * 'token'); then the state is 'error' with an 'input' error.
   */
  start() {
    if (this.#wantWatch) {
      return null;
    }
    const missing = this.#missingCredential();
    if (missing) {
      return missing;
    }
    this.#wantWatch = true;
    this.#reset();
    this.#connect();
    return null;
  }

  /**
   * Watch what credentials() names now (another province): DELETE the old
   * session, then POST a new one. Starts watching when idle. Resolves like
   * start() returns.
   */
  async switchProvince() {
    if (!this.#wantWatch) {
      return this.start();
    }
    const missing = this.#missingCredential();
    if (missing) {
      await this.stop();
      return missing;
    }
    const myGen = ++this.#gen;
    const release = this.#reset();
    this.#setState('connecting', { kind: 'switching', province: this.#credentials().province });
    await release();
    if (myGen === this.#gen && this.#wantWatch) {
      this.#connect();
    }
    return null;
  }

  /** Stop watching: DELETE the session, then close the peer connection. */
  async stop() {
    const closing = Boolean(this.#sessionUrl);
    this.#wantWatch = false;
    this.#gen++;
    const release = this.#reset();
    this.#setState('idle', { kind: 'stopping', closing: closing });
    const res = await release();
    if (closing && this.#state === 'idle' && !this.#wantWatch) {
      this.#emit('notice', { kind: 'stopped', released: Boolean(res && res.ok) });
    }
  }

  /** The page is going away: release the session with a keepalive DELETE. */
  releaseOnUnload() {
    if (this.#sessionUrl) {
      deleteSession(this.#sessionUrl, this.#sessionToken, true);
    }
  }

  /* ------------------------------------------------------------ private */

  #missingCredential() {
    const { province, token } = this.#credentials();
    for (const [field, value] of [['province', province], ['token', token]]) {
      if (!value) {
        this.#lastError = this.#error(0, 'input', field);
        this.#setState('error', { kind: 'input', field: field });
        return field;
      }
    }
    return null;
  }

  #error(status, error, reason) {
    const message = this.#describeError({ status: status, error: error || null, reason: reason || null });
    return makeError(status, error, reason, message);
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail: detail }));
  }

  #setState(next, info) {
    this.#state = next;
    this.#emit('statechange', { state: next, info: info || {} });
  }

  #setStats(snap) {
    this.#stats = snap;
    this.#emit('stats', snap);
  }

  #setStream(stream) {
    if (this.#stream !== stream) {
      this.#stream = stream;
      this.#emit('stream', stream);
    }
  }

  #setTimer(name, ms, fn) {
    this.#clearTimer(name);
    this.#timers[name] = setTimeout(() => { delete this.#timers[name]; fn(); }, ms);
  }

  #clearTimer(name) {
    if (name in this.#timers) {
      clearTimeout(this.#timers[name]);
      delete this.#timers[name];
    }
  }

  #stopStats() {
    clearInterval(this.#statsTimer);
    this.#statsTimer = null;
    this.#prevInbound = null;
  }

  /* #detach() and a fresh start: no error, no stats, no backoff. */
  #reset() {
    const release = this.#detach();
    this.#attempt = 0;
    this.#lastError = null;
    this.#setStats(null);
    return release;
  }

  /* Forget the current session and peer connection at once (timers, stats,
   * stream, getters). Returns release(): the DELETE of the session, then the
   * close of its peer connection, so that the relay ends the session on the
   * DELETE rather than on a DTLS close or a timeout. release() resolves to
   * the DELETE's response, or null. */
  #detach() {
    const url = this.#sessionUrl;
    const token = this.#sessionToken;
    const oldPc = this.#pc;
    for (const name of Object.keys(this.#timers)) {
      this.#clearTimer(name);
    }
    this.#stopStats();
    if (oldPc) {
      oldPc.onconnectionstatechange = null;
    }
    this.#pc = null;
    this.#sessionUrl = null;
    this.#setStream(null);
    return async () => {
      const res = url ? await deleteSession(url, token, false) : null;
      if (oldPc) {
        oldPc.close();
      }
      return res;
    };
  }

  /* Permanent error: stop trying and show it. */
  #fail(err) {
    this.#wantWatch = false;
    this.#gen++;
    const release = this.#detach();
    this.#lastError = err;
    this.#setState('error', { kind: 'failed', error: err });
    release();
  }

  #scheduleRetry(err) {
    if (!this.#wantWatch) {
      return;
    }
    this.#gen++;
    /* A session whose peer went away ends on the relay by itself; one that
     * still answers (e.g. DTLS failed) is released. */
    this.#detach()();
    this.#lastError = err;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, this.#attempt));
    this.#attempt++;
    this.#setState('reconnecting', { kind: 'retry', error: err, delayMs: delay });
    this.#setTimer('retry', delay, () => this.#connect());
  }

  #onConnectionStateChange(myGen, conn) {
    if (myGen !== this.#gen || conn !== this.#pc) {
      return;
    }
    switch (conn.connectionState) {
      case 'connected':
        this.#clearTimer('disconnect');
        this.#clearTimer('connect');
        /* Reset the backoff only once the session has proved stable, so a
         * relay that accepts and drops at once is not hammered every 1 s. */
        if (!('stable' in this.#timers)) {
          this.#setTimer('stable', STABLE_MS, () => {
            this.#attempt = 0;
          });
        }
        this.#lastError = null;
        this.#setState('watching', { kind: 'watching', province: this.#sessionProvince });
        if (this.#statsTimer === null) {
          this.#startStats(myGen);
        }
        break;
      case 'disconnected':
        this.#setState('reconnecting', { kind: 'interrupted' });
        if (!('disconnect' in this.#timers)) {
          this.#setTimer('disconnect', DISCONNECT_GRACE_MS, () => {
            if (myGen === this.#gen && this.#pc === conn && conn.connectionState !== 'connected') {
              this.#scheduleRetry(this.#error(0, 'disconnected', null));
            }
          });
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

  /* One attempt. The previous peer connection, if any, was detached. */
  async #connect() {
    const myGen = ++this.#gen;
    const { province, token } = this.#credentials();
    this.#sessionProvince = province;
    this.#sessionToken = token;
    this.#setState(this.#attempt > 0 ? 'reconnecting' : 'connecting',
      { kind: 'attempt', attempt: this.#attempt + 1, province: province });
    const failWith = (error) => (e) => this.#fail(this.#error(0, error, e && e.message));
    const retryNetwork = (e) => this.#scheduleRetry(this.#error(0, 'network', e && e.message));

    let conn;
    try {
      conn = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    } catch (e) {
      failWith('webrtc')(e);
      return;
    }
    this.#pc = conn;
    conn.onconnectionstatechange = () => this.#onConnectionStateChange(myGen, conn);
    const offer = await this.#step(myGen, () => prepareRecvOffer(conn), failWith('webrtc'));
    if (offer === STALE) {
      return;
    }
    this.#setStream(offer.stream);

    const endpoint = new URL(endpointPath(province), this.#baseUrl);
    let res;
    try {
      res = await postOffer(endpoint, token, offer.sdp);
    } catch (e) {
      if (myGen === this.#gen) {
        retryNetwork(e);
      }
      return;
    }
    const loc = res.headers.get('Location');
    const sessionUrl = loc ? new URL(loc, res.url || endpoint).href : null;
    if (myGen !== this.#gen) {
      /* Stopped or switched while the POST was on its way: release the
       * session nobody will use. */
      if (res.status === 201 && sessionUrl) {
        deleteSession(sessionUrl, token, false);
      }
      return;
    }
    if (res.status !== 201) {
      const body = await this.#step(myGen, () => readErrorBody(res), () => null);
      if (body !== STALE) {
        const err = this.#error(res.status, body.error, body.reason);
        if (retryableStatus(res.status)) {
          this.#scheduleRetry(err);
        } else {
          this.#fail(err);
        }
      }
      return;
    }

    this.#sessionUrl = sessionUrl;
    const answer = await this.#step(myGen, () => res.text(), retryNetwork);
    if (answer === STALE) {
      return;
    }
    /* The relay accepted the token: the page may remember it. */
    this.#emit('accepted', { province: province, token: token });
    const answered = await this.#step(myGen,
      () => conn.setRemoteDescription({ type: 'answer', sdp: answer }), failWith('answer'));
    if (answered === STALE) {
      return;
    }
    if (!this.#sessionUrl) {
      /* Still usable, but stop() cannot release the session early. */
      this.#emit('notice', { kind: 'no-location' });
    }
    this.#watchDtls(myGen, conn);
    if (conn.connectionState === 'connected') {
      this.#onConnectionStateChange(myGen, conn);
    } else {
      this.#setTimer('connect', CONNECT_TIMEOUT_MS, () => {
        if (myGen === this.#gen && this.#pc === conn && conn.connectionState !== 'connected') {
          this.#scheduleRetry(this.#error(0, 'timeout', null));
        }
      });
    }
  }

  /* The relay ending the session (DTLS close_notify) can leave ICE up and
   * connectionState "connected" with no media flowing: watch DTLS too. */
  #watchDtls(myGen, conn) {
    const receiver = conn.getReceivers().find((x) => x.transport);
    const dtls = receiver && receiver.transport;
    if (!dtls || typeof dtls.addEventListener !== 'function') {
      return;
    }
    dtls.addEventListener('statechange', () => {
      if (myGen === this.#gen && this.#pc === conn &&
          (dtls.state === 'closed' || dtls.state === 'failed')) {
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
    if (conn === this.#pc) {
      const { snap, inbound } = summarizeInbound(report, this.#prevInbound || {});
      this.#prevInbound = inbound;
      this.#setStats(Object.freeze(snap));
    }
  }
}
