// Credentials (docs/API.md, "Limits and refusals"): where the relay listens
// without TLS, tokens never read from URLs, private answers never cached,
// and the events WebSocket open only to pages of the relay's own origin or
// of [relay] allowed-origins. Each refusal is asserted with its status and
// its JSON, and the relay keeps serving afterwards.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, request, getJson, RELAY_BIN, REPO_ROOT } from '../../tools/lib/relay.mjs';
import { openEvents } from '../../tools/lib/events.mjs';

const STOP_GRACE_MS = 60000;
const OFFICE = 'th50-credentials-token-0123';
const CHAIR = 'chair-credentials-token-0123';
const MINISTER = 'minister-credentials-token-01';
const PORTAL = 'https://portal.example.go.th';
const OFFER = fs.readFileSync(path.join(REPO_ROOT, 'tests', 'unit', 'webrtc', 'sdp', 'offers', 'chrome-whip.sdp'), 'utf8');

let relay;
before(async () => {
  relay = await startRelay({
    stopGraceMs: STOP_GRACE_MS,
    provinces: { 'TH-50': OFFICE },
    extraConfig: {
      relay: { 'allowed-origins': `${PORTAL}, http://ops.example:8443` },
      'viewer chair': { role: 'chair', token: CHAIR },
      'viewer minister': { role: 'minister', token: MINISTER },
    },
  });
});
after(async () => {
  await relay?.stop();
  relay?.cleanup();
});

const bearer = (token) => ({ Authorization: `Bearer ${token}` });

/* The relay answers a plain request after a refusal: it kept serving. */
async function stillServing() {
  const health = await getJson(`${relay.url}api/v1/health`);
  assert.equal(health.status, 'ok');
}

