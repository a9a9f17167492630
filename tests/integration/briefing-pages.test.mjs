// The briefing's pages in a real Chromium against the real relay:
// ops.html starts a briefing, shows the offices arriving (present, late),
// edits the agenda, gives the floor in agenda order with `next`, shows the
// turn's clock and ends it; province.html tells its office "your turn in N"
// then "you have the floor"; review.html lists the briefing, plays its
// program recording, seeks to the second office's chapter (the picture is
// that office's colour, its figures beside the player), recovers from a
// refused media link, exports the chapter as a playable MP4 (the relay's
// export.mp4), downloads the report CSV; briefing-report.html prints
// the roll call, the turns and the figures with totals.
//
// Each test starts its own relay and publishers (tools/whip-publish
// with solid-colour clips). Nothing is timed: every wait is for a state.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { getBrowser, closeBrowser, collectDiagnostics, rememberToken } from '../../tools/lib/browser.mjs';

const CHAIR = 'chair-token-for-briefing-pages';
const TOKENS = {
  'TH-12': 'nonthaburi-token-pages',
  'TH-50': 'chiang-mai-token-pages',
  'TH-90': 'songkhla-token-pages',
};
const SHOTS = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-pages-'));

after(async () => {
  await closeBrowser();
  process.stderr.write(`briefing-pages: screenshots in ${SHOTS}\n`);
});

const auth = (token) => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });

async function relayWithOffices(extraConfig = {}) {
  return startRelay({
    provinces: TOKENS,
    extraConfig: { 'viewer chair': { role: 'chair', token: CHAIR }, ...extraConfig },
  });
}

async function live(relay, code) {
  await waitFor(async () => (await getJson(`${relay.url}api/v1/provinces/${code}`)).state === 'live',
    { timeoutMs: 45000, describe: `${code} live` });
}

