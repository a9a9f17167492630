// The operations console (web/ops.html) as the operations room uses it on a
// 76-office morning, in a real Chromium against the real relay, at the
// operators' screen sizes (1366x768 and 1920x1080):
//  - the roster of 76 fits without sideways scrolling, its office names stay
//    in view after "give floor" and "mute"; filter by state, sort (missing
//    first), search by Thai or English name or code, grouped by region in
//    the mosaic's order; a network-quality dot per live office (an office
//    whose video loses a fifth of its packets shows poor, a clean one good);
//  - the floor given by a click on the office's tile in the mosaic, or on
//    its roster row, with a question first for an office that is offline
//    (cancel: nothing sent; confirm: the floor); the fixed "Speaking" bar
//    with the office and its clock running; the keyboard shortcuts and their
//    help, fullscreen;
//  - the relay out of reach: a banner; a restarted relay (another process,
//    other state) read again in full, so a floor holder it no longer has is
//    gone.
// Screenshots are kept in a directory printed at the end. Every wait is for
// a state, with generous limits: the machine is loaded.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { openEvents } from '../../tools/lib/events.mjs';
import { startTcpProxy } from './lib/tcp-proxy.mjs';
import { getBrowser, closeBrowser, collectDiagnostics, rememberToken } from '../../tools/lib/browser.mjs';

const CHAIR = 'chair-token-for-ops-console';
const TOKENS = {
  'TH-12': 'nonthaburi-token-console',
  'TH-50': 'chiang-mai-token-console',
  'TH-90': 'songkhla-token-console',
};
const TEST_TIMEOUT_MS = 300000;
const SHOTS = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-ops-console-'));
const VIEWPORTS = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }];

after(async () => {
  await closeBrowser();
  process.stderr.write(`browser-ops-console: screenshots in ${SHOTS}\n`);
});

const auth = { Authorization: `Bearer ${CHAIR}`, 'Content-Type': 'application/json' };

