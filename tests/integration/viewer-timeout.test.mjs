// A WHEP viewer that stops sending RTCP is dropped (docs/API.md: "A viewer
// that sends no RTCP for 15 s is dropped"): /api/v1/viewers stops listing it
// and the events stream says so; a live viewer of the same province is kept.
// The viewer is made silent by stopping its process (SIGSTOP), which is what
// a frozen or vanished client looks like from the relay. How long the relay
// waits is not asserted, only that the drop happens, for the right viewer.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { startViewer } from '../../tools/lib/viewer.mjs';
import { openEvents } from '../../tools/lib/events.mjs';

// Stopping must end with exit status 0; how long it takes on a loaded
// machine is not what these tests are about.
const STOP_GRACE_MS = 60000;

const MINISTER = 'minister-viewer-timeout-token';
const CHAIR = 'chair-viewer-timeout-token';
const WALL = 'wall-display-viewer-timeout-token';
const cleanups = [];
after(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

const sessionOf = (viewer) => viewer.events.find((e) => e.event === 'answered')?.location.split('/').pop();

test('a viewer that stops sending RTCP is dropped; a live one is kept', { timeout: 180000 }, async () => {
  const relay = await startRelay({
    stopGraceMs: STOP_GRACE_MS,
    provinces: { 'TH-50': 'th50-viewer-timeout-token' },
    extraConfig: {
      'viewer minister': { role: 'minister', token: MINISTER },
      'viewer chair': { role: 'chair', token: CHAIR },
      'viewer wall': { role: 'viewer', token: WALL },
    },
  });
  cleanups.push(async () => {
    await relay.stop();
    relay.cleanup();
  });
  try {
    await scenario(relay);
  } catch (e) {
    relay.dumpLog('relay log', 150);
    throw e;
  }
});

async function scenario(relay) {
  const events = await openEvents(relay, { token: MINISTER });
  cleanups.push(() => events.close());
  // A wall display's stream: who watches what is for the chair and the
  // minister only (as GET /api/v1/viewers).
  const wallEvents = await openEvents(relay, { token: WALL });
  cleanups.push(() => wallEvents.close());
  const pub = startPublisher(relay, ['TH-50']);
  cleanups.push(() => pub.kill());
  await waitFor(async () => (await getJson(`${relay.url}api/v1/provinces/TH-50`)).state === 'live',
    { timeoutMs: 30000, describe: 'TH-50 live' });

  const url = `${relay.url}whep/province/TH-50`;
  const frozen = startViewer(url, MINISTER);
  cleanups.push(async () => {
    frozen.child.kill('SIGCONT');
    await frozen.finish();
  });
  const live = startViewer(url, CHAIR);
  cleanups.push(() => live.finish());
  for (const v of [frozen, live]) {
    await v.waitEvent((e) => e.event === 'first-frame' && e.media === 'video',
      { timeoutMs: 30000, describe: 'the viewer\'s first frame' });
  }
  const frozenId = sessionOf(frozen);
  const liveId = sessionOf(live);
  assert.ok(frozenId && liveId && frozenId !== liveId);

  // Both announced and listed.
  for (const [id, name] of [[frozenId, 'minister'], [liveId, 'chair']]) {
    const joined = await events.waitFor((e) => e.type === 'viewer' && e.session === id && e.state === 'joined',
      { describe: `the joined event of ${name}'s session` });
    assert.equal(joined.viewer, name);
    assert.equal(joined.source, 'TH-50');
  }
  const listed = async () => {
    const r = await request(`${relay.url}api/v1/viewers`, { headers: { Authorization: `Bearer ${MINISTER}` } });
    assert.equal(r.status, 200, r.text);
    return r.json.viewers.map((v) => v.session);
  };
  assert.deepEqual((await listed()).sort(), [frozenId, liveId].sort());
  // A public event after the viewer events (the chair gives the floor)
  // reaches the wall display; the viewer events before it never did.
  const give = await request(`${relay.url}api/v1/conference/floor`, {
    method: 'PUT', headers: { Authorization: `Bearer ${CHAIR}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ province: 'TH-50' }),
  });
  assert.equal(give.status, 200, give.text);
  await wallEvents.waitFor((e) => e.type === 'floor', { describe: 'the floor event on the wall display' });
  assert.ok(wallEvents.events.some((e) => e.type === 'province-state' && e.province === 'TH-50'),
    'the wall display sees the public state');
  assert.ok(!wallEvents.events.some((e) => e.type === 'viewer'),
    `no viewer events for the wall display: ${JSON.stringify(wallEvents.events.filter((e) => e.type === 'viewer'))}`);

  // The minister's viewer freezes: no more RTCP (nor anything else).
  frozen.child.kill('SIGSTOP');
  const left = await events.waitFor((e) => e.type === 'viewer' && e.session === frozenId && e.state === 'left',
    { timeoutMs: 90000, describe: 'the frozen viewer dropped' });
  assert.equal(left.viewer, 'minister');
  assert.match(left.reason, /RTCP/, 'dropped for its missing RTCP');
  assert.deepEqual(await listed(), [liveId], 'only the live viewer is listed');

  // The live viewer was not dropped with it and keeps receiving.
  assert.ok(!events.events.some((e) => e.type === 'viewer' && e.session === liveId && e.state === 'left'),
    'no left event for the live viewer');
  const at = live.lastStats()?.video_frames ?? 0;
  await live.waitFor((s) => s.video_frames > at, 30000, { fresh: true, describe: 'the live viewer\'s frames rising' });
  assert.deepEqual(await listed(), [liveId]);
}
