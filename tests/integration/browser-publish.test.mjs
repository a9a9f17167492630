// End-to-end: a real (headless) Chromium publishes its fake camera and
// microphone through web/province.html to build/briefing-relay with WHIP, and
// the relay's status API must see the media arrive.
//
// Needs: build/briefing-relay (or BRIEFING_RELAY), Chromium at /usr/bin/chromium
// (or CHROMIUM_PATH), `npm ci` (playwright-core; no browser download).
// Nothing is skipped: a missing piece fails the test with a message.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { getBrowser, closeBrowser, recordStates, statesSeen } from '../../tools/lib/browser.mjs';

const TARGET_KBPS = 600; // [media] target-bitrate-kbps of lib/relay.mjs
const TH50_TOKEN = 'th50-integration-token'; // the relay wants >= 8 characters
const TEST_TIMEOUT_MS = 180000;

/* ------------------------------------------------------------- browser */

/*
 * Chromium's built-in fake camera picture (a flat frame with a small moving
 * pattern) is so easy to encode that VP8 stays near 150 kbit/s whatever it is
 * allowed, so a missing bitrate cap would go unnoticed. Feed the fake camera a
 * generated Y4M clip instead: 640x360 at 15 fps, a gradient with a moving bar
 * and a 160x90 patch of fresh noise every frame (about 1.6 Mbit/s
 * unconstrained): the encoder wants more than the relay's target, so the
 * sender's target shows whether it honours the relay's cap.
 */
const FAKE_W = 640;
const FAKE_H = 360;
const FAKE_FRAMES = 30; // 2 s, looped by Chromium

function writeFakeVideo(file) {
  let seed = 0x2545f491;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 24;
  };
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, `YUV4MPEG2 W${FAKE_W} H${FAKE_H} F15:1 Ip A1:1 C420jpeg\n`);
    const chroma = Buffer.alloc((FAKE_W * FAKE_H) / 4, 128);
    const noiseW = 160;
    const noiseH = 90;
    const nx = (FAKE_W - noiseW) >> 1;
    const ny = (FAKE_H - noiseH) >> 1;
    for (let f = 0; f < FAKE_FRAMES; f++) {
      const y = Buffer.alloc(FAKE_W * FAKE_H);
      for (let r = 0; r < FAKE_H; r++) {
        for (let c = 0; c < FAKE_W; c++) {
          y[r * FAKE_W + c] = 40 + ((c + r) >> 3);
        }
      }
      const bx = (f * 20) % (FAKE_W - 80);
      for (let r = 40; r < 120; r++) {
        y.fill(235, r * FAKE_W + bx, r * FAKE_W + bx + 80);
      }
      for (let r = ny; r < ny + noiseH; r++) {
        for (let c = nx; c < nx + noiseW; c++) {
          y[r * FAKE_W + c] = 16 + ((rnd() * 219) >> 8);
        }
      }
      fs.writeSync(fd, 'FRAME\n');
      fs.writeSync(fd, y);
      fs.writeSync(fd, chroma); // U
      fs.writeSync(fd, chroma); // V
    }
  } finally {
    fs.closeSync(fd);
  }
}

let fakeVideoDir = null;

/* Chromium with a fake camera of our own: a clip with motion. */
function getCameraBrowser() {
  if (!fakeVideoDir) {
    fakeVideoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-fakecam-'));
    writeFakeVideo(path.join(fakeVideoDir, 'camera.y4m'));
  }
  return getBrowser({
    extraArgs: [`--use-file-for-fake-video-capture=${path.join(fakeVideoDir, 'camera.y4m')}`],
  });
}

after(async () => {
  await closeBrowser();
  if (fakeVideoDir) {
    fs.rmSync(fakeVideoDir, { recursive: true, force: true });
  }
});

/* ------------------------------------------------------------- helpers */

