// The relay's own outputs: /whep/mosaic shows every office in its fixed
// tile (its colour while live, the offline card, the signal-lost card after
// a drop, live again on reconnect) at the 15 fps it announces; the spotlight and
// the program follow the floor; the conference audio is mixed without each
// listener's own voice (mix-minus), checked by spectrum.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { startViewer } from '../../tools/lib/viewer.mjs';

const CHAIR = 'chair-token-for-tests';
const MINISTER = 'minister-token-for-tests';
const TOKENS = {
  'TH-12': 'nonthaburi-token', 'TH-50': 'chiang-mai-token', 'TH-90': 'songkhla-token',
  'TH-40': 'khon-kaen-token', 'TH-11': 'samut-prakan-token',
};
const COLOURS = {
  red: [255, 0, 0], green: [0, 255, 0], blue: [0, 0, 255],
};

let relay;
before(async () => {
  relay = await startRelay({
    provinces: TOKENS,
    extraConfig: {
      'viewer chair': { role: 'chair', token: CHAIR },
      'viewer minister': { role: 'minister', token: MINISTER },
      'viewer wall': { role: 'viewer', token: 'wall-display-token' },
    },
  });
});
after(async () => {
  await relay.stop();
});

const auth = (token) => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });

function distance(a, b) {
  return Math.hypot(a.r - b[0], a.g - b[1], a.b - b[2]);
}

function isColour(rect, name) {
  return rect !== null && rect !== undefined && distance(rect, COLOURS[name]) < 90;
}

function isGreyish(rect) {
  return rect && Math.max(rect.r, rect.g, rect.b) - Math.min(rect.r, rect.g, rect.b) < 40;
}

/* The signal-lost card: dark red (pipelines/tile-renderer.h), light text
 * over part of it. */
function isLostCard(rect) {
  return rect && rect.r - Math.max(rect.g, rect.b) > 40;
}

const luma = (rect) => 0.299 * rect.r + 0.587 * rect.g + 0.114 * rect.b;
/* The program's waiting card, 0x102a4a in pipelines/tile-renderer.h. */
const WAITING_RGB = [0x10, 0x2a, 0x4a];

/* The picture part of a tile: its upper middle, away from the label strip
 * and the highlight border. */
function pictureRect(tile) {
  return [
    Math.round(tile.x + tile.width * 0.25), Math.round(tile.y + tile.height * 0.15),
    Math.round(tile.width * 0.5), Math.round(tile.height * 0.35),
  ];
}

async function tiles() {
  const out = await getJson(`${relay.url}api/v1/outputs`);
  return new Map(out.mosaic.tiles.map((t) => [t.id, t]));
}

async function live(code) {
  await waitFor(async () => (await getJson(`${relay.url}api/v1/provinces/${code}`)).state === 'live',
    { timeoutMs: 60000, describe: `${code} live` });
}

