// A provincial office's network drops out for a while and comes back: the
// office's session on the relay goes "lost", then "live" again on the same
// session, and its report channel (SCTP over the same DTLS) answers again,
// including the figures sent while the path was cut. A Chromium publisher
// reaches the relay only through a UDP proxy the test cuts and restores.
//
// Needs: the relay (BRIEFING_RELAY or build/briefing-relay), Chromium at
// /usr/bin/chromium (or CHROMIUM_PATH), `npm ci` (playwright-core).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { getBrowser, closeBrowser } from '../../tools/lib/browser.mjs';
import { startUdpProxy, offerWithoutCandidates } from './lib/udp-proxy.mjs';

const TOKEN = 'th50-network-cut-token';
/* Generous: a wait costs time only when something is broken. */
const WAIT_MS = 90000;

const relays = [];
const proxies = [];
after(async () => {
  await closeBrowser();
  for (const p of proxies) await p.close();
  for (const r of relays) await r.stop();
});

function bangkokDate() {
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

function validValues(schema) {
  const values = {};
  for (const f of schema.fields) {
    if (!f.required) continue;
    if (f.type === 'enum') values[f.name] = f.values[0];
    else if (f.type === 'text') values[f.name] = 'ปกติ normal';
    else values[f.name] = Math.max(0, Math.ceil(f.min ?? 0));
  }
  return values;
}

/* Publishes TH-50 from the page through `proxy`, with a "report" data
 * channel; resolves when the channel is open. */
async function publishThroughProxy(page, relay, proxy) {
  const offer = await page.evaluate(async () => {
    const pc = new RTCPeerConnection();
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    for (const t of stream.getTracks()) pc.addTransceiver(t, { direction: 'sendonly' });
    const dc = pc.createDataChannel('report');
    const t = { pc, dc, replies: [], waiters: [], states: [] };
    window.dct = t;
    pc.oniceconnectionstatechange = () => t.states.push(pc.iceConnectionState);
    dc.onmessage = (e) => {
      t.replies.push(typeof e.data === 'string' ? e.data : '<binary>');
      while (t.waiters.length && t.waiters[0].n <= t.replies.length) t.waiters.shift().resolve();
    };
    t.waitReplies = (n) => new Promise((resolve) => {
      if (t.replies.length >= n) resolve();
      else t.waiters.push({ n, resolve });
    });
    await pc.setLocalDescription(await pc.createOffer());
    return pc.localDescription.sdp;
  });
  const res = await request(`${relay.url}whip/TH-50`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${TOKEN}` },
    body: offerWithoutCandidates(offer),
  });
  assert.equal(res.status, 201, res.text);
  const answer = proxy.answerThroughProxy(res.text);
  await page.evaluate(async ([sdp, waitMs]) => {
    const t = window.dct;
    await t.pc.setRemoteDescription({ type: 'answer', sdp });
    await new Promise((resolve, reject) => {
      if (t.dc.readyState === 'open') return resolve();
      t.dc.onopen = resolve;
      setTimeout(() => reject(new Error(`channel not open: ${t.dc.readyState}, pc ${t.pc.connectionState}`)), waitMs);
    });
  }, [answer, WAIT_MS]);
}

/* Sends `messages` on the channel; resolves with the replies to them, parsed. */
function send(page, messages) {
  return page.evaluate(async ([msgs, waitMs]) => {
    const t = window.dct;
    const base = t.replies.length;
    for (const m of msgs) t.dc.send(m);
    await Promise.race([t.waitReplies(base + msgs.length),
      new Promise((_, rej) => setTimeout(() => rej(new Error(
        `${t.replies.length - base} of ${msgs.length} replies in ${waitMs} ms; channel ${t.dc.readyState}, ice ${t.states.join('>')}`)), waitMs))]);
    return t.replies.slice(base).map((s) => JSON.parse(s));
  }, [messages, WAIT_MS]);
}

const state = async (relay) => (await getJson(`${relay.url}api/v1/provinces/TH-50`)).state;
const transport = async (relay) => (await getJson(`${relay.url}api/v1/provinces/TH-50`)).transport;

test('network cut: the office goes lost, comes back live on the same session, and its report channel answers again', { timeout: 600000 }, async () => {
  // The burst of 1,000 from one office is this test's load, not an
  // office's morning: the figures rate ([limits]) is lifted.
  const relay = await startRelay({
    provinces: { 'TH-50': TOKEN },
    extraConfig: { limits: { 'figures-per-minute': 1000000, 'figures-burst': 100000 } },
  });
  relays.push(relay);
  const proxy = await startUdpProxy();
  proxies.push(proxy);
  const schema = await getJson(`${relay.url}api/v1/figures/schema`);
  const values = validValues(schema);
  const date = bangkokDate();
  const figures = (id) => JSON.stringify({ type: 'figures', id, date, values: { ...values, note: id } });

  const browser = await getBrowser();
  const context = await browser.newContext();
  const page = await context.newPage();
  const log = [];
  page.on('console', (m) => log.push(`[console.${m.type()}] ${m.text()}`));
  await page.goto(`${relay.url}province.html`);
  try {
    await publishThroughProxy(page, relay, proxy);
    await waitFor(async () => (await state(relay)) === 'live', { timeoutMs: WAIT_MS, describe: 'TH-50 live' });
    const sessionBefore = (await getJson(`${relay.url}api/v1/provinces/TH-50`, { token: relay.viewerToken })).session;
    assert.ok(sessionBefore, 'a viewer\'s token sees the session');
    const [before] = await send(page, [figures('before-cut')]);
    assert.equal(before.ok, true, JSON.stringify(before));
    assert.ok(proxy.forwarded > 0, 'the session runs through the proxy');

    // The path goes away until the relay notices (consent checks unanswered).
    proxy.cut();
    await waitFor(async () => (await state(relay)) === 'lost', { timeoutMs: WAIT_MS, describe: 'TH-50 lost' });
    // Long enough for the relay's consent to expire: from here on it may
    // send on the path only after the office answers its checks again.
    await waitFor(async () => (await transport(relay)) === 'disconnected',
      { timeoutMs: WAIT_MS, describe: 'TH-50 transport disconnected' });
    // Figures typed while the network is down are queued by the browser's
    // SCTP and must all be answered once it is back.
    const during = Array.from({ length: 20 }, (_, i) => figures(`during-cut-${i}`));
    const pending = send(page, during);
    pending.catch(() => {});
    proxy.restore();
    await waitFor(async () => (await state(relay)) === 'live', { timeoutMs: WAIT_MS, describe: 'TH-50 live again' });
    const replies = await pending;
    assert.deepEqual(replies.map((r) => r.id).sort(), during.map((m) => JSON.parse(m).id).sort());
    for (const r of replies) assert.equal(r.ok, true, JSON.stringify(r));
    const [afterCut] = await send(page, [figures('after-cut')]);
    assert.equal(afterCut.ok, true, JSON.stringify(afterCut));
    assert.equal(afterCut.id, 'after-cut');

    // One session throughout: the relay never closed it.
    const status = await getJson(`${relay.url}api/v1/provinces/TH-50`, { token: relay.viewerToken });
    assert.equal(status.state, 'live');
    assert.equal(status.session, sessionBefore, 'the same session');
    assert.equal(status.transport, 'connected');
    const hist = await request(`${relay.url}api/v1/reports/history?province=TH-50&date=${date}`,
      { headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/json' } });
    assert.equal(hist.status, 200, hist.text);
    assert.equal(hist.json.versions.length, 22, `versions stored: ${hist.json.versions.length}`);
  } catch (e) {
    console.log(log.slice(-30).join('\n'));
    relay.dumpLog();
    throw e;
  } finally {
    await context.close();
  }
});

test('network cut in the middle of a burst: every figure sent is answered once the path is back', { timeout: 600000 }, async () => {
  // The burst of 1,000 from one office is this test's load, not an
  // office's morning: the figures rate ([limits]) is lifted.
  const relay = await startRelay({
    provinces: { 'TH-50': TOKEN },
    extraConfig: { limits: { 'figures-per-minute': 1000000, 'figures-burst': 100000 } },
  });
  relays.push(relay);
  const proxy = await startUdpProxy();
  proxies.push(proxy);
  const schema = await getJson(`${relay.url}api/v1/figures/schema`);
  const values = validValues(schema);
  const date = bangkokDate();
  const figures = (id) => JSON.stringify({ type: 'figures', id, date, values: { ...values, note: id } });

  const browser = await getBrowser();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${relay.url}province.html`);
  try {
    await publishThroughProxy(page, relay, proxy);
    await waitFor(async () => (await state(relay)) === 'live', { timeoutMs: WAIT_MS, describe: 'TH-50 live' });
    // The burst leaves the browser, and the path goes while the relay is
    // still answering it: replies are in the relay's SCTP send queue.
    const burst = Array.from({ length: 1000 }, (_, i) => figures(`burst-${i}`));
    const pending = send(page, burst);
    pending.catch(() => {});
    await page.waitForFunction(() => window.dct.replies.length > 0, null, { timeout: WAIT_MS });
    proxy.cut();
    await waitFor(async () => (await state(relay)) === 'lost', { timeoutMs: WAIT_MS, describe: 'TH-50 lost' });
    await waitFor(async () => (await transport(relay)) === 'disconnected',
      { timeoutMs: WAIT_MS, describe: 'TH-50 transport disconnected' });
    proxy.restore();
    await waitFor(async () => (await state(relay)) === 'live', { timeoutMs: WAIT_MS, describe: 'TH-50 live again' });
    const replies = await pending;
    assert.equal(new Set(replies.map((r) => r.id)).size, burst.length, 'each figure answered once');
    for (const r of replies) assert.equal(r.ok, true, JSON.stringify(r));
    const [afterCut] = await send(page, [figures('after-cut')]);
    assert.equal(afterCut.id, 'after-cut');
    assert.equal(afterCut.ok, true, JSON.stringify(afterCut));
  } finally {
    await context.close();
  }
});
