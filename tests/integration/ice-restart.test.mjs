// ICE restart with media flowing (docs/API.md, PATCH on a session URL): a
// Chromium publisher, and a Chromium WHEP viewer, call restartIce(), PATCH
// their new ICE credentials and candidates, apply the relay's new ones, and
// go on with the same session: the browser's ICE transport runs on the new
// credentials, the relay keeps receiving (publisher) or sending (viewer)
// frames, and the session id does not change.
//
// The page speaks WHIP/WHEP itself (RTCPeerConnection + fetch), so that the
// restart is exactly RFC 9725's: PATCH application/trickle-ice-sdpfrag with
// If-Match, 200 with the relay's fragment and a new ETag.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { getBrowser, closeBrowser, collectDiagnostics } from '../../tools/lib/browser.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { openEvents } from '../../tools/lib/events.mjs';

// Stopping must end with exit status 0; how long it takes on a loaded
// machine is not what these tests are about.
const STOP_GRACE_MS = 60000;

const MINISTER = 'minister-ice-restart-token';
const TIMEOUT_MS = 240000;

after(closeBrowser);

/* In the page (serialised by Playwright): one WebRTC session over WHIP or
 * WHEP, and its ICE restart. */
function pageLib() {
  const gathered = (pc) => new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') {
      resolve();
      return;
    }
    const t = setTimeout(resolve, 5000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(t);
        resolve();
      }
    });
  });
  const attr = (sdp, name) => (sdp.match(new RegExp(`^a=${name}:(.*?)\r?$`, 'm')) || [])[1];
  let s = null;
  window.rtc = {
    async start(url, token, { send }) {
      const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
      if (send) {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
        for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly' });
      } else {
        pc.addTransceiver('audio', { direction: 'recvonly' });
        pc.addTransceiver('video', { direction: 'recvonly' });
      }
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const res = await fetch(url, {
        method: 'POST',
        body: pc.localDescription.sdp,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/sdp' },
      });
      const answer = await res.text();
      if (res.status !== 201) throw new Error(`POST ${res.status}: ${answer}`);
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      s = { pc, token, answer, location: new URL(res.headers.get('location'), url).href, etag: res.headers.get('etag') };
      return { location: s.location, etag: s.etag, ufrag: attr(pc.localDescription.sdp, 'ice-ufrag'),
        relayUfrag: attr(answer, 'ice-ufrag') };
    },
    async restart() {
      const { pc } = s;
      pc.restartIce();
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const sdp = pc.localDescription.sdp;
      const first = sdp.split(/\r?\n(?=m=)/)[1];
      const candidates = first.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
      const frag = [`a=ice-ufrag:${attr(sdp, 'ice-ufrag')}`, `a=ice-pwd:${attr(sdp, 'ice-pwd')}`,
        'm=audio 9 UDP/TLS/RTP/SAVPF 0', `a=mid:${attr(first, 'mid')}`, ...candidates, ''].join('\r\n');
      const res = await fetch(s.location, {
        method: 'PATCH',
        body: frag,
        headers: {
          Authorization: `Bearer ${s.token}`,
          'Content-Type': 'application/trickle-ice-sdpfrag',
          'If-Match': s.etag,
        },
      });
      const body = await res.text();
      if (res.status !== 200) return { status: res.status, body };
      // The relay's new credentials and candidates replace the old ones in
      // its answer (candidates on the first, bundled, m-section); the rest
      // stays.
      const theirs = body.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
      const out = [];
      let section = -1;
      for (const l of s.answer.split(/\r?\n/)) {
        if (l === '' || l.startsWith('a=candidate:') || l === 'a=end-of-candidates') continue;
        if (l.startsWith('m=')) {
          if (section === 0) out.push(...theirs);
          section++;
        }
        if (l.startsWith('a=ice-ufrag:')) out.push(`a=ice-ufrag:${attr(body, 'ice-ufrag')}`);
        else if (l.startsWith('a=ice-pwd:')) out.push(`a=ice-pwd:${attr(body, 'ice-pwd')}`);
        else out.push(l);
      }
      if (section === 0) out.push(...theirs);
      const answer = `${out.join('\r\n')}\r\n`;
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      s.answer = answer;
      const previousEtag = s.etag;
      s.etag = res.headers.get('etag');
      return { status: res.status, etag: s.etag, previousEtag, location: s.location,
        ufrag: attr(sdp, 'ice-ufrag'), relayUfrag: attr(body, 'ice-ufrag') };
    },
    /* The ICE transport as the browser reports it, and frames decoded. */
    async state() {
      const stats = await s.pc.getStats();
      let transport = null;
      let framesDecoded = 0;
      stats.forEach((r) => {
        if (r.type === 'transport') transport = r;
        if (r.type === 'inbound-rtp' && r.kind === 'video') framesDecoded = r.framesDecoded || 0;
      });
      // The selected pair's candidates tell which ICE generation carries
      // the media (the transport's own ufrag changes as soon as the offer
      // is made, before any new pair works).
      const pair = transport && stats.get(transport.selectedCandidatePairId);
      const local = pair && stats.get(pair.localCandidateId);
      const remote = pair && stats.get(pair.remoteCandidateId);
      return {
        connection: s.pc.connectionState,
        iceState: transport?.iceState,
        pair: pair?.state,
        // The relay's own checks on the pair, answered: only if it signs
        // them with the browser's new credentials.
        answeredChecks: pair?.responsesSent ?? 0,
        localUfrag: local?.usernameFragment,
        remoteUfrag: remote?.usernameFragment,
        framesDecoded,
      };
    },
    async stop() {
      await fetch(s.location, { method: 'DELETE', headers: { Authorization: `Bearer ${s.token}` } });
      s.pc.close();
    },
  };
}