async function chair(relay, method, p, body) {
  const r = await request(`${relay.url}${p}`, {
    method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

const conference = (relay) => getJson(`${relay.url}api/v1/conference`);

/* The relay's day (Asia/Bangkok), as the figures want it. */
const bangkokToday = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);

/* A new version of an office's figures (one event each). */
async function submitFigures(relay, code, n) {
  const values = {
    job_seekers: 100 + n, job_placements: 10, layoffs: 1, establishments_closed: 0,
    complaints_received: 2, complaints_resolved: 1, workplace_accidents: 0,
    unemployment_rate: 1.5, overall_status: 'normal',
  };
  const r = await request(`${relay.url}api/v1/reports`, {
    method: 'POST', headers: { Authorization: `Bearer ${relay.tokens[code]}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'figures', id: `${code}-console-${n}`, date: bangkokToday(), values }),
  });
  assert.equal(r.status, 201, `figures of ${code}: ${r.text}`);
}

function relayOf(tokens) {
  return startRelay({ provinces: tokens, extraConfig: { 'viewer chair': { role: 'chair', token: CHAIR } } });
}

async function live(relay, code) {
  await waitFor(async () => (await getJson(`${relay.url}api/v1/provinces/${code}`)).state === 'live',
    { timeoutMs: 60000, describe: `${code} live` });
}

/** Waits until the relay's value satisfies fn; returns it. */
function waitRelay(get, fn, describe, timeoutMs = 30000) {
  let last;
  return waitFor(async () => {
    last = await get();
    return fn(last) ? last : false;
  }, { timeoutMs, describe: () => `${describe} (last: ${JSON.stringify(last)})` });
}

/** A page of its own at a viewport, with the chair's token remembered. */
async function openPage(url, viewport, language = null) {
  const context = await (await getBrowser()).newContext({ viewport });
  await rememberToken(context, CHAIR);
  if (language) {
    await context.addInitScript((l) => localStorage.setItem('briefing.language', l), language);
  }
  const page = await context.newPage();
  const diagnostics = collectDiagnostics(page);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { context, page, diagnostics, errors };
}

/* The WCAG contrast ratio of an element's background against its
 * masthead's: a button must stand out from the blue, not melt into it. */
function contrastWithMasthead(page, selector) {
  return page.evaluate((sel) => {
    const rgb = (css) => css.match(/[\d.]+/g).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }).reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
    const button = lum(rgb(getComputedStyle(document.querySelector(sel)).backgroundColor));
    const head = lum(rgb(getComputedStyle(document.querySelector('.masthead')).backgroundColor));
    return (Math.max(button, head) + 0.05) / (Math.min(button, head) + 0.05);
  }, selector);
}

/** Waits on a page function; a timeout carries the page's hooks and console. */
function pageWait(page, diagnostics, fn, arg, describe, timeoutMs = 45000) {
  return waitFor(() => page.evaluate(fn, arg), { timeoutMs, describe }).catch(async (e) => {
    const hooks = await page.evaluate(() => JSON.stringify({
      conference: window.briefingOps?.conference(), speaking: window.briefingOps?.speaking(),
      relay: window.briefingOps?.relay(), shown: window.briefingOps?.roster().shown.slice(0, 20),
      error: document.getElementById('control-error')?.textContent,
    })).catch((err) => err.message);
    throw new Error(`${e.message}\npage: ${hooks}\n${diagnostics()}`);
  });
}

/** The codes of the roster rows in the page, in order. */
const rosterCodes = (page) => page.evaluate(() =>
  [...document.querySelectorAll('#roster tr[data-id]')].map((tr) => tr.dataset.id));

/* Sideways: the page, the roster's scroll box and each visible row: nothing
 * wider than its box, every name cell inside the roster's box and wide
 * enough to read. Returns the problems found (none: []). */
async function layoutProblems(page) {
  // Read until the layout has settled (rows are re-rendered as states and
  // the mosaic's order arrive; a row caught mid-render is not a problem):
  // a real overflow stays, and is returned after the wait.
  let problems = [];
  await waitFor(async () => {
    problems = await layoutProblemsNow(page);
    return problems.length === 0;
  }, { timeoutMs: 15000, describe: 'the layout settled' }).catch(() => null);
  return problems;
}

function layoutProblemsNow(page) {
  return page.evaluate(() => {
    const problems = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) {
      problems.push(`page ${doc.scrollWidth} wider than ${doc.clientWidth}`);
    }
    const box = document.getElementById('roster-scroll');
    if (box.scrollWidth > box.clientWidth || box.scrollLeft !== 0) {
      problems.push(`roster ${box.scrollWidth} wider than ${box.clientWidth} (scrolled ${box.scrollLeft})`);
    }
    const b = box.getBoundingClientRect();
    for (const tr of document.querySelectorAll('#roster tr[data-id]')) {
      const r = tr.getBoundingClientRect();
      if (r.bottom < b.top || r.top > b.bottom) continue; // scrolled out vertically
      const name = tr.querySelector('.office-name').getBoundingClientRect();
      const last = tr.lastElementChild.getBoundingClientRect();
      if (name.left < b.left - 0.5 || name.width < 60 || !tr.querySelector('.office-name').textContent.trim()) {
        problems.push(`${tr.dataset.id}: name at ${name.left}..${name.right}, box ${b.left}..${b.right}`);
      }
      if (last.right > b.right + 0.5) {
        problems.push(`${tr.dataset.id}: last column ends at ${last.right}, box at ${b.right}`);
      }
    }
    return problems;
  });
}

/** The name cell of a row in view and readable: {text, inside}. */
function nameInView(page, code) {
  return page.evaluate((c) => {
    const tr = document.querySelector(`#roster tr[data-id="${c}"]`);
    tr.scrollIntoView({ block: 'center' });
    const box = document.getElementById('roster-scroll').getBoundingClientRect();
    const name = tr.querySelector('.office-name');
    const r = name.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + 5, (r.top + r.bottom) / 2);
    return {
      text: name.textContent,
      inside: r.left >= box.left && r.right <= box.right + 0.5 && r.width >= 60 && name.contains(hit),
    };
  }, code);
}

/* ------------------------------------------------------------ the roster */

test('the roster of 76 fits 1366 and 1920 wide, names stay in view; filter, sort, search, quality dots',
  { timeout: TEST_TIMEOUT_MS }, async () => {
    const relay = await relayOf(TOKENS);
    // TH-12 loses a fifth of its video packets on the way (repaired by NACK,
    // but its path is poor); TH-50 is clean. TH-90 never comes.
    const pubs = [startPublisher(relay, ['TH-50']), startPublisher(relay, ['TH-12'], { dropPercent: 20 })];
    try {
      await live(relay, 'TH-50');
      await live(relay, 'TH-12');
      const tiles = (await getJson(`${relay.url}api/v1/outputs`)).mosaic.tiles.map((t) => t.id);
      // figures.html's Show, on the same blue masthead.
      {
        const { context, page } = await openPage(`${relay.url}figures.html`, VIEWPORTS[0]);
        const show = await contrastWithMasthead(page, '#load');
        await context.close();
        assert.ok(show >= 3, `figures.html's Show stands out from the masthead (contrast ${show.toFixed(2)})`);
      }
      for (const viewport of VIEWPORTS) {
        const tag = `${viewport.width}x${viewport.height}`;
        const { context, page, diagnostics, errors } = await openPage(`${relay.url}ops.html`, viewport);
        try {
          await pageWait(page, diagnostics, () => document.querySelectorAll('#roster tr[data-id]').length === 77,
            null, `${tag}: 76 offices and the central room listed`);
          await pageWait(page, diagnostics, () => ['TH-50', 'TH-12'].every((c) =>
            document.querySelector(`#roster tr[data-id="${c}"]`).dataset.state === 'live'), null,
          `${tag}: TH-50 and TH-12 shown live`);
          assert.deepEqual(await layoutProblems(page), [], `${tag}: nothing wider than its box`);
          // The Connect button reads as a button on the blue masthead.
          const connect = await contrastWithMasthead(page, '#connect');
          assert.ok(connect >= 3, `Connect stands out from the masthead (contrast ${connect.toFixed(2)})`);

          // Grouped by region in the mosaic's order: the rows are the tiles
          // (waited for: the page orders the rows once it has read the
          // mosaic's tiles, which may come after the roster itself).
          let order = [];
          await waitFor(async () => {
            order = await rosterCodes(page);
            return JSON.stringify(order) === JSON.stringify(tiles);
          }, { timeoutMs: 30000, describe: () => `${tag}: the roster in the mosaic's order` }).catch(() => null);
          assert.deepEqual(order, tiles, `${tag}: the roster in the mosaic's order`);
          const heads = await page.evaluate(() =>
            [...document.querySelectorAll('#roster tr.region-head')].map((tr) => tr.textContent));
          assert.equal(heads.length, 6, `${tag}: a heading per region: ${heads.join(' | ')}`);
          assert.match(heads[0], /^ภาคกลาง · ออนไลน์ 1\/21 แห่ง$/);
          assert.match(await page.textContent('#counts'), /ออนไลน์ 2 แห่ง · สัญญาณหาย 0 แห่ง · ไม่ได้เชื่อมต่อ 74 แห่ง/);

          // The quality dots: one per office; live ones measured, the lossy
          // one poor, the clean one good; offline ones "not sending".
          const q = await pageWait(page, diagnostics, () => {
            const dot = (c) => document.querySelector(`#roster tr[data-id="${c}"] .quality-dot`).dataset.quality;
            return dot('TH-12') === 'poor' && dot('TH-50') === 'good'
              ? Object.fromEntries([...document.querySelectorAll('#roster tr[data-id]')]
                .map((tr) => [tr.dataset.id, tr.querySelector('.quality-dot')?.dataset.quality]))
              : null;
          }, null, `${tag}: TH-12's dot poor (20 % of its video lost on the way), TH-50's good`, 90000);
          assert.equal(Object.keys(q).length, 77);
          for (const [code, level] of Object.entries(q)) {
            if (code !== 'TH-12' && code !== 'TH-50') {
              assert.equal(level, 'none', `${code} (offline) has an empty dot`);
            }
          }
          const title = await page.getAttribute('#roster tr[data-id="TH-12"] .quality-dot', 'title');
          assert.match(title, /^สัญญาณไม่ดี \(สูญหาย [\d.]+ % · หน่วงไปกลับ /);

          // Names in view after "give floor" and "mute" (the buttons change
          // their words; the columns must not move the names away).
          await page.click('#roster tr[data-id="TH-50"] td:nth-child(4) button');
          await waitRelay(() => conference(relay), (c) => c.floor === 'TH-50', `${tag}: the floor to TH-50`);
          await pageWait(page, diagnostics, () => document.querySelector('#roster tr[data-id="TH-50"]')
            .classList.contains('floor'), null, `${tag}: TH-50's row holds the floor`);
          await page.click('#roster tr[data-id="TH-50"] td:nth-child(5) button');
          await waitRelay(() => conference(relay), (c) => !c.unmuted.includes('TH-50'), `${tag}: TH-50 muted`);
          await pageWait(page, diagnostics, () => document.querySelector('#roster tr[data-id="TH-50"] td:nth-child(5) button')
            .textContent === 'เปิดไมค์', null, `${tag}: TH-50's button offers "เปิดไมค์"`);
          assert.deepEqual(await nameInView(page, 'TH-50'), { text: 'TH-50 เชียงใหม่', inside: true });
          assert.deepEqual(await layoutProblems(page), [], `${tag}: nothing wider than its box after the actions`);
          await page.screenshot({ path: path.join(SHOTS, `roster-${tag}.png`) });

          // Filter by state.
          await page.selectOption('#roster-filter', 'live');
          assert.deepEqual(await rosterCodes(page), ['TH-12', 'TH-50'], `${tag}: live only`);
          await page.selectOption('#roster-filter', 'missing');
          let codes = await rosterCodes(page);
          assert.equal(codes.length, 75, `${tag}: the 74 missing offices and the room`);
          assert.ok(!codes.includes('TH-12') && !codes.includes('TH-50'));
          assert.match(await page.textContent('#roster-shown'), /^แสดง 74 จาก 76 แห่ง$/);
          await page.selectOption('#roster-filter', 'offline');
          assert.equal((await rosterCodes(page)).length, 75);
          await page.selectOption('#roster-filter', 'lost');
          assert.deepEqual(await rosterCodes(page), []);
          assert.equal(await page.textContent('#roster tr.no-match'), 'ไม่พบจังหวัดที่ตรงกับที่ค้นหา');
          await page.selectOption('#roster-filter', 'all');

          // Sort: missing first (the live ones last, in the mosaic's order),
          // by code, and back to the mosaic's order.
          await page.selectOption('#roster-sort', 'missing');
          codes = await rosterCodes(page);
          assert.deepEqual(codes.slice(-2), ['TH-12', 'TH-50'], `${tag}: missing first`);
          assert.equal(codes.length, 77);
          assert.equal(await page.locator('#roster tr.region-head').count(), 0, 'no region headings');
          await page.selectOption('#roster-sort', 'code');
          codes = await rosterCodes(page);
          assert.equal(codes[0], 'central', 'the room first');
          assert.deepEqual(codes.slice(1), Object.keys(q).filter((c) => c !== 'central').sort(), `${tag}: by code`);
          await page.selectOption('#roster-sort', 'mosaic');
          assert.deepEqual(await rosterCodes(page), tiles);

          // Search by Thai name, English name, code.
          await page.fill('#roster-search', 'เชียง');
          assert.deepEqual(await rosterCodes(page), ['TH-50', 'TH-57'], `${tag}: "เชียง"`);
          await page.fill('#roster-search', 'chiang');
          assert.deepEqual(await rosterCodes(page), ['TH-50', 'TH-57'], `${tag}: "chiang"`);
          await page.fill('#roster-search', 'Songkhla');
          assert.deepEqual(await rosterCodes(page), ['TH-90']);
          await page.fill('#roster-search', 'th-12');
          assert.deepEqual(await rosterCodes(page), ['TH-12']);
          await page.fill('#roster-search', '50');
          assert.deepEqual(await rosterCodes(page), ['TH-50']);
          await page.fill('#roster-search', 'zz');
          assert.deepEqual(await rosterCodes(page), []);
          await page.fill('#roster-search', '');
          assert.equal((await rosterCodes(page)).length, 77);

          // In English: one language, the same roster.
          await page.click('[data-language-switch]');
          await pageWait(page, diagnostics, () => document.documentElement.lang === 'en', null, 'English');
          assert.match(await page.textContent('#counts'), /^2 live · 0 lost · 74 offline$/);
          assert.equal(await page.textContent('#roster tr[data-id="TH-50"] .office-name'), 'TH-50 Chiang Mai');
          assert.equal(await page.textContent('#roster tr[data-id="TH-90"] td.state'), 'offline');
          assert.equal(await page.textContent('#speaking-office'), 'TH-50 Chiang Mai');
          const thai = await page.evaluate(() => /[\u0E00-\u0E7F]/.test(document.querySelector('.roster').innerText));
          assert.equal(thai, false, 'no Thai left in the English roster');
          assert.deepEqual(await layoutProblems(page), [], `${tag}: nothing wider than its box in English`);
          await page.screenshot({ path: path.join(SHOTS, `roster-${tag}-en.png`) });
          await chair(relay, 'DELETE', 'api/v1/conference/floor');
          assert.deepEqual(errors, [], 'no error in the page');
        } catch (e) {
          await page.screenshot({ path: path.join(SHOTS, `roster-${tag}-failed.png`) }).catch(() => null);
          throw e;
        } finally {
          await context.close();
        }
      }
    } catch (e) {
      relay.dumpLog();
      throw e;
    } finally {
      for (const p of pubs) await p.stop();
      await relay.stop();
    }
    relay.cleanup();
  });

/* ------------------------------------------- the floor, the bar, the keys */

/** The mosaic playing in the page (the relay's 1920x1080 picture). */
async function waitMosaic(page, diagnostics) {
  await pageWait(page, diagnostics, () => {
    const v = document.getElementById('mosaic');
    return v.videoWidth === 1920 && v.getVideoPlaybackQuality().totalVideoFrames > 10;
  }, null, 'the mosaic playing', 90000);
}

/* Clicks the middle of a tile of the mosaic as the page shows it: the
 * tile's rectangle (mosaic pixels, /api/v1/outputs) scaled into the video
 * element, which shows the whole picture (letterboxed if need be). */
async function clickTile(page, relay, id) {
  const { mosaic } = await getJson(`${relay.url}api/v1/outputs`);
  const tile = mosaic.tiles.find((t) => t.id === id);
  assert.ok(tile, `${id} has a tile`);
  const point = await page.evaluate(([t, size]) => {
    const v = document.getElementById('mosaic');
    v.scrollIntoView({ block: 'center' });
    const r = v.getBoundingClientRect();
    const scale = Math.min(r.width / size.width, r.height / size.height);
    const x = r.left + (r.width - size.width * scale) / 2 + (t.x + t.width / 2) * scale;
    const y = r.top + (r.height - size.height * scale) / 2 + (t.y + t.height / 2) * scale;
    return { x, y, onVideo: document.elementFromPoint(x, y) === v };
  }, [tile, { width: mosaic.width, height: mosaic.height }]);
  assert.ok(point.onVideo, `the middle of ${id}'s tile is on the picture, not under something else`);
  await page.mouse.click(point.x, point.y);
}

test('the floor by a click on a tile or a row, offline asked first; the Speaking bar; shortcuts, help, fullscreen',
  { timeout: TEST_TIMEOUT_MS }, async () => {
    const relay = await relayOf(TOKENS);
    const pubs = [startPublisher(relay, ['TH-50']), startPublisher(relay, ['TH-12'])];
    const { context, page, diagnostics, errors } = await openPage(`${relay.url}ops.html?autostart=1`,
      { width: 1366, height: 768 });
    // Every floor request the page sends, in order.
    const floorPuts = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/conference/floor' && r.method() === 'PUT') {
        floorPuts.push(JSON.parse(r.postData()).province);
      }
    });
    const speaking = () => page.evaluate(() => window.briefingOps.speaking());
    try {
      await live(relay, 'TH-50');
      await live(relay, 'TH-12');
      await waitMosaic(page, diagnostics);
      await pageWait(page, diagnostics, () => ['TH-50', 'TH-12'].every((c) =>
        document.querySelector(`#roster tr[data-id="${c}"]`).dataset.state === 'live'), null,
      'the roster shows TH-50 and TH-12 live');
      const bar = await speaking();
      assert.equal(bar.office, 'ยังไม่มีผู้ได้รับสิทธิ์พูด');
      assert.equal(bar.clock, '');

      // --- a live office's tile: the floor at once.
      await clickTile(page, relay, 'TH-50');
      await waitRelay(() => conference(relay), (c) => c.floor === 'TH-50', 'the floor to TH-50 by its tile');
      assert.equal(await page.evaluate(() => window.briefingOps.asking()), null, 'no question for a live office');

      // --- the Speaking bar: the office, and its clock running.
      const first = await pageWait(page, diagnostics, () => {
        const s = window.briefingOps.speaking();
        return s.office === 'TH-50 เชียงใหม่' && /^\(\d+:\d\d\)$/.test(s.clock) ? s : null;
      }, null, 'the bar says TH-50 speaks, with its clock');
      await pageWait(page, diagnostics, (c) => {
        const s = window.briefingOps.speaking().clock;
        return s !== c && /^\(\d+:\d\d\)$/.test(s);
      }, first.clock, 'the clock advancing');
      // In view at the top, wherever the page is scrolled.
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      const barBox = await page.evaluate(() => {
        const r = document.getElementById('speaking').getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, text: document.getElementById('speaking').innerText };
      });
      assert.ok(barBox.top >= 0 && barBox.bottom <= 768 && barBox.bottom > barBox.top,
        `the bar in view after scrolling: ${JSON.stringify(barBox)}`);
      assert.match(barBox.text, /^กำลังพูด:\s+TH-50 เชียงใหม่\s+\(\d+:\d\d\)/);
      await page.screenshot({ path: path.join(SHOTS, 'speaking-1366x768.png') });

      // --- an offline office's tile: asked first; cancel sends nothing.
      await clickTile(page, relay, 'TH-90');
      await pageWait(page, diagnostics, () => window.briefingOps.asking() === 'TH-90', null,
        'the question for TH-90 (offline)');
      assert.match(await page.textContent('#floor-confirm-text'), /^TH-90 สงขลา ไม่ได้เชื่อมต่อ ขณะนี้/);
      await page.screenshot({ path: path.join(SHOTS, 'floor-confirm-1366x768.png') });
      await page.click('#floor-confirm-cancel');
      await pageWait(page, diagnostics, () => !document.getElementById('floor-confirm').open, null, 'closed');

      // --- its roster row: asked again; confirmed, the floor goes there.
      await page.evaluate(() => document.querySelector('#roster tr[data-id="TH-90"]').scrollIntoView({ block: 'center' }));
      await page.click('#roster tr[data-id="TH-90"] .office-name');
      await pageWait(page, diagnostics, () => window.briefingOps.asking() === 'TH-90', null, 'asked for TH-90 again');
      await page.click('#floor-confirm-give');
      await waitRelay(() => conference(relay), (c) => c.floor === 'TH-90', 'the floor to TH-90 once confirmed');
      await pageWait(page, diagnostics, () => window.briefingOps.speaking().office === 'TH-90 สงขลา', null,
        'the bar says TH-90');

      // --- a live office's row: at once.
      await page.click('#roster tr[data-id="TH-12"] .office-name');
      await waitRelay(() => conference(relay), (c) => c.floor === 'TH-12', 'the floor to TH-12 by its row');
      await waitFor(() => floorPuts.length >= 3, { describe: 'the page\'s floor requests seen' });
      assert.deepEqual(floorPuts, ['TH-50', 'TH-90', 'TH-12'], 'the cancelled question sent nothing');
      assert.deepEqual(await nameInView(page, 'TH-12'), { text: 'TH-12 นนทบุรี', inside: true });

      // --- the shortcuts (focus on the page, not in a field).
      await page.evaluate(() => document.activeElement && document.activeElement.blur());
      await page.keyboard.press('s');
      await waitRelay(() => conference(relay), (c) => c.layout === 'spotlight', '"s": the spotlight');
      await page.keyboard.press('g');
      await waitRelay(() => conference(relay), (c) => c.layout === 'mosaic', '"g": the grid');
      await pageWait(page, diagnostics, () => {
        const c = window.briefingOps.conference();
        return c.floor === 'TH-12' && c.unmuted.includes('TH-12') && c.layout === 'mosaic';
      }, null, 'the page knows TH-12 holds the floor, unmuted');
      await page.keyboard.press('m');
      await waitRelay(() => conference(relay), (c) => c.floor === 'TH-12' && !c.unmuted.includes('TH-12'),
        '"m": the floor holder muted');
      await pageWait(page, diagnostics, () => window.briefingOps.speaking().note === 'ปิดไมค์อยู่', null,
        'the bar says the holder is muted');
      await page.keyboard.press('m');
      await waitRelay(() => conference(relay), (c) => c.unmuted.includes('TH-12'), '"m" again: unmuted');
      await page.keyboard.press('t');
      await waitRelay(() => conference(relay), (c) => c.floor === null, '"t": the floor taken back');
      await pageWait(page, diagnostics, () => window.briefingOps.speaking().office === 'ยังไม่มีผู้ได้รับสิทธิ์พูด',
        null, 'the bar says nobody');
      // A key typed in a field is text, not a shortcut.
      const before = await page.evaluate(() => window.briefingOps.lastShortcut());
      await page.focus('#roster-search');
      await page.keyboard.press('s');
      assert.equal(await page.evaluate(() => window.briefingOps.lastShortcut()), before);
      assert.equal(await page.inputValue('#roster-search'), 's');
      await page.fill('#roster-search', '');
      await page.evaluate(() => document.activeElement.blur());

      // "n": next on the agenda of a live briefing (every office in the
      // mosaic's order; absent ones are skipped: TH-12 comes first).
      await chair(relay, 'POST', 'api/v1/briefings', { title: 'console test' });
      await pageWait(page, diagnostics, () => window.briefingOps.briefing().state === 'live', null, 'briefing live');
      // Its day as dd/mm/yyyy of the Buddhist era.
      const [y, mo, d] = bangkokToday().split('-');
      assert.ok((await page.textContent('#briefing-status')).includes(`กำลังประชุม ${d}/${mo}/${Number(y) + 543}`),
        `the briefing's day in Thai: ${await page.textContent('#briefing-status')}`);
      await page.keyboard.press('n');
      await waitRelay(() => conference(relay), (c) => c.floor === 'TH-12', '"n": the floor to the next office');
      // The bar's clock is the turn's own now.
      await pageWait(page, diagnostics, () => {
        const s = window.briefingOps.speaking();
        const t = window.briefingOps.briefing().turn;
        return s.office === 'TH-12 นนทบุรี' && t && t.office === 'TH-12' && /^\(\d+:\d\d\)$/.test(s.clock);
      }, null, 'the bar shows the turn of TH-12');

      // "?": the help, in Thai; Escape closes it.
      await page.keyboard.press('?');
      await pageWait(page, diagnostics, () => document.getElementById('help').open, null, 'the help open');
      const help = await page.textContent('#help');
      for (const words of ['ปุ่มลัดบนแป้นพิมพ์', 'ภาพแบบตาราง', 'ภาพแบบเน้นผู้พูด', 'วาระถัดไป',
        'เรียกคืนสิทธิ์พูด', 'ปิดไมค์หรือเปิดไมค์ของผู้ได้รับสิทธิ์พูด', 'ภาพรวมเต็มจอ']) {
        assert.ok(help.includes(words), `the help names "${words}"`);
      }
      await page.screenshot({ path: path.join(SHOTS, 'help-1366x768.png') });
      await page.keyboard.press('Escape');
      await pageWait(page, diagnostics, () => !document.getElementById('help').open, null, 'the help closed');
      // The help button opens it too.
      await page.click('#help-open');
      await pageWait(page, diagnostics, () => document.getElementById('help').open, null, 'the help from its button');
      await page.click('#help-close');

      // "f": the mosaic fullscreen (the wall display), and back.
      await page.keyboard.press('f');
      await pageWait(page, diagnostics, () => document.fullscreenElement === document.getElementById('mosaic-frame'),
        null, '"f": the mosaic fullscreen');
      await page.screenshot({ path: path.join(SHOTS, 'fullscreen-1366x768.png') });
      await page.keyboard.press('f');
      await pageWait(page, diagnostics, () => document.fullscreenElement === null, null, '"f" again: back');
      await page.click('#fullscreen');
      await pageWait(page, diagnostics, () => document.fullscreenElement !== null, null, 'the button: fullscreen');
      await page.click('#fullscreen');
      await pageWait(page, diagnostics, () => document.fullscreenElement === null, null, 'the button: back');

      await chair(relay, 'POST', `api/v1/briefings/${(await page.evaluate(() => window.briefingOps.briefing().id))}/end`);
      assert.equal(await page.textContent('#control-error'), '', 'no refusal shown');
      assert.deepEqual(errors, [], 'no error in the page');
    } catch (e) {
      await page.screenshot({ path: path.join(SHOTS, 'floor-failed.png') }).catch(() => null);
      relay.dumpLog();
      process.stderr.write(`${diagnostics()}\n`);
      throw e;
    } finally {
      await context.close();
      for (const p of pubs) await p.stop();
      await relay.stop();
    }
    relay.cleanup();
  });

