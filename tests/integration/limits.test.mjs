// Admission limits against the real relay (docs/API.md, "Limits"): sessions
// per credential and in all, request rates per credential and per address,
// the wrong-token throttle, and sessions that never connect. Each test
// starts its own relay with small limits, and checks that what is refused
// is refused with its documented status and reason while everyone else
// keeps being served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startRelay, request, getJson, waitFor, REPO_ROOT } from '../../tools/lib/relay.mjs';
import { startViewer } from '../../tools/lib/viewer.mjs';

const WAIT_MS = 120000;
const OFFICE = 'th50-limits-token';
const OTHER_OFFICE = 'th11-limits-token';
const WALL = 'wall-limits-token';
const CHAIR = 'chair-limits-token';
const MINISTER = 'minister-limits-token';

/* A browser's offer turned into a viewer's: receive only, no candidates (the
 * relay then has nobody to check against, and the session never connects,
 * which is what these tests want). */
const VIEWER_OFFER = fs.readFileSync(path.join(REPO_ROOT, 'tests', 'unit', 'webrtc', 'sdp', 'offers', 'chrome-whip.sdp'), 'utf8')
  .split(/\r?\n/).filter((l) => l && !l.startsWith('a=candidate') && !l.startsWith('a=end-of-candidates'))
  .map((l) => (l === 'a=sendonly' ? 'a=recvonly' : l)).join('\r\n') + '\r\n';
const PUBLISHER_OFFER = fs.readFileSync(path.join(REPO_ROOT, 'tests', 'unit', 'webrtc', 'sdp', 'offers', 'chrome-whip.sdp'), 'utf8')
  .split(/\r?\n/).filter((l) => l && !l.startsWith('a=candidate') && !l.startsWith('a=end-of-candidates'))
  .join('\r\n') + '\r\n';

async function start(limits, extra = {}) {
  return startRelay({
    provinces: { 'TH-50': OFFICE, 'TH-11': OTHER_OFFICE },
    extraConfig: {
      'viewer wall': { role: 'viewer', token: WALL },
      'viewer chair': { role: 'chair', token: CHAIR },
      'viewer minister': { role: 'minister', token: MINISTER },
      limits,
      ...extra,
    },
  });
}

function post(relay, target, token, body = VIEWER_OFFER) {
  return request(new URL(target, relay.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body,
  });
}

function del(relay, location, token) {
  return request(new URL(location, relay.url), {
    method: 'DELETE', headers: { Authorization: `Bearer ${token}` },
  });
}

async function viewers(relay) {
  return (await getJson(`${relay.url}api/v1/viewers`, { token: CHAIR })).viewers;
}

test('a credential holds at most its sessions: the next gets 429 too-many-sessions, others are served, and an ended one frees its place',
  { timeout: 300000 }, async () => {
    const relay = await start({ 'viewer-sessions': 3, 'office-viewer-sessions': 1, 'connect-timeout-s': 600 });
    try {
      const held = [];
      for (let i = 0; i < 3; i++) {
        const r = await post(relay, 'whep/mosaic', WALL);
        assert.equal(r.status, 201, r.text);
        held.push(r.headers.get('location'));
      }
      const refused = await post(relay, 'whep/mosaic', WALL);
      assert.equal(refused.status, 429, refused.text);
      assert.equal(refused.json.error, 'too-many-sessions');
      // Another viewer credential is not affected.
      const minister = await post(relay, 'whep/mosaic', MINISTER);
      assert.equal(minister.status, 201, minister.text);
      // An office's token: one program session, the second refused.
      const program = await post(relay, 'whep/program', OFFICE);
      assert.equal(program.status, 201, program.text);
      const program2 = await post(relay, 'whep/program', OFFICE);
      assert.equal(program2.status, 429, program2.text);
      assert.equal(program2.json.error, 'too-many-sessions');
      // Ending one gives its place back.
      assert.equal((await del(relay, held[0], WALL)).status, 200);
      const again = await post(relay, 'whep/mosaic', WALL);
      assert.equal(again.status, 201, again.text);
    } finally {
      await relay.stop();
      relay.cleanup();
    }
  });

