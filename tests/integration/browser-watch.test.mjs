// End-to-end: a real (headless) Chromium watches one province through
// web/watch.html with WHEP (POST /whep/province/<code>) while the webrtcbin
// test publisher sends pre-encoded 640x360 VP8 + Opus to the relay with WHIP.
// The browser must decode the forwarded frames, keep its viewer session across
// a publisher restart, switch provinces, offer to receive only, show refusals
// without retrying, and come back by itself (backing off) when the relay
// restarts behind the same address (a TCP proxy the test holds).
//
// Needs: build/briefing-relay (or BRIEFING_RELAY), build/tools/whip-publish
// and var/test-media (scripts/setup), Chromium at /usr/bin/chromium (or
// CHROMIUM_PATH), `npm ci` (playwright-core; no browser download).
// Nothing is skipped: a missing piece fails the test with a message.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { getBrowser, closeBrowser, recordStates, statesSeen } from '../../tools/lib/browser.mjs';
import { startTcpProxy } from './lib/tcp-proxy.mjs';

const TH50_TOKEN = 'chiang-mai-token-for-watch';
const MINISTER_TOKEN = 'minister-token-for-watch';
const ROOM_TOKEN = 'room-display-token-for-watch';
const TEST_TIMEOUT_MS = 240000;

/* ------------------------------------------------------------- browser */

after(closeBrowser);

/* ------------------------------------------------------------- helpers */

