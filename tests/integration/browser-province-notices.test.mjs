// What province.html tells its office about itself, in a real Chromium
// against the real relay, at 1366x768 (the office's PC, publishing) and
// 390x844 (a phone of the same office, with its token, not publishing):
// "คุณได้รับสิทธิ์พูด" with a clock that runs once the chair gives it the
// floor, "ประธานปิดไมค์ของคุณ" when the chair mutes it, the recording notice
// while a briefing is recorded (and its turn's clock with the limit), and its
// own clips (of the day, then of the briefing) with links that play, never
// another office's. English through the masthead's switch on the phone.
//
// Every wait is for a state the page or the relay reaches; nothing is timed.
// Screenshots: the directory printed at the end.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { getBrowser, closeBrowser, collectDiagnostics } from '../../tools/lib/browser.mjs';

const CHAIR = 'chair-token-for-province-notices';
const TOKENS = {
  'TH-50': 'chiang-mai-token-notices',
  'TH-12': 'nonthaburi-token-notices',
};
const SHOTS = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-province-notices-'));
const WAIT_MS = 60000;

after(async () => {
  await closeBrowser();
  process.stderr.write(`browser-province-notices: screenshots in ${SHOTS}\n`);
});

async function chair(relay, method, p, body) {
  const r = await request(`${relay.url}${p}`, {
    method,
    headers: { Authorization: `Bearer ${CHAIR}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

const status = (relay, code) => getJson(`${relay.url}api/v1/provinces/${code}`);

/* A page of province.html for TH-50 at a viewport, its token remembered
 * (as typed there once). */
async function officePage(browser, relay, viewport) {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(['camera', 'microphone'], { origin: new URL(relay.url).origin });
  await context.addInitScript(([token]) => {
    localStorage.setItem('briefing.token.TH-50', token);
  }, [TOKENS['TH-50']]);
  const page = await context.newPage();
  const diagnostics = collectDiagnostics(page);
  await page.goto(`${relay.url}province.html?province=TH-50`);
  return { context, page, diagnostics };
}

/* Waits for fn(arg) in the page to return something truthy. */
function pageWait(p, fn, arg, describe) {
  return waitFor(() => p.page.evaluate(fn, arg), { timeoutMs: WAIT_MS, describe }).catch(async (e) => {
    const hook = await p.page.evaluate(() => JSON.stringify(window.briefing.office)).catch(() => '?');
    throw new Error(`${e.message}\noffice: ${hook}\n${p.diagnostics()}`);
  });
}

/* The element is shown, inside the viewport, and nothing overflows
 * sideways. */
async function assertOnScreen(p, id) {
  const box = await p.page.evaluate((elId) => {
    const el = document.getElementById(elId);
    const r = el.getBoundingClientRect();
    return {
      hidden: el.hidden, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
      width: window.innerWidth, height: window.innerHeight,
      scrollWidth: document.documentElement.scrollWidth,
    };
  }, id);
  assert.equal(box.hidden, false, `#${id} hidden`);
  assert.ok(box.top >= 0 && box.bottom <= box.height && box.left >= 0 && box.right <= box.width,
    `#${id} is within the ${box.width}x${box.height} viewport without scrolling: ${JSON.stringify(box)}`);
  assert.ok(box.scrollWidth <= box.width, `no sideways scrolling: ${box.scrollWidth} > ${box.width}`);
}

/* What the screen shows (the notices must be there without scrolling). */
const shot = (p, name) => p.page.screenshot({ path: path.join(SHOTS, name) });

test('province.html: the floor with its clock, the chair\'s mute, the recording, the office\'s own clips',
  { timeout: 420000 }, async () => {
    const relay = await startRelay({
      provinces: TOKENS,
      extraConfig: { 'viewer chair': { role: 'chair', token: CHAIR } },
    });
    const other = startPublisher(relay, ['TH-12']);
    const browser = await getBrowser();
    const pc = await officePage(browser, relay, { width: 1366, height: 768 });
    let phone = null;
    try {
      // The office's PC publishes (Chromium's fake camera and its tone).
      await pc.page.click('#publish');
      await waitFor(async () => (await status(relay, 'TH-50')).state === 'live',
        { timeoutMs: WAIT_MS, describe: 'TH-50 live' });
      await waitFor(async () => (await status(relay, 'TH-12')).state === 'live',
        { timeoutMs: WAIT_MS, describe: 'TH-12 live' });
      // Another office speaks first, long enough for its turn to be a clip
      // (counted in audio packets the relay receives while it holds the
      // floor, about 5 s of them).
      await chair(relay, 'PUT', 'api/v1/conference/floor', { province: 'TH-12' });
      const heard = async () => (await getJson(`${relay.url}api/v1/provinces/TH-12`, { token: CHAIR }))
        .audio.packets_received;
      const heardBase = await heard();
      await waitFor(async () => (await heard()) >= heardBase + 250,
        { timeoutMs: WAIT_MS, describe: 'TH-12 heard while it holds the floor' });
      phone = await officePage(browser, relay, { width: 390, height: 844 });
      await pageWait(phone, () => window.briefing.office.loaded, null, 'the phone read the office view');
      for (const p of [pc, phone]) {
        const s = await p.page.evaluate(() => window.briefing.office);
        assert.equal(s.floor, false, 'TH-12 holds the floor, not this office');
        assert.equal(await p.page.isHidden('#floor-notice'), true);
        assert.equal(await p.page.isHidden('#recording-notice'), true);
      }

      // --- The floor: the notice, then its clock running.
      await chair(relay, 'PUT', 'api/v1/conference/floor', { province: 'TH-50' });
      for (const p of [pc, phone]) {
        const floor = await pageWait(p, () => {
          const o = window.briefing.office;
          return o.floor && o.clock ? o : null;
        }, null, 'the floor notice with its clock');
        assert.equal(floor.floorText, 'คุณได้รับสิทธิ์พูด');
        assert.match(floor.clock, /^\d+:\d\d$/);
        assert.match(await p.page.textContent('#floor-notice'), /คุณได้รับสิทธิ์พูด/);
        await pageWait(p, (c0) => {
          const c = window.briefing.office.clock;
          return c && c !== c0 ? c : null;
        }, floor.clock, 'the floor clock advancing');
      }
      await assertOnScreen(phone, 'floor-notice');
      await shot(pc, 'floor-1366x768.png');
      await shot(phone, 'floor-390x844.png');

      // --- The chair mutes the office while it holds the floor.
      await chair(relay, 'PUT', 'api/v1/conference/participants/TH-50', { muted: true });
      for (const p of [pc, phone]) {
        const muted = await pageWait(p, () => {
          const o = window.briefing.office;
          return o.microphone === 'muted-by-chair' ? o : null;
        }, null, 'the muted notice');
        assert.equal(muted.micText, 'ประธานปิดไมค์ของคุณ');
        assert.equal(await p.page.textContent('#mic-notice'), 'ประธานปิดไมค์ของคุณ');
      }
      await assertOnScreen(phone, 'mic-notice');
      await shot(pc, 'muted-1366x768.png');
      await shot(phone, 'muted-390x844.png');

      // English on the phone: one language at a time, the switch remembered.
      await phone.page.click('[data-language-switch]');
      const english = await pageWait(phone, () => {
        const o = window.briefing.office;
        return o.micText === 'The chair muted you' ? o : null;
      }, null, 'the notices in English');
      assert.equal(english.floorText, 'You have the floor');
      assert.equal(await phone.page.textContent('#floor-notice .notice-title'), 'You have the floor');
      assert.doesNotMatch(await phone.page.textContent('#preview-heading'), /[\u0E00-\u0E7F]/);
      await shot(phone, 'muted-390x844-en.png');
      await phone.page.click('[data-language-switch]');
      await pageWait(phone, () => window.briefing.office.micText === 'ประธานปิดไมค์ของคุณ', null,
        'back to Thai');

      // --- Unmuted again, then the floor taken back: the turn is a clip of
      // the office's own (before the first floor the clip recorder may
      // have kept one by voice activity too: the office's as well).
      await chair(relay, 'PUT', 'api/v1/conference/participants/TH-50', { muted: false });
      await pageWait(pc, () => window.briefing.office.microphone === 'open', null, 'unmuted');
      await chair(relay, 'DELETE', 'api/v1/conference/floor');
      const own = await pageWait(pc, () => {
        const o = window.briefing.office;
        const turn = o.clips.find((c) => c.reason === 'floor-taken-back');
        return !o.floor && turn ? { ...o, turn } : null;
      }, null, 'the office\'s clip of its turn listed once the turn ended');
      assert.equal(await pc.page.isHidden('#floor-notice'), true);
      assert.match(own.turn.url, /scope=TH-50&/);
      // The signed link plays without a token; it is this office's only.
      const played = await request(new URL(own.turn.url, relay.url).href);
      assert.equal(played.status, 200);
      assert.equal(played.headers.get('content-type'), 'audio/ogg');

      // The other office's turn: stored, never listed here.
      const clips = await waitFor(async () => {
        const r = await request(`${relay.url}api/v1/clips`, { headers: { Authorization: `Bearer ${CHAIR}` } });
        return r.json.clips.some((c) => c.province === 'TH-12') ? r.json.clips : null;
      }, { timeoutMs: WAIT_MS, describe: 'TH-12\'s clip stored' });
      const otherClip = clips.find((c) => c.province === 'TH-12');
      const ownIds = clips.filter((c) => c.province === 'TH-50').map((c) => c.id);
      const scoped = own.turn.url.replace(`/clips/${own.turn.id}.ogg`, `/clips/${otherClip.id}.ogg`);
      const bent = await request(new URL(scoped, relay.url).href);
      assert.equal(bent.status, 401, 'the office\'s link, bent to another office\'s clip, opens nothing');
      assert.equal(bent.json.error, 'unauthorized');
      // Re-read on a later event (the floor's): still the office's own only.
      await chair(relay, 'PUT', 'api/v1/conference/layout', { layout: 'mosaic' });
      for (const p of [pc, phone]) {
        const listed = await pageWait(p, (n) => {
          const c = window.briefing.office.clips;
          return c.length === n ? c : null;
        }, ownIds.length, 'every clip of the office listed');
        assert.deepEqual(listed.map((c) => c.id), ownIds, 'the office\'s own clips, in order');
        assert.ok(!listed.some((c) => c.id === otherClip.id), 'never another office\'s');
      }
      assert.equal(await pc.page.locator('#clips-list li audio').count(), ownIds.length);
      for (const [p, size] of [[pc, '1366x768'], [phone, '390x844']]) {
        await p.page.locator('section.clips').scrollIntoViewIfNeeded();
        await shot(p, `clips-${size}.png`);
        await p.page.evaluate(() => window.scrollTo(0, 0));
      }

      // --- A briefing: recorded, says so; its clips start empty; the turn
      // has the briefing's limit on the clock.
      const b = await chair(relay, 'POST', 'api/v1/briefings', { title: 'ประชุมเช้า', turn_limit_s: 120 });
      for (const p of [pc, phone]) {
        const rec = await pageWait(p, () => {
          const o = window.briefing.office;
          return o.recording && o.clips.length === 0 ? o : null;
        }, null, 'the recording notice, and the briefing\'s clips (none yet)');
        assert.match(rec.recordingText, /^กำลังบันทึกการประชุมนี้/);
      }
      assert.match(await pc.page.textContent('#clips-of'), /ประชุมเช้า/);
      await assertOnScreen(phone, 'recording-notice');
      await shot(pc, 'recording-1366x768.png');
      await shot(phone, 'recording-390x844.png');

      await chair(relay, 'PUT', 'api/v1/conference/floor', { province: 'TH-50' });
      const turn = await pageWait(pc, () => {
        const o = window.briefing.office;
        return o.floor && / \/ 2:00/.test(o.clock) ? o : null;
      }, null, 'the turn\'s clock with its limit');
      assert.match(turn.clock, /^\d+:\d\d \/ 2:00$/);
      await pageWait(pc, (c0) => window.briefing.office.clock !== c0, turn.clock, 'the turn clock advancing');
      await shot(pc, 'turn-1366x768.png');
      await chair(relay, 'DELETE', 'api/v1/conference/floor');
      const ofBriefing = await pageWait(pc, () => {
        const o = window.briefing.office;
        return !o.floor && o.clips.length === 1 ? o : null;
      }, null, 'the briefing\'s own clip listed');
      assert.ok(!ownIds.includes(ofBriefing.clips[0].id), 'the clip of the briefing, not the earlier ones');

      await chair(relay, 'POST', `api/v1/briefings/${b.id}/end`);
      await pageWait(pc, () => !window.briefing.office.recording &&
        document.getElementById('recording-notice').hidden, null, 'no recording notice after the end');
    } catch (e) {
      relay.dumpLog();
      throw e;
    } finally {
      await phone?.context.close();
      await pc.context.close();
      await other.stop();
      await relay.stop();
    }
  });