test('the relay holds at most max-sessions in all: the next gets 503 relay-full with Retry-After',
  { timeout: 300000 }, async () => {
    const relay = await start({ 'max-sessions': 4, 'connect-timeout-s': 600 });
    try {
      for (const token of [WALL, WALL, MINISTER, CHAIR]) {
        const r = await post(relay, 'whep/mosaic', token);
        assert.equal(r.status, 201, r.text);
      }
      const full = await post(relay, 'whep/mosaic', MINISTER);
      assert.equal(full.status, 503, full.text);
      assert.equal(full.json.error, 'relay-full');
      assert.ok(Number(full.headers.get('retry-after')) > 0);
      // Reading goes on.
      assert.equal((await viewers(relay)).length, 4);
    } finally {
      await relay.stop();
      relay.cleanup();
    }
  });

test('POST/PATCH rate per credential and per address: 429 rate-limited with Retry-After, before the body is looked at',
  { timeout: 300000 }, async () => {
    const relay = await start({
      'session-requests-per-s': 1, 'session-requests-burst': 2, 'connect-timeout-s': 600,
      'address-requests-per-s': 1, 'address-requests-burst': 6,
    });
    try {
      // The wall's bucket: two, then refused even with a body that would
      // be a 400 (the refusal comes first).
      assert.equal((await post(relay, 'whep/mosaic', WALL)).status, 201);
      assert.equal((await post(relay, 'whep/mosaic', WALL)).status, 201);
      const limited = await post(relay, 'whep/mosaic', WALL, 'not sdp');
      assert.equal(limited.status, 429, limited.text);
      assert.equal(limited.json.error, 'rate-limited');
      assert.match(limited.json.reason, /credential/);
      assert.ok(Number(limited.headers.get('retry-after')) >= 1, 'Retry-After');
      // The minister's own bucket is full.
      assert.equal((await post(relay, 'whep/mosaic', MINISTER)).status, 201);
      // The address's bucket (6) is spent by now with a few more.
      let addressLimited = null;
      for (let i = 0; i < 10 && !addressLimited; i++) {
        const r = await post(relay, 'whep/mosaic', CHAIR);
        if (r.status === 429 && /address/.test(r.json?.reason)) addressLimited = r;
      }
      assert.ok(addressLimited, 'the address is limited after its burst');
      // Reads are not rate-limited: every session taken is listed.
      assert.ok((await viewers(relay)).length >= 3);
    } finally {
      await relay.stop();
      relay.cleanup();
    }
  });

test('wrong tokens from one address: after the allowance its tokens get 429 too-many-failures, even a right one; public reads go on',
  { timeout: 300000 }, async () => {
    const relay = await start({ 'auth-failures': 3, 'auth-failure-refill-s': 3600 });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await request(new URL('api/v1/viewers', relay.url), { headers: { Authorization: `Bearer guess-${i}` } });
        assert.equal(r.status, 401, r.text);
      }
      const right = await request(new URL('api/v1/viewers', relay.url), { headers: { Authorization: `Bearer ${CHAIR}` } });
      assert.equal(right.status, 429, right.text);
      assert.equal(right.json.error, 'too-many-failures');
      assert.ok(Number(right.headers.get('retry-after')) >= 1);
      const post429 = await post(relay, 'whep/mosaic', WALL);
      assert.equal(post429.status, 429, post429.text);
      // Without a token: the public state still answers.
      const pub = await request(new URL('api/v1/provinces', relay.url));
      assert.equal(pub.status, 200, pub.text);
    } finally {
      await relay.stop();
      relay.cleanup();
    }
  });

test('a session that never connects ends after connect-timeout-s, receives nothing meanwhile, and gives its place back; a connecting one is served',
  { timeout: 300000 }, async () => {
    const relay = await start({ 'viewer-sessions': 1, 'connect-timeout-s': 3 });
    let viewer;
    try {
      const r = await post(relay, 'whep/mosaic', WALL);
      assert.equal(r.status, 201, r.text);
      const id = r.headers.get('location').split('/').pop();
      const [listed] = await viewers(relay);
      assert.equal(listed.session, id);
      assert.equal(listed.state, 'connecting', 'not subscribed before ICE and DTLS');
      assert.equal((await post(relay, 'whep/mosaic', WALL)).status, 429, 'its place is held meanwhile');
      await waitFor(async () => (await viewers(relay)).length === 0,
        { timeoutMs: WAIT_MS, describe: 'the unconnected session gone' });
      // Its place is back: a real viewer connects and is subscribed.
      viewer = startViewer(`${relay.url}whep/mosaic`, WALL);
      await viewer.waitEvent((e) => e.event === 'first-frame' && e.media === 'video',
        { timeoutMs: WAIT_MS, describe: 'the viewer\'s first frame' });
      const [v] = await viewers(relay);
      assert.equal(v.state, 'connected');
      // A WHIP POST that never connects leaves the office offline again.
      const pub = await post(relay, 'whip/TH-11', OTHER_OFFICE, PUBLISHER_OFFER);
      assert.equal(pub.status, 201, pub.text);
      await waitFor(async () => {
        const s = await getJson(`${relay.url}api/v1/provinces/TH-11`, { token: CHAIR });
        return s.state === 'offline' ? s : null;
      }, { timeoutMs: WAIT_MS, describe: 'TH-11 offline after its session never connected' });
    } finally {
      await viewer?.finish().catch(() => {});
      await relay.stop();
      relay.cleanup();
    }
  });