function attachDiagnostics(page) {
  const lines = [];
  const pageErrors = [];
  const whepRequests = [];
  const failedWhepPosts = [];
  const provinceListFetches = []; // the page's refreshes, every 5 s: its own clock
  page.on('console', (msg) => lines.push(`[console.${msg.type()}] ${msg.text()} ` +
    `${msg.location()?.url ?? ''}`));
  page.on('pageerror', (err) => {
    pageErrors.push(err);
    lines.push(`[pageerror] ${err.stack || err.message}`);
  });
  page.on('requestfailed', (req) => {
    lines.push(`[requestfailed] ${req.method()} ${req.url()} ${req.failure()?.errorText ?? ''}`);
    if (req.method() === 'POST' && new URL(req.url()).pathname.startsWith('/whep/')) {
      failedWhepPosts.push(req.url());
    }
  });
  page.on('request', (req) => {
    const p = new URL(req.url()).pathname;
    if (p.startsWith('/whep/')) {
      whepRequests.push({ method: req.method(), url: req.url() });
    } else if (p === '/api/v1/provinces') {
      provinceListFetches.push(req.url());
    }
  });
  page.on('response', (res) => {
    const p = new URL(res.url()).pathname;
    if (res.status() >= 400 || p.startsWith('/whep/')) {
      lines.push(`[http ${res.status()}] ${res.request().method()} ${res.url()}`);
    }
  });
  return { lines, pageErrors, whepRequests, failedWhepPosts, provinceListFetches };
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

/** Waits until the <video> has shown `more` new frames, however long they take. */
async function framesKeepRising(page, label, more = 15) {
  const a = await decodedFrames(page);
  let b = a;
  await waitFor(async () => (b = await decodedFrames(page)) >= a + more, {
    timeoutMs: 60000,
    describe: () => `${label}: ${more} more frames in the <video> (${a} -> ${b})`,
  });
  return b;
}

/**
 * Counts, in window.statsTicks, the receive-stats snapshots the page takes
 * (one a second by its own timer): a clock that runs as slowly as the page.
 */
function countStatsSnapshots(page) {
  return page.evaluate(() => {
    window.statsTicks = 0;
    let last = window.briefingWatch.stats;
    setInterval(() => {
      const s = window.briefingWatch.stats;
      if (s !== last) {
        last = s;
        window.statsTicks += s ? 1 : 0;
      }
    }, 50);
  });
}

/** Waits until the page has taken `n` more receive-stats snapshots. */
async function statsSnapshots(page, n) {
  const ticks = () => page.evaluate(() => window.statsTicks);
  const from = await ticks();
  await waitFor(async () => (await ticks()) >= from + n,
    { timeoutMs: 60000, describe: `${n} more receive-stats snapshots of the page` });
}

/**
 * Lets the page run on for `n` of its province-list refreshes (one every 5 s
 * by its own timer): the clock for "nothing happens meanwhile", e.g. a retry
 * that would be due 1 s after an error.
 */
async function provinceListRefreshes(diag, n) {
  const from = diag.provinceListFetches.length;
  await waitFor(() => diag.provinceListFetches.length >= from + n, {
    timeoutMs: 60000,
    describe: () => `${n} province-list refreshes of the page (${diag.provinceListFetches.length - from} so far)`,
  });
}

/** The relay's WHEP sessions as [viewer, source] pairs (GET /api/v1/viewers). */
async function viewerSessions(relay) {
  const res = await request(`${relay.url}api/v1/viewers`, { headers: { Authorization: `Bearer ${MINISTER_TOKEN}` } });
  assert.equal(res.status, 200, res.text);
  return res.json.viewers.map((v) => [v.viewer, v.source]);
}

const whepPosts = (diag) => diag.whepRequests.filter((r) => r.method === 'POST');

const RELAY_CONFIG = {
  provinces: { 'TH-50': TH50_TOKEN },
  extraConfig: {
    'viewer minister': { role: 'minister', token: MINISTER_TOKEN },
    'viewer room': { role: 'viewer', token: ROOM_TOKEN },
  },
};

/**
 * Start a relay (TH-50 configured, a minister and a room-display viewer) and a
 * browser context, run fn, and on failure print the relay log tail, the
 * page's console and state, and keep a screenshot. The relay must exit with
 * status 0 on SIGTERM in every case. ctx.pageUrl is where the page opens
 * pages: the relay itself, or with opts.restartable a TCP proxy in front of
 * it, and then fn may call ctx.restartRelay({whileDown}): stop the relay,
 * await whileDown(), and start a new one (on a port of its own) behind the
 * same address.
 */
async function scenario(t, name, fn, opts = {}) {
  const browser = await getBrowser();
  const relays = [await startRelay(RELAY_CONFIG)];
  const proxy = opts.restartable ? await startTcpProxy() : null;
  proxy?.setTarget(relays[0].url);
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'th-TH',
  });
  const page = await context.newPage();
  const diag = attachDiagnostics(page);
  const publishers = [];
  const ctx = {
    t,
    context,
    page,
    diag,
    publishers,
    get relay() {
      return relays[relays.length - 1];
    },
    get pageUrl() {
      return proxy ? proxy.url : relays[relays.length - 1].url;
    },
    /** The HTTP requests the page sent through the proxy. */
    get proxyRequests() {
      return proxy ? proxy.requests : [];
    },
    async restartRelay({ whileDown = async () => {} } = {}) {
      assert.ok(proxy, 'scenario(..., { restartable: true }) to restart the relay');
      // No relay behind the address from now on: connections are refused,
      // as by a stopped relay (and never reach whatever takes its port).
      proxy.setTarget(null);
      await relays[relays.length - 1].stop();
      await whileDown();
      relays.push(await startRelay(RELAY_CONFIG));
      proxy.setTarget(relays[relays.length - 1].url);
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
    await proxy?.close();
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
    { timeoutMs: 30000, describe: `${code} "live" in /api/v1/provinces/${code}` });
}