/* Runs the relay binary on a config text with --check-config. */
function checkConfig(text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-credentials-'));
  try {
    const args = ['--check-config'];
    if (text !== null) {
      fs.writeFileSync(path.join(dir, 'relay.ini'), `[relay]\ndata-dir=${dir}/var\n${text}`);
      args.unshift('--config', path.join(dir, 'relay.ini'));
    }
    return spawnSync(RELAY_BIN, args, { cwd: dir, encoding: 'utf8', timeout: 120000 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('plain HTTP listens on loopback unless the config explicitly allows otherwise', async () => {
  // The built-in defaults (scripts/run) start as they are.
  const embedded = checkConfig(null);
  assert.equal(embedded.status, 0, embedded.stderr);

  // An address other machines reach, without TLS: a config error, exit 2.
  for (const address of ['0.0.0.0', '::']) {
    const refused = checkConfig(`http-address=${address}\n`);
    assert.equal(refused.status, 2, `${address}: ${refused.stdout}${refused.stderr}`);
    assert.match(refused.stderr, /\[relay\] http-address: .*allow-insecure-http=true/);
  }

  // No http-address: loopback.
  const local = await startRelay({ stopGraceMs: STOP_GRACE_MS, extraConfig: { relay: { 'http-address': null } } });
  try {
    assert.equal(new URL(local.url).hostname, '127.0.0.1');
  } finally {
    await local.stop();
    local.cleanup();
  }

  // Explicitly allowed: it starts, serves, and says what it risks.
  const open = await startRelay({
    stopGraceMs: STOP_GRACE_MS,
    extraConfig: { relay: { 'http-address': '0.0.0.0', 'allow-insecure-http': true } },
  });
  try {
    const port = new URL(open.url).port;
    assert.equal((await getJson(`http://127.0.0.1:${port}/api/v1/health`)).status, 'ok');
    assert.match(open.logTail(200), /WARN.*plain HTTP on 0\.0\.0\.0.*tokens cross the network in clear/);
  } finally {
    await open.stop();
    open.cleanup();
  }
});

test('a token in the URL is refused with 400 token-in-url on every path, never read', async () => {
  const cases = [
    ['GET', `api/v1/figures?token=${CHAIR}`],
    ['GET', `api/v1/clips?date=2026-01-01&token=${CHAIR}`],
    ['GET', `api/v1/provinces/TH-50?token=${OFFICE}`],
    ['GET', `api/v1/briefings?access_token=${CHAIR}`],
    ['GET', `api/v1/viewers?%74oken=${CHAIR}`],
    ['HEAD', `api/v1/clips?token=${CHAIR}`],
    ['GET', `ops.html?token=${CHAIR}&autostart=1`],
    ['GET', `review.html?Token=${CHAIR}`],
    ['POST', `api/v1/conference/floor?token=${CHAIR}`],
    ['POST', `whip/TH-50?token=${OFFICE}`],
  ];
  for (const [method, target] of cases) {
    const res = await request(`${relay.url}${target}`, { method });
    assert.equal(res.status, 400, `${method} ${target}: ${res.text}`);
    // A page on another origin may read why.
    assert.equal(res.headers.get('access-control-allow-origin'), '*', `${method} ${target}`);
    assert.equal(res.headers.get('cache-control'), 'no-store', `${method} ${target}`);
    if (method !== 'HEAD') {
      assert.equal(res.json?.error, 'token-in-url', `${method} ${target}: ${res.text}`);
      assert.match(res.json.reason, /Authorization: Bearer/);
    }
  }
  // A header does not make a URL with a token acceptable.
  const both = await request(`${relay.url}api/v1/figures?token=${CHAIR}`, { headers: bearer(CHAIR) });
  assert.equal(both.status, 400);
  // The events WebSocket too, before the upgrade.
  await assert.rejects(openEvents(relay, { token: null, query: `token=${CHAIR}` }),
    (e) => e.status === 400 && JSON.parse(e.body).error === 'token-in-url');
  // Other query parameters are untouched, and the relay goes on serving.
  const figures = await request(`${relay.url}api/v1/figures?date=2026-01-01`, { headers: bearer(CHAIR) });
  assert.equal(figures.status, 200, figures.text);
  await stillServing();
});

test('answers that depend on the token are Cache-Control: no-store; the pages may be cached', async () => {
  const json = { 'Content-Type': 'application/json' };
  const cases = [
    ['GET', 'api/v1/provinces', CHAIR],
    ['GET', 'api/v1/provinces/TH-50', OFFICE],
    ['GET', 'api/v1/health', CHAIR],
    ['GET', 'api/v1/outputs', MINISTER],
    ['GET', 'api/v1/viewers', MINISTER],
    ['GET', 'api/v1/webhooks', CHAIR],
    ['GET', 'api/v1/figures', CHAIR],
    ['GET', 'api/v1/figures.csv', CHAIR],
    ['GET', 'api/v1/reports/history?province=TH-50', OFFICE],
    ['GET', 'api/v1/clips', CHAIR],
    ['GET', 'api/v1/briefings', CHAIR],
    ['GET', 'api/v1/conference', CHAIR],
    ['PUT', 'api/v1/conference/layout', CHAIR, JSON.stringify({ layout: 'mosaic' }), json],
    ['OPTIONS', 'api/v1/figures', null],
  ];
  for (const [method, target, token, body, headers = {}] of cases) {
    const res = await request(`${relay.url}${target}`,
      { method, body, headers: { ...headers, ...(token ? bearer(token) : {}) } });
    assert.ok(res.status < 300, `${method} ${target}: ${res.status} ${res.text.slice(0, 200)}`);
    assert.equal(res.headers.get('cache-control'), 'no-store', `${method} ${target}`);
  }

  // The SDP answer carries the session's ICE credentials and URL.
  const whip = await request(`${relay.url}whip/TH-50`,
    { method: 'POST', body: OFFER, headers: { ...bearer(OFFICE), 'Content-Type': 'application/sdp' } });
  assert.equal(whip.status, 201, whip.text);
  assert.match(whip.text, /a=ice-pwd:/);
  assert.equal(whip.headers.get('cache-control'), 'no-store');
  const gone = await request(new URL(whip.headers.get('location'), relay.url),
    { method: 'DELETE', headers: bearer(OFFICE) });
  assert.equal(gone.status, 200);
  assert.equal(gone.headers.get('cache-control'), 'no-store');

  // Refusals too.
  const refused = await request(`${relay.url}api/v1/figures`, { headers: bearer(OFFICE) });
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get('cache-control'), 'no-store');

  // A page is public and the same for everyone: revalidated, not no-store.
  const page = await request(`${relay.url}province.html`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('cache-control'), 'no-cache');
});

test('the events WebSocket: a page of another origin is refused (403) before the upgrade', async () => {
  const own = new URL(relay.url).origin;
  const allowed = [
    ['no Origin (not a browser)', null],
    ['the relay\'s own pages', own],
    ['an allowed origin', PORTAL],
    ['an allowed origin with its port written differently', 'HTTPS://portal.example.go.th:443'],
    ['the other allowed origin', 'http://ops.example:8443'],
  ];
  for (const [what, origin] of allowed) {
    const events = await openEvents(relay, { token: MINISTER, origin });
    try {
      assert.equal(events.events[0].type, 'hello', what);
    } finally {
      events.close();
    }
  }

  const refused = [
    ['another origin', 'https://evil.example'],
    ['an allowed host on another port', 'http://ops.example:8080'],
    ['an allowed host with another scheme', 'http://portal.example.go.th'],
    ['the relay\'s host on another port', `http://127.0.0.1:${Number(new URL(relay.url).port) + 1}`],
    ['an opaque origin (a sandboxed frame, a file)', 'null'],
  ];
  for (const [what, origin] of refused) {
    // A valid token does not help: the page's origin is what is refused.
    await assert.rejects(openEvents(relay, { token: CHAIR, origin }), (e) => {
      assert.equal(e.status, 403, `${what}: ${e.message}`);
      const body = JSON.parse(e.body);
      assert.equal(body.error, 'origin-not-allowed', what);
      assert.equal(typeof body.reason, 'string');
      return true;
    });
  }
  // Without a token as well (a browser sends it only after the upgrade).
  await assert.rejects(openEvents(relay, { token: CHAIR, authMessage: true, origin: 'https://evil.example' }),
    (e) => e.status === 403);

  // Everyone else is still served.
  const events = await openEvents(relay, { token: OFFICE, origin: own, authMessage: true });
  assert.equal(events.events[0].role, 'office');
  events.close();
  await stillServing();
});
