// End-to-end: a real (headless) Chromium watches one province through
// web/watch.html with WHEP (POST /whep/province/<code>) while the webrtcbin
// test publisher sends pre-encoded 640x360 VP8 + Opus to the relay with WHIP.
// The browser must decode the forwarded frames, keep its viewer session across
// a publisher restart, switch provinces, and show refusals without retrying.
//
// Needs: build/briefing-relay (or BRIEFING_RELAY), build/tests/tools/whip-publish
// and var/test-media (scripts/setup), Chromium at /usr/bin/chromium (or
// CHROMIUM_PATH), `npm ci` (playwright-core; no browser download).
// Nothing is skipped: a missing piece fails the test with a message.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startRelay, getJson, request, waitFor, sleep } from './lib/relay.mjs';
import { startPublisher } from './lib/publisher.mjs';
import { getBrowser, closeBrowser } from './lib/browser.mjs';

const TH50_TOKEN = 'chiang-mai-token-for-watch';
const MINISTER_TOKEN = 'minister-token-for-watch';
const ROOM_TOKEN = 'room-display-token-for-watch';
const LIVE_SCREENSHOT = '/tmp/watch-live.png';
const TEST_TIMEOUT_MS = 180000;

/* ------------------------------------------------------------- browser */

after(closeBrowser);

/* ------------------------------------------------------------- helpers */

function attachDiagnostics(page) {
  const lines = [];
  const pageErrors = [];
  const whepRequests = [];
  page.on('console', (msg) => lines.push(`[console.${msg.type()}] ${msg.text()} ` +
    `${msg.location()?.url ?? ''}`));
  page.on('pageerror', (err) => {
    pageErrors.push(err);
    lines.push(`[pageerror] ${err.stack || err.message}`);
  });
  page.on('requestfailed', (req) =>
    lines.push(`[requestfailed] ${req.method()} ${req.url()} ${req.failure()?.errorText ?? ''}`));
  page.on('request', (req) => {
    if (new URL(req.url()).pathname.startsWith('/whep/')) {
      whepRequests.push({ method: req.method(), url: req.url() });
    }
  });
  page.on('response', (res) => {
    const p = new URL(res.url()).pathname;
    if (res.status() >= 400 || p.startsWith('/whep/')) {
      lines.push(`[http ${res.status()}] ${res.request().method()} ${res.url()}`);
    }
  });
  return { lines, pageErrors, whepRequests };
}

/** The page's test hook, visible state and <video> element. */
function pageSnapshot(page) {
  return page.evaluate(() => {
    const w = window.briefingWatch;
    const v = document.getElementById('video');
    const q = v && v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : null;
    return {
      state: w ? w.state : undefined,
      location: w ? w.location : undefined,
      lastError: w ? w.lastError : undefined,
      pcConnectionState: w && w.pc ? w.pc.connectionState : null,
      stats: w ? w.stats : undefined,
      stateText: document.getElementById('state-text')?.textContent ?? null,
      stateDetail: document.getElementById('state-detail')?.textContent ?? null,
      dataState: document.getElementById('state')?.dataset.state ?? null,
      provinceState: document.getElementById('province-state')?.textContent ?? null,
      video: v ? {
        width: v.videoWidth,
        height: v.videoHeight,
        frames: q ? q.totalVideoFrames : null,
        dropped: q ? q.droppedVideoFrames : null,
        paused: v.paused,
        muted: v.muted,
        readyState: v.readyState,
        hasStream: Boolean(v.srcObject),
      } : null,
    };
  });
}

const decodedFrames = async (page) => (await pageSnapshot(page)).video.frames;

/** Asserts that the <video> shows new frames: at least `min` more in `ms`. */
async function assertFramesRise(page, label, { ms = 2000, min = 10 } = {}) {
  const a = await decodedFrames(page);
  await sleep(ms);
  const b = await decodedFrames(page);
  assert.ok(b - a >= min,
    `${label}: totalVideoFrames rose by ${b - a} in ${ms} ms (${a} -> ${b}), wanted >= ${min}`);
  return b;
}

const RELAY_CONFIG = {
  provinces: { 'TH-50': TH50_TOKEN },
  extraConfig: {
    'viewer minister': { role: 'minister', token: MINISTER_TOKEN },
    'viewer room': { role: 'viewer', token: ROOM_TOKEN },
  },
};

