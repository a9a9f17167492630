// Sign-in (docs/API.md, "Sign-in"): a viewer's token, or the code of a
// one-time link the chair makes for a phone, exchanged for a session cookie
// that the relay then takes wherever that viewer's token is taken: WHEP,
// the API, the events WebSocket. What a cookie must not allow is checked
// too: a state-changing request from another origin, a session signed out,
// a link used twice or expired, a link's role doing the chair's work.
//
// Real relays over real sockets: one with the default limits, one with a
// short link lifetime and small caps, one over HTTPS (the Secure attribute).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { startRelay, request, waitFor, sleep, REPO_ROOT } from '../../tools/lib/relay.mjs';
import { openEvents } from '../../tools/lib/events.mjs';

const TOKENS = {
  chair: 'chair-signin-token-0123456789',
  minister: 'minister-signin-token-012345',
  wall: 'wall-display-signin-token-01',
  office: 'th50-signin-token-0123456789',
};
const VIEWERS = {
  'viewer chair': { role: 'chair', token: TOKENS.chair },
  'viewer minister': { role: 'minister', token: TOKENS.minister },
  'viewer wall': { role: 'viewer', token: TOKENS.wall },
};
const VIEW_OFFER = fs.readFileSync(path.join(REPO_ROOT, 'tests', 'unit', 'webrtc', 'sdp', 'offers', 'chrome-whip.sdp'), 'utf8')
  .replaceAll('a=sendonly', 'a=recvonly');
const PUBLISH_OFFER = fs.readFileSync(path.join(REPO_ROOT, 'tests', 'unit', 'webrtc', 'sdp', 'offers', 'chrome-whip.sdp'), 'utf8');
const JSON_TYPE = 'application/json';
const EVIL = 'http://evil.example';

let relay;
before(async () => {
  relay = await startRelay({ provinces: { 'TH-50': TOKENS.office }, extraConfig: VIEWERS });
});
after(async () => {
  await relay?.stop();
  relay?.cleanup();
});

const originOf = (r) => new URL(r.url).origin;

/* The briefing_session Set-Cookie of an answer, parsed: {value, attrs}
 * (attribute names lower-cased), or null. */
function sessionCookie(res) {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('briefing_session='));
  if (!line) {
    return null;
  }
  const [pair, ...rest] = line.split(';').map((s) => s.trim());
  const attrs = {};
  for (const a of rest) {
    const [k, v = true] = a.split('=');
    attrs[k.toLowerCase()] = v;
  }
  return { value: pair.slice('briefing_session='.length), attrs, line };
}

/* A request as a page of `origin` signed in with `cookie` (the Cookie
 * header value) sends it, or with a bearer `token`. */
function send(r, method, target, { cookie, token, origin, body, type } = {}) {
  const headers = {};
  if (cookie) headers.Cookie = cookie;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (origin) headers.Origin = origin;
  if (type) headers['Content-Type'] = type;
  return request(new URL(target, r.url), { method, headers, body });
}

/* Signs in with a token (or a link's code) as the relay's own page does;
 * returns the answer and the Cookie header to send from then on. */
async function signIn(r, { token, code, origin = originOf(r) } = {}) {
  const res = code
    ? await send(r, 'POST', 'api/v1/session', { origin, body: JSON.stringify({ code }), type: JSON_TYPE })
    : await send(r, 'POST', 'api/v1/session', { origin, token });
  const c = sessionCookie(res);
  return { res, cookie: c && c.value ? `briefing_session=${c.value}` : null, set: c };
}

