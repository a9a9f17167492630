// Two devices publishing as one office (docs/API.md, "One device at a
// time"), in a real Chromium against the real relay: the office's PC
// (1366x768) is live; a phone of the same office (390x844) is refused with
// the reason and offers "take over"; pressing it takes the office over; the
// PC then says "อุปกรณ์อื่นส่งภาพแทนแล้ว", offers the button itself, and
// makes no further WHIP POST while the phone's video runs on (counted by
// frames the relay decodes, not by time); the chair's events socket sees
// one takeover. And a publisher (webrtcbin) whose network was cut gets back
// in without taking over, once the relay has seen its session lost. The
// operations room's roster marks the office whose devices took over.
//
// Screenshots: the directory printed at the end.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, getJson, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { openEvents } from '../../tools/lib/events.mjs';
import { getBrowser, closeBrowser, collectDiagnostics, recordStates, statesSeen, rememberToken } from '../../tools/lib/browser.mjs';

const CHAIR = 'chair-token-for-takeover';
const TOKENS = {
  'TH-13': 'pathum-thani-token-takeover',
  'TH-14': 'ayutthaya-token-takeover',
};
const SHOTS = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-province-takeover-'));
const WAIT_MS = 60000;
/* Frames of the phone's video the relay decodes after the PC has stopped:
 * at 15 fps about 20 s, past the page's longest backoff (15 s), so a page
 * that still retried would have POSTed meanwhile. */
const QUIET_FRAMES = 300;

after(async () => {
  await closeBrowser();
  process.stderr.write(`browser-province-takeover: screenshots in ${SHOTS}\n`);
});

const officeStatus = (relay, code) => getJson(`${relay.url}api/v1/provinces/${code}`, { token: CHAIR });

/* A device of TH-13: province.html at a viewport, the token remembered,
 * its WHIP POSTs (statuses) and session GETs recorded. */
async function device(browser, relay, viewport) {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(['camera', 'microphone'], { origin: new URL(relay.url).origin });
  await context.addInitScript(([token]) => {
    localStorage.setItem('briefing.token.TH-13', token);
  }, [TOKENS['TH-13']]);
  const page = await context.newPage();
  const d = { context, page, diagnostics: collectDiagnostics(page), posts: [], probes: [] };
  page.on('response', (r) => {
    const req = r.request();
    const p = new URL(req.url()).pathname;
    if (req.method() === 'POST' && p === '/whip/TH-13') d.posts.push(r.status());
    if (req.method() === 'GET' && p.startsWith('/whip/TH-13/')) d.probes.push(r.status());
  });
  await page.goto(`${relay.url}province.html?province=TH-13`);
  return d;
}

function pageWait(d, fn, arg, describe) {
  return waitFor(() => d.page.evaluate(fn, arg), { timeoutMs: WAIT_MS, describe }).catch(async (e) => {
    const hook = await d.page.evaluate(() => JSON.stringify({
      state: window.briefing.state, lastError: window.briefing.lastError, takeover: window.briefing.takeover,
    })).catch(() => '?');
    throw new Error(`${e.message}\npage: ${hook}; POSTs ${d.posts}; GETs ${d.probes}\n${d.diagnostics()}`);
  });
}

async function assertButtonOnScreen(d) {
  const box = await d.page.evaluate(() => {
    const r = document.getElementById('take-over').getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, w: window.innerWidth,
      h: window.innerHeight, scrollWidth: document.documentElement.scrollWidth,
      hidden: document.getElementById('takeover-box').hidden };
  });
  assert.equal(box.hidden, false, 'the takeover offer is shown');
  assert.ok(box.top >= 0 && box.bottom <= box.h && box.left >= 0 && box.right <= box.w,
    `"take over" within the ${box.w}x${box.h} viewport: ${JSON.stringify(box)}`);
  assert.ok(box.scrollWidth <= box.w, `no sideways scrolling: ${box.scrollWidth} > ${box.w}`);
}

const shot = (d, name) => d.page.screenshot({ path: path.join(SHOTS, name) });

