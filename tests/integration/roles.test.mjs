// Who may do what (docs/API.md): every HTTP path of the relay, asked with no
// token, a token of nobody, the office's own token, another office's token,
// a wall display's `viewer` token (the mosaic only), the minister's and the
// chair's, against the status the API documents for each.
//
// Authorised requests go all the way (a real SDP offer makes a real session,
// a chair's PUT changes the conference), so "allowed" is the endpoint's
// success status, not merely "not 401/403". Refused requests on a session
// URL must leave the session alone: its owner's PATCH still finds it.
//
// Conventions the table checks on every refusal: 401 carries
// `WWW-Authenticate: Bearer realm="briefing-relay"` (with
// error="invalid_token" when a token was given) and 401/403 bodies are
// {"error": "unauthorized" | "forbidden", "reason": ...}. A valid token that
// lacks the right is 403, never 401 (RFC 6750 section 3.1).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startRelay, request, REPO_ROOT } from '../../tools/lib/relay.mjs';
import { openEvents } from '../../tools/lib/events.mjs';

// Stopping must end with exit status 0; how long it takes on a loaded
// machine is not what these tests are about.
const STOP_GRACE_MS = 60000;

const TOKENS = {
  none: null,
  unknown: 'a-token-of-nobody-at-all',
  office: 'th50-roles-token', // TH-50: the office in the paths
  other: 'th11-roles-token', // TH-11
  viewer: 'wall-display-roles-token',
  minister: 'minister-roles-token',
  chair: 'chair-roles-token',
};
const ROLES = Object.keys(TOKENS);

// Chrome's WHIP offer (tests/unit/webrtc/sdp/offers), and the same turned into a viewer's.
const PUBLISH_OFFER = fs.readFileSync(path.join(REPO_ROOT, 'tests', 'unit', 'webrtc', 'sdp', 'offers', 'chrome-whip.sdp'), 'utf8');
const VIEW_OFFER = PUBLISH_OFFER.replaceAll('a=sendonly', 'a=recvonly');
const credential = (name) => PUBLISH_OFFER.match(new RegExp(`^a=ice-${name}:(.+?)\\r?$`, 'm'))[1];
// Trickle with the offer's own credentials: 204 for the session's owner.
const TRICKLE = `a=ice-ufrag:${credential('ufrag')}\r\na=ice-pwd:${credential('pwd')}\r\n`
  + 'm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n'
  + 'a=candidate:1 1 udp 2122260223 127.0.0.1 61665 typ host\r\n';
// Figures that pass the token check and fail the schema (a date far out of
// range): 422 shows the request got past authorisation without storing.
const FIGURES = JSON.stringify({ type: 'figures', id: 'roles-1', date: '2001-01-01', values: {} });

let relay;
before(async () => {
  relay = await startRelay({
    stopGraceMs: STOP_GRACE_MS,
    provinces: { 'TH-50': TOKENS.office, 'TH-11': TOKENS.other },
    extraConfig: {
      'viewer wall': { role: 'viewer', token: TOKENS.viewer },
      'viewer minister': { role: 'minister', token: TOKENS.minister },
      'viewer chair': { role: 'chair', token: TOKENS.chair },
      // Every path is asked with every kind of token, a token of nobody
      // included, from one address as fast as the relay answers: the
      // throttle and the rates (limits.test.mjs) would end that early.
      limits: {
        'auth-failures': 100000,
        'address-requests-burst': 100000,
        'api-requests-burst': 100000,
        'session-requests-burst': 100000,
        // The events test waits for the auth timeout to close silent
        // clients; 1 s rather than 10 (limits.test.mjs is not about it).
        'event-auth-timeout-s': 1,
      },
    },
  });
});
after(async () => {
  await relay.stop();
  relay.cleanup();
});

function send(method, target, role, { body, type, tokenInQuery = false } = {}) {
  const token = TOKENS[role];
  const url = new URL(target, relay.url);
  const headers = {};
  if (token && tokenInQuery) url.searchParams.set('token', token);
  else if (token) headers.Authorization = `Bearer ${token}`;
  if (type) headers['Content-Type'] = type;
  if (method === 'PATCH') headers['If-Match'] = '*';
  return request(url, { method, headers, body });
}

/* The conventions of a refusal, and the status. */
function check(res, expected, what) {
  const label = `${what}: ${res.text.slice(0, 200)}`;
  assert.equal(res.status, expected, label);
  if (res.status === 401) {
    const challenge = res.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer realm="briefing-relay"/, `${what}: WWW-Authenticate`);
    assert.equal(/error="invalid_token"/.test(challenge), !what.includes(' none '),
      `${what}: invalid_token exactly when a token was given (${challenge})`);
  }
  if (what.startsWith('HEAD ')) return; // no body
  if (res.status === 401) assert.equal(res.json?.error, 'unauthorized', label);
  if (res.status === 403) assert.equal(res.json?.error, 'forbidden', label);
  if (res.status === 401 || res.status === 403) assert.equal(typeof res.json?.reason, 'string', label);
}

