/* briefing-relay: the briefing REST API (/api/v1/briefings, docs/API.md
 * "Briefings") and the events WebSocket, for the operations room, the
 * province page, the review console and the printable report. No DOM
 * access: the pages render what these return.
 *
 *   const api = new BriefingApi(document.baseURI, () => token);
 *   const live = await api.live();          // null when none is live
 *   const feed = new EventFeed(document.baseURI);
 *   feed.addEventListener('event', (ev) => ... ev.detail ...);
 *   feed.start();
 */

const RECONNECT_MS = 2000;

/* An HTTP refusal: status and the relay's {error, reason}. */
export class ApiError extends Error {
  constructor(status, error, reason) {
    super(reason || error || 'HTTP ' + status);
    this.name = 'ApiError';
    this.status = status;
    this.error = error || null;
  }
}

export class BriefingApi {
  #base;
  #token;

  /* getToken: () => the bearer token ('' for none). */
  constructor(baseUrl, getToken) {
    this.#base = baseUrl;
    this.#token = getToken;
  }

  url(path) {
    return new URL(path.replace(/^\//, ''), this.#base);
  }

  async request(method, path, body) {
    const headers = { Accept: 'application/json' };
    const token = this.#token();
    if (token) {
      headers.Authorization = 'Bearer ' + token;
    }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const res = await fetch(this.url(path), {
      method, headers, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let json = null;
    try {
      json = await res.json();
    } catch (e) {
      /* not JSON */
    }
    if (!res.ok) {
      throw new ApiError(res.status, json && json.error, json && json.reason);
    }
    return json;
  }

  /* The live briefing as this token may see it, or null when none is live. */
  async live() {
    try {
      return await this.request('GET', 'api/v1/briefings/live');
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        return null;
      }
      throw e;
    }
  }

  detail(id) {
    return this.request('GET', 'api/v1/briefings/' + encodeURIComponent(id));
  }

  /* Briefings whose day is within [from, to] (YYYY-MM-DD, either may be ''). */
  async list(from, to, limit = 100) {
    const q = new URLSearchParams();
    if (from) q.set('from', from);
    if (to) q.set('to', to);
    q.set('limit', String(limit));
    const body = await this.request('GET', 'api/v1/briefings?' + q.toString());
    return (body && body.briefings) || [];
  }

  /* {title, turn_limit_s, agenda, plan}: members left undefined take the
   * relay's defaults. */
  create(options) {
    const body = {};
    for (const [k, v] of Object.entries(options || {})) {
      if (v !== undefined && v !== null && v !== '') {
        body[k] = v;
      }
    }
    return this.request('POST', 'api/v1/briefings', body);
  }

  /* action: 'start', 'end' or 'next'. */
  act(id, action) {
    return this.request('POST', 'api/v1/briefings/' + id + '/' + action);
  }

  /* Replaces the pending items: [{office} | {title}, with time_limit_s]. */
  setAgenda(id, items) {
    return this.request('PUT', 'api/v1/briefings/' + id + '/agenda', { items });
  }

  schema() {
    return this.request('GET', 'api/v1/figures/schema');
  }

  /* A file the relay serves with the token (report.csv): a Blob. */
  async blob(path) {
    const headers = {};
    const token = this.#token();
    if (token) {
      headers.Authorization = 'Bearer ' + token;
    }
    const res = await fetch(this.url(path), { headers, cache: 'no-store' });
    if (!res.ok) {
      throw new ApiError(res.status, null, 'HTTP ' + res.status);
    }
    return res.blob();
  }
}

/* /api/v1/events, reconnecting with ?since= so that nothing is missed.
 * The relay sends nothing without a token, and a browser cannot put one in
 * a WebSocket's headers: the feed sends it as its first message, and waits
 * (without connecting) while the page has none. `token` gives the page's
 * token now; `signedIn` (optional) whether the page is signed in instead,
 * when the upgrade's session cookie is the credential and no message is
 * sent. Dispatches 'open' (the hello; detail.complete false when
 * events were lost: re-read the state), 'event' (each event, detail = the
 * event) and 'close' (detail.refused true when the relay did not accept
 * the token). */
export class EventFeed extends EventTarget {
  #base;
  #token;
  #signedIn;
  #ws = null;
  #lastSeq = 0;
  #stopped = true;
  #timer = null;
  open = false;

  constructor(baseUrl, token = () => '', { signedIn = () => false } = {}) {
    super();
    this.#base = baseUrl;
    this.#token = token;
    this.#signedIn = signedIn;
  }

  /* The page's token changed: connect again with the new one. */
  reconnect() {
    if (this.#stopped) {
      return;
    }
    clearTimeout(this.#timer);
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.close();
      this.open = false;
      this.#emit('close', { refused: false });
    }
    this.#connect();
  }

  start() {
    if (!this.#stopped) {
      return;
    }
    this.#stopped = false;
    this.#connect();
  }

  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (this.#ws) {
      this.#ws.close();
    }
  }

  #connect() {
    const token = this.#token();
    if (!token && !this.#signedIn()) {
      this.#timer = setTimeout(() => this.#connect(), RECONNECT_MS);
      return;
    }
    const url = new URL('api/v1/events', this.#base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.#lastSeq) {
      url.searchParams.set('since', String(this.#lastSeq));
    }
    const ws = new WebSocket(url);
    this.#ws = ws;
    ws.onopen = () => {
      if (token) {
        ws.send(JSON.stringify({ type: 'auth', token }));
      }
    };
    ws.onmessage = (m) => {
      let e;
      try {
        e = JSON.parse(m.data);
      } catch (err) {
        return;
      }
      if (e.type === 'hello') {
        this.open = true;
        /* A relay restarted since: its numbers start again. */
        const complete = e.complete !== false && (e.last_seq || 0) >= this.#lastSeq;
        if ((e.last_seq || 0) < this.#lastSeq) {
          this.#lastSeq = 0;
        }
        this.#emit('open', { complete: this.#lastSeq === 0 ? false : complete });
        return;
      }
      if (typeof e.seq === 'number') {
        if (e.seq <= this.#lastSeq) {
          return; // already seen (a replay overlapping)
        }
        this.#lastSeq = e.seq;
      }
      this.#emit('event', e);
    };
    ws.onclose = (ev) => {
      if (this.#ws !== ws) {
        return;
      }
      this.open = false;
      this.#ws = null;
      this.#emit('close', { refused: ev.code === 4401 });
      if (!this.#stopped) {
        this.#timer = setTimeout(() => this.#connect(), RECONNECT_MS);
      }
    };
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/* The event types that change a briefing's state. */
export const BRIEFING_EVENTS = new Set(['briefing-started', 'briefing-ended', 'briefing-planned',
  'attendance', 'agenda', 'turn-started', 'turn-ended', 'turn-overtime', 'recording']);