test('two devices of one office: refused with the reason, take over on the button, the other stops for good',
  { timeout: 420000 }, async () => {
    const relay = await startRelay({
      provinces: TOKENS,
      extraConfig: { 'viewer chair': { role: 'chair', token: CHAIR } },
    });
    const events = await openEvents(relay, { token: CHAIR });
    const browser = await getBrowser();
    const pc = await device(browser, relay, { width: 1366, height: 768 });
    let phone = null;
    try {
      await pc.page.click('#publish');
      await waitFor(async () => (await officeStatus(relay, 'TH-13')).state === 'live',
        { timeoutMs: WAIT_MS, describe: 'TH-13 live from the PC' });
      const pcSession = (await officeStatus(relay, 'TH-13')).session;
      await recordStates(pc.page);

      // --- The phone is refused, says why, offers to take over.
      phone = await device(browser, relay, { width: 390, height: 844 });
      await phone.page.click('#publish');
      await pageWait(phone, () => window.briefing.takeover === 'live-elsewhere', null,
        'the phone refused: live elsewhere');
      assert.deepEqual(phone.posts, [409]);
      assert.equal(await phone.page.textContent('#state-text'),
        'ผิดพลาด — อีกเครื่องหนึ่งกำลังส่งภาพในนามสำนักงานนี้อยู่');
      assert.equal(await phone.page.textContent('#take-over'), 'ส่งภาพจากเครื่องนี้แทน');
      await assertButtonOnScreen(phone);
      await shot(phone, 'refused-390x844.png');
      const s = await officeStatus(relay, 'TH-13');
      assert.equal(s.session, pcSession, 'the PC keeps the office');
      assert.equal(s.state, 'live');
      assert.deepEqual(pc.posts, [201]);

      // --- The phone takes over.
      const from = events.events.length;
      await phone.page.click('#take-over');
      const takeover = await events.waitFor((e) => e.type === 'takeover' && e.province === 'TH-13',
        { from, timeoutMs: WAIT_MS, describe: 'the takeover event on the chair\'s socket' });
      assert.equal(takeover.previous_state, 'live');
      assert.equal(takeover.count, 1);
      await pageWait(phone, () => window.briefing.state === 'live', null, 'the phone live');
      assert.deepEqual(phone.posts, [409, 201]);
      const phoneSession = await waitFor(async () => {
        const now = await officeStatus(relay, 'TH-13');
        return now.state === 'live' && now.session !== pcSession ? now.session : null;
      }, { timeoutMs: WAIT_MS, describe: 'the phone\'s session live on the relay' });

      // --- The PC learns it was taken over, from its session URL, and stops.
      await pageWait(pc, () => window.briefing.takeover === 'taken-over', null, 'the PC taken over');
      assert.equal(await pc.page.textContent('#state-text'), 'ผิดพลาด — อุปกรณ์อื่นส่งภาพแทนแล้ว');
      assert.ok(pc.probes.includes(410), `the PC asked its session URL: ${pc.probes}`);
      assert.equal(await pc.page.isEnabled('#publish'), true, 'Publish usable again');
      await assertButtonOnScreen(pc);
      await shot(pc, 'taken-over-1366x768.png');

      // --- No flapping: the phone's video runs on and the PC makes no POST.
      const base = (await officeStatus(relay, 'TH-13')).video.frames_decoded;
      await waitFor(async () => {
        const now = await officeStatus(relay, 'TH-13');
        assert.equal(now.session, phoneSession, 'the phone keeps the office');
        return now.video.frames_decoded >= base + QUIET_FRAMES;
      }, { timeoutMs: 300000, intervalMs: 500, describe: `${QUIET_FRAMES} more frames of the phone decoded` });
      assert.deepEqual(pc.posts, [201], 'the PC made no WHIP POST after it was taken over');
      assert.deepEqual(phone.posts, [409, 201]);
      assert.deepEqual(await statesSeen(pc.page), ['live', 'reconnecting', 'error'], 'the PC\'s states');
      const after = events.events.slice(from).filter((e) => e.province === 'TH-13');
      assert.equal(after.filter((e) => e.type === 'takeover').length, 1, 'one takeover');
      assert.deepEqual(after.filter((e) => e.type === 'province-state').map((e) => e.state),
        ['connecting', 'live'], 'the office went to the phone once and stayed');
      assert.deepEqual((await officeStatus(relay, 'TH-13')).takeover.count, 1,
        'ops sees the takeover in the office\'s status');

      // ... and in the office's row of ops.html.
      const opsContext = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      await rememberToken(opsContext, CHAIR);
      const ops = await opsContext.newPage();
      try {
        await ops.goto(`${relay.url}ops.html`);
        const mark = await waitFor(() => ops.evaluate(() => {
          const tr = document.querySelector('tr[data-id="TH-13"]');
          const m = tr && tr.dataset.takeovers === '1' ? tr.querySelector('.takeover-mark') : null;
          return m ? { text: m.textContent, title: m.title } : null;
        }), { timeoutMs: WAIT_MS, describe: 'the takeover marked in TH-13\'s roster row' });
        assert.equal(mark.text, '⇄ 1');
        assert.match(mark.title, /^อุปกรณ์อื่นของสำนักงานส่งภาพแทน 1 ครั้ง ล่าสุดเมื่อ \d\d:\d\d น\.$/);
        await ops.locator('tr[data-id="TH-13"]').scrollIntoViewIfNeeded();
        await ops.screenshot({ path: path.join(SHOTS, 'ops-row-1366x768.png') });
      } finally {
        await opsContext.close();
      }

      // The PC in English says the same.
      await pc.page.click('[data-language-switch]');
      await pageWait(pc, () => document.getElementById('state-text').textContent ===
        'Error — Another device took over', null, 'the takeover text in English');
      assert.equal(await pc.page.textContent('#take-over'), 'Take over on this device');
      await shot(pc, 'taken-over-1366x768-en.png');
    } catch (e) {
      relay.dumpLog();
      throw e;
    } finally {
      events.close();
      await phone?.context.close();
      await pc.context.close();
      await relay.stop();
    }
  });

