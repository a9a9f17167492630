// The SFU path with H.264 (docs/API.md, "WHEP: one province, forwarded"):
// the minister receives an H.264 office's own stream and decodes it, and a
// viewer that cannot receive the publisher's codec is refused with 406
// (nothing is transcoded), in both directions (H.264 office, VP8-only
// viewer; VP8 office, H.264-only viewer), as for the mosaic in its codec.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startRelay, getJson, request, waitFor, REPO_ROOT } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { startViewer } from '../../tools/lib/viewer.mjs';

// Stopping must end with exit status 0; how long it takes on a loaded
// machine is not what these tests are about.
const STOP_GRACE_MS = 60000;

const MINISTER = 'minister-sfu-h264-token';
let relay;
const publishers = [];

before(async () => {
  relay = await startRelay({
    stopGraceMs: STOP_GRACE_MS,
    provinces: { 'TH-50': 'th50-sfu-h264-token', 'TH-57': 'th57-sfu-h264-token' },
    extraConfig: { 'viewer minister': { role: 'minister', token: MINISTER } },
  });
  publishers.push(startPublisher(relay, ['TH-50'], { codec: 'h264' }));
  publishers.push(startPublisher(relay, ['TH-57'], { codec: 'vp8' }));
  for (const [code, codec] of [['TH-50', 'H264'], ['TH-57', 'VP8']]) {
    await waitFor(async () => {
      const s = await getJson(`${relay.url}api/v1/provinces/${code}`);
      return s.state === 'live' && s.video?.codec === codec;
    }, { timeoutMs: 30000, describe: `${code} live sending ${codec}` });
  }
});

after(async () => {
  await Promise.all(publishers.map((p) => p.kill()));
  await relay.stop();
  relay.cleanup();
});

const whep = (code) => `${relay.url}whep/province/${code}`;

test('an H.264 office reaches the minister as H.264, decoded frame after frame', async () => {
  const viewer = startViewer(whep('TH-50'), MINISTER);
  try {
    const first = await viewer.waitEvent((e) => e.event === 'first-frame' && e.media === 'video',
      { timeoutMs: 30000, describe: 'the first decoded H.264 frame' });
    assert.equal(first.width, 640);
    assert.equal(first.height, 360);
    const stream = viewer.events.find((e) => e.event === 'stream' && e.media === 'video');
    assert.equal(stream?.['encoding-name'], 'H264', 'the viewer negotiated the publisher\'s codec');
    // Frames keep coming, and the audio too.
    const a = await viewer.waitFor((s) => s.video_frames > 0 && s.audio_frames > 0, 30000,
      { describe: 'video and audio decoded' });
    await viewer.waitFor((s) => s.video_frames > a.video_frames && s.audio_frames > a.audio_frames, 30000,
      { fresh: true, describe: 'more frames decoded since' });
    const listed = await request(`${relay.url}api/v1/viewers`, { headers: { Authorization: `Bearer ${MINISTER}` } });
    assert.ok(listed.json.viewers.some((v) => v.province === 'TH-50' && v.viewer === 'minister'));
  } finally {
    const { summary } = await viewer.finish();
    assert.ok(summary, 'the viewer printed its summary');
  }
});

/* A minimal recvonly offer whose video offers only `codec`. */
function offer(codec) {
  const chrome = fs.readFileSync(path.join(REPO_ROOT, 'tests', 'unit', 'webrtc', 'sdp', 'offers', 'chrome-whip.sdp'), 'utf8');
  const fingerprint = chrome.match(/^a=fingerprint:(.+?)\r?$/m)[1];
  const video = codec === 'VP8'
    ? ['a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 nack', 'a=rtcp-fb:96 nack pli']
    : ['a=rtpmap:102 H264/90000', 'a=rtcp-fb:102 nack', 'a=rtcp-fb:102 nack pli',
      'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f'];
  const pt = codec === 'VP8' ? 96 : 102;
  return [
    'v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=ice-ufrag:Xy9q', 'a=ice-pwd:kP3nS9z+Lw2PqV8xYc1mTbQe',
    `a=fingerprint:${fingerprint}`, 'a=setup:actpass', 'a=mid:0', 'a=recvonly', 'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1',
    `m=video 9 UDP/TLS/RTP/SAVPF ${pt}`, 'c=IN IP4 0.0.0.0', 'a=ice-ufrag:Xy9q', 'a=ice-pwd:kP3nS9z+Lw2PqV8xYc1mTbQe',
    `a=fingerprint:${fingerprint}`, 'a=setup:actpass', 'a=mid:1', 'a=recvonly', 'a=rtcp-mux', 'a=rtcp-rsize',
    ...video, '',
  ].join('\r\n');
}

async function post(code, sdp) {
  return request(code === 'mosaic' ? `${relay.url}whep/mosaic` : whep(code), {
    method: 'POST',
    headers: { Authorization: `Bearer ${MINISTER}`, 'Content-Type': 'application/sdp' },
    body: sdp,
  });
}

test('a viewer that cannot receive the publisher\'s codec gets 406; one that can gets it', async () => {
  // The mosaic is encoded once, in [mosaic] codec (H.264 by default).
  for (const [code, sent, other] of [['TH-50', 'H264', 'VP8'], ['TH-57', 'VP8', 'H264'], ['mosaic', 'H264', 'VP8']]) {
    const refused = await post(code, offer(other));
    assert.equal(refused.status, 406, `${code} sends ${sent}, the viewer offers only ${other}: ${refused.text}`);
    assert.equal(refused.json?.error, 'not-acceptable');
    assert.equal(typeof refused.json?.reason, 'string');

    // The same offer with the publisher's codec: accepted, and answered with it.
    const accepted = await post(code, offer(sent));
    assert.equal(accepted.status, 201, `${code} with ${sent}: ${accepted.text}`);
    const video = accepted.text.split(/\r?\n(?=m=)/).find((m) => m.startsWith('m=video'));
    assert.match(video, new RegExp(`^a=rtpmap:\\d+ ${sent}/90000`, 'm'));
    assert.doesNotMatch(video, new RegExp(`${other}/90000`));
    const gone = await request(new URL(accepted.headers.get('location'), relay.url), {
      method: 'DELETE', headers: { Authorization: `Bearer ${MINISTER}` },
    });
    assert.equal(gone.status, 200);
  }
});