/* One row: method, path, request options, and the status for each role. */
async function row(method, target, expected, options = {}) {
  for (const role of ROLES) {
    const res = await send(method, target, role, options);
    check(res, expected[role], `${method} ${target} as ${role} `);
  }
}

const refusedExcept = (allowed, status, { none = 401, unknown = 401, others = 403 } = {}) =>
  Object.fromEntries(ROLES.map((r) => [r, r === 'none' ? none : r === 'unknown' ? unknown
    : allowed.includes(r) ? status : others]));

test('public, read-only resources: any token or none', async () => {
  const everyone = refusedExcept(ROLES, 200, { none: 200, unknown: 200 });
  for (const target of ['api/v1/conference', 'api/v1/figures/schema']) {
    await row('GET', target, everyone);
  }
});

// The events WebSocket: a token in the upgrade's header or in the first
// message (as browsers send it); without one, or with one of nobody,
// nothing but a close with 4401. What each credential reads of the stream
// is checked in tests/system/test-events.c and viewer-timeout.test.mjs.
test('the events WebSocket: any token the relay knows, nothing without', async () => {
  for (const role of ROLES) {
    const token = TOKENS[role];
    for (const authMessage of [false, true]) {
      const opening = openEvents(relay, { token, authMessage, query: 'since=0', timeoutMs: 60000 });
      if (role === 'none' || role === 'unknown') {
        await assert.rejects(opening, (e) => e.closeCode === 4401, `events as ${role}`);
      } else {
        const events = await opening;
        assert.equal(events.events[0].type, 'hello', `events as ${role}`);
        events.close();
      }
    }
  }
});

// Anyone reads them; what a token adds is checked in status-detail.test.mjs.
// A token is read there, so one of nobody is refused as everywhere else.
test('status documents: no token or any token the relay knows', async () => {
  const known = refusedExcept(ROLES, 200, { none: 200 });
  for (const target of ['api/v1/health', 'api/v1/provinces', 'api/v1/provinces/TH-50', 'api/v1/outputs']) {
    await row('GET', target, known);
  }
});

test('POST to the WHIP and WHEP endpoints', async () => {
  const cases = [
    ['whip/TH-50', PUBLISH_OFFER, refusedExcept(['office'], 201)],
    ['whip/central', PUBLISH_OFFER, refusedExcept(['chair'], 201)],
    ['whep/province/TH-50', VIEW_OFFER, refusedExcept(['minister', 'chair'], 201)],
    ['whep/mosaic', VIEW_OFFER, refusedExcept(['viewer', 'minister', 'chair'], 201)],
    ['whep/program', VIEW_OFFER, refusedExcept(['office', 'other', 'viewer', 'minister', 'chair'], 201)],
  ];
  for (const [target, offer, expected] of cases) {
    for (const role of ROLES) {
      const res = await send('POST', target, role, { body: offer, type: 'application/sdp' });
      check(res, expected[role], `POST ${target} as ${role} `);
      if (res.status === 201) {
        // Leave nothing behind: the owner ends its session.
        const location = res.headers.get('location');
        assert.ok(location.startsWith(`/${target}/`), location);
        check(await send('DELETE', location, role), 200, `DELETE ${location} as ${role} `);
      }
    }
  }
});

test('PATCH and DELETE on a session URL: only the credential that created it', async () => {
  const sessions = [
    ['whip/TH-50', PUBLISH_OFFER, 'office'],
    ['whip/central', PUBLISH_OFFER, 'chair'],
    ['whep/province/TH-50', VIEW_OFFER, 'minister'],
    // The chair may watch TH-50 too, but not end the minister's session.
    ['whep/province/TH-50', VIEW_OFFER, 'chair'],
    ['whep/mosaic', VIEW_OFFER, 'viewer'],
    ['whep/program', VIEW_OFFER, 'other'],
  ];
  for (const [target, offer, owner] of sessions) {
    const created = await send('POST', target, owner, { body: offer, type: 'application/sdp' });
    check(created, 201, `POST ${target} as ${owner} `);
    const location = created.headers.get('location');
    const refused = refusedExcept([], 0);
    for (const role of ROLES.filter((r) => r !== owner)) {
      check(await send('PATCH', location, role, { body: TRICKLE, type: 'application/trickle-ice-sdpfrag' }),
        refused[role], `PATCH ${location} (${owner}'s) as ${role} `);
      check(await send('DELETE', location, role), refused[role], `DELETE ${location} (${owner}'s) as ${role} `);
    }
    // None of that touched the session.
    check(await send('PATCH', location, owner, { body: TRICKLE, type: 'application/trickle-ice-sdpfrag' }),
      204, `PATCH ${location} as its owner ${owner} `);
    check(await send('DELETE', location, owner), 200, `DELETE ${location} as its owner ${owner} `);
    check(await send('DELETE', location, owner), 404, `DELETE ${location} again `);
  }
});

