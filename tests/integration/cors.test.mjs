// CORS on real responses (docs/API.md: CORS is open, the bearer token
// authorises, not the origin): a page served from another origin (a small
// HTTP server of this test, on another port) uses the relay from Chromium
// with fetch(): WHIP with a real offer (POST, PATCH, DELETE, reading
// Location/ETag/Link/Accept-Patch), WHEP, the status and control APIs, a
// clip with a Range, the events WebSocket, and refusals (401, 413) whose
// status and JSON the page must be able to read. No origin is refused over
// HTTP; the events WebSocket takes pages of the origins the config lists
// ([relay] allowed-origins, as a ministry portal's), and refuses a page of
// any other origin before the upgrade.
//
// A control request to a server without CORS headers must fail in the same
// page: it shows Chromium enforces CORS there, so every success above is the
// relay's headers at work.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { getBrowser, closeBrowser, collectDiagnostics } from '../../tools/lib/browser.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';

// Stopping must end with exit status 0; how long it takes on a loaded
// machine is not what these tests are about.
const STOP_GRACE_MS = 60000;

const CHAIR = 'chair-cors-token';
const MINISTER = 'minister-cors-token';
let relay;
let site; // the other origin's server
let plain; // a server that sends no CORS headers
let context;
let page;
let diagnostics;

function serve(handler) {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
const origin = (server) => `http://127.0.0.1:${server.address().port}`;

before(async () => {
  site = await serve((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>ministry portal</title><p>another origin</p>');
  });
  plain = await serve((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"ok":true}');
  });
  relay = await startRelay({
    stopGraceMs: STOP_GRACE_MS,
    provinces: { 'TH-50': 'th50-cors-token', 'TH-57': 'th57-cors-token' },
    extraConfig: {
      relay: { 'allowed-origins': origin(site) },
      'viewer chair': { role: 'chair', token: CHAIR },
      'viewer minister': { role: 'minister', token: MINISTER },
    },
  });
  assert.notEqual(origin(site), new URL(relay.url).origin);
  const browser = await getBrowser();
  context = await browser.newContext();
  page = await context.newPage();
  diagnostics = collectDiagnostics(page);
  await page.goto(`${origin(site)}/`);
});

after(async () => {
  await context?.close();
  await closeBrowser();
  site?.close();
  plain?.close();
  if (relay) {
    await relay.stop();
    relay.cleanup();
  }
});

/* fetch() from the page: {status, headers (the ones the page can read),
 * text} or {error} when the browser blocked it. */
function pageFetch(url, init = {}) {
  return page.evaluate(async ([u, i]) => {
    try {
      const res = await fetch(u, i);
      const headers = {};
      res.headers.forEach((v, k) => {
        headers[k] = v;
      });
      return { status: res.status, headers, text: await res.text() };
    } catch (e) {
      return { error: `${e.name}: ${e.message}` };
    }
  }, [url, init]);
}

function ok(res, status, what) {
  assert.ok(!res.error, `${what}: blocked by the browser (${res.error})\n${diagnostics()}`);
  assert.equal(res.status, status, `${what}: ${res.text?.slice(0, 300)}`);
  return res;
}

test('the page really is cross-origin: a server without CORS headers is blocked', async () => {
  const res = await pageFetch(`${origin(plain)}/`, { headers: { Authorization: 'Bearer x' } });
  assert.ok(res.error, `expected a CORS failure, got ${JSON.stringify(res)}`);
});

test('preflights answer for every method and header the API uses', async () => {
  // The preflights as Chromium sends them, checked by hand once.
  const cases = [
    ['whip/TH-50', 'POST', 'authorization,content-type'],
    ['whip/TH-50/0123456789abcdef', 'PATCH', 'authorization,content-type,if-match'],
    ['whep/province/TH-50', 'POST', 'authorization,content-type'],
    ['api/v1/viewers', 'GET', 'authorization'],
    ['api/v1/conference/floor', 'PUT', 'authorization,content-type'],
    ['api/v1/reports', 'POST', 'authorization,content-type'],
    ['api/v1/clips/1.ogg', 'GET', 'authorization,range'],
  ];
  for (const [path, method, headers] of cases) {
    const res = await request(`${relay.url}${path}`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin(site),
        'Access-Control-Request-Method': method,
        'Access-Control-Request-Headers': headers,
      },
    });
    assert.ok(res.status === 204 || res.status === 200, `OPTIONS ${path}: ${res.status}`);
    assert.equal(res.headers.get('access-control-allow-origin'), '*', path);
    const methods = res.headers.get('access-control-allow-methods') ?? '';
    assert.ok(methods.split(/,\s*/).includes(method), `${path}: ${method} in "${methods}"`);
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/,\s*/);
    for (const h of headers.split(',')) assert.ok(allowed.includes(h), `${path}: ${h} in "${allowed}"`);
  }
});

