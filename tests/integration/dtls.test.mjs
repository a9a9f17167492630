// DTLS with real peers (GStreamer webrtcbin): an offer whose own
// fingerprint comes after a stranger's and a sha-1 line still connects; the
// relay's certificate is renewed while a province is live (a short
// [dtls] certificate-lifetime-s): the live session keeps its certificate
// and goes on, sessions answered afterwards get the new fingerprint and
// connect with it.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startRelay, getJson, request, waitFor, REPO_ROOT } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';

const PROBE_TOKEN = 'nonthaburi-token';
let relay;
before(async () => {
  relay = await startRelay({
    provinces: {
      'TH-50': 'chiang-mai-token', 'TH-40': 'khon-kaen-token', 'TH-90': 'songkhla-token',
      'TH-12': PROBE_TOKEN,
    },
    // Renewed by the first session made when less than 50 s of its 60 s
    // remain, i.e. 10 s or more after the certificate was made.
    extraConfig: { dtls: { 'certificate-lifetime-s': 60, 'renew-before-s': 50 } },
  });
});
after(async () => {
  await relay.stop();
});

const status = (code) => getJson(`${relay.url}api/v1/provinces/${code}`, { token: relay.viewerToken });

async function waitDecoding(code, moreThan = 10) {
  return waitFor(async () => {
    const s = await status(code);
    return s.state === 'live' && s.video && s.video.frames_decoded > moreThan ? s : null;
  }, { timeoutMs: 60000, describe: `${code} live and decoding past frame ${moreThan}` });
}

test('an offer with a stranger\'s and a sha-1 fingerprint before its own connects', async () => {
  const pub = startPublisher(relay, ['TH-90'], { decoyFingerprints: true });
  try {
    await waitDecoding('TH-90');
    assert.ok(!/\[TH-90\] DTLS refused/.test(relay.logTail(400)));
  } finally {
    await pub.stop();
  }
});

/* The relay's fingerprint in the answer to a WHIP offer of our own (a
 * browser's, without candidates: nothing is to connect), then DELETE. */
async function probeFingerprint() {
  const chrome = fs.readFileSync(path.join(REPO_ROOT, 'tests', 'unit', 'webrtc', 'sdp', 'offers', 'chrome-whip.sdp'), 'utf8');
  const offer = chrome.split('\r\n').filter((l) => !l.startsWith('a=candidate:')).join('\r\n');
  const res = await request(`${relay.url}whip/TH-12`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${PROBE_TOKEN}`, 'Content-Type': 'application/sdp' },
    body: offer,
  });
  assert.equal(res.status, 201, res.text);
  const location = new URL(res.headers.get('location'), relay.url).href;
  await request(location, { method: 'DELETE', headers: { Authorization: `Bearer ${PROBE_TOKEN}` } });
  return res.text.match(/^a=fingerprint:(.+?)\r?$/m)[1];
}

test('a renewed certificate goes to new sessions; a live one keeps its own', async () => {
  const first = startPublisher(relay, ['TH-50']);
  let second;
  try {
    const answered = await first.waitEvent((e) => e.event === 'answered' && e.status === 201,
      { timeoutMs: 60000 });
    assert.match(answered.fingerprint, /^sha-256 [0-9A-F:]{95}$/);
    await waitDecoding('TH-50');

    // Offers until one is answered with another certificate: the renewal
    // happens at a session's creation, once the margin is reached.
    const renewed = await waitFor(async () => {
      const fp = await probeFingerprint();
      return fp !== answered.fingerprint ? fp : null;
    }, { timeoutMs: 120000, intervalMs: 2000, describe: 'an answer with a renewed certificate' });
    assert.match(relay.logTail(400), /DTLS certificate renewed/);

    // The session answered before goes on with its own certificate.
    const before = await status('TH-50');
    await waitDecoding('TH-50', before.video.frames_decoded + 15);

    // A new peer gets a certificate other than the first, and connects.
    second = startPublisher(relay, ['TH-40']);
    const answered2 = await second.waitEvent((e) => e.event === 'answered' && e.status === 201,
      { timeoutMs: 60000 });
    assert.notEqual(answered2.fingerprint, answered.fingerprint);
    assert.match(renewed, /^sha-256 /);
    await waitDecoding('TH-40');
    assert.ok(!/DTLS refused/.test(relay.logTail(400)), 'no handshake was refused');
  } finally {
    await first.stop();
    if (second) await second.stop();
  }
});