async function conference(method, path, body) {
  const r = await request(`${relay.url}api/v1/conference${path}`, {
    method, headers: auth(CHAIR), body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(r.status === 200 || r.status === 204, `${method} ${path}: ${r.status} ${r.text}`);
}

test('the mosaic shows live colours, offline and lost cards, and keeps going', async () => {
  const pubs = {
    'TH-12': startPublisher(relay, ['TH-12'], { videoFile: 'color-red.ivf' }),
    'TH-50': startPublisher(relay, ['TH-50'], { videoFile: 'color-green.ivf' }),
    'TH-90': startPublisher(relay, ['TH-90'], { videoFile: 'color-blue.ivf' }),
  };
  let viewer;
  try {
    await Promise.all(Object.keys(pubs).map(live));
    const t = await tiles();
    assert.equal(t.size, 77, 'a fixed tile for each of the 76 offices and the central room');
    const watched = ['TH-12', 'TH-50', 'TH-90', 'TH-11'];
    viewer = startViewer(`${relay.url}whep/mosaic`, 'wall-display-token', {
      sampleRects: watched.map((code) => pictureRect(t.get(code))),
    });
    const colours = await waitFor(() => {
      const s = viewer.lastStats();
      return s && s.rects && isColour(s.rects[0], 'red') && isColour(s.rects[1], 'green')
        && isColour(s.rects[2], 'blue') ? s : null;
    }, { timeoutMs: 60000, describe: 'each live province in its own colour' }).catch((e) => {
      throw new Error(`${e.message}; last stats ${JSON.stringify(viewer.lastStats())}; ` +
        `tiles ${JSON.stringify(watched.map((c) => t.get(c)))}; viewer ${viewer.stderr?.() ?? ''}`);
    });
    assert.equal(colours.width, 1920);
    assert.equal(colours.height, 1080);
    // The rate the mosaic announces (its H.264 timing information), not
    // one measured here: bench/mosaic measures what a machine achieves.
    assert.equal(colours.framerate, '15/1');
    const offlineCard = colours.rects[3];
    assert.ok(isGreyish(offlineCard), `TH-11 never connected: the offline card (${JSON.stringify(offlineCard)})`);

    // TH-90 drops without a goodbye: its tile turns into the lost card
    // (after keeping its last picture for 2 s) while the others stay live.
    await pubs['TH-90'].kill();
    const lost = await waitFor(() => {
      const s = viewer.lastStats();
      return s && isLostCard(s.rects[2]) ? s : null;
    }, { timeoutMs: 60000, describe: () => `TH-90 shows the lost card; last stats ${JSON.stringify(viewer.lastStats())}` });
    assert.ok(distance(lost.rects[2], [offlineCard.r, offlineCard.g, offlineCard.b]) > 30,
      `the lost card (${JSON.stringify(lost.rects[2])}) is not the offline card (${JSON.stringify(offlineCard)})`);
    assert.ok(isColour(lost.rects[0], 'red') && isColour(lost.rects[1], 'green'), 'the others stay live');
    // The mosaic keeps coming while a province is gone: 30 more frames
    // (counted as received: the viewer's own 1080p decode may lag on a
    // loaded machine, and that is not the relay's doing).
    await viewer.waitFor((s) => s.received_frames >= lost.received_frames + 30, 60000,
      { describe: 'mosaic frames keep coming after the drop' });

    // Back on reconnect.
    pubs['TH-90'] = startPublisher(relay, ['TH-90'], { videoFile: 'color-blue.ivf' });
    await waitFor(() => isColour(viewer.lastStats()?.rects?.[2], 'blue'),
      { timeoutMs: 60000, describe: 'TH-90 back in its colour' });
  } finally {
    await viewer?.finish().catch(() => {});
    await Promise.all(Object.values(pubs).map((p) => p.stop()));
  }
});

test('the spotlight and the program follow the floor', async () => {
  const pub = startPublisher(relay, ['TH-40'], { videoFile: 'color-green.ivf' });
  let program;
  try {
    await live('TH-40');
    // 1280x720: a corner of the card, and the band its two lines of text
    // are centred in.
    program = startViewer(`${relay.url}whep/program`, TOKENS['TH-11'], {
      sampleRects: [[40, 40, 200, 100], [240, 260, 800, 200]],
    });
    // No central room: the program shows its waiting card, its dark blue
    // around light text in the middle.
    const waiting = await program.waitFor((s) => s.video_frames >= 5, 60000, { describe: 'program frames' });
    const [background, text] = waiting.rects;
    assert.ok(distance(background, WAITING_RGB) < 30, `the waiting card's background: ${JSON.stringify(background)}`);
    assert.ok(luma(text) > luma(background) + 15, `text on the waiting card: ${JSON.stringify(waiting.rects)}`);

    await conference('PUT', '/floor', { province: 'TH-40' });
    await conference('PUT', '/layout', { layout: 'spotlight' });
    const out = await waitFor(async () => {
      const o = await getJson(`${relay.url}api/v1/outputs`);
      return o.program.source === 'TH-40' ? o : null;
    }, { timeoutMs: 60000, describe: 'the program switches to the floor holder' });
    const big = out.mosaic.tiles.find((x) => x.id === 'TH-40');
    assert.ok(big.width >= out.mosaic.width / 2, `TH-40 large in the spotlight (${JSON.stringify(big)})`);
    assert.ok(out.audio.members.includes('TH-40'), 'the floor holder is in the mix');
    await waitFor(() => isColour(program.lastStats()?.rects?.[1], 'green'),
      { timeoutMs: 60000, describe: 'the provinces see the floor holder' });

    await conference('DELETE', '/floor');
    await conference('PUT', '/layout', { layout: 'mosaic' });
    await waitFor(async () => (await getJson(`${relay.url}api/v1/outputs`)).program.source === 'central',
      { timeoutMs: 60000, describe: 'the program back on the central room' });
  } finally {
    await program?.finish().catch(() => {});
    await pub.stop();
  }
});

test('mix-minus: a province in the mix hears the others, never itself', async () => {
  const a = startPublisher(relay, ['TH-12'], { audioFile: 'opus-48k.ogg' });   // 440 Hz
  const b = startPublisher(relay, ['TH-50'], { audioFile: 'opus-880.ogg' });   // 880 Hz
  const viewers = [];
  try {
    await Promise.all([live('TH-12'), live('TH-50')]);
    await conference('PUT', '/participants/TH-12', { muted: false });
    await conference('PUT', '/participants/TH-50', { muted: false });
    const hearsB = startViewer(`${relay.url}whep/program`, TOKENS['TH-50'], { tones: [440, 880] });
    const hearsA = startViewer(`${relay.url}whep/program`, TOKENS['TH-12'], { tones: [440, 880] });
    const outsider = startViewer(`${relay.url}whep/mosaic`, MINISTER, { tones: [440, 880] });
    viewers.push(hearsB, hearsA, outsider);
    const settled = (v, loud, quiet) => waitFor(() => {
      const tones = v.lastStats()?.tones;
      return tones && tones[loud] > -30 && tones[loud] - tones[quiet] > 20 ? tones : null;
    }, { timeoutMs: 60000, describe: `${loud} Hz well above ${quiet} Hz` });
    // Each wait is the assertion: it fails unless the mix says so.
    await settled(hearsB, '440', '880');
    await settled(hearsA, '880', '440');
    await waitFor(() => {
      const tones = outsider.lastStats()?.tones;
      return tones && tones['440'] > -30 && tones['880'] > -30 ? tones : null;
    }, { timeoutMs: 60000, describe: 'the full mix has both' });

    // Muted again: TH-50 leaves the mix, so TH-12 hears nothing of it.
    await conference('PUT', '/participants/TH-50', { muted: true });
    await waitFor(() => {
      const tones = hearsA.lastStats()?.tones;
      return tones && tones['880'] < -50 ? tones : null;
    }, { timeoutMs: 60000, describe: 'a muted province is out of the mix' });
  } finally {
    await conference('PUT', '/participants/TH-12', { muted: true });
    await Promise.all(viewers.map((v) => v.finish().catch(() => {})));
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('who may watch what', async () => {
  const offer = 'v=0\r\n';
  const post = (path, token) => request(`${relay.url}${path}`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/sdp' }, body: offer,
  });
  // A province may watch the program, not the mosaic; a wrong token is 401.
  assert.equal((await post('whep/mosaic', TOKENS['TH-12'])).status, 403);
  assert.equal((await post('whep/program', 'nobody')).status, 401);
  assert.equal((await post('whep/mosaic', 'nobody')).status, 401);
  // Authorised, but the SDP is garbage: 400 (the relay read it).
  assert.equal((await post('whep/program', TOKENS['TH-12'])).status, 400);
  assert.equal((await post('whep/mosaic', 'wall-display-token')).status, 400);
  // Only the chair publishes the central room.
  assert.equal((await post('whip/central', MINISTER)).status, 403);
  assert.equal((await post('whip/central', TOKENS['TH-12'])).status, 403);
  const unknown = await post('whep/nothing', MINISTER);
  assert.equal(unknown.status, 404);
  assert.match(unknown.json.reason, /whep\/mosaic/);
});
