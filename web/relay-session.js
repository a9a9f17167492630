/* briefing-relay: the life of a session with the relay, shared by
 * WhipSession (publish-session.js) and WhepSession (view-session.js); no DOM
 * access.
 *
 * Non-trickle: the offer is POSTed once ICE gathering completes (or after
 * 2 s), the answer carries the relay's candidates. Connection failures,
 * timeouts, network errors, 408, 429 and 5xx make it reconnect by itself (new
 * peer connection, new POST) backing off 1 s .. 15 s; 401, 403, 404 and the
 * other 4xx, and media errors, stop it. Before reconnecting after a
 * connection was lost, the subclass may ask the relay whether the session
 * ended for good (endedForGood(): a WHIP session another device took over),
 * and then it stops too, without a new POST.
 *
 * RelaySession is an EventTarget:
 *   'statechange'  detail {state, info}: state is 'idle' | 'connecting' |
 *                  <liveState> | 'reconnecting' | 'error'; info says why:
 *                    {kind: 'attempt', attempt, province} (1-based attempt)
 *                    {kind: 'switching', province}  (old session released first)
 *                    {kind: 'retry', error, delayMs} (next attempt after delayMs)
 *                    {kind: 'interrupted'}           (ICE disconnected, waiting)
 *                    {kind: <liveState>, province}
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
 * A subclass says what is particular to its endpoint by overriding the hooks
 * at the end of the class.
 */

import { gatheredOffer, postOffer, readErrorBody, deleteSession } from './publish-helpers.js';

const CONNECT_TIMEOUT_MS = 15000;
const DISCONNECT_GRACE_MS = 3000;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 15000;
const STATS_INTERVAL_MS = 1000;
const STABLE_MS = 10000;        /* live this long: backoff starts over */

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

export class RelaySession extends EventTarget {
  /* The current attempt. Every async step checks that its generation is
   * still current, so stop(), switching and retries cancel stale work. */
  #gen = 0;
  #wanted = false;
  #attempt = 0;             /* consecutive failures, for backoff */
  #state = 'idle';
  #lastError = null;
  #stats = null;
  #pc = null;
  #sessionUrl = null;       /* absolute Location of the session */
  #sessionToken = null;     /* token the session was created with */
  #sessionProvince = null;
  #timers = {};             /* retry, disconnect, connect, stable: timeout ids */
  #statsTimer = null;
  #prevSample = null;       /* what summarizeStats() returned last as sample */

  #baseUrl;
  #credentials;
  #describeError;
  #liveState;
  #releaseOnRetry;
  #keepStatsOnStop;

  /* baseUrl: the endpoint is new URL(endpointPath(province), baseUrl);
   * credentials: () => ({province, token, signedIn}), read on every
   * attempt (signedIn: no token, the sign-in cookie goes instead);
   * describeError: ({status, error, reason, cause}) => message text.
   * From the subclass: liveState, the state once media flows;
   * releaseOnRetry, DELETE the old session before trying again (a new
   * WHIP POST replaces the province's session on the relay by itself, a
   * viewer's session would linger); keepStatsOnStop, leave the last
   * snapshot in stats after stop(). */
  constructor({ baseUrl, credentials, describeError }, { liveState, releaseOnRetry, keepStatsOnStop }) {
    super();
    this.#baseUrl = baseUrl;
    this.#credentials = credentials;
    this.#describeError = describeError || defaultDescribeError;
    this.#liveState = liveState;
    this.#releaseOnRetry = releaseOnRetry;
    this.#keepStatsOnStop = keepStatsOnStop;
  }