async function openPage(relay) {
  const browser = await getBrowser();
  const context = await browser.newContext();
  const page = await context.newPage();
  const diagnostics = collectDiagnostics(page);
  // Any page of the relay: a secure context (localhost) of the same origin.
  await page.goto(`${relay.url}api/v1/health`);
  await page.evaluate(pageLib);
  return { context, page, diagnostics };
}

/* Waits for the media to run on the ICE generation of these credentials:
 * the browser's selected candidate pair joins its `ufrag` to the relay's
 * `relayUfrag` (the browser's checks only pass if the relay uses its new
 * credentials), and the browser answered the relay's checks on it (they
 * only pass if the relay took the browser's new ones). */
function onGeneration(page, { ufrag, relayUfrag }, what) {
  let last;
  return waitFor(async () => {
    last = await page.evaluate(() => window.rtc.state());
    return last.localUfrag === ufrag && last.remoteUfrag === relayUfrag && last.pair === 'succeeded'
      && last.answeredChecks > 0 && last.connection === 'connected' ? last : null;
  }, { timeoutMs: 30000, describe: () => `${what}: the selected pair on ${ufrag}/${relayUfrag} (${JSON.stringify(last)})` });
}

async function withRelay(provinces, fn) {
  const relay = await startRelay({
    stopGraceMs: STOP_GRACE_MS,
    provinces,
    extraConfig: { 'viewer minister': { role: 'minister', token: MINISTER } },
  });
  let page = null;
  try {
    await fn(relay, async () => {
      page = await openPage(relay);
      return page.page;
    });
  } catch (e) {
    if (page) process.stderr.write(`page console:\n${page.diagnostics()}\n`);
    relay.dumpLog('relay log', 120);
    throw e;
  } finally {
    await page?.context.close().catch(() => {});
    await relay.stop();
  }
  relay.cleanup();
}

// With a viewer's token: the session id and frame counters are details.
const province = (relay, code) => getJson(`${relay.url}api/v1/provinces/${code}`, { token: relay.viewerToken });

