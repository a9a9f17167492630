// The marks the relay draws into the mosaic itself (docs/API.md, "POST
// /whep/mosaic"), as a viewer of /whep/mosaic decodes them: the floor
// holder's border (blue), the active speaker's (amber), both on one tile
// when the floor holder speaks, the muted badge (red) on muted offices'
// pictures; and the marks move when the floor moves. Pictures of the
// mosaic at each step are kept as PNG files (the path is printed).
//
// Needs: build/briefing-relay, build/tools/whip-publish and whep-view,
// test media (tools/make-test-media var/test-media).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { startViewer } from '../../tools/lib/viewer.mjs';

const CHAIR = 'chair-token-for-mosaic-marks';
const WALL = 'wall-display-token-marks';
const TOKENS = {
  'TH-12': 'nonthaburi-token-marks', 'TH-50': 'chiang-mai-token-marks', 'TH-90': 'songkhla-token-marks',
};
// docs/API.md (the mosaic): what a user and a test may rely on.
const FLOOR = [0x1e, 0x78, 0xff];
const SPEAKER = [0xff, 0xc0, 0x00];
const BLACK = [0, 0, 0];
const GREEN = [0, 255, 0];
const WHITE = [255, 255, 255];
const MAGENTA = [255, 0, 255];

const SHOTS = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-mosaic-marks-'));
let relay;
before(async () => {
  relay = await startRelay({
    provinces: TOKENS,
    extraConfig: {
      'viewer chair': { role: 'chair', token: CHAIR },
      'viewer wall': { role: 'viewer', token: WALL },
    },
  });
});
after(async () => {
  await relay.stop();
  process.stderr.write(`mosaic-marks: pictures of the mosaic in ${SHOTS}\n`);
});

const distance = (rect, rgb) => Math.hypot(rect.r - rgb[0], rect.g - rgb[1], rect.b - rgb[2]);
const near = (rect, rgb, tolerance = 70) => rect && distance(rect, rgb) < tolerance;
/* The muted badge: red (#d01c1c) behind a white microphone, so red above
 * all on average. */
const badged = (rect) => rect && rect.r > 150 && rect.r - Math.max(rect.g, rect.b) > 60;

