// The operations room in a real Chromium (web/ops.html): it plays
// /whep/mosaic at 1920x1080 with rising decoded frames, lists the 76 offices
// and the central room, and drives the conference with its buttons (the
// floor, the mutes, the layout), each checked in the relay's state
// (/api/v1/conference, /api/v1/outputs). It sends the room's own camera to
// /whip/central, which the relay decodes, and its level meters show the
// RFC 6464 levels the relay reports (/api/v1/provinces).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, getJson, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { getBrowser, closeBrowser, collectDiagnostics, rememberToken } from '../../tools/lib/browser.mjs';

const CHAIR = 'chair-token-for-ops';
const TEST_TIMEOUT_MS = 240000;

after(closeBrowser);

/**
 * A relay of its own (TH-50 configured, a chair) and a browser page on
 * ops.html started unattended with the chair's token; on failure the page's
 * console and the relay log are printed. The relay must exit cleanly.
 */
async function opsScenario(name, fn) {
  const relay = await startRelay({
    provinces: { 'TH-50': 'chiang-mai-token-for-ops' },
    extraConfig: { 'viewer chair': { role: 'chair', token: CHAIR } },
  });
  const publishers = [];
  const context = await (await getBrowser()).newContext();
  const page = await context.newPage();
  const diagnostics = collectDiagnostics(page);
  let failure = null;
  try {
    await fn({ relay, page, publishers });
    assert.equal(await page.textContent('#control-error'), '', 'no refusal shown by the page');
  } catch (e) {
    failure = e;
    process.stderr.write(`\n===== ${name} FAILED =====\n----- page console -----\n${diagnostics()}\n`);
    relay.dumpLog(`relay log (${name})`);
  } finally {
    await context.close().catch(() => null);
    for (const pub of publishers) {
      await pub.stop().catch(() => null);
    }
  }
  try {
    await relay.stop();
  } catch (e) {
    failure ??= e;
  }
  if (failure) {
    throw failure;
  }
  relay.cleanup();
}

const conference = (relay) => getJson(`${relay.url}api/v1/conference`);
const outputs = (relay) => getJson(`${relay.url}api/v1/outputs`);
// The chair's token: the decoded-frame and packet counters are details.
const participant = (relay, id) => getJson(`${relay.url}api/v1/provinces/${id}`, { token: CHAIR });

/** Waits until fn(value of get()) holds, and returns that value. */
function waitRelay(get, fn, describe, timeoutMs = 30000) {
  let last;
  return waitFor(async () => {
    last = await get();
    return fn(last) ? last : false;
  }, { timeoutMs, describe: () => `${describe} (last: ${JSON.stringify(last)})` });
}

/** The roster row's buttons and state as the page shows them. */
function row(page, id) {
  return page.evaluate((code) => {
    const tr = document.querySelector(`#roster tr[data-id="${code}"]`);
    if (!tr) {
      return null;
    }
    const mute = tr.querySelector('td:nth-child(5) button');
    const floor = tr.querySelector('td:nth-child(4) button');
    const bar = tr.querySelector('.meter > span');
    return {
      state: tr.dataset.state,
      floor: tr.classList.contains('floor'),
      floorButtonDisabled: floor ? floor.disabled : null,
      muted: mute.dataset.muted,
      muteText: mute.textContent,
      meterPercent: bar.style.width === '' ? null : parseFloat(bar.style.width),
    };
  }, id);
}

const clickMute = (page, id) => page.click(`#roster tr[data-id="${id}"] td:nth-child(5) button`);
const clickFloor = (page, id) => page.click(`#roster tr[data-id="${id}"] td:nth-child(4) button`);
const layoutPressed = (page) => page.evaluate(() => Object.fromEntries(
  [...document.querySelectorAll('[data-layout]')].map((b) => [b.dataset.layout, b.getAttribute('aria-pressed')])));

/** Waits for the page's roster row of id to satisfy fn. */
function waitRow(page, id, fn, describe) {
  let last;
  return waitFor(async () => {
    last = await row(page, id);
    return last && fn(last) ? last : false;
  }, { timeoutMs: 30000, describe: () => `${describe} (row ${id}: ${JSON.stringify(last)})` });
}

async function waitMosaicPlaying(page) {
  const frames = () => page.evaluate(() => {
    const v = document.getElementById('mosaic');
    return v.videoWidth === 1920 && v.videoHeight === 1080 ? v.getVideoPlaybackQuality().totalVideoFrames : 0;
  });
  const first = await waitFor(async () => {
    const n = await frames();
    return n > 10 ? n : false;
  }, { timeoutMs: 60000, describe: 'the mosaic playing at 1920x1080' });
  let now = first;
  await waitFor(async () => (now = await frames()) > first + 15,
    { timeoutMs: 60000, describe: () => `decoded frames keep rising (${first} -> ${now})` });
}

/** The meter's width for a level, as documented: -60..0 dBov fill 0..100 %. */
const meterPercent = (dbov) => Math.max(0, Math.min(100, ((dbov + 60) / 60) * 100));