function attachDiagnostics(page) {
  const lines = [];
  const pageErrors = [];
  page.on('console', (msg) => lines.push(`[console.${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => {
    pageErrors.push(err);
    lines.push(`[pageerror] ${err.stack || err.message}`);
  });
  page.on('requestfailed', (req) =>
    lines.push(`[requestfailed] ${req.method()} ${req.url()} ${req.failure()?.errorText ?? ''}`));
  page.on('response', (res) => {
    if (res.status() >= 400) {
      lines.push(`[http ${res.status()}] ${res.request().method()} ${res.url()}`);
    }
  });
  return { lines, pageErrors };
}

/** Snapshot of the page's test hook and visible state (for assertions and reports). */
function pageSnapshot(page) {
  return page.evaluate(() => {
    const b = window.briefing;
    return {
      state: b ? b.state : undefined,
      location: b ? b.location : undefined,
      lastError: b ? b.lastError : undefined,
      pcConnectionState: b && b.pc ? b.pc.connectionState : null,
      stats: b ? b.stats : undefined,
      stateText: document.getElementById('state-text')?.textContent ?? null,
      stateDetail: document.getElementById('state-detail')?.textContent ?? null,
      dataState: document.getElementById('state')?.dataset.state ?? null,
    };
  });
}

/**
 * Start a relay and a browser context, run fn, and on failure print the relay
 * log tail, the page's console and state, and keep a screenshot. The relay
 * must exit with status 0 on SIGTERM in every case.
 */
async function scenario(t, name, provinces, fn) {
  const browser = await getCameraBrowser();
  const relay = await startRelay({ provinces });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'th-TH',
  });
  await context.grantPermissions(['camera', 'microphone'], { origin: new URL(relay.url).origin });
  const page = await context.newPage();
  const diag = attachDiagnostics(page);
  let failure = null;
  try {
    await fn({ t, relay, context, page, diag });
    assert.deepEqual(diag.pageErrors.map((e) => e.message), [], 'uncaught exceptions in the page');
  } catch (e) {
    failure = e;
    if (relay.exitInfo !== null) {
      // Everything after a crash fails with "fetch failed": name the cause.
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
    relay.dumpLog(`relay log (${name})`);
  } finally {
    await context.close().catch(() => null);
  }
  try {
    await relay.stop();
  } catch (e) {
    if (failure) {
      failure.message += `\n(also: ${e.message.split('\n')[0]})`;
    } else {
      failure = e;
    }
  }
  if (failure) {
    process.stderr.write(`kept ${relay.tmpDir} for inspection\n`);
    throw failure;
  }
  relay.cleanup();
}

// With a viewer's token: remote_address, srtp_profile and the counters are details.
const provinceStatus = (relay, code) => getJson(`${relay.url}api/v1/provinces/${code}`,
  { token: relay.viewerToken });

/** Whether a request is a WHIP POST for TH-50 (the page's publish attempts). */
const isWhipPost = (req) => req.method() === 'POST' && new URL(req.url()).pathname === '/whip/TH-50';

/**
 * Let the page run on while its camera preview shows `frames` more frames:
 * the clock for "nothing happens meanwhile" (a retry is due 1 s after an
 * error, and a slow machine slows the preview and the page's timers alike).
 */
async function previewAdvances(page, frames) {
  const count = () => page.evaluate(() =>
    document.getElementById('preview').getVideoPlaybackQuality().totalVideoFrames);
  const from = await count();
  let now = from;
  await waitFor(async () => (now = await count()) >= from + frames, {
    timeoutMs: 60000,
    describe: () => `the preview showing ${frames} more frames (${from} -> ${now})`,
  });
}

/** The video m-section of an SDP. */
function videoSection(sdp) {
  return sdp.split(/\r?\n(?=m=)/).find((m) => m.startsWith('m=video')) ?? '';
}

/* --------------------------------------------------------------- tests */

test('province page publishes camera + microphone to the relay (WHIP)', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  await scenario(t, 'publish', { 'TH-50': TH50_TOKEN }, async ({ t, relay, context, page }) => {
    const token = relay.tokens['TH-50'];
    const pageUrl = `${relay.url}province.html?province=TH-50`;
    const status = () => provinceStatus(relay, 'TH-50');
    const whipPosts = [];
    page.on('request', (req) => {
      if (isWhipPost(req)) {
        whipPosts.push(req.url());
      }
    });

    const before = await status();
    assert.equal(before.code, 'TH-50');
    assert.equal(before.state, 'offline', 'TH-50 must start offline');

    await page.goto(pageUrl);
    assert.equal(await page.evaluate(() => window.briefing.state), 'idle');
    await waitFor(async () => (await page.inputValue('#province')) === 'TH-50',
      { timeoutMs: 5000, describe: 'province picker preselected with TH-50 from ?province=' });
    // The picker is filled from the status API.
    await waitFor(async () => /เชียงใหม่/.test(await page.textContent('#province option:checked')),
      { timeoutMs: 5000, describe: 'picker label "TH-50 เชียงใหม่ Chiang Mai"' });

    await page.fill('#token', token);
    const answered = page.waitForResponse((r) => isWhipPost(r.request()), { timeout: 30000 });
    await page.click('#publish');
    const answer = await answered;
    assert.equal(answer.status(), 201, 'WHIP POST accepted');
    const answerSdp = await answer.text();

    // --- the relay sees the province go live with 640x360 video and audio.
    await waitFor(async () => (await status()).state === 'live', {
      timeoutMs: 30000,
      describe: 'TH-50 state "live" in /api/v1/provinces/TH-50',
    });
    const live = await waitFor(async () => {
      const s = await status();
      return s.video && s.video.width === 640 && s.video.height === 360 && s.audio ? s : false;
    }, { timeoutMs: 30000, describe: 'video 640x360 and audio in the status' });
    assert.equal(live.state, 'live');
    assert.ok(live.remote_address, 'remote_address set while live');
    // Chromium offers AEAD_AES_128_GCM first; the relay must take it.
    assert.equal(live.srtp_profile, 'AEAD_AES_128_GCM');
    assert.equal(live.video.codec, 'VP8');
    t.diagnostic(`live: remote ${live.remote_address}, video ${JSON.stringify(live.video)}`);

    // --- media keeps coming: the relay decodes more frames and receives
    // more audio packets (counts, however long they take).
    const a = await status();
    let last = a;
    await waitFor(async () => {
      last = await status();
      return last.video.frames_decoded >= a.video.frames_decoded + 30 &&
        last.audio.packets_received >= a.audio.packets_received + 50;
    }, {
      timeoutMs: 60000,
      describe: () => `video.frames_decoded +30 and audio.packets_received +50 from ` +
        `${a.video.frames_decoded}/${a.audio.packets_received} (now ` +
        `${last.video.frames_decoded}/${last.audio.packets_received})`,
    });

    // --- the relay's target bitrate is a cap the browser honours. The
    // answer states it on the video m-line (b=AS in kbit/s, b=TIAS in
    // bit/s), the relay repeats it in REMB, and the encoder's target
    // (outbound-rtp targetBitrate, the page's stats.targetKbps) must stay at
    // or under it while the clip would take about 1.6 Mbit/s. Watched over a
    // dozen of the page's stats snapshots, while the relay's byte count rises.
    const video = videoSection(answerSdp);
    assert.match(video, new RegExp(`^b=AS:${TARGET_KBPS}\\r?$`, 'm'), `b=AS in the answer's video:\n${video}`);
    assert.match(video, new RegExp(`^b=TIAS:${TARGET_KBPS * 1000}\\r?$`, 'm'),
      `b=TIAS in the answer's video:\n${video}`);
    const snapshots = new Map(); // framesSent -> the page's send stats
    const bytesBefore = (await status()).video.bytes_received;
    let bytesAfter = bytesBefore;
    await waitFor(async () => {
      const s = (await pageSnapshot(page)).stats;
      if (s && typeof s.targetKbps === 'number') {
        snapshots.set(s.framesSent, s);
      }
      bytesAfter = (await status()).video.bytes_received;
      return snapshots.size >= 12 && bytesAfter > bytesBefore;
    }, {
      timeoutMs: 90000,
      intervalMs: 200,
      describe: () => `12 send-stats snapshots with targetKbps (have ${snapshots.size}) and ` +
        `video.bytes_received rising (${bytesBefore} -> ${bytesAfter})`,
    });
    const targets = [...snapshots.values()].map((s) => s.targetKbps);
    t.diagnostic(`encoder targets (kbit/s): ${targets.map(Math.round).join(' ')}`);
    assert.ok(Math.max(...targets) <= TARGET_KBPS,
      `the encoder's target went above the relay's ${TARGET_KBPS} kbit/s: ${targets.join(', ')}`);

    // --- the page agrees it is live and shows its send stats.
    await waitFor(async () => (await pageSnapshot(page)).state === 'live',
      { timeoutMs: 10000, describe: 'window.briefing.state === "live"' });
    const snap = await pageSnapshot(page);
    assert.equal(snap.dataState, 'live');
    assert.match(snap.stateText, /^กำลังส่งสด$/);
    assert.ok(snap.location && snap.location.startsWith(`${relay.url}whip/TH-50/`),
      `window.briefing.location should be the session URL, got ${snap.location}`);
    await waitFor(async () => {
      const s = (await pageSnapshot(page)).stats;
      return s && s.width === 640 && s.height === 360 && s.bitrateKbps > 0;
    }, { timeoutMs: 10000, describe: 'page send stats (640x360, bitrate > 0)' });
    assert.match(await page.textContent('#stat-resolution'), /640\s*×\s*360/);

    // Kept with the relay's temp dir (BRIEFING_KEEP_TMP=1, or a failure).
    await page.screenshot({ path: path.join(relay.tmpDir, 'province-live.png'), fullPage: true });

    // --- the token was remembered: the page opened again has it filled in
    // (a second tab, so the publishing tab stays live for the Stop check).
    const again = await context.newPage();
    await again.goto(pageUrl);
    assert.equal(await again.evaluate(() => localStorage.getItem('briefing.token.TH-50')), token,
      'token kept in localStorage for TH-50');
    assert.equal(await again.inputValue('#token'), token, 'token field pre-filled on reload');
    await again.close();

    // --- Stop releases the session (DELETE), closes the peer connection and
    // the province goes offline; the page stays idle.
    await page.evaluate(() => {
      window.stoppedPc = window.briefing.pc;
    });
    await recordStates(page);
    const deleted = page.waitForResponse(
      (r) => r.request().method() === 'DELETE' && r.url() === snap.location, { timeout: 10000 });
    await page.click('#stop');
    assert.equal((await deleted).status(), 200, 'DELETE of the WHIP session');
    const stopped = await pageSnapshot(page);
    assert.equal(stopped.state, 'idle');
    assert.equal(stopped.location, null);
    await waitFor(() => page.evaluate(() => window.stoppedPc.connectionState === 'closed'),
      { timeoutMs: 10000, describe: 'the peer connection closed after Stop' });
    await waitFor(async () => (await status()).state === 'offline', {
      timeoutMs: 20000,
      describe: (v) => `TH-50 "offline" after Stop (last: ${JSON.stringify(v)})`,
    });
    // The session is over for the page too: Publish is offered again (the
    // button follows the session's "active"), and while the camera preview
    // runs on for 3 s of frames, the page shows nothing but "idle" and posts
    // no new offer.
    assert.equal(await page.isEnabled('#publish'), true, 'Publish offered again after Stop');
    await previewAdvances(page, 45);
    assert.deepEqual(await statesSeen(page), ['live', 'idle'], 'states shown from Stop on');
    assert.equal(whipPosts.length, 1, `WHIP POSTs from the page: ${whipPosts.length}`);

    // --- reload the publishing page itself: token still there.
    await page.reload();
    assert.equal(await page.inputValue('#token'), token, 'token field pre-filled after reload');

    const health = await request(`${relay.url}api/v1/health`);
    assert.equal(health.status, 200);
    assert.equal(whipPosts.length, 1, `WHIP POSTs from the page: ${whipPosts.length}`);
    assert.equal((await status()).state, 'offline', 'the page must not reconnect after Stop');
  });
});