/* ------------------------------------------------- the relay out of reach */

test('the relay out of reach: a banner; restarted with another state, read again in full (no stale floor)',
  { timeout: TEST_TIMEOUT_MS }, async () => {
    // The page talks to the relay through a proxy that keeps its address
    // while the relay behind it is stopped and another one started.
    const proxy = await startTcpProxy();
    const first = await relayOf({ 'TH-50': TOKENS['TH-50'] });
    proxy.setTarget(first.url);
    let pub = startPublisher(first, ['TH-50']);
    let second = null;
    const { context, page, diagnostics, errors } = await openPage(`${proxy.url}ops.html`, { width: 1366, height: 768 });
    try {
      await live(first, 'TH-50');
      await chair(first, 'PUT', 'api/v1/conference/floor', { province: 'TH-50' });
      await pageWait(page, diagnostics, () => window.briefingOps.speaking().office === 'TH-50 เชียงใหม่' &&
        document.querySelector('#roster tr[data-id="TH-50"]').dataset.state === 'live', null,
      'the page shows TH-50 live with the floor');
      assert.equal(await page.isHidden('#relay-down'), true, 'no banner while the relay is there');

      // --- gone: the banner, persistent.
      await pub.stop();
      proxy.setTarget(null);
      // The first relay's last event number (the page has seen no more).
      const events = await openEvents(first, { token: CHAIR });
      const lastSeq = events.events[0].last_seq;
      events.close();
      await first.stop();
      await pageWait(page, diagnostics, () => {
        const b = document.getElementById('relay-down');
        return !b.hidden && b.dataset.state === 'down' && document.body.classList.contains('relay-unreachable');
      }, null, 'the banner: the relay out of reach');
      assert.match(await page.textContent('#relay-down'),
        /^ติดต่อเซิร์ฟเวอร์ไม่ได้ตั้งแต่ \d\d:\d\d:\d\d — ข้อมูลบนหน้านี้อาจไม่เป็นปัจจุบัน/);
      await page.screenshot({ path: path.join(SHOTS, 'relay-down-1366x768.png') });

      // --- another relay, another state: no floor, TH-12 live, TH-50
      // unknown to it. Its events are numbered past the first relay's, so
      // that a reconnecting page cannot tell by the numbers that it is
      // another relay (as after a restart on a busy morning): TH-12 sends
      // its figures again and again (events that say nothing of the floor).
      second = await relayOf({ 'TH-12': TOKENS['TH-12'] });
      pub = startPublisher(second, ['TH-12']);
      await live(second, 'TH-12');
      for (let n = 1; ; n++) {
        const ev = await openEvents(second, { token: CHAIR });
        const seq = ev.events[0].last_seq;
        ev.close();
        if (seq > lastSeq) break;
        await submitFigures(second, 'TH-12', n);
      }
      proxy.setTarget(second.url);

      // --- back: the banner goes, the stale floor holder too.
      await pageWait(page, diagnostics, () => {
        const s = window.briefingOps.speaking();
        const row = (c) => document.querySelector(`#roster tr[data-id="${c}"]`);
        return window.briefingOps.relay().reachable && !document.body.classList.contains('relay-unreachable') &&
          s.floor === null && s.office === 'ยังไม่มีผู้ได้รับสิทธิ์พูด' &&
          !row('TH-50').classList.contains('floor') && row('TH-50').dataset.state === 'offline' &&
          row('TH-12').dataset.state === 'live';
      }, null, 'the restarted relay\'s state: nobody holds the floor, TH-50 offline, TH-12 live', 60000);
      assert.notEqual(await page.getAttribute('#relay-down', 'data-state'), 'down');
      assert.equal((await page.evaluate(() => window.briefingOps.conference())).floor, null);
      await page.screenshot({ path: path.join(SHOTS, 'relay-back-1366x768.png') });

      // The events of the new relay reach the page.
      await chair(second, 'PUT', 'api/v1/conference/floor', { province: 'TH-12' });
      await pageWait(page, diagnostics, () => window.briefingOps.speaking().office === 'TH-12 นนทบุรี', null,
        'the floor given on the new relay shown');
      assert.deepEqual(errors, [], 'no error in the page');
    } catch (e) {
      await page.screenshot({ path: path.join(SHOTS, 'relay-restart-failed.png') }).catch(() => null);
      (second || first).dumpLog();
      throw e;
    } finally {
      await context.close();
      await pub.stop();
      await proxy.close();
      await first.stop();
      if (second) await second.stop();
    }
    first.cleanup();
    second.cleanup();
  });