test('a publisher whose network was cut gets back in without taking over', { timeout: 240000 }, async () => {
  const relay = await startRelay({
    provinces: TOKENS,
    extraConfig: { 'viewer chair': { role: 'chair', token: CHAIR } },
  });
  const events = await openEvents(relay, { token: CHAIR });
  const first = startPublisher(relay, ['TH-14']);
  let second = null;
  try {
    await waitFor(async () => (await officeStatus(relay, 'TH-14')).state === 'live',
      { timeoutMs: WAIT_MS, describe: 'TH-14 live' });
    const before = (await officeStatus(relay, 'TH-14')).session;
    const from = events.events.length;
    await first.kill(); // no DELETE: the network just went away
    await events.waitFor((e) => e.type === 'province-state' && e.province === 'TH-14' && e.state === 'lost',
      { from, timeoutMs: WAIT_MS, describe: 'the relay sees TH-14 lost' });
    // The same office from a fresh start (no session id, no takeover flag).
    second = startPublisher(relay, ['TH-14']);
    const answered = await second.waitEvent((e) => e.event === 'answered' || e.event === 'error',
      { timeoutMs: WAIT_MS, describe: 'the second publisher answered' });
    assert.equal(answered.event, 'answered', JSON.stringify(answered));
    assert.equal(answered.status, 201);
    await waitFor(async () => {
      const now = await officeStatus(relay, 'TH-14');
      return now.state === 'live' && now.session !== before ? now : null;
    }, { timeoutMs: WAIT_MS, describe: 'TH-14 live again on a new session' });
    assert.ok(!events.events.slice(from).some((e) => e.type === 'takeover'), 'not a takeover');
    assert.equal((await officeStatus(relay, 'TH-14')).takeover, null);
  } catch (e) {
    relay.dumpLog();
    throw e;
  } finally {
    events.close();
    await first.kill();
    await second?.stop();
    await relay.stop();
  }
});
