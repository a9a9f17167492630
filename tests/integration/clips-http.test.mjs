// GET and HEAD /api/v1/clips/<id>.ogg on a real clip (docs/API.md, Spoken
// status): the whole file, single ranges (206), unsatisfiable ones (416),
// and the headers the relay ignores as RFC 9110 allows (malformed, several
// ranges: 200 with the whole file).
//
// The clip is a real floor turn: a whip-publish office holds the floor for a
// moment and the chair takes it back.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { openEvents } from '../../tools/lib/events.mjs';

// Stopping must end with exit status 0; how long it takes on a loaded
// machine is not what these tests are about.
const STOP_GRACE_MS = 60000;

const CHAIR = 'chair-clips-token';
const VIEWER = 'room-clips-token';
let relay;
let publisher;
let clip; // the clip event
let whole; // Buffer: the file

async function put(path, body, method = 'PUT') {
  const res = await request(`${relay.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${CHAIR}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(res.status, 200, `${method} ${path}: ${res.text}`);
}

before(async () => {
  relay = await startRelay({
    stopGraceMs: STOP_GRACE_MS,
    provinces: { 'TH-50': 'th50-clips-token' },
    extraConfig: {
      'viewer chair': { role: 'chair', token: CHAIR },
      'viewer room': { role: 'viewer', token: VIEWER },
    },
  });
  const events = await openEvents(relay);
  try {
    publisher = startPublisher(relay, ['TH-50']);
    await waitFor(async () => (await getJson(`${relay.url}api/v1/provinces/TH-50`)).state === 'live',
      { timeoutMs: 30000, describe: 'TH-50 live' });
    await put('api/v1/conference/floor', { province: 'TH-50' });
    // Some audio in the turn (a turn without audio leaves no clip).
    const packets = async () => (await getJson(`${relay.url}api/v1/provinces/TH-50`, { token: VIEWER })).audio.packets_received;
    const at = await packets();
    await waitFor(async () => (await packets()) > at + 50,
      { timeoutMs: 30000, describe: 'audio during the floor turn' });
    await put('api/v1/conference/floor', undefined, 'DELETE');
    clip = await events.waitFor((e) => e.type === 'clip' && e.province === 'TH-50',
      { timeoutMs: 60000, describe: 'the clip event of the turn' });
  } finally {
    events.close();
  }
  const res = await fetch(`${relay.url}${clip.url.slice(1)}`, { headers: { Authorization: `Bearer ${VIEWER}` } });
  assert.equal(res.status, 200);
  whole = Buffer.from(await res.arrayBuffer());
  assert.ok(whole.length > 100, `a clip of ${whole.length} bytes`);
});

after(async () => {
  await publisher?.kill();
  if (relay) {
    await relay.stop();
    relay.cleanup();
  }
});

/* A request for the clip (with the viewer's token unless `token` is null):
 * {status, headers, body (Buffer)}. */
async function get(range, { method = 'GET', url, token = VIEWER } = {}) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  if (range !== undefined) headers.Range = range;
  const res = await fetch(url ?? `${relay.url}${clip.url.slice(1)}`, { method, headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

test('GET: the whole Ogg file with its headers', async () => {
  const r = await get();
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'audio/ogg');
  assert.equal(r.headers.get('accept-ranges'), 'bytes');
  assert.equal(Number(r.headers.get('content-length')), whole.length);
  assert.equal(r.headers.get('content-range'), null);
  assert.equal(r.body.subarray(0, 4).toString('latin1'), 'OggS');
  assert.ok(r.body.equals(whole));
  // An office's voice: no cache may keep it.
  assert.equal(r.headers.get('cache-control'), 'no-store');
  // The listing names the same file, with a signed link that plays it
  // without a token (as an <audio src> fetches it).
  const list = await getJson(`${relay.url}api/v1/clips?date=${clip.date}&province=TH-50`, { token: VIEWER });
  const row = list.clips.find((c) => c.id === clip.id);
  assert.ok(row, `clip ${clip.id} listed`);
  assert.equal(row.bytes, whole.length);
  assert.match(row.url, new RegExp(`^${clip.url}\\?scope=all&expires=\\d+&sig=[0-9a-f]{64}$`));
  const linked = await get(undefined, { url: `${relay.url}${row.url.slice(1)}`, token: null });
  assert.equal(linked.status, 200);
  assert.ok(linked.body.equals(whole));
  // A token in the URL is refused, not read (docs/API.md, "Limits and refusals").
  const inUrl = await get(undefined, { url: `${relay.url}${clip.url.slice(1)}?token=${VIEWER}`, token: null });
  assert.equal(inUrl.status, 400);
  assert.equal(JSON.parse(inUrl.body.toString()).error, 'token-in-url');
});

test('HEAD: the same headers as GET, no body', async () => {
  const r = await get(undefined, { method: 'HEAD' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'audio/ogg');
  assert.equal(r.headers.get('accept-ranges'), 'bytes');
  assert.equal(Number(r.headers.get('content-length')), whole.length);
  assert.equal(r.body.length, 0);

  const part = await get('bytes=0-9', { method: 'HEAD' });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 0-9/${whole.length}`);
  assert.equal(Number(part.headers.get('content-length')), 10);
  assert.equal(part.body.length, 0);

  const none = await get('bytes=-0', { method: 'HEAD' });
  assert.equal(none.status, 416);
  assert.equal(none.headers.get('content-range'), `bytes */${whole.length}`);

  const gone = await get(undefined, { method: 'HEAD', url: `${relay.url}api/v1/clips/999999.ogg` });
  assert.equal(gone.status, 404);
  assert.equal(gone.body.length, 0);
});