test('an unknown session URL: 404 only for whoever may use the endpoint', async () => {
  const fake = '0123456789abcdef0123456789abcdef';
  const cases = [
    [`whip/TH-50/${fake}`, ['office']],
    [`whip/central/${fake}`, ['chair']],
    [`whep/province/TH-50/${fake}`, ['minister', 'chair']],
    [`whep/mosaic/${fake}`, ['viewer', 'minister', 'chair']],
    [`whep/program/${fake}`, ['office', 'other', 'viewer', 'minister', 'chair']],
  ];
  for (const [target, allowed] of cases) {
    await row('DELETE', target, refusedExcept(allowed, 404));
    await row('PATCH', target, refusedExcept(allowed, 404),
      { body: TRICKLE, type: 'application/trickle-ice-sdpfrag' });
  }
});

test('the viewers and webhooks lists: the chair and the minister', async () => {
  await row('GET', 'api/v1/viewers', refusedExcept(['minister', 'chair'], 200));
  await row('GET', 'api/v1/webhooks', refusedExcept(['minister', 'chair'], 200));
});

// Sign-in (docs/API.md, "Sign-in"): what the cookie then allows is
// checked in signin.test.mjs.
test('sign-in: the viewer roles exchange their token; one-time links: the chair', async () => {
  await row('POST', 'api/v1/session', refusedExcept(['viewer', 'minister', 'chair'], 201));
  await row('POST', 'api/v1/session/links', refusedExcept(['chair'], 201));
});

test('conference control: the chair only', async () => {
  const json = 'application/json';
  await row('PUT', 'api/v1/conference/floor', refusedExcept(['chair'], 200),
    { body: '{"province":"TH-50"}', type: json });
  await row('DELETE', 'api/v1/conference/floor', refusedExcept(['chair'], 200));
  await row('PUT', 'api/v1/conference/participants/TH-50', refusedExcept(['chair'], 200),
    { body: '{"muted":true}', type: json });
  await row('PUT', 'api/v1/conference/participants/central', refusedExcept(['chair'], 200),
    { body: '{"muted":false}', type: json });
  await row('PUT', 'api/v1/conference/layout', refusedExcept(['chair'], 200),
    { body: '{"layout":"mosaic"}', type: json });
});

test('figures: offices submit their own, viewers read', async () => {
  const json = 'application/json';
  // Any office submits for itself (the token implies the province).
  await row('POST', 'api/v1/reports', refusedExcept(['office', 'other'], 422), { body: FIGURES, type: json });
  await row('POST', 'api/v1/reports?province=TH-50', refusedExcept(['office'], 422), { body: FIGURES, type: json });
  await row('GET', 'api/v1/figures', refusedExcept(['viewer', 'minister', 'chair'], 200));
  await row('GET', 'api/v1/figures.csv', refusedExcept(['viewer', 'minister', 'chair'], 200));
  await row('GET', 'api/v1/reports/history?province=TH-50',
    refusedExcept(['office', 'viewer', 'minister', 'chair'], 200));
});

test('spoken-status clips: viewers, with the token in the header', async () => {
  await row('GET', 'api/v1/clips', refusedExcept(['viewer', 'minister', 'chair'], 200));
  await row('GET', 'api/v1/clips/1.ogg', refusedExcept(['viewer', 'minister', 'chair'], 404));
  await row('HEAD', 'api/v1/clips', refusedExcept(['viewer', 'minister', 'chair'], 200));
});

test('a token in the query is refused (400) for every credential, not read', async () => {
  // `none` sends no query parameter, so it meets the path's own rule.
  const inQuery = (none) => refusedExcept([], 0, { none, unknown: 400, others: 400 });
  await row('GET', 'api/v1/clips', inQuery(401), { tokenInQuery: true });
  await row('GET', 'api/v1/clips/1.ogg', inQuery(401), { tokenInQuery: true });
  await row('HEAD', 'api/v1/clips', inQuery(401), { tokenInQuery: true });
  await row('GET', 'api/v1/figures', inQuery(401), { tokenInQuery: true });
  await row('GET', 'api/v1/provinces', inQuery(200), { tokenInQuery: true });
});

// GET /metrics takes a credential of its own (metrics.test.mjs asks the
// rest): here the development one, since this config has no [metrics].
test('the metrics: the [metrics] token only, no office\'s or viewer\'s', async () => {
  await row('GET', 'metrics', refusedExcept([], 0));
  const kept = fs.readFileSync(path.join(relay.dataDir, 'dev-tokens.ini'), 'utf8');
  const token = /^\[metrics\]\s*\ntoken=(\S+)/m.exec(kept)[1];
  const res = await request(new URL('metrics', relay.url), { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  assert.match(res.text, /^# TYPE briefing_relay_offices gauge$/m);
});
