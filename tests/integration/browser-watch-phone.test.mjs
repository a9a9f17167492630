// The minister's page on a phone (390x844) and a laptop (1366x768), in
// Debian's Chromium against a real relay with webrtcbin publishers
// (issue 13, item 5): the picture above the fold and never a black box
// first, in view after Watch, no sideways scrolling; full screen; a quick
// switch between live offices (the list under the picture, a swipe, the
// arrow keys); amber while waiting for media; signing in once with the
// token (then WHEP with the cookie alone), or with the one-time link the
// chair's "link for a phone" shows as a QR code; the link working once, an
// expired one refused; sign-out; and a same-site page of another origin
// refused when it posts with the cookie.
//
// Screenshots are kept in a directory named on stderr at the end.
// Needs: build/briefing-relay, build/tools/whip-publish, var/test-media,
// Chromium at /usr/bin/chromium (or CHROMIUM_PATH), `npm ci`, zbarimg
// (zbar-tools, scripts/setup) to read the QR code back.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startRelay, request, waitFor, sleep } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { getBrowser, closeBrowser, rememberToken } from '../../tools/lib/browser.mjs';

const TOKENS = {
  'TH-50': 'chiang-mai-token-for-phone-watch',
  'TH-51': 'lamphun-token-for-phone-watch',
  'TH-57': 'chiang-rai-token-for-phone-watch',
};
const MINISTER = 'minister-token-for-phone-watch';
const CHAIR = 'chair-token-for-phone-watch';
const VIEWERS = {
  'viewer minister': { role: 'minister', token: MINISTER },
  'viewer chair': { role: 'chair', token: CHAIR },
};
const PHONE = { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const LAPTOP = { name: 'laptop', viewport: { width: 1366, height: 768 }, isMobile: false, hasTouch: false };
/* Generous: a loaded machine is slow; a wait costs time only when broken. */
const WAIT_MS = 60000;
const TEST_TIMEOUT_MS = 300000;
const AMBER = 'rgb(227, 154, 0)';
const SHOTS = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-watch-phone-'));

let relay;
const publishers = [];
before(async () => {
  relay = await startRelay({ provinces: TOKENS, extraConfig: VIEWERS });
  for (const code of ['TH-50', 'TH-51']) {
    publishers.push(startPublisher(relay, [code]));
  }
  for (const code of ['TH-50', 'TH-51']) {
    await waitFor(async () => (await request(`${relay.url}api/v1/provinces/${code}`)).json?.state === 'live',
      { timeoutMs: WAIT_MS, describe: `${code} live` });
  }
});
after(async () => {
  await closeBrowser();
  for (const p of publishers) {
    await p.stop().catch(() => null);
  }
  await relay?.stop();
  relay?.cleanup();
  process.stderr.write(`browser-watch-phone: screenshots in ${SHOTS}\n`);
});

/* A browser context as the device, a page in it, and on failure the page's
 * console and a screenshot. */
async function onDevice(device, name, fn, { language = null, init = null } = {}) {
  const browser = await getBrowser();
  const context = await browser.newContext({
    viewport: device.viewport, isMobile: device.isMobile, hasTouch: device.hasTouch,
    locale: 'th-TH',
  });
  if (language) {
    await context.addInitScript((l) => localStorage.setItem('briefing.language', l), language);
  }
  if (init) {
    await init(context);
  }
  const page = await context.newPage();
  const lines = [];
  const errors = [];
  page.on('console', (m) => lines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => {
    errors.push(e.message);
    lines.push(`[pageerror] ${e.stack || e.message}`);
  });
  try {
    await fn({ context, page });
    assert.deepEqual(errors, [], 'uncaught exceptions in the page');
  } catch (e) {
    const shot = path.join(SHOTS, `${name}-failure.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => null);
    process.stderr.write(`\n===== ${name} FAILED (screenshot ${shot}) =====\n${lines.slice(-40).join('\n')}\n`);
    relay.dumpLog(`relay log (${name})`);
    throw e;
  } finally {
    await context.close().catch(() => null);
  }
}

const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
const hook = (page) => page.evaluate(() => ({
  state: window.briefingWatch.state,
  media: window.briefingWatch.media,
  location: window.briefingWatch.location,
  signedIn: window.briefingWatch.signedIn,
  live: window.briefingWatch.live,
}));

/* Where things are, in CSS pixels of the viewport. */
function layout(page) {
  return page.evaluate(() => {
    const rect = (id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      return { top: r.top, left: r.left, bottom: r.bottom, right: r.right, width: r.width, height: r.height };
    };
    const stage = document.getElementById('stage');
    return {
      viewport: { width: window.innerWidth, height: window.innerHeight },
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      stage: rect('stage'),
      video: rect('video'),
      watch: rect('watch'),
      background: getComputedStyle(stage).backgroundColor,
      border: getComputedStyle(stage).borderTopColor,
      message: document.getElementById('stage-message').textContent,
    };
  });
}

function assertInViewport(r, vp, what) {
  assert.ok(r.top >= 0 && r.left >= 0 && r.bottom <= vp.height + 0.5 && r.right <= vp.width + 0.5,
    `${what} within the ${vp.width}x${vp.height} viewport: ${JSON.stringify(r)}`);
}

function assertNoSideways(l, what) {
  assert.ok(l.scrollWidth <= l.clientWidth, `${what}: no horizontal overflow (${l.scrollWidth} > ${l.clientWidth})`);
}

/* A light colour: not the black box of before. */
function isLight(rgb) {
  const [r, g, b] = rgb.match(/\d+/g).map(Number);
  return r > 180 && g > 180 && b > 180;
}

async function waitMedia(page, media, { code = null } = {}) {
  let last;
  await waitFor(async () => {
    last = await hook(page);
    return last.media === media && (!code || (last.location || '').includes(`/whep/province/${code}/`));
  }, { timeoutMs: WAIT_MS, describe: () => `the picture ${media}${code ? ` of ${code}` : ''} (last: ${JSON.stringify(last)})` });
}

async function framesRise(page, more = 10) {
  const frames = () => page.evaluate(() => document.getElementById('video').getVideoPlaybackQuality().totalVideoFrames);
  const a = await frames();
  await waitFor(async () => (await frames()) >= a + more, { timeoutMs: WAIT_MS, describe: `${more} more frames` });
}

async function press(page, device, selector) {
  if (device.hasTouch) {
    await page.tap(selector);
  } else {
    await page.click(selector);
  }
}

async function viewerSessions() {
  const res = await request(`${relay.url}api/v1/viewers`, { headers: { Authorization: `Bearer ${CHAIR}` } });
  assert.equal(res.status, 200, res.text);
  return res.json.viewers.map((v) => [v.viewer, v.source]);
}

/* A swipe on the picture: real touch events on a phone (CDP), the mouse on a laptop. */
async function swipe(page, device, dx) {
  const r = (await layout(page)).stage;
  const y = r.top + r.height / 2;
  const x0 = r.left + r.width / 2 - dx / 2;
  if (device.hasTouch) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: x0, y }] });
    for (let i = 1; i <= 5; i++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: x0 + (dx * i) / 5, y }] });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await cdp.detach();
  } else {
    await page.mouse.move(x0, y);
    await page.mouse.down();
    await page.mouse.move(x0 + dx, y, { steps: 5 });
    await page.mouse.up();
  }
}

async function signInWithToken(page, device, token) {
  await page.fill('#token', token);
  await press(page, device, '#sign-in');
  await waitFor(async () => (await hook(page)).signedIn?.role, { timeoutMs: WAIT_MS, describe: 'signed in' });
}

test('on a phone and a laptop: the picture above the fold, never a black box first, in view after Watch, nothing sideways',
  { timeout: TEST_TIMEOUT_MS }, async () => {
    for (const device of [PHONE, LAPTOP]) {
      await onDevice(device, `layout-${device.name}`, async ({ page }) => {
        await page.goto(`${relay.url}watch.html?province=TH-50`);
        await waitFor(async () => (await hook(page)).live.includes('TH-50'),
          { timeoutMs: WAIT_MS, describe: 'TH-50 in the live list' });
        const before = await layout(page);
        assert.equal((await hook(page)).media, 'idle');
        assert.ok(isLight(before.background), `the idle picture is a light card, not a black box: ${before.background}`);
        assert.equal(before.message, 'เลือกสำนักงานแล้วกด "ดู"');
        assertInViewport(before.stage, before.viewport, 'the picture before Watch');
        assertInViewport(before.watch, before.viewport, 'the Watch button (above the fold)');
        assertNoSideways(before, 'before Watch');
        await shot(page, `${device.name}-before-watch`);

        await page.fill('#token', MINISTER);
        await press(page, device, '#watch');
        await waitMedia(page, 'playing', { code: 'TH-50' });
        await framesRise(page);
        const after = await layout(page);
        assertInViewport(after.stage, after.viewport, 'the picture after Watch');
        assert.ok(after.video.width > 0 && after.video.height > 0, 'the video has a size');
        assert.equal(after.background, 'rgb(0, 0, 0)', 'black only behind a picture');
        assertNoSideways(after, 'after Watch');
        await shot(page, `${device.name}-watching`);
        await page.click('#stop');
        await waitFor(async () => (await hook(page)).state === 'idle', { timeoutMs: WAIT_MS, describe: 'stopped' });
      });
    }
  });

test('full screen: the picture fills the screen, and leaves it again', { timeout: TEST_TIMEOUT_MS }, async () => {
  for (const device of [PHONE, LAPTOP]) {
    await onDevice(device, `fullscreen-${device.name}`, async ({ page }) => {
      await page.goto(`${relay.url}watch.html?province=TH-50`);
      await page.fill('#token', MINISTER);
      await press(page, device, '#watch');
      await waitMedia(page, 'playing', { code: 'TH-50' });
      assert.equal((await page.textContent('#fullscreen')).trim(), 'เต็มจอ');
      await press(page, device, '#fullscreen');
      await waitFor(() => page.evaluate(() => document.fullscreenElement?.id === 'stage'),
        { timeoutMs: WAIT_MS, describe: 'the stage in full screen' });
      const l = await layout(page);
      assert.equal(Math.round(l.stage.width), l.viewport.width, JSON.stringify(l));
      assert.equal(Math.round(l.stage.height), l.viewport.height, JSON.stringify(l));
      assert.equal(Math.round(l.video.width), l.viewport.width);
      assert.equal(Math.round(l.video.height), l.viewport.height);
      assert.equal((await page.textContent('#fullscreen')).trim(), 'ออกจากเต็มจอ');
      assert.equal(await page.getAttribute('#fullscreen', 'aria-pressed'), 'true');
      await framesRise(page);
      await shot(page, `${device.name}-fullscreen`);
      await press(page, device, '#fullscreen');
      await waitFor(() => page.evaluate(() => document.fullscreenElement === null),
        { timeoutMs: WAIT_MS, describe: 'full screen left' });
      assert.equal((await page.textContent('#fullscreen')).trim(), 'เต็มจอ');
      assertInViewport((await layout(page)).stage, l.viewport, 'the picture back in the page');
      await page.click('#stop');
    });
  }
});

test('signed in once with the token, the phone switches between live offices by the list, a swipe and the arrow keys, with the cookie alone',
  { timeout: TEST_TIMEOUT_MS }, async () => {
    await onDevice(PHONE, 'switch', async ({ context, page }) => {
      const whep = [];
      page.on('request', (r) => {
        if (new URL(r.url()).pathname.startsWith('/whep/')) {
          whep.push({ method: r.method(), path: new URL(r.url()).pathname, auth: r.headers().authorization ?? null });
        }
      });
      await page.goto(`${relay.url}watch.html`);
      await signInWithToken(page, PHONE, MINISTER);
      const signed = await hook(page);
      assert.equal(signed.signedIn.role, 'minister');
      assert.equal(signed.signedIn.via, 'token');
      assert.equal(await page.isVisible('#token-block'), false, 'no token field once signed in');
      assert.match(await page.textContent('#signed-in-text'), /เข้าสู่ระบบแล้วในฐานะรัฐมนตรี/);
      assert.equal(await page.inputValue('#token'), '', 'the typed token is gone from the page');
      assert.equal(await page.evaluate(() => localStorage.getItem('briefing.viewerToken')), null,
        'nor kept in the browser: the cookie replaces it');
      const cookie = (await context.cookies()).find((c) => c.name === 'briefing_session');
      assert.ok(cookie, 'the session cookie');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Strict');
      assert.equal(cookie.secure, false, 'plain HTTP here (HTTPS: signin.test.mjs)');
      assert.ok(cookie.expires > Date.now() / 1000 && cookie.expires <= Date.now() / 1000 + 43200 + 60,
        `bounded lifetime: ${cookie.expires}`);
      assert.equal(await page.evaluate(() => document.cookie.includes('briefing_session')), false,
        'no script reads it');

      await waitFor(async () => {
        const live = (await hook(page)).live;
        return live.includes('TH-50') && live.includes('TH-51');
      }, { timeoutMs: WAIT_MS, describe: 'TH-50 and TH-51 in the live list' });
      assert.match(await page.textContent('#live-count'), /ออนไลน์ 2 แห่ง/);
      const listBox = await page.evaluate(() => {
        const r = document.getElementById('live-offices').getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
      });
      assertInViewport(listBox, PHONE.viewport, 'the live list (under the picture)');

      // A tap on a live office starts watching it: WHEP with no token.
      await page.tap('.live-chip[data-code="TH-50"]');
      await waitMedia(page, 'playing', { code: 'TH-50' });
      await framesRise(page);
      assert.equal(await page.getAttribute('.live-chip[data-code="TH-50"]', 'aria-pressed'), 'true');
      assert.match(await page.textContent('#stage-office'), /TH-50 เชียงใหม่/);
      assert.deepEqual(await viewerSessions(), [['minister', 'TH-50']]);
      await shot(page, 'phone-switch-th50');

      // Swipe left: the next live office.
      await swipe(page, PHONE, -200);
      await waitMedia(page, 'playing', { code: 'TH-51' });
      await framesRise(page);
      assert.equal(await page.getAttribute('.live-chip[data-code="TH-51"]', 'aria-pressed'), 'true');
      assert.match(await page.textContent('#stage-office'), /TH-51/);
      await waitFor(async () => JSON.stringify(await viewerSessions()) === JSON.stringify([['minister', 'TH-51']]),
        { timeoutMs: WAIT_MS, describe: 'one session, on TH-51: the old one ended' });
      assertInViewport((await layout(page)).stage, PHONE.viewport, 'the picture after the swipe');
      await shot(page, 'phone-switch-th51');

      // Swipe right: back; then the arrow key on the focused picture.
      await swipe(page, PHONE, 200);
      await waitMedia(page, 'playing', { code: 'TH-50' });
      await page.focus('#stage');
      await page.keyboard.press('ArrowRight');
      await waitMedia(page, 'playing', { code: 'TH-51' });

      // Every WHEP request went without a token: the cookie did it.
      assert.ok(whep.filter((r) => r.method === 'POST').length >= 4, JSON.stringify(whep));
      assert.deepEqual(whep.filter((r) => r.auth !== null), [], 'no Authorization header');
      assertNoSideways(await layout(page), 'after switching');

      // Sign out: the session ends first, then the cookie.
      await page.tap('#sign-out');
      await waitFor(async () => (await hook(page)).signedIn === null && (await hook(page)).state === 'idle',
        { timeoutMs: WAIT_MS, describe: 'signed out and stopped' });
      assert.equal(await page.isVisible('#token-block'), true, 'the token field is back');
      assert.match(await page.textContent('#signin-message'), /ออกจากระบบแล้ว/);
      assert.equal((await context.cookies()).some((c) => c.name === 'briefing_session'), false,
        'the browser forgot the cookie');
      await waitFor(async () => (await viewerSessions()).length === 0,
        { timeoutMs: WAIT_MS, describe: 'no viewer session left' });
      // The old cookie value opens nothing any more.
      const stale = await request(`${relay.url}api/v1/session`, { headers: { Cookie: `briefing_session=${cookie.value}` } });
      assert.equal(stale.status, 401);
    });
  });

test('amber while waiting for media: an office that is not sending, until it sends', { timeout: TEST_TIMEOUT_MS }, async () => {
  await onDevice(PHONE, 'amber', async ({ page }) => {
    await page.goto(`${relay.url}watch.html?province=TH-57`);
    await page.fill('#token', MINISTER);
    await page.tap('#watch');
    await waitFor(async () => (await hook(page)).state === 'watching', { timeoutMs: WAIT_MS, describe: 'watching TH-57' });
    await waitMedia(page, 'waiting');
    let l = await layout(page);
    assert.equal(l.border, AMBER, 'an amber frame');
    assert.match(l.message, /TH-57 เชียงราย ยังไม่ได้ส่งภาพ/);
    assert.equal(l.background, 'rgb(255, 244, 220)', 'an amber card');
    await shot(page, 'phone-amber-waiting');
    // In English too.
    await page.tap('[data-language-switch]');
    await waitFor(async () => /is not sending yet/.test((await layout(page)).message),
      { timeoutMs: WAIT_MS, describe: 'the English amber message' });
    await page.tap('[data-language-switch]');

    const pub = startPublisher(relay, ['TH-57']);
    publishers.push(pub);
    await waitMedia(page, 'playing', { code: 'TH-57' });
    l = await layout(page);
    assert.notEqual(l.border, AMBER, 'no longer amber once frames come');
    await framesRise(page);
    await shot(page, 'phone-amber-then-playing');
    await page.click('#stop');
  });
});

/* The QR code in an element's screenshot, read by zbarimg. */
async function readQr(locator) {
  const file = path.join(SHOTS, 'ops-phone-link-qr.png');
  await locator.screenshot({ path: file });
  return execFileSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8' }).trim();
}

test('the chair\'s "link for a phone": a QR code a phone signs in with once, as the minister', { timeout: TEST_TIMEOUT_MS }, async () => {
  let link = null;
  await onDevice(LAPTOP, 'ops-phone-link', async ({ page }) => {
    await page.goto(`${relay.url}ops.html`);
    await page.click('.phone-link-open');
    const qr = page.locator('.phone-link-qr');
    await qr.waitFor({ state: 'visible', timeout: WAIT_MS });
    await waitFor(() => qr.evaluate((img) => img.complete && img.naturalWidth > 0),
      { timeoutMs: WAIT_MS, describe: 'the QR image drawn' });
    link = (await page.textContent('.phone-link-url')).trim();
    assert.match(link, new RegExp(`^${relay.url}watch\\.html#signin=[A-Za-z0-9_-]{22}$`));
    assert.match(await page.textContent('.phone-link-status'), /หมดอายุใน [0-4]:\d\d ใช้ได้ครั้งเดียว/);
    await shot(page, 'ops-phone-link');
    assert.equal(await readQr(qr), link, 'the QR code carries the link');
  }, { init: (context) => rememberToken(context, CHAIR) });

  await onDevice(PHONE, 'link-first-use', async ({ page }) => {
    await page.goto(link);
    await waitFor(async () => (await hook(page)).signedIn?.via === 'link',
      { timeoutMs: WAIT_MS, describe: 'signed in by the link' });
    assert.equal((await hook(page)).signedIn.role, 'minister');
    assert.equal(new URL(page.url()).hash, '', 'the code is taken out of the address');
    assert.match(await page.textContent('#signin-message'), /เข้าสู่ระบบด้วยลิงก์แล้ว/);
    assert.equal(await page.isVisible('#token-block'), false);
    await waitFor(async () => (await hook(page)).live.includes('TH-50'), { timeoutMs: WAIT_MS, describe: 'live list' });
    await page.tap('.live-chip[data-code="TH-50"]');
    await waitMedia(page, 'playing', { code: 'TH-50' });
    assert.ok((await viewerSessions()).some(([viewer, source]) => viewer.startsWith('link-') && source === 'TH-50'),
      'the phone watches under the link\'s own name');
    await shot(page, 'phone-link-signed-in');
    await page.click('#stop');
  });

  await onDevice(PHONE, 'link-second-use', async ({ page }) => {
    await page.goto(link);
    await waitFor(async () => /ลิงก์นี้ถูกใช้ไปแล้ว/.test(await page.textContent('#signin-message')),
      { timeoutMs: WAIT_MS, describe: 'the second use refused' });
    assert.equal((await hook(page)).signedIn, null);
    assert.equal(await page.isVisible('#token-block'), true);
    await shot(page, 'phone-link-used');
  });
});