test('ops.html plays the mosaic and drives the floor, the mutes and the layout', { timeout: TEST_TIMEOUT_MS }, async () => {
  await opsScenario('ops-control', async ({ relay, page, publishers }) => {
    publishers.push(startPublisher(relay, ['TH-50']));
    await rememberToken(page, CHAIR);
    await page.goto(`${relay.url}ops.html?autostart=1`);
    await waitMosaicPlaying(page);

    await waitFor(() => page.evaluate(() => document.querySelectorAll('#roster tr[data-id]').length === 77),
      { timeoutMs: 30000, describe: '76 offices and the central room listed' });
    await waitRelay(() => participant(relay, 'TH-50'), (p) => p.state === 'live', 'TH-50 live');
    await waitRow(page, 'TH-50', (r) => r.state === 'live', 'the roster shows TH-50 live');

    // At start: no floor, the grid, only the room unmuted; the page says so.
    assert.deepEqual(await conference(relay),
      { floor: null, floor_since: null, floor_held_ms: null, layout: 'mosaic', spotlight: null, unmuted: ['central'] });
    await waitRow(page, 'central', (r) => r.muted === 'false', 'central shown unmuted');
    await waitRow(page, 'TH-50', (r) => r.muted === 'true' && !r.floor, 'TH-50 shown muted, without the floor');
    assert.deepEqual(await layoutPressed(page), { mosaic: 'true', spotlight: 'false' });

    // --- the floor: TH-50 holds it, is unmuted and heard in the mix.
    await clickFloor(page, 'TH-50');
    await waitRelay(() => conference(relay), (c) => c.floor === 'TH-50' && c.unmuted.includes('TH-50'),
      'the floor given to TH-50 from the page');
    await waitRelay(() => outputs(relay), (o) => o.audio.members.includes('TH-50'), 'TH-50 in the audio mix');
    await waitRow(page, 'TH-50', (r) => r.floor && r.floorButtonDisabled && r.muted === 'false',
      'the roster shows TH-50 holding the floor, unmuted');

    // --- the mutes: TH-50 muted then unmuted again, the room muted.
    await clickMute(page, 'TH-50');
    await waitRelay(() => conference(relay), (c) => !c.unmuted.includes('TH-50'), 'TH-50 muted from the page');
    await waitRelay(() => outputs(relay), (o) => !o.audio.members.includes('TH-50'), 'TH-50 out of the mix');
    await waitRow(page, 'TH-50', (r) => r.muted === 'true' && r.muteText === 'เปิดไมค์',
      'TH-50\'s button then offers "เปิดไมค์" (unmute)');
    await clickMute(page, 'TH-50');
    await waitRelay(() => conference(relay), (c) => c.unmuted.includes('TH-50'), 'TH-50 unmuted from the page');
    await waitRelay(() => outputs(relay), (o) => o.audio.members.includes('TH-50'), 'TH-50 back in the mix');
    await waitRow(page, 'TH-50', (r) => r.muted === 'false', 'TH-50 shown unmuted');
    await clickMute(page, 'central');
    await waitRelay(() => conference(relay), (c) => !c.unmuted.includes('central'), 'the room muted from the page');
    await waitRelay(() => outputs(relay), (o) => !o.audio.members.includes('central'), 'the room out of the mix');
    await waitRow(page, 'central', (r) => r.muted === 'true', 'the room shown muted');

    // --- the layout: the spotlight on the floor holder, then the grid again.
    await page.click('[data-layout="spotlight"]');
    await waitRelay(() => conference(relay), (c) => c.layout === 'spotlight' && c.spotlight === 'TH-50',
      'the spotlight layout on TH-50 from the page');
    const spot = await waitRelay(() => outputs(relay), (o) => o.program.source === 'TH-50',
      'the program shows the floor holder in the spotlight');
    const area = (tile) => tile.width * tile.height;
    const big = spot.mosaic.tiles.find((tile) => tile.id === 'TH-50');
    assert.ok(big, 'TH-50 has a tile in the spotlight layout');
    assert.ok(spot.mosaic.tiles.every((tile) => tile === big || area(tile) < area(big)),
      `TH-50's tile is the largest: ${JSON.stringify(spot.mosaic.tiles.slice(0, 5))}`);
    await waitFor(async () => (await layoutPressed(page)).spotlight === 'true',
      { describe: 'the Spotlight button shown pressed' });

    await page.click('[data-layout="mosaic"]');
    await waitRelay(() => conference(relay), (c) => c.layout === 'mosaic', 'the grid layout from the page');
    const grid = await waitRelay(() => outputs(relay), (o) => o.program.source === 'central',
      'the program back on the room');
    assert.equal(grid.mosaic.tiles.length, 77, 'every office and the room in the grid');
    assert.equal(new Set(grid.mosaic.tiles.map((tile) => `${tile.width}x${tile.height}`)).size, 1,
      'tiles of one size in the grid');
    await waitFor(async () => (await layoutPressed(page)).mosaic === 'true',
      { describe: 'the Grid button shown pressed' });

    // --- the floor taken back: nobody holds it, TH-50 is muted.
    await page.click('#take-floor');
    await waitRelay(() => conference(relay), (c) => c.floor === null && !c.unmuted.includes('TH-50'),
      'the floor taken back from the page');
    await waitRow(page, 'TH-50', (r) => !r.floor && !r.floorButtonDisabled && r.muted === 'true',
      'the roster shows the floor free and TH-50 muted');
  });
});

