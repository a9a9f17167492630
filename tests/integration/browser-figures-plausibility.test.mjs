// Implausible figures on the province page in a real Chromium, with the
// shipped rules (config/relay.ini): the clerk types 80 % unemployment and
// more complaints resolved than received. The page warns beside both fields,
// in Thai and English, before anything is sent, and offers "ยืนยันตัวเลข /
// Confirm figures". Sent unconfirmed, the relay refuses it (needs
// confirmation) and nothing is stored; confirmed, it is stored with both
// warnings, over HTTPS (not publishing) and then over the data channel
// (publishing), where a changed figure needs confirming again. Plausible
// figures then go through without any warning. The stored versions carry
// their warnings in the history, the day's figures and the CSV.
//
// Needs: the relay (BRIEFING_RELAY or build/briefing-relay), Chromium at
// /usr/bin/chromium (or CHROMIUM_PATH), `npm ci` (playwright-core).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, getJson, request } from '../../tools/lib/relay.mjs';
import { getBrowser, closeBrowser, collectDiagnostics, rememberToken } from '../../tools/lib/browser.mjs';

const TOKEN = 'th50-plausibility-token';
const CHAIR = 'chair-plausibility-token';
/* Generous: a loaded machine is slow, and a wait costs time only when
 * something is broken. */
const WAIT_MS = 60000;
const RATE = 'unemployment_rate.warn-max';
const COMPLAINTS = 'complaints_resolved_within_received';
const SHOTS = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-plausibility-'));

let relay;
before(async () => {
  relay = await startRelay({
    provinces: { 'TH-50': TOKEN },
    extraConfig: { 'viewer chair': { role: 'chair', token: CHAIR } },
  });
});
after(async () => {
  await closeBrowser();
  await relay.stop();
  process.stderr.write(`browser-figures-plausibility: screenshots in ${SHOTS}\n`);
});

