// A viewer cannot make the relay flood it: its NACKs list the newest video
// packet hundreds of times in every RTCP report (tools/whep-view
// --nack-flood). The relay resends that packet at most once per round trip
// and counts what it refused; the viewer keeps its picture and the
// publisher stays live. A relay resending every entry would send each
// NACKed packet hundreds of times.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { startViewer } from '../../tools/lib/viewer.mjs';

const MINISTER = 'minister-token-for-nack-flood';
let relay;
let pub;
before(async () => {
  relay = await startRelay({
    provinces: { 'TH-50': 'chiang-mai-token' },
    extraConfig: { 'viewer minister': { role: 'minister', token: MINISTER } },
  });
  pub = startPublisher(relay, ['TH-50']);
  await waitFor(async () => (await getJson(`${relay.url}api/v1/provinces/TH-50`)).state === 'live',
    { timeoutMs: 60000, describe: 'TH-50 live' });
});
after(async () => {
  await pub?.stop();
  await relay?.stop();
});

async function viewerEntry() {
  const r = await request(`${relay.url}api/v1/viewers`, { headers: { Authorization: `Bearer ${MINISTER}` } });
  return r.json?.viewers?.find((x) => x.province === 'TH-50');
}

test('a NACK listing one packet hundreds of times gets it resent once per round trip', async () => {
  const viewer = startViewer(`${relay.url}whep/province/TH-50`, MINISTER, { nackFlood: 16384 });
  try {
    await viewer.waitEvent((e) => e.event === 'first-frame' && e.media === 'video',
      { timeoutMs: 60000, describe: 'first forwarded video frame' });
    // Twenty flooding reports sent, each listing the packet 100+ times
    // (as many as fit in webrtcbin's RTCP packet).
    const sent = await viewer.waitFor((s) => s.flood_nacks >= 20, 120000, { describe: '20 flooding NACKs sent' });
    assert.ok(sent.flood_entries >= 100 * sent.flood_nacks,
      `${sent.flood_entries} entries in ${sent.flood_nacks} NACKs`);
    // The relay's own account, once it has read that many NACKs.
    const v = await waitFor(async () => {
      const e = await viewerEntry();
      return e && e.nacks_received >= 20 && e.resend_refused_repeat > 0 ? e : null;
    }, { timeoutMs: 60000, describe: 'the relay read 20 NACKs' });
    // At most one resend per NACK packet read (the flood's packet once per
    // round trip; genuine NACKs on the loopback are rare), not one per entry.
    console.log(`relay: ${JSON.stringify(v)}; viewer sent ${sent.flood_nacks} NACKs, ${sent.flood_entries} entries`);
    assert.ok(v.retransmitted <= 2 * v.nacks_received,
      `${v.retransmitted} resent for ${v.nacks_received} NACKs`);
    // Entries past the first 256 of a NACK are not even read, and the
    // repeats among those read are refused and counted.
    assert.ok(v.resend_refused_repeat >= 100 * (v.nacks_received / 2),
      `${v.resend_refused_repeat} repeats refused in ${v.nacks_received} NACKs`);
    // The viewer keeps its picture while it floods.
    const before = viewer.lastStats().video_frames;
    await viewer.waitFor((s) => s.video_frames >= before + 30, 60000,
      { fresh: true, describe: '30 more frames decoded while flooding' });
    assert.equal((await getJson(`${relay.url}api/v1/provinces/TH-50`)).state, 'live');
  } finally {
    await viewer.finish();
  }
});