async function conference(method, p, body) {
  const r = await request(`${relay.url}api/v1/conference${p}`, {
    method, headers: { Authorization: `Bearer ${CHAIR}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(r.status === 200 || r.status === 204, `${method} ${p}: ${r.status} ${r.text}`);
}

/* Where to look in a tile (its picture's rectangle, from the status API):
 * the middle of the 8-px gap above it, where its border is, in two bands
 * for a tile that is both the floor holder's (outer half) and the
 * speaker's (inner half); the muted badge's corner; the picture itself. */
function probes(tile) {
  const strip = (from, rows) => [tile.x + Math.round(tile.width / 4), tile.y - from,
    Math.round(tile.width / 2), rows];
  const badge = Math.max(12, Math.min(48, Math.floor(tile.height / 5))) & ~1;
  const margin = Math.floor(badge / 4) & ~1;
  return {
    gap: strip(6, 4),
    outer: strip(8, 2),
    inner: strip(2, 2),
    badge: [tile.x + tile.width - badge - margin + 4, tile.y + margin + 4, badge - 8, badge - 8],
    picture: [tile.x + Math.round(tile.width * 0.25), tile.y + Math.round(tile.height * 0.15),
      Math.round(tile.width * 0.4), Math.round(tile.height * 0.3)],
  };
}

test('the floor holder, the active speaker and muted offices are marked in the mosaic, and the marks follow the floor',
  { timeout: 300000 }, async () => {
    // Every office's level in RFC 6464; two hear a quiet room.
    const pubs = [
      startPublisher(relay, ['TH-12'], { videoFile: 'color-green.ivf', audioFile: 'opus-room.ogg', audioLevel: true }),
      // The speaker: loud speech, while muted (the room sees who talks,
      // even into a muted microphone).
      startPublisher(relay, ['TH-50'], { videoFile: 'color-white.ivf', audioFile: 'opus-speech.ogg', audioLevel: true }),
      startPublisher(relay, ['TH-90'], { videoFile: 'color-magenta.ivf', audioFile: 'opus-room.ogg', audioLevel: true }),
    ];
    const codes = ['TH-12', 'TH-50', 'TH-90'];
    let viewer;
    try {
      await waitFor(async () => {
        const all = await Promise.all(codes.map((c) => getJson(`${relay.url}api/v1/provinces/${c}`)));
        return all.every((s) => s.state === 'live') ? all : null;
      }, { timeoutMs: 60000, describe: 'three offices live' });
      const out = await getJson(`${relay.url}api/v1/outputs`);
      assert.equal(out.mosaic.width, 1920);
      const tiles = new Map(out.mosaic.tiles.map((t) => [t.id, t]));
      // The grid's tiles keep their place whatever the marks.
      const look = codes.map((c) => probes(tiles.get(c)));
      const names = ['gap', 'outer', 'inner', 'badge', 'picture'];
      const rects = look.flatMap((p) => names.map((n) => p[n]));
      viewer = startViewer(`${relay.url}whep/mosaic`, WALL, { sampleRects: rects, snapshot: path.join(SHOTS, 'mosaic.png') });
      // {TH-12: {gap, outer, inner, badge, picture}, ...} from a stats event.
      const read = (s) => Object.fromEntries(codes.map((c, i) =>
        [c, Object.fromEntries(names.map((n, k) => [n, s.rects?.[i * names.length + k]]))]));
      const until = (pred, describe) => viewer.waitFor((s) => pred(read(s)), 60000, { fresh: true, describe });
      const shot = async (name) => {
        const e = await viewer.snapshot();
        fs.renameSync(e.file, path.join(SHOTS, name));
      };

      // Nobody holds the floor, nobody speaks yet; every office muted.
      await until((m) => near(m['TH-12'].picture, GREEN) && near(m['TH-50'].picture, WHITE) &&
        near(m['TH-90'].picture, MAGENTA), 'every office in its colour');

      // The floor to TH-12 (it is unmuted with it); TH-50 speaks.
      await conference('PUT', '/floor', { province: 'TH-12' });
      await waitFor(async () => (await getJson(`${relay.url}api/v1/outputs`)).active_speaker === 'TH-50',
        { timeoutMs: 60000, describe: 'TH-50 the active speaker' });
      const first = await until((m) => near(m['TH-12'].gap, FLOOR) && near(m['TH-50'].gap, SPEAKER) &&
        near(m['TH-90'].gap, BLACK, 40) && badged(m['TH-50'].badge) && badged(m['TH-90'].badge) &&
        near(m['TH-12'].badge, GREEN),
      'the floor\'s border around TH-12, the speaker\'s around TH-50, badges on the muted TH-50 and TH-90');
      assert.ok(near(read(first)['TH-12'].picture, GREEN), 'the floor holder\'s picture itself is untouched');
      await shot('1-floor-TH-12-speaker-TH-50.png');

      // The floor moves to TH-90: its border and its badge follow.
      await conference('PUT', '/floor', { province: 'TH-90' });
      await until((m) => near(m['TH-90'].gap, FLOOR) && near(m['TH-12'].gap, BLACK, 40) &&
        near(m['TH-50'].gap, SPEAKER) && badged(m['TH-12'].badge) && near(m['TH-90'].badge, MAGENTA),
      'the floor\'s border moved to TH-90, TH-12 muted again');
      await shot('2-floor-TH-90-speaker-TH-50.png');

      // The floor to the speaker: both borders on its tile, the floor's
      // outside, the speaker's inside; no badge (unmuted with the floor).
      await conference('PUT', '/floor', { province: 'TH-50' });
      await until((m) => near(m['TH-50'].outer, FLOOR, 90) && near(m['TH-50'].inner, SPEAKER, 90) &&
        near(m['TH-90'].gap, BLACK, 40) && near(m['TH-50'].badge, WHITE),
      'TH-50 holds the floor and speaks: both borders');
      await shot('3-floor-and-speaker-TH-50.png');

      await conference('DELETE', '/floor');
      await until((m) => near(m['TH-50'].outer, SPEAKER, 90) && near(m['TH-12'].gap, BLACK, 40) &&
        near(m['TH-90'].gap, BLACK, 40) && badged(m['TH-50'].badge),
      'the floor taken back: only the speaker\'s border is left, TH-50 muted again');
    } finally {
      await viewer?.finish().catch(() => {});
      await Promise.all(pubs.map((p) => p.stop()));
    }
  });