function bangkokDate() {
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

async function history() {
  return getJson(`${relay.url}api/v1/reports/history?province=TH-50&date=${bangkokDate()}`,
    { token: TOKEN });
}

const codes = (warnings) => warnings.map((w) => w.code).sort();

test('province page: implausible figures are warned in Thai and English, confirmed, and stored with their warnings',
  { timeout: 300000 }, async () => {
    const browser = await getBrowser();
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    await context.grantPermissions(['camera', 'microphone'], { origin: new URL(relay.url).origin });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    const diagnostics = collectDiagnostics(page);
    try {
      await page.goto(`${relay.url}province.html?province=TH-50`);
      await page.waitForSelector('#fig-unemployment_rate');
      await page.waitForFunction(() => document.querySelector('#province').value === 'TH-50');
      await page.fill('#token', TOKEN);

      const plausible = {
        job_seekers: 120, job_placements: 45, layoffs: 3, establishments_closed: 1,
        complaints_received: 4, complaints_resolved: 3, workplace_accidents: 0,
        unemployment_rate: 1.2, overall_status: 'normal',
      };
      const fill = async (values) => {
        for (const [name, v] of Object.entries(values)) {
          if (name === 'overall_status') await page.selectOption(`#fig-${name}`, v);
          else await page.fill(`#fig-${name}`, String(v));
        }
      };
      const shown = () => page.evaluate(() => ({
        rate: document.getElementById('fig-unemployment_rate-warning').textContent,
        resolved: document.getElementById('fig-complaints_resolved-warning').textContent,
        confirmVisible: !document.querySelector('.figures-confirm').hidden
          && document.getElementById('figures-confirm').offsetParent !== null,
        confirmed: document.getElementById('figures-confirm').checked,
        status: document.querySelector('.figures-status').textContent,
        lastReply: window.briefing.figures.lastReply,
      }));
      const submitAndWait = async () => {
        await page.evaluate(() => { window.briefing.figures.lastReply = null; });
        await page.click('#figures-form button[type="submit"]');
        await page.waitForFunction(() => window.briefing.figures.lastReply !== null);
        return page.evaluate(() => window.briefing.figures.lastReply);
      };

      // Typed, not sent: the page warns beside each field, in its language
      // (Thai), and in English after the switch.
      await fill({ ...plausible, unemployment_rate: 80, complaints_resolved: 9 });
      let s = await shown();
      assert.match(s.rate, /^⚠ 80 % สูงผิดปกติ \(ปกติไม่เกิน 10 %\)/, `Thai warning beside the rate: ${s.rate}`);
      assert.match(s.resolved, /^⚠ คำร้องที่ดำเนินการแล้วเสร็จมากกว่าคำร้องที่ได้รับ.*\(9 > 4\)$/, s.resolved);
      await page.click('[data-language-switch]');
      s = await shown();
      assert.match(s.rate, /^⚠ 80 % is unusually high \(expected at most 10 %\)/, s.rate);
      assert.match(s.resolved, /^⚠ More complaints resolved than received.*\(9 > 4\)$/, s.resolved);
      await page.click('[data-language-switch]');
      s = await shown();
      assert.equal(s.confirmVisible, true, 'the confirmation box is offered');
      assert.equal(s.confirmed, false);
      assert.equal(s.lastReply, null, 'nothing sent while typing');
      assert.match(await page.textContent('label[for="figures-confirm"]'), /^ยืนยันตัวเลข$/);

      // Sent unconfirmed (HTTPS: not publishing): the relay asks for the
      // confirmation and stores nothing.
      let last = await submitAndWait();
      assert.equal(last.via, 'https');
      assert.equal(last.reply.ok, false);
      assert.equal(last.reply.needs_confirmation, true, JSON.stringify(last.reply));
      assert.deepEqual(codes(last.reply.warnings), [COMPLAINTS, RATE].sort());
      s = await shown();
      assert.match(s.status, /ติ๊ก "ยืนยันตัวเลข"/, s.status);
      assert.match(s.rate, /สูงผิดปกติ/, 'the warnings still beside their fields');
      assert.equal((await history()).versions.length, 0, 'nothing stored before the confirmation');
      // The warnings and the box fit the page (no sideways scrolling).
      await page.locator('.figures-confirm').scrollIntoViewIfNeeded();
      await page.locator('section.figures').screenshot({ path: path.join(SHOTS, 'needs-confirmation.png') });
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
        'no horizontal overflow');

      // Confirmed: stored with both warnings.
      await page.check('#figures-confirm');
      last = await submitAndWait();
      assert.equal(last.via, 'https');
      assert.equal(last.reply.ok, true, JSON.stringify(last.reply));
      assert.equal(last.reply.version, 1);
      assert.deepEqual(codes(last.reply.warnings), [COMPLAINTS, RATE].sort());
      assert.equal((await shown()).status, 'บันทึกแล้ว (ฉบับที่ 1) พร้อมคำเตือนที่ยืนยัน 2 รายการ — ทาง HTTPS');
      let hist = await history();
      assert.equal(hist.versions.length, 1);
      assert.equal(hist.versions[0].channel, 'https');
      assert.equal(hist.versions[0].values.unemployment_rate, 80);
      assert.deepEqual(codes(hist.versions[0].warnings), [COMPLAINTS, RATE].sort());
      const rateWarning = hist.versions[0].warnings.find((w) => w.code === RATE);
      assert.equal(rateWarning.field, 'values.unemployment_rate');
      assert.match(rateWarning.reason_th, /สูงผิดปกติ/);

      // Publishing: the form now goes over the data channel. A changed
      // figure takes the confirmation away again.
      await page.click('#publish');
      await page.waitForFunction(() => window.briefing.state === 'live');
      await page.waitForFunction(() => window.briefing.pc?.sctp?.state === 'connected');
      await page.fill('#fig-complaints_resolved', '12');
      s = await shown();
      assert.equal(s.confirmed, false, 'an edited figure is not confirmed');
      assert.match(s.resolved, /\(12 > 4\)/, s.resolved);
      last = await submitAndWait();
      assert.equal(last.via, 'datachannel');
      assert.equal(last.reply.needs_confirmation, true, JSON.stringify(last.reply));
      assert.equal((await history()).versions.length, 1, 'the unconfirmed correction is not stored');
      await page.check('#figures-confirm');
      last = await submitAndWait();
      assert.equal(last.via, 'datachannel');
      assert.equal(last.reply.ok, true, JSON.stringify(last.reply));
      assert.equal(last.reply.version, 2);
      assert.match((await shown()).status, /พร้อมคำเตือนที่ยืนยัน 2 รายการ — ทางช่องข้อมูล WebRTC$/);

      // The operations room's table marks the confirmed figures, with the
      // warning in the cell's title.
      const ops = await context.newPage();
      await rememberToken(ops, CHAIR);
      await ops.goto(`${relay.url}figures.html`);
      await ops.waitForFunction(() => {
        const s = window.briefingFigures?.state();
        return s && s.loaded && s.live
          && document.querySelector('tr[data-code="TH-50"]')?.dataset.version === '2';
      });
      const marked = await ops.evaluate(() => {
        const tr = document.querySelector('tr[data-code="TH-50"]');
        const td = (f) => tr.querySelector(`td[data-field="${f}"]`);
        return {
          codes: tr.dataset.warnings,
          rate: td('unemployment_rate').classList.contains('cell-warned'),
          rateTitle: td('unemployment_rate').title,
          resolved: td('complaints_resolved').classList.contains('cell-warned'),
          seekers: td('job_seekers').classList.contains('cell-warned'),
        };
      });
      assert.deepEqual(marked.codes.split(' ').sort(), [COMPLAINTS, RATE].sort());
      assert.equal(marked.rate, true);
      // In Thai the relay's Thai reason; in English its English one.
      assert.match(marked.rateTitle, /สูงผิดปกติ/);
      assert.doesNotMatch(marked.rateTitle, /unusually high/);
      await ops.click('[data-language-switch]');
      await ops.waitForFunction(() => /unusually high/.test(document
        .querySelector('tr[data-code="TH-50"] td[data-field="unemployment_rate"]').title));
      assert.doesNotMatch(await ops.getAttribute('tr[data-code="TH-50"] td[data-field="unemployment_rate"]',
        'title'), /สูงผิดปกติ/);
      // Back to Thai: the choice is remembered for the whole browser profile.
      await ops.click('[data-language-switch]');
      assert.equal(marked.resolved, true);
      assert.equal(marked.seekers, false);

      // Plausible figures: no warning, no box, stored as they are.
      await fill(plausible);
      s = await shown();
      assert.equal(s.rate, '');
      assert.equal(s.resolved, '');
      assert.equal(s.confirmVisible, false);
      last = await submitAndWait();
      assert.equal(last.reply.ok, true, JSON.stringify(last.reply));
      assert.equal(last.reply.version, 3);
      assert.equal(last.reply.warnings, undefined);
      assert.equal((await shown()).status, 'บันทึกแล้ว (ฉบับที่ 3) — ทางช่องข้อมูล WebRTC');
      // The table follows the event: version 3 has no mark.
      await ops.waitForFunction(() => {
        const tr = document.querySelector('tr[data-code="TH-50"]');
        return tr.dataset.version === '3' && tr.dataset.warnings === ''
          && !tr.querySelector('td.cell-warned');
      });

      hist = await history();
      assert.deepEqual(hist.versions.map((v) => v.channel), ['https', 'data-channel', 'data-channel']);
      assert.deepEqual(codes(hist.versions[1].warnings), [COMPLAINTS, RATE].sort());
      assert.match(hist.versions[1].warnings.find((w) => w.code === COMPLAINTS).reason, /\(12 > 4\)/);
      assert.deepEqual(hist.versions[2].warnings, []);

      // The operations room's day: the latest version, without warnings;
      // the CSV has the warnings column.
      const day = await getJson(`${relay.url}api/v1/figures?date=${bangkokDate()}`,
        { token: CHAIR });
      assert.deepEqual(day.provinces.find((p) => p.code === 'TH-50').warnings, []);
      const csv = await request(`${relay.url}api/v1/figures.csv?date=${bangkokDate()}`,
        { headers: { Authorization: `Bearer ${CHAIR}` } });
      assert.equal(csv.status, 200);
      assert.match(csv.text.split('\r\n')[0], /,warnings$/);
    } catch (e) {
      throw new Error(`${e.message}\n${diagnostics()}`);
    } finally {
      await context.close();
    }
  });
