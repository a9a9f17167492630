/* briefing-relay: whether the page can reach the relay, for a page that
 * must not show a stale state as if it were current (the operations room).
 * The events WebSocket (an EventFeed, briefing-api.js) is the first sign:
 * while it is open the relay is there. Once it closes, GET /api/v1/health
 * is asked every few seconds until the feed opens again; the relay is
 * unreachable while both fail.
 *
 * Events (an EventTarget):
 *   'change'       detail {reachable, since}: since is when it became
 *                  unreachable (a Date), null while reachable
 *   'reconnected'  the relay is back after the feed closed or the health
 *                  check failed: it may be another process than before (a
 *                  restart), so the page must read its whole state again;
 *                  the events replayed on reconnection do not say what a
 *                  restarted relay no longer has.
 * No DOM access; runs on the page's main thread. */

const HEALTH_INTERVAL_MS = 2000;
const HEALTH_TIMEOUT_MS = 4000;

export class RelayWatch extends EventTarget {
  #base;
  #feed;
  #reachable = true;
  #since = null;
  #feedOpen = false;
  #feedWasOpen = false;
  #reload = false;        // the state must be read again once reachable
  #timer = null;
  #checking = false;

  /* feed: the page's EventFeed (already created; started by the page). */
  constructor(baseUrl, feed) {
    super();
    this.#base = baseUrl;
    this.#feed = feed;
  }

  get reachable() { return this.#reachable; }
  get since() { return this.#since; }
  get feedOpen() { return this.#feedOpen; }

  start() {
    this.#feed.addEventListener('open', () => {
      this.#feedOpen = true;
      const again = this.#feedWasOpen || this.#reload;
      this.#feedWasOpen = true;
      this.#stopChecking();
      this.#setReachable(true);
      if (again) {
        this.#reload = false;
        this.#emit('reconnected', {});
      }
    });
    this.#feed.addEventListener('close', () => {
      this.#feedOpen = false;
      this.#check();
    });
    /* The feed waits without connecting while the page has no token:
     * the health check alone tells then. */
    this.#check();
  }

  #stopChecking() {
    clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #check() {
    this.#stopChecking();
    if (this.#feedOpen || this.#checking) {
      return;
    }
    this.#checking = true;
    let ok = false;
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(), HEALTH_TIMEOUT_MS);
    try {
      const res = await fetch(new URL('api/v1/health', this.#base), { cache: 'no-store', signal: abort.signal });
      ok = res.ok;
    } catch (e) {
      ok = false;
    } finally {
      clearTimeout(timeout);
      this.#checking = false;
    }
    if (this.#feedOpen) {
      return; // the feed answered meanwhile
    }
    if (ok && !this.#reachable) {
      /* Back, though the feed is not (no token, or a refused one): read
       * the state again now; the feed will read it once more when it
       * opens. */
      this.#setReachable(true);
      this.#emit('reconnected', {});
    } else if (!ok) {
      this.#reload = true;
      this.#setReachable(false);
    }
    this.#timer = setTimeout(() => this.#check(), HEALTH_INTERVAL_MS);
  }

  #setReachable(reachable) {
    if (reachable === this.#reachable) {
      return;
    }
    this.#reachable = reachable;
    this.#since = reachable ? null : new Date();
    this.#emit('change', { reachable, since: this.#since });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
