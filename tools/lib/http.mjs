// Small HTTP and polling helpers for the integration tests (Node >= 20:
// global fetch, AbortSignal.timeout).

/**
 * Plain request. Resolves {status, headers, text, json} for any HTTP status;
 * rejects only on network errors / timeouts. json is null unless the body
 * parses as JSON.
 */
// Methods a client may send again when a kept-alive connection it reused
// turns out closed before any answer (RFC 9110, 9.2.2), as browsers do.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export async function request(url, { method = 'GET', headers = {}, body, timeoutMs = 10000 } = {}) {
  const send = () => fetch(url, {
    method,
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  let res;
  try {
    res = await send();
  } catch (e) {
    // Only a connection closed under a reused request, never a timeout or
    // a refused connection: those are the relay's failures to report.
    if (!IDEMPOTENT.has(method.toUpperCase()) || e?.cause?.code !== 'UND_ERR_SOCKET') throw e;
    res = await send();
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * GET url and parse JSON; throws (with the body) unless the status is 2xx.
 * `token`, when given, is sent as the bearer token (the status API shows
 * its details to a viewer's token: relay.viewerToken).
 */
export async function getJson(url, { timeoutMs = 10000, token = null } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  const res = await request(url, { headers, timeoutMs });
  if (res.status < 200 || res.status > 299) {
    throw new Error(`GET ${url} -> HTTP ${res.status}: ${res.text.slice(0, 500)}`);
  }
  if (res.json === null) {
    throw new Error(`GET ${url} -> not JSON: ${res.text.slice(0, 500)}`);
  }
  return res.json;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Poll fn() until it returns a truthy value, which is returned. Exceptions
 * thrown by fn count as "not yet" (the last one is reported on timeout).
 * `describe` (string or function of the last value) names what was awaited.
 */
export async function waitFor(fn, { timeoutMs = 10000, intervalMs = 250, describe = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastValue;
  let lastError;
  for (;;) {
    try {
      lastValue = await fn();
      lastError = undefined;
      if (lastValue) {
        return lastValue;
      }
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      break;
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  const what = typeof describe === 'function' ? describe(lastValue) : describe;
  let msg = `timed out after ${timeoutMs} ms waiting for ${what}`;
  if (lastError !== undefined) {
    msg += `; last error: ${lastError && lastError.message ? lastError.message : lastError}`;
  } else {
    msg += `; last value: ${safeJson(lastValue)}`;
  }
  const err = new Error(msg);
  if (lastError !== undefined) {
    err.cause = lastError;
  }
  throw err;
}

export { sleep };

function safeJson(v) {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.slice(0, 2000);
  } catch {
    return String(v);
  }
}
