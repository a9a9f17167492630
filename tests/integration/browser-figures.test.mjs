// The operations room's figures table in a real Chromium (web/figures.html):
// 76 province rows in region groups with regional and national totals, every
// province listed as missing on an empty day; a province then submits over
// HTTPS (POST /api/v1/reports with its token) and the page, without a
// reload, shows the row (values, version 1), the national and regional
// totals changed, and the province no longer missing; a correction shows
// version 2. The CSV link fetches the day with the token. The page is in
// Thai (dates dd/mm/พ.ศ., units คน); the language switch redraws it in
// English.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { getBrowser, closeBrowser, collectDiagnostics } from '../../tools/lib/browser.mjs';

const CHAIR = 'chair-token-for-figures';
const TH50 = 'chiang-mai-token-for-figures';
let relay;
before(async () => {
  relay = await startRelay({
    provinces: { 'TH-50': TH50 },
    extraConfig: { 'viewer chair': { role: 'chair', token: CHAIR } },
  });
});
after(async () => {
  await closeBrowser();
  await relay.stop();
});

/* The relay's own calendar day (Asia/Bangkok). */
function bangkokDate() {
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

function post(id, values) {
  return request(`${relay.url}api/v1/reports`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TH50}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'figures', id, date: bangkokDate(), values }),
  });
}

