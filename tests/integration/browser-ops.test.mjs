// The operations room in a real Chromium (web/ops.html): it plays
// /whep/mosaic at 1920x1080 with rising decoded frames, lists the 76 offices
// and the central room, publishes the room's own camera to /whip/central,
// and gives the floor with a click.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, getJson, waitFor } from './lib/relay.mjs';
import { startPublisher } from './lib/publisher.mjs';
import { getBrowser, closeBrowser, collectDiagnostics } from './lib/browser.mjs';

const CHAIR = 'chair-token-for-ops';
let relay;
before(async () => {
  relay = await startRelay({
    provinces: { 'TH-50': 'chiang-mai-token-for-ops' },
    extraConfig: { 'viewer chair': { role: 'chair', token: CHAIR } },
  });
});
after(async () => {
  await closeBrowser();
  await relay.stop();
});

test('ops.html plays the mosaic at 1920x1080 and drives the floor', { timeout: 120000 }, async () => {
  const pub = startPublisher(relay, ['TH-50']);
  const browser = await getBrowser();
  const context = await browser.newContext();
  const page = await context.newPage();
  const diagnostics = collectDiagnostics(page);
  try {
    await page.goto(`${relay.url}ops.html?token=${CHAIR}&autostart=1`);
    const video = await waitFor(() => page.evaluate(() => {
      const v = document.getElementById('mosaic');
      const q = v.getVideoPlaybackQuality();
      return v.videoWidth === 1920 && v.videoHeight === 1080 && q.totalVideoFrames > 10
        ? { frames: q.totalVideoFrames, time: v.currentTime } : null;
    }), { timeoutMs: 30000, describe: 'the mosaic playing at 1920x1080' }).catch((e) => {
      throw new Error(`${e.message}\n${diagnostics()}`);
    });
    await waitFor(() => page.evaluate((n) =>
      document.getElementById('mosaic').getVideoPlaybackQuality().totalVideoFrames > n + 15, video.frames),
    { timeoutMs: 10000, describe: 'decoded frames keep rising' });

    await waitFor(() => page.evaluate(() => document.querySelectorAll('#roster tr').length === 77),
      { timeoutMs: 10000, describe: '76 offices and the central room listed' });
    await waitFor(async () => (await getJson(`${relay.url}api/v1/provinces/TH-50`)).state === 'live',
      { timeoutMs: 20000, describe: 'TH-50 live' });

    await page.click('#roster tr[data-id="TH-50"] td:nth-child(4) button');
    await waitFor(async () => (await getJson(`${relay.url}api/v1/conference`)).floor === 'TH-50',
      { describe: 'the floor given from the page' });
    await waitFor(() => page.evaluate(() =>
      document.querySelector('#roster tr[data-id="TH-50"]').classList.contains('floor')),
    { describe: 'the roster shows the floor holder' });

    // The room's own camera (Chromium's fake device) to /whip/central.
    await page.click('#publish');
    const central = await waitFor(async () => {
      const all = await getJson(`${relay.url}api/v1/provinces`);
      return all.central.state === 'live' ? all.central : null;
    }, { timeoutMs: 30000, describe: 'the central room live from the page' });
    assert.equal(central.code, 'central');
  } finally {
    await context.close();
    await pub.stop();
  }
});