test('a Chromium publisher restarts ICE and its media keeps coming, same session', { timeout: TIMEOUT_MS }, async () => {
  await withRelay({ 'TH-50': 'th50-ice-restart-token' }, async (relay, newPage) => {
    const page = await newPage();
    const started = await page.evaluate(([url, token]) => window.rtc.start(url, token, { send: true }),
      [`${relay.url}whip/TH-50`, relay.tokens['TH-50']]);
    const sessionId = started.location.split('/').pop();
    await onGeneration(page, started, 'before the restart');
    const live = await waitFor(async () => {
      const s = await province(relay, 'TH-50');
      return s.state === 'live' && s.video?.frames_decoded > 0 ? s : null;
    }, { timeoutMs: 30000, describe: 'TH-50 live and decoding' });
    assert.equal(live.session, sessionId);

    const restarted = await page.evaluate(() => window.rtc.restart());
    assert.equal(restarted.status, 200, `PATCH with new credentials: ${restarted.body}`);
    assert.notEqual(restarted.ufrag, started.ufrag, 'the browser made new credentials');
    assert.ok(restarted.etag && restarted.etag !== restarted.previousEtag, 'a new ETag');
    assert.ok(restarted.relayUfrag && restarted.relayUfrag !== started.relayUfrag,
      'the relay answered with new credentials of its own');
    assert.equal(restarted.location, started.location);

    // The browser's transport now runs on the new credentials, which only
    // connect if the relay took them.
    await onGeneration(page, restarted, 'after the restart');
    // And media keeps coming to the same session.
    const at = (await province(relay, 'TH-50')).video.frames_decoded;
    const later = await waitFor(async () => {
      const s = await province(relay, 'TH-50');
      return s.state === 'live' && s.video.frames_decoded > at + 15 ? s : null;
    }, { timeoutMs: 30000, describe: `frames decoded rising past ${at} after the restart` });
    assert.equal(later.session, sessionId, 'the same session');
    // A second restart works as well as the first.
    const again = await page.evaluate(() => window.rtc.restart());
    assert.equal(again.status, 200, again.body);
    await onGeneration(page, again, 'after the second restart');
    const at2 = (await province(relay, 'TH-50')).video.frames_decoded;
    await waitFor(async () => (await province(relay, 'TH-50')).video.frames_decoded > at2 + 15,
      { timeoutMs: 30000, describe: 'frames rising after the second restart' });
    assert.equal((await province(relay, 'TH-50')).session, sessionId);
    await page.evaluate(() => window.rtc.stop());
  });
});

test('a Chromium WHEP viewer restarts ICE and keeps decoding, same session', { timeout: TIMEOUT_MS }, async () => {
  await withRelay({ 'TH-50': 'th50-ice-restart-token' }, async (relay, newPage) => {
    const events = await openEvents(relay);
    const pub = startPublisher(relay, ['TH-50']);
    try {
      await waitFor(async () => (await province(relay, 'TH-50')).state === 'live',
        { timeoutMs: 30000, describe: 'TH-50 live' });
      const page = await newPage();
      const started = await page.evaluate(([url, token]) => window.rtc.start(url, token, { send: false }),
        [`${relay.url}whep/province/TH-50`, MINISTER]);
      const sessionId = started.location.split('/').pop();
      await onGeneration(page, started, 'before the restart');
      await waitFor(async () => (await page.evaluate(() => window.rtc.state())).framesDecoded > 0,
        { timeoutMs: 30000, describe: 'the viewer decoding' });

      const restarted = await page.evaluate(() => window.rtc.restart());
      assert.equal(restarted.status, 200, `PATCH with new credentials: ${restarted.body}`);
      assert.notEqual(restarted.ufrag, started.ufrag);
      assert.ok(restarted.etag && restarted.etag !== restarted.previousEtag, 'a new ETag');
      await onGeneration(page, restarted, 'after the restart');
      const at = (await page.evaluate(() => window.rtc.state())).framesDecoded;
      await waitFor(async () => (await page.evaluate(() => window.rtc.state())).framesDecoded > at + 15,
        { timeoutMs: 30000, describe: `frames decoded rising past ${at} after the restart` });

      // The relay still has the one session, and never ended it.
      const viewers = await request(`${relay.url}api/v1/viewers`, { headers: { Authorization: `Bearer ${MINISTER}` } });
      assert.deepEqual(viewers.json.viewers.map((v) => v.session), [sessionId]);
      assert.ok(!events.events.some((e) => e.type === 'viewer' && e.state === 'left'),
        `no viewer left: ${JSON.stringify(events.events.filter((e) => e.type === 'viewer'))}`);
      await page.evaluate(() => window.rtc.stop());
    } finally {
      events.close();
      await pub.kill();
    }
  });
});