test('refused-candidate-ranges: the relay sends no check to a candidate in a refused range',
  { timeout: 300000 }, async () => {
    const dgram = await import('node:dgram');
    const bind = () => new Promise((resolve) => {
      const s = dgram.createSocket('udp4');
      s.stun = 0;
      s.on('message', (m) => { if (m.length >= 20 && m.readUInt32BE(4) === 0x2112a442) s.stun++; });
      s.bind(0, '127.0.0.1', () => resolve(s));
    });
    // The relay gathers on loopback too, so a loopback candidate of the
    // office's makes a pair it would check.
    const scenario = async (ranges) => {
      const relay = await start({ 'refused-candidate-ranges': ranges, 'connect-timeout-s': 5 },
        { transport: { threads: 2, interfaces: 'lo' } });
      const office = await bind();
      try {
        const candidate = `a=candidate:1 1 udp 2130706431 127.0.0.1 ${office.address().port} typ host`;
        const offer = PUBLISHER_OFFER.replace(/(m=audio[^]*?)(a=mid:)/, `$1${candidate}\r\n$2`);
        assert.notEqual(offer, PUBLISHER_OFFER, 'candidate placed in the offer');
        const r = await post(relay, 'whip/TH-50', OFFICE, offer);
        assert.equal(r.status, 201, r.text);
        // Checks start as soon as the candidate is set; the session then
        // waits connect-timeout-s for ICE and ends.
        await waitFor(async () => office.stun > 0
          || (await getJson(`${relay.url}api/v1/provinces/TH-50`, { token: CHAIR })).state === 'offline',
        { timeoutMs: WAIT_MS, describe: 'a check, or the session ended' });
        return office.stun;
      } finally {
        office.close();
        await relay.stop();
        relay.cleanup();
      }
    };
    assert.ok(await scenario('none') > 0, 'allowed: the relay checks the office\'s candidate');
    assert.equal(await scenario('loopback'), 0, 'refused: no check at all');
  });

test('figures per office: past figures-burst a submission gets 429 rate-limited with its id, another office is served',
  { timeout: 300000 }, async () => {
    const relay = await start({ 'figures-per-minute': 1, 'figures-burst': 3 });
    try {
      const schema = await getJson(`${relay.url}api/v1/figures/schema`);
      const values = {};
      for (const f of schema.fields) {
        if (!f.required) continue;
        if (f.type === 'enum') values[f.name] = f.values[0];
        else if (f.type === 'text') values[f.name] = 'ปกติ';
        else values[f.name] = Math.max(0, Math.ceil(f.min ?? 0));
      }
      const date = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
      // Each submission different, so that each makes a version.
      const counted = schema.fields.find((f) => f.type === 'integer').name;
      const submit = (token, id, n = 0) => request(new URL('api/v1/reports', relay.url), {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'figures', id, date, values: { ...values, [counted]: n } }),
      });
      for (let i = 0; i < 3; i++) {
        const r = await submit(OFFICE, `th50-${i}`, i + 1);
        assert.ok(r.status === 201 || r.status === 200, r.text);
      }
      const limited = await submit(OFFICE, 'th50-too-many', 99);
      assert.equal(limited.status, 429, limited.text);
      assert.equal(limited.json.error, 'rate-limited');
      assert.equal(limited.json.id, 'th50-too-many');
      assert.match(limited.json.reason, /a minute/);
      const other = await submit(OTHER_OFFICE, 'th11-1');
      assert.equal(other.status, 201, other.text);
      // The refused one was not stored: TH-50 has three versions.
      const history = await getJson(`${relay.url}api/v1/reports/history?province=TH-50&date=${date}`, { token: CHAIR });
      assert.equal(history.versions?.length ?? history.history?.length, 3, JSON.stringify(history));
    } finally {
      await relay.stop();
      relay.cleanup();
    }
  });
