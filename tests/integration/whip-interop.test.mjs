// Interop with GStreamer's webrtcbin: pre-encoded VP8 and H.264 with Opus
// published over WHIP, decoded by the relay; then the province's media stops
// (lost, then offline after the grace period) and it reconnects.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';

let relay;
before(async () => {
  relay = await startRelay({
    provinces: {
      'TH-50': 'chiang-mai-token', 'TH-40': 'khon-kaen-token', 'TH-90': 'songkhla-token',
      'TH-34': 'ubon-token',
    },
    extraConfig: {
      media: { 'offline-grace-s': 4 },
      'viewer chair': { role: 'chair', token: 'chair-token-for-interop' },
    },
  });
});
after(async () => {
  await relay.stop();
});

// With a viewer's token: the address, SRTP profile, session id and counters are details.
const status = (code) => getJson(`${relay.url}api/v1/provinces/${code}`, { token: relay.viewerToken });

const CHAIR = { Authorization: 'Bearer chair-token-for-interop', 'Content-Type': 'application/json' };
const setMuted = (code, muted) => request(`${relay.url}api/v1/conference/participants/${code}`, {
  method: 'PUT', body: JSON.stringify({ muted }), headers: CHAIR,
});

/* Waits are generous (a loaded 2-core machine, an ASan relay): they cost
 * time only when the relay is broken. Nothing here depends on how fast it
 * is: rates belong to bench/ingest. */
async function assertDecoding(code, codec) {
  const live = await waitFor(async () => {
    const s = await status(code);
    return s.state === 'live' && s.video && s.video.frames_decoded > 5 && s.video.width > 0 ? s : null;
  }, { timeoutMs: 60000, describe: `${code} live and decoding` });
  assert.equal(live.video.codec, codec);
  assert.equal(live.video.width, 640);
  assert.equal(live.video.height, 360);
  assert.equal(live.audio.codec, 'opus');
  assert.match(live.remote_address, /:\d+$/);
  assert.ok(live.srtp_profile, 'SRTP profile reported');
  // Frames keep rising, and once a 2-s window has passed the status
  // reports a frame rate (its value is the machine's, not the relay's
  // behaviour: bench/ingest measures it).
  const later = await waitFor(async () => {
    const s = await status(code);
    return s.video.frames_decoded >= live.video.frames_decoded + 20 && s.video.fps > 0 ? s : null;
  }, { timeoutMs: 60000, describe: `${code} frames keep rising` });
  // Audio is decoded only for the mix: a muted province's is not.
  assert.equal(later.audio.frames_decoded, live.audio.frames_decoded, 'a muted province is not decoded');
  assert.ok(later.audio.packets_received > live.audio.packets_received);
  assert.ok(later.video.plis_sent >= 1, 'a PLI went out on join');
  return later;
}

test('webrtcbin publishes VP8 + Opus and the relay decodes 640x360', async () => {
  const pub = startPublisher(relay, ['TH-50'], { codec: 'vp8' });
  try {
    await pub.waitEvent((e) => e.event === 'answered' && e.status === 201, { timeoutMs: 60000 });
    await assertDecoding('TH-50', 'VP8');
    // Unmuted by the chair, it joins the mix and its audio is decoded.
    const r = await setMuted('TH-50', false);
    assert.equal(r.status, 200, r.text);
    const before = (await status('TH-50')).audio.frames_decoded;
    await waitFor(async () => (await status('TH-50')).audio.frames_decoded > before + 50,
      { timeoutMs: 60000, describe: 'TH-50 audio decoded once unmuted' });
    // Muted again, as every province starts: no other test inherits it.
    const muted = await setMuted('TH-50', true);
    assert.equal(muted.status, 200, muted.text);
    assert.ok(!(await getJson(`${relay.url}api/v1/conference`)).unmuted.includes('TH-50'));
  } finally {
    await setMuted('TH-50', true).catch(() => {}); // when the test failed half-way
    await pub.stop();
  }
});

test('webrtcbin publishes H.264 + Opus and the relay decodes 640x360', async () => {
  const pub = startPublisher(relay, ['TH-40'], { codec: 'h264' });
  try {
    await assertDecoding('TH-40', 'H264');
  } finally {
    await pub.stop();
  }
});

test('media stops: lost, offline after the grace period, live again on reconnect', async () => {
  const first = startPublisher(relay, ['TH-90']);
  let firstSession;
  try {
    await assertDecoding('TH-90', 'VP8');
    firstSession = (await status('TH-90')).session;
  } finally {
    await first.kill(); // no DELETE: the network just goes away
  }
  // Lost first (media stopped, the session kept for a reconnect), then
  // offline once the 4-s grace period is over: polled often enough to see
  // the lost state on the way.
  await waitFor(async () => (await status('TH-90')).state === 'lost', {
    timeoutMs: 60000, intervalMs: 100, describe: 'TH-90 lost',
  });
  await waitFor(async () => (await status('TH-90')).state === 'offline', {
    timeoutMs: 60000, describe: 'TH-90 offline after the grace period',
  });

  const second = startPublisher(relay, ['TH-90']);
  try {
    const s = await assertDecoding('TH-90', 'VP8');
    assert.notEqual(s.session, firstSession);
    // A second device while it is live is refused, and the live session
    // is kept; one that takes over on purpose replaces it.
    const refused = startPublisher(relay, ['TH-90'], { expectStatus: 409 });
    try {
      const failed = await refused.waitEvent((e) => e.event === 'error' && e.status === 409,
        { timeoutMs: 60000, describe: 'the second device refused with 409' });
      assert.match(failed.body, /office-live-elsewhere/);
      assert.equal((await status('TH-90')).session, s.session, 'the live session is kept');
    } finally {
      await refused.kill();
    }
    const third = startPublisher(relay, ['TH-90'], { takeover: true });
    try {
      await waitFor(async () => {
        const now = await status('TH-90');
        return now.session !== s.session && now.state === 'live' ? now : null;
      }, { timeoutMs: 60000, describe: 'the session that took over live' });
    } finally {
      await third.stop();
    }
  } finally {
    await second.stop();
  }
  const health = await getJson(`${relay.url}api/v1/health`);
  assert.equal(health.status, 'ok');
});

test('a lossy link: lost video packets are NACKed and repaired by RTX', async () => {
  // 5% of the original video packets never reach the relay; their RTX
  // copies do (webrtcbin keeps a retransmission history).
  const pub = startPublisher(relay, ['TH-34'], { dropPercent: 5 });
  try {
    await assertDecoding('TH-34', 'VP8');
    const s = await waitFor(async () => {
      const now = await status('TH-34');
      return now.video.retransmissions_received >= 10 ? now : null;
    }, { timeoutMs: 60000, describe: 'retransmissions arriving' });
    assert.ok(s.video.nacks_sent > 0, 'NACKs went out');
    assert.ok(s.video.nacked_packets >= s.video.retransmissions_received * 0.8,
      `nacked ${s.video.nacked_packets} vs retransmitted ${s.video.retransmissions_received}`);
    // Repaired losses are not losses.
    assert.ok(s.video.packets_lost <= Math.max(2, s.video.nacked_packets * 0.1),
      `unrepaired ${s.video.packets_lost} of ${s.video.nacked_packets}`);
  } finally {
    await pub.stop();
  }
});
