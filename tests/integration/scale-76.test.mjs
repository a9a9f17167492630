// All 76 provincial offices at once: one webrtcbin process publishes the
// pre-encoded VP8 + Opus for every province of the roster, and the relay
// has every one of them live and decoding.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, getJson, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher, devTokensFile } from '../../tools/lib/publisher.mjs';

let relay;
let publishers;
before(async () => {
  relay = await startRelay({});
});
after(async () => {
  if (publishers) await publishers.stop();
  await relay.stop();
});

// Waits are generous (76 joins on a loaded 2-core machine take what they
// take; only a relay that never gets there runs into them): how fast they
// go live is bench/scale's figure, not this test's.
test('76 provinces live and decoding together', { timeout: 600000 }, async () => {
  const roster = (await getJson(`${relay.url}api/v1/provinces`)).provinces;
  assert.equal(roster.length, 76);
  const codes = roster.map((p) => p.code);
  publishers = startPublisher(relay, codes, { tokensFile: devTokensFile(relay), joinIntervalMs: 50 });

  const allLive = await waitFor(async () => {
    const list = (await getJson(`${relay.url}api/v1/provinces`, { token: relay.viewerToken })).provinces;
    const decoding = list.filter((p) => p.state === 'live' && p.video && p.video.frames_decoded > 0);
    return decoding.length === 76 ? list : null;
  }, {
    timeoutMs: 300000,
    intervalMs: 1000,
    describe: (v) => `76 live (publisher stderr: ${publishers.stderr().slice(-500)})`,
  });
  assert.equal(allLive.length, 76);

  // Every one keeps decoding: frames rise for all 76 (each province may
  // get there in its own time; the count is checked, not the time).
  const before = new Map(allLive.map((p) => [p.code, p.video.frames_decoded]));
  const risen = new Set();
  await waitFor(async () => {
    const list = (await getJson(`${relay.url}api/v1/provinces`, { token: relay.viewerToken })).provinces;
    for (const p of list) {
      if (p.state === 'live' && p.video.frames_decoded > before.get(p.code) + 10) risen.add(p.code);
    }
    return risen.size === 76;
  }, {
    timeoutMs: 180000,
    intervalMs: 1000,
    describe: () => `frames rising for all 76; not yet: ${[...before.keys()].filter((c) => !risen.has(c)).join(',')}`,
  });

  // The health summary agrees. Waited for, not read once: on an
  // overloaded machine an office can dip to "lost" for a moment between
  // two polls (its media late, not gone), and comes back by itself.
  const health = await waitFor(async () => {
    const h = await getJson(`${relay.url}api/v1/health`, { token: relay.viewerToken });
    return h.provinces.live === 76 ? h : null;
  }, { timeoutMs: 180000, intervalMs: 1000, describe: "health: 76 live" });
  assert.equal(health.provinces.live, 76);
  assert.equal(health.transport_threads, 2);
});