test('a floor given before the console opened: the Speaking bar counts from the relay\'s time, not from zero',
  { timeout: TEST_TIMEOUT_MS }, async () => {
    const relay = await relayOf({ 'TH-50': TOKENS['TH-50'] });
    const pub = startPublisher(relay, ['TH-50']);
    let opened = null;
    try {
      await live(relay, 'TH-50');
      await chair(relay, 'PUT', 'api/v1/conference/floor', { province: 'TH-50' });
      // Held for a few seconds by the relay's count before the page opens.
      await waitRelay(() => conference(relay), (c) => c.floor === 'TH-50' && c.floor_held_ms >= 3000,
        'TH-50 holding the floor for 3 s');
      opened = await openPage(`${relay.url}ops.html?autostart=1`, { width: 1366, height: 768 });
      const { page, diagnostics } = opened;
      const shown = await pageWait(page, diagnostics, () => {
        const s = window.briefingOps.speaking();
        return s.office === 'TH-50 เชียงใหม่' && /^\(\d+:\d\d\)$/.test(s.clock) ? s.clock : null;
      }, null, 'the bar with TH-50 and a clock');
      const [m, s] = shown.slice(1, -1).split(':').map(Number);
      assert.ok(m * 60 + s >= 3, `the clock counts the time held before the page opened: ${shown}`);
    } finally {
      if (opened) await opened.context.close();
      await pub.stop();
      await relay.stop();
    }
    relay.cleanup();
  });
