// The SFU path: /whep/province/<code> forwards the province's own encoded
// media to the minister without transcoding, relays the viewer's PLI to the
// publisher, and switches cleanly when the publisher reconnects.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher, MEDIA_DIR } from '../../tools/lib/publisher.mjs';
import { startViewer } from '../../tools/lib/viewer.mjs';

const REFERENCE = path.join(MEDIA_DIR, 'vp8-640x360.ivf');
const MINISTER = 'minister-token-for-tests';
let relay;
before(async () => {
  relay = await startRelay({
    provinces: { 'TH-50': 'chiang-mai-token', 'TH-57': 'chiang-rai-token' },
    extraConfig: {
      'viewer minister': { role: 'minister', token: MINISTER },
      'viewer room': { role: 'viewer', token: 'room-display-token' },
    },
  });
});
after(async () => {
  await relay.stop();
});

const whep = (code) => `${relay.url}whep/province/${code}`;

test('the minister receives the publisher\'s own VP8 frames, byte for byte', async () => {
  const pub = startPublisher(relay, ['TH-50']);
  try {
    await waitFor(async () => (await getJson(`${relay.url}api/v1/provinces/TH-50`)).state === 'live',
      { timeoutMs: 60000, describe: 'TH-50 live' });
    const viewer = startViewer(whep('TH-50'), MINISTER, { referenceIvf: REFERENCE, requestKeyframeAt: [2] });
    await viewer.waitEvent((e) => e.event === 'first-frame' && e.media === 'video',
      { timeoutMs: 60000, describe: 'first forwarded video frame' });
    assert.ok(viewer.events.some((e) => e.event === 'stream' && e.media === 'video' && e['encoding-name'] === 'VP8'));
    // The viewer asks for a keyframe 2 s after its first frame; the relay
    // passes it on as a PLI to the publisher.
    const maxCount = () => Math.max(0, ...pub.events
      .filter((e) => e.event === 'keyframe-request').map((e) => e.count));
    await viewer.waitEvent((e) => e.event === 'keyframe-requested', { timeoutMs: 60000 });
    const countBefore = maxCount();
    await waitFor(() => maxCount() > countBefore, {
      timeoutMs: 60000, describe: 'the publisher sees the viewer\'s keyframe request',
    });
    await waitFor(() => (viewer.lastStats()?.received_frames ?? 0) >= 30,
      { timeoutMs: 60000, describe: '30 frames forwarded' });
    // The relay's own account of it, for the chair and the minister only.
    const list = await waitFor(async () => {
      const r = await request(`${relay.url}api/v1/viewers`, { headers: { Authorization: `Bearer ${MINISTER}` } });
      const v = r.json?.viewers?.find((x) => x.province === 'TH-50');
      // Snapshots refresh once a second: wait for the PLI count too.
      return v && v.forward_p99_us !== null && v.video_packets > 100 && v.plis_received >= 1 ? v : null;
    }, { timeoutMs: 60000, describe: 'the viewer in /api/v1/viewers with latency figures and its PLI' });
    assert.equal(list.viewer, 'minister');
    assert.ok(list.forward_p50_us <= list.forward_p99_us);
    // The NACK cache follows the stream: 2 s of a 640x360 province fits in
    // 128-256 slots, not the 2048 a 1080p mosaic may need.
    assert.ok(list.retransmission_cache_slots >= 128 && list.retransmission_cache_slots <= 512,
      `retransmission cache of ${list.retransmission_cache_slots} slots`);
    const refused = await request(`${relay.url}api/v1/viewers`, { headers: { Authorization: 'Bearer room-display-token' } });
    assert.equal(refused.status, 403);
    const { summary } = await viewer.finish();
    const v = summary.per_viewer[0];
    assert.equal(v.width, 640);
    assert.equal(v.height, 360);
    assert.ok(v.received_frames >= 30);
    assert.equal(v.unmatched_frames, 0, 'every forwarded frame is one of the publisher\'s');
    assert.equal(v.matched_reference_frames, v.received_frames);
    assert.ok(v.audio_frames > 0, 'audio forwarded too');
  } finally {
    await pub.stop();
  }
});

test('a publisher reconnect switches the viewer cleanly, on a keyframe', async () => {
  let pub = startPublisher(relay, ['TH-57']);
  const viewer = startViewer(whep('TH-57'), MINISTER, { referenceIvf: REFERENCE, logKeyframes: true });
  try {
    await waitFor(() => (viewer.lastStats()?.received_frames ?? 0) >= 10,
      { timeoutMs: 60000, describe: 'frames before the reconnect' });
    await pub.kill();
    // Once the relay calls TH-57 lost, nothing of the old publisher is on
    // its way any more: the next stats event counts all of its frames.
    await waitFor(async () => (await getJson(`${relay.url}api/v1/provinces/TH-57`)).state === 'lost',
      { timeoutMs: 60000, describe: 'TH-57 lost' });
    const beforeSwitch = (await viewer.waitFor(() => true, 60000, { fresh: true })).received_frames;
    // The new publisher starts mid-GOP, as a reconnecting camera may: the
    // relay must hold its delta frames back until its next key frame.
    pub = startPublisher(relay, ['TH-57'], { startFrame: 1 });
    await waitFor(() => (viewer.lastStats()?.received_frames ?? 0) >= beforeSwitch + 20,
      { timeoutMs: 60000, describe: 'frames after the reconnect, same viewer session' });
    // The viewer resumes on the new publisher's key frame: the first frame
    // after the switch is one (a delta frame would reference pictures the
    // viewer never had).
    const resumed = await viewer.waitEvent((e) => e.event === 'keyframe-received' && e.frame > beforeSwitch,
      { timeoutMs: 60000, describe: `a key frame after frame ${beforeSwitch}, the old publisher's last` });
    assert.equal(resumed.frame, beforeSwitch + 1,
      `the first frame after the switch (frame ${beforeSwitch + 1}) is a key frame`);
    const { summary } = await viewer.finish();
    assert.equal(summary.per_viewer[0].unmatched_frames, 0, 'no broken frame across the switch');
  } finally {
    await viewer.finish();
    await pub.stop();
  }
});

test('who may watch a single province, and bad requests', async () => {
  const offerViewer = startViewer(whep('TH-50'), 'room-display-token', { expectStatus: 403 });
  const r1 = await offerViewer.exited;
  assert.equal(r1.code, 0, `viewer role refused with 403: ${offerViewer.stderr()}`);
  const province = startViewer(whep('TH-50'), 'chiang-mai-token', { expectStatus: 403 });
  assert.equal((await province.exited).code, 0, 'a province token is refused with 403');
  const nobody = startViewer(whep('TH-50'), null, { expectStatus: 401 });
  assert.equal((await nobody.exited).code, 0, 'no token: 401');

  const post = (url, body, token = MINISTER, type = 'application/sdp') => request(url, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': type }, body,
  });
  assert.equal((await post(whep('TH-99'), 'v=0')).status, 404);
  assert.equal((await post(whep('TH-50'), 'not sdp at all')).status, 400);
  assert.equal((await post(whep('TH-50'), '{}', MINISTER, 'application/json')).status, 415);
  assert.equal((await post(`${relay.url}whep/elsewhere`, 'v=0')).status, 404);
  assert.equal((await request(whep('TH-50'), { method: 'GET' })).status, 405);
  const health = await getJson(`${relay.url}api/v1/health`);
  assert.equal(health.status, 'ok');
});