async function chair(relay, method, p, body) {
  const r = await request(`${relay.url}${p}`, {
    method, headers: auth(CHAIR), body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

async function liveBriefing(relay) {
  const r = await request(`${relay.url}api/v1/briefings/live`, { headers: auth(CHAIR) });
  return r.status === 200 ? r.json : null;
}

/* The relay's day (Asia/Bangkok), as the figures want it. */
const bangkokToday = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);

function figures(jobSeekers) {
  return {
    job_seekers: jobSeekers, job_placements: 10, layoffs: 1, establishments_closed: 0,
    complaints_received: 2, complaints_resolved: 1, workplace_accidents: 0,
    unemployment_rate: 1.5, overall_status: 'normal',
  };
}

async function submitFigures(relay, code, values) {
  const r = await request(`${relay.url}api/v1/reports`, {
    method: 'POST', headers: auth(TOKENS[code]),
    body: JSON.stringify({ type: 'figures', id: `${code}-pages-1`, date: bangkokToday(), values }),
  });
  assert.equal(r.status, 201, `figures of ${code}: ${r.text}`);
}

async function newPage(relay) {
  const browser = await getBrowser();
  const context = await browser.newContext({ viewport: { width: 1500, height: 1000 } });
  // The mean colour of the middle of review.html's player picture.
  await context.addInitScript(() => {
    window.testSampleVideo = () => {
      const v = document.getElementById('player');
      if (!v || v.readyState < 2 || !v.videoWidth) return null;
      const c = document.createElement('canvas');
      c.width = 64;
      c.height = 36;
      const g = c.getContext('2d', { willReadFrequently: true });
      g.drawImage(v, 0, 0, 64, 36);
      const d = g.getImageData(24, 13, 16, 10).data;
      const sum = [0, 0, 0];
      for (let i = 0; i < d.length; i += 4) {
        sum[0] += d[i];
        sum[1] += d[i + 1];
        sum[2] += d[i + 2];
      }
      const n = d.length / 4;
      return { r: sum[0] / n, g: sum[1] / n, b: sum[2] / n };
    };
  });
  const page = await context.newPage();
  return { context, page, diagnostics: collectDiagnostics(page) };
}

/* Waits on a page hook; a timeout carries the page's console. */
function pageWait(page, diagnostics, fn, arg, describe, timeoutMs = 45000) {
  return waitFor(() => page.evaluate(fn, arg), { timeoutMs, describe }).catch(async (e) => {
    const hooks = await page.evaluate(() => JSON.stringify({
      ops: window.briefingOps?.briefing(), province: window.briefing?.turn,
      review: window.briefingReview?.state(), report: window.briefingReport?.state(),
    })).catch((err) => err.message);
    throw new Error(`${e.message}\npage state: ${hooks.slice(0, 3000)}\n${diagnostics()}`);
  });
}

/* ------------------------------------------------------------ ops.html */

test('ops.html runs a briefing: start, roll call, agenda editing, next in order, clock, end',
  { timeout: 240000 }, async () => {
    const relay = await relayWithOffices();
    const pubs = [];
    const { context, page, diagnostics } = await newPage(relay);
    try {
      // TH-12 is live before the start: present. TH-50 comes after it with
      // a roll-call deadline of 0: late. TH-90 never comes: absent.
      pubs.push(startPublisher(relay, ['TH-12'], { videoFile: 'color-green.ivf' }));
      await live(relay, 'TH-12');

      await rememberToken(page, CHAIR);
      await page.goto(`${relay.url}ops.html`);
      await pageWait(page, diagnostics, () => !document.getElementById('briefing-start').disabled &&
        document.getElementById('agenda-office').options.length > 70, null, 'the briefing form ready');
      await page.fill('#briefing-title', 'ประชุมทดสอบ / pages test');
      await page.fill('#briefing-limit', '0.5');
      await page.fill('#briefing-deadline', '0');
      await page.click('#briefing-start');

      const started = await waitFor(() => liveBriefing(relay), { timeoutMs: 20000, describe: 'a live briefing' });
      assert.equal(started.title, 'ประชุมทดสอบ / pages test');
      assert.equal(started.turn_limit_s, 30);
      assert.equal(started.roll_call_deadline_s, 0);
      await pageWait(page, diagnostics, () => {
        const s = window.briefingOps.briefing();
        return s.state === 'live' && s.counts.present === 1 ? s : null;
      }, null, 'the page shows the briefing live with TH-12 present');
      let s = await page.evaluate(() => window.briefingOps.briefing());
      assert.ok(s.absent.includes('TH-50') && s.absent.includes('TH-90') && !s.absent.includes('TH-12'),
        `absent named: ${s.absent.join(',')}`);
      assert.match(await page.textContent('#attendance-absent'), /^ขาด: .*TH-50 เชียงใหม่/);

      // An arrival after the start, seen on the page from the events.
      pubs.push(startPublisher(relay, ['TH-50'], { videoFile: 'color-red.ivf' }));
      s = await pageWait(page, diagnostics, () => {
        const b = window.briefingOps.briefing();
        return b.counts.late === 1 && !b.absent.includes('TH-50') ? b : null;
      }, null, 'TH-50 arriving late on the page');
      assert.match(s.summary, /^เข้าร่วม 2\/76 แห่ง · สาย 1 แห่ง · ขาด 74 แห่ง$/);
      assert.ok(s.absent.includes('TH-90'));
      await page.screenshot({ path: path.join(SHOTS, 'ops-roll-call.png') });

      // Agenda editing: add a free item (at the end), move it up, remove it.
      const pendingOf = async () => (await liveBriefing(relay)).agenda.filter((i) => i.status === 'pending');
      const before = await pendingOf();
      await page.fill('#agenda-item', 'พักเบรก / break');
      await page.click('#agenda-add-button');
      await waitFor(async () => (await pendingOf()).at(-1).title === 'พักเบรก / break',
        { describe: 'the free item added at the end' });
      await pageWait(page, diagnostics, () => document.querySelector('#agenda-list li:last-child')
        ?.textContent.includes('พักเบรก'), null, 'the page lists the new item');
      await page.click('#agenda-list li:last-child button[aria-label^="เลื่อนขึ้น"]');
      await waitFor(async () => {
        const p = await pendingOf();
        return p.at(-2).title === 'พักเบรก / break' && p.at(-1).office === before.at(-1).office;
      }, { describe: 'the free item moved up one place' });
      await pageWait(page, diagnostics, () => document.querySelector('#agenda-list li:nth-last-child(2)')
        ?.dataset.kind === 'item', null, 'the page shows the item moved');
      await page.click('#agenda-list li[data-kind="item"] button[aria-label^="ลบ"]');
      await waitFor(async () => {
        const p = await pendingOf();
        return p.length === before.length && !p.some((i) => i.kind === 'item');
      }, { describe: 'the free item removed' });

      // `next` in agenda order (the roster's, as the mosaic): TH-12, TH-50,
      // then TH-90 is skipped (absent) and the agenda runs out.
      const order = before.filter((i) => ['TH-12', 'TH-50'].includes(i.office)).map((i) => i.office);
      assert.deepEqual(order, ['TH-12', 'TH-50'], 'the default agenda is in the roster order');
      for (const office of order) {
        await page.click('#agenda-next');
        await waitFor(async () => (await getJson(`${relay.url}api/v1/conference`)).floor === office,
          { timeoutMs: 20000, describe: `the floor given to ${office}` });
        const turn = await pageWait(page, diagnostics, (o) => {
          const t = window.briefingOps.briefing().turn;
          return t && t.office === o && document.getElementById('turn-office').dataset.office === o ? t : null;
        }, office, `the page shows ${office} speaking`);
        assert.equal(turn.limitMs, 30000);
        // The clock runs and shows the limit.
        const first = await page.textContent('#turn-clock');
        assert.match(first, /^\d+:\d\d \/ 0:30/);
        await pageWait(page, diagnostics, (t0) => document.getElementById('turn-clock').textContent !== t0,
          first, 'the turn clock advancing');
      }
      await page.screenshot({ path: path.join(SHOTS, 'ops-turn.png') });
      let b = await liveBriefing(relay);
      assert.deepEqual(b.turns.map((t) => t.office), ['TH-12', 'TH-50']);
      const status = new Map(b.agenda.filter((i) => i.office).map((i) => [i.office, i.status]));
      assert.equal(status.get('TH-11'), 'skipped', 'an absent office before TH-12 is skipped');
      assert.equal(status.get('TH-12'), 'done');
      assert.equal(status.get('TH-50'), 'current');

      await page.click('#briefing-end');
      await waitFor(async () => (await liveBriefing(relay)) === null,
        { timeoutMs: 20000, describe: 'the briefing ended' });
      b = await chair(relay, 'GET', `api/v1/briefings/${started.id}`);
      assert.equal(b.state, 'ended');
      assert.equal(b.turns.at(-1).end_reason, 'ended');
      await pageWait(page, diagnostics, () => {
        const st = window.briefingOps.briefing();
        return st.state === null && !document.getElementById('briefing-start').disabled &&
          document.getElementById('agenda-next').disabled;
      }, null, 'the page back to "no briefing"');
    } catch (e) {
      relay.dumpLog();
      throw e;
    } finally {
      await context.close();
      for (const p of pubs) await p.stop();
      await relay.stop();
    }
  });

/* ------------------------------------------------------- province.html */

test('province.html shows "your turn in N", then "you have the floor" with its clock',
  { timeout: 240000 }, async () => {
    const relay = await relayWithOffices();
    const pub = startPublisher(relay, ['TH-12'], { videoFile: 'color-green.ivf' });
    const { context, page, diagnostics } = await newPage(relay);
    try {
      // The office publishes from its page (Chromium's fake camera).
      await page.goto(`${relay.url}province.html?province=TH-50`);
      await page.fill('#token', TOKENS['TH-50']);
      await page.click('#publish');
      await live(relay, 'TH-50');
      await live(relay, 'TH-12');

      // Before TH-50: a free item, an absent office (not counted: it
      // will be skipped) and TH-12.
      const b = await chair(relay, 'POST', 'api/v1/briefings', {
        title: 'คิวของจังหวัด / turns', turn_limit_s: 120,
        agenda: [{ title: 'เปิดประชุม / opening' }, { office: 'TH-90' }, { office: 'TH-12' },
          { office: 'TH-50' }],
      });
      const waiting = await pageWait(page, diagnostics, () => {
        const t = window.briefing.turn;
        return t.kind === 'waiting' && t.ahead === 2 ? t : null;
      }, null, 'your turn in 2');
      assert.match(waiting.text, /^ถึงคิวคุณอีก 2 ลำดับ$/);
      assert.equal(await page.isVisible('#briefing-panel'), true);
      await page.screenshot({ path: path.join(SHOTS, 'province-waiting.png') });

      await chair(relay, 'POST', `api/v1/briefings/${b.id}/next`); // the opening item
      await pageWait(page, diagnostics, () => window.briefing.turn.ahead === 1, null, 'your turn in 1');
      await chair(relay, 'POST', `api/v1/briefings/${b.id}/next`); // TH-12
      const next = await pageWait(page, diagnostics, () => {
        const t = window.briefing.turn;
        return t.ahead === 0 && t.speaker === 'TH-12' ? t : null;
      }, null, 'you are next, TH-12 speaking');
      assert.match(next.text, /^ถึงคิวคุณเป็นลำดับถัดไป$/);
      assert.match(await page.textContent('#briefing-speaker'), /TH-12/);

      await chair(relay, 'POST', `api/v1/briefings/${b.id}/next`); // TH-50
      const floor = await pageWait(page, diagnostics, () => {
        const t = window.briefing.turn;
        return t.kind === 'floor' ? t : null;
      }, null, 'you have the floor');
      assert.match(floor.text, /^คุณได้รับสิทธิ์พูด$/);
      assert.equal(floor.limitMs, 120000);
      assert.match(floor.clock, /^\d+:\d\d \/ 2:00$/);
      assert.equal((await getJson(`${relay.url}api/v1/conference`)).floor, 'TH-50');
      await pageWait(page, diagnostics, (c0) => window.briefing.turn.clock !== c0, floor.clock,
        'the clock advancing');
      await page.screenshot({ path: path.join(SHOTS, 'province-floor.png') });

      // The floor goes on (the agenda ends): the office no longer has it.
      await chair(relay, 'POST', `api/v1/briefings/${b.id}/next`);
      await pageWait(page, diagnostics, () => window.briefing.turn.kind === 'off-agenda', null,
        'the turn over');
      await chair(relay, 'POST', `api/v1/briefings/${b.id}/end`);
      await pageWait(page, diagnostics, () => window.briefing.turn.kind === 'none' &&
        document.getElementById('briefing-panel').hidden, null, 'the panel hidden after the end');
    } catch (e) {
      relay.dumpLog();
      throw e;
    } finally {
      await context.close();
      await pub.stop();
      await relay.stop();
    }
  });

/* --------------------------------------------------------- review.html */

/* Waits until the review page plays a picture of `colour` (mostly red or
 * mostly green) while its position is inside [lo, hi) on the timeline. */
function waitPicture(page, diagnostics, colour, [lo, hi], describe) {
  return pageWait(page, diagnostics, ([want, from, to]) => {
    const s = window.briefingReview.state();
    const c = window.testSampleVideo();
    if (!c || s.position < from || s.position >= to) return null;
    const [main, other1, other2] = want === 'red' ? [c.r, c.g, c.b] : [c.g, c.r, c.b];
    return main > 180 && other1 < 80 && other2 < 80 ? { c, position: s.position } : null;
  }, [colour, lo, hi], describe);
}

/* Waits for a turn of `office` to have run `ms` and the program recording
 * to hold it. */
async function turnRecorded(relay, id, office, ms) {
  return waitFor(async () => {
    const d = await chair(relay, 'GET', `api/v1/briefings/${id}`);
    const turn = d.turns.find((t) => t.office === office);
    const ends = d.recordings.filter((r) => r.kind === 'program')
      .map((r) => Date.parse(r.started_at) + r.duration_ms);
    if (!turn || !ends.length || turn.duration_ms < ms) return null;
    return Math.max(...ends) - Date.parse(turn.started_at) >= ms ? turn : null;
  }, { timeoutMs: 60000, intervalMs: 500, describe: `${office}'s turn of ${ms} ms recorded` });
}

test('review.html plays the briefing, seeks to an office\'s chapter (its colour, its figures), exports',
  { timeout: 300000 }, async () => {
    // Files of 10 s (the least): the second office's turn is in a later
    // file than the first's, so the player seeks across files.
    const relay = await relayWithOffices({ recording: { 'segment-s': 10 } });
    const pubs = [
      startPublisher(relay, ['TH-50'], { videoFile: 'color-red.ivf' }),
      startPublisher(relay, ['TH-12'], { videoFile: 'color-green.ivf' }),
    ];
    const { context, page, diagnostics } = await newPage(relay);
    try {
      await live(relay, 'TH-50');
      await live(relay, 'TH-12');
      // The program shows the floor holder alone.
      await chair(relay, 'PUT', 'api/v1/conference/layout', { layout: 'spotlight' });
      await submitFigures(relay, 'TH-50', figures(111));
      await submitFigures(relay, 'TH-12', figures(222));

      const b = await chair(relay, 'POST', 'api/v1/briefings', {
        title: 'ย้อนดู / review', turn_limit_s: 60, agenda: [{ office: 'TH-50' }, { office: 'TH-12' }],
      });
      await chair(relay, 'POST', `api/v1/briefings/${b.id}/next`);
      const turn1 = await turnRecorded(relay, b.id, 'TH-50', 15000);
      await chair(relay, 'POST', `api/v1/briefings/${b.id}/next`);
      const turn2 = await turnRecorded(relay, b.id, 'TH-12', 10000);
      // The briefing is still live: its earlier part is reviewed meanwhile.
      const detail = await chair(relay, 'GET', `api/v1/briefings/${b.id}`);
      const files = detail.recordings.filter((r) => r.kind === 'program').sort((x, y) => x.segment - y.segment);
      const zero = Date.parse(files[0].started_at);
      // The file that holds a timeline time: the last one starting at or before it.
      const fileAt = (ms) => files.reduce((at, r, i) => (Date.parse(r.started_at) - zero <= ms ? i : at), 0);
      const span = (t) => ({
        start: Date.parse(t.started_at) - zero,
        end: (t.ended_at ? Date.parse(t.ended_at) : Date.parse(t.started_at) + 10000) - zero,
      });
      const span1 = span(detail.turns.find((t) => t.id === turn1.id));
      const span2 = span(detail.turns.find((t) => t.id === turn2.id));

      // The first load of the recording is refused as an expired link: the
      // page reads the briefing again for fresh links and plays on.
      let refused = 0;
      await page.route('**/api/v1/briefings/*/recordings/*', async (route) => {
        if (refused === 0) {
          refused++;
          await route.fulfill({ status: 401, contentType: 'application/json',
            body: '{"error":"link-expired","reason":"the link has expired: fetch the briefing again"}' });
        } else {
          await route.continue();
        }
      });

      await rememberToken(page, CHAIR);
      await page.goto(`${relay.url}review.html`);
      await pageWait(page, diagnostics, (id) => window.briefingReview.state().list.includes(id), b.id,
        'the briefing listed');
      assert.match(await page.textContent(`#briefing-rows tr[data-id="${b.id}"]`), /ย้อนดู \/ review/);
      await page.click(`#briefing-rows tr[data-id="${b.id}"] button`);
      const loaded = await pageWait(page, diagnostics, () => {
        const s = window.briefingReview.state();
        return s.readyState >= 1 && s.player.recoveries >= 1 && s.chapters.length === 2 ? s : null;
      }, null, 'the recording loaded after a refused link');
      assert.equal(refused, 1);
      assert.ok(loaded.detailReads >= 2, 'the briefing read again for fresh links');
      assert.equal(loaded.briefingState, 'live');

      // The second office's chapter: its colour, its figures.
      await page.click(`#chapters li[data-turn="${turn2.id}"] button.chapter-go`);
      // The seek done, the player is inside the chapter (not played into it).
      const second = await pageWait(page, diagnostics, () => {
        const s = window.briefingReview.state();
        return s.settled ? s : null;
      }, null, 'the seek to the second chapter done');
      assert.ok(second.position >= span2.start && second.position < span2.end,
        `position ${second.position} ms in the second chapter [${span2.start}, ${span2.end})`);
      assert.equal(second.segmentIndex, fileAt(second.position), 'the file that holds the position');
      assert.ok(second.segmentIndex >= 1, `the second chapter is in a later file (${files.length} files)`);
      assert.equal(second.chapter, turn2.id);
      assert.equal(second.figuresOffice, 'TH-12');
      assert.match(second.figures.job_seekers, /^222\b/);
      await waitPicture(page, diagnostics, 'green', [span2.start, span2.end],
        'TH-12\'s green inside its chapter');
      // Playing: the time goes on.
      const t0 = await page.evaluate(() => window.briefingReview.state().currentTime);
      await pageWait(page, diagnostics, (t) => {
        const s = window.briefingReview.state();
        return !s.paused && s.currentTime > t + 0.5;
      }, t0, 'the recording playing on');
      await page.screenshot({ path: path.join(SHOTS, 'review-second-chapter.png') });

      // The first office's chapter: red, its figures, its export link.
      await page.click(`#chapters li[data-turn="${turn1.id}"] button.chapter-go`);
      await waitPicture(page, diagnostics, 'red', [span1.start, span1.end], 'TH-50\'s red inside its chapter');
      const first = await page.evaluate(() => window.briefingReview.state());
      assert.equal(first.chapter, turn1.id);
      assert.equal(first.figuresOffice, 'TH-50');
      assert.match(first.figures.job_seekers, /^111\b/);
      const exportUrl = new URL(first.exportHref);
      assert.match(exportUrl.pathname, new RegExp(`/api/v1/briefings/${b.id}/export\\.mp4$`));
      assert.ok(exportUrl.searchParams.get('sig'), 'a signed export link');
      // (A turn given right at the start may begin before the recording.)
      assert.ok(Math.abs(Number(exportUrl.searchParams.get('start')) * 1000 - Math.max(0, span1.start)) < 2,
        `export start ${exportUrl.searchParams.get('start')} at the chapter's start ${span1.start} ms`);
      const duration = Number(exportUrl.searchParams.get('duration'));
      assert.ok(duration > 7, `export duration ${duration} s: the chapter's`);

      // The export itself (signed: no token): an MP4 of that chapter, which
      // plays, is about as long as asked (it starts at the key frame at or
      // before the start and ends on a fragment) and shows TH-50's red.
      const head = await request(exportUrl.href, { timeoutMs: 60000 });
      assert.equal(head.status, 200, `export: ${head.status} ${head.text.slice(0, 200)}`);
      assert.match(head.headers.get('content-type'), /^video\/mp4/);
      const clip = await pageWait(page, diagnostics, async (href) => {
        const v = document.createElement('video');
        v.muted = true;
        v.src = href;
        await new Promise((resolve, reject) => {
          v.onloadeddata = resolve;
          v.onerror = () => reject(new Error(`export not playable: ${v.error && v.error.message}`));
        });
        v.currentTime = v.duration / 2;
        await new Promise((resolve) => { v.onseeked = resolve; });
        const c = document.createElement('canvas');
        c.width = 64;
        c.height = 36;
        const g = c.getContext('2d');
        g.drawImage(v, 0, 0, 64, 36);
        const [r, gr, b] = g.getImageData(32, 18, 1, 1).data;
        return { duration: v.duration, r, g: gr, b };
      }, exportUrl.href, 'the export playing in the page', 60000);
      assert.ok(clip.duration >= duration - 0.5 && clip.duration <= duration + 4,
        `export of ${clip.duration} s for ${duration} s asked`);
      assert.ok(clip.r > 180 && clip.g < 80 && clip.b < 80, `the export's picture: ${JSON.stringify(clip)}`);

      // The turn's own recording and clip links.
      const links = await page.$$eval(`#chapters li[data-turn="${turn1.id}"] a`, (as) => as.map((a) => a.href));
      assert.ok(links.some((h) => /\/recordings\/\d+\.webm\?/.test(h)), `own recording link: ${links}`);

      // The briefing ends: the page follows.
      await chair(relay, 'POST', `api/v1/briefings/${b.id}/end`);
      await pageWait(page, diagnostics, () => window.briefingReview.state().briefingState === 'ended', null,
        'the page sees the end');

      // The report CSV, with the token.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
      const csv = fs.readFileSync(await download.path(), 'utf8');
      assert.ok(csv.startsWith('\uFEFF'), 'CSV with a byte order mark');
      const th12 = csv.split('\r\n').find((l) => l.split(',')[1] === 'TH-12');
      assert.ok(th12 && th12.split(',').includes('222') && th12.split(',').includes('present'),
        `TH-12's row: ${th12}`);

      // The printable report (the token remembered by the review page).
      const report = await context.newPage();
      const reportDiag = collectDiagnostics(report);
      await report.goto(`${relay.url}briefing-report.html?id=${b.id}`);
      const r = await pageWait(report, reportDiag, () => {
        const s = window.briefingReport.state();
        return s.loaded ? s : null;
      }, null, 'the report loaded');
      assert.deepEqual(r.turns, ['TH-50', 'TH-12']);
      assert.equal(r.attendance, 76);
      assert.equal(r.figures, 2);
      assert.equal(r.national.job_seekers, '333');
      assert.equal(await report.textContent(`#figures-body tr[data-total="north"] td[data-field="job_seekers"]`), '111');
      await report.emulateMedia({ media: 'print' });
      await report.screenshot({ path: path.join(SHOTS, 'briefing-report-print.png'), fullPage: true });
    } catch (e) {
      relay.dumpLog();
      throw e;
    } finally {
      await context.close();
      for (const p of pubs) await p.stop();
      await relay.stop();
    }
  });