  get state() { return this.#state; }
  get location() { return this.#sessionUrl; }
  get lastError() { return this.#lastError; }
  get pc() { return this.#pc; }
  get stats() { return this.#stats; }
  /** the province of the current (or last attempted) session */
  get province() { return this.#sessionProvince; }
  /** true from start() until stop() or a permanent error */
  get active() { return this.#wanted; }

  /**
   * Start. Returns null, or the missing credential ('province' or 'token');
   * then the state is 'error' with an 'input' error. options go to the
   * subclass's starting() hook (a WHIP takeover).
   */
  start(options = {}) {
    if (this.#wanted) {
      return null;
    }
    this.starting(options);
    const missing = this.#missingCredential();
    if (missing) {
      return missing;
    }
    this.#wanted = true;
    this.#reset();
    this.#connect();
    return null;
  }

  /**
   * Go on with what credentials() names now (another province): DELETE the
   * old session, then POST a new one. Starts when idle. Resolves like
   * start() returns.
   */
  async switchProvince() {
    if (!this.#wanted) {
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
    if (myGen === this.#gen && this.#wanted) {
      this.#connect();
    }
    return null;
  }

  /** Stop: DELETE the session, then close the peer connection. */
  async stop() {
    const closing = Boolean(this.#sessionUrl);
    this.#wanted = false;
    this.#gen++;
    const release = this.#detach(true);
    this.#attempt = 0;
    this.#lastError = null;
    if (!this.#keepStatsOnStop) {
      this.#setStats(null);
    }
    this.#setState('idle', { kind: 'stopping', closing: closing });
    const res = await release();
    if (closing && this.#state === 'idle' && !this.#wanted) {
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
    const { province, token, signedIn } = this.#credentials();
    /* Signed in (docs/API.md, "Sign-in"): the browser sends the session
     * cookie, and no token is needed. */
    for (const [field, value] of [['province', province], ['token', token || signedIn]]) {
      if (!value) {
        this.#lastError = this.#error(0, 'input', field, field);
        this.#setState('error', { kind: 'input', field: field });
        return field;
      }
    }
    return null;
  }

  #error(status, error, reason, cause) {
    const message = this.#describeError({
      status: status, error: error || null, reason: reason || null, cause: cause,
    });
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
    this.#prevSample = null;
  }

  /* #detach() and a fresh start: no error, no stats, no backoff. */
  #reset() {
    const release = this.#detach(true);
    this.#attempt = 0;
    this.#lastError = null;
    this.#setStats(null);
    return release;
  }

  /* Forget the current session and peer connection at once (timers, stats,
   * what the subclass keeps of the connection, getters). Returns release():
   * the DELETE of the session (unless deleting is false), then the close of
   * its peer connection, so that the relay ends the session on the DELETE
   * rather than on a DTLS close or a timeout. release() resolves to the
   * DELETE's response, or null. */
  #detach(deleting) {
    const url = deleting ? this.#sessionUrl : null;
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
    this.connectionDropped();
    return async () => {
      const res = url ? await deleteSession(url, token, false) : null;
      if (oldPc) {
        try {
          oldPc.close();
        } catch (e) {
          /* already closed */
        }
      }
      return res;
    };
  }

  /* Permanent error: stop trying and show it. */
  #fail(err) {
    this.#wanted = false;
    this.#gen++;
    const release = this.#detach(true);
    this.#lastError = err;
    this.#setState('error', { kind: 'failed', error: err });
    release();
  }

  #scheduleRetry(err) {
    if (!this.#wanted) {
      return;
    }
    const myGen = ++this.#gen;
    const lostUrl = this.#sessionUrl;
    const lostToken = this.#sessionToken;
    this.#detach(this.#releaseOnRetry)();
    this.#lastError = err;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, this.#attempt));
    this.#attempt++;
    this.#setState('reconnecting', { kind: 'retry', error: err, delayMs: delay });
    const retry = () => this.#setTimer('retry', delay, () => this.#connect());
    if (!lostUrl) {
      retry();
      return;
    }
    /* A session the relay ended for good must not be fought for: ask
     * first, POST only if it may be retried. */
    this.endedForGood(lostUrl, lostToken).then((ended) => {
      if (myGen !== this.#gen) {
        return;
      }
      if (ended) {
        this.#fail(this.#error(ended.status, ended.error, ended.reason));
      } else {
        retry();
      }
    });
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
            if (myGen === this.#gen) {
              this.#attempt = 0;
            }
          });
        }
        this.#lastError = null;
        this.#setState(this.#liveState, { kind: this.#liveState, province: this.#sessionProvince });
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

    const media = await this.#step(myGen, () => this.openMedia(),
      (e) => this.#fail(this.#error(0, 'media', e && e.message, e)));
    if (media === STALE) {
      return;
    }
    let conn;
    try {
      conn = this.createConnection(media);
    } catch (e) {
      failWith('webrtc')(e);
      return;
    }
    this.#pc = conn;
    conn.onconnectionstatechange = () => this.#onConnectionStateChange(myGen, conn);
    const offerSdp = await this.#step(myGen, () => gatheredOffer(conn), failWith('webrtc'));
    if (offerSdp === STALE) {
      return;
    }

    const endpoint = new URL(this.endpointPath(province), this.#baseUrl);
    let res;
    try {
      res = await postOffer(endpoint, token, offerSdp, this.offerHeaders());
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
    this.sessionCreated(sessionUrl);
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
    this.answered(conn);
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
   * connectionState "connected" with no media flowing: watch DTLS too.
   * max-bundle: every sender and receiver shares the one transport. */
  #watchDtls(myGen, conn) {
    const part = [...conn.getSenders(), ...conn.getReceivers()].find((x) => x.transport);
    const dtls = part && part.transport;
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
      const { snap, sample } = this.summarizeStats(report, this.#prevSample || {});
      this.#prevSample = sample;
      this.#setStats(Object.freeze(snap));
    }
  }

  /* ------------------------------------------- hooks for the subclasses */

  /** start() was called with these options. */
  starting(options) {}

  /** Extra headers of the offer's POST. */
  offerHeaders() {
    return {};
  }

  /** The relay created a session: its absolute URL (null without one). */
  sessionCreated(url) {}

  /** The connection of the session at url was lost: resolves to
   * {status, error, reason} when the relay ended it for good (no new POST
   * then), or null to reconnect. */
  async endedForGood(url, token) {
    return null;
  }

  /** Resolves to what createConnection() needs (e.g. the camera); a
   * rejection is a permanent 'media' error with the exception as cause. */
  async openMedia() {
    return null;
  }

  /** A new RTCPeerConnection with its transceivers (and channels), ready
   * for the offer; throwing is a permanent 'webrtc' error. */
  createConnection(media) {
    throw new Error('createConnection() not implemented');
  }

  /** The endpoint of province, relative to baseUrl. */
  endpointPath(province) {
    throw new Error('endpointPath() not implemented');
  }

  /** The relay's answer is applied to conn. */
  answered(conn) {}

  /** The peer connection was dropped: forget what came with it. */
  connectionDropped() {}

  /** {snap, sample} from a getStats() report: snap is the new stats
   * snapshot, sample what the next call gets as prev ({} the first time). */
  summarizeStats(report, prev) {
    throw new Error('summarizeStats() not implemented');
  }
}
