// End-to-end: a headless Chromium publishes to /whip/TH-50 with a data
// channel labelled "report" (SCTP over the bundled DTLS, usrsctp in the
// relay) and sends figures on it: a valid message, invalid JSON, a 17 KiB
// message, a binary message, then a burst of 1,000 valid messages with
// distinct ids. Every message gets a precise answer on the same channel,
// which stays open; a channel with another label is refused; the relay
// exits cleanly afterwards (no crash, stop() checks the exit status).
// Then the province page's figures form, against a relay serving HTTPS: on
// the data channel while publishing, over HTTPS once stopped.
//
// Each test has its own relay: either runs alone.
//
// Needs: the relay (BRIEFING_RELAY or build/briefing-relay), Chromium at
// /usr/bin/chromium (or CHROMIUM_PATH), `npm ci` (playwright-core).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { startRelay, getJson, request } from '../../tools/lib/relay.mjs';
import { getBrowser, closeBrowser } from '../../tools/lib/browser.mjs';

const TOKEN = 'th50-datachannel-token';
const BURST = 1000;
/* Generous: a loaded machine or an ASan relay is slow, and a wait costs
 * time only when something is broken. */
const WAIT_MS = 180000; // generous: the relay may run under ASan on a loaded machine

const relays = [];
const tmpDirs = [];
after(async () => {
  await closeBrowser();
  for (const r of relays) await r.stop();
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

// A burst of 1,000 from one office is this test's load, not an office's
// morning: the figures rate ([limits], limits.test.mjs) is lifted.
const UNLIMITED_FIGURES = { limits: { 'figures-per-minute': 1000000, 'figures-burst': 100000 } };

async function relayFor(extraConfig = {}) {
  const relay = await startRelay({ provinces: { 'TH-50': TOKEN }, extraConfig: { ...UNLIMITED_FIGURES, ...extraConfig } });
  relays.push(relay);
  return relay;
}

/* A relay serving HTTPS with a throw-away certificate for 127.0.0.1, and a
 * GET that trusts exactly that certificate. */
async function httpsRelay() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-dc-tls-'));
  tmpDirs.push(dir);
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const relay = await relayFor({ relay: { 'tls-certificate': cert, 'tls-private-key': key } });
  const ca = fs.readFileSync(cert);
  relay.getJson = (url, headers = {}) => new Promise((resolve, reject) => {
    https.get(url, { ca, headers: { Accept: 'application/json', ...headers }, timeout: WAIT_MS }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body))
        : reject(new Error(`GET ${url}: ${res.statusCode} ${body}`))));
    }).on('error', reject).on('timeout', function onTimeout() { this.destroy(new Error('timeout')); });
  });
  return relay;
}

/* Values that satisfy the schema the relay serves: required fields only. */
function validValues(schema) {
  const values = {};
  for (const f of schema.fields) {
    if (!f.required) continue;
    if (f.type === 'enum') values[f.name] = f.values[0];
    else if (f.type === 'text') values[f.name] = 'ปกติ normal';
    else if (f.type === 'integer') values[f.name] = Math.max(0, Math.ceil(f.min ?? 0));
    else values[f.name] = Math.max(0, f.min ?? 0) + 0.5 <= (f.max ?? Infinity) ? Math.max(0, f.min ?? 0) + 0.5 : f.min;
  }
  return values;
}