/** A TCP port that was free a moment ago (for a relay restarted on the same port). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Start a relay (TH-50 configured, a minister and a room-display viewer) and a
 * browser context, run fn, and on failure print the relay log tail, the
 * page's console and state, and keep a screenshot. The relay must exit with
 * status 0 on SIGTERM in every case. With opts.fixedPort, fn may call
 * ctx.restartRelay(): stop the relay and start a new one on the same port.
 */
async function scenario(t, name, fn, opts = {}) {
  const browser = await getBrowser();
  const port = opts.fixedPort ? await freePort() : 0;
  const config = {
    ...RELAY_CONFIG,
    extraConfig: { ...RELAY_CONFIG.extraConfig, relay: { 'http-port': port } },
  };
  const relays = [await startRelay(config)];
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'th-TH',
  });
  const page = await context.newPage();
  const diag = attachDiagnostics(page);
  const publishers = [];
  const ctx = {
    t,
    page,
    diag,
    publishers,
    get relay() {
      return relays[relays.length - 1];
    },
    async restartRelay() {
      await relays[relays.length - 1].stop();
      relays.push(await startRelay(config));
      return relays[relays.length - 1];
    },
  };
  let failure = null;
  try {
    await fn(ctx);
    assert.deepEqual(diag.pageErrors.map((e) => e.message), [], 'uncaught exceptions in the page');
  } catch (e) {
    failure = e;
    const relay = ctx.relay;
    if (relay.exitInfo !== null) {
      const { code, signal } = relay.exitInfo;
      failure.message = `the relay died during the test (code=${code}, signal=${signal}); ` +
        `then: ${failure.message}`;
    }
    const shot = path.join(relay.tmpDir, `${name}-failure.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => null);
    const snap = await pageSnapshot(page).catch((err) => `unavailable: ${err.message}`);
    process.stderr.write(`\n===== ${name} FAILED =====\n` +
      `page state: ${JSON.stringify(snap, null, 2)}\n` +
      `screenshot: ${shot}\n` +
      `----- page console (last 60) -----\n${diag.lines.slice(-60).join('\n')}\n`);
    for (const pub of publishers) {
      process.stderr.write(`----- publisher stderr (tail) -----\n${pub.stderr().slice(-3000)}\n`);
    }
    relays.forEach((r, i) => r.dumpLog(`relay log (${name}, relay ${i + 1})`));
  } finally {
    await context.close().catch(() => null);
    for (const pub of publishers) {
      await pub.stop().catch(() => null);
    }
  }
  for (const relay of relays) {
    try {
      await relay.stop();
    } catch (e) {
      if (failure) {
        failure.message += `\n(also: ${e.message.split('\n')[0]})`;
      } else {
        failure = e;
      }
    }
  }
  if (failure) {
    process.stderr.write(`kept ${relays.map((r) => r.tmpDir).join(', ')} for inspection\n`);
    throw failure;
  }
  relays.forEach((r) => r.cleanup());
}

const provinceStatus = (relay, code) => getJson(`${relay.url}api/v1/provinces/${code}`);

async function waitProvinceLive(relay, code) {
  await waitFor(async () => (await provinceStatus(relay, code)).state === 'live',
    { timeoutMs: 20000, describe: `${code} "live" in /api/v1/provinces/${code}` });
}

async function waitPageState(page, want, timeoutMs = 20000) {
  return waitFor(async () => {
    const s = await pageSnapshot(page);
    return s.state === want ? s : false;
  }, { timeoutMs, describe: (v) => `window.briefingWatch.state === "${want}" (last: ${JSON.stringify(v)})` });
}

/* --------------------------------------------------------------- tests */

test('the minister watches TH-50 in Chromium; the viewer survives a publisher restart',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await scenario(t, 'watch', async ({ t, relay, page, diag, publishers }) => {
      publishers.push(startPublisher(relay, ['TH-50']));
      await waitProvinceLive(relay, 'TH-50');

      await page.goto(`${relay.url}watch.html?province=TH-50`);
      assert.equal(await page.evaluate(() => window.briefingWatch.state), 'idle');
      assert.equal(await page.evaluate(() => Object.isFrozen(window.briefingWatch)), true,
        'window.briefingWatch is read-only');
      await waitFor(async () => (await page.inputValue('#province')) === 'TH-50',
        { timeoutMs: 5000, describe: 'province picker preselected with TH-50 from ?province=' });
      // The picker is filled from the status API, with each province's state.
      await waitFor(async () => /เชียงใหม่.*Chiang Mai.*live/.test(
        await page.textContent('#province option:checked')),
      { timeoutMs: 8000, describe: 'picker label "TH-50 เชียงใหม่ Chiang Mai — สด / live"' });
      assert.match(await page.textContent('#province-state'), /live/);
      assert.equal(await page.locator('#province option').count(), 78,
        'the 76 provinces, the mosaic and the placeholder');
      assert.equal(await page.locator('#province option[value="mosaic"]').count(), 1,
        'the mosaic can be picked too');

      await page.fill('#token', MINISTER_TOKEN);
      await page.click('#watch');

      // --- the page connects and the video element decodes 640x360 frames.
      const watching = await waitPageState(page, 'watching');
      assert.equal(watching.dataState, 'watching');
      assert.match(watching.stateText, /Watching/);
      assert.ok(watching.location && watching.location.startsWith(`${relay.url}whep/province/TH-50/`),
        `window.briefingWatch.location should be the session URL, got ${watching.location}`);
      const location = watching.location;
      await waitFor(async () => {
        const v = (await pageSnapshot(page)).video;
        return v.width === 640 && v.height === 360 ? v : false;
      }, { timeoutMs: 15000, describe: (v) => `<video> 640x360 (last: ${JSON.stringify(v)})` });
      let snap = await pageSnapshot(page);
      assert.equal(snap.video.paused, false, 'the video plays (autoplay, muted)');
      assert.equal(snap.video.muted, true, 'the video starts muted');
      const frames = await assertFramesRise(page, 'first publisher');
      t.diagnostic(`decoded ${frames} frames from the first publisher`);

      // --- receive stats from getStats inbound-rtp.
      const stats = await waitFor(async () => {
        const s = (await pageSnapshot(page)).stats;
        return s && s.width === 640 && s.height === 360 && s.bitrateKbps > 0 && s.fps > 0 ? s : false;
      }, { timeoutMs: 8000, describe: 'page receive stats (640x360, fps, bitrate)' });
      assert.equal(stats.codec, 'VP8', 'forwarded as the publisher sends it');
      assert.match(await page.textContent('#stat-resolution'), /640\s*×\s*360/);
      assert.match(await page.textContent('#stat-codec'), /VP8/);
      t.diagnostic(`page stats: ${JSON.stringify(stats)}`);
      assert.equal(await page.evaluate(() => localStorage.getItem('briefing.viewerToken')),
        MINISTER_TOKEN, 'the accepted token is remembered');

      // --- unmute (autoplay started muted).
      await page.click('#unmute');
      assert.equal((await pageSnapshot(page)).video.muted, false, 'unmuted');
      await waitFor(async () => /\/ Mute$/.test((await page.textContent('#unmute')).trim()),
        { timeoutMs: 2000, describe: 'the button then offers "ปิดเสียง / Mute"' });

      await page.screenshot({ path: LIVE_SCREENSHOT, fullPage: true });
      await page.screenshot({ path: path.join(relay.tmpDir, 'watch-live.png'), fullPage: true });

      // --- the publisher goes away (no DELETE): the relay marks TH-50 lost,
      // the picture stops, the viewer session stays.
      await publishers.pop().stop();
      await waitFor(async () => (await provinceStatus(relay, 'TH-50')).state === 'lost',
        { timeoutMs: 8000, describe: 'TH-50 "lost" after the publisher stopped' });
      const stalled = await decodedFrames(page);
      await sleep(1000);
      const stalledLater = await decodedFrames(page);
      assert.ok(stalledLater - stalled <= 2,
        `frames should stop without the publisher (${stalled} -> ${stalledLater})`);
      // The picker's state is refreshed (every 5 s) and the page says why
      // there is no picture.
      await waitFor(async () => /lost/.test(await page.textContent('#province-state')),
        { timeoutMs: 8000, describe: 'the state next to the picker shows "lost"' });
      snap = await pageSnapshot(page);
      assert.equal(snap.state, 'watching', 'the page keeps its session while the province is lost');
      assert.match(snap.stateDetail, /not sending/);

      // --- it comes back: the relay switches the same viewer session over
      // on the next keyframe, frames rise again without a page reconnect.
      publishers.push(startPublisher(relay, ['TH-50']));
      await waitProvinceLive(relay, 'TH-50');
      await waitFor(async () => (await decodedFrames(page)) >= stalledLater + 15, {
        timeoutMs: 20000,
        describe: `frames after the publisher restart (had ${stalledLater})`,
      });
      await assertFramesRise(page, 'restarted publisher');
      snap = await pageSnapshot(page);
      assert.equal(snap.state, 'watching');
      assert.equal(snap.location, location, 'same viewer session across the publisher restart');
      assert.equal(snap.video.width, 640);
      assert.equal(snap.video.height, 360);
      assert.equal(diag.whepRequests.filter((r) => r.method === 'POST').length, 1,
        'no second POST: the page did not reconnect');

      // --- switching province: DELETE the old session, POST a new one.
      const deletedOld = page.waitForResponse(
        (r) => r.request().method() === 'DELETE' && r.url() === location, { timeout: 10000 });
      const postedNew = page.waitForResponse(
        (r) => r.request().method() === 'POST' && r.url().endsWith('/whep/province/TH-57'),
        { timeout: 10000 });
      await page.selectOption('#province', 'TH-57');
      assert.equal((await deletedOld).status(), 200, 'DELETE of the TH-50 viewer session');
      assert.equal((await postedNew).status(), 201, 'POST for TH-57');
      snap = await waitPageState(page, 'watching');
      assert.ok(snap.location.startsWith(`${relay.url}whep/province/TH-57/`), snap.location);
      assert.ok(new URL(page.url()).searchParams.get('province') === 'TH-57', 'URL follows the picker');
      // TH-57 is not publishing: the page says so.
      await waitFor(async () => /not sending|Waiting/.test((await pageSnapshot(page)).stateDetail),
        { timeoutMs: 5000, describe: 'detail: TH-57 is not sending' });

      await page.selectOption('#province', 'TH-50');
      snap = await waitFor(async () => {
        const s = await pageSnapshot(page);
        return s.state === 'watching' && s.location && s.location.includes('/whep/province/TH-50/')
          ? s : false;
      }, { timeoutMs: 20000, describe: 'watching TH-50 again' });
      const back = await decodedFrames(page);
      await waitFor(async () => (await decodedFrames(page)) >= back + 15,
        { timeoutMs: 15000, describe: `frames after switching back to TH-50 (had ${back})` });

      // --- Stop releases the session.
      const deleted = page.waitForResponse(
        (r) => r.request().method() === 'DELETE' && r.url() === snap.location, { timeout: 10000 });
      await page.click('#stop');
      assert.equal((await deleted).status(), 200, 'DELETE of the WHEP session on Stop');
      const stopped = await pageSnapshot(page);
      assert.equal(stopped.state, 'idle');
      assert.equal(stopped.location, null);
      assert.equal(stopped.video.hasStream, false);
      await sleep(1500);
      assert.equal((await pageSnapshot(page)).state, 'idle', 'no reconnect after Stop');
      const health = await request(`${relay.url}api/v1/health`);
      assert.equal(health.status, 200);
    });
  });

test('a "viewer" role token: 403 with the reason, no retry; the relay stays healthy',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await scenario(t, 'viewer-role', async ({ relay, page, diag }) => {
      await page.goto(`${relay.url}watch.html?province=TH-50`);
      await waitFor(async () => (await page.inputValue('#province')) === 'TH-50',
        { timeoutMs: 5000, describe: 'province picker preselected with TH-50' });
      await page.fill('#token', ROOM_TOKEN);
      await page.click('#watch');

      const snap = await waitPageState(page, 'error', 15000);
      assert.equal(snap.lastError && snap.lastError.status, 403, `lastError: ${JSON.stringify(snap.lastError)}`);
      assert.equal(snap.dataState, 'error');
      const shown = await page.textContent('#state');
      assert.match(shown, /บัญชีนี้ดูได้เฉพาะภาพรวม/, `state text: ${shown}`);
      assert.match(shown, /This account may only watch the mosaic/, `state text: ${shown}`);
      // The relay's own reason is shown too.
      assert.ok(snap.lastError.reason, 'the relay gave a reason');
      assert.ok(snap.stateDetail.includes(snap.lastError.reason),
        `detail "${snap.stateDetail}" shows the reason "${snap.lastError.reason}"`);
      assert.equal(await page.isEnabled('#watch'), true, 'Watch usable again after an error');

      // No automatic retry on 403 (the backoff would have started at 1 s).
      await sleep(3000);
      assert.equal((await pageSnapshot(page)).state, 'error', 'the page must not retry on 403');
      assert.equal(diag.whepRequests.filter((r) => r.method === 'POST').length, 1,
        `one POST only: ${JSON.stringify(diag.whepRequests)}`);
      assert.equal(await page.evaluate(() => localStorage.getItem('briefing.viewerToken')), null,
        'a refused token is not stored');

      // A wrong token: 401, no retry either.
      await page.fill('#token', 'not-a-token-at-all');
      await page.click('#watch');
      await waitFor(async () => (await pageSnapshot(page)).lastError?.status === 401,
        { timeoutMs: 15000, describe: 'lastError 401' });
      assert.match(await page.textContent('#state'), /Wrong token/);
      await sleep(2000);
      assert.equal((await pageSnapshot(page)).state, 'error', 'the page must not retry on 401');
      assert.equal(diag.whepRequests.filter((r) => r.method === 'POST').length, 2);

      const health = await request(`${relay.url}api/v1/health`);
      assert.equal(health.status, 200, `health: ${health.text}`);
      assert.equal(health.json && health.json.status, 'ok');
    });
  });

test('the page reconnects by itself after the relay restarts, and releases its session on leaving',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await scenario(t, 'reconnect', async (ctx) => {
      const { page, diag, publishers } = ctx;
      publishers.push(startPublisher(ctx.relay, ['TH-50']));
      await waitProvinceLive(ctx.relay, 'TH-50');
      await page.goto(`${ctx.relay.url}watch.html?province=TH-50`);
      await page.fill('#token', MINISTER_TOKEN);
      await page.click('#watch');
      const first = await waitPageState(page, 'watching');
      await waitFor(async () => (await decodedFrames(page)) >= 15,
        { timeoutMs: 15000, describe: 'frames before the relay restart' });

      // The relay goes away: the page notices and retries with backoff.
      const url = ctx.relay.url;
      const seen = new Set();
      const watchStates = setInterval(() => {
        pageSnapshot(page).then((s) => seen.add(s.state)).catch(() => null);
      }, 100);
      try {
        await publishers.pop().stop();
        await ctx.restartRelay();
        assert.equal(ctx.relay.url, url, 'the new relay listens on the same port');
        publishers.push(startPublisher(ctx.relay, ['TH-50']));
        await waitProvinceLive(ctx.relay, 'TH-50');
        const again = await waitFor(async () => {
          const s = await pageSnapshot(page);
          return s.state === 'watching' && s.location && s.location !== first.location ? s : false;
        }, { timeoutMs: 30000, describe: 'watching again on a new session after the restart' });
        t.diagnostic(`reconnected: ${again.location}`);
      } finally {
        clearInterval(watchStates);
      }
      assert.ok(seen.has('reconnecting'), `the page showed "reconnecting" (states seen: ${[...seen]})`);
      assert.ok(!seen.has('error'), `no permanent error on a relay restart (states seen: ${[...seen]})`);
      const back = await decodedFrames(page);
      await waitFor(async () => (await decodedFrames(page)) >= back + 15,
        { timeoutMs: 15000, describe: `frames after the reconnect (had ${back})` });
      await assertFramesRise(page, 'after the reconnect');
      const posts = diag.whepRequests.filter((r) => r.method === 'POST').length;
      assert.ok(posts >= 2 && posts <= 6, `a few POSTs with backoff, not a storm: ${posts}`);

      // Leaving the page releases the session (keepalive DELETE on pagehide).
      const session = (await pageSnapshot(page)).location.split('/').pop();
      await page.goto('about:blank');
      await waitFor(() => new RegExp(`viewer session ${session.slice(0, 8)} ended: DELETE`)
        .test(ctx.relay.logTail(200)),
      { timeoutMs: 5000, describe: `relay log: viewer session ${session.slice(0, 8)} ended by DELETE` });
    }, { fixedPort: true });
  });
