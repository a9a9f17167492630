/* briefing-relay: signing a page in once (docs/API.md, "Sign-in"), without
 * DOM access. A viewer's token, or the one-time code of a link the chair
 * made, is exchanged for a session cookie the browser keeps (HttpOnly: no
 * script reads it) and sends by itself; from then on the page sends no
 * token. The code of a link travels in the address's fragment
 * (watch.html#signin=<code>), which the browser never sends to a server,
 * and is given to the relay in a POST, never a GET.
 *
 * Each call resolves to {ok, status, error, reason, session}: session is
 * the relay's {name, role, via, expires_at, expires_in_s} when ok; status 0
 * is a network failure. */

const TIMEOUT_MS = 10000;

/* The one-time code in a link's fragment ("#signin=<code>"), or null. */
export function signinCodeOf(hash) {
  const params = new URLSearchParams((hash || '').replace(/^#/, ''));
  const code = params.get('signin');
  return code && /^[A-Za-z0-9_-]{1,128}$/.test(code) ? code : null;
}

async function call(baseUrl, method, { token, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) {
    headers.Authorization = 'Bearer ' + token;
  }
  if (body) {
    headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(new URL('api/v1/session', baseUrl), {
      method: method,
      headers: headers,
      body: body ? JSON.stringify(body) : undefined,
      cache: 'no-store',
      /* The cookie is the point: same-origin requests carry it. */
      credentials: 'same-origin',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (e) {
    return { ok: false, status: 0, error: 'network', reason: e && e.message, session: null };
  }
  let json = null;
  try {
    json = await res.json();
  } catch (e) {
    json = null;
  }
  const ok = res.ok;
  return {
    ok: ok,
    status: res.status,
    error: !ok && json && typeof json.error === 'string' ? json.error : null,
    reason: !ok && json && typeof json.reason === 'string' ? json.reason : null,
    session: ok && json && typeof json.role === 'string' ? json : null,
  };
}

/* Who the page's cookie signs in; ok false (401) when nobody. */
export function readSession(baseUrl) {
  return call(baseUrl, 'GET');
}

export function signInWithToken(baseUrl, token) {
  return call(baseUrl, 'POST', { token: token });
}

export function signInWithCode(baseUrl, code) {
  return call(baseUrl, 'POST', { body: { code: code } });
}

/* Ends the session: the relay forgets it and clears the cookie. */
export function signOut(baseUrl) {
  return call(baseUrl, 'DELETE');
}
