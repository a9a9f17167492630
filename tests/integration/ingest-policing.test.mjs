// One office must not take a core or flood the viewers ([ingest] in
// config/relay.ini; docs/API.md, "Limits on what an office sends"):
//
//  - an office whose RTP packets are bigger than max-rtp-size has them
//    dropped and counted: its viewer never receives one, and another
//    office keeps being decoded and forwarded;
//  - an office over max-width x max-height (VP8, and H.264 by its SPS) is
//    asked down (REMB) and, still over after the grace period, no longer
//    decoded: refused, with the reason in the status API, an event and its
//    mosaic tile, while another office is decoded as before.
//
// A low limit in the config (320x180) stands in for 1080p media: the
// offender sends the ordinary 640x360 test clip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, getJson, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { startViewer } from '../../tools/lib/viewer.mjs';
import { openEvents } from '../../tools/lib/events.mjs';

const CHAIR = 'chair-token-for-tests';
const TOKENS = {
  'TH-50': 'chiang-mai-token', 'TH-11': 'samut-prakan-token', 'TH-12': 'nonthaburi-token',
};
const VIEWERS = { 'viewer chair': { role: 'chair', token: CHAIR } };
// Limits stay bounds on a broken relay, never speeds: an ASan relay on a
// loaded machine is slow to start, connect and decode.
const LONG = 120000;

const status = (relay, code, token = CHAIR) =>
  getJson(`${relay.url}api/v1/provinces/${code}`, { token });

/* `code` decodes `more` frames past what it had: it is still decoded. */
async function decodesMore(relay, code, more = 30) {
  const before = (await status(relay, code)).video.frames_decoded;
  return waitFor(async () => {
    const s = await status(relay, code);
    return s.state === 'live' && s.video.frames_decoded >= before + more ? s : null;
  }, { timeoutMs: LONG, describe: `${code} decoding ${more} more frames` });
}

test('oversized RTP packets are dropped and counted; the other office is untouched', async () => {
  // max-rtp-size 1,300 (the test publisher's packets are at most about
  // 1,220 bytes), and TH-11 grows every 10th video packet to 1,400: under
  // the 1,500 bytes a viewer's session would send on, so only the ingest
  // check keeps them from the viewer.
  const relay = await startRelay({
    provinces: TOKENS,
    extraConfig: { ...VIEWERS, ingest: { 'max-rtp-size': 1300 } },
  });
  const offender = startPublisher(relay, ['TH-11'], { oversizedEvery: 10, oversizedBytes: 1400 });
  const office = startPublisher(relay, ['TH-50']);
  const viewers = [];
  try {
    await waitFor(async () => {
      const s = await status(relay, 'TH-50');
      return s.state === 'live' && s.video.frames_decoded > 10;
    }, { timeoutMs: LONG, describe: 'TH-50 live and decoded' });
    await waitFor(async () => (await status(relay, 'TH-11')).state === 'live',
      { timeoutMs: LONG, describe: 'TH-11 live' });
    const offenderViewer = startViewer(`${relay.url}whep/province/TH-11`, CHAIR);
    const officeViewer = startViewer(`${relay.url}whep/province/TH-50`, CHAIR);
    viewers.push(offenderViewer, officeViewer);

    // The offender's viewer gets its stream (audio and the video packets
    // that fit), never a packet over the limit.
    const got = await offenderViewer.waitFor((s) => s.rtp_packets >= 600, LONG,
      { describe: 'TH-11\'s viewer receiving 600 RTP packets' });
    assert.ok(got.largest_rtp <= 1300,
      `TH-11's viewer received a ${got.largest_rtp}-byte RTP packet`);

    // Dropped and counted, in the office's details.
    const s = await waitFor(async () => {
      const now = await status(relay, 'TH-11');
      return now.rtp_dropped_oversized >= 30 ? now : null;
    }, { timeoutMs: LONG, describe: 'TH-11 oversized packets counted' });
    assert.ok(s.rtp_largest_oversized >= 1400 && s.rtp_largest_oversized <= 1500,
      `largest oversized ${s.rtp_largest_oversized}`);
    // Details: not for the public.
    const publicView = await getJson(`${relay.url}api/v1/provinces/TH-11`);
    assert.equal(publicView.rtp_dropped_oversized, undefined);
    // Logged, without a line per packet.
    assert.match(relay.logTail(2000), /\[TH-11\] dropped an RTP packet of 14\d\d bytes: over the 1300-byte limit/);
    const lines = relay.logTail(2000).split('\n').filter((l) => /\[TH-11\] dropped/.test(l));
    assert.ok(lines.length < s.rtp_dropped_oversized / 2,
      `${lines.length} log lines for ${s.rtp_dropped_oversized} packets`);

    // TH-50 is decoded and forwarded all along.
    const office50 = await decodesMore(relay, 'TH-50');
    assert.equal(office50.rtp_dropped_oversized, 0);
    const before = officeViewer.lastStats()?.received_frames ?? 0;
    await officeViewer.waitFor((st) => st.received_frames >= before + 30, LONG,
      { describe: 'TH-50\'s viewer receiving 30 more frames' });
    assert.ok(offenderViewer.lastStats().largest_rtp <= 1300);
  } finally {
    for (const v of viewers) await v.finish();
    await offender.stop();
    await office.stop();
    await relay.stop();
  }
});

/* The over-limit card: amber (0x8a5a00, pipelines/tile-renderer.h), light
 * text over part of it. */
const isOverLimitCard = (rect) => rect && rect.r - rect.b > 60 && rect.g - rect.b > 30
  && rect.r > rect.g;
