// What the status documents show to whom (docs/API.md, "Status"), with a real
// office live: without a token, the state only; an office's token, its own
// connection in full and the others' state; a viewer's token (any role),
// everything. The public answers are searched as text for the live
// session's id and the office's address, not only for their keys, so that
// no other member (or a new one) carries them out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';

const TOKENS = {
  office: 'th50-status-token', // TH-50: publishes
  other: 'th11-status-token', // TH-11: offline
  wall: 'wall-status-token', // the lowest viewer role
};
const DOCUMENTS = ['api/v1/provinces/TH-50', 'api/v1/provinces', 'api/v1/health', 'api/v1/outputs'];
// Members only details carry: who connects from where, the path's timing,
// the counters, the process's own figures.
const DETAIL_MEMBERS = ['session', 'remote_address', 'srtp_profile', 'join_ms', 'rtt_ms',
  'frames_decoded', 'bytes_received', 'packets_received', 'packets_lost', 'nacks_sent', 'plis_sent',
  'bitrate_kbps', 'decoded_level_dbov', 'version', 'uptime_s', 'transport_threads', 'threads', 'cpu_s',
  'max_rss_kib', 'frames', 'frames_in', 'keyframes_forced', 'latency_p50_ms', 'viewers', 'underruns',
  'recording'];

let relay;
let publisher;
let live; // TH-50 as a viewer sees it, once live and decoding

before(async () => {
  relay = await startRelay({
    provinces: { 'TH-50': TOKENS.office, 'TH-11': TOKENS.other },
    extraConfig: { 'viewer wall': { role: 'viewer', token: TOKENS.wall } },
  });
  publisher = startPublisher(relay, ['TH-50']);
  live = await waitFor(async () => {
    const s = await getJson(`${relay.url}api/v1/provinces/TH-50`, { token: TOKENS.wall });
    return s.state === 'live' && s.remote_address && s.video?.frames_decoded > 0 ? s : null;
  }, { timeoutMs: 60000, describe: 'TH-50 live with an address and decoded frames' });
});
after(async () => {
  await publisher?.kill();
  await relay?.stop();
  relay?.cleanup();
});

async function read(target, token) {
  const res = await request(new URL(target, relay.url), {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  assert.equal(res.status, 200, `GET ${target}: ${res.text.slice(0, 300)}`);
  return res;
}

/* Nothing of the details anywhere in the text. */
function assertPublicOnly(res, what) {
  assert.ok(!res.text.includes(live.session), `${what} shows the session id: ${res.text}`);
  assert.ok(!res.text.includes(live.remote_address), `${what} shows the office's address: ${res.text}`);
  for (const key of DETAIL_MEMBERS) {
    assert.ok(!res.text.includes(`"${key}"`), `${what} shows "${key}": ${res.text}`);
  }
}

test('a viewer sees every detail of a live office and of the relay', async () => {
  assert.match(live.session, /^[0-9a-f]{16,}$/);
  assert.match(live.remote_address, /.:\d+$/, 'an address and a port'); // whichever local address ICE picked
  for (const key of ['srtp_profile', 'join_ms', 'rtt_ms']) assert.ok(key in live, key);
  const health = (await read('api/v1/health', TOKENS.wall)).json;
  for (const key of ['version', 'uptime_s', 'transport_threads', 'threads', 'cpu_s', 'max_rss_kib']) {
    assert.ok(key in health, `health ${key}`);
  }
  const outputs = (await read('api/v1/outputs', TOKENS.wall)).json;
  assert.ok(Number.isInteger(outputs.mosaic.frames) && 'latency_p50_ms' in outputs.mosaic);
  assert.ok('underruns' in outputs.audio && 'recording' in outputs);
  const list = (await read('api/v1/provinces', TOKENS.wall)).json;
  assert.equal(list.provinces.find((p) => p.code === 'TH-50').session, live.session);
});

test('without a token: the state, nothing that says who connects from where nor how the relay runs', async () => {
  for (const target of DOCUMENTS) assertPublicOnly(await read(target), `${target} without a token`);
  const one = (await read('api/v1/provinces/TH-50')).json;
  assert.equal(one.state, 'live');
  assert.equal(one.transport, 'connected');
  assert.equal(typeof one.since, 'string');
  assert.deepEqual([one.video.codec, one.video.width, one.video.height], ['VP8', 640, 360]);
  assert.equal(one.audio.codec, 'opus');
  assert.equal(typeof one.audio.level_dbov, 'number');
  const health = (await read('api/v1/health')).json;
  assert.equal(health.status, 'ok');
  assert.equal(health.provinces.live, 1);
  const outputs = (await read('api/v1/outputs')).json;
  assert.ok(outputs.mosaic.tiles.some((t) => t.id === 'TH-50'), 'the tiles stay public');
  assert.equal(outputs.program.source, 'central');
});

test('an office sees its own connection, never another office\'s', async () => {
  const own = await read('api/v1/provinces/TH-50', TOKENS.office);
  assert.equal(own.json.session, live.session);
  assert.equal(own.json.remote_address, live.remote_address);
  assert.ok(own.json.video.frames_decoded > 0);
  const list = (await read('api/v1/provinces', TOKENS.office)).json;
  assert.equal(list.provinces.find((p) => p.code === 'TH-50').session, live.session);
  assert.ok(!('session' in list.provinces.find((p) => p.code === 'TH-11')), 'TH-11 public only');
  assert.ok(!('session' in list.central), 'the central room public only');
  // The relay's own figures are no office's.
  for (const target of ['api/v1/health', 'api/v1/outputs']) {
    assertPublicOnly(await read(target, TOKENS.office), `${target} with TH-50's token`);
  }
  // TH-11's token: TH-50 public only, wherever it appears.
  for (const target of DOCUMENTS) {
    const res = await read(target, TOKENS.other);
    assert.ok(!res.text.includes(live.session), `${target} with TH-11's token shows TH-50's session`);
    assert.ok(!res.text.includes(live.remote_address), `${target} with TH-11's token shows TH-50's address`);
  }
  assertPublicOnly(await read('api/v1/provinces/TH-50', TOKENS.other), 'TH-50 with TH-11\'s token');
  const itself = (await read('api/v1/provinces/TH-11', TOKENS.other)).json;
  assert.equal(itself.session, null, 'its own (empty) session');
});

test('a token of nobody is refused, as wherever a token is read', async () => {
  for (const target of DOCUMENTS) {
    const res = await request(new URL(target, relay.url), { headers: { Authorization: 'Bearer not-a-token-at-all' } });
    assert.equal(res.status, 401, target);
    assert.equal(res.json?.error, 'unauthorized');
    assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  }
});