test('figures.html: a submission updates its row, the totals and the missing list live', { timeout: 120000 }, async () => {
  const schema = await getJson(`${relay.url}api/v1/figures/schema`);
  const browser = await getBrowser();
  const context = await browser.newContext();
  const page = await context.newPage();
  const diagnostics = collectDiagnostics(page);
  const fail = (e) => { throw new Error(`${e.message}\n${diagnostics()}`); };
  try {
    // The token as ops.html stores it.
    await page.goto(`${relay.url}ops.html`);
    await page.evaluate((t) => localStorage.setItem('briefing.chair-token', t), CHAIR);
    await page.click('a[href="figures.html"]');
    await page.waitForURL(/figures\.html$/);

    await waitFor(() => page.evaluate(() => {
      const s = window.briefingFigures?.state();
      return s && s.loaded && s.live && document.querySelectorAll('#figures-body tr[data-code]').length === 76;
    }), { timeoutMs: 15000, describe: 'the table loaded with 76 provinces and the events open' }).catch(fail);

    const initial = await page.evaluate(() => ({
      date: window.briefingFigures.state().date,
      dateShown: document.getElementById('date').value,
      headers: [...document.querySelectorAll('#figures-head th[data-field]')].map((th) => th.dataset.field),
      headerText: document.querySelector('#figures-head th[data-field="job_seekers"]').textContent,
      regions: [...document.querySelectorAll('#figures-body tr[data-total]')].map((tr) => tr.dataset.total),
      missing: [...document.querySelectorAll('#missing-list li')].map((li) => li.dataset.code),
      rowMissing: document.querySelector('tr[data-code="TH-50"]').classList.contains('row-missing'),
      national: document.querySelector('#figures-foot tr[data-total="national"]').dataset.reporting,
      csv: document.getElementById('csv').getAttribute('href'),
    }));
    assert.equal(initial.date, bangkokDate(), 'the date picker defaults to today in Bangkok');
    const [y, m, d] = bangkokDate().split('-');
    assert.equal(initial.dateShown, `${d}/${m}/${Number(y) + 543}`, 'the day shown dd/mm/พ.ศ.');
    assert.deepEqual(initial.headers, schema.fields.map((f) => f.name), 'one column per schema field, in order');
    const js = schema.fields.find((f) => f.name === 'job_seekers');
    assert.ok(initial.headerText.includes(js.label_th) && initial.headerText.includes('(คน)') &&
      !initial.headerText.includes(js.label_en), `Thai header with its unit: ${initial.headerText}`);
    assert.deepEqual([...initial.regions].sort(), ['central', 'east', 'north', 'northeast', 'south', 'west']);
    assert.equal(initial.missing.length, 76, 'every province missing on an empty day');
    assert.ok(initial.missing.includes('TH-50'));
    assert.equal(initial.rowMissing, true, 'TH-50 highlighted as missing');
    assert.equal(initial.national, '0');
    assert.match(initial.csv, new RegExp(`api/v1/figures\\.csv\\?date=${bangkokDate()}$`));

    // Count page loads: the update must come without one.
    await page.evaluate(() => { window.notReloaded = true; });

    const values = {};
    for (const f of schema.fields) {
      if (f.type === 'integer') values[f.name] = 1234;
      else if (f.type === 'decimal' || f.type === 'percent') values[f.name] = 1.5;
      else if (f.type === 'enum') values[f.name] = f.values.includes('watch') ? 'watch' : f.values[0];
      else values[f.name] = 'ปกติ normal';
    }
    const res = await post('figs-test-1', values);
    assert.equal(res.status, 201, res.text);

    const after1 = await waitFor(() => page.evaluate(() => {
      const tr = document.querySelector('tr[data-code="TH-50"]');
      const missing = [...document.querySelectorAll('#missing-list li')].map((li) => li.dataset.code);
      const nat = document.querySelector('#figures-foot tr[data-total="national"]');
      const north = document.querySelector('#figures-body tr[data-total="north"]');
      if (tr.dataset.version !== '1' || missing.includes('TH-50') || nat.dataset.reporting !== '1') return null;
      const cellText = (row, f) => row.querySelector(`td[data-field="${f}"]`).textContent;
      return {
        notReloaded: window.notReloaded === true,
        rowMissing: tr.classList.contains('row-missing'),
        jobSeekers: cellText(tr, 'job_seekers'),
        status: cellText(tr, 'overall_status'),
        version: tr.querySelector('.col-version').textContent,
        time: tr.querySelector('.col-time').textContent,
        nationalJobSeekers: cellText(nat, 'job_seekers'),
        northJobSeekers: cellText(north, 'job_seekers'),
        northReporting: north.dataset.reporting,
        nationalStatus: cellText(nat, 'overall_status'),
        missingCount: missing.length,
        events: window.briefingFigures.state().events,
      };
    }), { timeoutMs: 10000, describe: 'TH-50 row, totals and missing list updated live' }).catch(fail);
    assert.equal(after1.notReloaded, true, 'updated without a reload');
    assert.ok(after1.events >= 1, 'through the events WebSocket');
    assert.equal(after1.rowMissing, false);
    assert.equal(after1.jobSeekers, '1,234');
    assert.equal(after1.status, 'เฝ้าระวัง');
    assert.equal(after1.version, '1');
    assert.match(after1.time, /^\d\d:\d\d:\d\d$/);
    assert.equal(after1.nationalJobSeekers, '1,234', 'national total changed');
    assert.equal(after1.northJobSeekers, '1,234', 'the north region total changed (Chiang Mai)');
    assert.equal(after1.northReporting, '1');
    assert.match(after1.nationalStatus, /เฝ้าระวัง 1/);
    assert.equal(after1.missingCount, 75, 'TH-50 no longer listed as missing');

    // A correction: version 2, totals follow.
    const res2 = await post('figs-test-2', { ...values, job_seekers: 2000 });
    assert.equal(res2.status, 201, res2.text);
    await waitFor(() => page.evaluate(() => {
      const tr = document.querySelector('tr[data-code="TH-50"]');
      const nat = document.querySelector('#figures-foot tr[data-total="national"]');
      return tr.dataset.version === '2'
        && tr.querySelector('td[data-field="job_seekers"]').textContent === '2,000'
        && nat.querySelector('td[data-field="job_seekers"]').textContent === '2,000'
        && window.notReloaded === true;
    }), { timeoutMs: 10000, describe: 'the correction shown as version 2 with the totals' }).catch(fail);

    // The CSV link downloads the day with the token (a Bearer fetch, not a bare link).
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), page.click('#csv')]);
    assert.equal(download.suggestedFilename(), `figures-${bangkokDate()}.csv`);
    const csvPath = await download.path();
    const csv = (await import('node:fs')).readFileSync(csvPath, 'utf8');
    assert.ok(csv.startsWith('\ufeff'), 'UTF-8 with BOM');
    assert.match(csv, /TH-50,เชียงใหม่,Chiang Mai,north,2,/);

    // In English: the same table, redrawn without a reload.
    await page.click('[data-language-switch]');
    const english = await waitFor(() => page.evaluate(() => {
      const tr = document.querySelector('tr[data-code="TH-50"]');
      const nat = document.querySelector('#figures-foot tr[data-total="national"]');
      const header = document.querySelector('#figures-head th[data-field="job_seekers"]').textContent;
      if (!header.includes('(persons)')) return null;
      return {
        notReloaded: window.notReloaded === true,
        header,
        name: tr.querySelector('th').textContent,
        status: tr.querySelector('td[data-field="overall_status"]').textContent,
        nationalStatus: nat.querySelector('td[data-field="overall_status"]').textContent,
        national: nat.querySelector('th').textContent,
        dateShown: document.getElementById('date').value,
      };
    }), { timeoutMs: 10000, describe: 'the table redrawn in English' }).catch(fail);
    assert.equal(english.notReloaded, true);
    assert.ok(english.header.includes(js.label_en) && !english.header.includes(js.label_th), english.header);
    assert.equal(english.name, 'TH-50 Chiang Mai');
    assert.equal(english.status, 'watch');
    assert.match(english.nationalStatus, /watch 1/);
    assert.equal(english.national, 'National total');
    assert.equal(english.dateShown, `${d}/${m}/${y}`, 'the day shown dd/mm/yyyy in English');
  } finally {
    await context.close();
  }
});