async function waitPageState(page, want, timeoutMs = 30000) {
  let last;
  return waitFor(async () => {
    last = await pageSnapshot(page);
    return last.state === want ? last : false;
  }, { timeoutMs, describe: () => `window.briefingWatch.state === "${want}" (last: ${JSON.stringify(last)})` });
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
      await waitFor(async () => /TH-50 เชียงใหม่ — ออนไลน์/.test(
        await page.textContent('#province option:checked')),
      { timeoutMs: 15000, describe: 'picker label "TH-50 เชียงใหม่ — ออนไลน์" (live)' });
      assert.match(await page.textContent('#province-state'), /ออนไลน์/);
      assert.equal(await page.locator('#province option').count(), 78,
        'the 76 provinces, the mosaic and the placeholder');
      assert.equal(await page.locator('#province option[value="mosaic"]').count(), 1,
        'the mosaic can be picked too');

      await page.fill('#token', MINISTER_TOKEN);
      await page.click('#watch');

      // --- the page connects and the video element decodes 640x360 frames.
      const watching = await waitPageState(page, 'watching');
      assert.equal(watching.dataState, 'watching');
      assert.match(watching.stateText, /กำลังรับชม/);
      assert.ok(watching.location && watching.location.startsWith(`${relay.url}whep/province/TH-50/`),
        `window.briefingWatch.location should be the session URL, got ${watching.location}`);
      const location = watching.location;
      await waitFor(async () => {
        const v = (await pageSnapshot(page)).video;
        return v.width === 640 && v.height === 360 ? v : false;
      }, { timeoutMs: 30000, describe: (v) => `<video> 640x360 (last: ${JSON.stringify(v)})` });
      let snap = await pageSnapshot(page);
      assert.equal(snap.video.paused, false, 'the video plays (autoplay, muted)');
      assert.equal(snap.video.muted, true, 'the video starts muted');
      const frames = await framesKeepRising(page, 'first publisher');
      t.diagnostic(`decoded ${frames} frames from the first publisher`);

      // --- receive stats from getStats inbound-rtp.
      const stats = await waitFor(async () => {
        const s = (await pageSnapshot(page)).stats;
        return s && s.width === 640 && s.height === 360 && s.bitrateKbps > 0 && s.fps > 0 ? s : false;
      }, { timeoutMs: 30000, describe: 'page receive stats (640x360, fps, bitrate)' });
      assert.equal(stats.codec, 'VP8', 'forwarded as the publisher sends it');
      assert.match(await page.textContent('#stat-resolution'), /640\s*×\s*360/);
      assert.match(await page.textContent('#stat-codec'), /VP8/);
      t.diagnostic(`page stats: ${JSON.stringify(stats)}`);
      assert.equal(await page.evaluate(() => localStorage.getItem('briefing.viewerToken')),
        MINISTER_TOKEN, 'the accepted token is remembered');

      // --- unmute (autoplay started muted).
      await page.click('#unmute');
      assert.equal((await pageSnapshot(page)).video.muted, false, 'unmuted');
      await waitFor(async () => (await page.textContent('#unmute')).trim() === 'ปิดเสียง',
        { timeoutMs: 5000, describe: 'the button then offers "ปิดเสียง" (mute)' });

      // Kept with the relay's temp dir (BRIEFING_KEEP_TMP=1, or a failure).
      await page.screenshot({ path: path.join(relay.tmpDir, 'watch-live.png'), fullPage: true });

      // --- the publisher goes away (no DELETE): the relay marks TH-50 lost,
      // the picture stops, the viewer session stays.
      await countStatsSnapshots(page);
      await publishers.pop().stop();
      await waitFor(async () => (await provinceStatus(relay, 'TH-50')).state === 'lost',
        { timeoutMs: 30000, describe: 'TH-50 "lost" after the publisher stopped' });
      // The picture stops: the page's stats see no new frame decoded, and the
      // <video> shows none over the page's next three stats snapshots.
      await waitFor(async () => (await pageSnapshot(page)).stats?.receiving === false,
        { timeoutMs: 30000, describe: 'the page\'s stats: no new frame decoded (receiving false)' });
      const stalled = await decodedFrames(page);
      await statsSnapshots(page, 3);
      assert.equal(await decodedFrames(page), stalled, 'no frame in the <video> without the publisher');
      // The picker's state is refreshed (every 5 s) and the page says why
      // there is no picture.
      await waitFor(async () => /สัญญาณหาย/.test(await page.textContent('#province-state')),
        { timeoutMs: 30000, describe: 'the state next to the picker shows "สัญญาณหาย" (lost)' });
      snap = await pageSnapshot(page);
      assert.equal(snap.state, 'watching', 'the page keeps its session while the province is lost');
      assert.match(snap.stateDetail, /ยังไม่ได้ส่งภาพ/);

      // --- it comes back: the relay switches the same viewer session over
      // on the next keyframe, frames rise again without a page reconnect.
      publishers.push(startPublisher(relay, ['TH-50']));
      await waitProvinceLive(relay, 'TH-50');
      await framesKeepRising(page, 'restarted publisher', 30);
      snap = await pageSnapshot(page);
      assert.equal(snap.state, 'watching');
      assert.equal(snap.location, location, 'same viewer session across the publisher restart');
      assert.equal(snap.video.width, 640);
      assert.equal(snap.video.height, 360);
      assert.equal(whepPosts(diag).length, 1, 'no second POST: the page did not reconnect');

      // --- switching province: DELETE the old session, POST a new one.
      const deletedOld = page.waitForResponse(
        (r) => r.request().method() === 'DELETE' && r.url() === location, { timeout: 15000 });
      const postedNew = page.waitForResponse(
        (r) => r.request().method() === 'POST' && r.url().endsWith('/whep/province/TH-57'),
        { timeout: 15000 });
      await page.selectOption('#province', 'TH-57');
      assert.equal((await deletedOld).status(), 200, 'DELETE of the TH-50 viewer session');
      assert.equal((await postedNew).status(), 201, 'POST for TH-57');
      snap = await waitPageState(page, 'watching');
      assert.ok(snap.location.startsWith(`${relay.url}whep/province/TH-57/`), snap.location);
      assert.ok(new URL(page.url()).searchParams.get('province') === 'TH-57', 'URL follows the picker');
      // TH-57 is not publishing: the page says so.
      await waitFor(async () => /ยังไม่ได้ส่งภาพ|รอภาพ/.test((await pageSnapshot(page)).stateDetail),
        { timeoutMs: 15000, describe: 'detail: TH-57 is not sending' });

      await page.selectOption('#province', 'TH-50');
      snap = await waitFor(async () => {
        const s = await pageSnapshot(page);
        return s.state === 'watching' && s.location && s.location.includes('/whep/province/TH-50/')
          ? s : false;
      }, { timeoutMs: 30000, describe: 'watching TH-50 again' });
      await framesKeepRising(page, 'after switching back to TH-50');

      // --- Stop releases the session; the page stays idle while it runs on
      // for two of its province-list refreshes (a retry would come after 1 s).
      await recordStates(page);
      const postsBeforeStop = whepPosts(diag).length;
      const deleted = page.waitForResponse(
        (r) => r.request().method() === 'DELETE' && r.url() === snap.location, { timeout: 15000 });
      await page.click('#stop');
      assert.equal((await deleted).status(), 200, 'DELETE of the WHEP session on Stop');
      const stopped = await pageSnapshot(page);
      assert.equal(stopped.state, 'idle');
      assert.equal(stopped.location, null);
      assert.equal(stopped.video.hasStream, false);
      await provinceListRefreshes(diag, 2);
      assert.deepEqual(await statesSeen(page), ['watching', 'idle'], 'states shown from Stop on');
      assert.equal(whepPosts(diag).length, postsBeforeStop, 'no POST after Stop');
      assert.equal(await page.isEnabled('#watch'), true, 'Watch offered again after Stop');
      const health = await request(`${relay.url}api/v1/health`);
      assert.equal(health.status, 200);
    });
  });