test('WHIP from another origin: POST a real offer, read the headers, PATCH, DELETE', async () => {
  const r = await page.evaluate(async ([url, token]) => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio', { direction: 'sendonly' });
    pc.addTransceiver('video', { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const res = await fetch(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/sdp' },
      body: pc.localDescription.sdp,
    });
    const out = {
      status: res.status,
      location: res.headers.get('location'),
      etag: res.headers.get('etag'),
      acceptPatch: res.headers.get('accept-patch'),
      text: await res.text(),
    };
    pc.close();
    return out;
  }, [`${relay.url}whip/TH-50`, relay.tokens['TH-50']]);
  assert.equal(r.status, 201, r.text);
  assert.match(r.location ?? '', /^\/whip\/TH-50\/[0-9a-f]+$/, 'Location readable');
  assert.ok(r.etag, 'ETag readable');
  assert.equal(r.acceptPatch, 'application/trickle-ice-sdpfrag');
  const session = new URL(r.location, relay.url).href;
  const frag = 'a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n';
  // New credentials: an ICE restart, whose fragment and ETag the page reads.
  const patched = ok(await pageFetch(session, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${relay.tokens['TH-50']}`, 'Content-Type': 'application/trickle-ice-sdpfrag',
      'If-Match': r.etag },
    body: frag,
  }), 200, 'PATCH');
  assert.match(patched.text, /a=ice-ufrag:/);
  assert.ok(patched.headers.etag && patched.headers.etag !== r.etag, 'the new ETag is readable');
  ok(await pageFetch(session, { method: 'DELETE', headers: { Authorization: `Bearer ${relay.tokens['TH-50']}` } }),
    200, 'DELETE');
});

test('WHEP from another origin: the minister watches a live office', async () => {
  const pub = startPublisher(relay, ['TH-57']);
  try {
    await waitFor(async () => (await getJson(`${relay.url}api/v1/provinces/TH-57`)).state === 'live',
      { timeoutMs: 30000, describe: 'TH-57 live' });
    const r = await page.evaluate(async ([url, token]) => {
      const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
      await pc.setLocalDescription(await pc.createOffer());
      const res = await fetch(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/sdp' },
        body: pc.localDescription.sdp,
      });
      const answer = await res.text();
      if (res.status !== 201) return { status: res.status, answer };
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      window.viewerPc = pc;
      return { status: res.status, location: res.headers.get('location'), links: res.headers.get('link') };
    }, [`${relay.url}whep/province/TH-57`, MINISTER]);
    assert.equal(r.status, 201, r.answer);
    assert.match(r.location ?? '', /^\/whep\/province\/TH-57\//);
    // Media flows into the page: the session is a real one.
    await waitFor(() => page.evaluate(async () => {
      let frames = 0;
      (await window.viewerPc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded || 0;
      });
      return frames > 0;
    }), { timeoutMs: 30000, describe: 'frames decoded in the cross-origin page' });
    ok(await pageFetch(new URL(r.location, relay.url).href,
      { method: 'DELETE', headers: { Authorization: `Bearer ${MINISTER}` } }), 200, 'DELETE');
    await page.evaluate(() => window.viewerPc.close());
  } finally {
    await pub.kill();
  }
});

test('the status, control, figures and clip APIs from another origin', async () => {
  const provinces = ok(await pageFetch(`${relay.url}api/v1/provinces/TH-50`), 200, 'GET provinces');
  assert.equal(JSON.parse(provinces.text).code, 'TH-50');
  ok(await pageFetch(`${relay.url}api/v1/outputs`), 200, 'GET outputs');
  ok(await pageFetch(`${relay.url}api/v1/viewers`, { headers: { Authorization: `Bearer ${MINISTER}` } }),
    200, 'GET viewers');
  const floor = ok(await pageFetch(`${relay.url}api/v1/conference/floor`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${CHAIR}`, 'Content-Type': 'application/json' },
    body: '{"province":"TH-50"}',
  }), 200, 'PUT floor');
  assert.equal(JSON.parse(floor.text).floor, 'TH-50');
  const report = ok(await pageFetch(`${relay.url}api/v1/reports`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${relay.tokens['TH-50']}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'figures', id: 'cors-1', date: '2001-01-01', values: {} }),
  }), 422, 'POST reports (refused by the schema, readable)');
  assert.ok(JSON.parse(report.text).errors.length > 0);
  ok(await pageFetch(`${relay.url}api/v1/figures`, { headers: { Authorization: `Bearer ${CHAIR}` } }),
    200, 'GET figures');
});