test('wrong token: the page shows the 401 error without retrying; the right one then publishes',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await scenario(t, 'wrong-token', { 'TH-50': TH50_TOKEN }, async ({ relay, page }) => {
      const posts = []; // the status of each WHIP POST, in order
      page.on('response', (r) => {
        if (isWhipPost(r.request())) {
          posts.push(r.status());
        }
      });
      await page.goto(`${relay.url}province.html?province=TH-50`);
      await waitFor(async () => (await page.inputValue('#province')) === 'TH-50',
        { timeoutMs: 5000, describe: 'province picker preselected with TH-50' });
      await recordStates(page);
      await page.fill('#token', 'not-the-token');
      await page.click('#publish');

      const snap = await waitFor(async () => {
        const s = await pageSnapshot(page);
        return s.state === 'error' ? s : false;
      }, { timeoutMs: 30000, describe: 'window.briefing.state === "error"' });
      assert.equal(snap.lastError && snap.lastError.status, 401, `lastError: ${JSON.stringify(snap.lastError)}`);
      assert.equal(snap.dataState, 'error');
      const shown = await page.textContent('#state');
      assert.match(shown, /โทเค็นไม่ถูกต้อง/, `state text: ${shown}`);

      // No automatic retry on 401: the page went straight from connecting
      // to the error (a retry shows "reconnecting" first), the session is
      // over (Publish is offered again: the button follows "active"), and
      // while the camera preview runs on for 3 s of frames nothing changes.
      assert.deepEqual(await statesSeen(page), ['idle', 'connecting', 'error'], 'states shown for a 401');
      assert.equal(await page.isEnabled('#publish'), true, 'Publish usable again after an error');
      await previewAdvances(page, 45);
      assert.deepEqual(await statesSeen(page), ['idle', 'connecting', 'error'], 'states shown after a 401');
      assert.deepEqual(posts, [401], 'one WHIP POST for the wrong token');
      assert.equal(await page.evaluate(() => localStorage.getItem('briefing.token.TH-50')), null,
        'a rejected token must not be stored');

      const health = await request(`${relay.url}api/v1/health`);
      assert.equal(health.status, 200, `health: ${health.text}`);
      assert.equal(health.json && health.json.status, 'ok');
      assert.equal((await provinceStatus(relay, 'TH-50')).state, 'offline');

      // The right token then publishes: the POSTs were the refused one and
      // this one, nothing in between.
      await page.fill('#token', TH50_TOKEN);
      await page.click('#publish');
      await waitFor(async () => (await provinceStatus(relay, 'TH-50')).state === 'live',
        { timeoutMs: 30000, describe: 'TH-50 live with the right token' });
      assert.deepEqual(posts, [401, 201], 'WHIP POSTs: the refused one, then the accepted one');
      assert.equal(await page.evaluate(() => localStorage.getItem('briefing.token.TH-50')), TH50_TOKEN,
        'the accepted token is stored');
    });
  });