async function makeLink(r, body) {
  const res = await send(r, 'POST', 'api/v1/session/links', {
    token: TOKENS.chair, origin: originOf(r),
    body: body ? JSON.stringify(body) : undefined, type: body ? JSON_TYPE : undefined,
  });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

/* A WHEP session watched with the cookie, then ended with it. */
async function watchWithCookie(r, cookie, source) {
  const own = originOf(r);
  const res = await send(r, 'POST', `whep/${source}`, { cookie, origin: own, body: VIEW_OFFER, type: 'application/sdp' });
  if (res.status === 201) {
    const del = await send(r, 'DELETE', res.headers.get('location'), { cookie, origin: own });
    assert.equal(del.status, 200, `DELETE of its own session with the cookie: ${del.text}`);
  }
  return res;
}

test('a viewer\'s token becomes an HttpOnly, SameSite=Strict cookie, and WHEP takes the cookie without a token', async () => {
  const { res, cookie, set } = await signIn(relay, { token: TOKENS.minister });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual({ name: res.json.name, role: res.json.role, via: res.json.via },
    { name: 'minister', role: 'minister', via: 'token' });
  assert.ok(res.json.expires_in_s > 43000 && res.json.expires_in_s <= 43200, res.text);
  assert.ok(set, `a briefing_session cookie: ${res.headers.getSetCookie()}`);
  assert.match(set.value, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(set.attrs.httponly, true, set.line);
  assert.equal(set.attrs.samesite, 'Strict', set.line);
  assert.equal(set.attrs.path, '/', set.line);
  assert.equal(set.attrs['max-age'], '43200', `bounded lifetime: ${set.line}`);
  assert.equal(set.attrs.secure, undefined, `not Secure over plain HTTP: ${set.line}`);
  assert.equal(set.attrs.domain, undefined, `host-only: ${set.line}`);
  assert.equal(res.headers.get('cache-control'), 'no-store');

  const me = await send(relay, 'GET', 'api/v1/session', { cookie });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.name, 'minister');

  // WHEP POST and DELETE with the cookie alone, from the relay's own page.
  const own = originOf(relay);
  const post = await send(relay, 'POST', 'whep/province/TH-50', {
    cookie, origin: own, body: VIEW_OFFER, type: 'application/sdp',
  });
  assert.equal(post.status, 201, post.text);
  const viewers = await send(relay, 'GET', 'api/v1/viewers', { token: TOKENS.chair });
  assert.deepEqual(viewers.json.viewers.map((v) => [v.viewer, v.source]), [['minister', 'TH-50']],
    'the session is the minister\'s, as with the token');
  // The session URL is the minister's, whichever credential of the minister asks.
  const del = await send(relay, 'DELETE', post.headers.get('location'), { cookie, origin: own });
  assert.equal(del.status, 200, del.text);

  const without = await send(relay, 'POST', 'whep/province/TH-50', {
    origin: own, body: VIEW_OFFER, type: 'application/sdp',
  });
  assert.equal(without.status, 401, 'no cookie, no token');
});

test('the cookie stands for its viewer wherever that viewer\'s token would', async () => {
  const own = originOf(relay);
  const expect = {
    chair: { province: 201, mosaic: 201, viewers: 200, layout: 200, links: 201 },
    minister: { province: 201, mosaic: 201, viewers: 200, layout: 403, links: 403 },
    wall: { province: 403, mosaic: 201, viewers: 403, layout: 403, links: 403 },
  };
  for (const [who, want] of Object.entries(expect)) {
    const { res, cookie } = await signIn(relay, { token: TOKENS[who] });
    assert.equal(res.status, 201, res.text);
    const got = {
      province: (await watchWithCookie(relay, cookie, 'province/TH-50')).status,
      mosaic: (await watchWithCookie(relay, cookie, 'mosaic')).status,
      viewers: (await send(relay, 'GET', 'api/v1/viewers', { cookie })).status,
      layout: (await send(relay, 'PUT', 'api/v1/conference/layout', {
        cookie, origin: own, body: '{"layout":"mosaic"}', type: JSON_TYPE,
      })).status,
      links: (await send(relay, 'POST', 'api/v1/session/links', { cookie, origin: own })).status,
    };
    assert.deepEqual(got, want, `as ${who} by the cookie`);
    // An office's rights never: publishing, figures.
    assert.equal((await send(relay, 'POST', 'whip/TH-50', {
      cookie, origin: own, body: PUBLISH_OFFER, type: 'application/sdp',
    })).status, 403, `${who}'s cookie publishing`);
    assert.equal((await send(relay, 'POST', 'api/v1/reports', {
      cookie, origin: own, body: '{}', type: JSON_TYPE,
    })).status, 403, `${who}'s cookie submitting figures`);
    // The status shows a viewer's details (the process's own figures).
    const health = await send(relay, 'GET', 'api/v1/health', { cookie });
    assert.equal(typeof health.json.uptime_s, 'number', `${who}'s cookie reads the details`);
    // The events WebSocket opens on the cookie alone, with the viewer's role.
    const events = await openEvents(relay, { token: null, cookie, origin: own });
    assert.equal(events.events[0].role, who === 'wall' ? 'viewer' : who);
    events.close();
  }
  const anonymous = await send(relay, 'GET', 'api/v1/health');
  assert.equal(anonymous.json.uptime_s, undefined, 'without a credential: the public part only');
});

test('a state-changing request carrying only the cookie must come from the relay\'s own page', async () => {
  const own = originOf(relay);
  const { cookie } = await signIn(relay, { token: TOKENS.chair });
  const before = (await send(relay, 'GET', 'api/v1/conference')).json.layout;
  const target = before === 'mosaic' ? 'spotlight' : 'mosaic';
  const body = JSON.stringify({ layout: target });
  for (const origin of [EVIL, 'null', undefined]) {
    const res = await send(relay, 'PUT', 'api/v1/conference/layout', { cookie, origin, body, type: JSON_TYPE });
    assert.equal(res.status, 403, `Origin ${origin}: ${res.text}`);
    assert.equal(res.json.error, 'origin-not-allowed');
    assert.match(res.json.reason, /own pages/);
  }
  assert.equal((await send(relay, 'GET', 'api/v1/conference')).json.layout, before,
    'the refused requests changed nothing');
  const offer = await send(relay, 'POST', 'whep/mosaic', { cookie, origin: EVIL, body: VIEW_OFFER, type: 'application/sdp' });
  assert.equal(offer.status, 403, offer.text);
  assert.deepEqual((await send(relay, 'GET', 'api/v1/viewers', { token: TOKENS.chair })).json.viewers, [],
    'no session made for another origin\'s page');
  // The event stream on the cookie alone: the relay's own pages only.
  for (const origin of [EVIL, null]) {
    await assert.rejects(openEvents(relay, { token: null, cookie, origin }),
      (e) => e.status === 403 && /origin-not-allowed/.test(e.body), `events upgrade from ${origin}`);
  }
  // Another site cannot sign a browser in, nor out.
  const foreignSignIn = await send(relay, 'POST', 'api/v1/session', { token: TOKENS.minister, origin: EVIL });
  assert.equal(foreignSignIn.status, 403, foreignSignIn.text);
  assert.equal(sessionCookie(foreignSignIn), null, 'no cookie set for another origin');
  const foreignSignOut = await send(relay, 'DELETE', 'api/v1/session', { cookie, origin: EVIL });
  assert.equal(foreignSignOut.status, 403);
  assert.equal((await send(relay, 'GET', 'api/v1/session', { cookie })).status, 200, 'still signed in');

  // From the relay's own page it goes through; and a bearer token is
  // judged by itself, whatever the origin (CORS is open: docs/API.md).
  const ok = await send(relay, 'PUT', 'api/v1/conference/layout', { cookie, origin: own, body, type: JSON_TYPE });
  assert.equal(ok.status, 200, ok.text);
  const byToken = await send(relay, 'PUT', 'api/v1/conference/layout', {
    token: TOKENS.chair, origin: EVIL, body: JSON.stringify({ layout: before }), type: JSON_TYPE,
  });
  assert.equal(byToken.status, 200, byToken.text);
});

test('sign-out ends the session: its cookie opens nothing more and its event stream closes', async () => {
  const own = originOf(relay);
  const { cookie } = await signIn(relay, { token: TOKENS.minister });
  const events = await openEvents(relay, { token: null, cookie, origin: own });
  assert.equal(events.events[0].role, 'minister');
  assert.equal((await watchWithCookie(relay, cookie, 'province/TH-50')).status, 201);

  const out = await send(relay, 'DELETE', 'api/v1/session', { cookie, origin: own });
  assert.equal(out.status, 200, out.text);
  assert.deepEqual(out.json, { signed_out: true });
  const cleared = sessionCookie(out);
  assert.equal(cleared.value, '', cleared.line);
  assert.equal(cleared.attrs['max-age'], '0', cleared.line);

  await waitFor(() => events.closed, { timeoutMs: 15000, describe: 'the event stream closed on sign-out' });
  assert.equal(events.closeCode, 4401);

  const stale = await send(relay, 'POST', 'whep/province/TH-50', {
    cookie, origin: own, body: VIEW_OFFER, type: 'application/sdp',
  });
  assert.equal(stale.status, 401, stale.text);
  assert.equal(sessionCookie(stale)?.attrs['max-age'], '0', 'the stale cookie is cleared');
  assert.equal((await send(relay, 'GET', 'api/v1/session', { cookie })).status, 401);
  await assert.rejects(openEvents(relay, { token: null, cookie, origin: own, timeoutMs: 30000 }),
    (e) => e.closeCode === 4401 || e.status === 401, 'events on the revoked cookie');
  const again = await send(relay, 'DELETE', 'api/v1/session', { cookie, origin: own });
  assert.equal(again.status, 200);
  assert.deepEqual(again.json, { signed_out: false });
});

test('a one-time link: made by the chair only, carries a short-lived code, signs one phone in once', async () => {
  const own = originOf(relay);
  for (const who of ['minister', 'wall', 'office']) {
    const res = await send(relay, 'POST', 'api/v1/session/links', { token: TOKENS[who], origin: own });
    assert.equal(res.status, 403, `${who}: ${res.text}`);
  }
  assert.equal((await send(relay, 'POST', 'api/v1/session/links', { origin: own })).status, 401);
  const chairRole = await send(relay, 'POST', 'api/v1/session/links', {
    token: TOKENS.chair, origin: own, body: '{"role":"chair"}', type: JSON_TYPE,
  });
  assert.equal(chairRole.status, 400, chairRole.text);

  const link = await makeLink(relay);
  assert.equal(link.role, 'minister');
  assert.match(link.code, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(link.url, `${own}/watch.html#signin=${link.code}`, 'the code rides in the fragment');
  assert.ok(!new URL(link.url).search, 'nothing in the query: no server log sees the code');
  assert.ok(link.expires_in_s > 0 && link.expires_in_s <= 300, `minutes: ${link.expires_in_s}`);
  assert.match(link.qr_svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  // The code is not a token: the API refuses it as one.
  assert.equal((await send(relay, 'GET', 'api/v1/viewers', { token: link.code })).status, 401);

  const first = await signIn(relay, { code: link.code });
  assert.equal(first.res.status, 201, first.res.text);
  assert.equal(first.res.json.via, 'link');
  assert.equal(first.res.json.role, 'minister');
  assert.equal(first.res.json.name, `link-${link.link}`);
  assert.equal(first.set.attrs.httponly, true);
  assert.equal(first.set.attrs.samesite, 'Strict');
  assert.equal((await watchWithCookie(relay, first.cookie, 'province/TH-50')).status, 201,
    'the phone watches a province');

  const second = await signIn(relay, { code: link.code });
  assert.equal(second.res.status, 401, second.res.text);
  assert.equal(second.res.json.error, 'signin-link-used');
  assert.equal(second.cookie, null, 'no cookie for a used link');
  const unknown = await signIn(relay, { code: 'AAAAAAAAAAAAAAAAAAAAAA' });
  assert.equal(unknown.res.status, 401);
  assert.equal(unknown.res.json.error, 'unauthorized');
  const malformed = await send(relay, 'POST', 'api/v1/session', {
    origin: own, body: '{"code":"x","token":"y"}', type: JSON_TYPE,
  });
  assert.equal(malformed.status, 400, malformed.text);
  // Opening the link's page signs nobody in by itself: the code is never
  // sent to the relay in a GET.
  const page = await send(relay, 'GET', 'watch.html');
  assert.equal(page.status, 200);
  assert.equal(sessionCookie(page), null);
});

test('the role a link grants cannot do the chair\'s work', async () => {
  const own = originOf(relay);
  const minister = await signIn(relay, { code: (await makeLink(relay)).code });
  const cookie = minister.cookie;
  const floor = await send(relay, 'PUT', 'api/v1/conference/floor', {
    cookie, origin: own, body: '{"province":"TH-50"}', type: JSON_TYPE,
  });
  assert.equal(floor.status, 403, floor.text);
  assert.equal((await send(relay, 'DELETE', 'api/v1/conference/floor', { cookie, origin: own })).status, 403);
  assert.equal((await send(relay, 'PUT', 'api/v1/conference/participants/TH-50', {
    cookie, origin: own, body: '{"muted":false}', type: JSON_TYPE,
  })).status, 403);
  assert.equal((await send(relay, 'POST', 'api/v1/session/links', { cookie, origin: own })).status, 403,
    'a link cannot make links');
  assert.equal((await send(relay, 'POST', 'api/v1/briefings', {
    cookie, origin: own, body: '{}', type: JSON_TYPE,
  })).status, 403, 'nor start a briefing');
  assert.equal((await send(relay, 'POST', 'whip/central', {
    cookie, origin: own, body: PUBLISH_OFFER, type: 'application/sdp',
  })).status, 403, 'nor publish the room');
  assert.equal((await send(relay, 'GET', 'api/v1/conference')).json.floor, null, 'nothing changed');

  // A wall display's link: the mosaic only.
  const wall = await signIn(relay, { code: (await makeLink(relay, { role: 'viewer' })).code });
  assert.equal(wall.res.json.role, 'viewer');
  assert.equal((await watchWithCookie(relay, wall.cookie, 'province/TH-50')).status, 403);
  assert.equal((await watchWithCookie(relay, wall.cookie, 'mosaic')).status, 201);
});

test('an expired link is refused; links, sessions and wrong codes are bounded', { timeout: 180000 }, async () => {
  const small = await startRelay({
    provinces: { 'TH-50': TOKENS.office },
    extraConfig: {
      ...VIEWERS,
      limits: {
        'signin-link-lifetime-s': 5, 'signin-links': 2,
        'signin-sessions': 3, 'signin-sessions-per-viewer': 2,
        // The expired link and four wrong codes; none given back meanwhile.
        'auth-failures': 5, 'auth-failure-refill-s': 3600,
      },
    },
  });
  try {
    const own = originOf(small);
    const link = await makeLink(small);
    assert.equal(link.expires_in_s <= 5, true, link.expires_in_s);
    await makeLink(small);
    const third = await send(small, 'POST', 'api/v1/session/links', { token: TOKENS.chair, origin: own });
    assert.equal(third.status, 429, third.text);
    assert.equal(third.json.error, 'too-many-links');
    assert.ok(Number(third.headers.get('retry-after')) > 0);
    // The link's lifetime passes (the relay's clock decides; a second more
    // than it said).
    await sleep((link.expires_in_s + 1) * 1000);
    const late = await signIn(small, { code: link.code });
    assert.equal(late.res.status, 401, late.res.text);
    assert.equal(late.res.json.error, 'signin-link-expired');
    assert.equal(late.cookie, null);
    // Expired links no longer wait: new ones can be made.
    await makeLink(small);

    // One viewer on a third device: its oldest session ends.
    const a = await signIn(small, { token: TOKENS.minister });
    const b = await signIn(small, { token: TOKENS.minister });
    const c = await signIn(small, { token: TOKENS.minister });
    assert.equal((await send(small, 'GET', 'api/v1/session', { cookie: a.cookie })).status, 401, 'the oldest ended');
    assert.equal((await send(small, 'GET', 'api/v1/session', { cookie: b.cookie })).status, 200);
    assert.equal((await send(small, 'GET', 'api/v1/session', { cookie: c.cookie })).status, 200);
    // Three sessions in all: the fourth is refused, and everyone else is served.
    const chair = await signIn(small, { token: TOKENS.chair });
    assert.equal(chair.res.status, 201);
    const full = await signIn(small, { token: TOKENS.wall });
    assert.equal(full.res.status, 503, full.res.text);
    assert.equal(full.res.json.error, 'signin-full');
    assert.ok(full.res.headers.get('retry-after'));
    assert.equal((await send(small, 'GET', 'api/v1/session', { cookie: c.cookie })).status, 200);
    assert.equal((await send(small, 'GET', 'api/v1/viewers', { token: TOKENS.wall })).status, 403);
    assert.equal((await send(small, 'GET', 'api/v1/health')).status, 200);

    // Room again once one signs out.
    assert.equal((await send(small, 'DELETE', 'api/v1/session', { cookie: chair.cookie, origin: own })).status, 200);

    // Wrong codes are wrong tokens of the address: after [limits]
    // auth-failures of them (the expired link's was one), codes and tokens
    // from it are refused.
    for (let i = 0; i < 4; i++) {
      assert.equal((await signIn(small, { code: `wrong-code-${i}` })).res.status, 401);
    }
    const throttled = await signIn(small, { code: 'wrong-code-again' });
    assert.equal(throttled.res.status, 429, throttled.res.text);
    assert.equal(throttled.res.json.error, 'too-many-failures');
  } finally {
    await small.stop();
    small.cleanup();
  }
});

function httpsRequest(url, { method = 'GET', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, rejectUnauthorized: false, timeout: 10000 }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

test('over HTTPS the cookie is also Secure', { timeout: 180000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-signin-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-nodes', '-days', '2', '-subj', '/CN=localhost', '-keyout', path.join(dir, 'key.pem'),
    '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  const tls = await startRelay({
    extraConfig: {
      ...VIEWERS,
      relay: { 'tls-certificate': path.join(dir, 'cert.pem'), 'tls-private-key': path.join(dir, 'key.pem') },
    },
  });
  try {
    assert.match(tls.url, /^https:/);
    const res = await httpsRequest(new URL('api/v1/session', tls.url), {
      method: 'POST', headers: { Authorization: `Bearer ${TOKENS.minister}`, Origin: originOf(tls) },
    });
    assert.equal(res.status, 201, res.body);
    const line = res.headers['set-cookie'].find((c) => c.startsWith('briefing_session='));
    assert.match(line, /; HttpOnly(;|$)/);
    assert.match(line, /; SameSite=Strict(;|$)/);
    assert.match(line, /; Secure(;|$)/, line);
    // The link a chair makes there opens the https page.
    const made = await httpsRequest(new URL('api/v1/session/links', tls.url), {
      method: 'POST', headers: { Authorization: `Bearer ${TOKENS.chair}`, Origin: originOf(tls) },
    });
    assert.equal(made.status, 201, made.body);
    assert.ok(JSON.parse(made.body).url.startsWith(`${originOf(tls)}/watch.html#signin=`));
  } finally {
    await tls.stop();
    tls.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