test('a clip with a Range from another origin: 206 and Content-Range readable', async () => {
  // A floor turn makes the clip.
  const pub = startPublisher(relay, ['TH-50']);
  try {
    await waitFor(async () => (await getJson(`${relay.url}api/v1/provinces/TH-50`)).state === 'live',
      { timeoutMs: 30000, describe: 'TH-50 live' });
    const chair = { Authorization: `Bearer ${CHAIR}`, 'Content-Type': 'application/json' };
    await request(`${relay.url}api/v1/conference/floor`, { method: 'DELETE', headers: chair });
    const packets = async () => (await getJson(`${relay.url}api/v1/provinces/TH-50`, { token: CHAIR })).audio.packets_received;
    const before = await packets();
    await request(`${relay.url}api/v1/conference/floor`,
      { method: 'PUT', headers: chair, body: '{"province":"TH-50"}' });
    await waitFor(async () => (await packets()) > before + 50,
      { timeoutMs: 30000, describe: 'audio in the turn' });
    await request(`${relay.url}api/v1/conference/floor`, { method: 'DELETE', headers: chair });
    const clip = await waitFor(async () => {
      const r = await request(`${relay.url}api/v1/clips?province=TH-50`, { headers: { Authorization: `Bearer ${CHAIR}` } });
      return r.json?.clips?.at(-1);
    }, { timeoutMs: 60000, describe: 'a clip of TH-50' });
    // A suffix range is not CORS-safelisted: this one is preflighted.
    const res = ok(await pageFetch(`${relay.url}${clip.url.slice(1)}`,
      { headers: { Authorization: `Bearer ${CHAIR}`, Range: 'bytes=-16' } }), 206, 'GET clip with Range');
    assert.equal(res.headers['content-range'], `bytes ${clip.bytes - 16}-${clip.bytes - 1}/${clip.bytes}`);
  } finally {
    await pub.kill();
  }
});

test('refusals are readable from another origin too (status and JSON)', async () => {
  const noToken = ok(await pageFetch(`${relay.url}whip/TH-50`, {
    method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: 'v=0\r\n',
  }), 401, 'POST whip without a token');
  assert.equal(JSON.parse(noToken.text).error, 'unauthorized');
  const forbidden = ok(await pageFetch(`${relay.url}api/v1/viewers`,
    { headers: { Authorization: `Bearer ${relay.tokens['TH-50']}` } }), 403, 'GET viewers as a province');
  assert.equal(JSON.parse(forbidden.text).error, 'forbidden');
  // Bodies refused from their Content-Length, before they are read.
  const big = 'x'.repeat(70 * 1024);
  for (const [path, method, type, token] of [
    ['whip/TH-50', 'POST', 'application/sdp', relay.tokens['TH-50']],
    ['whep/province/TH-50', 'POST', 'application/sdp', MINISTER],
    ['api/v1/reports', 'POST', 'application/json', relay.tokens['TH-50']],
    ['api/v1/conference/layout', 'PUT', 'application/json', CHAIR],
  ]) {
    const res = ok(await pageFetch(`${relay.url}${path}`, {
      method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': type }, body: big,
    }), 413, `${method} ${path} too large`);
    assert.equal(JSON.parse(res.text).error, 'too-large');
  }
  const unknown = ok(await pageFetch(`${relay.url}api/v1/provinces/TH-99`), 404, 'an unknown province');
  assert.equal(JSON.parse(unknown.text).error, 'not-found');
});

/* Opens the events WebSocket from `from`'s page: the first message, or
 * {closed: code, opened} when the socket closed first. */
const openEvents = (from, token) => from.evaluate(([url, t]) => new Promise((resolve) => {
  const ws = new WebSocket(url);
  let opened = false;
  ws.onopen = () => {
    opened = true;
    if (t) ws.send(JSON.stringify({ type: 'auth', token: t }));
  };
  ws.onmessage = (m) => {
    resolve(JSON.parse(m.data));
    ws.close();
  };
  ws.onclose = (ev) => resolve({ closed: ev.code, opened });
}), [`${relay.url.replace(/^http/, 'ws')}api/v1/events`, token]);

test('the events WebSocket from another origin the config allows', async () => {
  // A browser sends its token as the first message; without one it gets
  // nothing but the close (4401).
  const hello = await openEvents(page, MINISTER);
  assert.equal(hello.type, 'hello', JSON.stringify(hello));
  assert.equal(hello.role, 'minister');
  assert.deepEqual(await openEvents(page, null), { closed: 4401, opened: true });
});

test('the events WebSocket refuses a page of an origin the config does not list', async () => {
  const other = await context.newPage();
  try {
    await other.goto(`${origin(plain)}/`);
    // Refused before the upgrade (403): the socket never opens, and the
    // token never leaves the page.
    assert.deepEqual(await openEvents(other, MINISTER), { closed: 1006, opened: false });
  } finally {
    await other.close();
  }
});