test('ops.html sends the room\'s camera, which the relay decodes, and meters the room\'s level',
  { timeout: TEST_TIMEOUT_MS }, async () => {
    await opsScenario('ops-central', async ({ relay, page }) => {
      // The level of the room in every roster refresh the page received,
      // in order (-127: none, or the room not live).
      const reported = [];
      page.on('response', (r) => {
        if (new URL(r.url()).pathname === '/api/v1/provinces' && r.ok()) {
          const slot = reported.push(null) - 1;
          r.json().then((body) => {
            const c = body.central;
            reported[slot] = c.state === 'live' && c.audio ? c.audio.level_dbov : -127;
          }).catch(() => null);
        }
      });
      await rememberToken(page, CHAIR);
      await page.goto(`${relay.url}ops.html?autostart=1`);
      await waitMosaicPlaying(page);
      assert.equal(await page.isEnabled('#publish'), true, 'the room may send its camera once connected');
      assert.equal((await participant(relay, 'central')).state, 'offline');

      // --- the room's camera (Chromium's fake device) to /whip/central: the
      // relay decodes its frames and receives its audio.
      await page.click('#publish');
      const live = await waitRelay(() => participant(relay, 'central'),
        (c) => c.state === 'live' && c.video && c.video.frames_decoded > 0 && c.audio,
        'the room live with decoded video', 60000);
      assert.equal(live.code, 'central');
      assert.deepEqual([live.video.width, live.video.height], [1280, 720], 'the size ops.js asks the camera for');
      await waitRelay(() => participant(relay, 'central'),
        (c) => c.video.frames_decoded >= live.video.frames_decoded + 30 &&
          c.audio.packets_received >= live.audio.packets_received + 50,
        'the room\'s decoded frames and audio packets keep rising', 60000);
      const out = await outputs(relay);
      assert.equal(out.program.source, 'central', 'the provinces see the room');
      assert.ok(out.audio.members.includes('central'), 'the room is heard in the mix');
      await waitRow(page, 'central', (r) => r.state === 'live', 'the roster shows the room live');

      // --- the room's meter shows the levels the relay reports for it:
      // every width it takes (recorded as it changes) is the width of a
      // reported level, in the order of the reports. Chromium's fake
      // microphone beeps, so the level comes and goes.
      await page.evaluate(() => {
        const bar = document.querySelector('#roster tr[data-id="central"] .meter > span');
        const pct = (style) => {
          const m = /width:\s*([\d.]+)%/.exec(style || '');
          return m ? Number(m[1]) : null;
        };
        window.meterLog = [];
        window.meterNow = () => pct(bar.getAttribute('style'));
        new MutationObserver((records) => window.meterLog.push(...records.map((r) => pct(r.oldValue))))
          .observe(bar, { attributes: true, attributeFilter: ['style'], attributeOldValue: true });
      });
      const dedupe = (xs) => xs.filter((x, i) => i === 0 || Math.abs(x - xs[i - 1]) > 0.01);
      let shown = [];
      let expected = [];
      await waitFor(async () => {
        const log = await page.evaluate(() => [...window.meterLog, window.meterNow()]);
        shown = dedupe(log.filter((x) => x !== null));
        const pending = reported.indexOf(null);
        expected = dedupe((pending < 0 ? reported : reported.slice(0, pending)).map(meterPercent));
        // shown must be a subsequence of expected (the page renders each report).
        let j = 0;
        for (const w of shown) {
          while (j < expected.length && Math.abs(expected[j] - w) > 0.01) {
            j++;
          }
          if (j++ >= expected.length) {
            return false;
          }
        }
        return shown.filter((w) => w > 0).length >= 3;
      }, {
        timeoutMs: 90000,
        describe: () => `the room's meter following its reported level: shown ${JSON.stringify(shown)}, ` +
          `reported ${JSON.stringify(expected)}`,
      });
      const offline = await row(page, 'TH-57');
      assert.equal(offline.meterPercent, 0, 'an office that is not live shows no level');

      // --- the room stops sending: it goes offline and its meter empties.
      await page.click('#publish');
      await waitRelay(() => participant(relay, 'central'), (c) => c.state === 'offline',
        'the room offline after "Stop our camera"');
      await waitRow(page, 'central', (r) => r.state === 'offline' && r.meterPercent === 0,
        'the roster shows the room offline, its meter empty');
    });
  });
