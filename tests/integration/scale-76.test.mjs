// All 76 provincial offices at once: one webrtcbin process publishes the
// pre-encoded VP8 + Opus for every province of the roster, and the relay
// has every one of them live and decoding.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, getJson, waitFor } from './lib/relay.mjs';
import { startPublisher, devTokensFile } from './lib/publisher.mjs';

let relay;
let publishers;
before(async () => {
  relay = await startRelay({});
});
after(async () => {
  if (publishers) await publishers.stop();
  await relay.stop();
});

test('76 provinces live and decoding together', { timeout: 240000 }, async () => {
  const roster = (await getJson(`${relay.url}api/v1/provinces`)).provinces;
  assert.equal(roster.length, 76);
  const codes = roster.map((p) => p.code);
  publishers = startPublisher(relay, codes, { tokensFile: devTokensFile(relay), joinIntervalMs: 50 });

  const allLive = await waitFor(async () => {
    const list = (await getJson(`${relay.url}api/v1/provinces`)).provinces;
    const decoding = list.filter((p) => p.state === 'live' && p.video && p.video.frames_decoded > 0);
    return decoding.length === 76 ? list : null;
  }, {
    timeoutMs: 120000,
    intervalMs: 1000,
    describe: (v) => `76 live (publisher stderr: ${publishers.stderr().slice(-500)})`,
  });
  assert.equal(allLive.length, 76);

  // Every one keeps decoding: frames rise for all 76 over a few seconds.
  const before = new Map(allLive.map((p) => [p.code, p.video.frames_decoded]));
  await waitFor(async () => {
    const list = (await getJson(`${relay.url}api/v1/provinces`)).provinces;
    const rising = list.filter((p) => p.state === 'live' && p.video.frames_decoded > before.get(p.code) + 10);
    return rising.length === 76;
  }, { timeoutMs: 30000, intervalMs: 1000, describe: 'frames rising for all 76' });

  const health = await getJson(`${relay.url}api/v1/health`);
  assert.equal(health.provinces.live, 76);
  assert.equal(health.transport_threads, 2);
});