test('watch.html only receives: its offer is recvonly audio then video, bundled, and it opens no camera',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await scenario(t, 'recvonly', async ({ relay, context, page }) => {
      // Count any attempt to open a camera, microphone or screen.
      await context.addInitScript(() => {
        window.captureCalls = [];
        const md = navigator.mediaDevices;
        for (const name of ['getUserMedia', 'getDisplayMedia']) {
          const orig = md && md[name] ? md[name].bind(md) : null;
          if (orig) {
            md[name] = (...args) => {
              window.captureCalls.push(name);
              return orig(...args);
            };
          }
        }
      });
      await page.goto(`${relay.url}watch.html?province=TH-50`);
      await waitFor(async () => (await page.inputValue('#province')) === 'TH-50',
        { timeoutMs: 5000, describe: 'province picker preselected with TH-50' });
      await page.fill('#token', MINISTER_TOKEN);
      const posted = page.waitForRequest((r) => r.method() === 'POST', { timeout: 30000 });
      await page.click('#watch');
      const post = await posted;

      // The single-province endpoint, with the token and an SDP offer.
      assert.equal(new URL(post.url()).pathname, '/whep/province/TH-50');
      assert.equal(post.headers()['content-type'], 'application/sdp');
      assert.equal(post.headers().authorization, `Bearer ${MINISTER_TOKEN}`);
      const offer = post.postData();
      const sections = offer.split(/\r?\n(?=m=)/);
      const media = sections.slice(1);
      assert.deepEqual(media.map((m) => m.split(' ')[0]), ['m=audio', 'm=video'],
        `audio first, then video, nothing else:\n${offer}`);
      for (const m of media) {
        assert.match(m, /^a=recvonly\r?$/m, `recvonly:\n${m}`);
      }
      const mids = media.map((m) => /^a=mid:(\S+)/m.exec(m)?.[1]);
      assert.match(sections[0], new RegExp(`^a=group:BUNDLE ${mids.join(' ')}\\r?$`, 'm'),
        `both bundled (max-bundle):\n${sections[0]}`);

      // The connection as the page holds it: receivers only, no track sent.
      await waitPageState(page, 'watching');
      const pc = await page.evaluate(() => ({
        transceivers: window.briefingWatch.pc.getTransceivers()
          .map((tr) => [tr.receiver.track.kind, tr.currentDirection]),
        senderTracks: window.briefingWatch.pc.getSenders().filter((s) => s.track).length,
        bundlePolicy: window.briefingWatch.pc.getConfiguration().bundlePolicy,
      }));
      assert.deepEqual(pc.transceivers, [['audio', 'recvonly'], ['video', 'recvonly']]);
      assert.equal(pc.senderTracks, 0, 'no track sent');
      assert.equal(pc.bundlePolicy, 'max-bundle');
      assert.deepEqual(await page.evaluate(() => window.captureCalls), [], 'no camera, microphone or screen');

      // The relay holds one viewer session for the minister, on TH-50.
      assert.deepEqual(await viewerSessions(relay), [['minister', 'TH-50']]);
    });
  });