test('an expired link is refused on the phone', { timeout: TEST_TIMEOUT_MS }, async () => {
  const short = await startRelay({ extraConfig: { ...VIEWERS, limits: { 'signin-link-lifetime-s': 5 } } });
  try {
    const made = await request(`${short.url}api/v1/session/links`,
      { method: 'POST', headers: { Authorization: `Bearer ${CHAIR}` } });
    assert.equal(made.status, 201, made.text);
    await sleep((made.json.expires_in_s + 1) * 1000);
    await onDevice(PHONE, 'link-expired', async ({ page }) => {
      await page.goto(made.json.url);
      await waitFor(async () => /ลิงก์นี้หมดอายุแล้ว/.test(await page.textContent('#signin-message')),
        { timeoutMs: WAIT_MS, describe: 'the expired link refused' });
      assert.equal((await hook(page)).signedIn, null);
      assert.equal(new URL(page.url()).hash, '');
      await shot(page, 'phone-link-expired');
    });
  } finally {
    await short.stop();
    short.cleanup();
  }
});

test('a page of another origin on the same host posts with the cookie: refused (origin-not-allowed), nothing made',
  { timeout: TEST_TIMEOUT_MS }, async () => {
    // Another port of 127.0.0.1 is the same site: SameSite=Strict lets the
    // browser send the cookie there, so the relay's Origin check is what
    // refuses. A form POST reaches the relay without CORS and shows its answer.
    const foreign = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!DOCTYPE html><form id="f" method="post" enctype="text/plain"
        action="${relay.url}whep/mosaic"><input name="v" value="offer"></form>
        <script>document.getElementById('f').submit();</script>`);
    });
    await new Promise((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    try {
      await onDevice(PHONE, 'foreign-origin', async ({ page }) => {
        await page.goto(`${relay.url}watch.html`);
        await signInWithToken(page, PHONE, MINISTER);
        await page.goto(`http://127.0.0.1:${foreign.address().port}/`);
        await waitFor(() => page.url().startsWith(`${relay.url}whep/mosaic`),
          { timeoutMs: WAIT_MS, describe: 'the form posted to the relay' });
        const answer = JSON.parse(await page.textContent('body'));
        assert.equal(answer.error, 'origin-not-allowed', JSON.stringify(answer));
        assert.deepEqual(await viewerSessions(), [], 'no session made');
        // The same cookie from the relay's own page still works.
        await page.goto(`${relay.url}watch.html`);
        await waitFor(async () => (await hook(page)).signedIn?.role === 'minister',
          { timeoutMs: WAIT_MS, describe: 'still signed in on the relay\'s page' });
      });
    } finally {
      foreign.close();
    }
  });

test('in English: the page and its list say it in English only', { timeout: TEST_TIMEOUT_MS }, async () => {
  await onDevice(PHONE, 'english', async ({ page }) => {
    await page.goto(`${relay.url}watch.html`);
    await waitFor(async () => (await hook(page)).live.includes('TH-50'), { timeoutMs: WAIT_MS, describe: 'live list' });
    assert.equal(await page.textContent('#stage-message'), 'Choose an office and press Watch');
    assert.equal((await page.textContent('#watch')).trim(), 'Watch');
    assert.equal((await page.textContent('#sign-in')).trim(), 'Sign in on this device');
    assert.match(await page.textContent('#live-count'), /^\d+ live$/);
    assert.match(await page.textContent('.live-chip[data-code="TH-50"]'), /Chiang Mai/);
    const body = await page.textContent('body');
    assert.doesNotMatch(body.replace(/ไทย/g, ''), /[\u0E00-\u0E7F]/, 'no Thai but the switch\'s own name');
    await shot(page, 'phone-english');
  }, { language: 'en' });
});