test('single ranges: 206 with exactly those bytes', async () => {
  const size = whole.length;
  const cases = [
    ['bytes=0-9', 0, 9],
    ['bytes=10-', 10, size - 1],
    ['bytes=-16', size - 16, size - 1],
    [`bytes=${size - 1}-`, size - 1, size - 1],
    ['bytes=5-999999999', 5, size - 1], // the end clamped to the file
    ['bytes=-999999999', 0, size - 1], // a suffix longer than the file: all of it
    ['BYTES=2-3', 2, 3], // the unit is case-insensitive (RFC 9110 14.1)
  ];
  for (const [range, first, last] of cases) {
    const r = await get(range);
    assert.equal(r.status, 206, range);
    assert.equal(r.headers.get('content-range'), `bytes ${first}-${last}/${size}`, range);
    assert.equal(r.headers.get('content-type'), 'audio/ogg', range);
    assert.equal(Number(r.headers.get('content-length')), last - first + 1, range);
    assert.ok(r.body.equals(whole.subarray(first, last + 1)), `${range}: the bytes ${first}-${last}`);
  }
});

test('unsatisfiable ranges: 416 with Content-Range bytes */size', async () => {
  const size = whole.length;
  for (const range of ['bytes=-0', `bytes=${size}-`, `bytes=${size + 100}-${size + 200}`]) {
    const r = await get(range);
    assert.equal(r.status, 416, range);
    assert.equal(r.headers.get('content-range'), `bytes */${size}`, range);
    const body = JSON.parse(r.body.toString('utf8'));
    assert.equal(body.error, 'range-not-satisfiable', range);
  }
});

test('malformed headers and several ranges are ignored: 200, the whole file', async () => {
  for (const range of ['bytes=a-', 'bytes=a-b', 'bytes=-', 'bytes=', 'bytes=9-3', 'bytes=1-2x',
    'items=0-9', '0-9', 'bytes=0-1,4-5', 'bytes=-0,0-1', 'bytes=0--1',
    // Overlapping ranges would make a multipart answer many times the file.
    `bytes=${Array(200).fill('0-').join(',')}`]) {
    const r = await get(range);
    assert.equal(r.status, 200, range);
    assert.equal(r.headers.get('content-type'), 'audio/ogg', range);
    assert.equal(r.headers.get('content-range'), null, range);
    assert.ok(r.body.equals(whole), `${range}: the whole file`);
  }
});

test('unknown clips: 404 on GET, for ids and names that are not clips', async () => {
  for (const name of ['999999.ogg', '0.ogg', '-1.ogg', `${clip.id}.mp3`, `${clip.id}`, 'x.ogg']) {
    const r = await get(undefined, { url: `${relay.url}api/v1/clips/${name}` });
    assert.equal(r.status, 404, name);
    assert.equal(JSON.parse(r.body.toString('utf8')).error, 'not-found', name);
  }
});