test('a "viewer" role token: 403 with the reason, no retry; the relay stays healthy',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await scenario(t, 'viewer-role', async ({ relay, page, diag }) => {
      await page.goto(`${relay.url}watch.html?province=TH-50`);
      await waitFor(async () => (await page.inputValue('#province')) === 'TH-50',
        { timeoutMs: 5000, describe: 'province picker preselected with TH-50' });
      await recordStates(page);
      await page.fill('#token', ROOM_TOKEN);
      await page.click('#watch');

      const snap = await waitPageState(page, 'error');
      assert.equal(snap.lastError && snap.lastError.status, 403, `lastError: ${JSON.stringify(snap.lastError)}`);
      assert.equal(snap.dataState, 'error');
      const shown = await page.textContent('#state');
      assert.match(shown, /บัญชีนี้ดูได้เฉพาะภาพรวม/, `state text: ${shown}`);
      // One language at a time: the English form after the switch, and back.
      await page.click('[data-language-switch]');
      const shownEn = await page.textContent('#state');
      assert.match(shownEn, /This account may only watch the mosaic/, `state text: ${shownEn}`);
      await page.click('[data-language-switch]');
      // The relay's own reason is shown too.
      assert.ok(snap.lastError.reason, 'the relay gave a reason');
      assert.ok(snap.stateDetail.includes(snap.lastError.reason),
        `detail "${snap.stateDetail}" shows the reason "${snap.lastError.reason}"`);
      assert.equal(await page.isEnabled('#watch'), true, 'Watch usable again after an error');

      // No automatic retry on 403: straight from connecting to the error (a
      // retry shows "reconnecting"), and nothing more while the page runs on
      // for two of its province-list refreshes (a retry would come after 1 s).
      await provinceListRefreshes(diag, 2);
      assert.deepEqual(await statesSeen(page), ['idle', 'connecting', 'error'], 'states shown for a 403');
      assert.equal(whepPosts(diag).length, 1, `one POST only: ${JSON.stringify(diag.whepRequests)}`);
      assert.equal(await page.evaluate(() => localStorage.getItem('briefing.viewerToken')), null,
        'a refused token is not stored');

      // A wrong token: 401, no retry either.
      await recordStates(page);
      await page.fill('#token', 'not-a-token-at-all');
      await page.click('#watch');
      await waitFor(async () => (await pageSnapshot(page)).lastError?.status === 401,
        { timeoutMs: 30000, describe: 'lastError 401' });
      assert.match(await page.textContent("#state"), /โทเค็นไม่ถูกต้อง/);
      await provinceListRefreshes(diag, 2);
      assert.deepEqual(await statesSeen(page), ['error', 'connecting', 'error'], 'states shown for a 401');
      assert.equal(whepPosts(diag).length, 2, `one more POST only: ${JSON.stringify(diag.whepRequests)}`);

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
      // Through the proxy: the page's address outlives the relay behind it.
      await page.goto(`${ctx.pageUrl}watch.html?province=TH-50`);
      await page.fill('#token', MINISTER_TOKEN);
      await page.click('#watch');
      const first = await waitPageState(page, 'watching');
      await framesKeepRising(page, 'before the relay restart');

      // The relay goes away: the page notices and retries with backoff. Every
      // state and every retry delay the page announces is recorded.
      await recordStates(page);
      await page.evaluate(() => {
        window.retryDelays = [];
        new MutationObserver((records) => {
          for (const r of records) {
            for (const n of r.addedNodes) {
              const m = /ลองใหม่ใน (\d+) วินาที/.exec(n.textContent);
              if (m) {
                window.retryDelays.push(Number(m[1]));
              }
            }
          }
        }).observe(document.getElementById('state-detail'), { childList: true });
      });
      const postsBefore = whepPosts(diag).length;
      await publishers.pop().stop();
      // The relay stays away until the page has tried twice in vain.
      const failedBefore = diag.failedWhepPosts.length;
      await ctx.restartRelay({
        whileDown: () => waitFor(() => diag.failedWhepPosts.length >= failedBefore + 2,
          { timeoutMs: 60000, describe: 'two failed POSTs while the relay is down' }),
      });
      publishers.push(startPublisher(ctx.relay, ['TH-50']));
      await waitProvinceLive(ctx.relay, 'TH-50');
      const again = await waitFor(async () => {
        const s = await pageSnapshot(page);
        return s.state === 'watching' && s.location && s.location !== first.location ? s : false;
      }, { timeoutMs: 60000, describe: 'watching again on a new session after the restart' });
      t.diagnostic(`reconnected: ${again.location}`);
      const seen = await statesSeen(page);
      assert.ok(seen.includes('reconnecting'), `the page showed "reconnecting" (states seen: ${seen})`);
      assert.ok(!seen.includes('error'), `no permanent error on a relay restart (states seen: ${seen})`);
      await framesKeepRising(page, 'after the reconnect', 30);

      // Backoff, not a storm: the page announced each retry, with delays
      // doubling from 1 s (capped at 15 s), and posted once per retry.
      const delays = await page.evaluate(() => window.retryDelays);
      t.diagnostic(`retry delays announced (s): ${delays.join(', ')}`);
      assert.ok(delays.length >= 3, `a retry for the lost session and one per failed POST: ${delays}`);
      assert.deepEqual(delays, delays.map((_, i) => Math.min(15, 2 ** i)), 'delays double from 1 s');
      assert.equal(whepPosts(diag).length - postsBefore, delays.length,
        `one POST per retry: ${JSON.stringify(diag.whepRequests.slice(postsBefore))}`);

      // Leaving the page releases the session: a keepalive DELETE on
      // pagehide, with the token (Playwright does not report requests of a
      // page being left: the proxy saw it). The relay ends the session on
      // it, or on the DTLS close of the page's connection when that comes
      // first.
      const sessionPath = new URL((await pageSnapshot(page)).location).pathname;
      await page.goto('about:blank');
      await waitFor(() => ctx.proxyRequests.some((r) => r.method === 'DELETE' && r.path === sessionPath &&
        r.headers.authorization === `Bearer ${MINISTER_TOKEN}`), {
        timeoutMs: 15000,
        describe: () => `DELETE ${sessionPath} with the token (requests: ` +
          `${JSON.stringify(ctx.proxyRequests.slice(-5).map((r) => `${r.method} ${r.path}`))})`,
      });
      await waitFor(async () => (await viewerSessions(ctx.relay)).length === 0,
        { timeoutMs: 15000, describe: (v) => `no viewer session left on the relay (last: ${JSON.stringify(v)})` });
    }, { restartable: true });
  });