/* The relay's own calendar day (Asia/Bangkok), as the validation uses. */
function bangkokDate() {
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

test('report data channel: acks, precise errors, burst of 1,000, channel stays open', { timeout: 900000 }, async () => {
  const relay = await relayFor();
  const schema = await getJson(`${relay.url}api/v1/figures/schema`);
  assert.ok(Array.isArray(schema.fields) && schema.fields.length > 0, 'schema has fields');
  const values = validValues(schema);

  const browser = await getBrowser();
  const context = await browser.newContext();
  const page = await context.newPage();
  const log = [];
  page.on('console', (m) => log.push(`[console.${m.type()}] ${m.text()}`));
  await page.goto(`${relay.url}province.html`);

  try {
    // Publish with two channels created before the offer (so the offer has
    // its m=application line): "report" and one the relay must refuse.
    await page.evaluate(async ([token, waitMs]) => {
      const pc = new RTCPeerConnection();
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      for (const t of stream.getTracks()) pc.addTransceiver(t, { direction: 'sendonly' });
      const dc = pc.createDataChannel('report');
      const chat = pc.createDataChannel('chat');
      const t = { pc, dc, chat, replies: [], waiters: [], chatClosed: false, dcClosed: false };
      window.dct = t;
      dc.onmessage = (e) => {
        t.replies.push(typeof e.data === 'string' ? e.data : '<binary>');
        while (t.waiters.length && t.waiters[0].n <= t.replies.length) t.waiters.shift().resolve();
      };
      dc.onclose = () => { t.dcClosed = true; };
      chat.onclose = () => { t.chatClosed = true; };
      t.waitReplies = (n) => new Promise((resolve) => {
        if (t.replies.length >= n) resolve();
        else t.waiters.push({ n, resolve });
      });
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        pc.addEventListener('icegatheringstatechange', () => {
          if (pc.iceGatheringState === 'complete') resolve();
        });
        setTimeout(resolve, 3000);
      });
      const res = await fetch('/whip/TH-50', {
        method: 'POST',
        headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` },
        body: pc.localDescription.sdp,
      });
      if (res.status !== 201) throw new Error(`WHIP POST: ${res.status} ${await res.text()}`);
      await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
      await new Promise((resolve, reject) => {
        if (dc.readyState === 'open') return resolve();
        dc.onopen = resolve;
        setTimeout(() => reject(new Error(`channel not open: ${dc.readyState}, pc ${pc.connectionState}`)), waitMs);
      });
    }, [TOKEN, WAIT_MS]);

    // Sends one message and returns the next reply, parsed.
    const ask = (msg, binary = false) => page.evaluate(async ([m, bin, waitMs]) => {
      const t = window.dct;
      const n = t.replies.length + 1;
      t.dc.send(bin ? new Uint8Array([0x7b, 0x7d, 0x00, 0xff]) : m);
      await Promise.race([t.waitReplies(n),
        new Promise((_, rej) => setTimeout(() => rej(new Error(`no reply in ${waitMs} ms`)), waitMs))]);
      return JSON.parse(t.replies[n - 1]);
    }, [msg, binary, WAIT_MS]);

    const date = bangkokDate();
    const first = await ask(JSON.stringify({ type: 'figures', id: 'dc-valid-1', date, values }));
    assert.equal(first.ok, true, `valid figures acked: ${JSON.stringify(first)}`);
    assert.equal(first.type, 'ack');
    assert.equal(first.id, 'dc-valid-1');
    assert.ok(Number.isInteger(first.version) && first.version >= 1);

    // The same id again: answered the same way, not stored twice.
    const again = await ask(JSON.stringify({ type: 'figures', id: 'dc-valid-1', date, values }));
    assert.equal(again.ok, true);
    assert.equal(again.version, first.version);

    const badJson = await ask('{"type":"figures","id":"dc-bad-json",');
    assert.equal(badJson.ok, false);
    assert.ok(badJson.errors.length > 0 && /JSON/i.test(badJson.errors[0].reason), JSON.stringify(badJson));

    const big = await ask('x'.repeat(17 * 1024));
    assert.equal(big.ok, false);
    assert.equal(big.errors[0].field, null);
    assert.match(big.errors[0].reason, /17408 bytes; the limit is 16384/);

    const bin = await ask(null, true);
    assert.deepEqual(bin, { type: 'ack', id: null, ok: false,
      errors: [{ field: null, reason: 'binary messages are not accepted; send JSON text' }] });

    // A field error is precise: the field is named.
    const wrong = { ...values, job_seekers: -5 };
    const fieldErr = await ask(JSON.stringify({ type: 'figures', id: 'dc-field', date, values: wrong }));
    assert.equal(fieldErr.ok, false);
    assert.ok(fieldErr.errors.some((e) => e.field && e.field.includes('job_seekers')), JSON.stringify(fieldErr));

    // Still open after every error; then the burst.
    assert.equal(await page.evaluate(() => window.dct.dc.readyState), 'open');
    // Every message of the burst is answered; how fast is bench/reports'
    // business. The wait ends on the last answer (or, if some never come,
    // after a generous while that only a broken relay needs).
    const burst = await page.evaluate(async ([n, d, v, waitMs]) => {
      const t = window.dct;
      const base = t.replies.length;
      for (let i = 0; i < n; i++) {
        t.dc.send(JSON.stringify({ type: 'figures', id: `burst-${i}`, date: d, values: { ...v, note: `burst ${i}` } }));
      }
      await Promise.race([t.waitReplies(base + n), new Promise((r) => setTimeout(r, waitMs))]);
      return t.replies.slice(base).map((s) => JSON.parse(s));
    }, [BURST, date, values, 4 * WAIT_MS]);
    assert.equal(burst.length, BURST, `all ${BURST} answered (got ${burst.length})`);
    const ids = new Set();
    for (const r of burst) {
      assert.equal(r.ok, true, JSON.stringify(r));
      ids.add(r.id);
    }
    assert.equal(ids.size, BURST, 'every id acked once');

    const state = await page.evaluate(() => ({ dc: window.dct.dc.readyState, chat: window.dct.chat.readyState,
      chatClosed: window.dct.chatClosed, pc: window.dct.pc.connectionState }));
    assert.equal(state.dc, 'open', 'the report channel stayed open');
    assert.equal(state.chat, 'closed', 'a channel with another label is refused');
    assert.equal(state.pc, 'connected');

    // Stored: one version per distinct note (the first message plus the
    // burst), none counted twice; the channel is recorded.
    const hist = await request(`${relay.url}api/v1/reports/history?province=TH-50&date=${date}`,
      { headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/json' } });
    assert.equal(hist.status, 200, hist.text);
    assert.equal(hist.json.versions.length, BURST + 1, `versions stored: ${hist.json.versions.length}`);
    assert.ok(hist.text.includes('data-channel') || hist.text.includes('datachannel'), hist.text.slice(0, 400));
  } catch (e) {
    console.log(log.slice(-30).join('\n'));
    throw e;
  } finally {
    await context.close();
  }
});

test('province page: figures form sends on the data channel, shows server errors, falls back to HTTPS', { timeout: 900000 }, async () => {
  const relay = await httpsRelay();
  assert.match(relay.url, /^https:\/\//);
  const schema = await relay.getJson(`${relay.url}api/v1/figures/schema`);
  const values = validValues(schema);
  const browser = await getBrowser();
  // The certificate is our own throw-away one: the browser is told to
  // accept it (node checks it properly above).
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  await context.grantPermissions(['camera', 'microphone'], { origin: new URL(relay.url).origin });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const log = [];
  page.on('console', (m) => log.push(`[console.${m.type()}] ${m.text()}`));
  try {
    await page.goto(`${relay.url}province.html?province=TH-50`);
    assert.equal(await page.evaluate(() => window.location.protocol), 'https:');
    await page.waitForSelector('#fig-overall_status, .figures-fields .field');
    // Publish first (the stream also carries the "report" channel).
    await page.waitForFunction(() => document.querySelector('#province').value === 'TH-50');
    await page.fill('#token', TOKEN);
    await page.click('#publish');
    await page.waitForFunction(() => window.briefing.state === 'live');
    // SCTP's INIT is retransmitted after 1, 2, 4 s if lost or late.
    await page.waitForFunction(() => window.briefing.pc?.sctp?.state === 'connected');

    const fill = async () => {
      for (const f of schema.fields) {
        if (!(f.name in values)) continue;
        if (f.type === 'enum') await page.selectOption(`#fig-${f.name}`, String(values[f.name]));
        else await page.fill(`#fig-${f.name}`, String(values[f.name]));
      }
    };
    await fill();

    // A client-side check: nothing is sent, the field says why.
    const firstNumber = schema.fields.find((f) => f.type === 'integer');
    await page.fill(`#fig-${firstNumber.name}`, '-3');
    await page.click('#figures-form button[type="submit"]');
    assert.notEqual(await page.textContent(`#fig-${firstNumber.name}-error`), '');
    assert.equal(await page.evaluate(() => window.briefing.figures.lastReply), null);
    await fill();
    if (!(firstNumber.name in values)) await page.fill(`#fig-${firstNumber.name}`, '');

    await page.click('#figures-form button[type="submit"]');
    await page.waitForFunction(() => window.briefing.figures.lastReply !== null);
    let last = await page.evaluate(() => window.briefing.figures.lastReply);
    assert.equal(last.via, 'datachannel');
    assert.equal(last.reply.ok, true, JSON.stringify(last));
    assert.match(await page.textContent('.figures-status'), /^บันทึกแล้ว \(ฉบับที่ \d+\) — ทางช่องข้อมูล WebRTC$/);

    // A server-side error (a date too far back) lands next to its field.
    await page.fill('#figures-date', '2020-01-01');
    await page.click('#figures-form button[type="submit"]');
    await page.waitForFunction(() => window.briefing.figures.lastReply?.reply.ok === false);
    assert.match(await page.textContent('.figures-date-error'), /01\/01\/2563/);

    // Publishing stopped: the same form goes over HTTPS, a new version.
    await page.click('#stop');
    await page.waitForFunction(() => window.briefing.state === 'idle');
    await page.fill('#figures-date', bangkokDate());
    // Other values than the data channel's: a new version, not "unchanged".
    await page.fill(`#fig-${firstNumber.name}`, String((values[firstNumber.name] ?? firstNumber.min ?? 0) + 1));
    await page.evaluate(() => { window.briefing.figures.lastReply = null; });
    await page.click('#figures-form button[type="submit"]');
    await page.waitForFunction(() => window.briefing.figures.lastReply !== null);
    last = await page.evaluate(() => window.briefing.figures.lastReply);
    assert.equal(last.via, 'https');
    assert.equal(last.reply.ok, true, JSON.stringify(last));
    assert.match(await page.textContent('.figures-status'), /HTTPS/);
    // The relay has both: the first over the data channel, the last over
    // the HTTPS API (read back over TLS, trusting only our certificate).
    const hist = await relay.getJson(`${relay.url}api/v1/reports/history?province=TH-50&date=${bangkokDate()}`,
      { Authorization: `Bearer ${TOKEN}` });
    const channels = hist.versions.map((v) => v.channel);
    assert.equal(channels[0], 'data-channel', JSON.stringify(channels));
    assert.equal(channels[channels.length - 1], 'https', JSON.stringify(channels));
    assert.equal(hist.versions[hist.versions.length - 1].version, last.reply.version);
  } catch (e) {
    console.log(log.slice(-30).join('\n'));
    throw e;
  } finally {
    await context.close();
  }
});