const isBlue = (rect) => rect && rect.b - Math.max(rect.r, rect.g) > 80;

/* The picture part of a tile, away from the name band. */
function pictureRect(tile) {
  return [
    Math.round(tile.x + tile.width * 0.25), Math.round(tile.y + tile.height * 0.15),
    Math.round(tile.width * 0.5), Math.round(tile.height * 0.35),
  ];
}

test('an office over the size limit is asked down, then refused; the other is decoded', async () => {
  const relay = await startRelay({
    provinces: TOKENS,
    extraConfig: {
      ...VIEWERS,
      ingest: { 'max-width': 320, 'max-height': 180, 'over-limit-grace-s': 3 },
    },
  });
  const events = await openEvents(relay, { token: CHAIR });
  const ownEvents = await openEvents(relay, { token: TOKENS['TH-11'] });
  const out = await getJson(`${relay.url}api/v1/outputs`);
  const tiles = new Map(out.mosaic.tiles.map((t) => [t.id, t]));
  const mosaic = startViewer(`${relay.url}whep/mosaic`, CHAIR,
    { sampleRects: [pictureRect(tiles.get('TH-11')), pictureRect(tiles.get('TH-50'))] });
  // TH-11: 640x360 VP8, blue. TH-12: 640x360 H.264 (its size read from
  // the SPS). TH-50: 320x180, within.
  const offender = startPublisher(relay, ['TH-11'], { videoFile: 'color-blue.ivf' });
  const h264 = startPublisher(relay, ['TH-12'], { codec: 'h264' });
  const office = startPublisher(relay, ['TH-50'], { videoFile: 'vp8-320x180.ivf' });
  try {
    // Asked down first: the REMB cut to the quarter of its pixels it may
    // keep (of at most the 600 kbit/s target).
    const over = await events.waitFor((e) => e.type === 'ingest-limit' && e.province === 'TH-11',
      { timeoutMs: LONG, describe: 'TH-11 over the limit' });
    assert.equal(over.state, 'over');
    assert.equal(over.previous, 'within');
    assert.equal(over.reason, '640x360 is over the 320x180 limit');
    assert.equal(over.width, 640);
    assert.equal(over.height, 360);
    assert.equal(over.max_width, 320);
    assert.ok(over.remb_kbps > 0 && over.remb_kbps <= 150, `REMB ${over.remb_kbps} kbit/s`);

    // Still over after the grace period: refused.
    const refused = await events.waitFor((e) => e.type === 'ingest-limit' && e.province === 'TH-11'
      && e.state === 'refused', { timeoutMs: LONG, describe: 'TH-11 refused' });
    assert.equal(refused.previous, 'over');
    assert.equal(refused.reason, '640x360 is over the 320x180 limit');
    assert.ok(refused.seq > over.seq);
    // The office reads its own refusal on its events stream.
    await ownEvents.waitFor((e) => e.type === 'ingest-limit' && e.state === 'refused',
      { timeoutMs: LONG, describe: 'TH-11 told of its own refusal' });

    // In the status: the state and why for anyone (the tile says it too),
    // the REMB for the viewer roles.
    const anyone = await getJson(`${relay.url}api/v1/provinces/TH-11`);
    assert.equal(anyone.state, 'live', 'refused video is not a lost office: its audio still counts');
    assert.equal(anyone.video.limit, 'refused');
    assert.equal(anyone.video.limit_reason, '640x360 is over the 320x180 limit');
    assert.equal(anyone.video.sent_width, 640);
    assert.equal(anyone.video.sent_height, 360);
    assert.ok(anyone.video.limit_since, 'limit_since');
    assert.equal(anyone.video.remb_kbps, undefined, 'the REMB is a detail');
    const detail = await status(relay, 'TH-11');
    assert.equal(detail.video.limit_refusals, 1);
    assert.ok(detail.video.remb_kbps <= over.remb_kbps, `REMB ${detail.video.remb_kbps}`);

    // H.264 alike.
    const h264Refused = await events.waitFor((e) => e.type === 'ingest-limit'
      && e.province === 'TH-12' && e.state === 'refused',
    { timeoutMs: LONG, describe: 'TH-12 (H.264) refused' });
    assert.equal(h264Refused.reason, '640x360 is over the 320x180 limit');

    // No longer decoded, while TH-50 is.
    await decodesMore(relay, 'TH-50');
    const stopped = (await status(relay, 'TH-11')).video.frames_decoded;
    const office50 = await decodesMore(relay, 'TH-50');
    assert.equal((await status(relay, 'TH-11')).video.frames_decoded, stopped,
      'TH-11 decoded frames while refused');
    assert.equal(office50.video.limit, 'within');
    assert.equal(office50.video.limit_reason, null);
    assert.equal(office50.video.sent_width, 320);
    assert.equal(office50.video.width, 320);
    assert.ok(!events.events.some((e) => e.type === 'ingest-limit' && e.province === 'TH-50'),
      'TH-50 was never judged over');

    // The mosaic: TH-11's tile is the over-limit card, TH-50's live.
    const seen = await mosaic.waitFor((s) => s.rects && isOverLimitCard(s.rects[0])
      && !isOverLimitCard(s.rects[1]) && !isBlue(s.rects[0]), LONG,
    { describe: 'the over-limit card on TH-11\'s tile' });
    assert.ok(seen.rects[1], 'TH-50\'s tile shows a picture');
  } finally {
    events.close();
    ownEvents.close();
    await mosaic.finish();
    await h264.stop();
    await offender.stop();
    await office.stop();
    await relay.stop();
  }
});
